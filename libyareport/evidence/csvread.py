"""Strict CSV reading: every way a hand-edited CSV goes wrong gets one clear Problem.

Returns rows as dicts with the physical line number where each record starts, so that
later checks can point at file, line and column.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from libyareport.errors import Problem, rel

BOM = b"\xef\xbb\xbf"


@dataclass
class Table:
    path: Path
    header: list[str]
    rows: list[dict[str, str]]
    lines: list[int]  # physical line where each row starts (header is line 1)


def _decode(path: Path, data: bytes) -> tuple[str | None, list[Problem]]:
    name = rel(path)
    if data.startswith(BOM):
        return None, [Problem(name, 1, None, "file starts with a UTF-8 byte-order mark (BOM)",
                              "UTF-8 without BOM; re-save the file without the BOM")]
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        col = e.start - (data.rfind(b"\n", 0, e.start) + 1) + 1
        hint = ""
        try:
            data.decode("cp1252")
            hint = " (it looks like Latin-1/Windows-1252)"
        except UnicodeDecodeError:
            pass
        return None, [Problem(name, line, None,
                              f"byte 0x{data[e.start]:02x} at character {col} is not valid UTF-8{hint}",
                              "a UTF-8 encoded file; re-save it as UTF-8")]


def read_table(path: Path, expected: list[str], required: set[str] | None = None) -> tuple[Table | None, list[Problem]]:
    """Read one CSV against the columns the schema declares (any order, no extras)."""
    name = rel(path)
    if not path.is_file():
        return None, [Problem(name, None, None, "file is missing", f"a CSV file with columns {', '.join(expected)}")]
    data = path.read_bytes()
    if not data.strip():
        return None, [Problem(name, 1, None, "file is empty", f"a header row: {','.join(expected)}")]
    text, problems = _decode(path, data)
    if text is None:
        return None, problems
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except csv.Error as e:
        return None, [Problem(name, 1, None, f"header row cannot be parsed: {e}", "a comma-separated header row")]
    header = [h.strip() for h in header]
    if len(header) == 1 and len(expected) > 1:
        for delim, label in ((";", "semicolons"), ("\t", "tabs"), ("|", "pipes")):
            if delim in header[0]:
                return None, [Problem(name, 1, None, f"columns are separated by {label}",
                                      "comma-separated values (,) as in the other tables")]
    seen: set[str] = set()
    for h in header:
        if h in seen:
            problems.append(Problem(name, 1, h, f"column '{h}' appears more than once in the header",
                                    "each column once"))
        seen.add(h)
    unknown = [h for h in header if h not in expected]
    for h in unknown:
        problems.append(Problem(name, 1, h or "(blank)", f"unknown column '{h}'",
                                f"only the schema's columns: {', '.join(expected)}"))
    missing = [c for c in expected if c not in seen and (required is None or c in required)]
    for c in missing:
        problems.append(Problem(name, 1, c, f"required column '{c}' is missing from the header",
                                "the column as declared in data/datapackage.json"))
    if problems:
        return None, problems
    rows: list[dict[str, str]] = []
    lines: list[int] = []
    start = reader.line_num + 1
    width = len(header)
    try:
        for record in reader:
            if not record or (len(record) == 1 and not record[0].strip()):
                start = reader.line_num + 1
                continue
            if len(record) != width:
                problems.append(Problem(name, start, None,
                                        f"row has {len(record)} fields but the header has {width}",
                                        "one value per column; quote values that contain commas"))
            else:
                rows.append(dict(zip(header, record)))
                lines.append(start)
            start = reader.line_num + 1
    except csv.Error as e:
        problems.append(Problem(name, start, None, f"row cannot be parsed: {e}",
                                "well-formed CSV (close every opened double quote)"))
    if problems:
        return None, problems
    return Table(path, header, rows, lines), []
