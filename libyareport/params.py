"""The run's parameters: one place that parses, validates, defaults and explains them.

Every stage uses this module: the command line (`-p name=value`, `--params FILE.yaml`), the
evidence model's date window, the imported-event store and the chapters. A bad value always
gives the same one-line message: where it came from, the parameter, what is wrong, what was
expected.
"""
from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterable
from pathlib import Path

import yaml

from libyareport.errors import Problem, ReportError, rel

PARAMETER_DEFAULTS: dict[str, object] = {
    "data_dir": "data",
    "start_date": "2019-04-01",
    "end_date": "2020-10-31",
    "include_context": True,
    "include_commentary": False,
    "datasets": "all",
}
PARAMETER_HELP = {
    "data_dir": "evidence directory (relative to the repository root, or absolute)",
    "start_date": "first day of the window, ISO YYYY-MM-DD",
    "end_date": "last day of the window, ISO YYYY-MM-DD",
    "include_context": "show the public-record context tier (true/false)",
    "include_commentary": "show forum comments, which are opinion, not reporting (true/false)",
    "datasets": "imported event datasets to use: all, none, or names separated by commas",
}
TRUE = {"true", "yes", "1", "on"}
FALSE = {"false", "no", "0", "off"}
#: Dates outside this range are a data or parameter error, not history.
EARLIEST, LATEST = dt.date(1900, 1, 1), dt.date(2100, 12, 31)
_ISO = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")  # ASCII digits only


def parse_date(value: str) -> dt.date | None:
    """An ISO date YYYY-MM-DD, or None (the one date parser of parameters and curated tables)."""
    if not _ISO.match(value):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def as_date(value: object, name: str, origin: str = "parameters") -> dt.date | None:
    """A date parameter (ISO text, a date, or empty for 'no bound')."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        d = value.date()
    elif isinstance(value, dt.date):
        d = value
    else:
        d = parse_date(str(value).strip())
        if d is None:
            raise ReportError(Problem(origin, None, name, f"'{value}' is not a date", "an ISO date YYYY-MM-DD, e.g. 2019-04-01"))
    if not EARLIEST <= d <= LATEST:
        raise ReportError(Problem(origin, None, name, f"{d} is outside the supported range",
                                  f"a date between {EARLIEST} and {LATEST}"))
    return d


def window(start_date: object, end_date: object, origin: str = "parameters") -> tuple[dt.date | None, dt.date | None]:
    """The run's date window, checked: (start, end), either may be None."""
    start, end = as_date(start_date, "start_date", origin), as_date(end_date, "end_date", origin)
    if start and end and end < start:
        raise ReportError(Problem(origin, None, "end_date", f"end_date {end} is before start_date {start}",
                                  "end_date on or after start_date"))
    return start, end


def switch(value: object, name: str, origin: str = "parameters") -> bool:
    if isinstance(value, bool):
        return value
    s = str(value).strip().lower()
    if s in TRUE:
        return True
    if s in FALSE:
        return False
    raise ReportError(Problem(origin, None, name, f"'{value}' is not a switch", "true or false"))


def dataset_names(datasets: str | Iterable[str] | None, origin: str = "parameters") -> list[str] | None:
    """`datasets` as a list of names; None means all; [] means none. Duplicates are an error."""
    if datasets is None:
        return None
    if isinstance(datasets, str):
        s = datasets.strip()
        if s.lower() in ("", "all"):
            if not s:
                raise ReportError(Problem(origin, None, "datasets", "empty value", "all, none, or dataset names separated by commas"))
            return None
        if s.lower() == "none":
            return []
        items = s.split(",")
    else:
        items = [str(x) for x in datasets]
    names = [d.strip() for d in items]
    if any(not n for n in names):
        raise ReportError(Problem(origin, None, "datasets", f"empty name in {datasets!r}", "dataset names separated by commas"))
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise ReportError(Problem(origin, None, "datasets", f"dataset {dup[0]!r} is named twice", "each dataset named once"))
    return names


