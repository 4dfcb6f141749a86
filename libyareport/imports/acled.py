"""ACLED exports (current and legacy column sets) → the normalised event table."""
from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from libyareport.imports.columns import ACLED_TIME_PRECISION, EVENT_SCHEMA
from libyareport.imports.frame import (
    _NAT,
    _actor_ids,
    _check_coordinates,
    _check_count,
    _check_ids,
    _Checks,
    _code,
    _common_start,
    _const,
    _dates,
    _fail_or_skip,
    _finish,
    _int_or_null,
    _Layout,
    _Normalised,
    _nullify_empty,
    _numbers,
    _opt,
    _per_unique,
    _Progress,
    _text,
    parse_event_date,
)


def _acled_version(path: Path, table: pa.Table) -> tuple[str | None, str | None]:
    m = re.search(r"(20\d{2})-?(\d{2})-?(\d{2})", path.stem)
    if m:
        try:
            return date(int(m[1]), int(m[2]), int(m[3])).isoformat(), "file name"
        except ValueError:
            pass
    if "timestamp" in table.column_names and table.num_rows:
        ts = _numbers(table["timestamp"])
        ts = ts[np.isfinite(ts)]
        if len(ts):
            return datetime.fromtimestamp(float(ts.max()), tz=UTC).date().isoformat(), "latest row timestamp"
    return None, None


def _normalise_acled(
    path: Path, shown: str, layout: _Layout, name: str, country: str | None,
    skip_bad_rows: bool, aliases: dict[str, str], progress: _Progress,
) -> _Normalised:
    table, rows, filtered, rows_read, linemap, invalid, version, basis = _common_start(
        path, shown, layout, country, progress, _acled_version)
    n = table.num_rows
    checks = _Checks(n)

    ids = _nullify_empty(_text(table["event_id_cnty"]))
    _check_ids(checks, ids, "event_id_cnty", rows, linemap)
    day = _per_unique(table["event_date"], lambda v: np.datetime64(parse_event_date(v) or "NaT", "D"), "datetime64[D]", _NAT)
    checks.add(np.isnat(day), "event_date", "date is missing or cannot be parsed", "YYYY-MM-DD or DD Month YYYY (08 April 2019)")
    precision = _per_unique(table["time_precision"], _code(ACLED_TIME_PRECISION), object, None)
    checks.add(pd.isna(precision), "time_precision", "time_precision is not 1, 2 or 3", "1 (day), 2 (week) or 3 (month)")
    lat, lon = _numbers(table["latitude"]), _numbers(table["longitude"])
    _check_coordinates(checks, lat, lon)
    fat = _numbers(table["fatalities"])
    _check_count(checks, fat, "fatalities", "fatalities")
    progress(f"validated {n:,} rows")

    keep, rejected, reasons = _fail_or_skip(checks, rows, linemap, shown, layout.columns, invalid, skip_bad_rows)
    fat_arr = _int_or_null(fat)
    actor1, actor2 = _opt(table, "actor1"), _opt(table, "actor2")
    out = pa.table({
        "dataset": _const(name, n),
        "dataset_version": _const(version, n),
        "source_format": _const(layout.source_format, n),
        "event_key": ids,
        "date_start": _dates(day),
        "date_end": _dates(day),
        "date_precision": pa.array(precision, pa.string()),
        "country": _opt(table, "country"),
        "admin1": _opt(table, "admin1"),
        "admin2": _opt(table, "admin2"),
        "place": _opt(table, "location"),
        "latitude": pa.array(np.where(np.isfinite(lat), lat, np.nan), from_pandas=True),
        "longitude": pa.array(np.where(np.isfinite(lon), lon, np.nan), from_pandas=True),
        "geo_precision": _int_or_null(_numbers(table["geo_precision"])) if "geo_precision" in table.column_names else pa.nulls(n, pa.int64()),
        "event_type": _opt(table, "event_type"),
        "sub_event_type": _opt(table, "sub_event_type"),
        "actor1": actor1,
        "actor2": actor2,
        "actor1_id": _actor_ids(actor1, aliases),
        "actor2_id": _actor_ids(actor2, aliases),
        "fatalities_best": fat_arr,
        "fatalities_low": fat_arr,
        "fatalities_high": fat_arr,
        "source": _opt(table, "source"),
        "notes": _opt(table, "notes"),
    })
    return _Normalised(_finish(out, keep, EVENT_SCHEMA, ("date_start", "event_key")), rows_read, rejected, filtered, reasons, version, basis)
