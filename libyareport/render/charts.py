"""Every chart of the book and the briefing. One function per figure; each returns a plotly
Figure with a title, axis labels and a source line, in colours (and symbols) that stay
distinguishable for colour-blind readers and in black and white. Text from the data is
HTML-escaped before it reaches a hover label."""
from __future__ import annotations

import html
import textwrap

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from libyareport.content.findings import timeline_events
from libyareport.content.text import METRIC_LABELS, figure_text, fmt_date
from libyareport.evidence import grades
from libyareport.evidence.labels import Labels
from libyareport.evidence.model import Evidence
from libyareport.render import style

EVENT_TYPE_LABELS = Labels("events", "event_type")
RESPONSE_LABELS = Labels("responses", "response_type")
SUPPORT_LABELS = Labels("support", "support_type")


def esc(text: object, width: int = 70) -> str:
    """Escape data text for a hover label, wrapped to lines of `width`."""
    s = "" if text is None or (isinstance(text, float) and pd.isna(text)) else str(text)
    # quote=False: plotly does not decode &quot; in hover labels; < > & are what must be escaped
    return "<br>".join(html.escape(line, quote=False) for line in textwrap.wrap(s, width) or [""])


def _label(text: object) -> str:
    """A name used as an axis category, legend entry or tick label: escaped, not wrapped
    (plotly draws <a>, <b>, … in labels as markup, so a name must never reach it raw)."""
    return html.escape(str(text), quote=False)


def _source_line(fig: go.Figure, text: str) -> None:
    """Attach the figure's source line; the book and the briefing print it under the chart."""
    fig.update_layout(meta={"source_line": text})


def _axis_names(fig: go.Figure, **names: str) -> None:
    """Name axes that carry no visible title, for the chart's data table and text alternative."""
    meta = dict(fig.layout.meta) if isinstance(fig.layout.meta, dict) else {}
    fig.update_layout(meta={**meta, "axis_names": names})


def source_line(fig: go.Figure) -> str:
    meta = fig.layout.meta
    return meta.get("source_line", "") if isinstance(meta, dict) else ""


def _legend2(fig: go.Figure, entries: list[tuple[str, dict]], y: float = 1.0) -> None:
    """A second legend for marker symbols (tiers), so colour and symbol are explained separately."""
    for name, marker in entries:
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=name, marker=marker,
                                 legend="legend2", showlegend=True, hoverinfo="skip"))
    fig.update_layout(legend2={"orientation": "h", "yanchor": "bottom", "y": max(y, 1.0), "x": 0,
                               "title": {"text": "Tier: "}, "font": {"size": 11}})
    fig.update_layout(margin={"t": max(95 if y <= 1.0 else 115, fig.layout.margin.t or 0)})


def _tier_legend(fig: go.Figure, tiers, y: float) -> None:
    _legend2(fig, [(style.TIER_LABELS[t], {"symbol": style.TIER_SYMBOLS[t], "color": "#555", "size": 10,
                                           "line": {"width": 1.5, "color": "#555"}}) for t in style.TIER_SYMBOLS if t in tiers], y)


def _empty(title: str, message: str, height: int = 260) -> go.Figure:
    fig = go.Figure(layout=style.base_layout(title, height=height))
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    fig.add_annotation(text=html.escape(message), x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False,
                       font={"size": 14})
    return fig


