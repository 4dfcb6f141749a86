"""Which analytical paragraphs a run shows, and what their roles stand for.

A paragraph (from `data/narrative/`, parsed by `evidence.narrative`) is shown when its period
meets the run's window and every key it cites survives the run's tier switches. Its roles are
resolved here into plain data — the claim rows behind a key, a figure's value as the data
states it, a key's date at its precision — so the book and the briefing say the same thing.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from libyareport.content.spans import PRECISION_RANK
from libyareport.content.text import figure_text, fmt_date
from libyareport.evidence.model import Evidence
from libyareport.evidence.narrative import Paragraph, load_narrative
from libyareport.evidence.schema import KEY_OF

_LOADED: dict[str, list[Paragraph]] = {}


@dataclass
class Citation:
    claim_id: str
    source_id: str
    tier: str


_VIEWS: dict[tuple, Evidence] = {}


def _tier_view(ev: Evidence) -> Evidence:
    """The evidence with the run's tier switches but no date window (keys must survive the switches)."""
    w = ev.window
    k = (id(ev.base or ev), w.context, w.commentary)
    if k not in _VIEWS:
        _VIEWS[k] = (ev.base or ev).view(None, None, w.context, w.commentary)
    return _VIEWS[k]


def all_paragraphs(ev: Evidence) -> list[Paragraph]:
    folder = ev.data_dir / "narrative"
    key = f"{folder}:{ev.fingerprint}"
    if key not in _LOADED:
        paras, _ = load_narrative(folder) if folder.is_dir() else ([], [])
        _LOADED[key] = paras  # validated by check before any run
    return _LOADED[key]


_INDEX: dict[int, tuple[Evidence, dict[str, list[tuple[str, pd.Series]]]]] = {}


def _index(ev: Evidence) -> dict[str, list[tuple[str, pd.Series]]]:
    """key or claim_id -> its claim rows, built once per evidence view (narratives look up many keys)."""
    hit = _INDEX.get(id(ev))
    if hit is not None and hit[0] is ev:
        return hit[1]
    idx: dict[str, list[tuple[str, pd.Series]]] = {}
    for table, df in ev.tables.items():
        col = KEY_OF[table]
        for _, r in df.iterrows():
            idx.setdefault(r[col], []).append((table, r))
            if r["claim_id"] != r[col]:
                idx.setdefault(r["claim_id"], []).append((table, r))
    _INDEX[id(ev)] = (ev, idx)
    return idx


def _rows(ev: Evidence, key: str) -> list[tuple[str, pd.Series]]:
    """Every claim row behind a key (an event/figure/response/support key, or one claim_id)."""
    return list(_index(ev).get(key, []))


def citations(ev: Evidence, key: str, value: str | None = None) -> list[Citation]:
    """The sources that support what a paragraph says of a key, under the run's tier switches:
    never a row that refutes it, and for a figure only the rows reporting the value shown (a source
    giving another number is in "What the sources disagree about", not behind this one)."""
    seen, out = set(), []
    for table, r in _rows(_tier_view(ev), key):
        if r.get("stance") == "refutes" and r["claim_id"] != key:  # a claim_id cited by name is that claim
            continue
        if value is not None and table == "tolls" and figure_text(r) != value:
            continue
        if r["source_id"] in seen:
            continue
        seen.add(r["source_id"])
        out.append(Citation(r["claim_id"], r["source_id"], r["tier"]))
    return out


def figure_value(ev: Evidence, key: str) -> str | None:
    """A figure as the data states it; a claim_id picks one source's value where sources disagree."""
    rows = [r for t, r in _rows(_tier_view(ev), key) if t == "tolls"]
    return figure_text(rows[0]) if rows else None


def date_value(ev: Evidence, key: str) -> str | None:
    """The key's date at its finest reported precision ('4 April 2019' over '2019')."""
    rows = _rows(_tier_view(ev), key)
    rows.sort(key=lambda tr: PRECISION_RANK.get(tr[1].get("date_precision", tr[1].get("as_of_precision")), 9))
    for table, r in rows:
        if table in ("events", "responses") and pd.notna(r["date"]):
            return fmt_date(r["date"], r["date_precision"], r.get("date_end"), long=True)
        if table == "tolls" and pd.notna(r["as_of"]):
            return fmt_date(r["as_of"], r["as_of_precision"], r.get("as_of_end"), long=True)
    return None


def paragraphs(ev: Evidence, page: str, section: str | None = None) -> list[Paragraph]:
    """The paragraphs of a page (and section) that this run shows, in file order."""
    w = ev.window
    start, end = w.start or dt.date.min, w.end or dt.date.max
    tiers = _tier_view(ev)
    out = []
    for p in all_paragraphs(ev):
        if p.page != f"{page}.md" or (section and p.section != section):
            continue
        if p.tier == "context" and not w.context:
            continue
        if not p.overlaps(start, end):
            continue
        if all(_rows(tiers, k) for _, k, _ in p.cites):
            out.append(p)
    return out


def source_ids(ev: Evidence, keys: list[str], value: str | None = None) -> list[str]:
    """The distinct sources and references behind some keys (for numbered references)."""
    out: list[str] = []
    for k in keys:
        out += [c.source_id for c in citations(ev, k, value) if c.source_id not in out]
    return out


def cited_keys(ev: Evidence, page: str, sections: tuple[str, ...]) -> set[str]:
    """Every key the shown paragraphs of a page cite (e.g. the milestones the summary names)."""
    return {k for s in sections for p in paragraphs(ev, page, s) for _, k, _ in p.cites}
