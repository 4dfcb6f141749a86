"""Honest aggregation (issue 9): stance, independence, disagreement, grades, scope, spans.

Expected values come from the CSV files read with the csv module, or from small in-memory
fixtures built here, never from the code under test."""
from __future__ import annotations

import csv
import datetime as dt
import json
import re
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from libyareport.content import findings
from libyareport.evidence import grades
from libyareport.evidence.model import load

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"


def rows(table: str) -> list[dict]:
    out = []
    for p in (DATA / f"{table}.csv", DATA / "context" / f"{table}.csv"):
        with p.open(encoding="utf-8", newline="") as f:
            out += list(csv.DictReader(f))
    return out


@pytest.fixture(scope="module")
def ev():
    return load(DATA).view("2019-04-01", "2020-10-31")


def with_events(ev, new_rows: list[dict]):
    """A copy of the evidence whose events table is the given rows (other columns empty)."""
    cols = list(ev.events.columns)
    base = {c: "" for c in cols}
    base.update(tier="context", status="reported", stance="supports", date_precision="day", event_type="political")
    df = pd.DataFrame([{**base, **r} for r in new_rows], columns=cols)
    df["date"] = pd.to_datetime(df["date"])
    df["date_end"] = pd.to_datetime(df["date_end"].replace("", None))
    return replace(ev, tables={**ev.tables, "events": df})


REFS = None


def _refs(ev, reliability: str = "independent", n: int = 3) -> list[str]:
    """IDs of n shipped references with the given reliability, read from the CSV."""
    with (DATA / "context" / "references.csv").open(encoding="utf-8", newline="") as f:
        return [r["ref_id"] for r in csv.DictReader(f) if r["reliability"] == reliability and not r["via"]][:n]


# -- fixtures of our own ---------------------------------------------------------------------------
def test_refuting_source_makes_key_contested_and_is_not_support(ev):
    a, b, c = _refs(ev)
    e = with_events(ev, [
        {"claim_id": "x1", "event_id": "k", "date": "2019-05-01", "source_id": a},
        {"claim_id": "x2", "event_id": "k", "date": "2019-05-01", "source_id": b},
        {"claim_id": "x3", "event_id": "k", "date": "2019-05-01", "source_id": c, "stance": "refutes"},
    ])
    g = grades.grades(e, "events").loc["k"]
    assert g["grade"] == "contested"
    assert g["n_supporting"] == 2 and g["n_independent"] == 2 and g["n_refuting"] == 1 and g["n_raw"] == 3
    assert c not in g["supporting_sources"]


def test_two_values_for_one_key_are_a_disagreement_not_corroboration(ev):
    a, b, _ = _refs(ev)
    e = with_events(ev, [
        {"claim_id": "x1", "event_id": "k", "date": "2020-01-17", "source_id": a},
        {"claim_id": "x2", "event_id": "k", "date": "2020-01-18", "source_id": b},
        {"claim_id": "y1", "event_id": "ok", "date": "2019-01-01", "date_precision": "year", "source_id": a},
        {"claim_id": "y2", "event_id": "ok", "date": "2019-04-04", "source_id": b},  # inside "2019": agrees
    ])
    g = grades.grades(e, "events")
    assert g.loc["k", "grade"] == "contested" and g.loc["k", "disagree_on"] == ("date",)
    assert g.loc["ok", "grade"] == "corroborated" and not g.loc["ok", "disagreement"]
    from libyareport.render.sections import disputed_keys
    assert [(t, k) for t, k, _ in disputed_keys(e) if t == "events"] == [("events", "k")]


def test_two_outlets_relaying_one_originator_are_one_independent_source(ev):
    a, b, _ = _refs(ev)
    e = with_events(ev, [
        {"claim_id": "x1", "event_id": "k", "date": "2019-05-01", "source_id": a, "originator": "gna_health_ministry"},
        {"claim_id": "x2", "event_id": "k", "date": "2019-05-01", "source_id": b, "originator": "gna_health_ministry"},
    ])
    g = grades.grades(e, "events").loc["k"]
    assert (g["n_raw"], g["n_independent"], g["grade"]) == (2, 1, "single_source")


