"""Matching publishers' actor names to the book's actor IDs by alias (read from the claim tables)."""
from __future__ import annotations

import re
from pathlib import Path

from libyareport.evidence.csvread import read_table
from libyareport.evidence.schema import load_package

#: Actor names in event exports that our aliases cannot match exactly. A name that
#: *contains* the pattern (case-insensitive) gets the actor ID. Checked before aliases.
#: This is the one place to extend the mapping from publishers' names to our actor IDs.
ACTOR_NAME_PATTERNS: tuple[tuple[str, str], ...] = (
    ("Haftar Faction", "lna"),  # "Military Forces of Libya (2014-) Haftar Faction"
    ("Government of National Accord", "gna"),  # "Military Forces of Libya (2016-2021) Government of National Accord"
)


#: Curated actor tables whose ``name`` and ``aliases`` feed the mapping (relative to data/).
ACTOR_TABLES = ("actors.csv", "context/actors.csv")


def _norm_name(s: str) -> str:
    return " ".join(s.replace("’", "'").split()).casefold()


def load_actor_aliases(data_dir: Path | str) -> dict[str, str]:
    """Normalised alias/name → actor_id, from data/actors.csv then data/context/actors.csv."""
    aliases: dict[str, str] = {}
    for table in ACTOR_TABLES:
        path = Path(data_dir) / table
        if not path.is_file():
            continue
        t, _ = read_table(path, load_package(str(data_dir)).resource(
            "actors" if table == "actors.csv" else "context_actors").columns)
        for row in (t.rows if t else []):  # read as check reads it; an invalid file maps nothing
            actor_id = (row.get("actor_id") or "").strip()
            if not actor_id:
                continue
            for n in [row.get("name") or ""] + (row.get("aliases") or "").split(";"):
                key = _norm_name(n)
                if key:
                    aliases.setdefault(key, actor_id)
    return aliases


_PAREN_RE = re.compile(r"\s*\([^)]*\)")


def match_actor(name: str | None, aliases: dict[str, str]) -> str | None:
    """Our actor ID for a publisher's actor name, or None.

    Order: ``ACTOR_NAME_PATTERNS`` (substring), an exact alias/name match, then an exact
    match once parenthesised qualifiers are removed ("Zintan (Libya)" → "Zintan").
    Deliberately no fuzzy matching: a wrong ID is worse than none.
    """
    if not name:
        return None
    folded = _norm_name(name)
    for pattern, actor_id in ACTOR_NAME_PATTERNS:
        if pattern.casefold() in folded:
            return actor_id
    if folded in aliases:
        return aliases[folded]
    stripped = _norm_name(_PAREN_RE.sub("", name))
    return aliases.get(stripped) if stripped else None
