"""The package-level declarations of `data/datapackage.json` beyond its resources:
`x-grades`, `x-stances`, `x-reliability` (the evidence model's vocabularies) and
`x-imported` (the normalised event tables under data/imported/). Read here so that the
data dictionary, and any code that shows a grade or reads an import, take them from the schema.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

VOCABULARIES = (("x-grades", "Evidence grades", "Each claim key gets one grade, computed from its rows (never typed in)."),
                ("x-stances", "Stances", "The `stance` column of every claim row."),
                ("x-reliability", "Reliability of outlets", "The `reliability` of each reference and source document."))


@lru_cache(maxsize=8)
def _package(root: str) -> dict:
    return json.loads((Path(root) / "datapackage.json").read_text(encoding="utf-8"))


def vocabulary(root: Path | str, key: str) -> list[dict]:
    """One of x-grades / x-stances / x-reliability: [{"id", "label", "definition"}, ...] in order."""
    return list(_package(str(root)).get(key, []))


def imported_resources(root: Path | str) -> list[dict]:
    """The x-imported resource declarations (name, path, description, schema.fields)."""
    return list(_package(str(root)).get("x-imported", []))


def render_extras(root: Path, make_field: Callable[[dict], object]) -> list[str]:
    """Markdown for the data dictionary: imported tables, then the vocabularies."""
    out: list[str] = []
    for res in imported_resources(root):
        out.append(f"## `{res['path']}` ({res['name']} · imported, {res.get('format', '')})\n\n{res.get('description', '')}\n")
        out.append("| column | type | required | allowed values / form | meaning |")
        out.append("|---|---|---|---|---|")
        for d in res["schema"]["fields"]:
            f = make_field(d)
            form = ", ".join(f"`{v}`" + (f" ({f.labels[v]})" if f.labels and f.labels.get(v) else "") for v in f.enum) if f.enum else ""
            desc = f.description.replace("|", "\\|")
            out.append(f"| `{f.name}` | {f.type} | {'yes' if f.required else ''} | {form} | {desc} |")
        out.append("")
    for key, title, intro in VOCABULARIES:
        items = vocabulary(root, key)
        if not items:
            continue
        out.append(f"## {title}\n\n{intro}\n")
        out.append("| id | label | definition |")
        out.append("|---|---|---|")
        out.extend(f"| `{g['id']}` | {g['label']} | {g['definition'].replace('|', chr(92) + '|')} |" for g in items)
        out.append("")
    return out
