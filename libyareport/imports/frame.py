"""The shared frame of every importer: read → check → normalise → write.

Encoding and header scan, the physical-line map (so a bad row is reported with the CSV line
where its record starts), vectorised row checks, and the output table. The format modules
(`acled`, `ucdp`, `series`) supply only their column mapping and normalisation; `run`
writes the result atomically.
"""
from __future__ import annotations

import calendar
import codecs
import csv
import hashlib
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from libyareport.errors import Problem, ReportError
from libyareport.imports.actors import match_actor
from libyareport.imports.columns import (
    ACLED_MONTHLY_COLUMNS,
    ACLED_OPTIONAL,
    ACLED_REQUIRED,
    ACLED_YEARLY_COLUMNS,
    COUNT_RANGE,
    MAX_LISTED_PROBLEMS,
    UCDP_OPTIONAL,
    UCDP_REQUIRED,
)
from libyareport.params import EARLIEST, LATEST
from libyareport.progress import Progress

MONTHS: dict[str, int] = {}


for _i in range(1, 13):
    MONTHS[calendar.month_name[_i].lower()] = _i
    MONTHS[calendar.month_abbr[_i].lower()] = _i


MONTHS["sept"] = 9


ISO_RE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")


_DMY_RE = re.compile(r"(\d{1,2})[ -]([A-Za-z]+)[ -](\d{4})")


def parse_event_date(text: str | None) -> date | None:
    """Parse an export date: ISO ``2019-04-08`` or ``08 April 2019`` (``8-Apr-2019`` too)."""
    if text is None:
        return None
    s = text.strip()
    m = ISO_RE.fullmatch(s)
    try:
        if m:
            return date(int(m[1]), int(m[2]), int(m[3]))
        m = _DMY_RE.fullmatch(s)
        if m and m[2].lower() in MONTHS:
            return date(int(m[3]), MONTHS[m[2].lower()], int(m[1]))
    except ValueError:
        return None
    return None


NAT = np.datetime64("NaT", "D")


def per_unique(arr: pa.ChunkedArray | pa.Array, fn: Callable[[Any], Any], dtype: Any, null: Any) -> np.ndarray:
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


def as_text(arr: pa.ChunkedArray) -> pa.ChunkedArray:
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


def to_numbers(arr: pa.ChunkedArray) -> np.ndarray:
    """Parse numbers: NaN for missing, +inf for unparseable text."""
    if pa.types.is_dictionary(arr.type):
        return per_unique(arr, _num, np.float64, np.nan)
    try:  # fast path: everything parses
        return pc.cast(pc.utf8_trim_whitespace(arr), pa.float64()).to_numpy(zero_copy_only=False)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return per_unique(arr, _num, np.float64, np.nan)


def coded(mapping: dict[int, str]) -> Callable[[str | None], str | None]:
    """Parser for a published numeric code (``"1"`` → mapping[1]); None when not a known code."""
    def parse(v: str | None) -> str | None:
        x = _num(v)
        return mapping.get(int(x)) if np.isfinite(x) and float(x).is_integer() else None
    return parse


def const(value: str | None, n: int) -> pa.Array:
    return pa.repeat(pa.scalar(value, pa.string()), n)


def nullify_empty(arr: pa.ChunkedArray) -> pa.ChunkedArray:
    """Trim text; whitespace-only becomes null."""
    trimmed = pc.utf8_trim_whitespace(arr)
    return pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed)


@dataclass
class Layout:
    kind: str  # "events" | "series"
    source_format: str  # acled | acled_legacy | ucdp | acled_monthly | acled_yearly
    columns: dict[str, str]  # our canonical name → column name in the file
    metric: str | None = None


def check_encoding_and_read_header(path: Path, shown: str) -> tuple[list[str], str]:
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
    try:  # newline="": CR-only and CRLF line endings are line endings too
        header = next(csv.reader(io.StringIO(text, newline="")), [])
    except csv.Error as e:
        raise ReportError(Problem(shown, 1, None, f"the first line is not a CSV header row ({e})",
                                  "the export's column names on the first line")) from None
    names = [h.strip() for h in header]
    if not any(names):
        raise ReportError(Problem(shown, 1, None, "the first line is not a header row", "the export's column names"))
    return header, digest.hexdigest()


