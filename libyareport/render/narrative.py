"""The narrative paragraphs of a page as HTML: Markdown prose, roles turned into citations.

``{claim}`KEY` `` becomes a bracketed list of links to every passage (corpus) or reference
(public record) behind KEY; ``{figure}`ID` `` the figure's value as the data states it plus its
citation; ``{date}`KEY` `` the key's date at its precision. Only text comes from the narrative
files; every link and label is built here from the evidence, escaped.
"""
from __future__ import annotations

import re

from IPython.display import HTML, display
from markdown_it import MarkdownIt
from markupsafe import Markup, escape

from libyareport.content import narrative as content
from libyareport.evidence.model import Evidence
from libyareport.render.display import APPENDIX
from libyareport.render.templating import render

_ROLE = re.compile(r"\{(claim|figure|date)\}`([^`\n]*)`")
_MD = MarkdownIt("commonmark", {"html": False})


def _cite_items(ev: Evidence, key: str, prefix: str, value: str | None = None) -> list[dict]:
    items = []
    for c in content.citations(ev, key, value):
        if c.tier == "corpus":
            href, note = f"{prefix}{APPENDIX}#q-{c.claim_id}", ""
        else:
            href, note = f"{prefix}{APPENDIX}#ref-{c.source_id}", "public record"
        items.append({"href": href, "label": ev.cite(c.source_id), "title": f"{key}: the passage or reference", "note": note})
    return items


def cite_html(ev: Evidence, keys: list[str], prefix: str = "", value: str | None = None) -> str:
    """One bracket of links for the keys cited together, each source once."""
    seen, cites = set(), []
    for key in keys:
        for item in _cite_items(ev, key, prefix, value):
            if item["href"] not in seen:
                seen.add(item["href"])
                cites.append(item)
    return render("citation.html.j2", cites=cites) if cites else ""


_RUN = re.compile(r"(?:\{claim\}`[^`\n]*`\s*)*\{claim\}`[^`\n]*`")


def paragraph_html(ev: Evidence, text: str, prefix: str = "", cite=None) -> str:
    """One paragraph: Markdown rendered (raw HTML in the text is shown as text), roles resolved;
    claims cited one after another share one bracket. `cite(keys) -> html` replaces the book's
    links (the briefing numbers its references instead)."""
    slots: list[str] = []
    if cite is None:
        def cite(keys: list[str], value: str | None = None) -> str:
            return cite_html(ev, keys, prefix, value)

    def keep(out: str) -> str:
        slots.append(out)
        return f"\ue000{len(slots) - 1}\ue001"

    def claims(m: re.Match) -> str:
        return keep(cite([k for _, k in _ROLE.findall(m.group(0))]))

    def other(m: re.Match) -> str:
        role, key = m.group(1), m.group(2)
        if role == "figure":
            value = content.figure_value(ev, key)
            return keep((str(escape(value)) + " " if value else "") + cite([key], value))
        return keep(str(escape(content.date_value(ev, key) or "n.d.")))

    marked = _ROLE.sub(other, _RUN.sub(claims, " ".join(text.split())))
    rendered = _MD.render(marked).strip()
    rendered = re.sub(r"^<p>(.*)</p>$", r"\1", rendered, flags=re.DOTALL)
    rendered = re.sub(r"\s+(\ue000\d+\ue001)", r" \1", rendered)
    return re.sub(r"\ue000(\d+)\ue001", lambda m: slots[int(m.group(1))], rendered)


def narrative_html(ev: Evidence, page: str, section: str, heading: str | None = None, prefix: str = "") -> str:
    paras = content.paragraphs(ev, page, section)
    if not paras:
        return ""
    items = [{"id": p.id, "period": f"{p.period_start}..{p.period_end}",
              "html": Markup(paragraph_html(ev, p.text, prefix))} for p in paras]
    return render("narrative.html.j2", paragraphs=items, section=section, heading=heading)


def show(ev: Evidence, page: str, section: str = "analysis", heading: str | None = None, prefix: str = "",
         empty: str | None = None) -> None:
    """Display a page's paragraphs for this run (nothing, or `empty`, when none fits the window)."""
    out = narrative_html(ev, page, section, heading, prefix)
    if out:
        display(HTML(out))
    elif empty:
        display(HTML(render("narrative.html.j2", paragraphs=[{"id": "empty", "period": "",
                                                                  "html": escape(empty)}], section=section, heading=heading)))
