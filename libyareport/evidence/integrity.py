"""Cross-row rules of `check` that the schema cannot state: names and aliases that would merge
two actors, an event disputing itself, a phase ending before it starts, and the imported
datasets' metadata (so that whatever `check` accepts, `build` can render).

Called by `check.load_checked` after the per-row checks; every problem names file, line, column.
"""
from __future__ import annotations

import json
from pathlib import Path

from libyareport.errors import Problem, rel
from libyareport.evidence.csvread import Table
from libyareport.params import parse_date


def _rows(loaded, names: tuple[str, ...]) -> list[tuple[str, int, dict]]:
    out = []
    for name in names:
        t: Table | None = loaded.tables.get(name)
        if t is not None:
            shown = rel(t.path)  # once per table: resolving a path costs system calls
            out += [(shown, line, row) for row, line in zip(t.rows, t.lines)]
    return out


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


def check_actors(loaded) -> None:
    """Two actors may not share a display name (charts key on it), nor an alias (an imported
    actor name would match both)."""
    names: dict[str, tuple[str, int, str]] = {}
    aliases: dict[str, tuple[str, int, str]] = {}
    for file, line, row in _rows(loaded, ("actors", "context_actors")):
        aid = row.get("actor_id", "").strip()
        name = row.get("name", "").strip()
        same_name = False
        if name:
            first = names.setdefault(_key(name), (file, line, aid))
            same_name = first[2] != aid
            if same_name:
                loaded.problems.append(Problem(file, line, "name", f"actor '{aid}' has the same name '{name}' as "
                                               f"actor '{first[2]}' ({first[0]}:{first[1]})",
                                               "a distinct display name for each actor"))
        own = ({_key(name)} | {_key(a) for a in row.get("aliases", "").split(";") if a.strip()}) - {""}
        if same_name:
            own.discard(_key(name))  # reported once, as a name
        for alias in sorted(own):
            first = aliases.setdefault(alias, (file, line, aid))
            if first[2] != aid:
                loaded.problems.append(Problem(file, line, "aliases", f"alias or name '{alias}' of actor '{aid}' is also "
                                               f"one of actor '{first[2]}' ({first[0]}:{first[1]})",
                                               "each alias naming one actor only"))


def check_events(loaded) -> dict[str, object]:
    """An event cannot dispute itself. Returns each event's earliest date (for the phases)."""
    dates: dict[str, object] = {}
    for file, line, row in _rows(loaded, ("events", "context_events")):
        eid = row.get("event_id", "").strip()
        disputes = {d.strip() for d in row.get("disputes", "").split(";") if d.strip()}
        if eid and eid in disputes:
            loaded.problems.append(Problem(file, line, "disputes", f"event '{eid}' disputes itself",
                                           "the event_id of another event this claim contradicts"))
        d = parse_date(row.get("date", "").strip())
        if eid and d is not None and (eid not in dates or d < dates[eid]):
            dates[eid] = d
    return dates


def check_phases(loaded, dates: dict[str, object]) -> None:
    for file, line, row in _rows(loaded, ("phases",)):
        start, end = row.get("start_event_id", "").strip(), row.get("end_event_id", "").strip()
        if start and end and start in dates and end in dates and dates[end] < dates[start]:
            loaded.problems.append(Problem(file, line, "end_event_id",
                                           f"phase '{row.get('phase_id', '').strip()}' ends ({end}, {dates[end]}) "
                                           f"before it starts ({start}, {dates[start]})",
                                           "an end event dated on or after the start event"))


def check_imported(loaded) -> None:
    """Every data/imported/<name>/meta.json readable, naming its table, which exists."""
    root: Path = loaded.data_dir / "imported"
    if root.exists() and not root.is_dir():
        loaded.problems.append(Problem(rel(root), None, None, "is a file, not a directory",
                                       "data/imported/ holding one directory per imported dataset"))
        return
    if not root.is_dir():
        return
    for d in sorted(root.iterdir()):
        if d.name.startswith(".") or not d.is_dir():
            continue
        meta_path = d / "meta.json"
        shown = rel(meta_path)
        if not meta_path.is_file():
            loaded.problems.append(Problem(shown, None, None, "import metadata is missing",
                                           "the meta.json written by `python -m libyareport import` (re-import the export)"))
            continue
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
        except UnicodeDecodeError as e:
            loaded.problems.append(Problem(shown, None, None, f"not valid UTF-8 (byte offset {e.start})", "a UTF-8 JSON file"))
            continue
        except json.JSONDecodeError as e:
            loaded.problems.append(Problem(shown, e.lineno, f"column {e.colno}", f"import metadata is not valid JSON: {e.msg}",
                                           "the meta.json written by `python -m libyareport import` (re-import the export)"))
            continue
        if not isinstance(meta, dict):
            loaded.problems.append(Problem(shown, 1, None, "import metadata is not a JSON object", "an object of name: value"))
            continue
        for k, kinds in (("name", str), ("kind", str), ("table", str), ("attribution", str)):
            if not isinstance(meta.get(k), kinds) or not meta.get(k):
                loaded.problems.append(Problem(shown, None, k, f"'{k}' is missing or not text", f"the {k} of the import"))
        if isinstance(meta.get("name"), str) and meta.get("name") and meta["name"] != d.name:
            loaded.problems.append(Problem(shown, None, "name", f"name '{meta['name']}' does not match the directory '{d.name}'",
                                           f"name: {d.name}"))
        if meta.get("kind") not in (None, "events", "series") and isinstance(meta.get("kind"), str):
            loaded.problems.append(Problem(shown, None, "kind", f"kind '{meta['kind']}' is not events or series", "events or series"))
        table = meta.get("table")
        if isinstance(table, str) and table and (Path(table).name != table or not (d / table).is_file()):
            loaded.problems.append(Problem(shown, None, "table", f"table '{table}' is not a file in {rel(d)}",
                                           "the parquet file the import wrote beside meta.json"))


def check_integrity(loaded) -> None:
    check_actors(loaded)
    check_phases(loaded, check_events(loaded))
    check_imported(loaded)
