"""Charts of imported event data: events over time, fatalities, actor pairings, the offline map.

The book's style (Okabe-Ito colours plus patterns / symbols / dashes so they survive
black-and-white printing), escaped text from the data, at most a few hundred points sent to
the browser, and the data's attribution under the plot.
"""
from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from libyareport.content.eventstats import (
    MAX_MAP_POINTS,
    _type_order,
    actor_pairings,
    events_over_time,
    fatalities_per_month,
    map_points,
    weekly_curve,
)
from libyareport.errors import Problem, ReportError, rel
from libyareport.imports.store import _PARAMS
from libyareport.render import style
from libyareport.render.figure import MIN_FONT_PX, esc, layout, no_data, note, set_source

#: Bar fill patterns, paired with style.SEQUENCE, so stacked bars read in black and white.
PATTERNS = ["", "/", "\\", "x", "-", "|", "+", "."]


BOUNDARIES = Path("geo") / "libya_and_neighbours.geojson"


BOUNDARIES_CREDIT = "Boundaries: Natural Earth (public domain)"


#: Libya's bounding box (lon_min, lon_max, lat_min, lat_max), padded.
LIBYA_BOUNDS = (9.0, 25.5, 19.0, 34.0)
NO_EVENTS = "No events in this window"


def _layout(title: str, x_title: str | None, y_title: str | None, height: int = 440, legend: bool | int = True) -> dict:
    """figure.layout plus room under the plot for the legend (the source line is printed under
    the chart by the book and the briefing, see figure.set_source)."""
    lay = layout(title, x_title, y_title, height=height)
    below_axis = 40 + (20 if x_title else 0)  # tick labels (+ axis title)
    legend_px = (45 if legend is True else 22 * int(legend) + 8) if legend else 0
    bottom = below_axis + legend_px + 12
    lay["margin"] = {**lay["margin"], "b": bottom}
    plot_h = max(height - bottom - lay["margin"]["t"], 120)
    lay["legend"] = {**lay["legend"], "y": -below_axis / plot_h, "yanchor": "top"}
    return lay


def _figure(title: str, x_title: str | None, y_title: str | None, source: str, **kw) -> go.Figure:
    return set_source(go.Figure(layout=_layout(title, x_title, y_title, **kw)), source)


def _single_dataset(df: pd.DataFrame, dataset: str | None) -> pd.DataFrame:
    if df.empty or "dataset" not in df.columns:
        return df
    present = sorted(df["dataset"].dropna().unique())
    if dataset is not None:
        return df[df["dataset"] == dataset]
    if len(present) > 1:
        raise ReportError(Problem(_PARAMS, None, "dataset", f"the events come from several datasets ({', '.join(present)}); "
                                  "choose one (dataset=…): counts from different publishers must not be added",
                                  "one of " + ", ".join(present)))
    return df