def _sources_text(ev: Evidence, ids) -> str:
    """'Sources: CNN, 8 Apr 2019; … Public record: 12 references (see Sources and method).'"""
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
    pad = pd.Timedelta(days=max(3, span // 30))
    a, b = lo - pad, hi + pad
    if ev.window.start:
        a = max(a, pd.Timestamp(ev.window.start))
    if ev.window.end:
        b = min(b, pd.Timestamp(ev.window.end) + pd.Timedelta(hours=23))
    return a, b


def _span_traces(fig: go.Figure, g: pd.DataFrame, y: pd.Series, colour: str, hover: list[str], group: str,
                 row: int | None = None, yvals: pd.Series | None = None, **marker) -> None:
    """Coarse dates as spans: a bar from x0 to x1 (clipped to the window) with a tick at each end,
    hover on both ends. Day-precision rows are not passed here."""
    xs, ys, hx, hy, ht = [], [], [], [], []
    for (x0, x1, yy, h) in zip(g["x0"], g["x1"], y, hover):
        xs += [x0, x1, None]
        ys += [yy, yy, None]
        hx += [x0, x1]
        hy += [yy, yy]
        ht += [h, h]
    kw = {"row": row, "col": 1} if row else {}
    fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", legendgroup=group, showlegend=False, hoverinfo="skip",
                             line={"color": colour, "width": 4}, opacity=0.55), **kw)
    fig.add_trace(go.Scatter(x=hx, y=hy, mode="markers", legendgroup=group, showlegend=False, hovertext=ht,
                             hoverinfo="text", marker={"symbol": "line-ns-open", "size": 12, "color": colour,
                                                       "line": {"width": 2, "color": colour}}), **kw)


def timeline(ev: Evidence, height: int = 500) -> go.Figure:
    """Events on a date axis: lanes by event type, colour by the side that acted, symbol by tier.
    Events sharing a day and lane are spread vertically so none hides another; an event known
    only to a month, year or range is drawn as a span over that period (clipped to the window),
    never as a point on its first day."""
    title = "Chronology of events"
    e = timeline_events(ev)
    if e.empty:
        return _empty(title, "No events in this window.")
    lanes = [t for t in EVENT_TYPE_LABELS if t in set(e["event_type"])]
    lane_pos = {t: i for i, t in enumerate(reversed(lanes))}
    rank = e.groupby(["event_type", "x0"]).cumcount()
    size = e.groupby(["event_type", "x0"])["claim_id"].transform("count")
    e["y"] = [lane_pos[t] + (r - (n - 1) / 2) * min(0.14, 0.7 / max(n, 1)) for t, r, n in zip(e["event_type"], rank, size)]
    fig = go.Figure(layout=style.base_layout(title, "Date", "Event type", height=height))
    for side in style.SIDE_COLOURS:
        first = True
        for tier, symbol in style.TIER_SYMBOLS.items():
            g = e[(e["side"] == side) & (e["display_tier"] == tier)]
            if g.empty:
                continue
            hover = [
                f"<b>{esc(r.summary)}</b><br>{esc(r.date_text)}{' (only partly inside the window)' if r.partial else ''}"
                f" · {esc(EVENT_TYPE_LABELS[r.event_type])}"
                f"<br>Acted: {esc(r.actors_text or '—')}" + (f" · hit: {esc(r.targets)}" if r.targets else "")
                + f"<br>Status: {esc(r.status)} · grade: {esc(r.grade_text)}"
                f"<br>Source: {esc(r.citation)}"
                + (f"<br><i>“{esc(r.quote, 80)}”</i>" if r.quote else "")
                for r in g.itertuples()
            ]
            spans = g["is_span"].to_numpy()
            if spans.any():
                _span_traces(fig, g[spans], g.loc[spans, "y"], style.SIDE_COLOURS[side],
                             [h for h, sp in zip(hover, spans) if sp], side)
            pts = g[~spans]
            fig.add_trace(go.Scatter(
                x=pts["x0"], y=pts["y"], mode="markers", name=style.SIDE_LABELS[side], legendgroup=side,
                showlegend=first,
                marker={"color": style.SIDE_COLOURS[side], "symbol": symbol, "size": 10,
                        "line": {"width": 1.5, "color": style.SIDE_COLOURS[side] if "open" in symbol else "white"}},
                hovertext=[h for h, sp in zip(hover, spans) if not sp], hoverinfo="text",
            ))
            first = False
    fig.update_yaxes(tickvals=list(lane_pos.values()), ticktext=[EVENT_TYPE_LABELS[t] for t in lane_pos],
                     range=[-0.6, len(lanes) + 0.1], zeroline=False, showgrid=True)
    from libyareport.content.findings import phases
    ph = phases(ev)
    lo, hi = _window_range(ev, e["x0"].min(), e["x1"].max())
    shade = ["#f0f0f0", "#dedede"]
    for i, r in enumerate(ph.itertuples(), 1):
        if pd.isna(r.start):
            continue
        end = r.end if pd.notna(r.end) else hi
        x0, x1 = max(r.start, lo), min(end, hi)
        if x1 <= x0:
            continue
        fig.add_vrect(x0=x0, x1=x1, fillcolor=shade[i % 2], opacity=0.7, layer="below", line_width=0)
        fig.add_annotation(x=x0 + (x1 - x0) / 2, y=1.0, yref="paper", yanchor="top", text=f"Phase {i}",
                           showarrow=False, font={"size": 10, "color": "#333"}, hovertext=esc(r.name))
    fig.update_xaxes(range=[lo, hi])
    fig.update_layout(legend={"y": -0.17, "title": {"text": "Side that acted: "}}, margin={"t": 95, "b": 80})
    _tier_legend(fig, set(e["display_tier"]), -0.27)
    _source_line(fig, _sources_text(ev, e["source_id"]))
    return fig


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


