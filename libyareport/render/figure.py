"""What every chart of the book shares, for both families (curated evidence in `charts.py`,
imported events in `eventcharts.py`): one escaping rule for text that reaches plotly, one
layout, one "no data" figure, one way to attach the source line, and the link a point carries
to its row or quoted passage.

Plotly renders hover, tick and annotation text as a small HTML subset: `<`, `>` and `&` in the
data must be escaped, and `"` must not be (plotly shows `&quot;` literally)."""
from __future__ import annotations

import html
import textwrap

import pandas as pd
import plotly.graph_objects as go

from libyareport.render import style

#: The smallest text any chart draws, in CSS pixels (labels, ticks, legends, annotations).
MIN_FONT_PX = 11
APPENDIX = "05_sources_and_method.html"


def esc(text: object, width: int | None = None) -> str:
    """Data text for a plotly label: `<`, `>`, `&` escaped (quotes left alone, see above);
    wrapped to lines of `width` characters joined with `<br>` when a width is given."""
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return ""
    s = str(text)
    if width is None:
        return html.escape(s, quote=False)
    return "<br>".join(html.escape(line, quote=False) for line in textwrap.wrap(s, width) or [""])


def layout(title: str, x_title: str | None = None, y_title: str | None = None, height: int = 420) -> dict:
    """The book's layout (style.base_layout) with every font at least MIN_FONT_PX."""
    lay = style.base_layout(title, x_title, y_title, height=height)
    lay["font"] = {**lay.get("font", {}), "size": max(lay.get("font", {}).get("size", 12), MIN_FONT_PX + 1)}
    lay["legend"] = {**lay.get("legend", {}), "font": {"size": MIN_FONT_PX + 1}}
    # the title keeps the top of the figure; labels above the plot (phase names) sit below it
    lay["title"] = {**lay.get("title", {}), "yref": "container", "y": 1, "yanchor": "top", "pad": {"t": 12}}
    return lay


def set_source(fig: go.Figure, text: str) -> go.Figure:
    """Attach the figure's source line; the book and the briefing print it under the chart."""
    meta = dict(fig.layout.meta) if isinstance(fig.layout.meta, dict) else {}
    fig.update_layout(meta={**meta, "source_line": text})
    return fig


def set_axis_names(fig: go.Figure, **names: str) -> go.Figure:
    """Name axes that carry no visible title, for the chart's data table and text alternative."""
    meta = dict(fig.layout.meta) if isinstance(fig.layout.meta, dict) else {}
    fig.update_layout(meta={**meta, "axis_names": names})
    return fig


def set_narrow(fig: go.Figure, **narrow) -> go.Figure:
    """Layout and trace changes `_static/lr-charts.js` applies on a phone-width screen."""
    meta = dict(fig.layout.meta) if isinstance(fig.layout.meta, dict) else {}
    fig.update_layout(meta={**meta, "narrow": narrow})
    return fig


def source_line(fig: go.Figure) -> str:
    meta = fig.layout.meta
    return meta.get("source_line", "") if isinstance(meta, dict) else ""


def note(fig: go.Figure, message: str) -> go.Figure:
    """A message in the middle of the plot ("No events in this window")."""
    fig.add_annotation(text=esc(message), x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False,
                       font={"size": 14, "color": "#555"})
    return fig


def no_data(fig: go.Figure, message: str) -> go.Figure:
    """Turn a figure into its "nothing to draw" form: axes hidden, the message in the middle."""
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return note(fig, message)


def empty(title: str, message: str, height: int = 260, source: str = "") -> go.Figure:
    fig = go.Figure(layout=layout(title, height=height))
    set_source(fig, source)
    return no_data(fig, message)


def link(claim_id: str | None, tier: str | None = "corpus", source_id: str | None = None) -> str:
    """Where a point leads when clicked (see _static/lr-links.js): the quoted passage of a corpus
    claim, or the public-record reference it cites, in the sources appendix."""
    if tier == "corpus" and claim_id:
        return f"{APPENDIX}#q-{claim_id}"
    if source_id:
        return f"{APPENDIX}#ref-{source_id}"
    return ""


def font_sizes(obj, path: str = "") -> list[tuple[str, float]]:
    """Every explicit font size in a figure's JSON (for tests and for the briefing's check)."""
    out: list[tuple[str, float]] = []
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k == "size" and ("font" in path.rsplit(".", 1)[-1]) and isinstance(v, (int, float)):
                out.append((path, float(v)))
            else:
                out += font_sizes(v, f"{path}.{k}" if path else k)
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            out += font_sizes(v, f"{path}[{i}]")
    return out
