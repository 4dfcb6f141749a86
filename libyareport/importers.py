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
import calendar
import codecs
import csv
import hashlib
import io
import json
import os
import re
import shutil
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from .errors import Problem, ReportError, rel

# --------------------------------------------------------------------------------------
# Published column sets (spelled as the publishers spell them)
# --------------------------------------------------------------------------------------

ACLED_CURRENT_COLUMNS = (
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
    "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2",
    "interaction", "civilian_targeting", "iso", "region", "country", "admin1", "admin2",
    "admin3", "location", "latitude", "longitude", "geo_precision", "source", "source_scale",
    "notes", "fatalities", "tags", "timestamp",
)
ACLED_LEGACY_COLUMNS = (
    "data_id", "iso", "event_id_cnty", "event_id_no_cnty", "event_date", "year",
    "time_precision", "event_type", "sub_event_type", "actor1", "assoc_actor_1", "inter1",
    "actor2", "assoc_actor_2", "inter2", "interaction", "region", "country", "admin1",
    "admin2", "admin3", "location", "latitude", "longitude", "geo_precision", "source",
    "source_scale", "notes", "fatalities", "timestamp", "iso3",
)
#: Columns an ACLED event file must have (both column sets have them).
ACLED_REQUIRED = (
    "event_id_cnty", "event_date", "time_precision", "event_type", "actor1", "actor2",
    "country", "location", "latitude", "longitude", "fatalities",
)
#: Used when present, null otherwise.
ACLED_OPTIONAL = ("sub_event_type", "admin1", "admin2", "geo_precision", "source", "notes", "timestamp")

UCDP_COLUMNS = (
    "id", "relid", "year", "active_year", "code_status", "type_of_violence", "conflict_dset_id",
    "conflict_new_id", "conflict_name", "dyad_dset_id", "dyad_new_id", "dyad_name",
    "side_a_dset_id", "side_a_new_id", "side_a", "side_b_dset_id", "side_b_new_id", "side_b",
    "number_of_sources", "source_article", "source_office", "source_date", "source_headline",
    "source_original", "where_prec", "where_coordinates", "where_description", "adm_1", "adm_2",
    "latitude", "longitude", "geom_wkt", "priogrid_gid", "country", "country_id", "region",
    "event_clarity", "date_prec", "date_start", "date_end", "deaths_a", "deaths_b",
    "deaths_civilians", "deaths_unknown", "best", "high", "low", "gwnoa", "gwnob",
)
UCDP_REQUIRED = (
    "id", "type_of_violence", "side_a", "side_b", "country", "latitude", "longitude",
    "date_prec", "date_start", "date_end", "best", "low", "high",
)
UCDP_OPTIONAL = (
    "adm_1", "adm_2", "where_coordinates", "where_prec", "where_description", "where_decription",
    "source_original", "source_office", "source_headline",
)

ACLED_MONTHLY_COLUMNS = ("COUNTRY", "MONTH", "YEAR", "EVENTS")
ACLED_YEARLY_COLUMNS = ("COUNTRY", "YEAR", "FATALITIES")

#: The normalised event table, identical for every source format.
EVENT_COLUMNS = (
    "dataset", "dataset_version", "source_format", "event_key", "date_start", "date_end",
    "date_precision", "country", "admin1", "admin2", "place", "latitude", "longitude",
    "geo_precision", "event_type", "sub_event_type", "actor1", "actor2", "actor1_id",
    "actor2_id", "fatalities_best", "fatalities_low", "fatalities_high", "source", "notes",
)
EVENT_SCHEMA = pa.schema(
    [(c, pa.string()) for c in EVENT_COLUMNS[:4]]
    + [("date_start", pa.date32()), ("date_end", pa.date32())]
    + [(c, pa.string()) for c in ("date_precision", "country", "admin1", "admin2", "place")]
    + [("latitude", pa.float64()), ("longitude", pa.float64()), ("geo_precision", pa.int64())]
    + [(c, pa.string()) for c in ("event_type", "sub_event_type", "actor1", "actor2", "actor1_id", "actor2_id")]
    + [(c, pa.int64()) for c in ("fatalities_best", "fatalities_low", "fatalities_high")]
    + [("source", pa.string()), ("notes", pa.string())]
)
#: The normalised series table (ACLED aggregated files).
SERIES_COLUMNS = (
    "dataset", "dataset_version", "source_format", "country", "period", "period_start",
    "period_end", "metric", "value",
)
SERIES_SCHEMA = pa.schema([
    ("dataset", pa.string()), ("dataset_version", pa.string()), ("source_format", pa.string()),
    ("country", pa.string()), ("period", pa.string()), ("period_start", pa.date32()),
    ("period_end", pa.date32()), ("metric", pa.string()), ("value", pa.int64()),
])

