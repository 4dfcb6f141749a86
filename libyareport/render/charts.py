"""Every chart of the book and the briefing drawn from the curated evidence. One function per
figure; each returns a plotly Figure with a title, axis labels and a source line, in colours
and symbols that stay distinguishable for colour-blind readers and in black and white. The
shared rules (escaping, layout, the "no data" figure, the source line, point links) are in
`figure.py`, used by `eventcharts.py` too.

Every legend entry looks unlike every other (colour, symbol and dash together); every point
carries the address of its quoted passage or reference in `customdata` (opened on click by
`_static/lr-links.js`); nothing is drawn outside the run's window."""
from __future__ import annotations

import textwrap

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from libyareport.content.findings import outside_actor_ids, period_text, phases, population_text, reporter_text, timeline_events
from libyareport.content.spans import with_spans
from libyareport.content.text import METRIC_LABELS, figure_text, fmt_date
from libyareport.evidence import grades
from libyareport.evidence.labels import Labels
from libyareport.evidence.model import Evidence
from libyareport.render import style
from libyareport.render.figure import MIN_FONT_PX, empty, esc, layout, link, set_axis_names, set_narrow, set_source, source_line

__all__ = [
    "backer_matrix",
    "dense_days",
    "esc",
    "network",
    "response_matrix",
    "responses_timeline",
    "source_line",
    "timeline",
    "tolls_over_time",
]

EVENT_TYPE_LABELS = Labels("events", "event_type")
RESPONSE_LABELS = Labels("responses", "response_type")
SUPPORT_LABELS = Labels("support", "support_type")

#: Seven colours that read on white (the palette's yellow does not) ...
COLOURS = [c for c in style.SEQUENCE if c != style.OKABE_ITO["yellow"]]
#: ... and evidence grades, strongest first, as line colours and widths in the backers network.
GRADE_STYLE = {"confirmed": ("#000000", 3.0), "corroborated": (style.OKABE_ITO["green"], 2.4),
               "single_source": (style.OKABE_ITO["orange"], 1.6), "contested": (style.OKABE_ITO["purple"], 1.6)}
CLICK_HINT = "<br>Click the point to open the source's words."
TIER_GREY = "#444444"


def marker_style(i: int) -> tuple[str, str]:
    """The i-th (colour, symbol) pair: 7 colours × 8 symbols, so pairs never repeat before 56."""
    return COLOURS[i % len(COLOURS)], style.SYMBOLS[i % len(style.SYMBOLS)]


def _sources_text(ev: Evidence, ids) -> str:
    """'Corpus: CNN, 8 Apr 2019; … Public record: 12 references (listed under Sources and method).'"""
    ids = set(ids)
    corpus = sorted(ev.cite(s) for s in ids if s in ev.sources)
    n_ref = len([s for s in ids if s not in ev.sources])
    parts = []
    if corpus:
        parts.append("Corpus: " + "; ".join(corpus) + ".")
    if n_ref:
        parts.append(f"Public record: {n_ref} reference{'s' * (n_ref != 1)} (listed under Sources and method).")
    return " ".join(parts)


def _window_range(ev: Evidence, lo: pd.Timestamp, hi: pd.Timestamp) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The x range of a dated chart: the data's extent padded, never beyond the run's window."""
    span = max((hi - lo).days, 1)
    pad = pd.Timedelta(days=max(3, span // 30)) if span > 10 else pd.Timedelta(hours=18)
    a, b = lo - pad, hi + pad
    if ev.window.start:
        a = max(a, pd.Timestamp(ev.window.start))
    if ev.window.end:
        b = min(b, pd.Timestamp(ev.window.end) + pd.Timedelta(hours=23))
    return a, b


def _legend_only(fig: go.Figure, name: str, marker: dict | None = None, line: dict | None = None,
                 legend: str = "legend", group: str | None = None) -> None:
    """A legend entry with no data: the key shows one property (colour, or symbol, or dash) alone."""
    fig.add_trace(go.Scatter(x=[None], y=[None], mode="lines" if line else "markers", name=name, legend=legend,
                             legendgroup=group or name, showlegend=True, hoverinfo="skip", marker=marker or {},
                             line=line or {}))


def _legends_below(fig: go.Figure, titles: list[str], axis_px: int = 50, plot_px: int = 560, min_plot_h: int = 0) -> None:
    """Stack the figure's legends under the plot, placed in pixels so they never overlap the axis
    or each other; the bottom margin grows to hold them. The rows a legend needs are estimated
    from its entries' text at `plot_px` wide (a phone re-lays them, see the a11y script)."""
    height, top = fig.layout.height or 450, fig.layout.margin.t or 60
    rows = [_legend_rows(names, title, plot_px) for names, title in zip(_legend_names(fig, len(titles)), titles)]
    bottom = axis_px + sum(24 * r + 8 for r in rows) + 10
    if height - top - bottom < min_plot_h:  # the legends take room below; the plot keeps its own
        height = top + bottom + min_plot_h
        fig.update_layout(height=height)
    plot_h = max(height - top - bottom, 120)
    y = axis_px
    for i, title in enumerate(titles):
        key = "legend" if i == 0 else f"legend{i + 1}"
        fig.update_layout({key: {"orientation": "h", "yanchor": "top", "y": -y / plot_h, "x": 0, "xanchor": "left",
                                 "title": {"text": title, "font": {"size": MIN_FONT_PX + 1}},
                                 "font": {"size": MIN_FONT_PX + 1}}})
        y += 24 * rows[i] + 8
    fig.update_layout(margin={"b": bottom})


