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

from . import style
from .evidence import Evidence
from .report import METRIC_LABELS, figure_text, fmt_date, timeline_events

EVENT_TYPE_LABELS = {
    "offensive": "Offensive", "airstrike": "Airstrike", "armed_clash": "Armed clash", "shelling": "Shelling",
    "territorial_claim": "Territorial control", "counter_offensive": "Counter-offensive",
    "reinforcement": "Reinforcement", "withdrawal": "Withdrawal", "attack_on_civilians": "Attack on civilians",
    "statement": "Statement", "political": "Political", "ceasefire": "Ceasefire", "background": "Background",
}
RESPONSE_LABELS = {
    "truce_call": "Truce / ceasefire call", "condemnation": "Condemnation", "diplomatic_support": "Diplomatic support",
    "talks": "Talks", "conference": "Conference", "resolution": "Resolution", "blocked_resolution": "Blocked resolution",
    "statement": "Statement", "troop_movement": "Troop movement", "embargo_operation": "Embargo operation",
    "sanctions": "Sanctions", "inquiry": "Inquiry", "military_authorisation": "Military authorisation",
    "political_contact": "Political contact",
}
SUPPORT_LABELS = {
    "military": "Military", "troops": "Troops", "mercenaries": "Mercenaries", "air_power": "Air power",
    "arms_and_equipment": "Arms & equipment", "training": "Training", "financial": "Financial",
    "political": "Political", "reinforcement": "Reinforcement", "unspecified": "Unspecified",
}


def esc(text: object, width: int = 70) -> str:
    """Escape data text for a hover label, wrapped to lines of `width`."""
    s = "" if text is None or (isinstance(text, float) and pd.isna(text)) else str(text)
    # quote=False: plotly does not decode &quot; in hover labels; < > & are what must be escaped
    return "<br>".join(html.escape(line, quote=False) for line in textwrap.wrap(s, width) or [""])


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


def _period_end(d: pd.Timestamp, end, precision: str) -> pd.Timestamp:
    from .validate import period_end
    return pd.Timestamp(period_end(d.date(), end.date() if pd.notna(end) else None, precision))


