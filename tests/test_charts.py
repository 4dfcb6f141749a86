"""Charts and tables a reader can use, checked in the BUILT pages of two windows (the default and
May–June 2020): every chart's legend entries look unlike each other, no point lies outside the
window, no text is under 11 px, phase bands carry their names from data/context/phases.csv,
chart points carry the address of their passage, the chronology's table has one row per event
with its claims nested, chapter 3 has one toll table, and the briefing stays 2–4 A4 pages.
Expectations are computed from the CSVs here, not with the code under test."""
from __future__ import annotations

import csv
import datetime as dt
import json
import re
from pathlib import Path

import pytest
from helpers_books import NARROW, page_soup

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
DEFAULT = ("2019-04-01", "2020-10-31")

CHART_PAGES = ("chapters/01_chronology.html", "chapters/02_actors_and_backers.html",
               "chapters/03_humanitarian_toll.html", "chapters/04_international_response.html")


@pytest.fixture(scope="module", params=[DEFAULT, NARROW], ids=["default", "narrow"])
def built(request):
    """The session's default book and its narrow book (May–June 2020; helpers_books.NARROW)."""
    window = request.param
    build = request.getfixturevalue("default_book" if window == DEFAULT else "narrow_book")
    return window, build / "html"


def figures(html: str) -> list[dict]:
    """Every plotly figure of a built page: {'data': [...], 'layout': {...}}."""
    out = []
    for m in re.finditer(r'Plotly\.newPlot\(\s*"([^"]+)",\s*', html):
        dec = json.JSONDecoder()
        data, end = dec.raw_decode(html, m.end())
        rest = html[end:].lstrip()[1:].lstrip()
        lay, _ = dec.raw_decode(rest)
        out.append({"id": m.group(1), "data": data, "layout": lay})
    return out


def legend_looks(fig: dict) -> list[tuple]:
    """(legend, colour, symbol, dash, mode-kind) of every visible legend entry."""
    looks = []
    for t in fig["data"]:
        if t.get("showlegend") is False or not t.get("name") or t.get("type", "scatter") != "scatter":
            continue
        marker, line = t.get("marker") or {}, t.get("line") or {}
        kind = "line" if t.get("mode") == "lines" else "marker"
        colour = (line.get("color") if kind == "line" else marker.get("color"))
        looks.append((t.get("legend", "legend"), kind, str(colour).lower(), marker.get("symbol", "circle") if kind == "marker" else "",
                      line.get("dash", "solid") if kind == "line" else "", t["name"]))
    return looks


def font_sizes(obj, path=""):
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k == "template":
                continue
            if k == "size" and "font" in path.rsplit(".", 1)[-1] and isinstance(v, (int, float)):
                yield path, v
            else:
                yield from font_sizes(v, f"{path}.{k}")
    elif isinstance(obj, list):
        for v in obj:
            yield from font_sizes(v, path)


def read_csv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def in_window(rows: list[dict], window, col="date") -> list[dict]:
    lo, hi = window
    return [r for r in rows if r[col][:10] and lo <= r[col][:10] <= hi]


# -- charts ----------------------------------------------------------------------------------
def test_no_two_legend_entries_look_alike(built):
    _, html = built
    n = 0
    for page in CHART_PAGES:
        for fig in figures((html / page).read_text(encoding="utf-8")):
            looks = legend_looks(fig)
            keys = [lk[:5] for lk in looks]
            dupes = {k for k in keys if keys.count(k) > 1}
            assert not dupes, f"{page} {fig['id']}: legend entries look alike: {[lk for lk in looks if lk[:5] in dupes]}"
            n += len(looks)
    assert n > 10


def test_response_kinds_each_have_their_own_look(built):
    window, html = built
    kinds = {r["response_type"] for r in in_window(read_csv(DATA / "responses.csv") + read_csv(DATA / "context" / "responses.csv"), window)}
    fig = next(f for f in figures((html / CHART_PAGES[3]).read_text(encoding="utf-8")) if f["id"].endswith("timeline"))
    entries = [t for t in fig["data"] if t.get("showlegend") and t.get("name")]
    assert len(entries) == len(kinds) > 1
    assert len({(t["marker"]["color"], t["marker"]["symbol"]) for t in entries}) == len(kinds)


def test_no_point_outside_the_window(built):
    window, html = built
    lo, hi = (dt.date.fromisoformat(d) for d in window)
    n = 0
    for page in CHART_PAGES:
        for fig in figures((html / page).read_text(encoding="utf-8")):
            for t in fig["data"]:
                for x in t.get("x") or []:
                    if isinstance(x, str) and re.match(r"\d{4}-\d{2}-\d{2}", x):
                        assert lo <= dt.date.fromisoformat(x[:10]) <= hi, f"{page} {fig['id']}: point at {x}"
                        n += 1
            rng = (fig["layout"].get("xaxis") or {}).get("range")
            if rng and isinstance(rng[0], str):
                assert lo <= dt.date.fromisoformat(rng[0][:10]) and dt.date.fromisoformat(rng[1][:10]) <= hi
    assert n


