"""How the book writes dates, numbers and reported figures, at the precision the source allows."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from libyareport.evidence.labels import Labels

METRIC_LABELS = Labels("tolls", "metric")


QUALIFIER_TEXT = Labels("tolls", "qualifier", "prefixes")


def fmt_date(value, precision: str = "day", end=None, long: bool = False) -> str:
    """A date as a reader expects it, at the precision the source allows (`long`: month names in full, for prose)."""
    if value is None or (not isinstance(value, dt.date) and pd.isna(value)):
        return "n.d."
    d = value.date() if hasattr(value, "date") and not isinstance(value, dt.date) else value
    if isinstance(d, dt.datetime):
        d = d.date()
    if precision == "year":
        return f"{d.year}"
    if precision == "month":
        return f"{d:%B %Y}"
    if precision == "range" and end is not None and not pd.isna(end):
        e = end.date() if isinstance(end, (pd.Timestamp, dt.datetime)) else end
        m = "%B" if long else "%b"
        if e.month == d.month and e.year == d.year:
            return f"{d.day}–{e.day} {d.strftime(m)} {d.year}"
        return f"{d.day} {d.strftime(m)} – {e.day} {e.strftime(m)} {e.year}"
    return f"{d.day} {d:%B %Y}" if long else f"{d.day} {d:%b %Y}"


def fmt_number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def figure_text(row) -> str:
    """'at least 21' / 'about 149,315' / '40–53'."""
    if pd.notna(row.get("low")) and pd.notna(row.get("high")):
        return f"{fmt_number(row['low'])}–{fmt_number(row['high'])}"
    return QUALIFIER_TEXT[row["qualifier"]] + fmt_number(row["value"])