def network(ev: Evidence, height: int | None = None, label_width: int = 24) -> go.Figure:
    """Parties and their backers: backers left (grouped by the camp they back), recipients right;
    edges coloured and dashed by kind of support; each edge's marker lists detail and sources."""
    title = "Who backs whom"
    s = ev.support
    if s.empty:
        return _empty(title, "No backer relationships reported in this window.")
    gr = grades.grades(ev, "support")
    s = s[s["support_key"].map(lambda k: k not in gr.index or gr.loc[k, "n_supporting"] + gr.loc[k, "n_qualifying"] > 0)]
    s = s[s["stance"] != "refutes"] if "stance" in s else s
    if s.empty:
        return _empty(title, "Every backer relationship in this window is refuted.")
    pos = _network_positions(ev, s)
    n_rows = sum(1 for k in pos if k.startswith("b:"))
    fig = go.Figure(layout=style.base_layout(title, height=height or max(560, 30 * n_rows + 240)))
    group_of = {t: grades.support_group(ev, t) for t in SUPPORT_LABELS}
    types = sorted((t for t in SUPPORT_LABELS if t in set(s["support_type"])),
                   key=lambda t: ({"material": 0, "unspecified": 1, "diplomatic": 2}.get(group_of[t], 1),
                                  list(SUPPORT_LABELS).index(t)))
    for i, t in enumerate(types):
        g = s[s["support_type"] == t]
        grp_name = {"material": "Material", "diplomatic": "Diplomatic (not backing)"}.get(group_of[t], "Unspecified")
        xs, ys, mx, my, mh = [], [], [], [], []
        for (b, r), grp in g.groupby(["backer_id", "recipient_id"]):
            (x0, y0), (x1, y1) = pos["b:" + b], pos["r:" + r]
            off = (i - (len(types) - 1) / 2) * 0.06
            xs += [x0, x1, None]
            ys += [y0 + off, y1 + off, None]
            f = 0.18 + 0.05 * (i % 4)
            mx.append(x0 + (x1 - x0) * f)
            my.append(y0 + (y1 - y0) * f + off)
            commentary = " (forum commentary only)" if (grp["status"] == "commentary").all() else ""
            key = grp["support_key"].iloc[0]
            mh.append(f"<b>{esc(ev.actor_name(b))} → {esc(ev.actor_name(r))}</b>: {esc(grp_name)} · "
                      f"{esc(SUPPORT_LABELS[t])}{commentary}"
                      f"<br>{esc('; '.join(d for d in grp['detail'] if d), 80)}"
                      f"<br>Grade: {esc(grades.grade_text(ev, 'support', key), 80)}"
                      f"<br>Sources: {esc('; '.join(sorted({ev.cite(x) for x in grp['source_id']})), 80)}")
        diplomatic = group_of[t] == "diplomatic"
        colour = style.OKABE_ITO["grey"] if diplomatic else style.SEQUENCE[i % len(style.SEQUENCE)]
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", name=f"{grp_name}: {SUPPORT_LABELS[t]}", legendgroup=t,
                                 line={"color": colour, "width": 1.2 if diplomatic else 1.8,
                                       "dash": "dot" if diplomatic else style.DASHES[i % len(style.DASHES)]},
                                 hoverinfo="skip", opacity=0.85))
        fig.add_trace(go.Scatter(x=mx, y=my, mode="markers", legendgroup=t, showlegend=False,
                                 marker={"size": 7, "color": colour, "symbol": style.SYMBOLS[i % len(style.SYMBOLS)]},
                                 hovertext=mh, hoverinfo="text"))
    a = ev.actors.set_index("actor_id")
    entries = []
    for side in style.SIDE_COLOURS:
        keys = [k for k in pos if (a.loc[k[2:], "side"] if k[2:] in a.index else "neutral") == side]
        if not keys:
            continue
        entries.append((style.SIDE_LABELS[side], {"color": style.SIDE_COLOURS[side], "size": 12}))
        fig.add_trace(go.Scatter(
            x=[pos[k][0] for k in keys], y=[pos[k][1] for k in keys], mode="markers+text", showlegend=False,
            name=style.SIDE_LABELS[side],
            text=[esc(ev.actor_name(k[2:]), label_width) for k in keys],
            textposition=["middle left" if k.startswith("b:") else "middle right" for k in keys],
            marker={"size": 13, "color": style.SIDE_COLOURS[side], "line": {"width": 1, "color": "white"}},
            hovertext=[esc(ev.actor_name(k[2:])) for k in keys], hoverinfo="text", textfont={"size": 11},
            cliponaxis=False,
        ))
    ys = [p[1] for p in pos.values()]
    fig.update_xaxes(visible=False, range=[-0.9, 1.9])
    fig.update_yaxes(visible=False, range=[min(ys) - 0.7, max(ys) + 1.6])
    for x, label in ((0.0, "Backers"), (1.0, "Recipients")):
        fig.add_annotation(x=x, y=1.0, yref="paper", yanchor="top", text=f"<b>{label}</b>", showarrow=False,
                           font={"size": 11, "color": "#333"})
    fig.update_layout(legend={"y": -0.02, "title": {"text": "Support: "}, "font": {"size": 11}},
                      margin={"t": 70, "b": 90, "l": 10, "r": 10})
    _legend2(fig, entries, 0)
    fig.update_layout(legend2={"title": {"text": "Side: "}})
    _source_line(fig, _sources_text(ev, s["source_id"]))
    # on a phone: room for the node labels either side, in a smaller font (applied by _static/lr-charts.js)
    fig.update_layout(meta={**fig.layout.meta, "narrow": {"layout": {"xaxis.range": [-1.9, 2.9]},
                                                          "traces": {"textfont.size": 9}}})
    return fig