def _legend_names(fig: go.Figure, n: int) -> list[list[str]]:
    names: list[list[str]] = [[] for _ in range(n)]
    for t in fig.data:
        if t.showlegend is False or not t.name:
            continue
        i = 0 if not t.legend or t.legend == "legend" else int(t.legend[6:]) - 1
        if i < n:
            names[i].append(t.name)
    return names


def _legend_rows(names: list[str], title: str, plot_px: int) -> int:
    """Rows of a horizontal legend: entries (symbol + text, ~7 px a character at 12 px) wrap at the plot's width."""
    rows, x = 1, len(title) * 7.0
    for name in names:
        w = 50 + 7.2 * len(name)
        if x + w > plot_px + 60 and x > 0:
            rows, x = rows + 1, 0.0
        x += w
    return rows


def _span_traces(fig: go.Figure, g: pd.DataFrame, y, colour: str, hover: list[str], links: list[str], group: str,
                 row: int | None = None) -> None:
    """Coarse dates as spans: a bar from x0 to x1 (clipped to the window) with a tick at each end,
    hover (and the link) on both ends. Day-precision rows are not passed here."""
    xs, ys, hx, hy, ht, cd = [], [], [], [], [], []
    for (x0, x1, yy, h, url) in zip(g["x0"], g["x1"], y, hover, links):
        xs += [x0, x1, None]
        ys += [yy, yy, None]
        hx += [x0, x1]
        hy += [yy, yy]
        ht += [h, h]
        cd += [url, url]
    kw = {"row": row, "col": 1} if row else {}
    fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", legendgroup=group, showlegend=False, hoverinfo="skip",
                             line={"color": colour, "width": 4}, opacity=0.55), **kw)
    fig.add_trace(go.Scatter(x=hx, y=hy, mode="markers", legendgroup=group, showlegend=False, hovertext=ht,
                             hoverinfo="text", customdata=cd,
                             marker={"symbol": "line-ns-open", "size": 12, "color": colour,
                                     "line": {"width": 2, "color": colour}}), **kw)


# -- chronology ------------------------------------------------------------------------------
def dense_days(ev: Evidence, days: int = 7, min_events: int = 8, share: float = 0.2) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """The densest run of `days` days in the window, when it is worth a chart of its own: it holds
    at least `min_events` dated points and `share` of all of them, and the whole chronology spans
    more than three times as long (otherwise the main chart already shows it at day scale).
    Returns (first day, last day) of the points in it, or None."""
    e = timeline_events(ev)
    pts = e[~e["is_span"]] if len(e) else e
    if len(pts) < min_events:
        return None
    d = pts["x0"].dt.normalize().sort_values().reset_index(drop=True)
    if (e["x1"].max() - e["x0"].min()).days <= 3 * days:
        return None
    best, best_i = 0, 0
    j = 0
    for i in range(len(d)):
        while d[j] <= d[i] - pd.Timedelta(days=days):
            j += 1
        if i - j + 1 > best:
            best, best_i = i - j + 1, i
    if best < min_events or best < share * len(d):
        return None
    last = d[best_i]
    first = d[best_i - best + 1]
    return first, last


def _phase_bands(fig: go.Figure, ev: Evidence, lo: pd.Timestamp, hi: pd.Timestamp, plot_px: int = 600) -> int:
    """Shade the campaign's phases (data/context/phases.csv) and write each one's name above the
    plot, wrapped to its band; a name that would touch its neighbour goes up a row. Returns the
    height in pixels the names need above the plot."""
    ph = phases(ev)
    bands = []
    for r in ph.itertuples():
        if pd.isna(r.start):
            continue
        end = r.end if pd.notna(r.end) else hi
        x0, x1 = max(r.start, lo), min(end, hi)
        if x1 > x0:
            bands.append((x0, x1, r.name))
    total = max((hi - lo).total_seconds(), 1)
    px = lambda x: (x - lo).total_seconds() / total * plot_px
    char_px, line_px = 6.8, 14
    rows: list[float] = []  # right edge of the last label in each row
    placed = []
    for i, (x0, x1, name) in enumerate(bands):
        fig.add_vrect(x0=x0, x1=x1, fillcolor=("#eeeeee", "#dcdcdc")[i % 2], opacity=0.7, layer="below", line_width=0)
        p0, p1 = px(x0), px(x1)
        lines = textwrap.wrap(name, max(20, int((p1 - p0) / char_px)), break_on_hyphens=False)
        w = max(len(s) for s in lines) * char_px
        left = min(max((p0 + p1) / 2 - w / 2, 0), plot_px - w)
        row = next((k for k, edge in enumerate(rows) if left >= edge + 8), len(rows))
        if row == len(rows):
            rows.append(0.0)
        rows[row] = left + w
        anchor = "left" if left <= 0 else "right" if left + w >= plot_px else "center"
        x = lo if anchor == "left" else hi if anchor == "right" else x0 + (x1 - x0) / 2
        placed.append((row, len(lines), x, anchor, lines, name))
    heights = [max([n for r, n, *_ in placed if r == k] or [1]) * line_px + 4 for k in range(len(rows))]
    for row, _n, x, anchor, lines, name in placed:
        fig.add_annotation(x=x, y=1.0, yref="paper", xanchor=anchor, yanchor="bottom", yshift=2 + sum(heights[:row]),
                           text="<br>".join(esc(s) for s in lines), showarrow=False, align=anchor if anchor != "center" else "center",
                           font={"size": MIN_FONT_PX, "color": "#333"}, hovertext=esc(f"Phase: {name}"))
    return sum(heights)


