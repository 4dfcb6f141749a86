"""Run parameters: `-p name=value` and `--params FILE.yaml`, checked before anything runs."""
from __future__ import annotations

from pathlib import Path

import yaml

from .errors import Problem, ReportError, rel
from .report import PARAMETER_DEFAULTS, PARAMETER_HELP
from .validate import parse_date

TRUE = {"true", "yes", "1", "on"}
FALSE = {"false", "no", "0", "off"}


def _coerce(name: str, value: object, origin: str) -> object:
    default = PARAMETER_DEFAULTS[name]
    if isinstance(default, bool):
        if isinstance(value, bool):
            return value
        s = str(value).strip().lower()
        if s in TRUE:
            return True
        if s in FALSE:
            return False
        raise ReportError(Problem(origin, None, name, f"'{value}' is not a switch", "true or false"))
    s = str(value).strip()
    if name in ("start_date", "end_date"):
        if hasattr(value, "isoformat"):
            s = value.isoformat()[:10]
        if parse_date(s) is None:
            raise ReportError(Problem(origin, None, name, f"'{value}' is not a date", "an ISO date YYYY-MM-DD, e.g. 2019-04-01"))
    if name == "datasets" and not s:
        raise ReportError(Problem(origin, None, name, "empty value", "all, none, or dataset names separated by commas"))
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
            loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (yaml.YAMLError, UnicodeDecodeError) as e:
            line = getattr(getattr(e, "problem_mark", None), "line", None)
            raise ReportError(Problem(rel(path), line + 1 if line is not None else None, None,
                                      "not valid YAML", "name: value lines")) from None
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
    if data_dir:
        out["data_dir"] = data_dir
    start, end = parse_date(str(out["start_date"])), parse_date(str(out["end_date"]))
    if start and end and end < start:
        raise ReportError(Problem("-p", None, "end_date", f"end_date {end} is before start_date {start}",
                                  "end_date on or after start_date"))
    return out


def describe() -> str:
    return "\n".join(f"  {k} (default {PARAMETER_DEFAULTS[k]!r}): {v}" for k, v in PARAMETER_HELP.items())
