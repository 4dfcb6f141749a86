"""Aggregations of imported event data (per week, month, type, place, actor pairing).

Each returns a small DataFrame that always carries a ``dataset`` column: counts from
different publishers are never added together.
"""
from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from libyareport.errors import Problem, ReportError
from libyareport.imports.store import _PARAMS

#: Legend order for event types (ACLED's, then UCDP's); unknown types follow alphabetically.
EVENT_TYPE_ORDER = [
    "Battles", "Explosions/Remote violence", "Violence against civilians", "Protests", "Riots",
    "Strategic developments", "State-based conflict", "Non-state conflict", "One-sided violence",
]


MAX_MAP_POINTS = 300


def _period(dates: pd.Series, freq: str) -> pd.Series:
    dates = pd.to_datetime(dates)
    if freq == "week":
        return (dates - pd.to_timedelta(dates.dt.day_of_week, unit="D")).dt.normalize()  # Monday
    if freq == "month":
        return dates.dt.to_period("M").dt.to_timestamp()
    raise ReportError(Problem(_PARAMS, None, "freq", f"unknown frequency {freq!r}", "week or month"))


def _type_order(types: Iterable[str]) -> list[str]:
    present = set(types)
    known = [t for t in EVENT_TYPE_ORDER if t in present]
    return known + sorted(present - set(known))


def _fatal(df: pd.DataFrame, col: str) -> pd.Series:
    return df[col].astype("Float64").fillna(0) if col in df.columns else pd.Series(0, index=df.index)


def events_over_time(events: pd.DataFrame, freq: str = "week") -> pd.DataFrame:
    """Events per week (starting Monday) or month, by event type.

    Columns: dataset, period (first day), event_type, events, fatalities (best).
    """
    cols = ["dataset", "period", "event_type", "events", "fatalities"]
    if events.empty:
        return pd.DataFrame(columns=cols)
    df = pd.DataFrame({
        "dataset": events["dataset"],
        "period": _period(events["date_start"], freq),
        "event_type": events["event_type"].fillna("(unknown)"),
        "fatalities": _fatal(events, "fatalities_best"),
    })
    out = (df.groupby(["dataset", "period", "event_type"], observed=True)
             .agg(events=("fatalities", "size"), fatalities=("fatalities", "sum")).reset_index())
    out["fatalities"] = out["fatalities"].astype("int64")
    return out[cols].sort_values(["dataset", "period", "event_type"]).reset_index(drop=True)


def weekly_curve(events: pd.DataFrame) -> pd.DataFrame:
    """Total events and fatalities per week (weeks start Monday; empty weeks are 0).

    Columns: dataset, week, events, fatalities.
    """
    cols = ["dataset", "week", "events", "fatalities"]
    if events.empty:
        return pd.DataFrame(columns=cols)
    by_type = events_over_time(events, "week")
    out = by_type.groupby(["dataset", "period"]).agg(events=("events", "sum"), fatalities=("fatalities", "sum"))
    frames = []
    for ds, part in out.groupby(level=0):
        part = part.droplevel(0)
        full = pd.date_range(part.index.min(), part.index.max(), freq="W-MON")
        part = part.reindex(full, fill_value=0)
        frames.append(part.rename_axis("week").reset_index().assign(dataset=ds))
    return pd.concat(frames)[cols].reset_index(drop=True)


def fatalities_per_month(events: pd.DataFrame) -> pd.DataFrame:
    """Reported fatalities per month with the sum of low and high estimates.

    Columns: dataset, month, events, fatalities_best, fatalities_low, fatalities_high.
    (ACLED gives one figure, so its low = best = high; UCDP gives a range.)
    """
    cols = ["dataset", "month", "events", "fatalities_best", "fatalities_low", "fatalities_high"]
    if events.empty:
        return pd.DataFrame(columns=cols)
    df = pd.DataFrame({"dataset": events["dataset"], "month": _period(events["date_start"], "month")})
    for c in ("fatalities_best", "fatalities_low", "fatalities_high"):
        df[c] = _fatal(events, c)
    out = df.groupby(["dataset", "month"]).agg(
        events=("month", "size"), fatalities_best=("fatalities_best", "sum"),
        fatalities_low=("fatalities_low", "sum"), fatalities_high=("fatalities_high", "sum"))
    frames = []
    for ds, part in out.groupby(level=0):  # months without events are months with 0 fatalities
        part = part.droplevel(0)
        part = part.reindex(pd.date_range(part.index.min(), part.index.max(), freq="MS"), fill_value=0)
        frames.append(part.rename_axis("month").reset_index().assign(dataset=ds))
    out = pd.concat(frames)
    for c in cols[2:]:
        out[c] = out[c].astype("int64")
    return out[cols].reset_index(drop=True)


