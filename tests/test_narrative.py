"""The narrative layer (data/narrative/*.md): the shipped pages cite only keys the data defines,
date only what falls in their own period, and `check_narrative` reports bad paragraphs by
file:line. Key sets are computed here straight from the CSVs, not by the code under test."""
from __future__ import annotations

import calendar
import csv
import datetime as dt
import re
from pathlib import Path

import pytest

from libyareport.evidence.narrative import PAGES, check_narrative, load_narrative, parse_narrative

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
NARRATIVE = DATA / "narrative"


def _rows(name: str) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for folder in (DATA, DATA / "context"):
        path = folder / name
        if path.exists():
            with path.open(newline="", encoding="utf-8") as f:
                rows += list(csv.DictReader(f))
    return rows


def _end(start: str, end: str, precision: str) -> dt.date:
    d = dt.date.fromisoformat(start)
    if precision == "range" and end:
        return dt.date.fromisoformat(end)
    if precision == "month":
        return d.replace(day=calendar.monthrange(d.year, d.month)[1])
    if precision == "year":
        return d.replace(month=12, day=31)
    return d


def _known_keys() -> tuple[dict[str, set[str]], dict[str, tuple[dt.date, dt.date]]]:
    """Role -> valid keys, and date key -> the span of days its rows cover."""
    claim: set[str] = set()
    figure: set[str] = set()
    spans: dict[str, tuple[dt.date, dt.date]] = {}

    def add_span(key: str, lo: dt.date, hi: dt.date) -> None:
        a, b = spans.get(key, (lo, hi))
        spans[key] = (min(a, lo), max(b, hi))

    for r in _rows("events.csv"):
        claim |= {r["event_id"], r["claim_id"]}
        lo, hi = dt.date.fromisoformat(r["date"]), _end(r["date"], r["date_end"], r["date_precision"])
        add_span(r["event_id"], lo, hi)
        add_span(r["claim_id"], lo, hi)
    for r in _rows("responses.csv"):
        claim |= {r["response_id"], r["claim_id"]}
        lo, hi = dt.date.fromisoformat(r["date"]), _end(r["date"], r["date_end"], r["date_precision"])
        add_span(r["response_id"], lo, hi)
        add_span(r["claim_id"], lo, hi)
    for r in _rows("tolls.csv"):
        claim |= {r["figure_id"], r["claim_id"]}
        figure |= {r["figure_id"], r["claim_id"]}  # a claim_id picks one source's value of a disputed figure
        lo, hi = dt.date.fromisoformat(r["as_of"]), _end(r["as_of"], r["as_of_end"], r["as_of_precision"])
        add_span(r["figure_id"], lo, hi)
        add_span(r["claim_id"], lo, hi)
    for r in _rows("support.csv"):
        claim |= {f"{r['backer_id']}>{r['recipient_id']}:{r['support_type']}", r["claim_id"]}
    return {"claim": claim, "figure": figure, "date": set(spans)}, spans


ROLE_RX = re.compile(r"\{(claim|figure|date)\}`([^`]+)`")


def test_shipped_pages_check_clean_and_have_the_agreed_sections():
    known, _ = _known_keys()
    problems = check_narrative(NARRATIVE, known)
    assert [str(p) for p in problems] == []
    paragraphs, _ = load_narrative(NARRATIVE)
    by_page: dict[str, dict[str, int]] = {}
    for p in paragraphs:
        by_page.setdefault(p.page, {}).setdefault(p.section, 0)
        by_page[p.page][p.section] += 1
    assert set(by_page) == set(PAGES)
    assert by_page["intro.md"]["summary"] >= 8
    assert 5 <= by_page["intro.md"]["findings"] <= 8
    assert by_page["intro.md"]["briefing"] >= 3
    for page in PAGES:
        if page != "intro.md":
            assert 3 <= by_page[page].get("analysis", 0) <= 8, page
            assert 1 <= by_page[page].get("coverage", 0) <= 2, page


def test_every_cited_key_exists_in_the_shipped_csvs():
    known, _ = _known_keys()
    for path in sorted(NARRATIVE.glob("*.md")):
        if path.name not in PAGES:
            continue
        text = "\n".join(line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("%"))
        cited = ROLE_RX.findall(text)
        paragraphs, _ = parse_narrative(path)
        assert len(cited) == sum(len(p.cites) for p in paragraphs), path.name  # the parser misses no role
        missing = sorted({f"{role}:{key}" for role, key in cited if key not in known[role]})
        assert missing == [], f"{path.name} cites keys not in data/: {missing}"


def test_a_paragraph_dates_only_what_falls_in_its_own_period():
    """A narrow window must never show a paragraph about months outside it: every {date} a
    paragraph inserts lies (at least partly) in the paragraph's period."""
    _, spans = _known_keys()
    paragraphs, _ = load_narrative(NARRATIVE)
    outside = []
    for p in paragraphs:
        for role, key, line in p.cites:
            if role != "date":
                continue
            lo, hi = spans[key]
            if hi < p.period_start or lo > p.period_end:
                outside.append(f"{p.page}:{line} {p.id} dates {key} ({lo}..{hi}) outside {p.period_start}..{p.period_end}")
    assert outside == []


