"""The imported-event store, reading side: list, select and load what `import` wrote.

    events = store.load_events("data", start_date, end_date, datasets=["acled"])

Readers never import the writers; both share `imports.columns`.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from libyareport.errors import Problem, ReportError, rel
from libyareport.imports.columns import EVENT_COLUMNS, IMPORTED_DIR, SERIES_COLUMNS
from libyareport.params import dataset_names, resolve_data_dir, window

#: Columns read by default: everything but the long text columns.
DEFAULT_COLUMNS = [c for c in EVENT_COLUMNS if c not in ("notes", "source")]


_PARAMS = "parameters"


def _imported(data_dir: str | Path) -> Path:
    return Path(data_dir) / IMPORTED_DIR


def list_datasets(data_dir: str | Path) -> list[dict]:
    """Metadata (``meta.json``) of every imported dataset, sorted by name; [] when none."""
    root = _imported(data_dir)
    if not root.is_dir():
        return []
    out = []
    for meta_path in sorted(root.glob("*/meta.json")):
        if meta_path.parent.name.startswith("."):
            continue  # an import in progress or being replaced
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            raise ReportError(Problem(rel(meta_path), None, None, f"unreadable import metadata: {e}",
                                      "a meta.json written by `python -m libyareport import`")) from None
        meta["path"] = str(meta_path.parent)
        out.append(meta)
    return sorted(out, key=lambda m: m.get("name", ""))


def selected_datasets(data_dir: str | Path, datasets: str | Iterable[str] | None = "all") -> list[dict]:
    """Metadata of the imported datasets a run uses (`datasets`: all, none, or names), any kind."""
    return _select(resolve_data_dir(data_dir), datasets, None)


def _select(data_dir: str | Path, datasets: str | Iterable[str] | None, kind: str | None) -> list[dict]:
    metas = list_datasets(data_dir)
    names = dataset_names(datasets)
    if names is None:
        return [m for m in metas if kind is None or m.get("kind") == kind]
    by_name = {m["name"]: m for m in metas}
    chosen = []
    for n in names:
        meta = by_name.get(n)
        if meta is None or (kind is not None and meta.get("kind") != kind):
            available = ", ".join(m["name"] for m in metas if kind is None or m.get("kind") == kind) or "none"
            what = "not imported" if meta is None else f"a {meta.get('kind')} dataset, not {kind}"
            raise ReportError(Problem(_PARAMS, None, "datasets", f"dataset {n!r} is {what} "
                                      f"(imported {kind or ''} datasets: {available})".replace("  ", " "),
                                      "the name of an import in data/imported/ (python -m libyareport import …)"))
        chosen.append(meta)
    return chosen


def _to_pandas(table: pa.Table) -> pd.DataFrame:
    df = table.to_pandas(date_as_object=False, types_mapper={pa.int64(): pd.Int64Dtype()}.get)
    for c in df.columns:
        if c.startswith(("date_", "period_")) and c not in ("date_precision",):
            df[c] = pd.to_datetime(df[c]).astype("datetime64[ns]")
    return df


def _empty(columns: Sequence[str], schema: pa.Schema) -> pd.DataFrame:
    return _to_pandas(pa.table({c: pa.array([], schema.field(c).type) for c in columns}))


def load_events(
    data_dir: str | Path,
    start_date: str | date | None,
    end_date: str | date | None,
    datasets: str | Iterable[str] | None = None,
    columns: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Events whose ``date_start`` is in [start_date, end_date] (inclusive; None = open).

    ``datasets``: names (list, or comma-separated string) of imports; None = every imported
    event dataset. Only ``columns`` are read (default :data:`DEFAULT_COLUMNS`, i.e. not the
    long ``notes``/``source`` texts); ``dataset`` is always included. Dates come back as
    ``datetime64``; fatalities as nullable integers. Sorted by date, dataset, event_key.
    """
    from libyareport.imports.columns import EVENT_SCHEMA

    start, end = window(start_date, end_date)
    cols = list(dict.fromkeys(["dataset", *(columns or DEFAULT_COLUMNS)]))
    unknown = [c for c in cols if c not in EVENT_COLUMNS]
    if unknown:
        raise ReportError(Problem(_PARAMS, None, "columns", f"unknown event column(s) {', '.join(unknown)}",
                                  "columns of the normalised event table: " + ", ".join(EVENT_COLUMNS)))
    filters = []
    if start:
        filters.append(("date_start", ">=", start))
    if end:
        filters.append(("date_start", "<=", end))
    tables = []
    for meta in _select(data_dir, datasets, "events"):
        path = Path(meta["path"]) / meta.get("table", "events.parquet")
        tables.append(pq.read_table(path, columns=cols, filters=filters or None))
    if not tables:
        return _empty(cols, EVENT_SCHEMA)
    df = _to_pandas(pa.concat_tables(tables))
    sort = [c for c in ("date_start", "dataset", "event_key") if c in df.columns]
    return df.sort_values(sort, kind="stable").reset_index(drop=True)


def load_series(
    data_dir: str | Path,
    start_date: str | date | None = None,
    end_date: str | date | None = None,
    datasets: str | Iterable[str] | None = None,
    metric: str | None = None,
    country: str | None = None,
) -> pd.DataFrame:
    """Imported ACLED aggregated series (monthly events, yearly fatalities …).

    A period is kept when it overlaps [start_date, end_date]. ``metric``: ``events``,
    ``fatalities`` or ``civilian_fatalities``; ``country`` is matched case-insensitively.
    """
    from libyareport.imports.columns import SERIES_SCHEMA

    start, end = window(start_date, end_date)
    frames = []
    for meta in _select(data_dir, datasets, "series"):
        path = Path(meta["path"]) / meta.get("table", "series.parquet")
        frames.append(pq.read_table(path))
    if not frames:
        return _empty(SERIES_COLUMNS, SERIES_SCHEMA)
    df = _to_pandas(pa.concat_tables(frames))
    keep = pd.Series(True, index=df.index)
    if start:
        keep &= df["period_end"] >= pd.Timestamp(start)
    if end:
        keep &= df["period_start"] <= pd.Timestamp(end)
    if metric:
        keep &= df["metric"] == metric
    if country:
        keep &= df["country"].str.casefold() == country.strip().casefold()
    return df[keep].sort_values(["dataset", "country", "period_start"]).reset_index(drop=True)


def source_line(data_dir: str | Path, datasets: str | Iterable[str] | None = None) -> str:
    """The attribution line for imported datasets, e.g. for a figure's source annotation."""
    parts = []
    for meta in list_datasets(data_dir):
        names = dataset_names(datasets)
        if names is not None and meta["name"] not in names:
            continue
        text = meta.get("attribution") or meta["name"]
        extra = [f"file {meta['file']}"] if meta.get("file") else []
        if meta.get("dataset_version") and meta.get("source_format") != "ucdp":
            extra.append(f"version {meta['dataset_version']}")
        if meta.get("imported_at"):
            extra.append(f"imported {meta['imported_at'][:10]}")
        parts.append(f"{text} ({', '.join(extra)})" if extra else text)
    return "Source: " + "; ".join(parts) if parts else ""
