"""`check`: validate the whole evidence base against the schema; every problem names
file, line and column, says what is wrong and what was expected."""
from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from libyareport.errors import Problem, rel
from libyareport.evidence.csvread import Table, read_table
from libyareport.evidence.honesty_checks import relay_problems, source_reliability_problem
from libyareport.evidence.labels import missing_labels
from libyareport.evidence.schema import CLAIM_TABLES, Field, Package, Resource, load_package
from libyareport.evidence.sources import Source, normalise, parse_line_ranges, parse_source, sha256, text_lines_equal
from libyareport.params import EARLIEST, LATEST, parse_date

_NUMBER = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")  # ASCII digits only: '١٢' is not a number here
#: The shortest quote that can stand as evidence (after whitespace is normalised).
MIN_QUOTE_CHARS = 20


def period_end(start: dt.date, end: dt.date | None, precision: str) -> dt.date:
    """Last day a dated row could refer to, given its precision."""
    if precision == "range" and end:
        return end
    if precision == "month":
        nxt = dt.date(start.year + (start.month == 12), start.month % 12 + 1, 1)
        return nxt - dt.timedelta(days=1)
    if precision == "year":
        return dt.date(start.year, 12, 31)
    return start


@dataclass
class Loaded:
    """Everything read from a data directory, checked or not."""

    data_dir: Path
    package: Package
    sources: dict[str, Source] = field(default_factory=dict)
    tables: dict[str, Table] = field(default_factory=dict)  # resource name -> table
    raw_files: dict[str, str] = field(default_factory=dict)  # name -> sha256
    problems: list[Problem] = field(default_factory=list)


def _check_value(f: Field, value: str, where: tuple[str, int]) -> tuple[object, Problem | None]:
    file, line = where
    if value == "":
        if f.required:
            return None, Problem(file, line, f.name, "required value is empty", _expected(f))
        return None, None
    if f.type == "date":
        d = parse_date(value)
        if d is None:
            return None, Problem(file, line, f.name, f"'{value}' is not a valid date", "an ISO date YYYY-MM-DD")
        if not EARLIEST <= d <= LATEST:
            return None, Problem(file, line, f.name, f"{value} is outside the supported range",
                                 f"a date between {EARLIEST} and {LATEST}")
        return d, None
    if f.type in ("number", "integer"):
        if not _NUMBER.match(value):
            return None, Problem(file, line, f.name, f"'{value}' is not a number",
                                 "a plain number without thousands separators (e.g. 3400)")
        num = float(value)
        shown = value if len(value) <= 24 else value[:21] + "…"
        if not math.isfinite(num):
            return None, Problem(file, line, f.name, f"{shown} is larger than {f.maximum:,.0f}" if f.maximum is not None
                                 else f"{shown} is too large", _range(f))
        if f.type == "integer" and not num.is_integer():
            return None, Problem(file, line, f.name, f"'{value}' is not a whole number", "an integer")
        if f.minimum is not None and num < f.minimum:
            return None, Problem(file, line, f.name, f"{value} is negative" if f.minimum == 0 else f"{value} is too small",
                                 _range(f))
        if f.maximum is not None and num > f.maximum:
            return None, Problem(file, line, f.name, f"{shown} is larger than {f.maximum:,.0f}", _range(f))
        return num, None
    items = [v.strip() for v in value.split(f.separator)] if f.separator else [value]
    for item in items:
        if f.enum and item not in f.enum:
            return None, Problem(file, line, f.name, f"'{item}' is not an allowed value", "one of " + ", ".join(f.enum))
        if f.pattern and item and not re.match(f.pattern, item) and f.references is None:
            return None, Problem(file, line, f.name, f"'{item}' does not match the expected form", _expected(f))
        if f.separator and not item:
            return None, Problem(file, line, f.name, f"empty item in '{value}'", f"items separated by '{f.separator} '")
    return value, None