def test_partisan_sources_alone_are_single_source_at_best(ev):
    p1, p2 = _refs(ev, "partisan", 2)
    e = with_events(ev, [
        {"claim_id": "x1", "event_id": "k", "date": "2019-05-01", "source_id": p1},
        {"claim_id": "x2", "event_id": "k", "date": "2019-05-01", "source_id": p2},
    ])
    g = grades.grades(e, "events").loc["k"]
    assert g["n_independent"] == 2 and g["grade"] == "single_source" and g["partisan_only"]


# -- shipped data ---------------------------------------------------------------------------------
def test_shipped_value_disagreements_are_contested(ev):
    by = {}
    for r in rows("tolls"):
        if r["stance"] == "supports" and r["status"] != "commentary":
            by.setdefault(r["figure_id"], set()).add(r["value"])
    expected = {k for k, v in by.items() if len(v) > 1}
    assert "military-school-strike-killed-gna-2020-01-05" in expected  # 28 vs 26 cadets
    g = grades.grades(ev, "tolls")
    assert expected <= set(g.index[g["grade"] == "contested"])
    assert not (g.loc[sorted(expected), "grade"] == "corroborated").any()


def test_shipped_refutation_is_never_counted_as_support(ev):
    refuting = {(r["backer_id"], r["recipient_id"], r["support_type"], r["source_id"]) for r in rows("support")
                if r["stance"] == "refutes"}
    assert refuting
    g = grades.grades(ev, "support")
    for b, rcp, t, sid in refuting:
        key = f"{b}>{rcp}:{t}"
        assert g.loc[key, "grade"] == "contested"
        sup = {r["source_id"] for r in rows("support") if (r["backer_id"], r["recipient_id"], r["support_type"]) == (b, rcp, t)
               and r["stance"] == "supports" and r["status"] != "commentary"}
        assert set(g.loc[key, "supporting_sources"]) == sup  # a source's refuting row is not support
        assert g.loc[key, "n_refuting"] >= 1


def test_shipped_relayed_ministry_figure_is_one_independent_source(ev):
    rs = [r for r in rows("tolls") if r["figure_id"] == "killed-tripoli-health-ministry-2019-04"]
    assert len({r["source_id"] for r in rs}) == 2 and len({r["reported_by"] for r in rs}) == 1
    g = grades.grades(ev, "tolls").loc["killed-tripoli-health-ministry-2019-04"]
    assert (g["n_raw"], g["n_independent"]) == (2, 1)


def test_france_is_not_a_material_backer(ev):
    france_types = {r["support_type"] for r in rows("support") if r["backer_id"] == "france"}
    pkg = json.loads((DATA / "schema" / "support.json").read_text(encoding="utf-8"))
    groups = next(f for f in pkg["fields"] if f["name"] == "support_type")["x-groups"]
    assert not france_types & set(groups["material"])
    assert "france" not in set(findings.material_backers(ev)["backer_id"])
    text = " ".join(f.text for f in findings.key_findings(ev) if f.key.startswith("backers_"))
    assert "France" not in text and "United Nations" not in text


def test_un_truce_call_is_one_response_with_two_sources(ev):
    rs = [r for r in rows("responses") if r["response_id"] == "un-two-hour-truce-call-2019-04-07"]
    g = grades.grades(ev, "responses").loc["un-two-hour-truce-call-2019-04-07"]
    assert g["n_raw"] == len({r["source_id"] for r in rs}) == 2


def test_cadets_strike_is_coloured_by_the_side_that_acted(ev):
    side = {r["actor_id"]: r["side"] for r in rows("actors")}
    known = {"lna", "gna", "neutral", "mixed", "other"}
    rs = {r["claim_id"]: r for r in rows("events") if r["event_id"] == "tripoli-military-school-strike"}
    e = findings.timeline_events(ev).set_index("claim_id")
    for cid, r in rs.items():
        sides = {side[a] if side[a] in known else "other" for a in r["actor_ids"].split(";") if a}
        assert e.loc[cid, "side"] == (sides.pop() if len(sides) == 1 else "mixed")
        assert e.loc[cid, "side"] != "gna"  # the cadets were hit; they did not act
        assert "cadets" in e.loc[cid, "targets"].lower() or r["target_ids"] == ""