def timeline(ev: Evidence, height: int = 520, days: tuple[pd.Timestamp, pd.Timestamp] | None = None,
             plot_px: int = 600) -> go.Figure:
    """Events on a date axis: lanes by event type, colour by the side that acted, symbol by tier.
    Events sharing a day and lane are spread vertically so none hides another; an event known
    only to a month, year or range is drawn as a span over that period (clipped to the window),
    never as a point on its first day. `days` (first, last): only those days, at day scale."""
    title = "Chronology of events"
    e = timeline_events(ev)
    if days is not None and len(e):
        a, b = days[0], days[1] + pd.Timedelta(hours=23, minutes=59)
        # events dated to the day only: a month or range spans the whole zoom and is in the main chart
        e = e[(~e["is_span"]) & (e["x0"] >= a) & (e["x0"] <= b)].copy()
        title = f"The densest days in detail: {fmt_date(days[0])} to {fmt_date(days[1])} (events dated to the day)"
    if e.empty:
        return empty(title, "No events in this window.")
    lanes = [t for t in EVENT_TYPE_LABELS if t in set(e["event_type"])]
    lane_pos = {t: i for i, t in enumerate(reversed(lanes))}
    key = e["x0"].dt.normalize()
    rank = e.groupby([e["event_type"], key]).cumcount()
    size = e.groupby([e["event_type"], key])["claim_id"].transform("count")
    e["y"] = [lane_pos[t] + (r - (n - 1) / 2) * min(0.14, 0.7 / max(n, 1)) for t, r, n in zip(e["event_type"], rank, size)]
    if days is not None:  # at day scale, spread a day's points across the day too
        e.loc[~e["is_span"], "x0"] = [x + pd.Timedelta(hours=4 + 16 * (r % 3) / 2) for x, r in
                                      zip(e.loc[~e["is_span"], "x0"], rank[~e["is_span"]])]
    fig = go.Figure(layout=layout(title, "Date", None, height=max(height, 34 * len(lanes) + 230)))
    for side in style.SIDE_COLOURS:
        if not (e["side"] == side).any():
            continue
        _legend_only(fig, style.SIDE_LABELS[side], marker={"symbol": "square", "size": 12, "color": style.SIDE_COLOURS[side]},
                     group=side)
        for tier, symbol in style.TIER_SYMBOLS.items():
            g = e[(e["side"] == side) & (e["display_tier"] == tier)]
            if g.empty:
                continue
            recs = list(g.itertuples())
            hover = [
                f"<b>{esc(r.summary, 70)}</b><br>{esc(r.date_text)}{' (only partly inside the window)' if r.partial else ''}"
                f" · {esc(EVENT_TYPE_LABELS[r.event_type])}"
                f"<br>Acted: {esc(r.actors_text or '—')}" + (f" · hit: {esc(r.targets)}" if r.targets else "")
                + f"<br>Status: {esc(r.status)} · grade: {esc(r.grade_text)}"
                f"<br>Source: {esc(r.citation)}"
                + (f"<br><i>“{esc(r.quote, 80)}”</i>" if r.quote else "") + CLICK_HINT
                for r in recs
            ]
            links = [link(r.claim_id, r.tier, r.source_id) for r in recs]
            spans = g["is_span"].to_numpy()
            if spans.any():
                _span_traces(fig, g[spans], g.loc[spans, "y"], style.SIDE_COLOURS[side],
                             [h for h, sp in zip(hover, spans) if sp], [u for u, sp in zip(links, spans) if sp], side)
            pts = g[~spans]
            fig.add_trace(go.Scatter(
                x=pts["x0"], y=pts["y"], mode="markers", name=style.SIDE_LABELS[side], legendgroup=side, showlegend=False,
                marker={"color": style.SIDE_COLOURS[side], "symbol": symbol, "size": 10,
                        "line": {"width": 1.5, "color": style.SIDE_COLOURS[side] if "open" in symbol else "white"}},
                hovertext=[h for h, sp in zip(hover, spans) if not sp], hoverinfo="text",
                customdata=[u for u, sp in zip(links, spans) if not sp],
            ))
    for tier in style.TIER_SYMBOLS:
        if (e["display_tier"] == tier).any():
            _legend_only(fig, style.TIER_LABELS[tier], legend="legend2", group="tier-" + tier,
                         marker={"symbol": style.TIER_SYMBOLS[tier], "size": 10, "color": TIER_GREY,
                                 "line": {"width": 1.5, "color": TIER_GREY}})
    fig.update_yaxes(tickvals=list(lane_pos.values()), ticktext=[EVENT_TYPE_LABELS[t] for t in lane_pos],
                     range=[-0.6, len(lanes) - 0.4], zeroline=False, showgrid=True)
    if days is None:
        lo, hi = _window_range(ev, e["x0"].min(), e["x1"].max())
    else:
        lo, hi = days[0] - pd.Timedelta(hours=2), days[1] + pd.Timedelta(hours=26)
    top = 50 + _phase_bands(fig, ev, lo, hi, plot_px)
    fig.update_xaxes(type="date", range=[lo, hi])
    if days is not None:
        fig.update_xaxes(dtick=86400000, tickformat="%d %b")
    fig.update_layout(margin={"t": top, "l": 130})
    _legends_below(fig, ["Side that acted: ", "Tier: "], axis_px=60, min_plot_h=30 * len(lanes))
    set_source(fig, _sources_text(ev, e["source_id"]))
    return fig