def _range(f: Field) -> str:
    if f.minimum is not None and f.maximum is not None:
        return f"a number from {f.minimum:g} to {f.maximum:,.0f}"
    if f.maximum is not None:
        return f"a number ≤ {f.maximum:,.0f}"
    return f"a number ≥ {f.minimum:g}" if f.minimum is not None else "a finite number"


def _expected(f: Field) -> str:
    if f.expected:
        return f.expected
    if f.enum:
        return "one of " + ", ".join(f.enum)
    if f.type == "date":
        return "an ISO date YYYY-MM-DD"
    if f.type in ("number", "integer"):
        return "a number"
    if f.pattern == r"^https?://":
        return "an http(s) URL"
    if f.pattern:
        return "lower-case letters, digits, '_', '-' or '.' (an ID)"
    return "a value"


def _check_raw(loaded: Loaded) -> None:
    raw = loaded.data_dir / "raw"
    manifest = raw / "MANIFEST.sha256"
    name = rel(manifest)
    if not manifest.is_file():
        loaded.problems.append(Problem(name, None, None, "checksum manifest is missing",
                                       "data/raw/MANIFEST.sha256 listing each raw file's SHA-256"))
        return
    listed = {}
    try:
        text = manifest.read_bytes().decode("utf-8")
    except UnicodeDecodeError as e:
        data = manifest.read_bytes()
        loaded.problems.append(Problem(name, data.count(b"\n", 0, e.start) + 1, None,
                                       f"byte 0x{data[e.start]:02x} is not valid UTF-8", "a UTF-8 file as sha256sum writes it"))
        return
    for i, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        m = re.fullmatch(r"([0-9a-f]{64})\s+\*?(.+)", line.strip())
        if not m:
            loaded.problems.append(Problem(name, i, None, "line is not '<sha256>  <file>'", "sha256sum output"))
            continue
        listed[m.group(2)] = (m.group(1), i)
    for fname, (digest, line) in listed.items():
        p = raw / fname
        if not p.is_file():
            loaded.problems.append(Problem(name, line, None, f"raw file '{fname}' is listed but missing",
                                           "the document exactly as received"))
            continue
        actual = sha256(p)
        loaded.raw_files[fname] = actual
        if actual != digest:
            loaded.problems.append(Problem(rel(p), None, None,
                                           f"raw file changed: SHA-256 is {actual[:12]}…, manifest says {digest[:12]}…",
                                           "raw documents exactly as received; never edit data/raw/"))
    for p in sorted(raw.iterdir()) if raw.is_dir() else []:
        if p.name != "MANIFEST.sha256" and p.is_file() and p.name not in listed:
            loaded.problems.append(Problem(rel(p), None, None, "raw file is not in MANIFEST.sha256",
                                           "every raw file listed with its SHA-256"))


