"""Accessibility and downloads (issue 13), in the built book opened from disk in headless Chromium.

- axe-core (node_modules/, installed by `make setup`) finds no serious or critical violation on
  any page; the moderate ones are printed;
- at a phone's width (390 px) no page scrolls sideways and no chart text overlaps other chart text;
- every chart carries a description naming its largest value and, in a table and a CSV, exactly the
  values the browser draws; every table offers its rows as CSV with sources and quotes;
- the appendix offers the run's evidence as a zipped data package, filtered to the run's window;
- the search page finds place names when opened from file://; the page never turns half dark.
"""
from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
from helpers_browser import AXE, READY_JS, book_pages, open_page, settle
from test_browser import _MISSING

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
PHONE = 390
pytestmark = pytest.mark.skipif(_MISSING is not None, reason=f"no headless browser: {_MISSING}")


@pytest.fixture(scope="module")
def html_dir(default_book) -> Path:
    return default_book / "html"  # the session's default book


@pytest.fixture(scope="module")
def b(chromium):
    return chromium  # the worker's Chromium (conftest.py)


def _open(b, path: Path, width: int = 1280, **kw):
    """A page opened on its own (for the tests that act on it), its charts laid out."""
    page, _ = open_page(b, path, width, **kw)
    settle(page, path)
    return page


def _pages(html_dir: Path) -> list[Path]:
    return [p for p in book_pages(html_dir) if p.name != "index.html"]  # index.html only redirects


def _local_file(page_path: Path, href: str) -> Path:
    return (page_path.parent / unquote(urlparse(href).path)).resolve()


def _csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


# -- axe-core -----------------------------------------------------------------------------------
def test_axe_finds_no_serious_or_critical_violation(default_wide, html_dir):
    assert AXE.is_file(), "axe-core is not installed: run `make setup` (npm ci installs it into node_modules/)"
    serious, moderate = {}, {}
    for p in _pages(html_dir):
        name = str(p.relative_to(html_dir))
        found = default_wide[name]["axe"]  # axe-core run on every page in the session's visit (conftest.py)
        assert found is not None, f"axe-core did not audit {name}"
        serious[name] = [v for v in found if v["impact"] in ("serious", "critical")]
        moderate[name] = [f"{v['impact']} {v['id']} ({len(v['nodes'])})" for v in found if v["impact"] not in ("serious", "critical")]
    assert len(serious) >= 8, f"axe-core ran on only {sorted(serious)}"
    print("moderate/minor axe findings:", {k: v for k, v in moderate.items() if v} or "none")
    bad = {k: v for k, v in serious.items() if v}
    assert not bad, f"axe-core: serious or critical violations: {json.dumps(bad, indent=1)}"


# -- phone width ----------------------------------------------------------------------------------



@pytest.fixture(scope="module")
def phone(default_phone, html_dir) -> dict[str, dict]:
    # every page loaded at 390 px once for the session (conftest.py), its charts re-laid for the width
    return {str(p.relative_to(html_dir)): default_phone[str(p.relative_to(html_dir))] for p in _pages(html_dir)}


def test_no_page_scrolls_sideways_on_a_phone(phone):
    bad = {p: r["widths"] for p, r in phone.items() if max(r["widths"][:2]) > r["widths"][2]}
    assert not bad, f"pages wider than a {PHONE} px screen (document, body, viewport): {bad}"


def test_wide_tables_scroll_inside_their_own_box_on_a_phone(phone):
    for p, r in phone.items():
        for fits, overflow in r["table_boxes"]:
            assert fits and overflow in ("auto", "scroll"), f"{p}: a table box is wider than the screen or cannot scroll"


def test_no_chart_text_overlaps_on_a_phone(phone):
    bad = {p: r["overlaps"] for p, r in phone.items() if r["overlaps"]}
    assert not bad, f"chart labels that overlap at {PHONE} px: {json.dumps(bad, indent=1)}"


# -- charts: description, table and CSV --------------------------------------------------------------



@pytest.fixture(scope="module")
def charts(default_wide, html_dir) -> dict[str, tuple[Path, list[dict]]]:
    out = {}
    for p in _pages(html_dir):
        found = default_wide[str(p.relative_to(html_dir))]["charts_data"]  # helpers_browser.CHARTS_JS
        if found:
            out[str(p.relative_to(html_dir))] = (p, found)
    return out


