"""Check rules for honest aggregation (issue 9): what a claim row must say so that
independence and scope can be computed. Called from `validate.py`; each rule returns
Problems naming file, line and column, what is wrong and what was expected.

- a corpus quote that relays someone ("according to …", "quoting …", "citing …", "via …")
  needs an `originator` (tolls: `reported_by` / `reported_via`), so that two outlets relaying
  one originator count once;
- every source document except forum comments says how reliable its outlet is.

The stance on every claim row and the scope of every figure (population, place, period_start)
are required by the schema itself (`constraints.required`), so the generic checks enforce them.
"""
from __future__ import annotations

import re

from libyareport.errors import Problem

#: Phrases by which a quote relays another source. Matched case-insensitively on word boundaries.
RELAY = re.compile(r"\b(according to|quoting|citing|via)\s", re.IGNORECASE)


def relay_phrase(quote: str) -> str | None:
    """The first relay phrase in a quote, e.g. 'according to', or None."""
    m = RELAY.search(quote or "")
    return m.group(1).lower() if m else None


def relay_problems(table: str, row: dict, file: str, line: int) -> list[Problem]:
    """A corpus row whose quote relays a source must name that source's ID."""
    phrase = relay_phrase(row.get("quote", ""))
    if phrase is None:
        return []
    if table == "tolls":
        if (row.get("reported_by") or "").strip() or (row.get("reported_via") or "").strip():
            return []
        column = "reported_by"
    else:
        if (row.get("originator") or "").strip():  # an absent optional column counts as empty
            return []
        column = "originator"
    return [Problem(file, line, column, f"the quote relays \"{phrase} …\" but no {column} is given",
                    "the relayed source's ID")]


def source_reliability_problem(meta: dict, file: str, key_line: dict) -> Problem | None:
    """News and statements say whose outlet they are; forum comments are marked by their kind."""
    if meta.get("kind") == "forum_comments" or str(meta.get("reliability") or "").strip():
        return None
    return Problem(file, key_line.get("kind", 2), "reliability",
                   f"source of kind '{meta.get('kind')}' has no reliability",
                   "reliability: independent, partisan or state_media (every kind but forum_comments)")
