"""Loading imported event data for a window, aggregating it, drawing it offline."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from libyareport.content import eventstats
from libyareport.errors import ReportError
from libyareport.imports import store
from libyareport.imports.run import import_export
from libyareport.render import eventcharts

FIXTURES = Path(__file__).parent / "fixtures" / "imports"
REPO_GEO = Path(__file__).resolve().parents[1] / "data" / "geo"
SOURCE = "Source: ACLED & UCDP <test>"

# Fatalities per month in tests/fixtures/imports/acled_current.csv (all countries).
ACLED_MONTHLY_FATALITIES = {
    "2019-04": 4 + 0 + 7, "2019-05": 5 + 0, "2019-06": 43, "2019-07": 53,
    "2019-08": 0, "2019-09": 0, "2019-10": 0, "2019-11": 0, "2019-12": 0,
    "2020-01": 30, "2020-02": 0, "2020-03": 0, "2020-04": 0, "2020-05": 0, "2020-06": 0,
}


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    d = tmp_path / "data"
    (d / "geo").mkdir(parents=True)
    (d / "actors.csv").write_text(
        "actor_id,name,aliases,kind,side,parent_id,country\n"
        "lna,Libyan National Army (LNA),LNA,libyan_armed_force,lna,,Libya\n", encoding="utf-8")
    shutil.copy(REPO_GEO / "libya_and_neighbours.geojson", d / "geo")
    for fmt, fixture in (("acled", "acled_current.csv"), ("ucdp", "ged221_libya.csv"),
                         ("acled", "acled_monthly_events.csv")):
        import_export(fmt, FIXTURES / fixture, d, progress=False)
    return d


@pytest.fixture
def acled(data_dir: Path) -> pd.DataFrame:
    return store.load_events(data_dir, None, None, datasets=["acled"])


def annotation_texts(fig: go.Figure) -> list[str]:
    return [a.text for a in fig.layout.annotations]


# --- loading ----------------------------------------------------------------------------

def test_list_datasets(data_dir: Path) -> None:
    metas = store.list_datasets(data_dir)
    assert [m["name"] for m in metas] == ["acled", "acled_events_monthly", "ucdp"]
    assert {m["kind"] for m in metas} == {"events", "series"}
    assert store.list_datasets(data_dir.parent / "nowhere") == []


def test_load_events_window_and_columns(data_dir: Path) -> None:
    df = store.load_events(data_dir, "2019-04-05", "2019-06-30")
    assert set(df["dataset"]) == {"acled", "ucdp"}
    acled_keys = df.loc[df["dataset"] == "acled", "event_key"].tolist()
    assert acled_keys == ["LBY1002", "LBY1003", "TUN0001", "LBY1004", "LBY1005"]
    assert df["date_start"].min() >= pd.Timestamp("2019-04-05")
    assert df["date_start"].max() <= pd.Timestamp("2019-06-30")
    assert pd.api.types.is_datetime64_any_dtype(df["date_start"])
    assert "notes" not in df.columns and "source" not in df.columns  # long texts only on request
    with_notes = store.load_events(data_dir, "2019-04-08", "2019-04-08", datasets="acled", columns=["event_key", "notes"])
    assert list(with_notes.columns) == ["dataset", "event_key", "notes"]
    assert with_notes["notes"].iloc[0].startswith("An LNA warplane")


def test_load_events_empty_window_and_bad_parameters(data_dir: Path) -> None:
    empty = store.load_events(data_dir, "2010-01-01", "2010-12-31")
    assert empty.empty and "date_start" in empty.columns
    with pytest.raises(ReportError, match="not imported"):
        store.load_events(data_dir, None, None, datasets=["gdelt"])
    with pytest.raises(ReportError, match="series dataset"):
        store.load_events(data_dir, None, None, datasets=["acled_events_monthly"])
    with pytest.raises(ReportError, match="not a date"):
        store.load_events(data_dir, "April 31st", None)
    with pytest.raises(ReportError, match="before start_date"):
        store.load_events(data_dir, "2020-01-01", "2019-01-01")


def test_load_series(data_dir: Path) -> None:
    s = store.load_series(data_dir, "2019-05-15", "2019-12-31", country="LIBYA")
    assert s["period"].tolist() == ["2019-05", "2019-06"]
    assert s["value"].tolist() == [280, 190]


def test_source_line_comes_from_the_imports(data_dir: Path) -> None:
    line = store.source_line(data_dir, ["acled", "ucdp"])
    assert "Armed Conflict Location & Event Data Project (ACLED); acleddata.com" in line
    assert "UCDP Georeferenced Event Dataset (GED) Global version 22.1" in line


# --- aggregations -----------------------------------------------------------------------

def test_fatalities_per_month_equals_fixture_sums(acled: pd.DataFrame) -> None:
    per_month = eventstats.fatalities_per_month(acled)
    got = dict(zip(per_month["month"].dt.strftime("%Y-%m"), per_month["fatalities_best"]))
    assert got == ACLED_MONTHLY_FATALITIES
    assert (per_month["fatalities_low"] == per_month["fatalities_best"]).all()  # ACLED: one figure


def test_fatalities_per_month_band_for_ucdp(data_dir: Path) -> None:
    ucdp = store.load_events(data_dir, None, None, datasets=["ucdp"])
    m = eventstats.fatalities_per_month(ucdp).set_index(eventstats.fatalities_per_month(ucdp)["month"].dt.strftime("%Y-%m"))
    assert m.loc["2019-05", ["fatalities_best", "fatalities_low", "fatalities_high"]].tolist() == [20, 15, 30]
    assert m.loc["2019-07", ["fatalities_best", "fatalities_low", "fatalities_high"]].tolist() == [53, 53, 60]
    assert m.loc["2019-09", "events"] == 0


def test_events_over_time_by_type(acled: pd.DataFrame) -> None:
    weekly = eventstats.events_over_time(acled, "week")
    assert weekly["events"].sum() == len(acled) == 9
    assert (weekly["period"].dt.day_of_week == 0).all()  # weeks start on Monday
    april = eventstats.events_over_time(acled, "month")
    row = april[(april["period"] == "2019-04-01") & (april["event_type"] == "Battles")]
    assert row["events"].item() == 2 and row["fatalities"].item() == 11
    with pytest.raises(ReportError):
        eventstats.events_over_time(acled, "fortnight")


def test_fatalities_by_type(acled: pd.DataFrame) -> None:
    by_type = eventstats.fatalities_by_type(acled).set_index("event_type")
    assert by_type.loc["Explosions/Remote violence", "fatalities_best"] == 0 + 53 + 30
    assert by_type.loc["Battles", "events"] == 4 and by_type.loc["Battles", "fatalities_best"] == 4 + 7 + 43 + 0
    assert by_type.index[0] == "Explosions/Remote violence"  # most fatalities first


def test_top_places(acled: pd.DataFrame) -> None:
    places = eventstats.top_places(acled, n=3)
    assert places.iloc[0][["place", "events", "fatalities"]].tolist() == ["Gharyan", 2, 47]
    assert places.iloc[0]["latitude"] == pytest.approx(32.1722)
    assert len(places) == 3


def test_actor_pairings_symmetric_with_ids(acled: pd.DataFrame) -> None:
    pairs = eventstats.actor_pairings(acled, n=3)
    top = pairs.iloc[0]
    assert {top["actor1"], top["actor2"]} == {
        "Military Forces of Libya (2014-) Haftar Faction",
        "Military Forces of Libya (2016-2021) Government of National Accord"}
    assert top["events"] == 4 and top["fatalities"] == 4 + 43 + 30 + 0
    ids = dict(zip([top["actor1"], top["actor2"]], [top["actor1_id"], top["actor2_id"]]))
    assert ids["Military Forces of Libya (2014-) Haftar Faction"] == "lna"
    ordered = eventstats.actor_pairings(acled, n=None, symmetric=False)
    assert ordered["events"].sum() == 9 and len(ordered) > len(eventstats.actor_pairings(acled, n=None))


def test_aggregations_of_an_empty_window_are_empty(data_dir: Path) -> None:
    empty = store.load_events(data_dir, "2010-01-01", "2010-12-31")
    for fn in (eventstats.events_over_time, eventstats.fatalities_per_month, eventstats.fatalities_by_type, eventstats.top_places,
               eventstats.actor_pairings, eventstats.weekly_curve):
        assert fn(empty).empty


# --- figures ----------------------------------------------------------------------------

def test_every_figure_shows_its_source_line_escaped(data_dir: Path, acled: pd.DataFrame) -> None:
    curated = pd.DataFrame({"date": ["2019-04-04"], "summary": ["Haftar orders the advance on Tripoli"]})
    figs = [
        eventcharts.fig_events_over_time(acled, source_line=SOURCE),
        eventcharts.fig_fatalities_per_month(acled, source_line=SOURCE),
        eventcharts.fig_actor_pairings(acled, source_line=SOURCE),
        eventcharts.fig_event_map(acled, source_line=SOURCE, data_dir=data_dir),
        eventcharts.fig_curated_overlay(curated, eventstats.weekly_curve(acled), source_line=SOURCE),
    ]
    from libyareport.render.figure import source_line
    for fig in figs:
        # one way for every chart: the source line travels with the figure and is printed (escaped) under it
        assert source_line(fig).startswith(SOURCE)
        assert "<test>" not in fig.to_json()


def test_events_over_time_figure_is_stacked_with_patterns(acled: pd.DataFrame) -> None:
    fig = eventcharts.fig_events_over_time(acled, source_line=SOURCE)
    assert fig.layout.barmode == "stack"
    names = [t.name for t in fig.data]
    assert names[:2] == ["Battles", "Explosions/Remote violence"]
    assert len({t.marker.pattern.shape for t in fig.data}) == len(fig.data)  # B/W distinguishable
    assert sum(sum(t.y) for t in fig.data) == 9


def test_fatalities_figure_has_a_band_only_when_there_is_a_range(data_dir: Path, acled: pd.DataFrame) -> None:
    ucdp = store.load_events(data_dir, None, None, datasets=["ucdp"])
    band = eventcharts.fig_fatalities_per_month(ucdp, source_line=SOURCE)
    assert any(t.fill == "tonexty" for t in band.data)
    single = eventcharts.fig_fatalities_per_month(acled, source_line=SOURCE)
    assert not any(t.fill == "tonexty" for t in single.data)
    assert list(single.data[-1].y) == list(ACLED_MONTHLY_FATALITIES.values())


def test_map_is_offline_and_escapes_hover_text(data_dir: Path, acled: pd.DataFrame) -> None:
    hostile = acled.copy()
    hostile.loc[0, "place"] = "<img src=x onerror=alert(1)>"
    fig = eventcharts.fig_event_map(hostile, source_line=SOURCE, data_dir=data_dir)
    j = fig.to_json()
    assert "http" not in j
    assert "<img" not in j and "&lt;img src=x onerror=alert(1)&gt;" in j
    d = json.loads(j)
    assert all(t["type"] == "scatter" for t in d["data"])  # no geo / mapbox / map traces
    assert not {"geo", "mapbox", "map"} & set(d["layout"])
    assert d["layout"]["yaxis"]["scaleanchor"] == "x"
    outline_points = sum(len(t["x"]) for t in d["data"] if t.get("mode") == "lines")
    assert outline_points > 100  # the boundaries are drawn from the GeoJSON
    markers = [t for t in fig.data if t.mode == "markers"]
    assert sum(len(t.x) for t in markers) == eventstats.top_places(hostile, n=None).shape[0] == 9
    assert {t.marker.symbol for t in markers} == {"circle", "circle-open"}  # with / without fatalities


def test_map_sends_at_most_a_few_hundred_points(data_dir: Path) -> None:
    rng = np.random.default_rng(1)
    n = 5000
    many = pd.DataFrame({
        "dataset": "acled", "event_key": [f"E{i}" for i in range(n)],
        "date_start": pd.Timestamp("2019-05-01"), "event_type": "Battles",
        "place": [f"Place {i % 900}" for i in range(n)], "admin1": "Tripoli",
        "latitude": 30 + rng.random(n), "longitude": 13 + rng.random(n),
        "fatalities_best": rng.integers(0, 5, n),
    })
    points, left_out = eventstats.map_points(many, max_points=300)
    assert len(points) == 300 and left_out["places"] == 600
    assert points["events"].sum() + left_out["events"] == n
    fig = eventcharts.fig_event_map(many, source_line=SOURCE, data_dir=data_dir)
    assert sum(len(t.x) for t in fig.data if t.mode == "markers") == 300
    from libyareport.render.figure import source_line
    assert "Not shown: 600 smaller places" in source_line(fig)


def test_overlay_marks_curated_events_on_the_weekly_curve(acled: pd.DataFrame) -> None:
    weekly = eventstats.weekly_curve(acled)
    curated = pd.DataFrame({
        "date": ["2019-04-04", "2019-07-02", "not a date", "2030-01-01"],
        "summary": ["Haftar orders <b>advance</b>", "Tajoura strike", "x", "outside the window"],
    })
    fig = eventcharts.fig_curated_overlay(curated, weekly, source_line=SOURCE)
    curve, marks = fig.data[0], fig.data[1]
    assert sum(curve.y) == 9
    assert len(marks.x) == 2  # unparseable and out-of-window dates are left out
    assert list(marks.y) == [1, 1]  # each sits on its week's value
    assert "&lt;b&gt;advance&lt;/b&gt;" in marks.hovertext[0]
    from_events = eventcharts.fig_curated_overlay(curated, acled, source_line=SOURCE)
    assert list(from_events.data[0].y) == list(curve.y)


def test_figures_of_an_empty_window_say_so(data_dir: Path) -> None:
    empty = store.load_events(data_dir, "2010-01-01", "2010-12-31")
    for fig in (eventcharts.fig_events_over_time(empty, source_line=SOURCE),
                eventcharts.fig_fatalities_per_month(empty, source_line=SOURCE),
                eventcharts.fig_actor_pairings(empty, source_line=SOURCE),
                eventcharts.fig_event_map(empty, source_line=SOURCE, data_dir=data_dir),
                eventcharts.fig_curated_overlay(pd.DataFrame({"date": [], "summary": []}), empty, source_line=SOURCE)):
        assert "No events in this window" in annotation_texts(fig)


def test_figures_refuse_to_add_up_different_publishers(data_dir: Path) -> None:
    both = store.load_events(data_dir, None, None)
    with pytest.raises(ReportError, match="several datasets"):
        eventcharts.fig_events_over_time(both, source_line=SOURCE)
    fig = eventcharts.fig_events_over_time(both, source_line=SOURCE, dataset="ucdp")
    assert sum(sum(t.y) for t in fig.data) == 4
