"""The first call of every chapter: load, validate and window the evidence.

The loaded evidence is kept for the process (one data directory, keyed on its stamp: any file
added, removed or rewritten loads it again), so a kernel reused for several chapters of a build,
or the briefing printed next to them, validates and loads the data once.
"""
from __future__ import annotations

from pathlib import Path

from libyareport.errors import ReportError
from libyareport.evidence import labels
from libyareport.evidence.model import Evidence, load
from libyareport.evidence.stamp import data_stamp
from libyareport.params import resolve_data_dir

_last: list[tuple[Path, str, Evidence]] = []  # the one data directory this process loaded last: (path, stamp, evidence)


def open_evidence(data_dir: str = "data", start_date: str | None = None, end_date: str | None = None,
                  include_context: bool = True, include_commentary: bool = False) -> Evidence:
    """Load, validate and window the evidence: the first call of every chapter."""
    for name, value in (("include_context", include_context), ("include_commentary", include_commentary)):
        if not isinstance(value, bool):
            raise ReportError(f"parameter {name}={value!r} is not a switch; expected True or False")
    return _load(resolve_data_dir(data_dir)).view(start_date, end_date, include_context, include_commentary)


def _load(path: Path) -> Evidence:
    stamp = data_stamp(path) if path.is_dir() else ""
    if _last and _last[0][:2] == (path, stamp):
        ev = _last[0][2]
        labels.use(ev.package)  # the labels of this data's schema, whatever was loaded in between
        return ev
    ev = load(path)
    _last[:] = [(path, stamp, ev)]
    return ev