def fig_events_over_time(
    events: pd.DataFrame,
    *,
    source_line: str,
    freq: str = "week",
    dataset: str | None = None,
    title: str | None = None,
) -> go.Figure:
    """Stacked bars: events per week (or month) by event type."""
    events = _single_dataset(events, dataset)
    unit = "week" if freq == "week" else "month"
    title = title or f"Events per {unit}, by type"
    agg = events_over_time(events, freq)
    rows = max(1, -(-agg["event_type"].nunique() // 3)) if not agg.empty else 1  # three legend entries a row
    fig = _figure(title, None, f"Events per {unit}", source_line, height=440 + 22 * (rows - 1), legend=rows)
    fig.update_layout(barmode="stack", bargap=0.1, legend_traceorder="normal")
    if agg.empty:
        return no_data(fig, NO_EVENTS)
    for i, etype in enumerate(_type_order(agg["event_type"])):
        part = agg[agg["event_type"] == etype]
        name = esc(etype)
        fig.add_trace(go.Bar(
            x=part["period"], y=part["events"], name=name,
            marker={"color": style.SEQUENCE[i % len(style.SEQUENCE)],
                    "pattern": {"shape": PATTERNS[i % len(PATTERNS)], "fgcolor": "#222", "size": 6, "solidity": 0.25},
                    "line": {"color": "white", "width": 0.3}},
            customdata=part[["fatalities"]].to_numpy(),
            hovertemplate=f"{name}<br>{unit} of %{{x|%d %b %Y}}: %{{y}} events, %{{customdata[0]}} fatalities<extra></extra>",
        ))
    return fig


def fig_fatalities_per_month(
    events: pd.DataFrame,
    *,
    source_line: str,
    dataset: str | None = None,
    title: str | None = None,
) -> go.Figure:
    """Reported fatalities per month: the best estimate as a line, low–high as a band."""
    events = _single_dataset(events, dataset)
    fig = _figure(title or "Reported fatalities per month", None, "Fatalities", source_line)
    agg = fatalities_per_month(events)
    if agg.empty:
        return no_data(fig, NO_EVENTS)
    band = not (agg["fatalities_low"].equals(agg["fatalities_best"]) and agg["fatalities_high"].equals(agg["fatalities_best"]))
    if band:
        fig.add_trace(go.Scatter(x=agg["month"], y=agg["fatalities_high"], mode="lines", showlegend=False,
                                 line={"width": 1, "color": style.OKABE_ITO["sky"], "dash": "dot"},
                                 name="High estimate", hovertemplate="%{x|%b %Y}: high %{y}<extra></extra>"))
        fig.add_trace(go.Scatter(x=agg["month"], y=agg["fatalities_low"], mode="lines", fill="tonexty",
                                 fillcolor="rgba(86,180,233,0.25)",
                                 line={"width": 1, "color": style.OKABE_ITO["sky"], "dash": "dot"},
                                 name="Low–high range", hovertemplate="%{x|%b %Y}: low %{y}<extra></extra>"))
    fig.add_trace(go.Scatter(x=agg["month"], y=agg["fatalities_best"], mode="lines+markers",
                             line={"color": style.OKABE_ITO["vermillion"], "width": 2, "dash": "solid"},
                             marker={"symbol": "circle", "size": 7},
                             name="Best estimate" if band else "Reported fatalities",
                             customdata=agg[["events"]].to_numpy(),
                             hovertemplate="%{x|%b %Y}: %{y} fatalities in %{customdata[0]} events<extra></extra>"))
    fig.update_yaxes(rangemode="tozero")
    return fig


def _short(text: str, limit: int = 34) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def fig_actor_pairings(
    events: pd.DataFrame,
    *,
    source_line: str,
    n: int = 10,
    dataset: str | None = None,
    title: str | None = None,
) -> go.Figure:
    """Horizontal bars: the ``n`` most frequent actor pairings (symmetric), by events."""
    events = _single_dataset(events, dataset)
    pairs = actor_pairings(events, n=n)
    height = max(360, 150 + 46 * len(pairs))
    fig = _figure(title or "Most frequent actor pairings", "Events", None, source_line, height=height, legend=False)
    if pairs.empty:
        return no_data(fig, NO_EVENTS)
    # Labels sit above their bars (not as tick labels): long publisher names then never
    # squeeze the plot, and the whole chart stays aligned with its source line.
    ypos = np.arange(len(pairs))[::-1]  # largest at the top

    def label(name: str, actor_id: Any) -> str:
        tag = f" [{actor_id}]" if isinstance(actor_id, str) and actor_id else ""
        return esc(_short(name, 60)) + esc(tag)

    hover = [f"{esc(a)}<br>– {esc(b)}" for a, b in zip(pairs["actor1"], pairs["actor2"])]
    fig.add_trace(go.Bar(
        x=pairs["events"], y=ypos, orientation="h", showlegend=False, width=0.45,
        marker={"color": style.OKABE_ITO["blue"], "line": {"color": "#222", "width": 0.5}},
        customdata=np.column_stack([hover, pairs["fatalities"]]),
        hovertemplate="%{customdata[0]}<br>%{x} events, %{customdata[1]} fatalities<extra></extra>",
    ))
    for y, a, b, i, j in zip(ypos, pairs["actor1"], pairs["actor2"], pairs["actor1_id"], pairs["actor2_id"]):
        fig.add_annotation(x=0, y=y + 0.25, xref="x", yref="y", xanchor="left", yanchor="bottom",
                           text=f"{label(a, i)} – {label(b, j)}", showarrow=False, font={"size": 11})
    fig.update_yaxes(visible=False, range=[-0.6, len(pairs) - 0.1])
    fig.update_xaxes(rangemode="tozero")
    return fig


def load_boundaries(data_dir: str | Path = "data", path: str | Path | None = None) -> list[dict]:
    """Country outlines from the bundled GeoJSON: [{name, iso_a3, rings: [[(lon, lat), …], …]}]."""
    path = Path(path) if path else Path(data_dir) / BOUNDARIES
    try:
        gj = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ReportError(Problem(rel(path), None, None, "boundary file not found",
                                  f"{BOUNDARIES} in the data directory (see data/geo/README.md)")) from None
    except ValueError as e:
        raise ReportError(Problem(rel(path), None, None, f"not valid GeoJSON: {e}", "a GeoJSON FeatureCollection")) from None
    out = []
    for feature in gj.get("features", []):
        geom = feature.get("geometry") or {}
        polys = [geom["coordinates"]] if geom.get("type") == "Polygon" else geom.get("coordinates", []) \
            if geom.get("type") == "MultiPolygon" else []
        rings = [[(float(x), float(y)) for x, y, *_ in ring] for poly in polys for ring in poly]
        props = feature.get("properties") or {}
        out.append({"name": props.get("name", ""), "iso_a3": props.get("iso_a3", ""), "rings": rings})
    return out


def _ring_xy(rings: list[list[tuple[float, float]]]) -> tuple[list[float | None], list[float | None]]:
    xs: list[float | None] = []
    ys: list[float | None] = []
    for ring in rings:
        xs += [p[0] for p in ring] + [None]
        ys += [p[1] for p in ring] + [None]
    return xs, ys


def _inside(x: np.ndarray, y: np.ndarray, ring: list[tuple[float, float]]) -> np.ndarray:
    """Even-odd point-in-polygon test, vectorised over points."""
    pts = np.asarray(ring)
    x0, y0 = pts[:-1, 0][:, None], pts[:-1, 1][:, None]
    x1, y1 = pts[1:, 0][:, None], pts[1:, 1][:, None]
    crosses = (y0 > y) != (y1 > y)
    with np.errstate(divide="ignore", invalid="ignore"):
        xi = x0 + (y - y0) * (x1 - x0) / (y1 - y0)
    return ((crosses & (x < xi)).sum(axis=0) % 2) == 1


def _label_point(rings: list, bounds: tuple[float, float, float, float]) -> tuple[float, float] | None:
    """Where to write a country's name: the middle of its visible part (None if barely visible)."""
    if not rings:
        return None
    lon0, lon1, lat0, lat1 = bounds
    gx, gy = np.meshgrid(np.linspace(lon0, lon1, 40)[2:-2], np.linspace(lat0, lat1, 40)[2:-2])
    x, y = gx.ravel(), gy.ravel()
    hit = np.zeros(len(x), dtype=bool)
    for ring in rings:
        hit ^= _inside(x, y, ring)
    if hit.sum() < 12:
        return None
    return float(np.median(x[hit])), float(np.median(y[hit]))


def fig_event_map(
    events: pd.DataFrame,
    *,
    source_line: str,
    data_dir: str | Path = "data",
    boundaries: str | Path | None = None,
    dataset: str | None = None,
    bounds: str | tuple[float, float, float, float] = "libya",
    max_points: int = MAX_MAP_POINTS,
    title: str | None = None,
) -> go.Figure:
    """Offline map: country outlines as lines, one marker per place sized by fatalities.

    No tiles and no plotly ``geo`` (which downloads topojson): plain lon/lat axes with a
    fixed aspect ratio. ``bounds``: "libya", "points" (fit the markers) or
    (lon_min, lon_max, lat_min, lat_max). Places with no reported fatality are drawn as
    open circles, others filled, so the map also reads in black and white.
    """
    events = _single_dataset(events, dataset)
    points, left_out = map_points(events, max_points)
    credit = f"{source_line}. {BOUNDARIES_CREDIT}" if source_line else BOUNDARIES_CREDIT
    if left_out["places"]:
        credit += (f". Not shown: {left_out['places']} smaller places "
                   f"({left_out['events']} events, {left_out['fatalities']} fatalities)")
    fig = _figure(title or "Where the events took place", None, None, credit, height=560)

    if bounds == "libya":
        lon0, lon1, lat0, lat1 = LIBYA_BOUNDS
    elif bounds == "points" and not points.empty:
        pad = 0.3
        lon0, lon1 = float(points["longitude"].min()) - pad, float(points["longitude"].max()) + pad
        lat0, lat1 = float(points["latitude"].min()) - pad, float(points["latitude"].max()) + pad
    elif isinstance(bounds, tuple) and len(bounds) == 4:
        lon0, lon1, lat0, lat1 = (float(b) for b in bounds)
    elif bounds == "points":
        lon0, lon1, lat0, lat1 = LIBYA_BOUNDS
    else:
        raise ReportError(Problem(_PARAMS, None, "bounds", f"unknown map bounds {bounds!r}",
                                  "'libya', 'points' or (lon_min, lon_max, lat_min, lat_max)"))

    for country in load_boundaries(data_dir, boundaries):
        xs, ys = _ring_xy(country["rings"])
        is_libya = country["iso_a3"] == "LBY"
        fig.add_trace(go.Scatter(
            x=xs, y=ys, mode="lines", hoverinfo="skip", showlegend=False,
            fill="toself" if is_libya else None, fillcolor="#f4f4f4" if is_libya else None,
            line={"color": "#444" if is_libya else "#aaa", "width": 1.2 if is_libya else 0.8},
        ))
        label_at = _label_point(country["rings"], (lon0, lon1, lat0, lat1))
        if not is_libya and label_at is not None:
            fig.add_annotation(x=label_at[0], y=label_at[1], text=esc(country["name"]), showarrow=False,
                               font={"size": MIN_FONT_PX, "color": "#777"})

    if points.empty:
        note(fig, NO_EVENTS)
    else:
        fat = points["fatalities"].to_numpy(dtype=float)
        biggest = max(fat.max(), 1.0)
        size = 7 + 33 * np.sqrt(fat / biggest)
        hover = [
            f"<b>{esc(p)}</b>{'<br>' + esc(a) if a else ''}<br>{e} events, {f} fatalities"
            for p, a, e, f in zip(points["place"], points["admin1"], points["events"], points["fatalities"])
        ]
        for label, mask, symbol in (("Place with reported fatalities (marker area ∝ fatalities)", fat > 0, "circle"),
                                    ("Place without reported fatalities", fat == 0, "circle-open")):
            if not mask.any():
                continue
            fig.add_trace(go.Scatter(
                x=points["longitude"][mask], y=points["latitude"][mask], mode="markers", name=label,
                marker={"size": size[mask], "symbol": symbol, "color": style.OKABE_ITO["vermillion"],
                        "opacity": 0.7, "line": {"color": "#222", "width": 0.8}},
                hovertext=[h for h, m in zip(hover, mask) if m], hoverinfo="text",
            ))
    mid = math.radians((lat0 + lat1) / 2)
    fig.update_xaxes(range=[lon0, lon1], ticksuffix="°E", showgrid=False, title=None, constrain="domain")
    fig.update_yaxes(range=[lat0, lat1], ticksuffix="°N", showgrid=False, title=None, constrain="domain",
                     scaleanchor="x", scaleratio=1 / math.cos(mid))
    return fig


def fig_curated_overlay(
    curated: pd.DataFrame,
    weekly: pd.DataFrame,
    *,
    source_line: str,
    dataset: str | None = None,
    title: str | None = None,
) -> go.Figure:
    """The event-data weekly curve with the book's curated events marked on it.

    ``curated``: a DataFrame with ``date`` and ``summary`` (optionally ``tier``: corpus /
    context / commentary, drawn with style.TIER_SYMBOLS). ``weekly``: :func:`weekly_curve`
    output, or raw events (the curve is then computed).
    """
    if "date_start" in weekly.columns:
        weekly = weekly_curve(_single_dataset(weekly, dataset))
    else:
        weekly = _single_dataset(weekly, dataset)
    fig = _figure(title or "Events per week, with the events described in the book", None, "Events per week", source_line)
    if weekly.empty:
        return no_data(fig, NO_EVENTS)
    weeks = pd.to_datetime(weekly["week"])
    fig.add_trace(go.Scatter(x=weeks, y=weekly["events"], mode="lines", name="Events per week (event data)",
                             line={"color": style.OKABE_ITO["blue"], "width": 2, "dash": "solid"},
                             hovertemplate="week of %{x|%d %b %Y}: %{y} events<extra></extra>"))
    cur = curated.copy()
    cur["_date"] = pd.to_datetime(cur["date"], errors="coerce")
    cur = cur.dropna(subset=["_date"])
    cur = cur[(cur["_date"] >= weeks.min()) & (cur["_date"] <= weeks.max() + pd.Timedelta(days=6))]
    if not cur.empty:
        monday = (cur["_date"] - pd.to_timedelta(cur["_date"].dt.day_of_week, unit="D")).dt.normalize()
        lookup = pd.Series(weekly["events"].to_numpy(), index=weeks)
        cur["_y"] = monday.map(lookup).fillna(0).to_numpy()
        tiers = cur["tier"].fillna("corpus") if "tier" in cur.columns else pd.Series("corpus", index=cur.index)
        for i, tier in enumerate(dict.fromkeys(tiers)):
            part = cur[tiers == tier]
            hover = [f"<b>{d:%d %b %Y}</b><br>{esc(s, 60)}"
                     for d, s in zip(part["_date"], part["summary"])]
            fig.add_trace(go.Scatter(
                x=part["_date"], y=part["_y"], mode="markers",
                name=esc(style.TIER_LABELS.get(tier, f"Curated events ({tier})")),
                marker={"symbol": style.TIER_SYMBOLS.get(tier, style.SYMBOLS[(i + 2) % len(style.SYMBOLS)]),
                        "size": 11, "color": style.OKABE_ITO["vermillion"] if i == 0 else style.SEQUENCE[(i + 1) % 8],
                        "line": {"color": "#222", "width": 1}},
                hovertext=hover, hoverinfo="text",
            ))
    fig.update_yaxes(rangemode="tozero")
    return fig
