"""Import ACLED and UCDP GED exports into one normalised event table (or a series).

A file is recognised by its column *names* (order, extra columns, a BOM and quoted
newlines do not matter). Every row is validated; a bad row is reported with the CSV line
where its record starts. The result is written to ``data/imported/<name>/`` atomically:
a temporary directory is filled and then swapped in, so a failed import never leaves a
half-written dataset behind and never touches the curated tables in ``data/*.csv``.

    python -m libyareport import acled exports/libya_2019_2020.csv --country Libya
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow.compute as pc

from libyareport.errors import Problem, ReportError, rel
from libyareport.imports import frame
from libyareport.imports.acled import _normalise_acled
from libyareport.imports.actors import load_actor_aliases
from libyareport.imports.columns import _NAME_RE, ATTRIBUTION_ACLED, ATTRIBUTION_UCDP, IMPORTED_DIR
from libyareport.imports.series import _normalise_series
from libyareport.imports.ucdp import _normalise_ucdp
from libyareport.lock import writer_lock
from libyareport.progress import Progress, say


def _options_key(fmt: str, country: str | None, skip_bad_rows: bool) -> dict[str, Any]:
    return {"format": fmt, "country_filter": country.strip() if country else None, "skip_bad_rows": skip_bad_rows}


def _same_import(target: Path, sha: str, options: dict[str, Any]) -> dict | None:
    meta_path = target / "meta.json"
    if not meta_path.is_file():
        return None
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    table = target / meta.get("table", "")
    if meta.get("sha256") != sha or not table.is_file():
        return None
    if any(meta.get(k) != v for k, v in options.items()):
        return None
    return meta


def _write_atomic(imported: Path, name: str, table: frame.Output, table_name: str, meta: dict) -> None:
    created_root = not imported.exists()
    imported.mkdir(parents=True, exist_ok=True)
    tmp = imported / f".tmp-{name}-{os.getpid()}-{time.time_ns()}"
    tmp.mkdir()  # plain mkdir: permissions follow the umask, like the rest of data/
    target = imported / name
    old: Path | None = None
    try:
        table.write_parquet(tmp / table_name)
        (tmp / "meta.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        if target.exists():
            old = imported / f".old-{name}-{os.getpid()}-{time.time_ns()}"
            os.rename(target, old)
        try:
            os.rename(tmp, target)
        except OSError:
            if old is not None:
                os.rename(old, target)
                old = None
            raise
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        if created_root and not any(imported.iterdir()):
            imported.rmdir()
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _iso(d: Any) -> str | None:
    return None if d is None else d.isoformat()


def import_export(
    fmt: str,
    path: str | Path,
    data_dir: str | Path,
    *,
    country: str | None = None,
    name: str | None = None,
    skip_bad_rows: bool = False,
    progress: bool = True,
) -> dict:
    """Import an ACLED or UCDP GED export into ``<data_dir>/imported/<name>/``.

    Returns the dataset's metadata (as written to ``meta.json``) plus ``path`` (the
    dataset directory) and ``unchanged`` (True when this exact file with these options
    was already imported, in which case nothing was written).
    """
    fmt = (fmt or "").strip().lower()
    path = Path(path)
    data_dir = Path(data_dir)
    shown = rel(path)
    if fmt not in ("acled", "ucdp"):
        raise ReportError(Problem(shown, None, None, f"unknown import format {fmt!r}", "acled or ucdp"))
    if not path.is_file():
        raise ReportError(Problem(shown, None, None, "no such file", "the path of an exported CSV file"))
    if not data_dir.is_dir():
        raise ReportError(Problem(rel(data_dir), None, None, "data directory not found", "the book's data/ directory"))
    if country is not None and not country.strip():
        country = None

    report = Progress(progress, f"import {fmt}")
    header, sha = frame.check_encoding_and_read_header(path, shown)
    layout = frame.detect(fmt, header, path, shown)
    if name is None:
        name = fmt if layout.kind == "events" else f"acled_{layout.metric}_{'monthly' if layout.source_format == 'acled_monthly' else 'yearly'}"
    if not _NAME_RE.match(name):
        shown_name = repr(name if len(name) <= 40 else name[:37] + "…")
        raise ReportError(Problem("--name", None, None, f"invalid dataset name {shown_name}",
                                  "1 to 64 letters, digits, '_', '-' or '.', starting with a letter or digit"))
    imported = data_dir / IMPORTED_DIR
    if imported.exists() and not imported.is_dir():
        raise ReportError(Problem(rel(imported), None, None, "is a file, not a directory",
                                  "data/imported/ to be a directory (move the file away)"))
    if not os.access(data_dir, os.W_OK) or (imported.is_dir() and not os.access(imported, os.W_OK)):
        raise ReportError(Problem(rel(imported if imported.is_dir() else data_dir), None, None,
                                  "is not writable; nothing was imported", "a writable data directory"))
    with writer_lock(data_dir, "import"):
        clean_leftovers(imported)
        return _import_locked(fmt, path, shown, data_dir, imported, name, layout, sha, country, skip_bad_rows, report)


def clean_leftovers(imported: Path) -> None:
    """Remove the .tmp-…/.old-… directories a killed import left (called holding the data/ lock)."""
    if not imported.is_dir():
        return
    for p in imported.iterdir():
        if p.name.startswith((".tmp-", ".old-")) and p.is_dir():
            shutil.rmtree(p, ignore_errors=True)


def _import_locked(fmt: str, path: Path, shown: str, data_dir: Path, imported: Path, name: str, layout: frame.Layout,
                   sha: str, country: str | None, skip_bad_rows: bool, report: frame.Progress) -> dict:
    target = imported / name
    options = _options_key(fmt, country, skip_bad_rows)
    previous = _same_import(target, sha, options)
    if previous is not None:
        report(f"{shown} is already imported as {rel(target)} (same file, same options): nothing changed")
        return {**previous, "path": str(target), "unchanged": True}
    report(f"recognised {layout.source_format} ({layout.kind}) columns")

    if layout.kind == "series":
        norm = _normalise_series(path, shown, layout, name, country, skip_bad_rows, report)
        table_name = "series.parquet"
        dmin = pc.min(norm.table.column("period_start")).as_py()
        dmax = pc.max(norm.table.column("period_end")).as_py()
    else:
        aliases = load_actor_aliases(data_dir)
        fn = _normalise_ucdp if layout.source_format == "ucdp" else _normalise_acled
        norm = fn(path, shown, layout, name, country, skip_bad_rows, aliases, report)
        table_name = "events.parquet"
        dmin = pc.min(norm.table.column("date_start")).as_py()
        dmax = pc.max(norm.table.column("date_end")).as_py()
    kept = norm.table.num_rows
    report(f"kept {kept:,} rows, rejected {norm.rows_rejected:,}"
           + (f", {norm.rows_filtered:,} outside country filter" if country else ""))
    if norm.rows_read == 0:
        raise ReportError(Problem(shown, None, None, "the file has a header row but no data rows",
                                  "an export with at least one event"))
    if kept == 0:
        why = f"no rows match --country {country!r}" if country and norm.rows_filtered else "no rows left to import"
        raise ReportError(Problem(shown, None, None, f"nothing to import: {why}; {rel(target)} was left unchanged",
                                  "an export with at least one valid row"))

    if layout.source_format == "ucdp":
        attribution = ATTRIBUTION_UCDP.format(version=norm.dataset_version or "(version unknown)")
    else:
        attribution = ATTRIBUTION_ACLED
    meta = {
        "name": name,
        "kind": layout.kind,
        "source_format": layout.source_format,
        **options,
        "metric": layout.metric,
        "dataset_version": norm.dataset_version or ("unknown" if layout.source_format == "ucdp" else None),
        "dataset_version_basis": norm.version_basis,
        "file": path.name,
        "sha256": sha,
        "table": table_name,
        "rows_read": norm.rows_read,
        "rows_kept": kept,
        "rows_rejected": norm.rows_rejected,
        "rows_outside_country_filter": norm.rows_filtered,
        "rejected_examples": norm.reasons,
        "imported_at": datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        "date_min": _iso(dmin),
        "date_max": _iso(dmax),
        "attribution": attribution,
    }
    try:
        _write_atomic(imported, name, norm.table, table_name, meta)
    except OSError as e:
        raise ReportError(Problem(rel(imported), None, None,
                                  f"could not write the dataset: {e.strerror or e}; {rel(target)} was left unchanged",
                                  "free space and a writable data directory")) from None
    report(f"wrote {rel(target / table_name)} ({(target / table_name).stat().st_size / 1e6:.1f} MB) and meta.json")
    return {**meta, "path": str(target), "unchanged": False}


def cmd_import(args: argparse.Namespace) -> int:
    meta = import_export(
        args.format, args.file, args.data,
        country=args.country, name=args.name, skip_bad_rows=args.skip_bad_rows,
        progress=not getattr(args, "quiet", False),
    )
    where = rel(meta["path"])
    if meta["unchanged"]:
        say(f"{args.file}: already imported as {where} (same file and options); nothing changed.")
        return 0
    say(f"Imported {meta['source_format']} {meta['kind']} from {meta['file']} into {where}/")
    say(f"  rows read {meta['rows_read']:,}, kept {meta['rows_kept']:,}, rejected {meta['rows_rejected']:,}"
          + (f", outside --country {meta['country_filter']!r}: {meta['rows_outside_country_filter']:,}"
             if meta["country_filter"] else ""))
    for reason in meta["rejected_examples"]:
        say(f"  skipped: {reason}")
    say(f"  dates {meta['date_min']} to {meta['date_max']}; version {meta['dataset_version'] or 'n/a'}")
    say(f"  wrote {where}/{meta['table']} and {where}/meta.json")
    return 0