def test_all_chart_text_is_at_least_11px(built):
    _, html = built
    for page in CHART_PAGES:
        for fig in figures((html / page).read_text(encoding="utf-8")):
            small = [(p, s) for p, s in font_sizes({"data": fig["data"], "layout": fig["layout"]}) if s < 11]
            assert not small, f"{page} {fig['id']}: text under 11 px: {small}"


def test_phase_bands_are_named_from_the_phases_table(built):
    window, html = built
    fig = next(f for f in figures((html / CHART_PAGES[0]).read_text(encoding="utf-8")) if f["id"].endswith("timeline"))
    notes = " ".join(re.sub(r"<br>", " ", a.get("text", "")) for a in fig["layout"].get("annotations", []))
    assert "Phase 1" not in notes
    bands = [s for s in fig["layout"].get("shapes", []) if s.get("type") == "rect"]
    assert bands
    names = [r["name"] for r in read_csv(DATA / "context" / "phases.csv")]
    shown = [n for n in names if n in notes]
    assert len(shown) == len(bands), f"{len(bands)} bands, names shown: {shown}"
    if window == NARROW:  # May–June 2020: the counter-offensive and the Sirte front (phases.csv anchors)
        assert "GNA counter-offensive" in shown


def test_chart_points_link_to_their_passage(built):
    _, html = built
    appendix = page_soup(html / "chapters/05_sources_and_method.html")
    anchors = {t["id"] for t in appendix.select("[id]")}
    n = 0
    for page in CHART_PAGES:
        for fig in figures((html / page).read_text(encoding="utf-8")):
            for t in fig["data"]:
                for cd in t.get("customdata") or []:
                    if isinstance(cd, list):
                        cd = cd[0] if cd else ""
                    if isinstance(cd, str) and cd.startswith("05_sources_and_method.html#"):
                        assert cd.split("#", 1)[1] in anchors, f"{page}: {cd} has no target"
                        n += 1
    assert n > 5
    page = (html / CHART_PAGES[0]).read_text(encoding="utf-8")
    assert "lr-links.js" in page and (html / "_static" / "lr-links.js").is_file()


def test_dense_first_days_get_a_zoom_when_many_events_share_them(built):
    window, html = built
    events = in_window([r for r in read_csv(DATA / "events.csv") + read_csv(DATA / "context" / "events.csv")
                        if r["date_precision"] == "day"], window)
    days = sorted(dt.date.fromisoformat(r["date"][:10]) for r in events)
    best = max((sum(1 for d in days if a <= d < a + dt.timedelta(days=7)) for a in days), default=0)
    span = (days[-1] - days[0]).days if days else 0
    figs = [f["id"] for f in figures((html / CHART_PAGES[0]).read_text(encoding="utf-8"))]
    zoom = any(i.endswith("dense-days") for i in figs)
    if best >= 8 and best >= 0.2 * len(days) and span > 21:
        assert zoom, f"{best} of {len(days)} dated events in one week, no zoom"
    else:
        assert not zoom


# -- tables ----------------------------------------------------------------------------------
def test_events_table_has_one_row_per_event_with_its_claims_nested(built):
    window, html = built
    rows = [r for r in in_window(read_csv(DATA / "events.csv") + read_csv(DATA / "context" / "events.csv"), window)
            if r["status"] != "commentary"]  # forum commentary is off by default
    soup = page_soup(html / CHART_PAGES[0])
    table = soup.select_one("table.lr-events")
    trs = table.select("tbody > tr")
    ids = [tr["id"].removeprefix("event-") for tr in trs]
    assert len(ids) == len(set(ids))
    claims = {li["id"].removeprefix("claim-") for li in table.select("ul.lr-claims > li")}
    # every day-dated claim of the window appears, nested under its own event
    for r in rows:
        if r["date_precision"] == "day":
            assert r["claim_id"] in claims
            tr = table.select_one(f'tr[id="event-{r["event_id"]}"]')
            assert tr is not None and tr.select_one(f'li[id="claim-{r["claim_id"]}"]') is not None
    day_events = {r["event_id"] for r in rows if r["date_precision"] == "day"}
    assert day_events <= set(ids)
    assert len(claims) > len(trs) or len(claims) == len(trs), "claims are nested, never fewer than events"


def test_one_toll_table(built):
    _, html = built
    soup = page_soup(html / CHART_PAGES[2])
    tables = soup.select("main table.lr-table")
    toll = [t for t in tables if "Number" in t.get_text(" ")]
    assert len(toll) == 1, "chapter 3 repeats its figures in more than one table"
    ids = [s["id"] for s in toll[0].select("span.lr-anchor[id^=figure-]")]
    assert len(ids) == len(set(ids))


def test_empty_imported_sections_are_one_line(built):
    _, html = built
    if (DATA / "imported").exists():
        pytest.skip("data/imported exists")
    soup = page_soup(html / CHART_PAGES[0])
    sec = soup.find(id="conflict-event-data")
    paras = [p for p in sec.find_all("p") if p.get_text(strip=True)]
    assert len(paras) == 1 and "No conflict-event data is imported" in paras[0].get_text()
