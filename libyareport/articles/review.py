"""The review file `data/review/ID.csv`: one row per candidate claim, decided by a person.

Columns: `candidate_id, table, decision, rule`, then every target table's own columns under
their schema names (taken from the schema, so new columns appear without code changes). A row
fills only the columns of its own table.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from libyareport.articles._evidence import Package, Problem, read_table, rel

TABLES = ("events", "tolls", "support", "responses", "actors")
LEAD = ["candidate_id", "table", "decision", "rule"]
DECISIONS = ("", "accept", "reject")


def table_columns(package: Package) -> dict[str, list[str]]:
    """Columns of each target table (its corpus resource), in schema order."""
    return {t: package.resource(t).columns for t in TABLES}


def header(package: Package) -> list[str]:
    cols = list(LEAD)
    for t in TABLES:
        for c in table_columns(package)[t]:
            if c not in cols:
                cols.append(c)
    return cols


def render(package: Package, candidates) -> str:
    """The review CSV text for a list of candidates (see candidates.Candidate)."""
    cols = header(package)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(cols)
    for i, c in enumerate(candidates, 1):
        row = {"candidate_id": f"c{i:03d}", "table": c.table, "decision": "", "rule": "; ".join(c.rule), **c.row}
        w.writerow([row.get(col, "") for col in cols])
    return buf.getvalue()


@dataclass
class ReviewRow:
    line: int
    candidate_id: str
    table: str
    decision: str
    values: dict[str, str]  # the target table's columns only


def read(path: Path, package: Package) -> tuple[list[ReviewRow], list[Problem]]:
    """Parse and check the review file's shape; every problem names file, line and column."""
    name = rel(path)
    cols = header(package)
    table, problems = read_table(path, cols, required=set(LEAD))
    if table is None:
        return [], problems
    per_table = table_columns(package)
    rows: list[ReviewRow] = []
    seen: dict[str, int] = {}
    for raw, line in zip(table.rows, table.lines):
        t = raw.get("table", "").strip()
        decision = raw.get("decision", "").strip().lower()
        cid = raw.get("candidate_id", "").strip()
        if not cid:
            problems.append(Problem(name, line, "candidate_id", "candidate_id is empty", "an ID such as c001"))
        elif cid in seen:
            problems.append(Problem(name, line, "candidate_id", f"duplicate candidate_id '{cid}' (first used at line {seen[cid]})",
                                    "each candidate once"))
        else:
            seen[cid] = line
        if decision not in DECISIONS:
            problems.append(Problem(name, line, "decision", f"'{raw.get('decision')}' is not a decision",
                                    "accept, reject, or empty (not yet reviewed)"))
        if t not in TABLES:
            problems.append(Problem(name, line, "table", f"unknown table '{t}'", "one of " + ", ".join(TABLES)))
            continue
        own = per_table[t]
        for c in table.header:
            if c in LEAD or c in own:
                continue
            if raw.get(c, "").strip():
                problems.append(Problem(name, line, c, f"column '{c}' is not a column of table '{t}'",
                                        f"empty (only {t}'s columns are merged: {', '.join(own)})"))
        rows.append(ReviewRow(line, cid, t, decision, {c: raw.get(c, "").strip() for c in own}))
    return rows, problems