def _check_sources(loaded: Loaded) -> None:
    res = loaded.package.resource("sources")
    folder = loaded.data_dir / "sources"
    files = sorted(folder.glob("*.md")) if folder.is_dir() else []
    if not files:
        loaded.problems.append(Problem(rel(folder), None, None, "no source documents", "one .md file per source"))
    known = {f.name for f in res.fields}
    for path in files:
        if not path.is_file():  # a FIFO would block the read forever; a directory cannot be read
            kind = "a directory" if path.is_dir() else "not a regular file"
            loaded.problems.append(Problem(rel(path), None, None, f"is {kind}", "a Markdown file (sources/<id>.md)"))
            continue
        src, problems = parse_source(path)
        loaded.problems.extend(problems)
        if src is None:
            continue
        name = rel(path)
        key_line = src.meta.pop("_key_line", {})
        for k in src.meta:
            if k not in known:
                loaded.problems.append(Problem(name, key_line.get(k, 2), k, f"unknown front-matter key '{k}'",
                                               "only " + ", ".join(sorted(known))))
        for f in res.fields:
            value = src.meta.get(f.name)
            value = "" if value is None else str(value).strip()
            _, p = _check_value(f, value, (name, key_line.get(f.name, 2)))
            if p:
                loaded.problems.append(p)
        if (p := source_reliability_problem(src.meta, name, key_line)) is not None:
            loaded.problems.append(p)
        if src.meta.get("id") and src.meta["id"] != path.stem:
            loaded.problems.append(Problem(name, key_line.get("id", 2), "id",
                                           f"id '{src.meta['id']}' does not match the file name",
                                           f"id: {path.stem}"))
        if src.id in loaded.sources:
            loaded.problems.append(Problem(name, key_line.get("id", 2), "id", f"duplicate source id '{src.id}'",
                                           "unique source IDs"))
        derived = str(src.meta.get("derived_from") or "")
        raw_dir = loaded.data_dir / "raw"
        raw_path = raw_dir / derived
        ranges = parse_line_ranges(src.meta.get("derived_lines") or "")
        if derived and (Path(derived).is_absolute() or raw_path.resolve().parent != raw_dir.resolve()):
            loaded.problems.append(Problem(name, key_line.get("derived_from", 2), "derived_from",
                                           f"'{derived}' is outside data/raw/",
                                           "the name of a file directly in data/raw/ (checksummed in MANIFEST.sha256)"))
        elif derived and not raw_path.is_file():
            loaded.problems.append(Problem(name, key_line.get("derived_from", 2), "derived_from",
                                           f"raw file '{derived}' does not exist", "a file name in data/raw/"))
        elif derived and src.meta.get("extracted_with"):
            pass  # text extracted from a web page or PDF by `add` (extracted_with says how), not copied lines
        elif derived and ranges is None:
            loaded.problems.append(Problem(name, key_line.get("derived_lines", 2), "derived_lines",
                                           f"'{src.meta.get('derived_lines')}' is not a list of line ranges",
                                           "ranges like '5-29' or '1-4; 32-39'"))
        elif derived:
            raw_lines = raw_path.read_text(encoding="utf-8", errors="replace").split("\n")
            expected = "\n".join("\n".join(raw_lines[a - 1:b]) for a, b in ranges)
            if not text_lines_equal(src.text, expected):
                loaded.problems.append(Problem(name, src.body_line, "text",
                                               f"text differs from lines {src.meta.get('derived_lines')} of {derived}",
                                               "the raw document's text verbatim"))
        loaded.sources[src.id] = src


def _read_tables(loaded: Loaded) -> None:
    for res in loaded.package.resources:
        if not res.path.endswith(".csv"):
            continue
        table, problems = read_table(loaded.data_dir / res.path, res.columns,
                                     required={f.name for f in res.fields if f.required} | {res.primary_key or ""})
        loaded.problems.extend(problems)
        if table is not None:
            loaded.tables[res.name] = table


def _check_rows(loaded: Loaded) -> None:
    pk = loaded.package
    actors: set[str] = set()
    for res in (pk.resource("actors"), pk.resource("context_actors")):
        t = loaded.tables.get(res.name)
        if t:
            actors |= {r.get("actor_id", "") for r in t.rows}
    refs = {r.get("ref_id", ""): parse_date(r.get("date", "")) for r in loaded.tables["references"].rows} \
        if "references" in loaded.tables else {}
    event_ids = set()
    for res in pk.tables("events"):
        t = loaded.tables.get(res.name)
        if t:
            event_ids |= {r.get("event_id", "") for r in t.rows}
    seen_ids: dict[str, dict[str, tuple[str, int]]] = {}
    for res in pk.resources:
        t = loaded.tables.get(res.name)
        if t is None:
            continue
        _check_table(loaded, res, t, actors, refs, event_ids, seen_ids)


