"""data/README.md is the data dictionary; it must say what the schema says."""
from __future__ import annotations

import csv
from pathlib import Path

from libyareport.evidence.dictionary import render_dictionary
from libyareport.evidence.schema import load_package

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"


def test_data_readme_is_generated_from_the_schema():
    assert (DATA / "README.md").read_text(encoding="utf-8") == render_dictionary(DATA), (
        "data/README.md disagrees with data/datapackage.json; run: python -m libyareport dictionary")


def test_every_column_of_every_shipped_table_is_documented():
    text = (DATA / "README.md").read_text(encoding="utf-8")
    pkg = load_package(str(DATA))
    for res in pkg.resources:
        if not res.path.endswith(".csv"):
            continue
        assert f"`{res.path}`" in text
        with (DATA / res.path).open(encoding="utf-8", newline="") as fh:
            header = next(csv.reader(fh))
        assert header == res.columns, f"{res.path}: columns differ from the schema"
        for col in header:
            assert f"| `{col}` |" in text, f"{res.path}: column {col} not in the dictionary"


def test_enum_change_in_schema_shows_in_dictionary(tmp_path):
    import json
    import shutil
    shutil.copytree(DATA / "schema", tmp_path / "schema")
    pkg = json.loads((DATA / "datapackage.json").read_text(encoding="utf-8"))
    (tmp_path / "datapackage.json").write_text(json.dumps(pkg), encoding="utf-8")
    schema = json.loads((tmp_path / "schema" / "support.json").read_text(encoding="utf-8"))
    for f in schema["fields"]:
        if f["name"] == "support_type":
            f["constraints"]["enum"].append("cyber")
    (tmp_path / "schema" / "support.json").write_text(json.dumps(schema), encoding="utf-8")
    assert "`cyber`" in render_dictionary(tmp_path)
    assert "`cyber`" not in render_dictionary(DATA)
