"""Text and metadata of a new document: a saved web page, a PDF or a plain-text file.

Every metadata value comes with its basis (where in the file it was found), so the source's
front matter can say how its date and outlet were established. Nothing is guessed: a value
the file does not give is left None, and `add` asks for the option that supplies it.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

from libyareport.articles._evidence import ReportError, rel

SUPPORTED = (".html", ".htm", ".pdf", ".txt", ".md")
MIN_ARTICLE_CHARS = 200  # less main text than this is a page without an article (an index, an error page)


@dataclass
class Extracted:
    text: str
    title: str | None = None
    title_basis: str = ""
    outlet: str | None = None
    outlet_basis: str = ""
    published: dt.date | None = None
    published_basis: str = ""
    author: str | None = None
    url: str | None = None
    extracted_with: str | None = None  # None: the text is the file's own lines (checked line by line)
    line_count: int = 0  # lines of the raw file, for derived_lines of a text file
    notes: list[str] = field(default_factory=list)


def extract(path: Path) -> Extracted:
    """Dispatch on the file's suffix; raise ReportError with one clear line on any failure."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise ReportError(f"{rel(path)}: unsupported file type '{path.suffix or '(none)'}' "
                          f"(expected one of {', '.join(SUPPORTED)})")
    try:
        data = path.read_bytes()
    except OSError as e:
        raise ReportError(f"{rel(path)}: cannot read the file ({e.strerror or e})") from None
    if not data.strip():
        raise ReportError(f"{rel(path)}: the file is empty")
    if suffix in (".html", ".htm"):
        return _from_html(path, data)
    if suffix == ".pdf":
        return _from_pdf(path, data)
    return _from_text(path, data)


# -- plain text -----------------------------------------------------------------------------------
_MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"]
_MON = r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
_DATELINE = re.compile(
    rf"^\s*(?:(?:Published|Posted|Date|Updated)\s*:?\s*)?(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*,?\s+)?"
    rf"(?:(?P<d1>\d{{1,2}})\s+(?P<m1>{_MON})\.?,?\s+(?P<y1>\d{{4}})|(?P<m2>{_MON})\.?\s+(?P<d2>\d{{1,2}}),?\s+(?P<y2>\d{{4}})"
    rf"|(?P<iso>\d{{4}}-\d{{2}}-\d{{2}}))\s*$", re.IGNORECASE)
_OUTLET_LINE = re.compile(r"^\s*(?:Source|Outlet|Publisher|Published by)\s*:\s*(?P<name>\S.{0,80}?)\s*$", re.IGNORECASE)


def month_number(name: str) -> int:
    n = name.lower()[:3]
    return [m[:3] for m in _MONTHS].index(n) + 1


def _dateline(line: str) -> dt.date | None:
    m = _DATELINE.match(line)
    if not m:
        return None
    try:
        if m.group("iso"):
            return dt.date.fromisoformat(m.group("iso"))
        if m.group("d1"):
            return dt.date(int(m.group("y1")), month_number(m.group("m1")), int(m.group("d1")))
        return dt.date(int(m.group("y2")), month_number(m.group("m2")), int(m.group("d2")))
    except ValueError:
        return None


def _from_text(path: Path, data: bytes) -> Extracted:
    bom = data.startswith(b"\xef\xbb\xbf")
    try:
        text = data.decode("utf-8-sig" if bom else "utf-8")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        raise ReportError(f"{rel(path)}:{line}: byte 0x{data[e.start]:02x} is not valid UTF-8 "
                          "(re-save the file as UTF-8)") from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    out = Extracted(text=text.strip("\n"), line_count=len(text.rstrip("\n").split("\n")),
                    extracted_with="text file, byte-order mark removed" if bom else None)
    head = [(i + 1, ln) for i, ln in enumerate(lines) if ln.strip()][:6]
    if head:
        out.title, out.title_basis = head[0][1].strip(), f"the first line of the text (line {head[0][0]})"
    for n, ln in head[1:]:
        d = _dateline(ln)
        if d and out.published is None:
            out.published = d
            out.published_basis = f"the dateline on line {n} of the text: '{ln.strip()}'"
        m = _OUTLET_LINE.match(ln)
        if m and out.outlet is None:
            out.outlet, out.outlet_basis = m.group("name"), f"named on line {n} of the text: '{ln.strip()}'"
    return out


# -- saved web pages --------------------------------------------------------------------------------
def _html_tree(data: bytes):
    import lxml.html
    try:
        return lxml.html.document_fromstring(data)
    except Exception:  # noqa: BLE001 - lxml raises several types for garbage
        return None


def _jsonld(tree) -> list[dict]:
    out: list[dict] = []
    if tree is None:
        return out
    for node in tree.xpath('//script[@type="application/ld+json"]'):
        try:
            obj = json.loads(node.text_content())
        except ValueError:
            continue
        stack = [obj]
        while stack:
            o = stack.pop()
            if isinstance(o, list):
                stack.extend(o)
            elif isinstance(o, dict):
                out.append(o)
                stack.extend(v for k, v in o.items() if k == "@graph")
    return out


def _meta(tree, *names: str) -> tuple[str, str] | None:
    if tree is None:
        return None
    for name in names:
        for attr in ("property", "name", "itemprop"):
            for node in tree.xpath(f'//meta[@{attr}="{name}"]'):
                content = (node.get("content") or "").strip()
                if content:
                    return content, f'<meta {attr}="{name}">'
    return None