ACLED_TIME_PRECISION = {1: "day", 2: "week", 3: "month"}
UCDP_DATE_PRECISION = {1: "day", 2: "range", 3: "week", 4: "month", 5: "year"}
UCDP_VIOLENCE_TYPES = {1: "State-based conflict", 2: "Non-state conflict", 3: "One-sided violence"}

ATTRIBUTION_ACLED = "Armed Conflict Location & Event Data Project (ACLED); acleddata.com"
ATTRIBUTION_UCDP = (
    "UCDP Georeferenced Event Dataset (GED) Global version {version}, CC BY 4.0 — "
    "Uppsala Conflict Data Program"
)

#: Actor names in event exports that our aliases cannot match exactly. A name that
#: *contains* the pattern (case-insensitive) gets the actor ID. Checked before aliases.
#: This is the one place to extend the mapping from publishers' names to our actor IDs.
ACTOR_NAME_PATTERNS: tuple[tuple[str, str], ...] = (
    ("Haftar Faction", "lna"),  # "Military Forces of Libya (2014-) Haftar Faction"
    ("Government of National Accord", "gna"),  # "Military Forces of Libya (2016-2021) Government of National Accord"
)
#: Curated actor tables whose ``name`` and ``aliases`` feed the mapping (relative to data/).
ACTOR_TABLES = ("actors.csv", "context/actors.csv")

MAX_LISTED_PROBLEMS = 20
IMPORTED_DIR = "imported"
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


# --------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------

class _Progress:
    def __init__(self, enabled: bool, label: str) -> None:
        self.enabled = enabled
        self.label = label
        self.t0 = time.perf_counter()

    def __call__(self, message: str) -> None:
        if self.enabled:
            elapsed = time.perf_counter() - self.t0
            print(f"[import {self.label}] {message} ({elapsed:.1f} s)", file=sys.stderr, flush=True)


_MONTHS: dict[str, int] = {}
for _i in range(1, 13):
    _MONTHS[calendar.month_name[_i].lower()] = _i
    _MONTHS[calendar.month_abbr[_i].lower()] = _i
_MONTHS["sept"] = 9

_ISO_RE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_DMY_RE = re.compile(r"(\d{1,2})[ -]([A-Za-z]+)[ -](\d{4})")


def parse_event_date(text: str | None) -> date | None:
    """Parse an export date: ISO ``2019-04-08`` or ``08 April 2019`` (``8-Apr-2019`` too)."""
    if text is None:
        return None
    s = text.strip()
    m = _ISO_RE.fullmatch(s)
    try:
        if m:
            return date(int(m[1]), int(m[2]), int(m[3]))
        m = _DMY_RE.fullmatch(s)
        if m and m[2].lower() in _MONTHS:
            return date(int(m[3]), _MONTHS[m[2].lower()], int(m[1]))
    except ValueError:
        return None
    return None


_NAT = np.datetime64("NaT", "D")


def _per_unique(arr: pa.ChunkedArray | pa.Array, fn: Callable[[Any], Any], dtype: Any, null: Any) -> np.ndarray:
    """Apply ``fn`` to each distinct value only (exports repeat values a lot); nulls → ``null``."""
    chunks = arr.chunks if isinstance(arr, pa.ChunkedArray) else [arr]
    cache: dict[Any, Any] = {}
    out: list[np.ndarray] = [np.array([], dtype=dtype)]
    for chunk in chunks:
        if len(chunk) == 0:
            continue
        enc = chunk if pa.types.is_dictionary(chunk.type) else pc.dictionary_encode(chunk)
        values = []
        for v in enc.dictionary.to_pylist():
            if v not in cache:
                cache[v] = fn(v)
            values.append(cache[v])
        mapped = np.array(values + [null], dtype=dtype)
        idx = pc.fill_null(enc.indices, len(values)).to_numpy(zero_copy_only=False)
        out.append(mapped[idx])
    return np.concatenate(out)


def _text(arr: pa.ChunkedArray) -> pa.ChunkedArray:
    """Plain string view of a (possibly dictionary-encoded) text column."""
    return pc.cast(arr, pa.string()) if pa.types.is_dictionary(arr.type) else arr


_INVALID = np.inf  # marker for "present but not a number" in float parsing


def _num(v: str | None) -> float:
    if v is None or not v.strip():
        return np.nan
    try:
        x = float(v)
    except ValueError:
        return _INVALID
    return x if np.isfinite(x) else _INVALID


def _numbers(arr: pa.ChunkedArray) -> np.ndarray:
    """Parse numbers: NaN for missing, +inf for unparseable text."""
    if pa.types.is_dictionary(arr.type):
        return _per_unique(arr, _num, np.float64, np.nan)
    try:  # fast path: everything parses
        return pc.cast(pc.utf8_trim_whitespace(arr), pa.float64()).to_numpy(zero_copy_only=False)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return _per_unique(arr, _num, np.float64, np.nan)


