"""UCDP GED exports → the normalised event table (best estimate with its low/high band)."""
from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from libyareport.imports.columns import EVENT_SCHEMA, UCDP_DATE_PRECISION, UCDP_VIOLENCE_TYPES
from libyareport.imports.frame import (
    _ISO_RE,
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
)


def _ucdp_version(path: Path) -> tuple[str | None, str | None]:
    stem = path.stem.lower()
    m = re.search(r"ged[_-]?v?(\d{2})(\d)(?!\d)", stem) or re.search(r"ged\w*?v?(\d{2})[._](\d{1,2})(?!\d)", stem)
    if m:
        return f"{m[1]}.{m[2]}", "file name"
    return None, None


def _normalise_ucdp(
    path: Path, shown: str, layout: _Layout, name: str, country: str | None,
    skip_bad_rows: bool, aliases: dict[str, str], progress: _Progress,
) -> _Normalised:
    table, rows, filtered, rows_read, linemap, invalid, version, basis = _common_start(
        path, shown, layout, country, progress, lambda p, _t: _ucdp_version(p))
    n = table.num_rows
    checks = _Checks(n)

    ids = _nullify_empty(_text(table["id"]))
    _check_ids(checks, ids, "id", rows, linemap)
    iso = "YYYY-MM-DD"

    def parse_iso(v: str | None) -> np.datetime64:
        d = None
        if v is not None:
            m = _ISO_RE.match(v.strip())  # UCDP sometimes appends a time: 2019-04-04 00:00:00.000
            if m:
                try:
                    d = date(int(m[1]), int(m[2]), int(m[3]))
                except ValueError:
                    d = None
        return np.datetime64(d or "NaT", "D")

    start = _per_unique(table["date_start"], parse_iso, "datetime64[D]", _NAT)
    end = _per_unique(table["date_end"], parse_iso, "datetime64[D]", _NAT)
    end_given = _per_unique(table["date_end"], lambda v: bool(v and v.strip()), bool, False)
    checks.add(np.isnat(start), "date_start", "date_start is missing or cannot be parsed", iso)
    checks.add(np.isnat(end) & end_given, "date_end", "date_end cannot be parsed", iso)
    end = np.where(np.isnat(end), start, end)
    checks.add(~np.isnat(start) & (end < start), "date_end", "date_end is before date_start", "date_end ≥ date_start")

    precision = _per_unique(table["date_prec"], _code(UCDP_DATE_PRECISION), object, None)
    checks.add(pd.isna(precision), "date_prec", "date_prec is not 1–5", "1 (day) … 5 (year)")
    violence = _per_unique(table["type_of_violence"], _code(UCDP_VIOLENCE_TYPES), object, None)
    checks.add(pd.isna(violence), "type_of_violence", "type_of_violence is not 1, 2 or 3", "1, 2 or 3")
    lat, lon = _numbers(table["latitude"]), _numbers(table["longitude"])
    _check_coordinates(checks, lat, lon)
    best, low, high = (_numbers(table[c]) for c in ("best", "low", "high"))
    for values, col in ((best, "best"), (low, "low"), (high, "high")):
        _check_count(checks, values, col, f"deaths ({col})")
    progress(f"validated {n:,} rows")

    keep, rejected, reasons = _fail_or_skip(checks, rows, linemap, shown, layout.columns, invalid, skip_bad_rows)
    side_a, side_b = _opt(table, "side_a"), _opt(table, "side_b")
    source = pc.coalesce(*(_text(_opt(table, c)) for c in ("source_original", "source_office")))
    place = pc.coalesce(*(_text(_opt(table, c)) for c in ("where_coordinates", "where_description", "where_decription")))
    out = pa.table({
        "dataset": _const(name, n),
        "dataset_version": _const(version, n),
        "source_format": _const("ucdp", n),
        "event_key": ids,
        "date_start": _dates(start),
        "date_end": _dates(end),
        "date_precision": pa.array(precision, pa.string()),
        "country": _opt(table, "country"),
        "admin1": _opt(table, "adm_1"),
        "admin2": _opt(table, "adm_2"),
        "place": place,
        "latitude": pa.array(np.where(np.isfinite(lat), lat, np.nan), from_pandas=True),
        "longitude": pa.array(np.where(np.isfinite(lon), lon, np.nan), from_pandas=True),
        "geo_precision": _int_or_null(_numbers(table["where_prec"])) if "where_prec" in table.column_names else pa.nulls(n, pa.int64()),
        "event_type": pa.array(violence, pa.string()),
        "sub_event_type": pa.nulls(n, pa.string()),
        "actor1": side_a,
        "actor2": side_b,
        "actor1_id": _actor_ids(side_a, aliases),
        "actor2_id": _actor_ids(side_b, aliases),
        "fatalities_best": _int_or_null(best),
        "fatalities_low": _int_or_null(low),
        "fatalities_high": _int_or_null(high),
        "source": source,
        "notes": _opt(table, "source_headline"),
    })
    return _Normalised(_finish(out, keep, EVENT_SCHEMA, ("date_start", "event_key")), rows_read, rejected, filtered, reasons, version, basis)