def _check_table(loaded: Loaded, res: Resource, t: Table, actors: set[str], refs: dict,
                 event_ids: set[str], seen_ids: dict) -> None:
    file = rel(t.path)
    problems = loaded.problems
    is_claims = res.table in CLAIM_TABLES
    for row, line in zip(t.rows, t.lines):
        parsed = {}
        for f in res.fields:
            value = row.get(f.name, "").strip()
            val, p = _check_value(f, value, (file, line))
            if p:
                problems.append(p)
                continue
            parsed[f.name] = val
            if f.unique and value:
                # claim IDs are unique across every claim table and tier; other IDs within their table
                scope = seen_ids.setdefault("claim_id" if f.name == "claim_id" else f"{res.table}.{f.name}", {})
                if value in scope:
                    prev_file, prev_line = scope[value]
                    problems.append(Problem(file, line, f.name, f"duplicate ID '{value}' (first used at {prev_file}:{prev_line})",
                                            "IDs unique across both tiers" + (" and all claim tables" if f.name == "claim_id" else "")))
                else:
                    scope[value] = (file, line)
            if not value:
                continue
            if f.references == "actors":
                items = [v.strip() for v in value.split(f.separator)] if f.separator else [value]
                for item in items:
                    if item not in actors:
                        problems.append(Problem(file, line, f.name, f"unknown actor ID '{item}'",
                                                "an actor_id from data/actors.csv or data/context/actors.csv"))
            elif f.references == "event_id":
                for item in (v.strip() for v in value.split(f.separator or ";")):
                    if item not in event_ids:
                        problems.append(Problem(file, line, f.name, f"unknown event ID '{item}'",
                                                "an event_id from data/events.csv or data/context/events.csv"))
        if not is_claims:
            continue
        _check_claim(loaded, res, row, parsed, file, line, refs)


def _check_claim(loaded: Loaded, res: Resource, row: dict, parsed: dict, file: str, line: int, refs: dict) -> None:
    problems = loaded.problems
    sid = row.get("source_id", "").strip()
    quote = row.get("quote", "").strip()
    published: dt.date | None = None
    if res.tier == "corpus":
        src = loaded.sources.get(sid)
        if sid and src is None:
            problems.append(Problem(file, line, "source_id", f"unknown source '{sid}'", "the id of a file in data/sources/"))
        if not quote:
            problems.append(Problem(file, line, "quote", "quote is empty",
                                    "a verbatim passage of the cited source (corpus rows quote their source)"))
        elif len(normalise(quote)) < MIN_QUOTE_CHARS:
            problems.append(Problem(file, line, "quote", f"quote \"{quote}\" is too short to stand as evidence",
                                    f"a passage of at least {MIN_QUOTE_CHARS} characters"))
        else:
            problems.extend(relay_problems(res.table, row, file, line))
        long_enough = bool(quote) and len(normalise(quote)) >= MIN_QUOTE_CHARS
        if long_enough and src is not None and not src.contains(quote):
            short = quote if len(quote) <= 60 else quote[:57] + "…"
            problems.append(Problem(file, line, "quote", f"quote \"{short}\" does not occur in source '{sid}'",
                                    f"text copied verbatim from {rel(src.path)}"))
        elif long_enough and src is not None and not src.contains_in_one_passage(quote):
            short = quote if len(quote) <= 60 else quote[:57] + "…"
            problems.append(Problem(file, line, "quote", f"quote \"{short}\" runs across two passages of source '{sid}'",
                                    "one passage: a quote does not join a heading to a paragraph or two paragraphs"))
        if src is not None:
            published = parse_date(str(src.meta.get("published", "")))
            kind = src.meta.get("kind")
            status = row.get("status", "").strip()
            if kind == "forum_comments" and status != "commentary":
                problems.append(Problem(file, line, "status", f"a row citing forum comments has status '{status}'",
                                        "status commentary (comments are opinion, not reporting)"))
            if kind != "forum_comments" and status == "commentary":
                problems.append(Problem(file, line, "status", f"status 'commentary' but source '{sid}' is a {kind}",
                                        "commentary only for sources of kind forum_comments"))
    else:
        if sid and sid not in refs:
            problems.append(Problem(file, line, "source_id", f"unknown reference '{sid}'",
                                    "a ref_id from data/context/references.csv"))
        if quote:
            problems.append(Problem(file, line, "quote", "context rows carry no quote",
                                    "an empty quote (the context tier cites, it does not quote)"))
        published = refs.get(sid)
    status = row.get("status", "").strip()
    if status == "claimed" and not row.get("claimed_by", "").strip() and "claimed_by" in row:
        problems.append(Problem(file, line, "claimed_by", "status is 'claimed' but claimed_by is empty",
                                "the actor_id of the party making the claim"))
    for prefix in ("date", "as_of"):
        start = parsed.get(prefix)
        if not isinstance(start, dt.date):
            continue
        end = parsed.get(f"{prefix}_end")
        precision = row.get(f"{prefix}_precision" if prefix != "date" else "date_precision", "")
        col_end = f"{prefix}_end"
        if precision == "range" and not isinstance(end, dt.date):
            problems.append(Problem(file, line, col_end, "precision is 'range' but no end date is given",
                                    "the last day of the range"))
        if isinstance(end, dt.date) and end < start:
            problems.append(Problem(file, line, col_end, f"end {end} is before start {start}", "an end on or after the start"))
        what = "the reporting source" if res.tier == "corpus" else "the cited reference"
        if published and start > published:
            problems.append(Problem(file, line, prefix, f"{start} is after {what} '{sid}' was published ({published})",
                                    "a date on or before the publication date"))
        elif published and isinstance(end, dt.date) and end > published:
            problems.append(Problem(file, line, col_end, f"{end} is after {what} '{sid}' was published ({published})",
                                    "a range ending on or before the publication date"))
    value, low, high = parsed.get("value"), parsed.get("low"), parsed.get("high")
    if isinstance(value, float):
        if isinstance(low, float) and low > value:
            problems.append(Problem(file, line, "low", f"low {low:g} is greater than value {value:g}", "low ≤ value ≤ high"))
        if isinstance(high, float) and high < value:
            problems.append(Problem(file, line, "high", f"high {high:g} is less than value {value:g}", "low ≤ value ≤ high"))


