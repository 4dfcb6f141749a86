"""The narrative layer: analytical paragraphs kept as data in `data/narrative/*.md`.

One file per page. A paragraph is a block::

    ## offensive-from-gharyan
    period: 2019-04-04 .. 2019-04-30
    section: summary
    tier: context                      (optional: corpus | context)

    Text citing claim keys with roles: {claim}`KEY`, {figure}`FIGURE_ID`, {date}`KEY`.

Lines starting with `%` are comments. `parse_narrative` reads one page; `check_narrative`
checks a whole directory against the keys the data defines. Every problem names file, line
and what was expected, like the rest of `check`.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from libyareport.errors import Problem

# page file -> sections allowed on it
PAGES: dict[str, tuple[str, ...]] = {
    "intro.md": ("summary", "findings", "briefing"),
    "01_chronology.md": ("analysis", "coverage"),
    "02_actors_and_backers.md": ("analysis", "coverage"),
    "03_humanitarian_toll.md": ("analysis", "coverage"),
    "04_international_response.md": ("analysis", "coverage"),
    "05_sources_and_method.md": ("analysis", "coverage"),
}
NOT_PAGES = {"NEEDED.md", "README.md"}  # notes kept beside the pages, not paragraphs
ROLES = ("claim", "figure", "date")
TIERS = ("corpus", "context")
HEADER_KEYS = ("period", "section", "tier")

_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_PERIOD = re.compile(r"^(\d{4}-\d{2}-\d{2})\s*\.\.\s*(\d{4}-\d{2}-\d{2})$")
_HEADER = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\s*:\s*(.*)$")
_ROLE = re.compile(r"\{([A-Za-z_][A-Za-z0-9_-]*)\}`([^`\n]*)`")
_ROLE_OPEN = re.compile(r"\{([A-Za-z_][A-Za-z0-9_-]*)\}(?!`)")
_MONTHS = ("January|February|March|April|May|June|July|August|September|October|November|December|"
           "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec")
# typed facts that must come from a role instead
_TYPED = [
    (re.compile(r"\b\d{4}-\d{2}-\d{2}\b"), "typed ISO date"),
    (re.compile(rf"\b\d{{1,2}}(?:\s*[–-]\s*\d{{1,2}})?\s+(?:{_MONTHS})\b"), "typed date"),
    (re.compile(rf"\b(?:{_MONTHS})\s+\d{{1,2}}\b"), "typed date"),
    (re.compile(r"\b\d{1,3}(?:,\d{3})+(?:\.\d+)?\b|\b\d{3,}(?:\.\d+)?\b"), "typed number"),
]
# a number right after one of these words is part of a name ("resolution 2510", "Brigade 166")
_NAME_BEFORE = re.compile(r"(?:\b(?:[Rr]esolutions?|[Rr]es\.|Brigade|Round|SC/)\s*(?:\d+\s*(?:and|,)\s*)?)$")


@dataclass
class Paragraph:
    """One narrative paragraph: where it goes, what period it is about, what it cites."""

    page: str
    id: str
    period_start: dt.date | None
    period_end: dt.date | None
    section: str
    tier: str | None
    text: str
    line: int  # 1-based line of the '## ' heading
    text_line: int  # 1-based line of the first text line
    cites: list[tuple[str, str, int]] = field(default_factory=list)  # (role, key, line)

    def overlaps(self, start: dt.date, end: dt.date) -> bool:
        """True when the paragraph's period meets the window [start, end]."""
        if self.period_start is None or self.period_end is None:
            return False
        return self.period_start <= end and start <= self.period_end

    def keys(self, role: str | None = None) -> list[str]:
        return [k for r, k, _ in self.cites if role is None or r == role]


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def parse_narrative(path: Path | str, display: str | None = None) -> tuple[list[Paragraph], list[Problem]]:
    """Read one narrative page. `display` is the file name used in problems (default: the path)."""
    path = Path(path)
    name = display or str(path)
    page = path.name
    problems: list[Problem] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as e:
        return [], [Problem(name, None, None, f"cannot read narrative page: {e}", "a UTF-8 text file")]

    allowed_sections = PAGES.get(page)
    paragraphs: list[Paragraph] = []
    seen: dict[str, int] = {}
    i = 0
    n = len(lines)
    # before the first block: only comments and blank lines
    while i < n and not lines[i].startswith("## "):
        s = lines[i].strip()
        if s and not lines[i].startswith("%"):
            problems.append(Problem(name, i + 1, None, "text before the first '## ID' heading",
                                    "a comment ('% …'), a blank line or a '## ID' heading"))
        i += 1
    while i < n:
        head_line = i + 1
        pid = lines[i][3:].strip()
        i += 1
        if not _ID.match(pid):
            problems.append(Problem(name, head_line, "id", f"'{pid}' is not a valid paragraph ID",
                                    "lowercase letters, digits and single hyphens, e.g. 'offensive-from-gharyan'"))
        elif pid in seen:
            problems.append(Problem(name, head_line, "id", f"duplicate paragraph ID '{pid}' (first on line {seen[pid]})",
                                    "IDs unique within the page"))
        else:
            seen[pid] = head_line
        # header lines up to the first blank line
        header: dict[str, tuple[str, int]] = {}
        while i < n and lines[i].strip() and not lines[i].startswith("## "):
            if lines[i].startswith("%"):
                i += 1
                continue
            m = _HEADER.match(lines[i].strip())
            if not m:
                problems.append(Problem(name, i + 1, None, f"'{lines[i].strip()}' is not a 'key: value' line",
                                        "header lines 'period:', 'section:', 'tier:', then a blank line, then the text"))
            elif m.group(1) not in HEADER_KEYS:
                problems.append(Problem(name, i + 1, m.group(1), f"unknown header key '{m.group(1)}'",
                                        "one of " + ", ".join(HEADER_KEYS)))
            elif m.group(1) in header:
                problems.append(Problem(name, i + 1, m.group(1), f"'{m.group(1)}' given twice", "each header key once"))
            else:
                header[m.group(1)] = (m.group(2).strip(), i + 1)
            i += 1
        # text up to the next heading
        text_lines: list[tuple[int, str]] = []
        while i < n and not lines[i].startswith("## "):
            if not lines[i].startswith("%"):
                text_lines.append((i + 1, lines[i]))
            i += 1
        while text_lines and not text_lines[-1][1].strip():
            text_lines.pop()
        while text_lines and not text_lines[0][1].strip():
            text_lines.pop(0)

        start = end = None
        if "period" not in header:
            problems.append(Problem(name, head_line, "period", f"paragraph '{pid}' has no period",
                                    "'period: YYYY-MM-DD .. YYYY-MM-DD'"))
        else:
            value, ln = header["period"]
            m = _PERIOD.match(value)
            start, end = (_date(m.group(1)), _date(m.group(2))) if m else (None, None)
            if start is None or end is None:
                problems.append(Problem(name, ln, "period", f"'{value}' is not a period",
                                        "'YYYY-MM-DD .. YYYY-MM-DD' with real calendar dates"))
                start = end = None
            elif end < start:
                problems.append(Problem(name, ln, "period", f"period ends ({end}) before it starts ({start})",
                                        "the start date first, then the end date"))
                start = end = None
        section = ""
        if "section" not in header:
            problems.append(Problem(name, head_line, "section", f"paragraph '{pid}' has no section",
                                    "'section: " + " | ".join(allowed_sections or ("…",)) + "'"))
        else:
            section, ln = header["section"]
            if allowed_sections is not None and section not in allowed_sections:
                problems.append(Problem(name, ln, "section", f"unknown section '{section}' on page {page}",
                                        "one of " + ", ".join(allowed_sections)))
        tier = None
        if "tier" in header:
            tier, ln = header["tier"]
            if tier not in TIERS:
                problems.append(Problem(name, ln, "tier", f"unknown tier '{tier}'", "one of " + ", ".join(TIERS)))

        cites: list[tuple[str, str, int]] = []
        prev_tail = ""  # end of the previous text line, so "resolution\n2510" is still a name
        for ln, raw in text_lines:
            for m in _ROLE.finditer(raw):
                role, key = m.group(1), m.group(2).strip()
                col = m.start() + 1
                if role not in ROLES:
                    problems.append(Problem(name, ln, "text", f"unknown role '{{{role}}}' at column {col}",
                                            "one of " + ", ".join("{" + r + "}" for r in ROLES)))
                elif not key:
                    problems.append(Problem(name, ln, "text", f"empty key in '{{{role}}}' at column {col}",
                                            "a claim key between the backticks"))
                else:
                    cites.append((role, key, ln))
            for m in _ROLE_OPEN.finditer(raw):
                problems.append(Problem(name, ln, "text", f"'{{{m.group(1)}}}' at column {m.start() + 1} is not followed by a backticked key",
                                        "{role}`KEY` with no space before the backtick"))
            bare = _ROLE.sub(lambda m: " " * len(m.group(0)), raw)
            for rx, what in _TYPED:
                for m in rx.finditer(bare):
                    # (the words before, not the whole paragraph: the pattern ends at the number)
                    if what == "typed number" and _NAME_BEFORE.search((prev_tail + " " + bare[: m.start()])[-80:]):
                        continue
                    problems.append(Problem(name, ln, "text", f"{what} '{m.group(0)}' at column {m.start() + 1}",
                                            "numbers and dates inserted by {figure}`…` or {date}`…` roles, not typed"))
            prev_tail = bare.rstrip()[-40:]
        text = "\n".join(t for _, t in text_lines)
        if not text.strip():
            problems.append(Problem(name, head_line, "text", f"paragraph '{pid}' has no text",
                                    "a blank line after the header, then the paragraph"))
        elif not cites:
            problems.append(Problem(name, text_lines[0][0], "text", f"paragraph '{pid}' cites no claim key",
                                    "at least one {claim}`KEY`, {figure}`KEY` or {date}`KEY`"))
        paragraphs.append(Paragraph(page=page, id=pid, period_start=start, period_end=end, section=section,
                                    tier=tier, text=text, line=head_line,
                                    text_line=text_lines[0][0] if text_lines else head_line, cites=cites))
    return paragraphs, problems


