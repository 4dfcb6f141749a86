"""Issue 12, `check`: what it must catch, and faults it must report in one line (never a hang or
a traceback). Each test edits one cell of the small valid fixture and runs the real command
line (`cli.main`) in-process; the expected file, line and column come from the edit itself."""
from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from libyareport import cli

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "data"
CNN_MD = "sources/cnn_20190408_mitiga.md"


def tree(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
            for p in sorted(root.rglob("*")) if p.is_file() or p.is_dir()}


def set_cell(path: Path, row: int, column: str, value: str) -> int:
    """Set data row `row` (1 = first after the header) of a CSV; returns its physical line.
    The fixture's cells hold no newlines, so the line is row + 1."""
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    rows[row][rows[0].index(column)] = value
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    return row + 1


def cell(path: Path, row: int, column: str) -> str:
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    return rows[row][rows[0].index(column)]


def check(data: Path, capsys) -> tuple[int, list[str]]:
    before = tree(data)
    code = cli.main(["check", "--data", str(data)])
    out = capsys.readouterr()
    assert "Traceback" not in out.err + out.out
    assert tree(data) == before, "check changed the data directory"
    return code, out.err.strip().splitlines()


def one_problem(data: Path, capsys) -> str:
    """check fails with exactly one problem line (plus the summary line); returns it."""
    code, err = check(data, capsys)
    assert code == 1, err
    assert err[-1].startswith("check: 1 problem "), err
    assert len(err) == 2, "expected one problem line:\n" + "\n".join(err)
    return err[0]


# -- numbers and dates: whatever check accepts, build can render -------------------------------------
def test_a_value_of_one_followed_by_400_zeros_is_out_of_range(evidence_dir, capsys):
    line = set_cell(evidence_dir / "tolls.csv", 1, "value", "1" + "0" * 400)
    msg = one_problem(evidence_dir, capsys)
    assert f"tolls.csv:{line} [value]" in msg and "larger than 100,000,000" in msg, msg


def test_the_schema_declares_a_maximum_for_every_numeric_field():
    pkg = json.loads((SHIPPED / "datapackage.json").read_text(encoding="utf-8"))
    numeric = []
    for res in pkg["resources"]:
        schema = res.get("schema")
        if isinstance(schema, str):
            schema = json.loads((SHIPPED / schema).read_text(encoding="utf-8"))
        numeric += [(res["name"], f["name"], f.get("constraints", {})) for f in (schema or {}).get("fields", [])
                    if f.get("type") in ("number", "integer")]
    assert numeric, "no numeric fields found"
    missing = [(r, f) for r, f, c in numeric if "maximum" not in c or "minimum" not in c]
    assert not missing, f"numeric fields without a stated range: {missing}"


def test_a_range_is_listed_in_the_data_dictionary():
    text = (SHIPPED / "README.md").read_text(encoding="utf-8")
    assert "| `value` | number | yes | 0 to 100,000,000 |" in text


@pytest.mark.parametrize("digits", ["٣٤٠٠", "۳۴۰۰"])  # Arabic-Indic and Eastern Arabic-Indic
def test_arabic_indic_digits_are_not_a_number(evidence_dir, capsys, digits):
    line = set_cell(evidence_dir / "tolls.csv", 1, "value", digits)
    msg = one_problem(evidence_dir, capsys)
    assert f"tolls.csv:{line} [value]" in msg and "is not a number" in msg, msg


def test_a_context_event_dated_9999_is_a_check_error(evidence_dir, capsys):
    line = set_cell(evidence_dir / "context" / "events.csv", 1, "date", "9999-12-31")
    code, err = check(evidence_dir, capsys)
    assert code == 1
    mine = [e for e in err if f"context/events.csv:{line} [date]" in e]
    assert mine and "outside the supported range" in mine[0] and "1900-01-01 and 2100-12-31" in mine[0], err


def test_a_date_before_1900_is_a_check_error(evidence_dir, capsys):
    line = set_cell(evidence_dir / "events.csv", 1, "date", "0001-01-01")
    code, err = check(evidence_dir, capsys)
    assert code == 1 and any(f"events.csv:{line} [date]" in e and "outside the supported range" in e for e in err), err


# -- quotes --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("quote", ["a", ".", "Haftar"])
def test_a_quote_too_short_to_be_evidence(evidence_dir, capsys, quote):
    line = set_cell(evidence_dir / "events.csv", 1, "quote", quote)
    msg = one_problem(evidence_dir, capsys)
    assert f"events.csv:{line} [quote]" in msg and "too short" in msg, msg