# -- backers ---------------------------------------------------------------------------------
def _network_positions(ev: Evidence, s: pd.DataFrame) -> dict[str, tuple[float, float]]:
    """Bipartite layout: backers left, grouped by the camp they back (LNA, both/other, GNA),
    recipients right in the same order; labels sit outside, edges run between."""
    a = ev.actors.set_index("actor_id")
    side = lambda n: a.loc[n, "side"] if n in a.index else "neutral"
    order = {"lna": 0, "mixed": 1, "neutral": 1, "other": 1, "gna": 2}

    def camp_rank(n: str) -> int:
        backs = {side(r) for r in s.loc[s["backer_id"] == n, "recipient_id"]} & {"lna", "gna"}
        return 0 if backs == {"lna"} else 2 if backs == {"gna"} else 1

    backers = sorted(set(s["backer_id"]), key=lambda n: (camp_rank(n), ev.actor_name(n)))
    recips = sorted(set(s["recipient_id"]), key=lambda n: (order.get(side(n), 1), ev.actor_name(n)))
    pos: dict[str, tuple[float, float]] = {}
    y, last = 0.0, None
    for n in backers:
        if last is not None and camp_rank(n) != last:
            y -= 0.6  # gap between groups
        pos["b:" + n] = (0.0, y)
        last = camp_rank(n)
        y -= 1.0
    lo = y + 1.0
    k = len(recips)
    for i, n in enumerate(recips):
        pos["r:" + n] = (1.0, lo * (i + 0.5) / k if k > 1 else lo / 2)
    return pos


GROUP_TEXT = {"material": "Material support", "diplomatic": "Diplomatic support (not backing)", "unspecified": "Unspecified support"}
GROUP_DASH = {"material": "solid", "diplomatic": "dot", "unspecified": "dash"}


def _drawn_support(ev: Evidence) -> pd.DataFrame:
    """Support claims the network draws: not refuting, on keys some source supports or qualifies."""
    s = ev.support
    if s.empty:
        return s
    gr = grades.grades(ev, "support")
    s = s[s["support_key"].map(lambda k: k not in gr.index or gr.loc[k, "n_supporting"] + gr.loc[k, "n_qualifying"] > 0)]
    return s[s["stance"] != "refutes"] if "stance" in s else s


def _pair_grade(ev: Evidence, keys) -> str:
    """The strongest grade among a pair's keys (the hover lists each key's own grade)."""
    gr = grades.grades(ev, "support")
    found = {gr.loc[k, "grade"] for k in keys if k in gr.index}
    return next((g for g in GRADE_STYLE if g in found), "single_source")