def _coerce(name: str, value: object, origin: str) -> object:
    default = PARAMETER_DEFAULTS[name]
    if isinstance(default, bool):
        return switch(value, name, origin)
    if name in ("start_date", "end_date"):
        d = as_date(value, name, origin)
        return d.isoformat() if d else ""
    if name == "datasets":
        names = dataset_names(value if isinstance(value, (list, tuple)) else str(value), origin)
        return "all" if names is None else ("none" if names == [] else ",".join(names))
    s = str(value).strip()
    if name == "data_dir" and not s:
        raise ReportError(Problem(origin, None, name, "empty value", "a directory holding the evidence (e.g. data)"))
    return s


def parse_params(pairs: list[str] | None, params_file: str | None, data_dir: str | None) -> dict[str, object]:
    """Defaults, then the YAML file, then -p pairs, then --data; every value checked."""
    out = dict(PARAMETER_DEFAULTS)
    known = ", ".join(PARAMETER_DEFAULTS)
    if params_file:
        path = Path(params_file)
        if not path.is_file():
            raise ReportError(Problem(rel(path), None, None, "parameters file does not exist", "a YAML file of name: value lines"))
        try:
            loaded = yaml.load(path.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader) or {}
        except (yaml.YAMLError, UnicodeDecodeError) as e:
            line = getattr(getattr(e, "problem_mark", None), "line", None)
            why = getattr(e, "problem", None) or "not valid YAML"
            raise ReportError(Problem(rel(path), line + 1 if line is not None else None, None,
                                      str(why), "name: value lines, each name once")) from None
        if not isinstance(loaded, dict):
            raise ReportError(Problem(rel(path), 1, None, "not a mapping", "name: value lines"))
        for k, v in loaded.items():
            if k not in PARAMETER_DEFAULTS:
                raise ReportError(Problem(rel(path), None, str(k), f"unknown parameter '{k}'", f"one of {known}"))
            out[k] = _coerce(k, v, rel(path))
    for pair in pairs or []:
        if "=" not in pair:
            raise ReportError(Problem("-p", None, None, f"'{pair}' is not name=value", f"-p name=value with name one of {known}"))
        k, v = pair.split("=", 1)
        k = k.strip()
        if k not in PARAMETER_DEFAULTS:
            raise ReportError(Problem("-p", None, k, f"unknown parameter '{k}'", f"one of {known}"))
        out[k] = _coerce(k, v, "-p")
    if data_dir is not None:
        out["data_dir"] = _coerce("data_dir", data_dir, "--data")
    window(out["start_date"], out["end_date"], "-p")
    return out


def unique_key_loader(base: type = yaml.SafeLoader) -> type:
    """A YAML loader (on `base`) that refuses a key given twice, where plain YAML lets the last
    value win silently: used for params files and for the sources' front matter."""
    def construct_mapping(loader, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: set = set()
        for key_node, _ in node.value:
            key = loader.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(None, None, f"key '{key}' is given twice", key_node.start_mark)
            seen.add(key)
        return base.construct_mapping(loader, node, deep)

    loader = type(f"Unique{base.__name__}", (base,), {})
    loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping)
    return loader


_UniqueKeyLoader = unique_key_loader(yaml.SafeLoader)


def describe() -> str:
    return "\n".join(f"  {k} (default {PARAMETER_DEFAULTS[k]!r}): {v}" for k, v in PARAMETER_HELP.items())


def repo_root() -> Path:
    """The checkout the book is built from (LIBYAREPORT_ROOT overrides)."""
    env = os.environ.get("LIBYAREPORT_ROOT")
    if env:
        return Path(env)
    here = Path.cwd().resolve()
    for p in (here, *here.parents):
        if (p / "_toc.yml").is_file() and (p / "libyareport").is_dir():
            return p
    return Path(__file__).resolve().parent.parent


def resolve_data_dir(data_dir: str | Path) -> Path:
    p = Path(data_dir)
    return p if p.is_absolute() else repo_root() / p