def test_every_chart_is_an_image_named_by_a_description_of_its_data(charts):
    assert len(charts) >= 4, f"charts found only on {sorted(charts)}"
    for page, (_, figs) in charts.items():
        for f in figs:
            assert f["desc"] and f["img_label"] == f["desc"], f"{page} {f['id']}: the chart image is not named by its description"
            assert f["desc"].startswith(f["title"]), f"{page} {f['id']}: the description does not say what the chart is"
            m = re.search(r"largest: ([0-9][0-9,.]*)", f["desc"])
            if f["numbers"]:
                assert m, f"{page} {f['id']}: the description names no largest value: {f['desc']!r}"
                assert float(m.group(1).replace(",", "")) == max(f["numbers"]), \
                    f"{page} {f['id']}: 'largest' in the description is not the largest value drawn"


def test_every_chart_holds_its_drawn_values_as_a_table_and_a_csv(charts):
    for page, (path, figs) in charts.items():
        for f in figs:
            assert f["details_open"] is False, f"{page} {f['id']}: the data table is not a collapsed <details>"
            assert f["csv"], f"{page} {f['id']}: no CSV link"
            rows = _csv(_local_file(path, f["csv"]))
            assert len(rows) == f["table_rows"] == len(f["drawn"]), \
                f"{page} {f['id']}: CSV {len(rows)} rows, table {f['table_rows']}, chart draws {len(f['drawn'])} points"
            assert list(rows[0]) == f["table_head"], f"{page} {f['id']}: CSV and table columns differ"
            # the values the browser draws (hover text, or heatmap cells) are the CSV's, one for one
            col = "Details" if "Details" in rows[0] else [c for c in rows[0] if c not in ("Label",)][-1]
            got = sorted(r.get(col, "") for r in rows)
            want = sorted(f["drawn"])
            if col != "Details":
                got, want = sorted(float(x) for x in got), sorted(float(x) for x in want)
            assert got == want, f"{page} {f['id']}: the CSV's {col!r} values are not the ones drawn"


def test_chart_data_gives_dates_without_invented_clock_times(html_dir):
    """The chronology's day-by-day chart spreads a day's events across the day so each can be seen;
    its data table and CSV give each event's date as reported, never a time of day."""
    dates = set()
    for name in ("events.csv", "context/events.csv"):
        dates |= {r["date"] for r in _csv(DATA / name)}
    path = html_dir / "_static" / "downloads" / "chronology-dense-days.csv"
    rows = _csv(path)
    assert rows, f"{path.name} is empty"
    for r in rows:
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", r["Date"]), f"{path.name}: {r['Date']!r} is not a plain date"
        assert r["Date"] in dates, f"{path.name}: {r['Date']} is no event's date in data/"


# -- tables ---------------------------------------------------------------------------------------------
def test_every_table_offers_its_rows_as_csv_with_sources_and_quotes(default_wide, html_dir):
    quotes = set()
    for name in ("events.csv", "tolls.csv", "support.csv", "responses.csv"):
        quotes |= {r["quote"] for r in _csv(DATA / name)}
    chrono = html_dir / "chapters" / "01_chronology.html"
    seen_quotes = 0
    for p in _pages(html_dir):
        tables = default_wide[str(p.relative_to(html_dir))]["tables"]  # helpers_browser.TABLES_JS
        for n, href, head, nested in tables:
            assert href, f"{p.name}: a table with {n} rows offers no CSV"
            rows = _csv(_local_file(p, href))
            assert len(rows) == n, f"{p.name}: the CSV has {len(rows)} rows, the table {n}" + (" claims" if nested else "")
            cols = list(rows[0])[: len(head)]
            if nested:  # one CSV row per nested claim, under the table's headings (short forms)
                assert len(cols) == len(head) and all(h.startswith(c) for c, h in zip(cols, head)), \
                    f"{p.name}: CSV columns {list(rows[0])} do not follow the table's {head}"
            else:
                assert cols == head, f"{p.name}: CSV columns {list(rows[0])} do not start with the table's {head}"
            if p == chrono and any(h.startswith("Cited") for h in head):
                assert {"source_id", "quote", "claim_id"} <= set(rows[0]), f"events CSV lacks source/quote columns: {list(rows[0])}"
                assert all(r["quote"] in quotes for r in rows if r["quote"]), "a CSV quote is not a quote from data/"
                seen_quotes += sum(1 for r in rows if r["quote"])
    assert seen_quotes > 10, "the chronology's events CSV carries (almost) no quotes"


def test_every_scroll_box_of_a_page_has_a_label_of_its_own(html_dir):
    """Screen readers list a page's regions by name: two tables called alike cannot be told apart
    (axe-core's landmark-unique; chapter 4's two response tables were both "Table: Date, Who, Role")."""
    from helpers_books import page_soup
    seen = 0
    for p in _pages(html_dir):
        labels = [r.get("aria-label", "") for r in page_soup(p).select('[role="region"]')]
        seen += len(labels)
        assert all(labels), f"{p.name}: a scroll box without a label"
        twice = sorted({x for x in labels if labels.count(x) > 1})
        assert not twice, f"{p.name}: scroll boxes share a label: {twice}"
    assert seen >= 8, f"only {seen} labelled scroll boxes in the book"


