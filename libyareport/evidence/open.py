"""The first call of every chapter: load, validate and window the evidence."""
from __future__ import annotations

from libyareport.errors import ReportError
from libyareport.evidence.model import Evidence, load
from libyareport.params import resolve_data_dir


def open_evidence(data_dir: str = "data", start_date: str | None = None, end_date: str | None = None,
                  include_context: bool = True, include_commentary: bool = False) -> Evidence:
    """Load, validate and window the evidence: the first call of every chapter."""
    for name, value in (("include_context", include_context), ("include_commentary", include_commentary)):
        if not isinstance(value, bool):
            raise ReportError(f"parameter {name}={value!r} is not a switch; expected True or False")
    ev = load(resolve_data_dir(data_dir))
    return ev.view(start_date, end_date, include_context, include_commentary)
