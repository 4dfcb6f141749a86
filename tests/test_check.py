"""`python -m libyareport check`: a valid evidence base passes with a summary; every bad input in
the catalogue (tests/fixtures/bad/<case>/) fails with exit code 1 and one stderr line naming the
file, line and column, saying what is wrong and what was expected, and never a traceback.

A case directory holds only the files that differ from tests/fixtures/evidence/ (copied over a
fresh copy of it), optionally a delete.txt listing files to remove, and expected.json:
{"file": path inside the data dir, "line": N or null (whole-file problems),
 "column": name or null, "contains": a fragment of the message}.
"""
from __future__ import annotations

import pytest
from helpers_evidence import (
    CNN_MD,
    ROOT,
    VALID,
    bad_cases,
    copy_fixture,
    expected,
    make_case,
    problem_matches,
    run_check,
    run_check_process,
    set_value,
)

CASES = bad_cases()

# What the catalogue must cover (each name is a case directory).
REQUIRED_CASES = {
    "unknown_column", "missing_required_column", "semicolon_delimiter", "latin1_encoding", "utf8_bom",
    "empty_file", "duplicated_header", "too_many_fields", "unclosed_quote", "impossible_date", "date_not_iso",
    "enum_violation", "required_value_empty", "negative_number", "low_greater_than_value", "non_numeric_value",
    "duplicate_claim_id", "duplicate_claim_id_across_tiers", "unknown_actor", "unknown_source",
    "unknown_reference", "quote_not_in_source", "quote_in_context_row", "event_after_publication",
    "raw_modified", "source_text_differs_from_raw", "front_matter_missing_key", "front_matter_invalid_yaml",
    "disputes_unknown_event", "claimed_without_claimed_by", "forum_comment_not_commentary",
    # issue 9: what honest aggregation needs from every row
    "stance_missing", "stance_not_allowed", "relay_without_originator", "figure_without_place", "figure_without_period",
    "figure_population_unknown", "time_not_hhmm", "reference_reliability_missing", "front_matter_reliability_missing",
}

# Cases that fail because of real bugs in the validator (see the report that came with them).
KNOWN_BUGS: dict[str, str] = {}  # case -> description of a library bug it exposes (none open)


@pytest.fixture(scope="session")
def bad_results(tmp_path_factory):
    """Run `check` on every case once, in-process through the CLI entry point (fast; the real
    process is covered by the smoke tests below)."""
    root = tmp_path_factory.mktemp("bad")
    out = {}
    for case in CASES:
        (root / case).mkdir()
        out[case] = run_check(make_case(case, root / case))
    return out


def test_catalogue_covers_the_agreed_bad_inputs():
    assert len(CASES) >= 22
    assert REQUIRED_CASES <= set(CASES), f"missing cases: {sorted(REQUIRED_CASES - set(CASES))}"
    for case in CASES:
        exp = expected(case)
        assert set(exp) == {"file", "line", "column", "contains"}, case
        assert exp["contains"], case


@pytest.mark.parametrize("case", CASES)
def test_bad_input_is_reported_precisely(case, bad_results):
    exp = expected(case)
    r = bad_results[case]
    if case in KNOWN_BUGS:
        case = f"{case} (known bug: {KNOWN_BUGS[case]})"
    assert "Traceback" not in r.stdout + r.stderr, f"{case}: crashed instead of reporting:\n{r.stderr}"
    assert r.returncode == 1, f"{case}: exit code {r.returncode}\n{r.stdout}\n{r.stderr}"
    lines = r.stderr.splitlines()
    hits = [ln for ln in lines if problem_matches(ln, exp)]
    assert hits, f"{case}: no stderr line reports {exp}; got:\n{r.stderr}"
    assert all("(expected " in h for h in hits), f"{case}: the message does not say what was expected: {hits}"
    assert lines[-1].startswith("check: ") and "problem" in lines[-1]
    assert "is valid" not in r.stdout


def test_valid_fixture_passes_with_summary(tmp_path):
    r = run_check_process(copy_fixture(tmp_path / "data"))  # smoke test: a real process
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
    assert "is valid" in r.stdout
    assert "sources: 1 (1 news_report); references: 2" in r.stdout
    rows = {ln.split()[0]: ln.split()[1:] for ln in r.stdout.splitlines()
            if ln.split() and ln.split()[0] in {"events", "tolls", "support", "responses"}}
    # rows per tier, then keys per grade: confirmed, corroborated, single source, contested.
    # events: 6 keys; offensive_launch is reported by CNN and by a public-record reference (two
    # independent lines: corroborated); the GNA's "pushed back" claim disputes the LNA's advance, so
    # both keys are contested; the other three rest on one source.
    assert rows["events"] == ["6", "1", "0", "1", "3", "2"]
    assert rows["tolls"] == ["3", "2", "0", "0", "5", "0"]  # five figures, one source each