def backer_matrix(ev: Evidence, height: int = 420) -> go.Figure:
    """Material backer × recipient: colour = number of independent supporting sources (lines of
    evidence, refutations excluded); the cell lists the kinds of material support and marks a
    pair with a refuted or contested claim. Diplomatic support is not backing and is not shown."""
    title = "Material backers and recipients"
    s = ev.support
    material = grades.material_types(ev)
    s = s[s["support_type"].isin(material) & (s["status"] != "commentary")] if len(s) else s
    if s.empty:
        return _empty(title, "No material support reported in this window.")
    gr = grades.grades(ev, "support")
    cells = {}
    for (b, r), grp in s.groupby(["backer_id", "recipient_id"]):
        lines = {grades.line_of(ev, "support", row) for row in grp.to_dict("records") if row.get("stance", "supports") == "supports"}
        keys = set(grp["support_key"])
        contested = any(gr.loc[k, "grade"] == "contested" for k in keys if k in gr.index)
        refuted = (grp.get("stance", pd.Series(dtype=str)) == "refutes").any()
        kinds = ", ".join(SUPPORT_LABELS[k] for k in sorted(set(grp["support_type"])))
        mark = " ✱ refuted" if refuted else (" ✱ contested" if contested else "")
        cells[(b, r)] = (len(lines), kinds + mark)
    backers = sorted({b for b, _ in cells}, key=ev.actor_name)
    recips = sorted({r for _, r in cells}, key=ev.actor_name)
    z = [[cells[(b, r)][0] if (b, r) in cells else None for r in recips] for b in backers]
    text = [[esc(cells[(b, r)][1], 18) if (b, r) in cells else "" for r in recips] for b in backers]
    fig = go.Figure(go.Heatmap(
        z=z, x=[_label(ev.actor_name(r)) for r in recips], y=[_label(ev.actor_name(b)) for b in backers], text=text,
        texttemplate="%{text}", colorscale=[[0, "#deebf7"], [1, "#08519c"]], xgap=2, ygap=2, zmin=0,
        colorbar={"title": {"text": "independent<br>supporting<br>sources"}},
        hovertemplate="%{y} → %{x}<br>%{text}<br>%{z} independent supporting source(s); refutations not counted<extra></extra>",
    ), layout=style.base_layout(title, "Recipient", "Backer", height=max(height, 40 * len(backers) + 160)))
    fig.update_yaxes(autorange="reversed")
    fig.update_layout(margin={"l": 170, "b": 110})
    _source_line(fig, _sources_text(ev, s["source_id"]))
    return fig