def test_a_narrow_window_gets_a_narrow_summary():
    paragraphs, _ = load_narrative(NARRATIVE)
    summary = [p for p in paragraphs if p.page == "intro.md" and p.section == "summary"]
    april_2019 = {p.id for p in summary if p.overlaps(dt.date(2019, 4, 1), dt.date(2019, 4, 30))}
    may_june_2020 = {p.id for p in summary if p.overlaps(dt.date(2020, 5, 1), dt.date(2020, 6, 30))}
    assert "offensive-from-gharyan" in april_2019
    assert not april_2019 & {"airport-and-tarhuna", "geneva-ceasefire", "turkish-intervention", "loss-of-gharyan"}
    assert {"peace-storm-and-watiya", "airport-and-tarhuna", "sirte-jufra-line"} <= may_june_2020
    assert not may_june_2020 & {"offensive-from-gharyan", "loss-of-gharyan", "tajoura-strike", "geneva-ceasefire"}


PAGE = """% a comment
## first-block
period: 2019-04-04 .. 2019-04-08
section: analysis

The offensive began on {date}`lna-offensive-launch` {claim}`lna-offensive-launch`.

## second-block
period: {period}
section: analysis

{text}
"""


def _write(tmp_path: Path, period: str = "2020-06-03 .. 2020-06-05", text: str = "The GNA took it {claim}`gna-takes-tarhuna`.") -> Path:
    d = tmp_path / "narrative"
    d.mkdir()
    (d / "01_chronology.md").write_text(PAGE.replace("{period}", period).replace("{text}", text), encoding="utf-8")
    return d


KNOWN = {"claim": {"lna-offensive-launch", "gna-takes-tarhuna"}, "figure": set(), "date": {"lna-offensive-launch"}}


def test_an_unknown_key_is_reported_at_its_file_and_line(tmp_path):
    d = _write(tmp_path, text="First line of text.\nThe GNA took it {claim}`gna-takes-tarhunaa`.")
    problems = check_narrative(d, KNOWN, base=tmp_path)
    assert len(problems) == 1
    # the paragraph's text starts on line 12 of the page; the bad key is on line 13
    assert str(problems[0]).startswith("narrative/01_chronology.md:13")
    assert "gna-takes-tarhunaa" in str(problems[0])


def test_a_reversed_period_fails(tmp_path):
    d = _write(tmp_path, period="2020-06-05 .. 2020-06-03")
    problems = check_narrative(d, KNOWN, base=tmp_path)
    assert len(problems) == 1
    assert problems[0].line == 9 and problems[0].column == "period"
    assert "before it starts" in problems[0].message


@pytest.mark.parametrize("period", ["2020-06-03", "2020-06-03 - 2020-06-05", "2020-02-30 .. 2020-03-01"])
def test_a_malformed_period_fails(tmp_path, period):
    problems = check_narrative(_write(tmp_path, period=period), KNOWN)
    assert [(p.line, p.column) for p in problems] == [(9, "period")]


def test_a_paragraph_without_a_citation_fails(tmp_path):
    d = _write(tmp_path, text="The GNA took Tarhuna.")
    problems = check_narrative(d, KNOWN)
    assert len(problems) == 1
    assert problems[0].line == 12 and "cites no claim key" in problems[0].message


def test_typed_numbers_and_dates_fail_but_names_with_numbers_pass(tmp_path):
    d = _write(tmp_path, text="On 5 June the GNA took Tarhuna, killing 1,048 {claim}`gna-takes-tarhuna`;\n"
                              "resolution 2510 and Brigade 166 and the 5+5 commission are names {claim}`gna-takes-tarhuna`.")
    problems = check_narrative(d, KNOWN)
    assert sorted((p.line, p.message.split(" '")[0]) for p in problems) == [(12, "typed date"), (12, "typed number")]


def test_unknown_role_section_and_duplicate_id_are_reported(tmp_path):
    d = tmp_path / "narrative"
    d.mkdir()
    (d / "intro.md").write_text(
        "## a\nperiod: 2019-04-04 .. 2019-04-05\nsection: analysis\n\nText {claim}`gna-takes-tarhuna`.\n\n"
        "## a\nperiod: 2019-04-04 .. 2019-04-05\nsection: summary\n\nText {cite}`gna-takes-tarhuna` {claim}`gna-takes-tarhuna`.\n",
        encoding="utf-8")
    problems = check_narrative(d, KNOWN)
    got = sorted((p.line, p.column, p.message.split(" ")[0]) for p in problems)
    assert got == [(3, "section", "unknown"), (7, "id", "duplicate"), (11, "text", "unknown")]
