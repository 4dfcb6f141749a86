"""UCDP GED exports → the normalised event table (best estimate with its low/high band)."""
from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from libyareport.imports import frame
from libyareport.imports.columns import EVENT_SCHEMA, UCDP_DATE_PRECISION, UCDP_VIOLENCE_TYPES


def _ucdp_version(path: Path) -> tuple[str | None, str | None]:
    stem = path.stem.lower()
    m = re.search(r"ged[_-]?v?(\d{2})(\d)(?!\d)", stem) or re.search(r"ged\w*?v?(\d{2})[._](\d{1,2})(?!\d)", stem)
    if m:
        return f"{m[1]}.{m[2]}", "file name"
    return None, None


def _normalise_ucdp(
    path: Path, shown: str, layout: frame.Layout, name: str, country: str | None,
    skip_bad_rows: bool, aliases: dict[str, str], progress: frame.Progress,
) -> frame.Normalised:
    table, rows, filtered, rows_read, linemap, invalid, version, basis = frame.common_start(
        path, shown, layout, country, progress, lambda p, _t: _ucdp_version(p))
    n = table.num_rows
    checks = frame.Checks(n)

    ids = frame.nullify_empty(frame.as_text(table["id"]))
    frame.check_ids(checks, ids, "id", rows, linemap)
    iso = "YYYY-MM-DD"

    def parse_iso(v: str | None) -> np.datetime64:
        d = None
        if v is not None:
            m = frame.ISO_RE.match(v.strip())  # UCDP sometimes appends a time: 2019-04-04 00:00:00.000
            if m:
                try:
                    d = date(int(m[1]), int(m[2]), int(m[3]))
                except ValueError:
                    d = None
        return np.datetime64(d or "NaT", "D")

    start = frame.per_unique(table["date_start"], parse_iso, "datetime64[D]", frame.NAT)
    end = frame.per_unique(table["date_end"], parse_iso, "datetime64[D]", frame.NAT)
    end_given = frame.per_unique(table["date_end"], lambda v: bool(v and v.strip()), bool, False)
    checks.add(np.isnat(start), "date_start", "date_start is missing or cannot be parsed", iso)
    checks.add(np.isnat(end) & end_given, "date_end", "date_end cannot be parsed", iso)
    end = np.where(np.isnat(end), start, end)
    checks.add(~np.isnat(start) & (end < start), "date_end", "date_end is before date_start", "date_end ≥ date_start")
    frame.check_dates(checks, start, "date_start")
    frame.check_dates(checks, end, "date_end")

    precision = frame.per_unique(table["date_prec"], frame.coded(UCDP_DATE_PRECISION), object, None)
    checks.add(pd.isna(precision), "date_prec", "date_prec is not 1–5", "1 (day) … 5 (year)")
    violence = frame.per_unique(table["type_of_violence"], frame.coded(UCDP_VIOLENCE_TYPES), object, None)
    checks.add(pd.isna(violence), "type_of_violence", "type_of_violence is not 1, 2 or 3", "1, 2 or 3")
    lat, lon = frame.to_numbers(table["latitude"]), frame.to_numbers(table["longitude"])
    frame.check_coordinates(checks, lat, lon)
    best, low, high = (frame.to_numbers(table[c]) for c in ("best", "low", "high"))
    for values, col in ((best, "best"), (low, "low"), (high, "high")):
        frame.check_count(checks, values, col, f"deaths ({col})")
    frame.check_order(checks, low, best, high, ("low", "best", "high"))
    progress(f"validated {n:,} rows")

    keep, rejected, reasons = frame.fail_or_skip(checks, rows, linemap, shown, layout.columns, invalid, skip_bad_rows)
    side_a, side_b = frame.opt(table, "side_a"), frame.opt(table, "side_b")
    source = pc.coalesce(*(frame.as_text(frame.opt(table, c)) for c in ("source_original", "source_office")))
    place = pc.coalesce(*(frame.as_text(frame.opt(table, c)) for c in ("where_coordinates", "where_description", "where_decription")))
    out = pa.table({
        "dataset": frame.const(name, n),
        "dataset_version": frame.const(version, n),
        "source_format": frame.const("ucdp", n),
        "event_key": ids,
        "date_start": frame.date_array(start),
        "date_end": frame.date_array(end),
        "date_precision": pa.array(precision, pa.string()),
        "country": frame.opt(table, "country"),
        "admin1": frame.opt(table, "adm_1"),
        "admin2": frame.opt(table, "adm_2"),
        "place": place,
        "latitude": pa.array(np.where(np.isfinite(lat), lat, np.nan), from_pandas=True),
        "longitude": pa.array(np.where(np.isfinite(lon), lon, np.nan), from_pandas=True),
        "geo_precision": frame.int_or_null(frame.to_numbers(table["where_prec"])) if "where_prec" in table.column_names else pa.nulls(n, pa.int64()),
        "event_type": pa.array(violence, pa.string()),
        "sub_event_type": pa.nulls(n, pa.string()),
        "actor1": side_a,
        "actor2": side_b,
        "actor1_id": frame.actor_ids(side_a, aliases),
        "actor2_id": frame.actor_ids(side_b, aliases),
        "fatalities_best": frame.int_or_null(best),
        "fatalities_low": frame.int_or_null(low),
        "fatalities_high": frame.int_or_null(high),
        "source": source,
        "notes": frame.opt(table, "source_headline"),
    })
    return frame.Normalised(frame.finish(out, keep, EVENT_SCHEMA, ("date_start", "event_key")), rows_read, rejected, filtered, reasons, version, basis)
