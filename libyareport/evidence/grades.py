"""Evidence grades: the one definition of how claims about a key are counted and graded.

Every place that counts, ranks or draws claims (the check summary, findings, tables, charts,
the briefing) asks this module; nothing else counts sources. The vocabularies (grades,
stances, source reliability) and the support groups (material / diplomatic) are declared in
the schema (`x-grades`, `x-stances`, `x-reliability` in data/datapackage.json, `x-groups` on
support_type) and read from there.

Per claim key of a table (event_id, figure_id, backer>recipient:type, response_id), over the
rows of the view that are not forum commentary:

- **raw sources**: distinct source documents / references citing the key, any stance;
- **independent sources**: distinct *lines of evidence* among the supporting rows. A row's line
  is its originator (events, support, responses: `originator`; tolls: `reported_by`, else
  `reported_via`; an officer or office counts as the body it belongs to, per actors' parent_id),
  else the wire its reference credits (`via`, e.g. "AFP"), else its source.
  Two outlets relaying one ministry, or two papers printing one Reuters wire, are one line;
- **stance counts**: distinct sources that support, refute, or qualify the key;
- **disagreement**: two supporting rows of one key that differ on the date (their spans do not
  overlap: a "2019" row does not contradict "4 Apr 2019"), the time of day, the value (value,
  low or high) or the place (no word in common: "Tripoli" and "al-Hadhba, Tripoli" agree);
- **competing claim**: a row of the key `disputes` another key, a row of another key disputes
  it, or a source reports it as disputed (status `disputed`);
- **grade** (first that applies): *contested* (a refuting source, a competing claim or a
  disagreement); *confirmed* (a party to it acknowledges it, i.e. a supporting row reported
  (not claimed) whose originator is one of its parties or part of one, not a side's claim of its
  own gains; or an official record: a resolution), never on partisan or state media alone; *corroborated* (two or more independent
  supporting lines, at least one from an outlet that is not partisan or state media);
  *single source* (otherwise: one line, or only partisan / state-media sources).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from libyareport.evidence.check import period_end
from libyareport.evidence.schema import CLAIM_TABLES, KEY_OF

#: Fields compared between rows of one key, per table (disagreement rule).
COMPARED = {
    "events": ("date", "time", "place"),
    "responses": ("date", "time"),
    "tolls": ("value", "place"),
    "support": (),
}
#: Which columns name the parties to a key (for "a party acknowledges it").
PARTY_COLUMNS = {"events": ("actor_ids", "target_ids"), "support": ("backer_id", "recipient_id"),
                 "responses": ("actor_id",), "tolls": ()}
#: Kinds of key that are an official record of themselves.
OFFICIAL = {"responses": {"resolution", "sanctions"}}
#: A party's claim of its own gains is a claim, not an acknowledgment.
SELF_SERVING = {"territorial_claim", "counter_offensive"}
PARTISAN = {"partisan", "state_media"}

GRADE_COLUMNS = ["grade", "grade_label", "n_raw", "n_independent", "n_supporting", "n_refuting", "n_qualifying",
                 "sources", "supporting_sources", "refuting_sources", "lines", "disagreement", "disagree_on",
                 "competing", "acknowledged", "official", "partisan_only"]


@dataclass(frozen=True)
class Disagreement:
    """Two or more versions of one key: the rows that differ, and on what."""

    table: str
    key: str
    fields: tuple[str, ...]
    rows: pd.DataFrame  # the supporting rows of the key, one per version and source


# -- vocabularies ------------------------------------------------------------------------------
def vocabulary(ev, name: str) -> dict[str, dict]:
    """'x-grades' / 'x-stances' / 'x-reliability' of the schema as {id: {label, definition}}."""
    return {e["id"]: e for e in ev.package.vocabulary(name)}


def grade_label(ev, grade: str) -> str:
    return vocabulary(ev, "x-grades").get(grade, {}).get("label", grade.replace("_", " "))


def support_groups(ev) -> dict[str, tuple[str, ...]]:
    """support_type's x-groups: {'material': (...), 'diplomatic': (...), ...}."""
    res = ev.package.tables("support")
    f = res[0].field("support_type") if res else None
    return dict(f.groups or {}) if f is not None else {}


def support_group(ev, support_type: str) -> str:
    for g, types in support_groups(ev).items():
        if support_type in types:
            return g
    return "unspecified"


def material_types(ev) -> set[str]:
    return set(support_groups(ev).get("material", ()))


