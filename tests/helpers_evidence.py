"""Helpers for the evidence-base tests: the valid fixture, bad-input overlays, running `check`."""
from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
VALID = FIXTURES / "evidence"
BAD = FIXTURES / "bad"
CNN = "cnn_20190408_mitiga"
CNN_MD = f"sources/{CNN}.md"
# The forum-thread case carries a second raw document (a forum thread quoting a news report),
# split into a news source and a forum_comments source; add_forum_thread() reuses those files.
FORUM_CASE = BAD / "forum_comment_not_commentary"
FORUM = "forum_20200603_tripoli_airport"
ALJAZEERA = "aljazeera_20200603_tripoli_airport"
OVERLAY_META = {"expected.json", "delete.txt"}


def copy_fixture(dest: Path) -> Path:
    """Copy the valid evidence base to `dest` (which must not exist) and return it."""
    shutil.copytree(VALID, dest)
    return dest


def bad_cases() -> list[str]:
    return sorted(p.name for p in BAD.iterdir() if p.is_dir() and (p / "expected.json").is_file())


def expected(case: str) -> dict:
    return json.loads((BAD / case / "expected.json").read_text(encoding="utf-8"))


def apply_overlay(case_dir: Path, dest: Path, skip: set[str] = frozenset()) -> None:
    """Copy a case's files over `dest`, then delete the files its delete.txt lists."""
    for p in sorted(case_dir.rglob("*")):
        rel = p.relative_to(case_dir)
        if not p.is_file() or str(rel) in OVERLAY_META or str(rel) in skip:
            continue
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(p, target)
    deletions = case_dir / "delete.txt"
    if deletions.is_file():
        for line in deletions.read_text(encoding="utf-8").splitlines():
            if line.strip():
                (dest / line.strip()).unlink()


def make_case(case: str, tmp_path: Path) -> Path:
    """tmp_path/data = valid fixture + the case's overlay."""
    data = copy_fixture(tmp_path / "data")
    apply_overlay(BAD / case, data)
    return data


def run_check(data_dir: Path, *extra: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """`check --data DIR` run in-process through the CLI's own entry point, paths relative to `cwd`:
    the same argument parsing, messages and exit status as the command, without an interpreter
    start per case. An exception escaping main() is reported as the traceback a user would see."""
    import contextlib
    import io
    import traceback

    from libyareport import cli
    from libyareport.evidence.schema import load_package

    cwd = cwd or data_dir.parent
    arg = os.path.relpath(data_dir, cwd)
    out, err = io.StringIO(), io.StringIO()
    here = os.getcwd()
    load_package.cache_clear()  # a case may carry its own schema
    try:
        os.chdir(cwd)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = cli.main(["check", "--data", arg, *extra])
            except SystemExit as e:
                code = e.code if isinstance(e.code, int) else 2
            except Exception:  # noqa: BLE001 - what a user would see is the traceback
                err.write(traceback.format_exc())
                code = 1
    finally:
        os.chdir(here)
    return subprocess.CompletedProcess(["libyareport", "check", "--data", arg, *extra], code, out.getvalue(), err.getvalue())


def run_check_process(data_dir: Path, *extra: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """`python -m libyareport check --data DIR` as a real process (the smoke tests)."""
    cwd = cwd or data_dir.parent
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    arg = os.path.relpath(data_dir, cwd)
    return subprocess.run([sys.executable, "-m", "libyareport", "check", "--data", arg, *extra],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False)


def problem_matches(line: str, exp: dict, prefix: str = "data/") -> bool:
    """Does one stderr line report the expected problem (file, line, column, message)?"""
    head = prefix + exp["file"]
    if exp["line"] is not None:
        head += f":{exp['line']}"
    if exp["column"]:
        head += f" [{exp['column']}]"
    located = line.startswith(head + ":") or (not exp["column"] and line.startswith(head + " ["))
    return located and exp["contains"] in line


# -- editing a copy of the fixture ---------------------------------------------------------
def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def write_rows(path: Path, rows: list[dict[str, str]], header: list[str] | None = None) -> None:
    if header is None:
        with path.open(encoding="utf-8", newline="") as fh:
            header = next(csv.reader(fh))
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=header, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def append_rows(path: Path, rows: list[dict[str, str]]) -> None:
    write_rows(path, read_rows(path) + rows)


def set_value(path: Path, claim_id: str, column: str, value: str, key: str = "claim_id") -> None:
    rows = read_rows(path)
    hits = [r for r in rows if r[key] == claim_id]
    assert len(hits) == 1, f"{claim_id} not in {path}"
    hits[0][column] = value
    write_rows(path, rows)


def add_forum_thread(data: Path) -> None:
    """Add the forum thread (raw 002): its news report and its readers' comments, with a
    news row, a commentary row about the same event, and a commentary support row."""
    apply_overlay(FORUM_CASE, data, skip={"events.csv"})
    append_rows(data / "actors.csv", [{
        "actor_id": "turkey", "name": "Turkey", "aliases": "Turkey; Turkish", "kind": "foreign_state",
        "side": "gna", "parent_id": "", "country": "Turkey"}])
    event = {"event_id": "gna_takes_tripoli_airport", "date": "2020-06-03", "date_end": "", "date_precision": "day",
             "place": "Tripoli international airport", "event_type": "territorial_claim", "actor_ids": "gna",
             "disputes": "", "stance": "supports"}
    append_rows(data / "events.csv", [
        {**event, "claim_id": "aj-ev-01", "date_basis": "'on Wednesday' = the publication date (2020-06-03)",
         "summary": "GNA spokesman Gnounou says GNA forces have fully liberated Tripoli international airport.",
         "status": "claimed", "claimed_by": "gna", "source_id": ALJAZEERA,
         "quote": "Our forces have fully liberated Tripoli international airport"},
        {**event, "claim_id": "forum-ev-01", "date_basis": "the news the comment refers to",
         "summary": "A reader calls the airport takeover another huge blow to Haftar's forces.",
         "status": "commentary", "claimed_by": "", "source_id": FORUM,
         "quote": "Yup, the news has been confirmed by major news outlet. Another huge blow to Haftar forces."},
    ])
    append_rows(data / "support.csv", [
        {"claim_id": "forum-sup-01", "backer_id": "turkey", "recipient_id": "gna", "support_type": "unspecified",
         "period": "now", "detail": "A reader asks about GNA strategy now that it has Turkish support.",
         "status": "commentary", "stance": "supports", "source_id": FORUM,
         "quote": "Anyone know what GNA strategy is now that they got Turkish support?"},
    ])
