"""ACLED exports (current and legacy column sets) → the normalised event table."""
from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from libyareport.imports import frame
from libyareport.imports.columns import ACLED_TIME_PRECISION, EVENT_SCHEMA, TIMESTAMP_RANGE


def _acled_version(path: Path, table: pa.Table) -> tuple[str | None, str | None]:
    m = re.search(r"(20\d{2})-?(\d{2})-?(\d{2})", path.stem)
    if m:
        try:
            return date(int(m[1]), int(m[2]), int(m[3])).isoformat(), "file name"
        except ValueError:
            pass
    if "timestamp" in table.column_names and table.num_rows:
        ts = frame.to_numbers(table["timestamp"])
        lo, hi = TIMESTAMP_RANGE
        ts = ts[np.isfinite(ts) & (ts >= lo) & (ts <= hi)]  # an implausible one is a bad row (checked below)
        if len(ts):
            return datetime.fromtimestamp(float(ts.max()), tz=UTC).date().isoformat(), "latest row timestamp"
    return None, None


def _normalise_acled(
    path: Path, shown: str, layout: frame.Layout, name: str, country: str | None,
    skip_bad_rows: bool, aliases: dict[str, str], progress: frame.Progress,
) -> frame.Normalised:
    table, rows, filtered, rows_read, linemap, invalid, version, basis = frame.common_start(
        path, shown, layout, country, progress, _acled_version)
    n = table.num_rows
    checks = frame.Checks(n)

    ids = frame.nullify_empty(frame.as_text(table["event_id_cnty"]))
    frame.check_ids(checks, ids, "event_id_cnty", rows, linemap)
    day = frame.per_unique(table["event_date"], lambda v: np.datetime64(frame.parse_event_date(v) or "NaT", "D"), "datetime64[D]", frame.NAT)
    checks.add(np.isnat(day), "event_date", "date is missing or cannot be parsed", "YYYY-MM-DD or DD Month YYYY (08 April 2019)")
    frame.check_dates(checks, day, "event_date")
    if "timestamp" in table.column_names:
        ts = frame.to_numbers(table["timestamp"])
        lo, hi = TIMESTAMP_RANGE
        with np.errstate(invalid="ignore"):
            checks.add(np.isinf(ts) | (np.isfinite(ts) & ((ts < lo) | (ts > hi))), "timestamp",
                       "timestamp is not a Unix time between 1970 and 2100", f"seconds since 1970, {lo} to {hi}")
    precision = frame.per_unique(table["time_precision"], frame.coded(ACLED_TIME_PRECISION), object, None)
    checks.add(pd.isna(precision), "time_precision", "time_precision is not 1, 2 or 3", "1 (day), 2 (week) or 3 (month)")
    lat, lon = frame.to_numbers(table["latitude"]), frame.to_numbers(table["longitude"])
    frame.check_coordinates(checks, lat, lon)
    fat = frame.to_numbers(table["fatalities"])
    frame.check_count(checks, fat, "fatalities", "fatalities")
    progress(f"validated {n:,} rows")

    keep, rejected, reasons = frame.fail_or_skip(checks, rows, linemap, shown, layout.columns, invalid, skip_bad_rows)
    fat_arr = frame.int_or_null(fat)
    actor1, actor2 = frame.opt(table, "actor1"), frame.opt(table, "actor2")
    out = pa.table({
        "dataset": frame.const(name, n),
        "dataset_version": frame.const(version, n),
        "source_format": frame.const(layout.source_format, n),
        "event_key": ids,
        "date_start": frame.date_array(day),
        "date_end": frame.date_array(day),
        "date_precision": pa.array(precision, pa.string()),
        "country": frame.opt(table, "country"),
        "admin1": frame.opt(table, "admin1"),
        "admin2": frame.opt(table, "admin2"),
        "place": frame.opt(table, "location"),
        "latitude": pa.array(np.where(np.isfinite(lat), lat, np.nan), from_pandas=True),
        "longitude": pa.array(np.where(np.isfinite(lon), lon, np.nan), from_pandas=True),
        "geo_precision": frame.int_or_null(frame.to_numbers(table["geo_precision"])) if "geo_precision" in table.column_names else pa.nulls(n, pa.int64()),
        "event_type": frame.opt(table, "event_type"),
        "sub_event_type": frame.opt(table, "sub_event_type"),
        "actor1": actor1,
        "actor2": actor2,
        "actor1_id": frame.actor_ids(actor1, aliases),
        "actor2_id": frame.actor_ids(actor2, aliases),
        "fatalities_best": fat_arr,
        "fatalities_low": fat_arr,
        "fatalities_high": fat_arr,
        "source": frame.opt(table, "source"),
        "notes": frame.opt(table, "notes"),
    })
    return frame.Normalised(frame.finish(out, keep, EVENT_SCHEMA, ("date_start", "event_key")), rows_read, rejected, filtered, reasons, version, basis)
