"""Date phrases in a sentence, resolved against the source's publication date, with a written basis.

Own patterns find the phrases (a general date scanner reads "an" as the number one); each
phrase is resolved by a small rule whose reasoning is written out in `basis`, in the corpus
style: "'late on Tuesday' in a report published Wednesday 3 Jul 2019 → 2019-07-02".
News copy's convention is kept: a weekday naming the publication day itself means that day.
A date given outright (with its year) has an empty basis, as in the corpus tables.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from libyareport.articles.extract import _MON, month_number

WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_WD = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"


@dataclass(frozen=True)
class DateHit:
    start: int
    end: int
    phrase: str
    date: dt.date
    precision: str  # day | month | year | range
    basis: str
    date_end: dt.date | None = None


def long_date(d: dt.date) -> str:
    return f"{d:%A} {d.day} {d:%b} {d.year}"


def _report(pub: dt.date) -> str:
    return f"in a report published {long_date(pub)}"


def _year_for(month: int, day: int, pub: dt.date) -> tuple[int, str]:
    """Year of a day/month given without one: the report's, unless that would be after it."""
    try:
        candidate = dt.date(pub.year, month, day)
    except ValueError:
        return pub.year, "the report's year"
    if candidate > pub:
        return pub.year - 1, "the year before the report (the report's year would be after publication)"
    return pub.year, "the report's year"


_PATTERNS: list[tuple[str, re.Pattern]] = [
    ("full_dmy", re.compile(rf"\b(?:on\s+)?(\d{{1,2}})\s+({_MON})\.?,?\s+(\d{{4}})\b")),
    ("full_mdy", re.compile(rf"\b(?:on\s+)?({_MON})\.?\s+(\d{{1,2}}),\s+(\d{{4}})\b")),
    ("dm", re.compile(rf"\b(?:on\s+)?(\d{{1,2}})\s+({_MON})\b(?!\s+\d)")),
    ("md", re.compile(rf"\b(?:on\s+)?({_MON})\s+(\d{{1,2}})\b(?!,?\s+\d{{4}})(?!\d)")),
    ("month_year", re.compile(rf"\b(?:in|since|during|from|until|by)?\s*({_MON})\s+(\d{{4}})\b")),
    ("month", re.compile(r"\b(?:in|since|during|from|until|by|early|late|mid-|last|this)\s*(?:in\s+)?"
                         r"(January|February|March|April|May|June|July|August|September|October|November|December)\b")),
    ("rel_year", re.compile(r"\b(?:since\s+)?(last|this|next)\s+year\b", re.IGNORECASE)),
    ("year", re.compile(r"\b(?:in|since|during|of)\s+((?:19|20)\d{2})\b")),
    ("weekday", re.compile(rf"\b(?:(late|early)\s+)?(?:(on|last|since)\s+)?({_WD})"
                           rf"(?:\s+(night|morning|afternoon|evening))?\b")),
    ("yesterday", re.compile(r"\b(yesterday|today|tonight|this morning|this afternoon|this evening|overnight)\b", re.IGNORECASE)),
    ("days_ago", re.compile(r"\b(two|three|four|five|six|seven|\d{1,2})\s+days\s+ago\b", re.IGNORECASE)),
]
_SMALL = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7}


def _resolve(kind: str, m: re.Match, pub: dt.date) -> tuple[dt.date, str, str, dt.date | None] | None:
    """(date, precision, basis, end) for one match, or None when it is not a usable date."""
    phrase = m.group(0).strip()
    q = f"'{phrase}' {_report(pub)}"
    try:
        if kind == "full_dmy":
            return dt.date(int(m.group(3)), month_number(m.group(2)), int(m.group(1))), "day", "", None
        if kind == "full_mdy":
            return dt.date(int(m.group(3)), month_number(m.group(1)), int(m.group(2))), "day", "", None
        if kind in ("dm", "md"):
            day, mon = (int(m.group(1)), m.group(2)) if kind == "dm" else (int(m.group(2)), m.group(1))
            month = month_number(mon)
            year, why = _year_for(month, day, pub)
            d = dt.date(year, month, day)
            return d, "day", f"{q} → {d.isoformat()} ({why})", None
        if kind == "month_year":
            return dt.date(int(m.group(2)), month_number(m.group(1)), 1), "month", "", None
        if kind == "month":
            month = month_number(m.group(1))
            year = pub.year if month <= pub.month else pub.year - 1
            d = dt.date(year, month, 1)
            why = "the report's year" if year == pub.year else "the year before the report"
            return d, "month", f"{q} → {d:%B %Y} ({why})", None
        if kind == "rel_year":
            year = pub.year + {"last": -1, "this": 0, "next": 1}[m.group(1).lower()]
            if year > pub.year:
                return None
            return dt.date(year, 1, 1), "year", f"{q} → {year}", None
        if kind == "year":
            year = int(m.group(1))
            return (dt.date(year, 1, 1), "year", "", None) if year <= pub.year else None
        if kind == "weekday":
            wd = WEEKDAYS.index(m.group(3).lower())
            if (m.group(2) or "").lower() == "last" and wd == pub.weekday():
                d = pub - dt.timedelta(days=7)
            else:
                d = pub - dt.timedelta(days=(pub.weekday() - wd) % 7)
            if d == pub:
                return d, "day", f"{q} → the day of publication, {d.isoformat()}", None
            return d, "day", f"{q} → {d.isoformat()}", None
        if kind == "yesterday":
            word = m.group(1).lower()
            if word == "yesterday":
                d = pub - dt.timedelta(days=1)
                return d, "day", f"{q} → {d.isoformat()}", None
            if word == "overnight":
                start = pub - dt.timedelta(days=1)
                return start, "range", f"{q} → the night of {start.isoformat()} to {pub.isoformat()}", pub
            return pub, "day", f"{q} → the day of publication, {pub.isoformat()}", None
        if kind == "days_ago":
            n = _SMALL.get(m.group(1).lower()) or int(m.group(1))
            d = pub - dt.timedelta(days=n)
            return d, "day", f"{q} → {d.isoformat()}", None
    except ValueError:
        return None
    return None


def find_dates(sentence: str, pub: dt.date) -> list[DateHit]:
    """Every date phrase in the sentence (non-overlapping, most specific pattern first), in text order."""
    hits: list[DateHit] = []
    taken: list[tuple[int, int]] = []
    for kind, pat in _PATTERNS:
        for m in pat.finditer(sentence):
            a, b = m.start(), m.end()
            while a < b and sentence[a].isspace():
                a += 1
            if any(a < y and x < b for x, y in taken):
                continue
            r = _resolve(kind, m, pub)
            if r is None:
                continue
            d, precision, basis, end = r
            if d > pub:
                continue  # a future date is a plan or a forecast, not a reported event
            taken.append((a, b))
            hits.append(DateHit(a, b, sentence[a:b], d, precision, basis, end))
    return sorted(hits, key=lambda h: h.start)


def undated(pub: dt.date, what: str = "the sentence") -> str:
    return f"no date given in {what}; dated to the report, published {long_date(pub)}"