def load_checked(data_dir: Path | str) -> Loaded:
    """Read and validate everything in a data directory; problems are collected, not raised."""
    data_dir = Path(data_dir)
    loaded = Loaded(data_dir=data_dir, package=load_package(str(data_dir)))
    if not data_dir.is_dir():
        loaded.problems.append(Problem(rel(data_dir), None, None, "data directory does not exist",
                                       "a directory with datapackage.json, sources/, raw/ and the claim tables"))
        return loaded
    loaded.problems.extend(missing_labels(loaded.package))
    _check_raw(loaded)
    _check_sources(loaded)
    _read_tables(loaded)
    _check_rows(loaded)
    _check_narrative(loaded)
    from libyareport.evidence.integrity import check_integrity
    check_integrity(loaded)
    return loaded


def narrative_keys(loaded: Loaded) -> dict[str, set[str]]:
    """The keys a narrative paragraph may cite, per role, from the claim tables as read."""
    claim: set[str] = set()
    figure: set[str] = set()
    dated: set[str] = set()
    for name, t in loaded.tables.items():
        table = name.removeprefix("context_")
        if table not in CLAIM_TABLES:
            continue
        for r in t.rows:
            cid = r.get("claim_id", "")
            key = (f"{r.get('backer_id')}>{r.get('recipient_id')}:{r.get('support_type')}" if table == "support"
                   else r.get({"events": "event_id", "tolls": "figure_id", "responses": "response_id"}[table], ""))
            claim.update(k for k in (cid, key) if k)
            if table == "tolls":
                figure.update(k for k in (cid, key) if k)  # a claim_id picks one source's value of a disputed figure
                if r.get("as_of"):
                    dated.update(k for k in (cid, key) if k)
            elif table in ("events", "responses") and r.get("date"):
                dated.update(k for k in (cid, key) if k)
    return {"claim": claim, "figure": figure, "date": dated}


def _check_narrative(loaded: Loaded) -> None:
    from libyareport.evidence.narrative import check_narrative
    folder = loaded.data_dir / "narrative"
    if folder.is_dir():
        loaded.problems.extend(check_narrative(folder, narrative_keys(loaded), base=loaded.data_dir.parent))
