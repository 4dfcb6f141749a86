"""Aggregated ACLED series (events per month, fatalities per year) → the normalised series table."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from libyareport.imports import frame
from libyareport.imports.columns import SERIES_SCHEMA


def _normalise_series(
    path: Path, shown: str, layout: frame.Layout, name: str, country: str | None,
    skip_bad_rows: bool, progress: frame.Progress,
) -> frame.Normalised:
    table, rows, filtered, rows_read, linemap, invalid, _, _ = frame.common_start(
        path, shown, layout, country, progress, lambda _p, _t: (None, None))
    n = table.num_rows
    checks = frame.Checks(n)
    year = frame.to_numbers(table["YEAR"])
    with np.errstate(invalid="ignore"):
        bad_year = ~np.isfinite(year) | (year != np.floor(year)) | (year < 1900) | (year > 2100)
    checks.add(bad_year, "YEAR", "YEAR is not a year", "a four-digit year")
    monthly = layout.source_format == "acled_monthly"
    if monthly:
        month = frame.per_unique(table["MONTH"], lambda v: frame.MONTHS.get((v or "").strip().lower(), 0), np.int64, 0)
        checks.add(month == 0, "MONTH", "MONTH is not a month name", "an English month name such as April")
        value_col = "EVENTS"
    else:
        month = np.ones(n, dtype=np.int64)
        value_col = "FATALITIES"
    value = frame.to_numbers(table[value_col])
    frame.check_count(checks, value, value_col, value_col)
    checks.add(pc.is_null(frame.nullify_empty(frame.as_text(table["COUNTRY"]))).to_numpy(zero_copy_only=False), "COUNTRY", "COUNTRY is missing", "a country name")
    y = np.where(bad_year, 2000, year).astype(np.int64)
    start = np.array([f"{a:04d}-{b:02d}-01" for a, b in zip(y, np.where(month == 0, 1, month))], dtype="datetime64[D]")
    if monthly:
        end = (start.astype("datetime64[M]") + 1).astype("datetime64[D]") - 1
        period = np.array([f"{a:04d}-{b:02d}" for a, b in zip(y, np.where(month == 0, 1, month))], dtype=object)
    else:
        end = (start.astype("datetime64[Y]") + 1).astype("datetime64[D]") - 1
        period = np.array([f"{a:04d}" for a in y], dtype=object)
    countries = frame.opt(table, "COUNTRY")
    key = pd.Series(countries.to_numpy(zero_copy_only=False), dtype=object).str.casefold() + "|" + pd.Series(period)
    dup = key.duplicated(keep="first").to_numpy() & ~checks.bad()
    checks.add(dup, "COUNTRY", "duplicate country and period", "one row per country and period")
    progress(f"validated {n:,} rows")
    keep, rejected, reasons = frame.fail_or_skip(checks, rows, linemap, shown, layout.columns, invalid, skip_bad_rows)
    out = pa.table({
        "dataset": frame.const(name, n),
        "dataset_version": frame.const(None, n),
        "source_format": frame.const(layout.source_format, n),
        "country": countries,
        "period": pa.array(period, pa.string()),
        "period_start": frame.date_array(start),
        "period_end": frame.date_array(end),
        "metric": frame.const(layout.metric, n),
        "value": frame.int_or_null(value),
    })
    return frame.Normalised(frame.finish(out, keep, SERIES_SCHEMA, ("country", "period_start")), rows_read, rejected, filtered, reasons, None, None)