def _code(mapping: dict[int, str]) -> Callable[[str | None], str | None]:
    """Parser for a published numeric code (``"1"`` → mapping[1]); None when not a known code."""
    def parse(v: str | None) -> str | None:
        x = _num(v)
        return mapping.get(int(x)) if np.isfinite(x) and float(x).is_integer() else None
    return parse


def _const(value: str | None, n: int) -> pa.Array:
    return pa.repeat(pa.scalar(value, pa.string()), n)


def _nullify_empty(arr: pa.ChunkedArray) -> pa.ChunkedArray:
    """Trim text; whitespace-only becomes null."""
    trimmed = pc.utf8_trim_whitespace(arr)
    return pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed)


# --------------------------------------------------------------------------------------
# Actor mapping
# --------------------------------------------------------------------------------------

def _norm_name(s: str) -> str:
    return " ".join(s.replace("’", "'").split()).casefold()


def load_actor_aliases(data_dir: Path | str) -> dict[str, str]:
    """Normalised alias/name → actor_id, from data/actors.csv then data/context/actors.csv."""
    aliases: dict[str, str] = {}
    for table in ACTOR_TABLES:
        path = Path(data_dir) / table
        if not path.is_file():
            continue
        with open(path, newline="", encoding="utf-8-sig") as f:
            for row in csv.DictReader(f):
                actor_id = (row.get("actor_id") or "").strip()
                if not actor_id:
                    continue
                names = [row.get("name") or ""] + (row.get("aliases") or "").split(";")
                for n in names:
                    key = _norm_name(n)
                    if key:
                        aliases.setdefault(key, actor_id)
    return aliases


_PAREN_RE = re.compile(r"\s*\([^)]*\)")


def match_actor(name: str | None, aliases: dict[str, str]) -> str | None:
    """Our actor ID for a publisher's actor name, or None.

    Order: ``ACTOR_NAME_PATTERNS`` (substring), an exact alias/name match, then an exact
    match once parenthesised qualifiers are removed ("Zintan (Libya)" → "Zintan").
    Deliberately no fuzzy matching: a wrong ID is worse than none.
    """
    if not name:
        return None
    folded = _norm_name(name)
    for pattern, actor_id in ACTOR_NAME_PATTERNS:
        if pattern.casefold() in folded:
            return actor_id
    if folded in aliases:
        return aliases[folded]
    stripped = _norm_name(_PAREN_RE.sub("", name))
    return aliases.get(stripped) if stripped else None


# --------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------

@dataclass
class _Layout:
    kind: str  # "events" | "series"
    source_format: str  # acled | acled_legacy | ucdp | acled_monthly | acled_yearly
    columns: dict[str, str]  # our canonical name → column name in the file
    metric: str | None = None


def _check_encoding_and_read_header(path: Path, shown: str) -> tuple[list[str], str]:
    """UTF-8 check and SHA-256 of the whole file (one streamed pass), then the header's names."""
    size = path.stat().st_size
    if size == 0:
        raise ReportError(Problem(shown, None, None, "the file is empty", "a CSV export with a header row"))
    decoder = codecs.getincrementaldecoder("utf-8")()
    digest = hashlib.sha256()
    first = b""
    try:
        with open(path, "rb") as f:
            while chunk := f.read(1 << 24):
                if not first:
                    first = chunk[: 1 << 20]
                digest.update(chunk)
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raw = path.read_bytes()
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as e:
            line = raw.count(b"\n", 0, e.start) + 1
            col = e.start - (raw.rfind(b"\n", 0, e.start) + 1) + 1
            hint = ""
            if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
                hint = " (the file looks like UTF-16; re-save it as UTF-8)"
            raise ReportError(Problem(
                shown, line, None,
                f"the file is not UTF-8: byte 0x{raw[e.start]:02x} at character {col} of this line "
                f"cannot be decoded{hint}",
                "a UTF-8 encoded CSV (re-save the export as UTF-8)",
            )) from None
    text = first.decode("utf-8", errors="ignore").lstrip("\ufeff")
    if not text.strip():
        raise ReportError(Problem(shown, None, None, "the file is empty (no header row)", "a CSV export with a header row"))
    header = next(csv.reader(io.StringIO(text)), [])
    names = [h.strip() for h in header]
    if not any(names):
        raise ReportError(Problem(shown, 1, None, "the first line is not a header row", "the export's column names"))
    return header, digest.hexdigest()