# -- the evidence package --------------------------------------------------------------------------------
def test_appendix_offers_the_runs_evidence_as_a_data_package(html_dir):
    from helpers_books import page_soup
    appendix = html_dir / "chapters" / "05_sources_and_method.html"
    link = page_soup(appendix).select_one('a[download$=".zip"]')  # a plain link of the page, no script needed
    href = link.get("href") if link is not None else None
    assert href, "the appendix offers no zip download"
    z = zipfile.ZipFile(_local_file(appendix, href))
    names = set(z.namelist())
    pkg = json.loads(z.read("tripoli-evidence/datapackage.json"))
    for r in pkg["resources"]:
        if r["path"].endswith(".csv"):
            assert "tripoli-evidence/" + r["path"] in names, f"resource {r['name']} has no file {r['path']}"
            if isinstance(r.get("schema"), str):
                assert "tripoli-evidence/" + r["schema"] in names
    readme = z.read("tripoli-evidence/README.md").decode()
    assert "filtered to the run's window and tiers" in readme and "2019-04-01 to 2020-10-31" in readme
    # the default run leaves forum commentary out: no commentary row, no forum source
    events = list(csv.DictReader(io.StringIO(z.read("tripoli-evidence/events.csv").decode())))
    assert events and all(r["status"] != "commentary" for r in events)
    shipped = [r for r in _csv(DATA / "events.csv") if r["status"] != "commentary"]
    assert {r["claim_id"] for r in events} <= {r["claim_id"] for r in shipped}


def test_data_package_of_a_narrow_window_holds_only_that_window():
    from libyareport.evidence.model import load
    from libyareport.render.downloads import evidence_package
    ev = load(DATA).view("2019-04-01", "2019-04-30", include_context=False)
    z = zipfile.ZipFile(io.BytesIO(evidence_package(ev)[0]))
    names = z.namelist()
    assert not [n for n in names if "/context/" in n], "public-record files in a package of a corpus-only run"
    events = list(csv.DictReader(io.StringIO(z.read("tripoli-evidence/events.csv").decode())))
    # a row is in April 2019 when its period overlaps April (day, month and year precision)
    for r in events:
        assert r["date"][:7] in ("2019-04", "2019-01") or (r["date"] <= "2019-04-30" and (r["date_end"] or r["date"]) >= "2019-04-01"), r
    day_rows_in_april = {r["claim_id"] for r in _csv(DATA / "events.csv")
                         if r["date_precision"] == "day" and r["date"].startswith("2019-04") and r["status"] != "commentary"}
    assert day_rows_in_april and day_rows_in_april <= {r["claim_id"] for r in events}
    assert len(events) < len(_csv(DATA / "events.csv"))


# -- search, colour mode ----------------------------------------------------------------------------------
@pytest.mark.parametrize("word", ["Tarhuna", "Mitiga"])
def test_search_page_finds_place_names_offline(b, html_dir, word):
    page = b.new_page()
    page.goto((html_dir / "search.html").resolve().as_uri() + f"?q={word}", wait_until="load")
    page.wait_for_function("() => document.querySelectorAll('#search-results ul.search li').length > 0", timeout=15000)
    hits = page.evaluate("() => [...document.querySelectorAll('#search-results ul.search li a')].map(a => a.getAttribute('href'))")
    page.close()
    assert any("chapters/" in h for h in hits), f"search for {word} found no chapter: {hits}"


def test_page_stays_light_even_when_the_reader_prefers_dark(b, html_dir):
    page = b.new_page(color_scheme="dark")
    # the theme's colour mode is one for every page: the appendix shows it without a chart to draw
    url = (html_dir / "chapters" / "05_sources_and_method.html").resolve().as_uri()
    # a returning reader whose browser remembers dark mode from another site of this theme
    page.add_init_script("localStorage.setItem('mode', 'dark'); localStorage.setItem('theme', 'dark');")
    page.goto(url, wait_until="load")
    page.wait_for_function(READY_JS)
    theme, bg, switchers = page.evaluate("""() => [document.documentElement.dataset.theme,
        getComputedStyle(document.body).backgroundColor, document.querySelectorAll('.theme-switch-button').length]""")
    page.close()
    assert theme == "light" and bg in ("rgb(255, 255, 255)", "rgba(0, 0, 0, 0)"), f"page turned dark: {theme}, {bg}"
    assert switchers == 0, "a colour-mode switcher is offered although dark mode is off"
