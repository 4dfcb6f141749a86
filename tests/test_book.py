"""The book build (papermill → Jupyter Book → swap into html/) on the shipped evidence, in a tmp build dir.

What a reader or analyst notices: every page is published, the numbers in the prose are the
numbers the library computes for the run's window, rebuilding is incremental, other windows and
switches give other (correct) pages, and a failed build says what failed without a traceback and
leaves the published book as it was.

One default build (~20 s) is shared by the whole module (and, through the session's base temp
dir, by test_browser.py and test_pdf.py); tests that change parameters work on a copy of it.
"""
from __future__ import annotations

import csv
import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from bs4 import BeautifulSoup
from helpers_books import copy_build, events_in_window, lead, narrative_blocks, overlaps, page_soup, run_chapters_in_process

from libyareport.content.findings import headline_figures
from libyareport.errors import ReportError
from libyareport.evidence.open import open_evidence
from libyareport.params import PARAMETER_DEFAULTS
from libyareport.publish.book import CHAPTERS, build_book

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
ALL = [c.name for c in CHAPTERS]
PAGES = {c.name: c.path.replace(".ipynb", ".html") for c in CHAPTERS}


# -- shared build --------------------------------------------------------------------------------
def default_params(**overrides) -> dict:
    return {**PARAMETER_DEFAULTS, "data_dir": str(DATA), **overrides}


@pytest.fixture(scope="module")
def default(default_book):
    """The session's default book: (build dir, {"html": its published book})."""
    return default_book, {"html": default_book / "html"}


@pytest.fixture(scope="module")
def work(default, tmp_path_factory) -> Path:
    """A copy of the default build that the parameter tests may change."""
    dest = tmp_path_factory.mktemp("book-work") / "build"
    shutil.copytree(default[0], dest, symlinks=True)
    return dest


# -- helpers -----------------------------------------------------------------------------------
def norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def soup(html_dir: Path, page: str) -> BeautifulSoup:
    return page_soup(html_dir / page)


def main_text(html_dir: Path, page: str) -> str:
    s = soup(html_dir, page)
    return norm((s.find("main") or s.body).get_text(" "))


def headline_column(html_dir: Path, header: str = "Number") -> list[str]:
    """Chapter 3's one toll table: the cells of its first / latest / only reports of each scope
    of the headline metrics (the rows headline_figures() picks), in table order."""
    from libyareport.content.text import METRIC_LABELS
    heads = [METRIC_LABELS[m] for m in ("killed", "injured", "displaced")]
    fig = table_column(html_dir, PAGES["03_humanitarian_toll"], "lr-headline", "Figure")
    rep = table_column(html_dir, PAGES["03_humanitarian_toll"], "lr-headline", "Report")
    col = table_column(html_dir, PAGES["03_humanitarian_toll"], "lr-headline", header)
    return [c for f, r, c in zip(fig, rep, col) if f in heads and r in ("first report", "latest report", "only report")]


def table_column(html_dir: Path, page: str, css: str, header: str) -> list[str]:
    t = soup(html_dir, page).select_one(f"table.{css}")
    assert t is not None, f"{page}: no table.{css}"
    heads = [norm(th.get_text(" ")) for th in t.select("thead th")]
    matches = [i for i, h in enumerate(heads) if h == header] or [i for i, h in enumerate(heads) if h.startswith(header)]
    assert matches, f"{page}: table.{css} has no column {header!r} (columns: {heads})"
    i = matches[0]
    return [norm(tr.find_all("td")[i].get_text(" ")) for tr in t.select("tbody > tr") if tr.find_all("td")]


