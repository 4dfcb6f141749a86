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
    return "<br>".join(html.escape(line) for line in textwrap.wrap(s, width) or [""])


def _source_line(fig: go.Figure, text: str, y: float = -0.3) -> None:
    fig.add_annotation(text=esc(text, 160), xref="paper", yref="paper", x=0, y=y, xanchor="left", yanchor="top",
                       showarrow=False, font={"size": 10, "color": "#555"}, align="left")


def _empty(title: str, message: str, height: int = 260) -> go.Figure:
    fig = go.Figure(layout=style.base_layout(title, height=height))
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    fig.add_annotation(text=html.escape(message), x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False,
                       font={"size": 14})
    return fig


def _sources_text(ev: Evidence, ids) -> str:
    cites = sorted({ev.cite(s) for s in ids})
    return "; ".join(cites)


def timeline(ev: Evidence, height: int = 480) -> go.Figure:
    """Events on a date axis: lanes by event type, colour by the acting side, symbol by tier."""
    title = "Chronology of events"
    e = timeline_events(ev)
    if e.empty:
        return _empty(title, "No events in this window.")
    lanes = [t for t in EVENT_TYPE_LABELS if t in set(e["event_type"])]
    fig = go.Figure(layout=style.base_layout(title, "Date", None, height=height))
    for side in style.SIDE_COLOURS:
        for tier, symbol in style.TIER_SYMBOLS.items():
            g = e[(e["side"] == side) & (e["display_tier"] == tier)]
            if g.empty:
                continue
            hover = [
                f"<b>{esc(r.summary)}</b><br>{esc(r.date_text)} · {esc(EVENT_TYPE_LABELS[r.event_type])}"
                f"<br>Status: {esc(r.status)}{' (disputed)' if r.disputed else ''} · sources: {r.corroboration}"
                f"<br>Source: {esc(r.citation)}"
                + (f"<br><i>“{esc(r.quote, 80)}”</i>" if r.quote else "")
                for r in g.itertuples()
            ]
            fig.add_trace(go.Scatter(
                x=g["date"], y=[EVENT_TYPE_LABELS[t] for t in g["event_type"]], mode="markers",
                name=f"{style.SIDE_LABELS[side]} · {style.TIER_LABELS[tier]}",
                marker={"color": style.SIDE_COLOURS[side], "symbol": symbol, "size": 11,
                        "line": {"width": 1.5, "color": style.SIDE_COLOURS[side] if "open" in symbol else "white"}},
                hovertext=hover, hoverinfo="text",
            ))
    fig.update_yaxes(categoryorder="array", categoryarray=[EVENT_TYPE_LABELS[t] for t in reversed(lanes)],
                     title={"text": "Event type"})
    from .report import phases
    ph = phases(ev)
    lo, hi = e["date"].min(), e["date"].max()
    shade = ["#f2f2f2", "#e0e0e0"]
    for i, r in enumerate(ph.itertuples()):
        if pd.isna(r.start):
            continue
        end = r.end if pd.notna(r.end) else hi
        if end < lo or r.start > hi:
            continue
        fig.add_vrect(x0=max(r.start, lo - pd.Timedelta(days=3)), x1=min(end, hi + pd.Timedelta(days=3)),
                      fillcolor=shade[i % 2], opacity=0.6, layer="below", line_width=0)
        fig.add_annotation(x=max(r.start, lo - pd.Timedelta(days=3)), y=1.0, yref="paper", xanchor="left",
                           yanchor="bottom", text=esc(r.name, 30), showarrow=False, font={"size": 9, "color": "#444"})
    span = (hi - lo).days
    pad = pd.Timedelta(days=max(3, span // 30))
    fig.update_xaxes(range=[lo - pad, hi + pad])
    fig.update_layout(margin={"t": 80, "b": 130})
    _source_line(fig, "Sources: " + _sources_text(ev, e["source_id"]), y=-0.42)
    return fig


def _network_positions(ev: Evidence, nodes: list[str]) -> dict[str, tuple[float, float]]:
    a = ev.actors.set_index("actor_id")
    foreign = {"foreign_state", "foreign_armed_group", "foreign_institution", "international_organisation"}
    columns: dict[float, list[str]] = {}
    for n in nodes:
        side = a.loc[n, "side"] if n in a.index else "neutral"
        outer = (a.loc[n, "kind"] in foreign) if n in a.index else False
        x = {"lna": 0.0 if outer else 1.0, "gna": 3.0 if outer else 2.0}.get(side, 1.5)
        columns.setdefault(x, []).append(n)
    pos = {}
    for x, members in columns.items():
        members.sort(key=lambda m: ev.actor_name(m))
        k = len(members)
        for i, m in enumerate(members):
            pos[m] = (x, (k - 1) / 2 - i if k > 1 else 0.0)
    return pos


def network(ev: Evidence, height: int = 520) -> go.Figure:
    """Parties and their backers: LNA camp left, GNA camp right, foreign backers outermost;
    edges coloured and dashed by kind of support; every edge's hover lists its sources."""
    title = "Who backs whom"
    s = ev.support
    if s.empty:
        return _empty(title, "No backer relationships reported in this window.")
    nodes = sorted(set(s["backer_id"]) | set(s["recipient_id"]))
    pos = _network_positions(ev, nodes)
    fig = go.Figure(layout=style.base_layout(title, height=height))
    types = [t for t in SUPPORT_LABELS if t in set(s["support_type"])]
    for i, t in enumerate(types):
        g = s[s["support_type"] == t]
        xs, ys, mx, my, mh = [], [], [], [], []
        for (b, r), grp in g.groupby(["backer_id", "recipient_id"]):
            (x0, y0), (x1, y1) = pos[b], pos[r]
            off = (i - (len(types) - 1) / 2) * 0.04
            xs += [x0, x1, None]
            ys += [y0 + off, y1 + off, None]
            mx.append((x0 + x1) / 2)
            my.append((y0 + y1) / 2 + off)
            commentary = " (forum commentary)" if (grp["status"] == "commentary").all() else ""
            mh.append(f"<b>{esc(ev.actor_name(b))} → {esc(ev.actor_name(r))}</b>: {esc(SUPPORT_LABELS[t])}{commentary}"
                      f"<br>{esc('; '.join(d for d in grp['detail'] if d), 80)}"
                      f"<br>Sources: {esc(_sources_text(ev, grp['source_id']), 80)}")
        colour = style.SEQUENCE[i % len(style.SEQUENCE)]
        dash = style.DASHES[i % len(style.DASHES)]
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", name=SUPPORT_LABELS[t], legendgroup=t,
                                 line={"color": colour, "width": 2.5, "dash": dash}, hoverinfo="skip"))
        fig.add_trace(go.Scatter(x=mx, y=my, mode="markers", legendgroup=t, showlegend=False,
                                 marker={"size": 9, "color": colour, "symbol": style.SYMBOLS[i % len(style.SYMBOLS)]},
                                 hovertext=mh, hoverinfo="text"))
    a = ev.actors.set_index("actor_id")
    for side in style.SIDE_COLOURS:
        members = [n for n in nodes if (a.loc[n, "side"] if n in a.index else "neutral") == side]
        if not members:
            continue
        fig.add_trace(go.Scatter(
            x=[pos[m][0] for m in members], y=[pos[m][1] for m in members], mode="markers+text",
            name=style.SIDE_LABELS[side], text=[esc(ev.actor_name(m), 22) for m in members],
            textposition=["middle left" if pos[m][0] < 1.5 else "middle right" if pos[m][0] > 1.5 else "top center"
                          for m in members],
            marker={"size": 18, "color": style.SIDE_COLOURS[side], "line": {"width": 1, "color": "white"}},
            hovertext=[esc(ev.actor_name(m)) for m in members], hoverinfo="text", textfont={"size": 11},
        ))
    fig.update_xaxes(visible=False, range=[-1.3, 4.3])
    fig.update_yaxes(visible=False)
    for x, label in ((0, "Backers of the LNA"), (1, "LNA camp"), (2, "GNA camp"), (3, "Backers of the GNA")):
        fig.add_annotation(x=x, y=1.02, yref="paper", text=label, showarrow=False, font={"size": 11, "color": "#444"})
    fig.update_layout(margin={"t": 80, "b": 120})
    _source_line(fig, "Sources: " + _sources_text(ev, s["source_id"]), y=-0.28)
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
    _source_line(fig, "Sources: " + _sources_text(ev, s["source_id"]), y=-0.25)
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
    reporters = sorted(set(t["reported_by"]), key=ev.actor_name)
    colour = {r: style.SEQUENCE[i % len(style.SEQUENCE)] for i, r in enumerate(reporters)}
    shown: set[str] = set()
    for row, (label, metrics) in enumerate(panels, 1):
        sub = t[t["metric"].isin(metrics)]
        for (rep, tier), g in sub.groupby(["reported_by", "tier"]):
            name = f"{ev.actor_name(rep)} ({'public record' if tier == 'context' else 'corpus'})"
            err = None
            if g["high"].notna().any():
                err = {"type": "data", "symmetric": False, "array": (g["high"] - g["value"]).fillna(0),
                       "arrayminus": (g["value"] - g["low"]).fillna(0), "color": colour[rep]}
            hover = [f"<b>{esc(METRIC_LABELS[r.metric])}: {esc(figure_text(r._asdict()))}</b> ({esc(r.population.replace('_', ' '))})"
                     f"<br>As of {esc(fmt_date(r.as_of, r.as_of_precision, r.as_of_end))} · {esc(r.place)}"
                     f"<br>Reported by {esc(ev.actor_name(r.reported_by))}<br>Source: {esc(ev.cite(r.source_id))}"
                     for r in g.itertuples()]
            fig.add_trace(go.Scatter(
                x=g["as_of"], y=g["value"], mode="markers", name=name, legendgroup=name,
                showlegend=name not in shown, error_y=err, hovertext=hover, hoverinfo="text",
                marker={"color": colour[rep], "size": 10, "symbol": style.TIER_SYMBOLS[tier],
                        "line": {"width": 2, "color": colour[rep]}},
            ), row=row, col=1)
            shown.add(name)
        fig.update_yaxes(title_text="People" if "returned" not in label else "", row=row, col=1,
                         showline=True, linecolor="#444", gridcolor="#e5e5e5", rangemode="tozero")
        fig.update_xaxes(showline=True, linecolor="#444", gridcolor="#e5e5e5", row=row, col=1)
    fig.update_xaxes(title_text="As-of date", row=len(panels), col=1)
    fig.update_layout(legend={"y": -0.12}, margin={"b": 170})
    _source_line(fig, "Figures from different bodies, populations and dates are not comparable or additive. Sources: "
                 + _sources_text(ev, t["source_id"]), y=-0.3)
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
    _source_line(fig, "Sources: " + _sources_text(ev, r["source_id"]), y=-0.35)
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
    _source_line(fig, "Sources: " + _sources_text(ev, r["source_id"]), y=-0.42)
    return fig
