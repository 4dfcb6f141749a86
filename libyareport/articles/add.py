"""`add FILE`: keep the document, write its source file, propose candidate claims for review.

All or nothing: the new raw file, manifest line, source and review file are first checked on a
temporary copy of the data directory (exactly as `check` does), then written with temp file +
rename; a failure removes what was written and restores the manifest.
"""
from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from libyareport.articles._evidence import Problem, ReportError, load_checked, rel, sha256
from libyareport.articles.candidates import ActorIndex, Candidate, Context, propose
from libyareport.articles.dates import long_date
from libyareport.articles.extract import Extracted, extract
from libyareport.articles.files import write_all
from libyareport.articles.review import TABLES, render, table_columns

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")


@dataclass
class AddResult:
    source_id: str
    already: bool = False
    raw: Path | None = None
    source: Path | None = None
    review: Path | None = None
    counts: dict[str, int] = field(default_factory=dict)
    published_basis: str = ""
    derived_sources: list[str] = field(default_factory=list)


def _manifest(data_dir: Path) -> tuple[Path, str, dict[str, str]]:
    path = data_dir / "raw" / "MANIFEST.sha256"
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    entries = {}
    for line in text.splitlines():
        m = re.fullmatch(r"([0-9a-f]{64})\s+\*?(.+)", line.strip())
        if m:
            entries[m.group(2)] = m.group(1)
    return path, text, entries


def _q(value: str) -> str:
    """A YAML scalar: a JSON string is a valid double-quoted YAML string."""
    return json.dumps(value, ensure_ascii=False)


def front_matter(meta: dict[str, str]) -> str:
    plain = {"id", "published", "published_precision", "kind", "language", "added", "added_by", "derived_lines"}
    lines = ["---"]
    for k, v in meta.items():
        if v in (None, ""):
            continue
        lines.append(f"{k}: {v}" if k in plain and re.fullmatch(r"[\w.-]+", str(v)) else f"{k}: {_q(str(v))}")
    lines.append("---")
    return "\n".join(lines) + "\n"


def default_id(outlet: str, published: dt.date, title: str) -> str:
    out = re.sub(r"[^a-z0-9]", "", outlet.lower())[:20] or "source"
    stop = {"a", "an", "the", "of", "in", "on", "at", "to", "for", "and", "by", "with", "from", "as", "is", "are",
            "its", "says", "say", "after", "over"}
    words = [w for w in re.findall(r"[a-z0-9]+", title.lower().replace("'", "").replace("’", "")) if w not in stop]
    return f"{out}-{published.isoformat()}-{'-'.join(words[:3]) or 'article'}"


def _published(ex: Extracted, option: str | None, file: str) -> tuple[dt.date, str]:
    if option:
        try:
            d = dt.date.fromisoformat(option)
        except ValueError:
            raise ReportError(f"--published '{option}' is not a date (expected YYYY-MM-DD)") from None
        basis = f"given with --published when the document was added ({long_date(d)})"
        if ex.published and ex.published != d:
            basis += f"; the file itself says {ex.published.isoformat()} ({ex.published_basis})"
        elif ex.published:
            basis += f"; agrees with {ex.published_basis}"
        return d, basis
    if ex.published is None:
        raise ReportError(f"{file}: no publication date in the file's metadata or dateline; pass --published YYYY-MM-DD "
                          "(every relative date in the text is resolved against it)")
    return ex.published, f"{ex.published_basis} → {long_date(ex.published)}"


