"""Display labels live in the schema: every enum value has one, and a new value shows in the charts
with the label the schema gives it — no Python dict to update."""
from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from libyareport.evidence.check import load_checked
from libyareport.evidence.model import load
from libyareport.render import charts

DATA = Path(__file__).resolve().parents[1] / "data"


def _all_enum_fields():
    for path in sorted((DATA / "schema").glob("*.json")):
        for f in json.loads(path.read_text(encoding="utf-8"))["fields"]:
            if f.get("constraints", {}).get("enum"):
                yield path.name, f


@pytest.mark.parametrize("schema,field", [(s, f["name"]) for s, f in _all_enum_fields()])
def test_every_shipped_enum_value_has_a_label(schema, field):
    f = next(f for s, f in _all_enum_fields() if s == schema and f["name"] == field)
    missing = [v for v in f["constraints"]["enum"] if v not in f.get("x-labels", {})]
    assert not missing, f"{schema} {field}: no label for {missing}"


def _scratch(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(DATA, data, ignore=shutil.ignore_patterns("imported"))
    return data


def _add_event_type(data: Path, value: str, label: str | None) -> None:
    path = data / "schema" / "events.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    f = next(f for f in schema["fields"] if f["name"] == "event_type")
    f["constraints"]["enum"].append(value)
    if label:
        f["x-labels"][value] = label
    path.write_text(json.dumps(schema, indent=2), encoding="utf-8")


def test_an_enum_value_without_a_label_is_a_check_error(tmp_path):
    data = _scratch(tmp_path)
    _add_event_type(data, "siege", None)
    problems = [str(p) for p in load_checked(data).problems]
    expected = (f"{data.name}/schema/events.json [event_type]: enum value 'siege' has no display label "
                "(expected an entry \"siege\": \"Label\" in the field's x-labels)")
    assert problems == [expected], problems


def test_a_new_value_with_a_label_shows_in_the_timeline(tmp_path):
    data = _scratch(tmp_path)
    _add_event_type(data, "siege", "Siege")
    with open(data / "events.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    row = dict(rows[0], claim_id="ev-test-siege", event_type="siege")  # same source and quote: still valid
    with open(data / "events.csv", "a", newline="", encoding="utf-8") as fh:
        csv.DictWriter(fh, fieldnames=list(rows[0])).writerow(row)
    assert load_checked(data).problems == []
    fig = charts.timeline(load(data).view())
    ticks = [t for ax in ("yaxis",) for t in (fig.layout[ax].ticktext or fig.layout[ax].categoryarray or [])]
    names = {tr.name for tr in fig.data} | set(ticks) | {str(y) for tr in fig.data for y in (list(tr.y) if tr.y is not None else [])}
    assert "Siege" in names, sorted(n for n in names if n)[:40]