def timeline(ev: Evidence, height: int = 500) -> go.Figure:
    """Events on a date axis: lanes by event type, colour by the acting side, symbol by tier.
    Events sharing a day and lane are spread vertically so none hides another; an event known
    only to the month, year or a range carries a bar over that period."""
    title = "Chronology of events"
    e = timeline_events(ev)
    if e.empty:
        return _empty(title, "No events in this window.")
    lanes = [t for t in EVENT_TYPE_LABELS if t in set(e["event_type"])]
    lane_pos = {t: i for i, t in enumerate(reversed(lanes))}
    rank = e.groupby(["event_type", "date"]).cumcount()
    size = e.groupby(["event_type", "date"])["claim_id"].transform("count")
    e["y"] = [lane_pos[t] + (r - (n - 1) / 2) * min(0.14, 0.7 / max(n, 1)) for t, r, n in zip(e["event_type"], rank, size)]
    fig = go.Figure(layout=style.base_layout(title, "Date", "Event type", height=height))
    for side in style.SIDE_COLOURS:
        first = True
        for tier, symbol in style.TIER_SYMBOLS.items():
            g = e[(e["side"] == side) & (e["display_tier"] == tier)]
            if g.empty:
                continue
            hover = [
                f"<b>{esc(r.summary)}</b><br>{esc(r.date_text)} · {esc(EVENT_TYPE_LABELS[r.event_type])}"
                f"<br>Status: {esc(r.status)}{' (contradicted)' if r.disputed else ''} · sources: {r.corroboration}"
                f"<br>Source: {esc(r.citation)}"
                + (f"<br><i>“{esc(r.quote, 80)}”</i>" if r.quote else "")
                for r in g.itertuples()
            ]
            span_ms = [(_period_end(d, x, p) - d).total_seconds() * 1000 for d, x, p in
                       zip(g["date"], g["date_end"], g["date_precision"])]
            if any(span_ms):
                xs, ys = [], []
                for d, x, p, yy in zip(g["date"], g["date_end"], g["date_precision"], g["y"]):
                    end = _period_end(d, x, p)
                    if end > d:
                        xs += [d, end, None]
                        ys += [yy, yy, None]
                fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", legendgroup=side, showlegend=False, hoverinfo="skip",
                                         line={"color": style.SIDE_COLOURS[side], "width": 2}, opacity=0.6))
            fig.add_trace(go.Scatter(
                x=g["date"], y=g["y"], mode="markers", name=style.SIDE_LABELS[side], legendgroup=side,
                showlegend=first,
                marker={"color": style.SIDE_COLOURS[side], "symbol": symbol, "size": 10,
                        "line": {"width": 1.5, "color": style.SIDE_COLOURS[side] if "open" in symbol else "white"}},
                hovertext=hover, hoverinfo="text",
            ))
            first = False
    fig.update_yaxes(tickvals=list(lane_pos.values()), ticktext=[EVENT_TYPE_LABELS[t] for t in lane_pos],
                     range=[-0.6, len(lanes) + 0.1], zeroline=False, showgrid=True)
    from .report import phases
    ph = phases(ev)
    lo, hi = e["date"].min(), e["date"].max()
    span = max((hi - lo).days, 1)
    pad = pd.Timedelta(days=max(3, span // 30))
    shade = ["#f0f0f0", "#dedede"]
    for i, r in enumerate(ph.itertuples(), 1):
        if pd.isna(r.start):
            continue
        end = r.end if pd.notna(r.end) else hi + pad
        x0, x1 = max(r.start, lo - pad), min(end, hi + pad)
        if x1 <= x0:
            continue
        fig.add_vrect(x0=x0, x1=x1, fillcolor=shade[i % 2], opacity=0.7, layer="below", line_width=0)
        fig.add_annotation(x=x0 + (x1 - x0) / 2, y=1.0, yref="paper", yanchor="top", text=f"Phase {i}",
                           showarrow=False, font={"size": 10, "color": "#333"}, hovertext=esc(r.name))
    fig.update_xaxes(range=[lo - pad, hi + pad])
    fig.update_layout(legend={"y": -0.17, "title": {"text": "Side: "}}, margin={"t": 95, "b": 80})
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
    pos = _network_positions(ev, s)
    n_rows = sum(1 for k in pos if k.startswith("b:"))
    fig = go.Figure(layout=style.base_layout(title, height=height or max(560, 30 * n_rows + 240)))
    types = [t for t in SUPPORT_LABELS if t in set(s["support_type"])]
    for i, t in enumerate(types):
        g = s[s["support_type"] == t]
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
            mh.append(f"<b>{esc(ev.actor_name(b))} → {esc(ev.actor_name(r))}</b>: {esc(SUPPORT_LABELS[t])}{commentary}"
                      f"<br>{esc('; '.join(d for d in grp['detail'] if d), 80)}"
                      f"<br>Sources: {esc('; '.join(sorted({ev.cite(x) for x in grp['source_id']})), 80)}")
        colour = style.SEQUENCE[i % len(style.SEQUENCE)]
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", name=SUPPORT_LABELS[t], legendgroup=t,
                                 line={"color": colour, "width": 1.8, "dash": style.DASHES[i % len(style.DASHES)]},
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
    """Backer × recipient: number of distinct sources reporting support; cell text lists its kinds."""
    title = "Backers and recipients"
    s = ev.support
    if s.empty:
        return _empty(title, "No backer relationships reported in this window.")
    g = s.groupby(["backer_id", "recipient_id"]).agg(
        n=("source_id", "nunique"), kinds=("support_type", lambda x: ", ".join(SUPPORT_LABELS[k] for k in sorted(set(x)))))
    backers = sorted(set(s["backer_id"]), key=ev.actor_name)
    recips = sorted(set(s["recipient_id"]), key=ev.actor_name)
    z = [[g.loc[(b, r), "n"] if (b, r) in g.index else None for r in recips] for b in backers]
    text = [[esc(g.loc[(b, r), "kinds"], 18) if (b, r) in g.index else "" for r in recips] for b in backers]
    fig = go.Figure(go.Heatmap(
        z=z, x=[ev.actor_name(r) for r in recips], y=[ev.actor_name(b) for b in backers], text=text,
        texttemplate="%{text}", colorscale=[[0, "#deebf7"], [1, "#08519c"]], xgap=2, ygap=2,
        colorbar={"title": {"text": "sources"}}, hovertemplate="%{y} → %{x}<br>%{text}<br>%{z} source(s)<extra></extra>",
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
    legend_name = {r: ev.actor_name(r) if r in colour else "Other bodies" for r in set(t["reported_by"])}
    colour.update({r: style.OKABE_ITO["grey"] for r in set(t["reported_by"]) - set(colour)})
    shown: set[str] = set()
    for row, (label, metrics) in enumerate(panels, 1):
        sub = t[t["metric"].isin(metrics)]
        for (rep, tier), g in sub.groupby(["reported_by", "tier"]):
            err = None
            if g["high"].notna().any():
                err = {"type": "data", "symmetric": False, "array": (g["high"] - g["value"]).fillna(0),
                       "arrayminus": (g["value"] - g["low"]).fillna(0), "color": colour[rep]}
            hover = [f"<b>{esc(METRIC_LABELS[r.metric])}: {esc(figure_text(r._asdict()))}</b> ({esc(r.population.replace('_', ' '))})"
                     f"<br>As of {esc(fmt_date(r.as_of, r.as_of_precision, r.as_of_end))} · {esc(r.place)}"
                     f"<br>Reported by {esc(ev.actor_name(r.reported_by))}<br>Source: {esc(ev.cite(r.source_id))}"
                     for r in g.itertuples()]
            fig.add_trace(go.Scatter(
                x=g["as_of"], y=g["value"], mode="markers", name=legend_name[rep], legendgroup=legend_name[rep],
                showlegend=legend_name[rep] not in shown, error_y=err, hovertext=hover, hoverinfo="text",
                marker={"color": colour[rep], "size": 10, "symbol": style.TIER_SYMBOLS[tier],
                        "line": {"width": 2, "color": colour[rep]}},
            ), row=row, col=1)
            shown.add(legend_name[rep])
        middle = row == (len(panels) + 1) // 2
        fig.update_yaxes(title_text="People (log scale)" if middle else "", type="log", dtick=1, row=row, col=1,
                         showline=True, linecolor="#444", gridcolor="#e5e5e5")
        fig.update_xaxes(showline=True, linecolor="#444", gridcolor="#e5e5e5", row=row, col=1)
    fig.update_xaxes(title_text="As-of date", row=len(panels), col=1)
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
    """Who said or did what, when: one lane per international actor, symbol and colour by kind."""
    title = "International responses"
    r = ev.responses.copy()
    if r.empty:
        return _empty(title, "No international responses in this window.")
    r["actor"] = r["actor_id"].map(ev.actor_name)
    kinds = [k for k in RESPONSE_LABELS if k in set(r["response_type"])]
    fig = go.Figure(layout=style.base_layout(title, "Date", None, height=max(height, 26 * r["actor"].nunique() + 200)))
    for i, k in enumerate(kinds):
        g = r[r["response_type"] == k]
        hover = [f"<b>{esc(x.summary)}</b><br>{esc(fmt_date(x.date, x.date_precision, x.date_end))} · "
                 f"{esc(x.actor)}{' → ' + esc(ev.actor_name(x.target_id)) if x.target_id else ''}"
                 f"<br>Source: {esc(ev.cite(x.source_id))}" + (f"<br><i>“{esc(x.quote, 80)}”</i>" if x.quote else "")
                 for x in g.itertuples()]
        fig.add_trace(go.Scatter(x=g["date"], y=g["actor"], mode="markers", name=RESPONSE_LABELS[k],
                                 marker={"size": 11, "color": style.SEQUENCE[i % len(style.SEQUENCE)],
                                         "symbol": style.SYMBOLS[i % len(style.SYMBOLS)]},
                                 hovertext=hover, hoverinfo="text"))
    fig.update_yaxes(categoryorder="category descending", title={"text": ""})
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
        z=z, x=[RESPONSE_LABELS[k] for k in kinds], y=[ev.actor_name(a) for a in actors], texttemplate="%{z}",
        colorscale=[[0, "#fee6ce"], [1, "#a63603"]], xgap=2, ygap=2, colorbar={"title": {"text": "responses"}},
        hovertemplate="%{y}: %{x}<br>%{z} response(s)<extra></extra>",
    ), layout=style.base_layout(title, None, None, height=max(height, 26 * len(actors) + 220)))
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(tickangle=-35)
    fig.update_layout(margin={"l": 200, "b": 150})
    _source_line(fig, _sources_text(ev, r["source_id"]))
    _axis_names(fig, x="Kind of response", y="Actor")
    return fig