def _date_basis(tree, ld: list[dict], found: str) -> str:
    """Where in the page htmldate's date is written, for the published_basis line."""
    day = found[:10]
    for o in ld:
        for key in ("datePublished", "dateCreated"):
            v = str(o.get(key) or "")
            if v.startswith(day):
                return f"the page's JSON-LD {key} '{v}'"
    for name in ("article:published_time", "og:published_time", "datePublished", "pubdate", "date",
                 "DC.date.issued", "publish-date", "sailthru.date"):
        m = _meta(tree, name)
        if m and m[0].startswith(day):
            return f"the page's {m[1]} '{m[0]}'"
    if tree is not None:
        for node in tree.xpath("//time[@datetime]"):
            if node.get("datetime", "").startswith(day):
                return f"the page's <time datetime=\"{node.get('datetime')}\">"
    return "the page's markup (found by htmldate)"


def _from_html(path: Path, data: bytes) -> Extracted:
    import htmldate
    import trafilatura

    tree = _html_tree(data)
    doc = trafilatura.bare_extraction(data, with_metadata=True, include_comments=False, include_tables=False,
                                      favor_precision=True, deduplicate=True)
    body = (getattr(doc, "text", None) or "").strip() if doc is not None else ""
    if len(body) < MIN_ARTICLE_CHARS:
        raise ReportError(f"{rel(path)}: no article text found in the page ({len(body)} characters of main text; "
                          "is it an index, a login or an error page?)")
    paragraphs = [p.strip() for p in body.split("\n") if p.strip()]
    ld = _jsonld(tree)
    out = Extracted(text="\n\n".join(paragraphs),
                    extracted_with=f"trafilatura {version('trafilatura')} (main text), htmldate {version('htmldate')} (date)")
    if doc.title:
        out.title, out.title_basis = doc.title.strip(), "the page's metadata (trafilatura)"
    site = _meta(tree, "og:site_name", "application-name")
    publisher = next((str(o["publisher"].get("name")) for o in ld if isinstance(o.get("publisher"), dict)
                      and o["publisher"].get("name")), None)
    if site:
        out.outlet, out.outlet_basis = site[0], f"the page's {site[1]} '{site[0]}'"
    elif publisher:
        out.outlet, out.outlet_basis = publisher, f"the page's JSON-LD publisher name '{publisher}'"
    elif doc.sitename:
        out.outlet, out.outlet_basis = doc.sitename, "the page's site name (trafilatura)"
    out.author = (doc.author or "").strip() or None
    canonical = tree.xpath('//link[@rel="canonical"]/@href') if tree is not None else []
    og_url = _meta(tree, "og:url")
    url = (canonical[0].strip() if canonical else None) or (og_url[0] if og_url else None) or doc.url
    out.url = url if url and re.match(r"^https?://", url) else None
    found = htmldate.find_date(data.decode("utf-8", errors="replace"), outputformat="%Y-%m-%dT%H:%M:%S%z",
                               original_date=True, extensive_search=False)
    if found:
        try:
            out.published = dt.date.fromisoformat(found[:10])
            out.published_basis = _date_basis(tree, ld, found)
        except ValueError:
            pass
    return out


# -- PDF ----------------------------------------------------------------------------------------------
_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def repair_hyphenation(text: str) -> str:
    """Join words broken at a line end ("in-\\njured" -> "injured"), keeping real compounds.

    A break is kept as a hyphen when the hyphenated form occurs elsewhere in the document, when
    the joined form does not and the halves look like a compound (capitalised second half, a
    number word such as "twenty-\\none"); otherwise the halves are joined.
    """
    flat = text.lower()

    def fix(m: re.Match) -> str:
        a, b = m.group(1), m.group(2)
        hyph, joined = f"{a}-{b}".lower(), f"{a}{b}".lower()
        keep = (hyph in flat.replace("-\n", "-")) and (joined not in flat)
        keep = keep or b[:1].isupper() or a.lower() in _TENS or a[-1:].isdigit() or b[:1].isdigit()
        return f"{a}-{b}" if keep else f"{a}{b}"

    return re.sub(r"(\w+)-[ \t]*\n[ \t]*(\w+)", fix, text)


def _from_pdf(path: Path, data: bytes) -> Extracted:
    import io

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise ReportError(f"{rel(path)}: the PDF is encrypted (save an unprotected copy)")
        pages = [p.extract_text() or "" for p in reader.pages]
        info = reader.metadata or {}
    except (PdfReadError, ValueError, KeyError, TypeError) as e:
        raise ReportError(f"{rel(path)}: not a readable PDF ({e})") from None
    text = repair_hyphenation("\n\n".join(p.strip("\n") for p in pages))
    text = "\n".join(ln.rstrip() for ln in text.split("\n")).strip()
    if len(text) < 40:
        raise ReportError(f"{rel(path)}: no text found in the PDF (a scan without a text layer?)")
    out = Extracted(text=text, extracted_with=f"pypdf {version('pypdf')} (text in reading order, line-end hyphens repaired)")
    title = str(info.get("/Title") or "").strip()
    if title:
        out.title, out.title_basis = title, f"the PDF's metadata (Title: '{title}')"
    else:
        first = next((ln.strip() for ln in text.split("\n") if ln.strip()), "")
        out.title, out.title_basis = first, "the first line of the PDF's text"
    author = str(info.get("/Author") or "").strip()
    if author:
        out.outlet, out.outlet_basis = author, f"the PDF's metadata (Author: '{author}')"
    raw = str(info.get("/CreationDate") or "")
    m = re.match(r"D:(\d{4})(\d{2})(\d{2})", raw)
    if m:
        try:
            out.published = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            out.published_basis = f"the PDF's metadata (CreationDate '{raw}')"
        except ValueError:
            pass
    return out
