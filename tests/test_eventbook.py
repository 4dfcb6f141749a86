"""Imported event data in the built book: import fixture exports, build, read the pages."""
from __future__ import annotations

import csv
import datetime as dt
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from libyareport.params import parse_params
from libyareport.publish.book import build_book

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


def _import(fmt: str, path: Path, data: Path, *extra: str) -> None:
    proc = subprocess.run([sys.executable, "-m", "libyareport", "import", fmt, str(path), "--data", str(data), *extra],
                          capture_output=True, text=True, cwd=ROOT, check=False)
    assert proc.returncode == 0, proc.stderr


@pytest.fixture(scope="module")
def imported_book(tmp_path_factory):
    data = tmp_path_factory.mktemp("evdata") / "data"
    shutil.copytree(ROOT / "data", data, ignore=shutil.ignore_patterns("imported"))
    _import("acled", FIX / "acled_current.csv", data)
    build = tmp_path_factory.mktemp("evbuild")
    params = parse_params(["start_date=2019-04-01", "end_date=2019-04-30"], None, str(data))
    first = build_book(params, build_dir=build, pdf=False)
    return data, build, params, first


def test_event_sections_show_the_imported_numbers(imported_book):
    _, build, _, _ = imported_book
    n, fat = _acled_expected(FIX / "acled_current.csv", *APRIL)
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


def test_new_import_reexecutes_only_event_chapters(imported_book):
    data, build, params, _ = imported_book
    _import("ucdp", FIX / "ged221_libya.csv", data)
    second = build_book(params, build_dir=build, pdf=False)
    assert set(second["executed"]) == {"intro", "01_chronology", "02_actors_and_backers", "03_humanitarian_toll"}
    assert set(second["reused"]) == {"04_international_response", "05_sources_and_method"}
    chron = _text(build / "html" / "chapters" / "01_chronology.html")
    assert "ucdp" in chron and "acled" in chron
    # re-importing the same file changes nothing, so nothing is re-executed
    _import("ucdp", FIX / "ged221_libya.csv", data)
    third = build_book(params, build_dir=build, pdf=False)
    assert third["executed"] == [] and not third["built"]


def test_datasets_none_and_unknown(imported_book, tmp_path):
    data, _, _, _ = imported_book
    build = tmp_path / "b"
    params = parse_params(["start_date=2019-04-01", "end_date=2019-04-30", "datasets=none"], None, str(data))
    build_book(params, build_dir=build, pdf=False)
    assert "switched off" in _text(build / "html" / "chapters" / "01_chronology.html")
    proc = subprocess.run([sys.executable, "-m", "libyareport", "build", "--data", str(data), "-p", "datasets=nosuch",
                           "--no-pdf"], capture_output=True, text=True, cwd=ROOT, check=False)
    assert proc.returncode == 1
    assert "nosuch" in proc.stderr and "Traceback" not in proc.stderr + proc.stdout
