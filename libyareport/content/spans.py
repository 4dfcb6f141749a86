"""Coarse dates are spans: a row dated to a month, a year or a range covers that whole period.

`with_spans` gives every dated row its span (first and last day it can refer to), the span
clipped to the run's window (what a chart draws), whether the row only overlaps the window,
and whether it is a point (day precision) or a span. Charts draw `x0`…`x1`, never the first
day of a coarse period, and never outside the window.
"""
from __future__ import annotations

import pandas as pd

from libyareport.evidence.check import period_end

PRECISION_RANK = {"day": 0, "range": 1, "month": 2, "year": 3}  # finest first: which report dates a key best
DATE_OF = {"events": ("date", "date_end", "date_precision"), "responses": ("date", "date_end", "date_precision"),
           "tolls": ("as_of", "as_of_end", "as_of_precision")}


def with_spans(ev, df: pd.DataFrame, table: str) -> pd.DataFrame:
    """df plus span_start, span_end, x0, x1 (clipped to the window), is_span, partial."""
    col, end_col, prec_col = DATE_OF[table]
    out = df.copy()
    if out.empty:
        for c in ("span_start", "span_end", "x0", "x1"):
            out[c] = pd.Series(dtype="datetime64[ns]")
        out["is_span"] = pd.Series(dtype=bool)
        out["partial"] = pd.Series(dtype=bool)
        return out
    starts = out[col]
    ends = [pd.Timestamp(period_end(s.date(), e.date() if pd.notna(e) else None, p))
            for s, e, p in zip(starts, out[end_col], out[prec_col])]
    out["span_start"] = starts
    out["span_end"] = pd.to_datetime(pd.Series(ends, index=out.index))
    w = ev.window
    lo = pd.Timestamp(w.start) if w.start else None
    hi = pd.Timestamp(w.end) if w.end else None
    out["x0"] = out["span_start"].clip(lower=lo) if lo is not None else out["span_start"]
    out["x1"] = out["span_end"].clip(upper=hi) if hi is not None else out["span_end"]
    out["is_span"] = out["span_end"] > out["span_start"]
    partial = pd.Series(False, index=out.index)
    if lo is not None:
        partial |= out["span_start"] < lo
    if hi is not None:
        partial |= out["span_end"] > hi
    out["partial"] = partial
    return out