def tree_hash(folder: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        h.update(str(p.relative_to(folder)).encode())
        if p.is_file():
            h.update(hashlib.sha256(p.read_bytes()).digest())
    return h.hexdigest()


def view(params: dict):
    return open_evidence(str(params["data_dir"]), str(params["start_date"]), str(params["end_date"]),
                         bool(params["include_context"]), bool(params["include_commentary"]))


def assert_findings_shown(html_dir: Path, params: dict) -> None:
    """The landing page's executive summary and key findings are the narrative paragraphs about the
    run's window (read from data/narrative/intro.md here), and none about months outside it; with
    the public record switched off, paragraphs that cite it are left out, never shown half-sourced."""
    text = main_text(html_dir, PAGES["intro"])
    window = (params["start_date"], params["end_date"])
    for section in ("summary", "findings"):
        for b in narrative_blocks(section):
            if not overlaps(b, window):
                assert lead(b) not in text, f"{b['id']} ({b['period']}) is outside {window} but on the landing page"
            elif params["include_context"]:
                assert lead(b) in text, f"{b['id']} is about this window but not on the landing page"


def no_traceback(message: str) -> None:
    assert "Traceback" not in message and 'File "' not in message, message
    assert "\x1b[" not in message, f"ANSI escape codes in the message: {message!r}"


# -- the default build ---------------------------------------------------------------------------
def test_default_build_publishes_every_page_from_its_executed_chapter(default):
    build, result = default
    html = result["html"]
    assert (html / "index.html").is_file() and (html / "intro.html").is_file()
    for name, page in PAGES.items():
        assert (html / page).is_file(), f"{name}: {page} was not published"
        assert (build / "executed" / next(c.path for c in CHAPTERS if c.name == name)).is_file()
    chapters = [c for c in CHAPTERS if c.path.startswith("chapters/")]
    assert len(chapters) == 5
    # no chapter page shows a Python error to the reader
    for page in PAGES.values():
        text = main_text(html, page)
        assert "Traceback" not in text and "Error:" not in text, f"{page} shows an error"
    # nothing landed in the repository's own _build
    assert not str(html).startswith(str(ROOT / "_build"))


def test_landing_page_shows_every_key_finding(default):
    _build, result = default
    assert_findings_shown(result["html"], default_params())
    text = main_text(result["html"], PAGES["intro"])
    ev = view(default_params())
    assert ev.window.describe() in text  # "This edition covers 2019-04-01 to 2020-10-31"
    assert ev.fingerprint in text  # the run record names the data it was computed from


def test_chronology_prose_counts_distinct_events(default):
    p = default_params()
    n_events = len(events_in_window(p["start_date"], p["end_date"]))  # from the CSVs, spans included
    n_claims = len(view(p).events)
    text = main_text(default[1]["html"], PAGES["01_chronology"])
    assert re.search(rf"\b{n_events} distinct events\b", text), f"'{n_events} distinct events' not in chapter 1"
    assert re.search(rf"\b{n_claims} claims\b", text), f"'{n_claims} claims' not in chapter 1"
    # one row per event in the events table, its claims nested under it
    assert len(table_column(default[1]["html"], PAGES["01_chronology"], "lr-events", "Date")) == n_events
    table = soup(default[1]["html"], PAGES["01_chronology"]).select_one("table.lr-events")
    assert len(table.select("ul.lr-claims > li")) == n_claims


def test_humanitarian_toll_shows_each_headline_figure(default):
    h = headline_figures(view(default_params()))
    assert len(h), "the shipped data has headline figures"
    shown = headline_column(default[1]["html"])
    assert shown == list(h["text"]), "chapter 3's toll table marks other first/latest reports than headline_figures()"
    text = main_text(default[1]["html"], PAGES["03_humanitarian_toll"])
    for t in h["text"]:
        assert t in text
    n_figures = view(default_params()).tolls["figure_id"].nunique()
    assert re.search(rf"\b{n_figures} distinct humanitarian figures\b", text)


def test_source_links_land_on_the_quoted_passage_or_reference(default):
    """Every 'Cited' link in a chapter opens an anchor that exists in the appendix."""
    html = default[1]["html"]
    appendix = PAGES["05_sources_and_method"]
    ids = {el["id"] for el in soup(html, appendix).find_all(id=True)}
    checked = 0
    for name, page in PAGES.items():
        if name == "05_sources_and_method":
            continue
        for a in soup(html, page).select(f'a[href*="{Path(appendix).name}#"]'):
            anchor = a["href"].split("#", 1)[1]
            assert anchor in ids, f"{page}: link to #{anchor} lands nowhere in the appendix"
            checked += 1
    assert checked > 0, "no chapter links a row to its source"


def dead_links(html: Path) -> list[tuple[str, str]]:
    """(page, href) of every link, stylesheet, script or image on a page that points at a missing file."""
    dead = []
    for p in sorted(html.rglob("*.html")):
        if "_static" in p.relative_to(html).parts:
            continue
        for el in page_soup(p).find_all(["a", "link", "script", "img"]):
            url = el.get("href") or el.get("src")
            if not url:
                continue
            parts = urlsplit(url)
            if parts.scheme or parts.netloc or not parts.path:
                continue
            if not (p.parent / unquote(parts.path)).exists():
                dead.append((str(p.relative_to(html)), url))
    return dead


def _chromium() -> str | None:
    try:
        from libyareport.publish.browser import chromium_path
        chromium_path()
    except ReportError as e:
        return str(e)
    return None


@pytest.mark.skipif(_chromium() is not None, reason="no Chromium to print the briefing")
def test_build_after_a_no_pdf_build_publishes_the_briefing(default, tmp_path):
    """`build --no-pdf` then `build`: the landing page's 'PDF briefing' link must lead to a PDF."""
    dest = copy_build(default[0], tmp_path / "build")
    for name in ("briefing.pdf", "briefing.key"):
        (dest / "pdf" / name).unlink()
    first = build_book(default_params(), build_dir=dest, pdf=False)
    assert first["executed"] == [] and first["pdf"] is None
    assert "none for this edition" in (dest / "html" / "intro.html").read_text(encoding="utf-8")
    r = build_book(default_params(), build_dir=dest, pdf=True)
    assert r["executed"] == [], "printing the briefing re-ran chapters"
    assert r["pdf"] is not None and Path(r["pdf"]).is_file(), "build with its PDF after a --no-pdf build produced no briefing"
    assert (dest / "html" / "_static" / "briefing.pdf").is_file()
    assert dead_links(dest / "html") == []


# -- incremental rebuilds --------------------------------------------------------------------------
def test_rebuild_without_change_reexecutes_nothing(default):
    build, _ = default
    before = tree_hash(build / "html")
    again = build_book(default_params(), build_dir=build, pdf=False)
    assert again["executed"] == []
    assert sorted(again["reused"]) == sorted(ALL)
    assert again["built"] is False
    assert tree_hash(build / "html") == before, "an unchanged rebuild rewrote the published book"


def test_force_reexecutes_one_chapter_only(default, tmp_path):
    build = copy_build(default[0], tmp_path / "build")
    r = build_book(default_params(), force={"03_humanitarian_toll"}, build_dir=build, pdf=False)
    assert r["executed"] == ["03_humanitarian_toll"]
    assert sorted(r["reused"]) == sorted(set(ALL) - {"03_humanitarian_toll"})
    assert r["built"] is True
    h = headline_figures(view(default_params()))
    assert headline_column(r["html"]) == list(h["text"])


def test_the_next_build_reuses_jupyter_books_process_with_the_new_books_own_theme(default, tmp_path):
    """Two builds in one process (as the suite and the benchmarks do): the second is built by the
    warm Jupyter Book process the first left idle, yet with its own book's extension and templates,
    even when the first book's directory is gone, and leaves no log behind."""
    from libyareport.publish import book as publish
    publish._jb_idle.end_all()  # the first build starts one, which loads the first book's extension

    def rebuild(name: str):
        dest = copy_build(default[0], tmp_path / name)
        r = build_book(default_params(), force={"05_sources_and_method"}, build_dir=dest, pdf=False)
        assert r["built"] is True and r["executed"] == ["05_sources_and_method"]
        assert not (dest / "stage" / "jupyter-book.log").exists()
        return dest, [p.pid for p in publish._jb_idle]

    first, idle_first = rebuild("first")
    shutil.rmtree(first)
    second, idle_second = rebuild("second")
    assert idle_first and idle_second == idle_first, "the second build started a Jupyter Book process of its own"
    for page in [second / "html" / PAGES["05_sources_and_method"]]:  # the page Jupyter Book wrote again
        text = page.read_text(encoding="utf-8")
        assert "fontawesome.js" not in text and "lr-icons.css" in text, page  # _ext/templates/static/webpack-macros.html
        assert '<span class="search-button__default-text">Search</span>' in text, page  # _ext/templates/search-button-field.html


# -- other parameters --------------------------------------------------------------------------------
def test_empty_window_says_so_in_every_chapter(tmp_path):
    """Every chapter's code on a window with no evidence (run in-process, as the issue asks of the
    empty and one-event windows; the one-event window is built end to end below): nothing raises,
    chapter 1 says there are no events, the landing page shows no paragraph about other months."""
    params = default_params(start_date="2030-01-01", end_date="2030-02-01")
    shown = run_chapters_in_process(params, tmp_path / "downloads")
    assert set(shown) == set(ALL)
    chrono = shown["01_chronology"]
    assert "No events in this window" in chrono
    assert re.search(r"\b0 distinct events\b", chrono), chrono[:500]
    assert "2030-01-01 to 2030-02-01" in chrono
    for section in ("summary", "findings"):
        for b in narrative_blocks(section):
            assert lead(b) not in shown["intro"], f"{b['id']} ({b['period']}) is outside 2030 but on the landing page"


def _one_event_window() -> tuple[str, str]:
    """A one-day window holding corpus claims about exactly one event (read from the CSVs)."""
    import csv as _csv
    with (DATA / "events.csv").open(encoding="utf-8", newline="") as fh:
        days = sorted({r["date"] for r in _csv.DictReader(fh) if r["date_precision"] == "day"})
    for day in days:
        if len(events_in_window(day, day, context=False)) == 1:
            return day, day
    pytest.skip("no one-day window with exactly one corpus event in the shipped data")


def test_other_parameters_reexecute_and_give_their_own_book(default, work):
    """One rebuild with two parameters changed: a one-event window, the public record switched off."""
    # the default edition does mark public-record rows in chapter 1's table …
    cited = table_column(default[1]["html"], PAGES["01_chronology"], "lr-events", "Cited")
    assert any("(public record)" in c for c in cited), "the default chronology should show public-record rows"
    start, end = _one_event_window()
    params = default_params(start_date=start, end_date=end, include_context=False)
    r = build_book(params, build_dir=work, pdf=False)
    assert sorted(r["executed"]) == sorted(ALL), "every chapter takes these parameters, so every chapter re-runs"
    assert r["built"] is True
    html = work / "html"
    text = main_text(html, PAGES["01_chronology"])
    assert re.search(r"\b1 distinct events?\b", text), "chapter 1 does not say there is one event"
    assert "No events in this window" not in text
    assert f"{start} to {end}" in text
    # … and include_context=false leaves only quoted corpus claims
    (key,) = events_in_window(start, end, context=False)
    shown = table_column(html, PAGES["01_chronology"], "lr-events", "Event")
    assert len(shown) == 1
    table = soup(html, PAGES["01_chronology"]).select_one("table.lr-events")
    assert "(public record)" not in table.get_text(" ")
    assert table.select_one(f"#event-{key}") is not None, f"the one event {key} is not the table's row"
    assert_findings_shown(html, params)


# -- failures ----------------------------------------------------------------------------------------
def test_chapter_failing_in_the_kernel_names_chapter_and_error_and_keeps_the_book(work):
    before = tree_hash(work / "html")
    assert (work / "html" / "index.html").is_file()
    # A switch that is not a boolean reaches the notebooks (build_book is called without parse_params)
    # and open_evidence raises inside the kernel.
    with pytest.raises(ReportError) as exc:
        build_book(default_params(include_context="maybe"), build_dir=work, pdf=False)
    msg = str(exc.value)
    assert "chapters/01_chronology.ipynb" in msg
    assert "not a switch" in msg and "ReportError" in msg
    no_traceback(msg)
    assert tree_hash(work / "html") == before, "a failed build changed the published book"
    assert (work / "failed" / "chapters" / "01_chronology.ipynb").is_file(), "the failed notebook is not kept"
    assert "failed/chapters/01_chronology.ipynb" in msg, "the message does not say where the failed notebook is"
    # every chapter would fail: the build stops at the first failure, the chapters not started are
    # named as not run (and have no failed notebook), each chapter is named once
    failed = {c.name for c in CHAPTERS if (work / "failed" / c.path).is_file()}
    line = next((ln for ln in msg.splitlines() if "not run after the first failure: " in ln), "")
    not_run = set(line.split("not run after the first failure: ", 1)[1].split(", ")) if line else set()
    assert not_run, f"the message does not list the chapters left unrun: {msg}"
    assert not (failed & not_run) and failed | not_run == {c.name for c in CHAPTERS}, (failed, not_run)
    assert len(failed) <= 2, f"{sorted(failed)} ran and failed: the build went on after the first failure"


def test_invalid_data_stops_before_any_chapter_runs(work, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    with (data / "events.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
        header = list(rows[0].keys())
    bad = {**rows[0], "claim_id": "ev-test-bad-quote", "quote": "words that no source contains, anywhere"}
    with (data / "events.csv").open("a", encoding="utf-8", newline="") as fh:
        csv.DictWriter(fh, header, lineterminator="\n").writerow(bad)
    line = len((data / "events.csv").read_text(encoding="utf-8").splitlines())
    before = tree_hash(work / "html")
    executed_before = tree_hash(work / "executed")
    with pytest.raises(ReportError) as exc:
        build_book(default_params(data_dir=str(data)), build_dir=work, pdf=False)
    msg = str(exc.value)
    assert f"events.csv:{line} [quote]" in msg and "does not occur in source" in msg, msg
    no_traceback(msg)
    assert tree_hash(work / "html") == before
    assert tree_hash(work / "executed") == executed_before, "a chapter ran although the data is invalid"


def test_unknown_dataset_name_is_refused_before_any_chapter_runs(work):
    before = tree_hash(work / "html")
    with pytest.raises(ReportError) as exc:
        build_book(default_params(datasets="no-such-dataset"), build_dir=work, pdf=False)
    msg = str(exc.value)
    assert "no-such-dataset" in msg and "datasets" in msg
    no_traceback(msg)
    assert tree_hash(work / "html") == before


# -- command line --------------------------------------------------------------------------------------
def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.run([sys.executable, "-m", "libyareport", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.parametrize("args, expected", [
    (["-p", "nosuch=1"], "unknown parameter 'nosuch'"),
    (["-p", "start_date=2019-13-01"], "'2019-13-01' is not a date"),
    (["-p", "include_context=maybe"], "'maybe' is not a switch"),
    (["-p", "start_date=2020-05-01", "-p", "end_date=2020-04-01"], "end_date 2020-04-01 is before start_date 2020-05-01"),
    (["-p", "start_date"], "'start_date' is not name=value"),
])
def test_cli_bad_parameter_one_clear_message(args, expected, tmp_path):
    # --data points nowhere and --build-dir into tmp: if a bad parameter slipped through, the run stops at
    # `check` (with another message) and never builds into the repository's _build/.
    r = run_cli("build", *args, "--data", str(tmp_path / "no-data"), "--build-dir", str(tmp_path / "build"), cwd=tmp_path)
    out = r.stdout + r.stderr
    assert r.returncode == 1, out
    assert expected in r.stderr, out
    assert "Traceback" not in out
    assert len(r.stderr.strip().splitlines()) == 1, f"expected one line, got:\n{r.stderr}"


def test_cli_bad_parameter_in_yaml_file(tmp_path):
    f = tmp_path / "run.yaml"
    f.write_text("start_date: 2019-04-01\nnosuch: 3\n", encoding="utf-8")
    r = run_cli("build", "--params", str(f), "--data", str(tmp_path / "no-data"), "--build-dir", str(tmp_path / "build"),
                cwd=tmp_path)
    assert r.returncode == 1
    assert "unknown parameter 'nosuch'" in r.stderr and "run.yaml" in r.stderr
    assert "Traceback" not in r.stdout + r.stderr


def test_cli_help_lists_every_parameter(tmp_path):
    r = run_cli("build", "--help", cwd=tmp_path)
    assert r.returncode == 0
    for name in PARAMETER_DEFAULTS:
        assert name in r.stdout

