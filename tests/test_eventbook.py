"""Imported event data in the built book: import fixture exports, build, read the pages."""
from __future__ import annotations

import csv
import datetime as dt
import re
import shutil
import subprocess
import sys
from pathlib import Path

from libyareport.params import parse_params

ROOT = Path(__file__).resolve().parent.parent
FIX = ROOT / "tests" / "fixtures" / "imports"
APRIL = (dt.date(2019, 4, 1), dt.date(2019, 4, 30))


def _text(path: Path) -> str:
    html = path.read_text(encoding="utf-8")
    html = re.sub(r"<script.*?</script>", " ", html, flags=re.DOTALL)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _acled_expected(path: Path, start: dt.date, end: dt.date) -> tuple[int, int]:
    """Events and fatalities in the window, read straight from the export (independent of the importer)."""
    n = fat = 0
    with path.open(encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            raw = row["event_date"].strip()
            d = dt.date.fromisoformat(raw) if "-" in raw else dt.datetime.strptime(raw, "%d %B %Y").date()
            if start <= d <= end:
                n += 1
                fat += int(row["fatalities"])
    return n, fat


DEFAULT = (dt.date(2019, 4, 1), dt.date(2020, 10, 31))


def _import(fmt: str, path: Path, data: Path, *extra: str) -> None:
    proc = subprocess.run([sys.executable, "-m", "libyareport", "import", fmt, str(path), "--data", str(data), *extra],
                          capture_output=True, text=True, cwd=ROOT, check=False)
    assert proc.returncode == 0, proc.stderr


def test_event_sections_show_the_imported_numbers(variant_book):
    build, _ = variant_book  # shipped data + the ACLED fixture imported, default window
    n, fat = _acled_expected(FIX / "acled_current.csv", *DEFAULT)
    assert n > 0
    chron = _text(build / "html" / "chapters" / "01_chronology.html")
    assert f"{n:,} events from" in chron
    assert f"with {fat:,} reported fatalities" in chron
    assert "Armed Conflict Location &amp; Event Data Project (ACLED)" in chron or "Armed Conflict Location & Event Data Project" in chron
    toll = _text(build / "html" / "chapters" / "03_humanitarian_toll.html")
    assert f"{fat:,}" in toll and "different methods" in toll
    actors = _text(build / "html" / "chapters" / "02_actors_and_backers.html")
    assert "Mapped to the book" in actors and "Libyan National Army (LNA)" in actors
    intro = _text(build / "html" / "intro.html")
    assert "imported: acled" in intro


def test_a_new_import_changes_only_the_event_chapters(tmp_path):
    """What `build` re-executes is decided by each chapter's key: an import changes exactly the keys
    of the four chapters that read event data; importing the same file again changes none."""
    from libyareport.publish.book import CHAPTERS, plan
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data, ignore=shutil.ignore_patterns("imported"))
    params = parse_params(["start_date=2019-04-01", "end_date=2019-04-30"], None, str(data))
    _import("acled", FIX / "acled_current.csv", data)
    before = plan(params, data)[2]
    _import("ucdp", FIX / "ged221_libya.csv", data)
    after = plan(params, data)[2]
    changed = {c.name for c in CHAPTERS if before[c.name] != after[c.name]}
    assert changed == {"intro", "01_chronology", "02_actors_and_backers", "03_humanitarian_toll"}
    readers = {c.name for c in CHAPTERS if c.reads_events}
    assert changed == readers
    _import("ucdp", FIX / "ged221_libya.csv", data)  # the same file again: nothing changes
    assert plan(params, data)[2] == after


def test_datasets_none_and_unknown(monkeypatch, tmp_path):
    from libyareport.evidence.open import open_evidence
    from libyareport.render import display, eventsections
    shown = []
    monkeypatch.setattr(display, "display", lambda obj: shown.append(getattr(obj, "data", obj)))
    ev = open_evidence(str(ROOT / "data"), "2019-04-01", "2019-04-30")
    eventsections.chronology(ev, "none")
    assert any("switched off" in str(x) for x in shown), shown
    proc = subprocess.run([sys.executable, "-m", "libyareport", "build", "--data", str(ROOT / "data"), "-p", "datasets=nosuch",
                           "--no-pdf", "--build-dir", str(tmp_path / "b")], capture_output=True, text=True,
                          cwd=ROOT, check=False)
    assert proc.returncode == 1
    assert "nosuch" in proc.stderr and "Traceback" not in proc.stderr + proc.stdout