def network(ev: Evidence, height: int | None = None, label_width: int = 24) -> go.Figure:
    """Parties and their backers: backers left (grouped by the camp they back), recipients right,
    nodes coloured by side. One line per backer, recipient and group of support: solid for
    material support, dotted for diplomatic support (not backing); its colour and width give the
    strongest evidence grade among the pair's claims. The marker on a line lists each kind of
    support with its grade and sources (click: the source's words)."""
    title = "Who backs whom"
    if ev.support.empty:
        return empty(title, "No backer relationships reported in this window.")
    s = _drawn_support(ev)
    if s.empty:
        return empty(title, "Every backer relationship in this window is refuted.")
    pos = _network_positions(ev, s)
    n_rows = sum(1 for k in pos if k.startswith("b:"))
    fig = go.Figure(layout=layout(title, height=height or max(560, 32 * n_rows + 260)))
    s = s.assign(group=s["support_type"].map(lambda t: grades.support_group(ev, t)))
    groups = [g for g in ("material", "unspecified", "diplomatic") if (s["group"] == g).any()]
    shown: set[tuple[str, str]] = set()
    for gi, group in enumerate(groups):
        part = s[s["group"] == group]
        by_grade: dict[str, dict[str, list]] = {}
        for (b, r), grp in part.groupby(["backer_id", "recipient_id"]):
            grade = _pair_grade(ev, set(grp["support_key"]))
            d = by_grade.setdefault(grade, {"xs": [], "ys": [], "mx": [], "my": [], "mh": [], "cd": []})
            (x0, y0), (x1, y1) = pos["b:" + b], pos["r:" + r]
            off = (gi - (len(groups) - 1) / 2) * 0.12
            d["xs"] += [x0, x1, None]
            d["ys"] += [y0 + off, y1 + off, None]
            f = 0.22 + 0.08 * gi
            d["mx"].append(x0 + (x1 - x0) * f)
            d["my"].append(y0 + (y1 - y0) * f + off)
            kinds = []
            for t, kg in grp.groupby("support_type", sort=False):
                key = kg["support_key"].iloc[0]
                detail = "; ".join(x for x in kg["detail"] if x)
                commentary = " (forum commentary only)" if (kg["status"] == "commentary").all() else ""
                kinds.append(f"<b>{esc(SUPPORT_LABELS[t])}</b>{commentary}: {esc(grades.grade_text(ev, 'support', key), 70)}"
                             + (f"<br>{esc(detail, 80)}" if detail else "")
                             + f"<br>Sources: {esc('; '.join(sorted({ev.cite(x) for x in kg['source_id']})), 80)}")
            d["mh"].append(f"<b>{esc(ev.actor_name(b))} → {esc(ev.actor_name(r))}</b> · {esc(GROUP_TEXT[group])}<br>"
                           + "<br>".join(kinds) + CLICK_HINT)
            first = grp.sort_values("tier").iloc[0]
            d["cd"].append(link(first["claim_id"], first["tier"], first["source_id"]))
        for grade, (colour, width) in GRADE_STYLE.items():
            if grade not in by_grade:
                continue
            d = by_grade[grade]
            if group == "diplomatic":
                width = max(1.2, width - 0.8)
            name = f"{GROUP_TEXT[group].split(' (')[0]}, {grades.grade_label(ev, grade).lower()}"
            gkey = f"{group}-{grade}"
            fig.add_trace(go.Scatter(x=d["xs"], y=d["ys"], mode="lines", name=name, legendgroup=gkey,
                                     showlegend=(group, grade) not in shown,
                                     line={"color": colour, "width": width, "dash": GROUP_DASH[group]},
                                     hoverinfo="skip", opacity=0.9))
            shown.add((group, grade))
            fig.add_trace(go.Scatter(x=d["mx"], y=d["my"], mode="markers", legendgroup=gkey, showlegend=False,
                                     marker={"size": 9, "color": colour, "symbol": "circle" if group == "material" else "circle-open",
                                             "line": {"width": 1.5, "color": colour}},
                                     hovertext=d["mh"], hoverinfo="text", customdata=d["cd"]))
    a = ev.actors.set_index("actor_id")
    for side in style.SIDE_COLOURS:
        keys = [k for k in pos if (a.loc[k[2:], "side"] if k[2:] in a.index else "neutral") == side]
        if not keys:
            continue
        _legend_only(fig, style.SIDE_LABELS[side], legend="legend2", group="side-" + side,
                     marker={"symbol": "square", "size": 12, "color": style.SIDE_COLOURS[side]})
        fig.add_trace(go.Scatter(
            x=[pos[k][0] for k in keys], y=[pos[k][1] for k in keys], mode="markers+text", showlegend=False,
            name=style.SIDE_LABELS[side],
            text=[esc(ev.actor_name(k[2:]), label_width) for k in keys],
            textposition=["middle left" if k.startswith("b:") else "middle right" for k in keys],
            marker={"size": 13, "color": style.SIDE_COLOURS[side], "line": {"width": 1, "color": "white"}, "symbol": "circle"},
            hovertext=[esc(ev.actor_name(k[2:])) for k in keys], hoverinfo="text", textfont={"size": MIN_FONT_PX + 1},
            cliponaxis=False,
        ))
    ys = [p[1] for p in pos.values()]
    fig.update_xaxes(visible=False, range=[-0.95, 1.95])
    fig.update_yaxes(visible=False, range=[min(ys) - 0.6, max(ys) + 0.9])
    for x, label in ((0.0, "Backers"), (1.0, "Recipients")):
        fig.add_annotation(x=x, y=1.0, yref="paper", yanchor="bottom", text=f"<b>{label}</b>", showarrow=False,
                           font={"size": MIN_FONT_PX + 1, "color": "#333"})
    fig.update_layout(margin={"t": 80, "l": 10, "r": 10})
    _legends_below(fig, ["Line: ", "Node: the actor's side: "], axis_px=10, min_plot_h=30 * n_rows)
    set_source(fig, _sources_text(ev, s["source_id"]))
    # on a phone: room for the node labels either side, in a smaller font (applied by _static/lr-charts.js)
    set_narrow(fig, layout={"xaxis.range": [-1.9, 2.9]}, traces={"textfont.size": 9})
    return fig