def _detect(fmt: str, header: list[str], path: Path, shown: str) -> _Layout:
    by_name = {h.strip(): h for h in header}
    present = set(by_name)

    def cols(names: Iterable[str]) -> dict[str, str]:
        return {n: by_name[n] for n in names if n in by_name}

    if fmt == "acled":
        candidates: list[tuple[str, tuple[str, ...]]] = [
            ("events", ACLED_REQUIRED),
            ("monthly", ACLED_MONTHLY_COLUMNS),
            ("yearly", ACLED_YEARLY_COLUMNS),
        ]
        if present.issuperset(ACLED_MONTHLY_COLUMNS):
            return _Layout("series", "acled_monthly", cols(ACLED_MONTHLY_COLUMNS), "events")
        if present.issuperset(ACLED_YEARLY_COLUMNS):
            metric = "civilian_fatalities" if "civilian" in path.name.lower() else "fatalities"
            return _Layout("series", "acled_yearly", cols(ACLED_YEARLY_COLUMNS), metric)
        if present.issuperset(ACLED_REQUIRED):
            legacy = "disorder_type" not in present and bool({"data_id", "event_id_no_cnty", "iso3"} & present)
            return _Layout("events", "acled_legacy" if legacy else "acled", cols(ACLED_REQUIRED + ACLED_OPTIONAL))
        label = "an ACLED export"
        expected = ("ACLED event columns (" + ", ".join(ACLED_REQUIRED) + "), or an ACLED aggregated "
                    "file (COUNTRY,MONTH,YEAR,EVENTS or COUNTRY,YEAR,FATALITIES)")
    elif fmt == "ucdp":
        if present.issuperset(UCDP_REQUIRED):
            return _Layout("events", "ucdp", cols(UCDP_REQUIRED + UCDP_OPTIONAL))
        candidates = [("events", UCDP_REQUIRED)]
        label = "a UCDP GED export"
        expected = "UCDP GED columns (" + ", ".join(UCDP_REQUIRED) + ")"
    else:
        raise ReportError(Problem("", None, None, f"unknown import format {fmt!r}", "acled or ucdp"))
    # Not the claimed format: name the candidate it is closest to and what it lacks.
    best = max(candidates, key=lambda c: (len(present & set(c[1])) / len(c[1]), c[0] == "events"))
    missing = [c for c in best[1] if c not in present]
    other = ""
    if fmt == "acled" and present.issuperset(UCDP_REQUIRED):
        other = "; it looks like a UCDP GED export (use format ucdp)"
    elif fmt == "ucdp" and (present.issuperset(ACLED_REQUIRED) or present.issuperset(ACLED_YEARLY_COLUMNS)):
        other = "; it looks like an ACLED export (use format acled)"
    raise ReportError(Problem(
        shown, 1, None,
        f"not {label}: missing required column(s) {', '.join(missing)}{other}",
        expected,
    ))


#: Columns with few distinct values, read dictionary-encoded (a fraction of the memory).
_REPEATED_COLUMNS = frozenset({
    "event_date", "time_precision", "event_type", "sub_event_type", "actor1", "actor2", "country",
    "admin1", "admin2", "location", "geo_precision", "source", "fatalities", "timestamp",
    "type_of_violence", "side_a", "side_b", "adm_1", "adm_2", "where_prec", "date_prec",
    "date_start", "date_end", "best", "low", "high",
})


def _read_table(path: Path, shown: str, columns: dict[str, str], progress: _Progress) -> tuple[pa.Table, list[tuple[str, str]]]:
    """Read the needed columns as text; rows with the wrong number of fields are returned apart.

    Repetitive columns are dictionary-encoded as they are read; written out as plain text.
    """
    invalid: list[tuple[str, str]] = []

    def on_invalid(row: Any) -> str:
        invalid.append((row.text, f"has {row.actual_columns} fields, the header has {row.expected_columns}"))
        return "skip"

    wanted = list(dict.fromkeys(columns.values()))
    try:
        table = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(block_size=1 << 24),
            parse_options=pacsv.ParseOptions(newlines_in_values=True, invalid_row_handler=on_invalid),
            convert_options=pacsv.ConvertOptions(
                include_columns=wanted,
                column_types={
                    c: pa.dictionary(pa.int32(), pa.string()) if _canon(columns, c) in _REPEATED_COLUMNS else pa.string()
                    for c in wanted
                },
                strings_can_be_null=True,
                quoted_strings_can_be_null=True,
                null_values=[""],
            ),
        )
    except pa.ArrowInvalid as e:
        msg = str(e).split("\n")[0]
        raise ReportError(Problem(shown, None, None, f"the file cannot be read as CSV: {msg}",
                                  "a comma-separated export with one header row")) from None
    table = table.rename_columns([_canon(columns, c) for c in table.column_names])
    progress(f"read {table.num_rows + len(invalid):,} rows from {shown}")
    return table, invalid


def _canon(columns: dict[str, str], file_name: str) -> str:
    for canon, name in columns.items():
        if name == file_name:
            return canon
    return file_name