def add(file: Path | str, data_dir: Path | str = "data", *, source_id: str | None = None, title: str | None = None,
        outlet: str | None = None, published: str | None = None, kind: str | None = None, url: str | None = None,
        reliability: str | None = None, today: dt.date | None = None) -> AddResult:
    file, data_dir = Path(file), Path(data_dir)
    name = rel(file)
    if not file.exists():
        raise ReportError(f"{name}: no such file")
    if file.is_dir():
        raise ReportError(f"{name}: is a directory (expected a .html, .htm, .pdf, .txt or .md file)")
    loaded = load_checked(data_dir)
    if loaded.problems:
        n = len(loaded.problems)
        raise ReportError(f"{rel(data_dir)} has {n} problem{'s' * (n != 1)} already "
                          "(run python -m libyareport check and fix them first); nothing was added")
    manifest, manifest_text, entries = _manifest(data_dir)
    try:
        digest = sha256(file)
    except OSError as e:
        raise ReportError(f"{name}: cannot read the file ({e.strerror or e})") from None
    for raw_name, d in entries.items():
        if d == digest:
            derived = sorted(s.id for s in loaded.sources.values() if s.meta.get("derived_from") == raw_name)
            return AddResult(source_id=derived[0] if derived else "", already=True, raw=data_dir / "raw" / raw_name,
                             derived_sources=derived)
    ex = extract(file)
    pub, pub_basis = _published(ex, published, name)
    the_title = title or ex.title
    if not the_title:
        raise ReportError(f"{name}: no title found in the file; pass --title T")
    the_outlet = outlet or ex.outlet
    if not the_outlet:
        raise ReportError(f"{name}: the file does not name its outlet; pass --outlet NAME")
    outlet_basis = "given with --outlet when the document was added" if outlet else ex.outlet_basis
    res = loaded.package.resource("sources")
    kinds = res.field("kind").enum or ()
    the_kind = kind or "news_report"
    rels = res.field("reliability").enum if "reliability" in {f.name for f in res.fields} else ()
    if reliability and rels and reliability not in rels:
        raise ReportError(f"--reliability '{reliability}' is not allowed (expected one of {', '.join(rels)})")
    if kinds and the_kind not in kinds:
        raise ReportError(f"--kind '{the_kind}' is not a kind of source (expected one of {', '.join(kinds)})")
    sid = source_id or default_id(the_outlet, pub, the_title)
    if not ID_PATTERN.match(sid):
        raise ReportError(f"--id '{sid}' is not a valid source ID (expected lower-case letters, digits, '_', '-' or '.')")
    src_path = data_dir / "sources" / f"{sid}.md"
    review = data_dir / "review" / f"{sid}.csv"
    if sid in loaded.sources or src_path.exists():
        raise ReportError(f"source ID '{sid}' already exists ({rel(src_path)}); pass --id to choose another")
    if review.exists():
        raise ReportError(f"{rel(review)} already exists; pass --id to choose another ID")
    the_url = url or ex.url
    if the_url and not re.match(r"^https?://", the_url):
        raise ReportError(f"--url '{the_url}' is not an http(s) URL")

    raw_name = f"{len(entries):03d}_{digest[:16]}{file.suffix.lower()}"
    fields = {f.name for f in res.fields}
    meta = {
        "id": sid, "title": the_title, "outlet": the_outlet, "outlet_basis": outlet_basis,
        "author": ex.author if "author" in fields else None,
        "published": pub.isoformat(), "published_precision": "day", "published_basis": pub_basis,
        "kind": the_kind, "derived_from": raw_name,
        # an outlet's reliability is the reviewer's call, never guessed: 'unassessed' until set
        "reliability": (reliability or "unassessed") if "reliability" in fields and the_kind != "forum_comments" else None,
        "derived_lines": f"1-{ex.line_count}" if ex.extracted_with is None else "all",
        "extracted_with": ex.extracted_with, "url": the_url, "language": "en",
        "added": (today or dt.date.today()).isoformat(), "added_by": "add",
    }
    source_text = front_matter(meta) + "\n" + ex.text.rstrip("\n") + "\n"

    actors = [r for t in ("actors", "context_actors") for r in (loaded.tables[t].rows if t in loaded.tables else [])]
    existing = {t: [r for res_ in loaded.package.tables(t) for r in (loaded.tables[res_.name].rows if res_.name in loaded.tables else [])]
                for t in ("events", "tolls", "support", "responses")}
    columns = table_columns(loaded.package)
    required = {t: {f.name for f in loaded.package.resource(t).fields if f.required or f.corpus_required}
                for t in TABLES}
    ctx = Context(source_id=sid, published=pub, actors=ActorIndex(actors), columns=columns, existing=existing)
    cands: list[Candidate] = propose(ex.text, ctx, required)
    review_text = render(loaded.package, cands)

    files = {
        data_dir / "raw" / raw_name: file.read_bytes(),
        manifest: (manifest_text + ("" if manifest_text.endswith("\n") or not manifest_text else "\n")
                   + f"{digest}  {raw_name}\n").encode("utf-8"),
        src_path: source_text.encode("utf-8"),
        review: review_text.encode("utf-8"),
    }
    _check_first(data_dir, files)
    write_all(files, "nothing was added")
    counts = {t: sum(c.table == t for c in cands) for t in TABLES}
    return AddResult(source_id=sid, raw=data_dir / "raw" / raw_name, source=src_path, review=review, counts=counts,
                     published_basis=pub_basis)


def _check_first(data_dir: Path, files: dict[Path, bytes]) -> None:
    """The data directory with the new files, checked as `check` does, on a temporary copy."""
    with tempfile.TemporaryDirectory(prefix="libyareport-add-") as tmp:
        copy = Path(tmp) / "data"
        shutil.copytree(data_dir, copy, ignore=shutil.ignore_patterns("imported", "review"), symlinks=True)
        for target, data in files.items():
            dest = copy / target.relative_to(data_dir)
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(data)
        problems = load_checked(copy).problems
        if problems:
            tmp_prefix = rel(copy)
            raise ReportError([Problem(p.file.replace(tmp_prefix, rel(data_dir), 1), p.line, p.column,
                                       "the new source would not pass check: " + p.message, p.expected)
                               for p in problems[:20]])


