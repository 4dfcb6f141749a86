"""`accept ID`: merge reviewed candidates into the claim tables, all or nothing.

The merged tables are validated exactly as `check` does (load_checked on a temporary copy of
the data directory) before anything in data/ changes; a problem in a merged row is reported
against the review file's line and column. Tables are then replaced atomically (temp file +
rename). Accepting twice adds nothing: a row whose ID is already in its table with the same
values counts as merged.
"""
from __future__ import annotations

import csv
import io
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from libyareport.articles._evidence import Problem, ReportError, load_checked, load_package, read_table, rel
from libyareport.articles.candidates import PREFIX, slug
from libyareport.articles.files import write_all
from libyareport.articles.review import TABLES, read


@dataclass
class AcceptResult:
    source_id: str
    review: Path
    merged: dict[str, int] = field(default_factory=dict)
    already: int = 0
    rejected: int = 0
    undecided: int = 0
    written: list[Path] = field(default_factory=list)


def review_path(data_dir: Path, source_id: str) -> Path:
    return data_dir / "review" / f"{source_id}.csv"


def _append(existing: bytes, header: list[str], rows: list[dict[str, str]]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    for r in rows:
        w.writerow([r.get(c, "") for c in header])
    head = existing if existing.endswith(b"\n") or not existing else existing + b"\n"
    return head + buf.getvalue().encode("utf-8")


def _required(res) -> set[str]:
    """Columns a table file must have (as check reads it): required fields and the key."""
    return {f.name for f in res.fields if f.required} | {res.primary_key or ""}


def _rewrite(header: list[str], rows: list[dict[str, str]]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    for r in rows:
        w.writerow([r.get(c, "") for c in header])
    return buf.getvalue().encode("utf-8")


def _same(a: dict[str, str], b: dict[str, str], cols: list[str]) -> bool:
    return all((a.get(c) or "").strip() == (b.get(c) or "").strip() for c in cols)


def accept(data_dir: Path | str, source_id: str, all_rows: bool = False) -> AcceptResult:
    data_dir = Path(data_dir)
    path = review_path(data_dir, source_id)
    if not path.is_file():
        raise ReportError(f"{rel(path)}: no review file for '{source_id}' "
                          "(add the article first: python -m libyareport add FILE)")
    package = load_package(str(data_dir))
    rows, problems = read(path, package)
    if problems:
        raise ReportError(problems)
    name = rel(path)
    result = AcceptResult(source_id, path)
    result.rejected = sum(r.decision == "reject" for r in rows)
    result.undecided = sum(r.decision == "" for r in rows)
    chosen = [r for r in rows if r.decision == "accept" or (all_rows and r.decision != "reject")]

    current = {}
    for t in TABLES:
        res = package.resource(t)
        table, probs = read_table(data_dir / res.path, res.columns, required=_required(res))
        if table is None:
            raise ReportError(probs)
        current[t] = table
    used = {r.get("claim_id", "") for t in TABLES if t != "actors" for r in current[t].rows}
    for res in package.resources:  # claim IDs are unique across both tiers
        if res.table in PREFIX and res.tier == "context":
            tab, _ = read_table(data_dir / res.path, res.columns, required=_required(res))
            used |= {r.get("claim_id", "") for r in (tab.rows if tab else [])}

    new_rows: dict[str, list[tuple[int, dict[str, str]]]] = {t: [] for t in TABLES}
    for r in chosen:
        res = package.resource(r.table)
        key = res.primary_key or res.columns[0]
        values = dict(r.values)
        if not values.get(key) and r.table in PREFIX:
            base = f"{PREFIX[r.table]}-{slug(source_id, 1)}-{slug(r.candidate_id, 1)}"
            cand, n = base, 2
            while cand in used:
                cand, n = f"{base}-{n}", n + 1
            values[key] = cand
            used.add(cand)
        existing = next(((x, ln) for x, ln in zip(current[r.table].rows, current[r.table].lines)
                         if (x.get(key) or "").strip() == values.get(key)), None) if values.get(key) else None
        if existing is not None:
            if _same(existing[0], values, res.columns):
                result.already += 1
                continue
            problems.append(Problem(name, r.line, key, f"'{values[key]}' is already in "
                                    f"{rel(data_dir / res.path)}:{existing[1]} with different values",
                                    "a new ID for a new claim (or edit the table itself to change a merged row)"))
            continue
        if any(v.get(key) == values.get(key) for _, v in new_rows[r.table]) and values.get(key):
            problems.append(Problem(name, r.line, key, f"'{values[key]}' is accepted twice in this file",
                                    "one row per ID"))
            continue
        new_rows[r.table].append((r.line, values))
    if problems:
        raise ReportError(problems)

    contents: dict[str, bytes] = {}
    for t, items in new_rows.items():
        if items:
            res = package.resource(t)
            target = data_dir / res.path
            extra = [c for c in res.columns if c not in current[t].header and any(v.get(c) for _, v in items)]
            if extra:  # the schema gained a column the table file does not have yet: add it (empty for old rows)
                contents[t] = _rewrite(current[t].header + extra, current[t].rows + [v for _, v in items])
            else:
                contents[t] = _append(target.read_bytes(), current[t].header, [v for _, v in items])
    if not contents:
        return result

    problems = _validate(data_dir, package, contents, new_rows, name)
    if problems:
        raise ReportError(problems)
    result.written = write_all({data_dir / package.resource(t).path: b for t, b in contents.items()})
    result.merged = {t: len(items) for t, items in new_rows.items() if items}
    return result


def _validate(data_dir: Path, package, contents: dict[str, bytes], new_rows, review_name: str) -> list[Problem]:
    """Check the merged data exactly as `check` does, on a temporary copy; map problems to review lines."""
    with tempfile.TemporaryDirectory(prefix="libyareport-accept-") as tmp:
        copy = Path(tmp) / "data"
        copy.mkdir()
        replaced = {package.resource(t).path: t for t in contents}
        for entry in data_dir.iterdir():
            if entry.name in replaced:
                continue
            (copy / entry.name).symlink_to(entry.resolve(), target_is_directory=entry.is_dir())
        for p, t in replaced.items():
            (copy / p).write_bytes(contents[t])
        loaded = load_checked(copy)
        line_map: dict[tuple[str, int], int] = {}
        for p, t in replaced.items():
            tab, _ = read_table(copy / p, package.resource(t).columns, required=_required(package.resource(t)))
            if tab is None:
                continue
            k = len(new_rows[t])
            for line, (rline, _) in zip(tab.lines[-k:], new_rows[t]):
                line_map[(rel(copy / p), line)] = rline
        out: list[Problem] = []
        tmp_prefix = rel(copy)
        for pr in loaded.problems:
            if (pr.file, pr.line) in line_map:
                out.append(Problem(review_name, line_map[(pr.file, pr.line)], pr.column, pr.message, pr.expected))
            else:
                file = pr.file.replace(tmp_prefix, rel(data_dir), 1) if pr.file.startswith(tmp_prefix) else pr.file
                out.append(Problem(file, pr.line, pr.column, pr.message, pr.expected))
        return sorted(out, key=lambda p: (p.file != review_name, p.file, p.line or 0))


