"""Source documents (`data/sources/*.md`): front matter + verbatim text, and quote lookup."""
from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from libyareport.errors import Problem, rel
from libyareport.params import unique_key_loader

_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u00a0": " "})
_WS = re.compile(r"\s+")
_PARA = re.compile(r"\n[ \t]*\n")


def normalise(text: str) -> str:
    """Whitespace runs to one space, typographic quotes to straight ones; nothing looser."""
    return _WS.sub(" ", text.translate(_QUOTES)).strip()


def normalise_with_map(text: str) -> tuple[str, list[int]]:
    """The normalised text, and for each of its characters the offset in `text`."""
    out: list[str] = []
    pos: list[int] = []
    in_ws = False
    for i, ch in enumerate(text.translate(_QUOTES)):
        if ch.isspace():
            if not in_ws and out:
                out.append(" ")
                pos.append(i)
            in_ws = True
        else:
            out.append(ch)
            pos.append(i)
            in_ws = False
    while out and out[-1] == " ":
        out.pop()
        pos.pop()
    return "".join(out), pos


@dataclass
class Source:
    id: str
    meta: dict
    text: str
    path: Path
    body_line: int  # line of the file where the text starts
    _norm: tuple[str, list[int]] | None = None
    _flat: str | None = None
    _passages: list[str] | None = None

    @property
    def normalised(self) -> tuple[str, list[int]]:
        if self._norm is None:
            self._norm = normalise_with_map(self.text)
        return self._norm

    def contains(self, quote: str) -> bool:
        """Whether the quote occurs (normalised); fast, for validation."""
        if self._flat is None:
            self._flat = normalise(self.text)
        needle = normalise(quote)
        return bool(needle) and needle in self._flat

    def passages(self) -> list[str]:
        """The text's passages, normalised: paragraphs split at blank lines; a heading line
        (Markdown '#', or the first line when it is followed by a blank) is a passage of its own."""
        if self._passages is not None:  # asked once per quote: split once per source
            return self._passages
        out: list[str] = []
        for para in _PARA.split(self.text):
            lines = para.split("\n")
            heads = [i for i, ln in enumerate(lines) if ln.lstrip().startswith("#")]
            start = 0
            for i in heads:
                out += [normalise("\n".join(lines[start:i])), normalise(lines[i])]
                start = i + 1
            out.append(normalise("\n".join(lines[start:])))
        self._passages = [p for p in out if p]
        return self._passages

    def contains_in_one_passage(self, quote: str) -> bool:
        needle = normalise(quote)
        return bool(needle) and any(needle in p for p in self.passages())

    def find(self, quote: str) -> tuple[int, int] | None:
        """(start, end) character offsets of `quote` in the text, or None."""
        needle = normalise(quote)
        if not needle:
            return None
        hay, pos = self.normalised
        i = hay.find(needle)
        if i < 0:
            return None
        return pos[i], pos[i + len(needle) - 1] + 1

    def line_of(self, offset: int) -> int:
        """Line in the .md file of a character offset into the text."""
        return self.body_line + self.text.count("\n", 0, offset)


#: Front matter: every value a string, and a key given twice is an error (not 'last wins').
_UniqueKeyBaseLoader = unique_key_loader(yaml.BaseLoader)


def parse_source(path: Path) -> tuple[Source | None, list[Problem]]:
    name = rel(path)
    try:
        raw = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as e:
        return None, [Problem(name, None, None, f"not valid UTF-8 (byte offset {e.start})", "a UTF-8 Markdown file")]
    if raw.startswith("\ufeff"):
        return None, [Problem(name, 1, None, "file starts with a byte-order mark", "UTF-8 without BOM")]
    lines = raw.split("\n")
    if not lines or lines[0].strip() != "---":
        return None, [Problem(name, 1, None, "no front matter", "the file to start with a '---' line, then YAML, then '---'")]
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        return None, [Problem(name, 1, None, "front matter is not closed", "a second '---' line after the YAML")]
    try:
        # BaseLoader keeps every value a string: dates are checked by the schema, not by YAML
        meta = yaml.load("\n".join(lines[1:end]), Loader=_UniqueKeyBaseLoader) or {}
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = mark.line + 2 if mark else 2
        return None, [Problem(name, line, None, f"front matter is not valid YAML: {getattr(e, 'problem', e)}",
                              "key: value lines (quote values that contain ': ')")]
    if not isinstance(meta, dict):
        return None, [Problem(name, 2, None, "front matter is not a mapping", "key: value lines")]
    key_line = {}
    for i in range(1, end):
        m = re.match(r"^([A-Za-z_]+)\s*:", lines[i])
        if m:
            key_line.setdefault(m.group(1), i + 1)
    for k, v in list(meta.items()):
        if isinstance(v, (dt.date, dt.datetime)):
            meta[k] = v.isoformat()[:10]
        elif v is not None and not isinstance(v, str):
            meta[k] = str(v)
    body_start = end + 1
    while body_start < len(lines) and not lines[body_start].strip():
        body_start += 1
    text = "\n".join(lines[body_start:]).rstrip("\n")
    src = Source(id=str(meta.get("id", path.stem)), meta=meta, text=text, path=path, body_line=body_start + 1)
    src.meta["_key_line"] = key_line
    return src, []


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def parse_line_ranges(spec: str) -> list[tuple[int, int]] | None:
    out = []
    for part in str(spec).split(";"):
        m = re.fullmatch(r"\s*(\d+)\s*(?:-\s*(\d+))?\s*", part)
        if not m:
            return None
        a, b = int(m.group(1)), int(m.group(2) or m.group(1))
        if a < 1 or b < a:
            return None
        out.append((a, b))
    return out


def text_lines_equal(a: str, b: str) -> bool:
    """Same text ignoring trailing spaces and blank lines (layout), nothing else."""
    def clean(s: str) -> list[str]:
        return [ln.rstrip() for ln in s.splitlines() if ln.strip()]
    return clean(a) == clean(b)