def backer_matrix(ev: Evidence, height: int = 420) -> go.Figure:
    """Material backer × recipient: colour and number = independent supporting sources (lines of
    evidence; outlets relaying one originator count once; refutations never count); ✱ marks a
    pair with a refuted or contested claim; the kinds of support are in the hover. Diplomatic
    support is not backing and is not shown."""
    title = "Material backers and recipients"
    s = ev.support
    material = grades.material_types(ev)
    s = s[s["support_type"].isin(material) & (s["status"] != "commentary")] if len(s) else s
    if s.empty:
        return empty(title, "No material support reported in this window.")
    gr = grades.grades(ev, "support")
    cells = {}
    for (b, r), grp in s.groupby(["backer_id", "recipient_id"]):
        lines = {grades.line_of(ev, "support", row) for row in grp.to_dict("records") if row.get("stance", "supports") == "supports"}
        keys = set(grp["support_key"])
        contested = any(gr.loc[k, "grade"] == "contested" for k in keys if k in gr.index)
        refuted = (grp.get("stance", pd.Series(dtype=str)) == "refutes").any()
        kinds = ", ".join(SUPPORT_LABELS[k] for k in sorted(set(grp["support_type"])))
        mark = "refuted by a source" if refuted else ("contested" if contested else "")
        first = grp.sort_values("tier").iloc[0]
        cells[(b, r)] = (len(lines), kinds, mark, link(first["claim_id"], first["tier"], first["source_id"]))
    backers = sorted({b for b, _ in cells}, key=ev.actor_name)
    recips = sorted({r for _, r in cells}, key=ev.actor_name)
    z = [[cells[(b, r)][0] if (b, r) in cells else None for r in recips] for b in backers]
    text = [[f"{cells[(b, r)][0]}{' ✱' if cells[(b, r)][2] else ''}" if (b, r) in cells else "" for r in recips] for b in backers]
    hover = [[(f"{esc(ev.actor_name(b))} → {esc(ev.actor_name(r))}<br>{esc(cells[(b, r)][1], 60)}<br>"
               f"{cells[(b, r)][0]} independent supporting source(s); refutations not counted"
               + (f"<br>✱ {cells[(b, r)][2]}" if cells[(b, r)][2] else "")) if (b, r) in cells else "" for r in recips]
             for b in backers]
    cd = [[cells[(b, r)][3] if (b, r) in cells else "" for r in recips] for b in backers]
    zmax = max(max(v for v in row if v is not None) for row in z if any(v is not None for v in row))
    fig = go.Figure(go.Heatmap(
        z=z, x=[esc(ev.actor_name(r), 16) for r in recips], y=[esc(ev.actor_name(b)) for b in backers], text=text,
        texttemplate="%{text}", textfont={"size": MIN_FONT_PX + 2}, colorscale=[[0, "#deebf7"], [1, "#08519c"]],
        xgap=2, ygap=2, zmin=0, zmax=max(zmax, 2), customdata=cd, hovertext=hover, hoverinfo="text",
        colorbar={"title": {"text": "Independent<br>supporting<br>sources", "font": {"size": MIN_FONT_PX + 1}},
                  "dtick": 1, "tickfont": {"size": MIN_FONT_PX + 1}},
    ), layout=layout(title, "Recipient", "Backer", height=max(height, 36 * len(backers) + 190)))
    fig.update_yaxes(autorange="reversed", automargin=True)
    fig.update_xaxes(automargin=True)
    fig.update_layout(margin={"l": 170, "b": 110})
    set_source(fig, _sources_text(ev, s["source_id"]))
    return fig


# -- humanitarian toll -------------------------------------------------------------------------
def _toll_rows(sub: pd.DataFrame, near: pd.Timedelta) -> tuple[pd.DataFrame, int, dict[str, float]]:
    """Lay out one panel: a row per scope (population · place), top to bottom in name order;
    reports of a row closer in time than `near` are stacked one line apart so their number labels
    never overlap. Returns the rows with `_y` and `_pos` (label side), the panel's line count and
    each scope's tick position."""
    sub = sub.assign(_mid=[x0 + (x1 - x0) / 2 for x0, x1 in zip(sub["x0"], sub["x1"])]).sort_values(["scope", "_mid", "claim_id"])
    lo, hi = sub["_mid"].min(), sub["_mid"].max()
    stack: dict[int, int] = {}
    for sc, g in sub.groupby("scope", sort=False):
        start, k = None, 0
        for i, x in zip(g.index, g["_mid"]):
            if start is None or x - start >= near:
                start, k = x, 0
            else:
                k += 1
            stack[i] = k
    depth = {sc: max(stack[i] for i in g.index) + 1 for sc, g in sub.groupby("scope", sort=False)}
    ticks, base, y = {}, {}, 0
    for sc in sorted(depth, reverse=True):
        base[sc] = y
        ticks[sc] = y + (depth[sc] - 1) / 2
        y += depth[sc] + 0.6
    sub["_y"] = [base[sc] + depth[sc] - 1 - stack[i] for i, sc in zip(sub.index, sub["scope"])]
    right = lo + (hi - lo) * 0.8 if hi > lo else hi
    sub["_pos"] = ["middle left" if x > right and x - lo > near else "middle right" for x in sub["_mid"]]
    return sub, max(round(y - 0.6), 1), ticks