def _record_start_lines(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Byte offset and physical line of every non-empty data record (header excluded).

    A newline ends a record when an even number of quote characters precedes it (escaped
    quotes ``""`` count twice, so parity is all that matters). Vectorised, chunk by chunk.
    """
    seps: list[np.ndarray] = []
    sep_lines: list[np.ndarray] = []
    cr_before: list[np.ndarray] = []
    quotes_before = 0
    newlines_before = 0
    offset = 0
    last_byte = 0
    with open(path, "rb") as f:
        while chunk := f.read(1 << 25):
            buf = np.frombuffer(chunk, dtype=np.uint8)
            nl = np.flatnonzero(buf == 10)
            q = np.flatnonzero(buf == 34)
            parity = (quotes_before + np.searchsorted(q, nl)) % 2
            ends = parity == 0
            sep = nl[ends]
            seps.append(sep + offset)
            sep_lines.append(np.flatnonzero(ends) + newlines_before + 1)  # line the newline ends
            prev = np.where(sep > 0, buf[np.maximum(sep - 1, 0)], last_byte)
            cr_before.append(prev == 13)
            quotes_before += len(q)
            newlines_before += len(nl)
            offset += len(buf)
            last_byte = int(buf[-1])
    size = offset
    sep = np.concatenate(seps) if seps else np.array([], dtype=np.int64)
    line = np.concatenate(sep_lines) if sep_lines else np.array([], dtype=np.int64)
    cr = np.concatenate(cr_before) if cr_before else np.array([], dtype=bool)
    starts = np.concatenate([[0], sep + 1])
    lines = np.concatenate([[1], line + 1])
    ends_at = np.concatenate([sep, [size]])
    cr_end = np.concatenate([cr, [last_byte == 13]])
    length = ends_at - starts
    non_empty = (length > 1) | ((length == 1) & ~cr_end)
    starts, lines = starts[non_empty], lines[non_empty]
    return starts[1:], lines[1:]


class _LineMap:
    """Maps a data-row index (as returned by the CSV reader) to its physical start line."""

    def __init__(self, path: Path, n_rows: int, invalid_texts: list[str]) -> None:
        self.path = path
        self.n_rows = n_rows
        self.invalid_texts = invalid_texts
        self._lines: np.ndarray | None = None
        self._invalid_lines: list[int | None] | None = None
        self._ok = True

    def _build(self) -> None:
        if self._lines is not None:
            return
        starts, lines = _record_start_lines(self.path)
        raw = self.path.read_bytes() if self.invalid_texts else b""
        bad_pos: list[int] = []
        inv_lines: list[int | None] = []
        for text in self.invalid_texts:
            pos = raw.find(text.encode("utf-8")) if text else -1
            if pos >= 0:
                bad_pos.append(pos)
                inv_lines.append(raw.count(b"\n", 0, pos) + 1)
            else:
                inv_lines.append(None)
        keep = ~np.isin(starts, np.array(bad_pos, dtype=np.int64))
        self._lines = lines[keep]
        self._invalid_lines = inv_lines
        self._ok = len(self._lines) == self.n_rows

    def lines(self, idx: np.ndarray) -> list[int | None]:
        self._build()
        assert self._lines is not None
        if not self._ok:
            return [None] * len(idx)
        return [int(x) for x in self._lines[idx]]

    def invalid_lines(self) -> list[int | None]:
        self._build()
        assert self._invalid_lines is not None
        return self._invalid_lines


# --------------------------------------------------------------------------------------
# Row validation
# --------------------------------------------------------------------------------------

@dataclass
class _Checks:
    """Row-level problems found vectorised: (mask, column, message, expected) per check."""

    n: int
    checks: list[tuple[np.ndarray, str, str | Callable[[int], str], str | None]] = field(default_factory=list)

    def add(self, mask: np.ndarray, column: str, message: str | Callable[[int], str], expected: str | None = None) -> None:
        mask = np.asarray(mask, dtype=bool)
        if mask.any():
            self.checks.append((mask, column, message, expected))

    def bad(self) -> np.ndarray:
        out = np.zeros(self.n, dtype=bool)
        for mask, *_ in self.checks:
            out |= mask
        return out


def _report_rows(
    checks: _Checks,
    rows: np.ndarray,
    linemap: _LineMap,
    shown: str,
    file_columns: dict[str, str],
    invalid_rows: list[tuple[str, str]],
    limit: int | None,
) -> tuple[list[Problem], int]:
    """Problems in file order (``rows`` maps check positions to reader row indices)."""
    found: list[tuple[int, int, str, str | Callable[[int], str], str | None]] = []
    for order, (mask, column, message, expected) in enumerate(checks.checks):
        for pos in np.flatnonzero(mask):
            found.append((int(rows[pos]), order, column, message, expected))
    found.sort(key=lambda t: (t[0], t[1]))
    total = len(found) + len(invalid_rows)
    shown_found = found if limit is None else found[:limit]
    lines = linemap.lines(np.array([f[0] for f in shown_found], dtype=np.int64)) if shown_found else []
    problems: list[tuple[float, Problem]] = []
    for (row, _, column, message, expected), line in zip(shown_found, lines):
        text = message(row) if callable(message) else message
        if line is None:
            text = f"data row {row + 1}: {text}"
        problems.append((line if line is not None else float(row), Problem(shown, line, file_columns.get(column, column), text, expected)))
    if invalid_rows:
        for (_, why), line in zip(invalid_rows, linemap.invalid_lines()):
            problems.append((line if line is not None else 0.0, Problem(shown, line, None, f"malformed record: {why}", "one value per header column")))
    problems.sort(key=lambda t: t[0])
    out = [p for _, p in problems]
    if limit is not None:
        out = out[:limit]
    return out, total


def _fail_or_skip(
    checks: _Checks,
    rows: np.ndarray,
    linemap: _LineMap,
    shown: str,
    file_columns: dict[str, str],
    invalid_rows: list[tuple[str, str]],
    skip_bad_rows: bool,
) -> tuple[np.ndarray, int, list[str]]:
    """Raise with the listing, or return (keep mask, rejected count, first reasons)."""
    bad = checks.bad()
    n_bad = int(bad.sum()) + len(invalid_rows)
    if n_bad == 0:
        return ~bad, 0, []
    problems, total = _report_rows(checks, rows, linemap, shown, file_columns, invalid_rows,
                                   MAX_LISTED_PROBLEMS if not skip_bad_rows else 5)
    if not skip_bad_rows:
        if total > len(problems):
            problems.append(Problem(shown, None, None, f"… and {total - len(problems)} more problem(s) "
                                    f"in {n_bad} bad row(s) (use --skip-bad-rows to import the rest)"))
        else:
            problems.append(Problem(shown, None, None, f"{n_bad} bad row(s); nothing was imported "
                                    "(use --skip-bad-rows to import the rest)"))
        raise ReportError(problems)
    return ~bad, n_bad, [str(p) for p in problems]


def _check_coordinates(checks: _Checks, lat: np.ndarray, lon: np.ndarray) -> None:
    checks.add(np.isinf(lat), "latitude", "latitude is not a number", "a decimal number between -90 and 90")
    checks.add(np.isinf(lon), "longitude", "longitude is not a number", "a decimal number between -180 and 180")
    with np.errstate(invalid="ignore"):
        checks.add(np.isfinite(lat) & ((lat < -90) | (lat > 90)), "latitude", "latitude outside [-90, 90]", "a latitude between -90 and 90")
        checks.add(np.isfinite(lon) & ((lon < -180) | (lon > 180)), "longitude", "longitude outside [-180, 180]", "a longitude between -180 and 180")


def _check_count(checks: _Checks, values: np.ndarray, column: str, what: str) -> None:
    with np.errstate(invalid="ignore"):
        checks.add(np.isnan(values), column, f"{what} is missing", "a whole number ≥ 0")
        checks.add(np.isinf(values), column, f"{what} is not a number", "a whole number ≥ 0")
        fin = np.isfinite(values)
        checks.add(fin & (values < 0), column, f"{what} is negative", "a whole number ≥ 0")
        checks.add(fin & (values >= 0) & (values != np.floor(values)), column, f"{what} is not a whole number", "a whole number ≥ 0")


def _check_ids(checks: _Checks, ids: pa.ChunkedArray, column: str, rows: np.ndarray, linemap: _LineMap) -> None:
    missing = pc.is_null(ids).to_numpy(zero_copy_only=False)
    checks.add(missing, column, "event ID is missing", "a unique event ID")
    if pc.count_distinct(ids).as_py() == len(ids) - int(missing.sum()):
        return  # the usual case, found without materialising Python strings
    series = pd.Series(ids.to_numpy(zero_copy_only=False), dtype=object)
    dup = series.duplicated(keep="first").to_numpy() & ~missing
    if dup.any():
        first_pos = dict(zip(series[~missing].iloc[::-1], np.flatnonzero(~missing)[::-1]))

        def message(row: int) -> str:
            pos = int(np.searchsorted(rows, row))
            key = series.iloc[pos]
            first_row = int(rows[first_pos[key]])
            first_line = linemap.lines(np.array([first_row]))[0]
            where = f"line {first_line}" if first_line is not None else f"data row {first_row + 1}"
            return f"duplicate event ID {key!r} (first seen on {where})"

        checks.add(dup, column, message, "a unique event ID")


def _int_or_null(values: np.ndarray) -> pa.Array:
    ok = np.isfinite(values)
    return pa.array(np.where(ok, values, 0).astype(np.int64), mask=~ok, type=pa.int64())


def _dates(values: np.ndarray) -> pa.Array:
    return pa.array(values.astype("datetime64[D]"), type=pa.date32())


# --------------------------------------------------------------------------------------
# Format-specific normalisation
# --------------------------------------------------------------------------------------

@dataclass
class _Output:
    """A normalised table and the rows to write, in order (taken slice by slice when written)."""

    table: pa.Table
    order: pa.Array
    schema: pa.Schema

    @property
    def num_rows(self) -> int:
        return len(self.order)

    def column(self, name: str) -> pa.Array:
        return pc.take(self.table[name], self.order)

    def write_parquet(self, path: Path, rows_per_group: int = 131072) -> None:
        # Take on a many-chunk string column concatenates it first, for every call: do it once.
        self.table = self.table.combine_chunks()
        with pq.ParquetWriter(path, self.schema, compression="zstd") as writer:
            for start in range(0, max(len(self.order), 1), rows_per_group):
                part = self.table.take(self.order[start:start + rows_per_group]).cast(self.schema)
                writer.write_table(part, row_group_size=rows_per_group)


@dataclass
class _Normalised:
    table: _Output
    rows_read: int
    rows_rejected: int
    rows_filtered: int
    reasons: list[str]
    dataset_version: str | None
    version_basis: str | None


def _country_mask(table: pa.Table, country: str | None) -> np.ndarray:
    if country is None:
        return np.ones(table.num_rows, dtype=bool)
    col = "COUNTRY" if "COUNTRY" in table.column_names else "country"
    want = country.strip().casefold()
    return _per_unique(table[col], lambda v: v is not None and v.strip().casefold() == want, bool, False)


class _Start(NamedTuple):
    table: pa.Table  # rows of the requested country
    rows: np.ndarray  # their positions among the rows read
    filtered: int  # rows left out by the country filter
    rows_read: int
    linemap: _LineMap
    invalid: list[tuple[str, str]]  # records the CSV reader could not split into the header's fields
    version: str | None
    basis: str | None


def _common_start(
    path: Path, shown: str, layout: _Layout, country: str | None, progress: _Progress,
    version_of: Callable[[Path, pa.Table], tuple[str | None, str | None]],
) -> _Start:
    """What every event format does first: read, map records to lines, find the version
    (from the whole file), then keep the rows of the requested country."""
    table, invalid = _read_table(path, shown, layout.columns, progress)
    rows_read = table.num_rows + len(invalid)
    linemap = _LineMap(path, table.num_rows, [t for t, _ in invalid])
    version, basis = version_of(path, table)
    mask = _country_mask(table, country)
    rows = np.flatnonzero(mask)
    filtered = table.num_rows - len(rows)
    if filtered:
        table = table.take(pa.array(rows))
    return _Start(table, rows, filtered, rows_read, linemap, invalid, version, basis)


def _opt(table: pa.Table, name: str) -> pa.ChunkedArray:
    """A text column as read (the reader already made empty fields null), or all-null."""
    if name in table.column_names:
        return table[name]
    return pa.chunked_array([pa.nulls(table.num_rows, pa.string())])


def _actor_ids(arr: pa.ChunkedArray, aliases: dict[str, str]) -> pa.Array:
    mapped = _per_unique(arr, lambda v: match_actor(v, aliases), object, None)
    return pa.array(mapped, type=pa.string())


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


def _ucdp_version(path: Path) -> tuple[str | None, str | None]:
    stem = path.stem.lower()
    m = re.search(r"ged[_-]?v?(\d{2})(\d)(?!\d)", stem) or re.search(r"ged\w*?v?(\d{2})[._](\d{1,2})(?!\d)", stem)
    if m:
        return f"{m[1]}.{m[2]}", "file name"
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


def _normalise_series(
    path: Path, shown: str, layout: _Layout, name: str, country: str | None,
    skip_bad_rows: bool, progress: _Progress,
) -> _Normalised:
    table, rows, filtered, rows_read, linemap, invalid, _, _ = _common_start(
        path, shown, layout, country, progress, lambda _p, _t: (None, None))
    n = table.num_rows
    checks = _Checks(n)
    year = _numbers(table["YEAR"])
    with np.errstate(invalid="ignore"):
        bad_year = ~np.isfinite(year) | (year != np.floor(year)) | (year < 1900) | (year > 2100)
    checks.add(bad_year, "YEAR", "YEAR is not a year", "a four-digit year")
    monthly = layout.source_format == "acled_monthly"
    if monthly:
        month = _per_unique(table["MONTH"], lambda v: _MONTHS.get((v or "").strip().lower(), 0), np.int64, 0)
        checks.add(month == 0, "MONTH", "MONTH is not a month name", "an English month name such as April")
        value_col = "EVENTS"
    else:
        month = np.ones(n, dtype=np.int64)
        value_col = "FATALITIES"
    value = _numbers(table[value_col])
    _check_count(checks, value, value_col, value_col)
    checks.add(pc.is_null(_nullify_empty(_text(table["COUNTRY"]))).to_numpy(zero_copy_only=False), "COUNTRY", "COUNTRY is missing", "a country name")
    y = np.where(bad_year, 2000, year).astype(np.int64)
    start = np.array([f"{a:04d}-{b:02d}-01" for a, b in zip(y, np.where(month == 0, 1, month))], dtype="datetime64[D]")
    if monthly:
        end = (start.astype("datetime64[M]") + 1).astype("datetime64[D]") - 1
        period = np.array([f"{a:04d}-{b:02d}" for a, b in zip(y, np.where(month == 0, 1, month))], dtype=object)
    else:
        end = (start.astype("datetime64[Y]") + 1).astype("datetime64[D]") - 1
        period = np.array([f"{a:04d}" for a in y], dtype=object)
    countries = _opt(table, "COUNTRY")
    key = pd.Series(countries.to_numpy(zero_copy_only=False), dtype=object).str.casefold() + "|" + pd.Series(period)
    dup = key.duplicated(keep="first").to_numpy() & ~checks.bad()
    checks.add(dup, "COUNTRY", "duplicate country and period", "one row per country and period")
    progress(f"validated {n:,} rows")
    keep, rejected, reasons = _fail_or_skip(checks, rows, linemap, shown, layout.columns, invalid, skip_bad_rows)
    out = pa.table({
        "dataset": _const(name, n),
        "dataset_version": _const(None, n),
        "source_format": _const(layout.source_format, n),
        "country": countries,
        "period": pa.array(period, pa.string()),
        "period_start": _dates(start),
        "period_end": _dates(end),
        "metric": _const(layout.metric, n),
        "value": _int_or_null(value),
    })
    return _Normalised(_finish(out, keep, SERIES_SCHEMA, ("country", "period_start")), rows_read, rejected, filtered, reasons, None, None)


def _finish(table: pa.Table, keep: np.ndarray, schema: pa.Schema, sort: tuple[str, ...]) -> _Output:
    """The full table plus the kept rows' positions in output order (no copy of the data yet)."""
    kept = pa.array(np.flatnonzero(keep))
    keys = table.select(list(sort)).take(kept)
    order = pc.take(kept, pc.sort_indices(keys, sort_keys=[(c, "ascending") for c in sort]))
    return _Output(table, order, schema)


# --------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------

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


def _write_atomic(imported: Path, name: str, table: _Output, table_name: str, meta: dict) -> None:
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


# --------------------------------------------------------------------------------------
# Public entry point
# --------------------------------------------------------------------------------------

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

    report = _Progress(progress, fmt)
    header, sha = _check_encoding_and_read_header(path, shown)
    layout = _detect(fmt, header, path, shown)
    if name is None:
        name = fmt if layout.kind == "events" else f"acled_{layout.metric}_{'monthly' if layout.source_format == 'acled_monthly' else 'yearly'}"
    if not _NAME_RE.match(name):
        raise ReportError(Problem("", None, "--name", f"invalid dataset name {name!r}", "letters, digits, '_', '-' or '.'"))
    imported = data_dir / IMPORTED_DIR
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
    _write_atomic(imported, name, norm.table, table_name, meta)
    report(f"wrote {rel(target / table_name)} ({(target / table_name).stat().st_size / 1e6:.1f} MB) and meta.json")
    return {**meta, "path": str(target), "unchanged": False}


# --------------------------------------------------------------------------------------
# CLI
# --------------------------------------------------------------------------------------

def register(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``import`` subcommand to the main CLI's subparsers."""
    p = subparsers.add_parser(
        "import",
        help="import an ACLED or UCDP GED export into data/imported/",
        description="Normalise an ACLED or UCDP GED CSV export into data/imported/<name>/ "
                    "(events.parquet or series.parquet, plus meta.json). The curated tables are never touched.",
    )
    p.add_argument("format", choices=["acled", "ucdp"], help="the export's publisher")
    p.add_argument("file", help="the exported CSV file")
    p.add_argument("--country", help="keep only rows of this country (case-insensitive)")
    p.add_argument("--name", help="dataset name (default: acled / ucdp)")
    p.add_argument("--skip-bad-rows", action="store_true", help="skip invalid rows instead of stopping")
    p.add_argument("--data", default="data", metavar="DIR", help="data directory (default: data)")
    p.set_defaults(func=_cmd_import)
    return p


def _cmd_import(args: argparse.Namespace) -> int:
    meta = import_export(
        args.format, args.file, args.data,
        country=args.country, name=args.name, skip_bad_rows=args.skip_bad_rows,
        progress=not getattr(args, "quiet", False),
    )
    where = rel(meta["path"])
    if meta["unchanged"]:
        print(f"{args.file}: already imported as {where} (same file and options); nothing changed.")
        return 0
    print(f"Imported {meta['source_format']} {meta['kind']} from {meta['file']} into {where}/")
    print(f"  rows read {meta['rows_read']:,}, kept {meta['rows_kept']:,}, rejected {meta['rows_rejected']:,}"
          + (f", outside --country {meta['country_filter']!r}: {meta['rows_outside_country_filter']:,}"
             if meta["country_filter"] else ""))
    for reason in meta["rejected_examples"]:
        print(f"  skipped: {reason}")
    print(f"  dates {meta['date_min']} to {meta['date_max']}; version {meta['dataset_version'] or 'n/a'}")
    print(f"  wrote {where}/{meta['table']} and {where}/meta.json")
    return 0