def _passages(md: Path) -> list[str]:
    body = md.read_text(encoding="utf-8").split("\n---\n", 1)[1]
    return [" ".join(p.split()) for p in body.split("\n\n") if p.strip()]


def test_a_quote_stitched_across_the_title_and_the_next_paragraph(evidence_dir, capsys):
    title, first = _passages(evidence_dir / CNN_MD)[:2]
    stitched = " ".join(title.split()[-3:]) + " " + " ".join(first.split()[:4])  # occurs only across the blank line
    line = set_cell(evidence_dir / "events.csv", 1, "quote", stitched)
    msg = one_problem(evidence_dir, capsys)
    assert f"events.csv:{line} [quote]" in msg and "runs across two passages" in msg, msg


# -- actors, events, phases ----------------------------------------------------------------------------
def test_two_actors_with_the_same_display_name(evidence_dir, capsys):
    name = cell(evidence_dir / "actors.csv", 1, "name")
    line = set_cell(evidence_dir / "actors.csv", 3, "name", name)
    msg = one_problem(evidence_dir, capsys)
    assert f"actors.csv:{line} [name]" in msg and f"same name '{name}'" in msg, msg


def test_an_alias_shared_by_two_actors(evidence_dir, capsys):
    assert "LNA" in cell(evidence_dir / "actors.csv", 2, "aliases")  # lna's alias
    aliases = cell(evidence_dir / "actors.csv", 3, "aliases")  # gna
    line = set_cell(evidence_dir / "actors.csv", 3, "aliases", aliases + "; LNA")
    msg = one_problem(evidence_dir, capsys)
    assert f"actors.csv:{line} [aliases]" in msg and "'lna'" in msg and "actor 'gna'" in msg, msg


def test_an_event_that_disputes_itself(evidence_dir, capsys):
    eid = cell(evidence_dir / "events.csv", 2, "event_id")
    line = set_cell(evidence_dir / "events.csv", 2, "disputes", eid)
    msg = one_problem(evidence_dir, capsys)
    assert f"events.csv:{line} [disputes]" in msg and f"event '{eid}' disputes itself" in msg, msg


def test_a_phase_that_ends_before_it_starts(evidence_dir, capsys):
    # misrata_zawia_deploy is dated 2019-04-01, before offensive_launch (2019-04-04) that opens the phase
    end = cell(evidence_dir / "events.csv", 5, "event_id")
    assert cell(evidence_dir / "events.csv", 5, "date") < cell(evidence_dir / "events.csv", 1, "date")
    line = set_cell(evidence_dir / "context" / "phases.csv", 1, "end_event_id", end)
    msg = one_problem(evidence_dir, capsys)
    assert f"phases.csv:{line} [end_event_id]" in msg and "ends" in msg and "before it starts" in msg, msg


# -- source documents ----------------------------------------------------------------------------------
def _front_line(md: Path, key: str) -> int:
    return next(i for i, ln in enumerate(md.read_text(encoding="utf-8").split("\n"), 1) if ln.startswith(key + ":"))


def test_derived_from_outside_raw(evidence_dir, capsys):
    md = evidence_dir / CNN_MD
    md.write_text(md.read_text(encoding="utf-8").replace("derived_from: 000_a3787881580084aa.txt",
                                                         "derived_from: ../raw/../sources/cnn_20190408_mitiga.md"))
    line = _front_line(md, "derived_from")
    msg = one_problem(evidence_dir, capsys)
    assert f"{CNN_MD}:{line} [derived_from]" in msg and "outside data/raw/" in msg, msg


def test_a_front_matter_key_given_twice(evidence_dir, capsys):
    md = evidence_dir / CNN_MD
    text = md.read_text(encoding="utf-8")
    md.write_text(text.replace("kind: news_report\n", "kind: news_report\nkind: official_statement\n"))
    line = _front_line(md, "kind") + 1
    code, err = check(evidence_dir, capsys)
    assert code == 1 and any(f"{CNN_MD}:{line}" in e and "'kind' is given twice" in e for e in err), err