def fatalities_by_type(events: pd.DataFrame) -> pd.DataFrame:
    """Events and fatalities (best, low, high) by event type, largest first."""
    cols = ["dataset", "event_type", "events", "fatalities_best", "fatalities_low", "fatalities_high"]
    if events.empty:
        return pd.DataFrame(columns=cols)
    df = pd.DataFrame({"dataset": events["dataset"], "event_type": events["event_type"].fillna("(unknown)")})
    for c in cols[3:]:
        df[c] = _fatal(events, c)
    out = df.groupby(["dataset", "event_type"]).agg(
        events=("event_type", "size"), fatalities_best=("fatalities_best", "sum"),
        fatalities_low=("fatalities_low", "sum"), fatalities_high=("fatalities_high", "sum")).reset_index()
    for c in cols[3:]:
        out[c] = out[c].astype("int64")
    return out[cols].sort_values(["dataset", "fatalities_best", "events"], ascending=[True, False, False]).reset_index(drop=True)


def top_places(events: pd.DataFrame, n: int | None = 15) -> pd.DataFrame:
    """Places with the most events (ties: most fatalities); one row per place and admin1.

    Columns: dataset, place, admin1, events, fatalities, latitude, longitude (mean of the
    events' coordinates). ``n=None`` returns every place.
    """
    cols = ["dataset", "place", "admin1", "events", "fatalities", "latitude", "longitude"]
    if events.empty:
        return pd.DataFrame(columns=cols)
    df = pd.DataFrame({
        "dataset": events["dataset"],
        "place": events["place"].fillna("(unnamed place)"),
        "admin1": events["admin1"].fillna("") if "admin1" in events.columns else "",
        "fatalities": _fatal(events, "fatalities_best"),
        "latitude": events["latitude"].astype("Float64"),
        "longitude": events["longitude"].astype("Float64"),
    })
    out = df.groupby(["dataset", "place", "admin1"]).agg(
        events=("place", "size"), fatalities=("fatalities", "sum"),
        latitude=("latitude", "mean"), longitude=("longitude", "mean")).reset_index()
    out["fatalities"] = out["fatalities"].astype("int64")
    out = out.sort_values(["dataset", "events", "fatalities", "place"], ascending=[True, False, False, True])
    if n is not None:
        out = out.groupby("dataset", sort=False).head(n)
    return out[cols].reset_index(drop=True)


def actor_pairings(events: pd.DataFrame, n: int | None = 10, symmetric: bool = True) -> pd.DataFrame:
    """The most frequent actor1 × actor2 pairings, with our actor IDs where mapped.

    ``symmetric=True`` counts A–B and B–A together (who fought whom, regardless of who the
    publisher listed first). A missing actor2 is shown as "(none)".
    Columns: dataset, actor1, actor2, actor1_id, actor2_id, events, fatalities.
    """
    cols = ["dataset", "actor1", "actor2", "actor1_id", "actor2_id", "events", "fatalities"]
    if events.empty:
        return pd.DataFrame(columns=cols)
    a1 = events["actor1"].fillna("(none)").astype(object)
    a2 = events["actor2"].fillna("(none)").astype(object)
    i1 = events["actor1_id"].astype(object) if "actor1_id" in events.columns else pd.Series(None, index=events.index, dtype=object)
    i2 = events["actor2_id"].astype(object) if "actor2_id" in events.columns else pd.Series(None, index=events.index, dtype=object)
    if symmetric:
        swap = (a1 > a2) & (a2 != "(none)")
        a1, a2 = a1.where(~swap, a2), a2.where(~swap, a1)
        i1, i2 = i1.where(~swap, i2), i2.where(~swap, i1)
    df = pd.DataFrame({"dataset": events["dataset"], "actor1": a1, "actor2": a2,
                       "actor1_id": i1, "actor2_id": i2, "fatalities": _fatal(events, "fatalities_best")})
    out = df.groupby(["dataset", "actor1", "actor2"]).agg(
        actor1_id=("actor1_id", "first"), actor2_id=("actor2_id", "first"),
        events=("fatalities", "size"), fatalities=("fatalities", "sum")).reset_index()
    out["fatalities"] = out["fatalities"].astype("int64")
    out = out.sort_values(["dataset", "events", "fatalities"], ascending=[True, False, False])
    if n is not None:
        out = out.groupby("dataset", sort=False).head(n)
    out = out.astype({"actor1_id": object, "actor2_id": object})
    return out[cols].reset_index(drop=True)


def map_points(events: pd.DataFrame, max_points: int = MAX_MAP_POINTS) -> tuple[pd.DataFrame, dict]:
    """Events aggregated per place for a map, at most ``max_points`` rows (most events first).

    Returns (points, left_out) where left_out = {"places": …, "events": …, "fatalities": …}
    counts what did not fit, so a caption can say so.
    """
    places = top_places(events, n=None)
    places = places.dropna(subset=["latitude", "longitude"]) if not places.empty else places
    shown = places.head(max_points)
    rest = places.iloc[max_points:]
    left_out = {"places": len(rest), "events": int(rest["events"].sum()) if len(rest) else 0,
                "fatalities": int(rest["fatalities"].sum()) if len(rest) else 0}
    return shown.reset_index(drop=True), left_out
