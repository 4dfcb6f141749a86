"""Rendering inside chapters: charts as small offline HTML, escaped tables with links to the
quoted passages, glued numbers, and captions. Notebooks call these and nothing else."""
from __future__ import annotations

import html
import re

import pandas as pd
import plotly.io as pio
from IPython.display import HTML, Markdown, display
from plotly.io._base_renderers import MimetypeRenderer

from libyareport.content.text import fmt_date
from libyareport.evidence.model import Evidence

APPENDIX = "05_sources_and_method.html"
_counter = {"n": 0}


class _OfflineHTML(MimetypeRenderer):
    """A renderer whose only output is text/html, so myst-nb keeps it (see DESIGN §6)."""

    def to_mimebundle(self, fig_dict):  # plotly renderer protocol
        import plotly.graph_objects as go
        return {"text/html": figure_html(go.Figure(fig_dict))}


def figure_html(fig, div_id: str | None = None, static: bool = False) -> str:
    """A figure as an HTML fragment that needs the book's own plotly.min.js and nothing else."""
    if div_id is None:
        _counter["n"] += 1
        div_id = f"fig-{_counter['n']}"
    config = {"displaylogo": False, "responsive": True}
    if static:
        config.update(staticPlot=True, displayModeBar=False)
    return pio.to_html(fig, include_plotlyjs=False, include_mathjax=False, full_html=False, div_id=div_id,
                       config=config, default_width="100%")


def setup(chapter: str) -> None:
    """Called once per chapter: stable figure IDs and the offline renderer."""
    _counter["n"] = 0
    _counter["tables"] = 0
    prefix = re.sub(r"[^a-z0-9]+", "-", chapter.lower()).strip("-")
    _counter["prefix"] = prefix
    pio.renderers["libyareport"] = _OfflineHTML()  # type: ignore[assignment]
    pio.renderers.default = "libyareport"


def show(fig, caption: str, name: str) -> None:
    """Draw a figure with its caption and source line; `name` gives it a stable element ID."""
    from libyareport.render.charts import source_line
    div_id = f"{_counter.get('prefix', 'fig')}-{name}"
    from libyareport.render.a11y import figure_block  # description, data table and CSV of every chart
    display(HTML(figure_block(fig, figure_html(fig, div_id), caption, source_line(fig), div_id)))


def glue_text(name: str, text: object) -> None:
    """Glue a value as plain text for {glue}`name` in prose (no quotes around strings)."""
    from myst_nb import glue

    glue(name, _Plain(str(text)), display=False)


class _Plain:
    def __init__(self, text: str):
        self.text = text

    def __repr__(self) -> str:
        return self.text


def say(markdown: str) -> None:
    """Prose whose wording depends on the data (e.g. 'no events in this window')."""
    display(Markdown(markdown))


def source_link(ev: Evidence, claim_id: str, source_id: str, tier: str, prefix: str = "") -> str:
    """A link from a table row to the exact quoted passage (corpus) or the reference (context)."""
    label = html.escape(ev.cite(source_id))
    if tier == "corpus":
        return f'<a href="{prefix}{APPENDIX}#q-{html.escape(claim_id)}">{label}</a>'
    return f'<a href="{prefix}{APPENDIX}#ref-{html.escape(source_id)}">{label}</a> <span class="lr-tier">(public record)</span>'


def table(df: pd.DataFrame, columns: dict[str, str], html_columns: tuple[str, ...] = (), empty: str = "Nothing to show.",
          css: str = "", name: str | None = None, label: str | None = None) -> None:
    """An HTML table; every cell escaped except the ones built here as links. `label` names its
    scroll box for screen readers (default: its first three columns); two tables of one page need
    two labels."""
    if df.empty:
        say(f"*{empty}*")
        return
    head = "".join(f'<th scope="col">{html.escape(label)}</th>' for label in columns.values())
    body = []
    for _, r in df.iterrows():
        cells = []
        for col in columns:
            v = r[col]
            if isinstance(v, pd.Timestamp):
                v = fmt_date(v)
            elif v is None or (not isinstance(v, (list, tuple)) and pd.isna(v)):
                v = ""
            cells.append(f"<td>{v if col in html_columns else html.escape(str(v))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    from libyareport.render.downloads import table_download  # the rows as CSV, with their sources and quotes
    _counter["tables"] = _counter.get("tables", 0) + 1
    name = name or f"{_counter.get('prefix', 'table')}-table-{_counter['tables']}"
    aria = html.escape(label or "Table: " + ", ".join(list(columns.values())[:3]))
    display(HTML(f'<div class="lr-table-wrap" tabindex="0" role="region" aria-label="{aria}">'
                 f'<table class="lr-table {css}"><thead><tr>{head}</tr></thead>'
                 f'<tbody>{"".join(body)}</tbody></table></div>' + table_download(df, columns, html_columns, name)))


def nested_table(table_html: str, claims: pd.DataFrame, columns: dict[str, str], name: str, label: str) -> None:
    """A table whose rows nest their claims (chapter 1's events, chapter 3's figures): in its own
    labelled scroll box, with its claims as CSV, one row per claim (source, quote, grade)."""
    from libyareport.render.downloads import table_download
    display(HTML(f'<div class="lr-table-wrap" tabindex="0" role="region" aria-label="{html.escape(label)}">'
                 + table_html + "</div>" + table_download(claims, columns, (), name)))


def quote_cell(quote: str, limit: int = 180) -> str:
    """The source's words in <q> (which adds the quote marks): outer quote marks of the text are
    dropped so they are not doubled, and a long quote is cut at a word boundary, marked with '…'."""
    q = (quote or "").strip().strip('"“”').strip()
    if len(q) > limit:
        cut = q[: limit - 1]
        cut = cut[: cut.rfind(" ")] if " " in cut else cut
        q = cut.rstrip(",;:") + " …"
    return f"<q>{html.escape(q)}</q>" if q else ""


def with_quote(text: str, quote: str) -> str:
    """A table cell: our summary, then the source's words (both escaped)."""
    q = quote_cell(quote)
    return html.escape(text) + (f'<span class="lr-q">{q}</span>' if q else "")