def test_a_fifo_in_sources_does_not_hang(evidence_dir):
    os.mkfifo(evidence_dir / "sources" / "pipe.md")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    r = subprocess.run([sys.executable, "-m", "libyareport", "check", "--data", str(evidence_dir)],
                       capture_output=True, text=True, timeout=60, env=env, check=False)  # a hang fails here
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert any("sources/pipe.md" in e and "not a regular file" in e for e in r.stderr.splitlines()), r.stderr


def test_a_directory_named_md(evidence_dir, capsys):
    (evidence_dir / "sources" / "folder.md").mkdir()
    msg = one_problem(evidence_dir, capsys)
    assert "sources/folder.md" in msg and "is a directory" in msg, msg


# -- the schema ----------------------------------------------------------------------------------------
def _own_schema(data: Path) -> Path:
    shutil.copy(SHIPPED / "datapackage.json", data / "datapackage.json")
    shutil.copytree(SHIPPED / "schema", data / "schema")
    return data / "datapackage.json"


def test_an_invalid_datapackage_json(evidence_dir, capsys):
    pkg = _own_schema(evidence_dir)
    text = pkg.read_text(encoding="utf-8")
    pkg.write_text(text.replace('"resources": [', '"resources": [,', 1))
    line = text[: text.index('"resources": [')].count("\n") + 1
    msg = one_problem_or_error(evidence_dir, capsys)
    assert f"datapackage.json:{line}" in msg and "not valid JSON" in msg, msg


def one_problem_or_error(data: Path, capsys) -> str:
    code, err = check(data, capsys)
    assert code == 1 and len(err) == 1, err
    return err[0]


def test_a_missing_schema_file(evidence_dir, capsys):
    _own_schema(evidence_dir)
    (evidence_dir / "schema" / "tolls.json").unlink()
    msg = one_problem_or_error(evidence_dir, capsys)
    assert "schema/tolls.json" in msg and "is missing" in msg, msg


def test_an_invalid_regex_in_a_schema(evidence_dir, capsys):
    _own_schema(evidence_dir)
    p = evidence_dir / "schema" / "actors.json"
    p.write_text(p.read_text(encoding="utf-8").replace('"pattern": "^[a-z0-9][a-z0-9_.-]*$"', '"pattern": "^[a-z"', 1))
    msg = one_problem_or_error(evidence_dir, capsys)
    assert "schema/actors.json [actor_id]" in msg and "not a valid regular expression" in msg, msg


# -- imported metadata ---------------------------------------------------------------------------------
def test_a_corrupt_imported_meta_json(evidence_dir, capsys):
    d = evidence_dir / "imported" / "x"
    d.mkdir(parents=True)
    (d / "meta.json").write_text('{"name": "x",\n "kind": ', encoding="utf-8")
    msg = one_problem(evidence_dir, capsys)
    assert "imported/x/meta.json:2" in msg and "not valid JSON" in msg, msg


# -- options and parameters ----------------------------------------------------------------------------
def test_max_errors_minus_one_is_refused(evidence_dir, capsys):
    with pytest.raises(SystemExit) as e:
        cli.main(["check", "--data", str(evidence_dir), "--max-errors", "-1"])
    err = capsys.readouterr().err
    assert e.value.code == 2 and "Traceback" not in err
    assert err.strip().splitlines()[-1].endswith("argument --max-errors: -1 is not positive; expected a positive integer")


@pytest.mark.parametrize(("pair", "expected"), [
    ("datasets=acled,acled", "-p [datasets]: dataset 'acled' is named twice (expected each dataset named once)"),
    ("data_dir=", "-p [data_dir]: empty value"),
])
def test_bad_run_parameters_are_one_line(tmp_path, capsys, pair, expected):
    build = tmp_path / "build"
    assert cli.main(["build", "-p", pair, "--build-dir", str(build), "--no-pdf"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(expected), err
    assert not build.exists(), "a refused build must not create anything"


def test_datasets_as_a_yaml_list(tmp_path):
    from libyareport.errors import ReportError
    from libyareport.params import parse_params
    f = tmp_path / "p.yaml"
    f.write_text("datasets: [acled, ucdp]\n", encoding="utf-8")
    assert parse_params(None, str(f), None)["datasets"] == "acled,ucdp"
    f.write_text("datasets: [acled, acled]\n", encoding="utf-8")
    with pytest.raises(ReportError, match="named twice"):
        parse_params(None, str(f), None)
    f.write_text("datasets: acled\ndatasets: ucdp\n", encoding="utf-8")
    with pytest.raises(ReportError, match="given twice"):
        parse_params(None, str(f), None)
