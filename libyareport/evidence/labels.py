"""Display labels come from the schema (`x-labels` on every enum field), never from Python.

    EVENT_TYPES = labels.Labels("events", "event_type")
    EVENT_TYPES["armed_clash"]  ->  "Armed clash"

A `Labels` looks its values up in the schema of the evidence loaded last (a data directory
may carry its own `datapackage.json`), so a value added to the schema with a label shows in
every chart and table without a code change, and a value without one is a `check` error
(`missing_labels`) — never a KeyError in a chart.
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping

from libyareport.errors import Problem, ReportError
from libyareport.evidence.schema import Package, load_package

_ACTIVE: dict[str, Package | None] = {"package": None}


def use(package: Package) -> None:
    """Make `package` the schema labels are read from (called when evidence is loaded)."""
    _ACTIVE["package"] = package


def active() -> Package:
    return _ACTIVE["package"] or load_package(None)


class Labels(Mapping[str, str]):
    """The labels of one enum field, read from the active schema at lookup time."""

    def __init__(self, table: str, field: str, kind: str = "labels"):
        self.table, self.field, self.kind = table, field, kind  # kind: "labels" (x-labels) or "prefixes" (x-prefixes)

    def _map(self) -> dict[str, str]:
        for r in active().tables(self.table) or [active().resource(self.table)]:
            for f in r.fields:
                if f.name == self.field:
                    return getattr(f, self.kind) or {}
        return {}

    def __getitem__(self, value: str) -> str:
        m = self._map()
        if value not in m:
            raise ReportError(Problem(f"data/schema/{self.table}.json", None, self.field,
                                      f"value '{value}' has no display label",
                                      f"an entry \"{value}\": \"Label\" in the field's x-labels"))
        return m[value]

    def __iter__(self) -> Iterator[str]:
        return iter(self._map())

    def __len__(self) -> int:
        return len(self._map())

    def groups(self) -> dict[str, tuple[str, ...]]:
        for r in active().tables(self.table) or [active().resource(self.table)]:
            for f in r.fields:
                if f.name == self.field:
                    return f.groups or {}
        return {}


def missing_labels(package: Package) -> list[Problem]:
    """Every enum value of the schema that has no display label."""
    out = []
    seen = set()
    for r in package.resources:
        for f in r.fields:
            if not f.enum or (r.table, f.name) in seen:
                continue
            seen.add((r.table, f.name))
            for v in f.enum:
                if v not in (f.labels or {}):
                    own = package.root / "schema" / f"{r.table}.json"
                    where = f"{package.root.name}/{own.relative_to(package.root) if own.is_file() else 'datapackage.json'}"
                    out.append(Problem(where, None, f.name,
                                       f"enum value '{v}' has no display label",
                                       f"an entry \"{v}\": \"Label\" in the field's x-labels"))
    return out