def detect(fmt: str, header: list[str], path: Path, shown: str) -> Layout:
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
            return Layout("series", "acled_monthly", cols(ACLED_MONTHLY_COLUMNS), "events")
        if present.issuperset(ACLED_YEARLY_COLUMNS):
            metric = "civilian_fatalities" if "civilian" in path.name.lower() else "fatalities"
            return Layout("series", "acled_yearly", cols(ACLED_YEARLY_COLUMNS), metric)
        if present.issuperset(ACLED_REQUIRED):
            legacy = "disorder_type" not in present and bool({"data_id", "event_id_no_cnty", "iso3"} & present)
            return Layout("events", "acled_legacy" if legacy else "acled", cols(ACLED_REQUIRED + ACLED_OPTIONAL))
        label = "an ACLED export"
        expected = ("ACLED event columns (" + ", ".join(ACLED_REQUIRED) + "), or an ACLED aggregated "
                    "file (COUNTRY,MONTH,YEAR,EVENTS or COUNTRY,YEAR,FATALITIES)")
    elif fmt == "ucdp":
        if present.issuperset(UCDP_REQUIRED):
            return Layout("events", "ucdp", cols(UCDP_REQUIRED + UCDP_OPTIONAL))
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


BLOCK_SIZE = 1 << 24  # bytes read at a time; also the longest record an export may have


def _read_table(path: Path, shown: str, columns: dict[str, str], progress: Progress) -> tuple[pa.Table, list[tuple[str, str]]]:
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
            read_options=pacsv.ReadOptions(block_size=BLOCK_SIZE),
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
        if "straddl" in msg:  # one record longer than a read block
            starts, lines = _record_start_lines(path)
            size = path.stat().st_size
            lengths = np.diff(np.concatenate([starts, [size]]))
            long = np.flatnonzero(lengths >= BLOCK_SIZE)
            line = int(lines[long[0]]) if len(long) else None
            raise ReportError(Problem(shown, line, None, f"a record is longer than {BLOCK_SIZE >> 20} MB "
                                      "(a field larger than the CSV limit, or a quote left open)",
                                      "an export whose records are each under the limit")) from None
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
    newline = _newline_byte(path)
    with open(path, "rb") as f:
        while chunk := f.read(1 << 25):
            buf = np.frombuffer(chunk, dtype=np.uint8)
            nl = np.flatnonzero(buf == newline)
            q = np.flatnonzero(buf == 34)
            parity = (quotes_before + np.searchsorted(q, nl)) % 2
            ends = parity == 0
            sep = nl[ends]
            seps.append(sep + offset)
            sep_lines.append(np.flatnonzero(ends) + newlines_before + 1)  # line the newline ends
            prev = np.where(sep > 0, buf[np.maximum(sep - 1, 0)], last_byte)
            cr_before.append((prev == 13) & (newline == 10))
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
    cr_end = np.concatenate([cr, [last_byte == 13 and newline == 10]])
    length = ends_at - starts
    non_empty = (length > 1) | ((length == 1) & ~cr_end)
    starts, lines = starts[non_empty], lines[non_empty]
    return starts[1:], lines[1:]


def _newline_byte(path: Path) -> int:
    """10 (LF, and CRLF), or 13 for a file with old-Mac CR-only line endings."""
    with open(path, "rb") as f:
        head = f.read(1 << 20)
    cr, lf = head.find(b"\r"), head.find(b"\n")
    # the header's line ending decides (the header has no quoted newlines)
    return 13 if cr >= 0 and (lf < 0 or cr < lf) and head[cr + 1:cr + 2] != b"\n" else 10


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
                inv_lines.append(raw.count(bytes([_newline_byte(self.path)]), 0, pos) + 1)
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


@dataclass
class Checks:
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
    checks: Checks,
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