def test_fixture_dir_itself_is_valid():
    r = run_check(VALID, cwd=ROOT)
    assert r.returncode == 0, r.stderr


@pytest.mark.skipif(not (ROOT / "data" / "events.csv").is_file(), reason="shipped claim tables not curated yet")
def test_shipped_data_passes():
    r = run_check_process(ROOT / "data", cwd=ROOT)  # smoke test: a real process
    assert r.returncode == 0, r.stderr[-3000:]


def test_typographic_quotes_and_whitespace_still_match(evidence_dir):
    responses, events = evidence_dir / "responses.csv", evidence_dir / "events.csv"
    # source: France would like Sarraj's government to remain a key player ...
    set_value(responses, "cnn-resp-04", "quote", "France would like Sarraj\u2019s government\n    to remain  a key\u00a0player")
    # source: "As of yesterday and today, Monday, Haftar forces have been pushed back and Tripoli secured."
    set_value(events, "cnn-ev-04", "quote",
              "\u201cAs of yesterday and today, Monday, Haftar forces have been pushed back and Tripoli secured.\u201d")
    r = run_check(evidence_dir)
    assert r.returncode == 0, r.stderr


def test_quote_case_change_does_not_match(evidence_dir):
    set_value(evidence_dir / "responses.csv", "cnn-resp-04", "quote", "france would like Sarraj's government")
    r = run_check(evidence_dir)
    assert r.returncode == 1
    exp = {"file": "responses.csv", "line": 5, "column": "quote", "contains": "does not occur in source"}
    assert any(problem_matches(ln, exp) for ln in r.stderr.splitlines()), r.stderr


def test_multi_line_quote_keeps_later_line_numbers_right(evidence_dir):
    """A quoted newline inside a cell makes the record span two lines; later rows shift by one."""
    events = evidence_dir / "events.csv"
    set_value(events, "cnn-ev-02", "quote", "Mitiga airport, in the eastern quarter of Tripoli,\nwas shuttered")
    set_value(events, "cnn-ev-04", "event_type", "bombing")
    r = run_check(evidence_dir)
    exp = {"file": "events.csv", "line": 6, "column": "event_type", "contains": "'bombing' is not an allowed value"}
    assert any(problem_matches(ln, exp) for ln in r.stderr.splitlines()), r.stderr


def test_windows_line_endings_are_accepted_and_lines_counted(evidence_dir):
    for p in evidence_dir.rglob("*.csv"):
        p.write_bytes(p.read_bytes().replace(b"\n", b"\r\n"))
    assert run_check(evidence_dir).returncode == 0
    set_value(evidence_dir / "events.csv", "cnn-ev-02", "date", "2019-02-30")
    r = run_check(evidence_dir)
    exp = {"file": "events.csv", "line": 3, "column": "date", "contains": "not a valid date"}
    assert any(problem_matches(ln, exp) for ln in r.stderr.splitlines()), r.stderr


def test_every_problem_is_listed_not_just_the_first(evidence_dir):
    set_value(evidence_dir / "tolls.csv", "cnn-toll-02", "value", "-21")
    set_value(evidence_dir / "support.csv", "cnn-sup-01", "backer_id", "wagner")
    md = evidence_dir / CNN_MD
    md.write_text(md.read_text(encoding="utf-8").replace("language: en\n", ""), encoding="utf-8")
    r = run_check(evidence_dir)
    assert r.returncode == 1
    lines = r.stderr.splitlines()
    assert any(ln.startswith("data/tolls.csv:3 [value]:") for ln in lines), r.stderr
    assert any(ln.startswith("data/support.csv:2 [backer_id]:") and "wagner" in ln for ln in lines), r.stderr
    assert any(ln.startswith(f"data/{CNN_MD}:2 [language]:") for ln in lines), r.stderr
    assert lines[-1] == "check: 3 problems in data"


def test_max_errors_limits_the_listing(evidence_dir):
    for claim in ("cnn-toll-01", "cnn-toll-02", "cnn-toll-03"):
        set_value(evidence_dir / "tolls.csv", claim, "value", "-1")
    r = run_check(evidence_dir, "--max-errors", "1")
    lines = r.stderr.splitlines()
    assert r.returncode == 1
    assert lines == [lines[0], "… and 2 more", "check: 3 problems in data"]


def test_missing_data_directory(tmp_path):
    r = run_check(tmp_path / "nowhere")
    assert r.returncode == 1
    assert "Traceback" not in r.stderr
    assert "data directory does not exist" in r.stderr