def narrative_pages(narrative_dir: Path | str) -> list[Path]:
    """The page files of a narrative directory, in book order."""
    d = Path(narrative_dir)
    order = list(PAGES)
    files = [p for p in d.glob("*.md") if p.name not in NOT_PAGES]
    return sorted(files, key=lambda p: (order.index(p.name) if p.name in order else len(order), p.name))


def load_narrative(narrative_dir: Path | str, base: Path | None = None) -> tuple[list[Paragraph], list[Problem]]:
    """Parse every page of a narrative directory; problems name files relative to `base` when given."""
    paragraphs: list[Paragraph] = []
    problems: list[Problem] = []
    for p in narrative_pages(narrative_dir):
        shown = str(p.relative_to(base)) if base is not None and p.is_relative_to(base) else str(p)
        if p.name not in PAGES:
            problems.append(Problem(shown, None, None, f"unknown narrative page '{p.name}'",
                                    "one of " + ", ".join(PAGES)))
            continue
        paras, probs = parse_narrative(p, shown)
        paragraphs += paras
        problems += probs
    return paragraphs, problems


def check_narrative(narrative_dir: Path | str, known_keys: dict[str, set[str]],
                    base: Path | None = None) -> list[Problem]:
    """Every problem in the narrative: parse errors, then cited keys the data does not define.

    `known_keys` maps a role ('claim', 'figure', 'date') to the keys it may cite.
    """
    paragraphs, problems = load_narrative(narrative_dir, base)
    by_page: dict[str, str] = {}
    for p in narrative_pages(narrative_dir):
        by_page[p.name] = str(p.relative_to(base)) if base is not None and p.is_relative_to(base) else str(p)
    for para in paragraphs:
        for role, key, ln in para.cites:
            valid = known_keys.get(role, set())
            if key not in valid:
                what = {"claim": "an event_id, figure_id, response_id, claim_id or 'backer>recipient:support_type'",
                        "figure": "a figure_id or a claim_id from tolls.csv or context/tolls.csv",
                        "date": "an event_id, response_id, figure_id or claim_id that carries a date"}.get(role, "a known key")
                problems.append(Problem(by_page.get(para.page, para.page), ln, "text",
                                        f"paragraph '{para.id}' cites unknown key '{key}' with {{{role}}}", what))
    return problems