TOLL_PANELS = (("Killed", ("killed",)), ("Injured and casualties", ("injured", "civilian_casualties")),
               ("Displaced", ("displaced", "idps")))


def tolls_over_time(ev: Evidence, height: int = 640) -> go.Figure:
    """Reported figures by as-of date, one panel per kind of figure, colour by reporting body,
    symbol by tier, bars for reported ranges. Figures are not additive across bodies."""
    title = "Reported humanitarian figures over time"
    t = ev.tolls
    if t.empty:
        return _empty(title, "No humanitarian figures reported in this window.")
    from libyareport.content.findings import period_text, population_text, reporter_text
    from libyareport.content.spans import with_spans
    t = with_spans(ev, t, "tolls")
    panels = [(label, ms) for label, ms in TOLL_PANELS if t["metric"].isin(ms).any()]
    if not panels:
        return _empty(title, "No killed, injured or displaced figures in this window.")
    fig = make_subplots(rows=len(panels), cols=1, shared_xaxes=True, vertical_spacing=0.08,
                        subplot_titles=[p[0] for p in panels])
    fig.update_layout(**style.base_layout(title, height=height))
    # the seven bodies reporting most get their own colour; the rest share grey ("Other bodies")
    top = list(t["reported_by"].value_counts().sort_index(kind="stable").sort_values(ascending=False, kind="stable").index[:7])
    reporters = sorted(top, key=ev.actor_name)
    colour = {r: style.SEQUENCE[i] for i, r in enumerate(reporters)}
    legend_name = {r: _label(ev.actor_name(r)) if r in colour else "Other bodies" for r in set(t["reported_by"])}
    colour.update({r: style.OKABE_ITO["grey"] for r in set(t["reported_by"]) - set(colour)})
    shown: set[str] = set()
    for row, (label, metrics) in enumerate(panels, 1):
        sub = t[t["metric"].isin(metrics)]
        for (rep, tier), g in sub.groupby(["reported_by", "tier"]):
            err = None
            if g["high"].notna().any():
                err = {"type": "data", "symmetric": False, "array": (g["high"] - g["value"]).fillna(0),
                       "arrayminus": (g["value"] - g["low"]).fillna(0), "color": colour[rep]}
            hover = [f"<b>{esc(METRIC_LABELS[r.metric])}: {esc(figure_text(r._asdict()))}</b> "
                     f"({esc(population_text(ev, r.population))}, {esc(r.place)})"
                     f"<br>Period: {esc(period_text(r._asdict()))}{' (only partly inside the window)' if r.partial else ''}"
                     f"<br>Reported by {esc(reporter_text(ev, r._asdict()))}<br>Grade: {esc(grades.grade_text(ev, 'tolls', r.figure_id), 80)}"
                     f"<br>Source: {esc(ev.cite(r.source_id))}"
                     for r in g.itertuples()]
            spans = g["is_span"].to_numpy()
            if spans.any():
                _span_traces(fig, g[spans], g.loc[spans, "value"], colour[rep], [h for h, sp in zip(hover, spans) if sp],
                             legend_name[rep], row=row)
            pts = g[~spans]
            if err is not None:
                err = {**err, "array": err["array"][~spans], "arrayminus": err["arrayminus"][~spans]}
            fig.add_trace(go.Scatter(
                x=pts["x0"], y=pts["value"], mode="markers", name=legend_name[rep], legendgroup=legend_name[rep],
                showlegend=legend_name[rep] not in shown, error_y=err,
                hovertext=[h for h, sp in zip(hover, spans) if not sp], hoverinfo="text",
                marker={"color": colour[rep], "size": 10, "symbol": style.TIER_SYMBOLS[tier],
                        "line": {"width": 2, "color": colour[rep]}},
            ), row=row, col=1)
            shown.add(legend_name[rep])
        middle = row == (len(panels) + 1) // 2
        fig.update_yaxes(title_text="People (log scale)" if middle else "", type="log", dtick=1, row=row, col=1,
                         showline=True, linecolor="#444", gridcolor="#e5e5e5")
        fig.update_xaxes(showline=True, linecolor="#444", gridcolor="#e5e5e5", row=row, col=1)
    fig.update_xaxes(title_text="As-of date (a bar: the figure is dated only to that month or range)", row=len(panels), col=1)
    lo, hi = _window_range(ev, t["x0"].min(), t["x1"].max())
    fig.update_xaxes(range=[lo, hi])
    _tier_legend(fig, set(t["tier"]), 1.07)
    bottom = 150
    plot_h = max(height - bottom - (fig.layout.margin.t or 115), 100)
    fig.update_layout(legend={"y": -55 / plot_h, "yanchor": "top", "title": {"text": "Reported by: "}, "font": {"size": 11}},
                      margin={"b": bottom})
    _source_line(fig, _sources_text(ev, t["source_id"]))
    # on a phone the tier legend wraps onto two lines: give it room under the title (_static/lr-charts.js)
    fig.update_layout(meta={**fig.layout.meta, "narrow": {"layout": {"margin.t": (fig.layout.margin.t or 115) + 30}}})
    return fig