def tolls_over_time(ev: Evidence, height: int | None = None, metrics: tuple[str, ...] | None = None,
                    plot_px: int = 600) -> go.Figure:
    """Reported figures by as-of date: one panel per kind of figure (killed, injured, displaced …),
    one row per population and place in it, each report a point labelled with its number (a
    low–high range when one was reported). Figures of different scopes sit on different rows and
    are never put on one value axis, so none is ranked against another. Colour: the reporting
    body; symbol: the tier; a bar: the figure is dated only to a month or range."""
    title = "Reported humanitarian figures, by kind, population and place"
    t = ev.tolls
    if metrics is not None and len(t):
        t = t[t["metric"].isin(metrics)]
    if t.empty:
        return empty(title, "No humanitarian figures reported in this window.")
    t = with_spans(ev, t, "tolls")
    t["scope"] = [f"{population_text(ev, p)} · {pl}" for p, pl in zip(t["population"], t["place"])]
    order = [m for m in METRIC_LABELS if m in set(t["metric"])]
    lo, hi = _window_range(ev, t["x0"].min(), t["x1"].max())
    near = (hi - lo) / 6  # reports closer than this in one row are stacked, each label on its own line
    layouts = {m: _toll_rows(t[t["metric"] == m], near) for m in order}
    slots = sum(n for _, n, _ in layouts.values())
    height = height or 17 * slots + 70 * len(order) + 250
    fig = make_subplots(rows=len(order), cols=1, shared_xaxes=True, vertical_spacing=min(0.05, 40 / height),
                        row_heights=[layouts[m][1] + 1.2 for m in order],
                        subplot_titles=[esc(METRIC_LABELS[m]) for m in order])
    fig.update_layout(**layout(title, height=height))
    for a in fig.layout.annotations:
        a.update(font={"size": MIN_FONT_PX + 2}, xanchor="left", x=0)
    top = list(t["reported_by"].value_counts().sort_index(kind="stable").sort_values(ascending=False, kind="stable").index[:7])
    reporters = sorted(top, key=ev.actor_name)
    colour = {r: COLOURS[i] for i, r in enumerate(reporters)}
    other = set(t["reported_by"]) - set(colour)
    colour.update({r: style.OKABE_ITO["grey"] for r in other})
    legend_name = {r: ev.actor_name(r) if r in reporters else "Other bodies" for r in set(t["reported_by"])}
    for r in reporters + ([next(iter(other))] if other else []):
        _legend_only(fig, legend_name[r], marker={"symbol": "square", "size": 12, "color": colour[r]}, group="rep-" + legend_name[r])
    for row, m in enumerate(order, 1):
        sub, n_slots, ticks = layouts[m]
        for (rep, tier), g in sub.groupby(["reported_by", "tier"]):
            recs = [(r, r._asdict()) for r in g.itertuples()]
            hover = [f"<b>{esc(METRIC_LABELS[r.metric])}: {esc(figure_text(d))}</b>"
                     + (f" (range {esc(figure_text({**d, 'low': r.low, 'high': r.high}))})" if pd.notna(r.high) else "")
                     + f"<br>Who: {esc(population_text(ev, r.population))} · where: {esc(r.place)}"
                     f"<br>Period: {esc(period_text(d))}{' (only partly inside the window)' if r.partial else ''}"
                     f"<br>Reported by {esc(reporter_text(ev, d))}<br>Grade: {esc(grades.grade_text(ev, 'tolls', r.figure_id), 80)}"
                     f"<br>Source: {esc(ev.cite(r.source_id))}" + CLICK_HINT
                     for r, d in recs]
            links = [link(r.claim_id, r.tier, r.source_id) for r, _ in recs]
            spans = g["is_span"].to_numpy()
            if spans.any():
                _span_traces(fig, g[spans], g.loc[spans, "_y"], colour[rep], [h for h, sp in zip(hover, spans) if sp],
                             [u for u, sp in zip(links, spans) if sp], "rep-" + legend_name[rep], row=row)
            fig.add_trace(go.Scatter(
                x=[(x1 if pos.endswith("right") else x0) if sp else x0 for x0, x1, sp, pos in zip(g["x0"], g["x1"], spans, g["_pos"])],
                y=g["_y"],
                mode="markers+text", text=[esc(figure_text(d)) for _, d in recs],
                textposition=list(g["_pos"]), textfont={"size": MIN_FONT_PX, "color": "#222"}, cliponaxis=False,
                legendgroup="rep-" + legend_name[rep], showlegend=False, name=legend_name[rep],
                hovertext=hover, hoverinfo="text", customdata=links,
                marker={"color": colour[rep], "size": [0 if sp else 10 for sp in spans], "symbol": style.TIER_SYMBOLS[tier],
                        "line": {"width": 2, "color": colour[rep]}},
            ), row=row, col=1)
        fig.update_yaxes(tickvals=list(ticks.values()), ticktext=[esc(k, 34) for k in ticks], range=[-0.7, n_slots - 0.3],
                         showgrid=True, gridcolor="#e5e5e5", zeroline=False, showline=True, linecolor="#444",
                         automargin=True, row=row, col=1)
        fig.update_xaxes(showline=True, linecolor="#444", gridcolor="#e5e5e5", row=row, col=1)
    for tier in style.TIER_SYMBOLS:
        if (t["tier"] == tier).any():
            _legend_only(fig, style.TIER_LABELS[tier], legend="legend2", group="tier-" + tier,
                         marker={"symbol": style.TIER_SYMBOLS[tier], "size": 10, "color": TIER_GREY,
                                 "line": {"width": 1.5, "color": TIER_GREY}})
    fig.update_xaxes(type="date", range=[lo, hi])
    fig.update_xaxes(title_text="As-of date (a bar: the figure is dated only to that month or range)", row=len(order), col=1)
    fig.update_layout(margin={"t": 70, "l": 200, "r": 30})
    _legends_below(fig, ["Reported by: ", "Tier: "], axis_px=60, min_plot_h=17 * slots + 50 * len(order))
    set_source(fig, _sources_text(ev, t["source_id"]))
    return fig