def test_headline_figures_keep_scope_and_show_corpus_first_reports(ev):
    h = findings.headline_figures(ev)
    assert {"21", "27", "3,400"} <= {re.sub(r"^\D+", "", t) for t in h["text"]}
    for _, r in h.iterrows():
        assert r["population_text"] and r["place"] and r["period_text"]
    # no two scopes are ranked: each (metric, population, place) has at most a first and a latest report
    assert h.groupby(["metric", "population", "place"]).size().max() <= 2


def test_coarse_dates_are_spans_clipped_to_the_window():
    narrow = load(DATA).view("2019-04-01", "2019-04-30")
    e = findings.timeline_events(narrow)
    year_rows = e[e["date_precision"] == "year"]
    assert len(year_rows) and year_rows["is_span"].all() and year_rows["partial"].all()
    assert (e["x0"] >= pd.Timestamp("2019-04-01")).all() and (e["x1"] <= pd.Timestamp("2019-04-30")).all()


def test_inferred_outlet_keeps_its_mark_and_partisan_reference_its_badge(ev):
    assert "(inferred)" in ev.cite("aljazeera-2020-06-03-tripoli-airport")
    p = _refs(ev, "partisan", 1)[0]
    assert "[partisan]" in ev.cite(p)


# -- built pages (two windows) --------------------------------------------------------------------
def _plot_xs(html: str) -> list[str]:
    """Every x value of every trace of every plotly figure in a built page."""
    xs = []
    for m in re.finditer(r"Plotly\.newPlot\(\s*\"[^\"]+\",\s*(\[.*?\])\s*,\s*\{", html, re.DOTALL):
        for trace in json.loads(m.group(1)):
            x = trace.get("x")
            if isinstance(x, dict):  # typed arrays are numeric, not dates
                continue
            xs += [v for v in (x or []) if isinstance(v, str) and re.match(r"\d{4}-\d{2}-\d{2}", v)]
    return xs


@pytest.mark.book
@pytest.mark.parametrize("which,window", [("default_book", ("2019-04-01", "2020-10-31")),
                                          ("narrow_book", ("2020-05-01", "2020-06-30"))])
def test_no_chart_point_outside_the_window_and_figures_keep_scope(which, window, request):
    html_dir = request.getfixturevalue(which) / "html"  # the session's books for these two windows
    lo, hi = dt.date.fromisoformat(window[0]), dt.date.fromisoformat(window[1])
    n = 0
    for page in ("chapters/01_chronology.html", "chapters/03_humanitarian_toll.html",
                 "chapters/04_international_response.html"):
        text = (html_dir / page).read_text(encoding="utf-8")
        for x in _plot_xs(text):
            d = dt.date.fromisoformat(x[:10])
            assert lo <= d <= hi, f"{page}: chart point at {x} outside {window}"
            n += 1
    assert n
    toll = (html_dir / "chapters/03_humanitarian_toll.html").read_text(encoding="utf-8")
    for table in re.findall(r'<table class="lr-table lr-headline">.*?</table>', toll, re.DOTALL):
        head = re.findall(r"<th[^>]*>(.*?)</th>", table)
        assert {"Who", "Where", "Period"} <= set(head)
        for tr in re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>")[1], re.DOTALL):
            cells = dict(zip(head, re.findall(r"<td[^>]*>(.*?)</td>", tr, re.DOTALL)))
            assert cells["Who"].strip() and cells["Where"].strip() and cells["Period"].strip()
    chron = (html_dir / "chapters/01_chronology.html").read_text(encoding="utf-8")
    assert "Sources 2" not in chron
    if which == "default_book":
        section = chron[chron.find("lr-dispute-count"):]
        m = re.search(r"(\d+) contested claim", section)
        assert m and int(m.group(1)) == section.count('class="lr-dispute"')
        assert ">28<" in section or "28</b>" in section
        assert "26</b>" in section