def responses_timeline(ev: Evidence, height: int = 480) -> go.Figure:
    """Who said or did what, when: one lane per actor, outside states and bodies above the parties
    and their backers; symbol and colour by kind; coarse dates as spans clipped to the window."""
    title = "International responses"
    r = ev.responses.copy()
    if r.empty:
        return _empty(title, "No international responses in this window.")
    from libyareport.content.findings import outside_actor_ids
    from libyareport.content.spans import with_spans
    outside = outside_actor_ids(ev)
    r = with_spans(ev, r, "responses")
    r["role"] = ["outside" if a in outside else "party" for a in r["actor_id"]]
    r["actor"] = [_label(ev.actor_name(a)) + ("" if role == "outside" else " (party or backer)")  # axis labels: escaped once
                  for a, role in zip(r["actor_id"], r["role"])]
    kinds = [k for k in RESPONSE_LABELS if k in set(r["response_type"])]
    fig = go.Figure(layout=style.base_layout(title, "Date", None, height=max(height, 26 * r["actor"].nunique() + 200)))
    for i, k in enumerate(kinds):
        g = r[r["response_type"] == k]
        colour = style.SEQUENCE[i % len(style.SEQUENCE)]
        hover = [f"<b>{esc(x.summary)}</b><br>{esc(fmt_date(x.date, x.date_precision, x.date_end))}"
                 f"{' (only partly inside the window)' if x.partial else ''} · "
                 f"{x.actor}{' → ' + esc(ev.actor_name(x.target_id)) if x.target_id else ''}"
                 f"<br>{'Outside state or body' if x.role == 'outside' else 'A party or its backer'}"
                 f" · grade: {esc(grades.grade_text(ev, 'responses', x.response_id), 80)}"
                 f"<br>Source: {esc(ev.cite(x.source_id))}" + (f"<br><i>“{esc(x.quote, 80)}”</i>" if x.quote else "")
                 for x in g.itertuples()]
        spans = g["is_span"].to_numpy()
        if spans.any():
            _span_traces(fig, g[spans], g.loc[spans, "actor"], colour, [h for h, sp in zip(hover, spans) if sp], k)
        pts = g[~spans]
        fig.add_trace(go.Scatter(x=pts["x0"], y=pts["actor"], mode="markers", name=RESPONSE_LABELS[k], legendgroup=k,
                                 marker={"size": 11, "color": colour, "symbol": style.SYMBOLS[i % len(style.SYMBOLS)]},
                                 hovertext=[h for h, sp in zip(hover, spans) if not sp], hoverinfo="text"))
    order = sorted(set(r["actor"]), key=lambda a: (a.endswith("(party or backer)"), a))
    fig.update_yaxes(categoryorder="array", categoryarray=list(reversed(order)), title={"text": ""})
    lo, hi = _window_range(ev, r["x0"].min(), r["x1"].max())
    fig.update_xaxes(range=[lo, hi])
    fig.update_layout(margin={"l": 200, "b": 140})
    _source_line(fig, _sources_text(ev, r["source_id"]))
    _axis_names(fig, y="Actor")
    return fig