# -- per row ---------------------------------------------------------------------------------
def _norm(s: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", (s or "").lower()).strip()


def _source_maps(ev) -> tuple[dict[str, str], dict[str, str]]:
    """{source or reference id: reliability}, {id: normalised wire credited}; computed once per view."""
    maps = ev.__dict__.get("_source_maps")
    if maps is None:
        rel = {sid: str(s.meta.get("reliability") or "") for sid, s in ev.sources.items()}
        via = {sid: _norm(str(s.meta.get("via") or "")) for sid, s in ev.sources.items()}
        refs = ev.references
        for col, target, f in (("reliability", rel, str), ("via", via, _norm)):
            if col in refs:
                target.update({i: f(v or "") for i, v in zip(refs["ref_id"], refs[col])})
        maps = ev.__dict__["_source_maps"] = (rel, via)
    return maps


def reliability(ev, source_id: str) -> str:
    """independent / partisan / state_media for a source document or a reference ('' if unknown)."""
    return _source_maps(ev)[0].get(source_id, "")


def _via(ev, source_id: str) -> str:
    return _source_maps(ev)[1].get(source_id, "")


def line_of(ev, table: str, row) -> str:
    """The line of evidence a row belongs to: its originator, else its wire, else its source."""
    if table == "tolls":
        orig = row.get("reported_by") or row.get("reported_via") or ""
    else:
        orig = row.get("originator", "") or ""
    if orig:
        # a party's officers and offices speak for it: one line per top-level body
        chain = _chain(ev, orig)
        return f"originator:{chain[-1]}"
    via = _via(ev, row["source_id"])
    if via:
        return f"wire:{via}"
    return f"source:{row['source_id']}"


def _span(row, col: str = "date"):
    prec_col = "date_precision" if col == "date" else f"{col}_precision"
    start = row.get(col)
    if start is None or pd.isna(start):
        return None
    s = start.date()
    end = row.get(f"{col}_end")
    return s, period_end(s, end.date() if end is not None and pd.notna(end) else None, row.get(prec_col) or "day")


_STOP = {"a", "an", "the", "of", "in", "near", "and", "from", "to", "al", "el", "city", "area", "s"}


def _place_words(p: str) -> set[str]:
    return {w.rstrip("s") for w in _norm(p).split() if w not in _STOP and len(w) > 1}


def _differ(field: str, a, b) -> bool:
    if field == "date":
        sa, sb = _span(a), _span(b)
        return bool(sa and sb and (sa[1] < sb[0] or sb[1] < sa[0]))
    if field == "time":
        return bool(a.get("time") and b.get("time") and a["time"] != b["time"])
    if field == "place":
        wa, wb = _place_words(a.get("place", "")), _place_words(b.get("place", ""))
        return bool(wa and wb and not wa & wb)
    if field == "value":
        for c in ("value", "low", "high"):
            x, y = a.get(c), b.get(c)
            if x is not None and y is not None and pd.notna(x) and pd.notna(y) and float(x) != float(y):
                return True
        return False
    return False


def _chain(ev, actor_id: str) -> list[str]:
    """The actor, its parent, its parent's parent … (actors.csv parent_id)."""
    parent = ev.__dict__.get("_parent_map")
    if parent is None:
        parent = dict(zip(ev.actors["actor_id"], ev.actors["parent_id"])) if "parent_id" in ev.actors else {}
        ev.__dict__["_parent_map"] = parent
    out, cur = [], actor_id
    while cur and cur not in out:
        out.append(cur)
        cur = parent.get(cur, "")
    return out


def _ancestors(ev, actor_id: str) -> set[str]:
    return set(_chain(ev, actor_id))


def _parties(table: str, rows: list[dict]) -> set[str]:
    out: set[str] = set()
    for r in rows:
        for c in PARTY_COLUMNS.get(table, ()):
            out |= {x.strip() for x in str(r.get(c) or "").split(";") if x.strip()}
    return out


# -- per key -----------------------------------------------------------------------------------
def _competing_keys(ev, table: str) -> set[str]:
    df = ev.tables[table]
    out: set[str] = set()
    if "disputes" in df:
        present = set(df[KEY_OF[table]])
        for key, targets, status in zip(df[KEY_OF[table]], df["disputes"], df["status"]):
            if status == "commentary":
                continue
            ts = {t.strip() for t in str(targets).split(";") if t.strip()}
            if ts:
                out.add(key)
                out |= ts & present
    out |= set(df.loc[df["status"] == "disputed", KEY_OF[table]])
    return out


def _reported(df: pd.DataFrame) -> pd.DataFrame:
    return df[df["status"] != "commentary"] if "status" in df else df


def _records(ev, table: str) -> list[dict]:
    """The view's non-commentary rows of a table as plain dicts (cached: grading is per row)."""
    def compute() -> list[dict]:
        recs = _reported(ev.tables[table]).to_dict("records")
        for r in recs:
            r.setdefault("stance", "supports")
            r["stance"] = r["stance"] or "supports"
        return recs
    return ev.memo(f"records:{table}", compute)


def _by_key(recs: list[dict], key: str) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for r in recs:
        out.setdefault(r[key], []).append(r)
    return out


def disagreements(ev, table: str) -> list[Disagreement]:
    """Every key of the table whose supporting rows give different dates, times, values or places."""
    key = KEY_OF[table]
    fields = COMPARED.get(table, ())
    out = []
    if not fields:
        return out
    cols = list(ev.tables[table].columns)
    for k, rows in _by_key([r for r in _records(ev, table) if r["stance"] == "supports"], key).items():
        if len(rows) < 2:
            continue
        diff = tuple(f for f in fields if any(_differ(f, a, b) for i, a in enumerate(rows) for b in rows[i + 1:]))
        if diff:
            out.append(Disagreement(table, k, diff, pd.DataFrame(rows, columns=cols)))
    return out


def grades(ev, table: str) -> pd.DataFrame:
    """Per claim key of the view: counts, stances, disagreement, competing claims and the grade."""
    return ev.memo(f"grades:{table}", lambda: _grades(ev, table))


def _grades(ev, table: str) -> pd.DataFrame:
    key = KEY_OF[table]
    recs = _records(ev, table)
    if not recs:
        return pd.DataFrame(columns=GRADE_COLUMNS)
    competing = _competing_keys(ev, table)
    disagree = {d.key: d.fields for d in disagreements(ev, table)}
    kinds = OFFICIAL.get(table, set())
    type_col = {"events": "event_type", "responses": "response_type", "support": "support_type"}.get(table)
    rows = []
    for k, g in _by_key(recs, key).items():
        sup = [r for r in g if r["stance"] == "supports"]
        srcs = sorted({r["source_id"] for r in g})
        lines: dict[str, set[str]] = {}
        for r in sup:
            lines.setdefault(line_of(ev, table, r), set()).add(r["source_id"])
        # a line is partisan only when every source on it is partisan or state media
        line_rel = {ln: all(reliability(ev, s) in PARTISAN for s in ss) for ln, ss in lines.items()}
        parties = _parties(table, g)
        self_serving = type_col == "event_type" and bool({r[type_col] for r in g} & SELF_SERVING)
        acting = _parties("events", [{"actor_ids": r.get("actor_ids", "")} for r in g]) if self_serving else set()
        acknowledged = False
        if parties and table != "tolls":
            for r in sup:
                if r.get("status") == "claimed":
                    continue  # a party's claim is a claim, never its acknowledgment
                orig = r.get("originator", "")
                if not orig:
                    continue
                anc = _ancestors(ev, orig)
                if not anc & parties:
                    continue
                if anc & acting:
                    continue  # a side claiming its own gains: a claim, not an acknowledgment
                acknowledged = True
                break
        official = bool(type_col and kinds and {r[type_col] for r in sup} & kinds)
        refuting = sorted({r["source_id"] for r in g if r["stance"] == "refutes"})
        n_ind = len(lines)
        partisan_only = bool(lines) and all(line_rel.values())
        if refuting or k in competing or k in disagree:
            grade = "contested"
        elif (acknowledged or official) and not partisan_only:  # partisan or state media alone: single source at best
            grade = "confirmed"
        elif n_ind >= 2 and not partisan_only:
            grade = "corroborated"
        else:
            grade = "single_source"
        supporting = sorted({r["source_id"] for r in sup})
        rows.append({
            key: k, "grade": grade, "grade_label": grade_label(ev, grade), "n_raw": len(srcs),
            "n_independent": n_ind, "n_supporting": len(supporting),
            "n_refuting": len(refuting), "n_qualifying": len({r["source_id"] for r in g if r["stance"] == "qualifies"}),
            "sources": srcs, "supporting_sources": supporting, "refuting_sources": refuting,
            "lines": sorted(lines), "disagreement": k in disagree, "disagree_on": disagree.get(k, ()),
            "competing": k in competing, "acknowledged": acknowledged, "official": official,
            "partisan_only": partisan_only,
        })
    return pd.DataFrame(rows).set_index(key)[GRADE_COLUMNS]


def contested_keys(ev, table: str) -> set[str]:
    g = grades(ev, table)
    return set(g.index[g["grade"] == "contested"]) if len(g) else set()


def grade_counts(ev, table: str) -> dict[str, int]:
    """{grade id: number of keys}, every declared grade present (0 when none)."""
    g = grades(ev, table)
    counts = g["grade"].value_counts().to_dict() if len(g) else {}
    ids = list(vocabulary(ev, "x-grades")) or ["confirmed", "corroborated", "single_source", "contested"]
    return {i: int(counts.get(i, 0)) for i in ids}


def all_contested(ev) -> dict[str, set[str]]:
    """The contested keys of every claim table: what "What the sources disagree about" shows and counts."""
    return {t: contested_keys(ev, t) for t in CLAIM_TABLES}


def grade_text(ev, table: str, key: str) -> str:
    """'Corroborated · 2 independent of 3 sources' — the grade and counts as printed everywhere."""
    g = grades(ev, table)
    if key not in g.index:
        return "forum commentary only"
    r = g.loc[key]
    n_raw, n_ind = int(r["n_raw"]), int(r["n_independent"])
    parts = [f"{r['grade_label']} · {n_ind} independent of {n_raw} source{'s' * (n_raw != 1)}"]
    if r["n_refuting"]:
        parts.append(f"{r['n_refuting']} refuting")
    if r["disagreement"]:
        parts.append("sources disagree on " + ", ".join(r["disagree_on"]))
    elif r["competing"]:
        parts.append("competing claim")
    if r["partisan_only"]:
        parts.append("partisan or state media only")
    return "; ".join(parts)