def fail_or_skip(
    checks: Checks,
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


def check_coordinates(checks: Checks, lat: np.ndarray, lon: np.ndarray) -> None:
    checks.add(np.isinf(lat), "latitude", "latitude is not a number", "a decimal number between -90 and 90")
    checks.add(np.isinf(lon), "longitude", "longitude is not a number", "a decimal number between -180 and 180")
    with np.errstate(invalid="ignore"):
        checks.add(np.isfinite(lat) & ((lat < -90) | (lat > 90)), "latitude", "latitude outside [-90, 90]", "a latitude between -90 and 90")
        checks.add(np.isfinite(lon) & ((lon < -180) | (lon > 180)), "longitude", "longitude outside [-180, 180]", "a longitude between -180 and 180")


def check_count(checks: Checks, values: np.ndarray, column: str, what: str) -> None:
    lo, hi = COUNT_RANGE
    expected = f"a whole number from {lo} to {hi:,}"
    with np.errstate(invalid="ignore"):
        checks.add(np.isnan(values), column, f"{what} is missing", expected)
        checks.add(np.isinf(values), column, f"{what} is not a number", expected)
        fin = np.isfinite(values)
        checks.add(fin & (values < lo), column, f"{what} is negative", expected)
        checks.add(fin & (values > hi), column, lambda row: f"{what} is larger than {hi:,}", expected)
        checks.add(fin & (values >= lo) & (values <= hi) & (values != np.floor(values)), column,
                   f"{what} is not a whole number", expected)


def check_dates(checks: Checks, days: np.ndarray, column: str) -> None:
    """Dates outside the plausible range (params.EARLIEST–LATEST) are bad rows, not history."""
    lo, hi = np.datetime64(EARLIEST, "D"), np.datetime64(LATEST, "D")
    ok = ~np.isnat(days)
    checks.add(ok & ((days < lo) | (days > hi)), column, f"{column} is outside {EARLIEST}–{LATEST}",
               f"a date between {EARLIEST} and {LATEST}")


def check_order(checks: Checks, low: np.ndarray, best: np.ndarray, high: np.ndarray, columns: tuple[str, str, str]) -> None:
    """low ≤ best ≤ high, where all three are valid numbers."""
    with np.errstate(invalid="ignore"):
        fin = np.isfinite(low) & np.isfinite(best) & np.isfinite(high)
        checks.add(fin & (low > best), columns[0], f"{columns[0]} is greater than {columns[1]}",
                   f"{columns[0]} ≤ {columns[1]} ≤ {columns[2]}")
        checks.add(fin & (best > high), columns[2], f"{columns[2]} is less than {columns[1]}",
                   f"{columns[0]} ≤ {columns[1]} ≤ {columns[2]}")


def check_ids(checks: Checks, ids: pa.ChunkedArray, column: str, rows: np.ndarray, linemap: _LineMap) -> None:
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


def int_or_null(values: np.ndarray) -> pa.Array:
    ok = np.isfinite(values)
    return pa.array(np.where(ok, values, 0).astype(np.int64), mask=~ok, type=pa.int64())


def date_array(values: np.ndarray) -> pa.Array:
    return pa.array(values.astype("datetime64[D]"), type=pa.date32())


@dataclass
class Output:
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
class Normalised:
    table: Output
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
    return per_unique(table[col], lambda v: v is not None and v.strip().casefold() == want, bool, False)


class _Start(NamedTuple):
    table: pa.Table  # rows of the requested country
    rows: np.ndarray  # their positions among the rows read
    filtered: int  # rows left out by the country filter
    rows_read: int
    linemap: _LineMap
    invalid: list[tuple[str, str]]  # records the CSV reader could not split into the header's fields
    version: str | None
    basis: str | None


def common_start(
    path: Path, shown: str, layout: Layout, country: str | None, progress: Progress,
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


def opt(table: pa.Table, name: str) -> pa.ChunkedArray:
    """A text column as read (the reader already made empty fields null), or all-null."""
    if name in table.column_names:
        return table[name]
    return pa.chunked_array([pa.nulls(table.num_rows, pa.string())])


def actor_ids(arr: pa.ChunkedArray, aliases: dict[str, str]) -> pa.Array:
    mapped = per_unique(arr, lambda v: match_actor(v, aliases), object, None)
    return pa.array(mapped, type=pa.string())


def finish(table: pa.Table, keep: np.ndarray, schema: pa.Schema, sort: tuple[str, ...]) -> Output:
    """The full table plus the kept rows' positions in output order (no copy of the data yet)."""
    kept = pa.array(np.flatnonzero(keep))
    keys = table.select(list(sort)).take(kept)
    order = pc.take(kept, pc.sort_indices(keys, sort_keys=[(c, "ascending") for c in sort]))
    return Output(table, order, schema)
