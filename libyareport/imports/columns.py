"""Column sets of the event formats (as their publishers spell them) and of our normalised tables."""
from __future__ import annotations

import re

import pyarrow as pa

ACLED_CURRENT_COLUMNS = (
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
    "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2",
    "interaction", "civilian_targeting", "iso", "region", "country", "admin1", "admin2",
    "admin3", "location", "latitude", "longitude", "geo_precision", "source", "source_scale",
    "notes", "fatalities", "tags", "timestamp",
)


#: Columns an ACLED event file must have (both column sets have them).
ACLED_REQUIRED = (
    "event_id_cnty", "event_date", "time_precision", "event_type", "actor1", "actor2",
    "country", "location", "latitude", "longitude", "fatalities",
)


#: Used when present, null otherwise.
ACLED_OPTIONAL = ("sub_event_type", "admin1", "admin2", "geo_precision", "source", "notes", "timestamp")


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


MAX_LISTED_PROBLEMS = 20


#: The stated range of every imported count (fatalities, deaths best/low/high, monthly events):
#: whole numbers, stored as int64; a larger value is a bad row, never an overflowed number.
COUNT_RANGE = (0, 10_000_000)


#: ACLED's `timestamp` (Unix seconds): from 1970 to the end of params.LATEST (2100-12-31).
TIMESTAMP_RANGE = (0, 4_133_980_799)


IMPORTED_DIR = "imported"


#: A dataset name (a directory under data/imported/): no newline, no path, at most 64 characters.
_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}\Z")