def response_matrix(ev: Evidence, height: int = 460) -> go.Figure:
    """Actor × kind of response: number of distinct responses."""
    title = "International responses by actor and kind"
    r = ev.responses
    if r.empty:
        return _empty(title, "No international responses in this window.")
    g = r.groupby(["actor_id", "response_type"])["response_id"].nunique()
    actors = sorted(set(r["actor_id"]), key=ev.actor_name)
    kinds = [k for k in RESPONSE_LABELS if k in set(r["response_type"])]
    z = [[int(g.get((a, k), 0)) or None for k in kinds] for a in actors]
    fig = go.Figure(go.Heatmap(
        z=z, x=[RESPONSE_LABELS[k] for k in kinds], y=[_label(ev.actor_name(a)) for a in actors], texttemplate="%{z}",
        colorscale=[[0, "#fee6ce"], [1, "#a63603"]], xgap=2, ygap=2, colorbar={"title": {"text": "responses"}},
        hovertemplate="%{y}: %{x}<br>%{z} response(s)<extra></extra>",
    ), layout=style.base_layout(title, None, None, height=max(height, 26 * len(actors) + 220)))
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(tickangle=-35)
    fig.update_layout(margin={"l": 200, "b": 150})
    _source_line(fig, _sources_text(ev, r["source_id"]))
    _axis_names(fig, x="Kind of response", y="Actor")
    return fig