# -- international response --------------------------------------------------------------------
def responses_timeline(ev: Evidence, height: int = 480) -> go.Figure:
    """Who said or did what, when: one lane per actor, outside states and bodies above the parties
    and their backers; each kind of response its own colour and symbol pair; coarse dates as
    spans clipped to the window."""
    title = "International responses"
    r = ev.responses.copy()
    if r.empty:
        return empty(title, "No international responses in this window.")
    outside = outside_actor_ids(ev)
    r = with_spans(ev, r, "responses")
    r["role"] = ["outside" if a in outside else "party" for a in r["actor_id"]]
    r["actor"] = [esc(ev.actor_name(a) + ("" if role == "outside" else " (party or backer)")) for a, role in zip(r["actor_id"], r["role"])]
    kinds = [k for k in RESPONSE_LABELS if k in set(r["response_type"])]
    fig = go.Figure(layout=layout(title, "Date", None, height=max(height, 24 * r["actor"].nunique() + 120)))
    for i, k in enumerate(kinds):
        g = r[r["response_type"] == k]
        colour, symbol = marker_style(i)
        recs = list(g.itertuples())
        hover = [f"<b>{esc(x.summary, 70)}</b><br>{esc(fmt_date(x.date, x.date_precision, x.date_end))}"
                 f"{' (only partly inside the window)' if x.partial else ''} · "
                 f"{esc(ev.actor_name(x.actor_id))}{' → ' + esc(ev.actor_name(x.target_id)) if x.target_id else ''}"
                 f"<br>{esc(RESPONSE_LABELS[k])} · {'outside state or body' if x.role == 'outside' else 'a party or its backer'}"
                 f" · grade: {esc(grades.grade_text(ev, 'responses', x.response_id), 80)}"
                 f"<br>Source: {esc(ev.cite(x.source_id))}" + (f"<br><i>“{esc(x.quote, 80)}”</i>" if x.quote else "")
                 + CLICK_HINT for x in recs]
        links = [link(x.claim_id, x.tier, x.source_id) for x in recs]
        spans = g["is_span"].to_numpy()
        if spans.any():
            _span_traces(fig, g[spans], g.loc[spans, "actor"], colour, [h for h, sp in zip(hover, spans) if sp],
                         [u for u, sp in zip(links, spans) if sp], k)
        pts = g[~spans]
        fig.add_trace(go.Scatter(x=pts["x0"], y=pts["actor"], mode="markers", name=esc(RESPONSE_LABELS[k]), legendgroup=k,
                                 showlegend=True,
                                 marker={"size": 11, "color": colour, "symbol": symbol, "line": {"width": 1, "color": "white"}},
                                 hovertext=[h for h, sp in zip(hover, spans) if not sp], hoverinfo="text",
                                 customdata=[u for u, sp in zip(links, spans) if not sp]))
    order = sorted(set(r["actor"]), key=lambda a: (a.endswith("(party or backer)"), a))
    fig.update_yaxes(categoryorder="array", categoryarray=list(reversed(order)), title={"text": ""}, automargin=True)
    lo, hi = _window_range(ev, r["x0"].min(), r["x1"].max())
    fig.update_xaxes(range=[lo, hi])
    fig.update_layout(margin={"l": 200, "t": 60})
    _legends_below(fig, ["Kind of response: "], axis_px=60, min_plot_h=28 * r["actor"].nunique())
    set_source(fig, _sources_text(ev, r["source_id"]))
    set_axis_names(fig, y="Actor")
    return fig


def response_matrix(ev: Evidence, height: int = 460) -> go.Figure:
    """Actor × kind of response: colour and number = distinct responses (a response reported by
    several sources counts once)."""
    title = "International responses by actor and kind"
    r = ev.responses
    if r.empty:
        return empty(title, "No international responses in this window.")
    g = r.groupby(["actor_id", "response_type"])["response_id"].nunique()
    actors = sorted(set(r["actor_id"]), key=ev.actor_name)
    kinds = [k for k in RESPONSE_LABELS if k in set(r["response_type"])]
    z = [[int(g.get((a, k), 0)) or None for k in kinds] for a in actors]
    fig = go.Figure(go.Heatmap(
        z=z, x=[esc(RESPONSE_LABELS[k]) for k in kinds], y=[esc(ev.actor_name(a)) for a in actors], texttemplate="%{z}",
        textfont={"size": MIN_FONT_PX + 1}, colorscale=[[0, "#fee6ce"], [1, "#a63603"]], xgap=2, ygap=2,
        colorbar={"title": {"text": "Distinct<br>responses", "font": {"size": MIN_FONT_PX + 1}}, "dtick": 1,
                  "tickfont": {"size": MIN_FONT_PX + 1}},
        hovertemplate="%{y}: %{x}<br>%{z} distinct response(s)<extra></extra>",
    ), layout=layout(title, None, None, height=max(height, 26 * len(actors) + 220)))
    fig.update_yaxes(autorange="reversed", automargin=True)
    fig.update_xaxes(tickangle=-35, automargin=True)
    fig.update_layout(margin={"l": 200, "b": 150})
    set_source(fig, _sources_text(ev, r["source_id"]))
    set_axis_names(fig, x="Kind of response", y="Actor")
    return fig
