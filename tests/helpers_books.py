"""The books the suite builds, each once per session (see conftest.py), and how their data is made.

- the default book: shipped data, default parameters, with its PDF briefing;
- the narrow book: shipped data, May–June 2020 only, with its briefing;
- the variant book: shipped data plus the three fixture articles added and accepted, the XSS
  overlay (markup in a source) and an ACLED import, default window — one build serves the
  article, injection and event-data tests.
Tests that change a book work on a copy (copy_build), never on these.
"""
from __future__ import annotations

import csv
import datetime as dt
import functools
import re
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
XSS = ROOT / "tests" / "fixtures" / "xss"
ARTICLES = ROOT / "tests" / "fixtures" / "articles"
EVENTS = ROOT / "tests" / "fixtures" / "imports"
NARROW = ("2020-05-01", "2020-06-30")  # the GNA counter-offensive: al-Watiya, the airport, Tarhuna
ARTICLE_IDS = ("coastlinereview-2019-07-03-air-strike-hits", "northshoredispatch-2020-08-28-drone-that-killed",
               "councilwatchbulletin-2020-02-12-security-council-endorses")


def page_soup(path: Path):
    """A built page, parsed (lxml), read only: parsed once per file version, as many tests read
    the same page (do not change the tree you get)."""
    st = path.stat()
    return _parsed(str(path.resolve()), st.st_mtime_ns, st.st_size)


@functools.lru_cache(maxsize=64)
def _parsed(path: str, mtime_ns: int, size: int):
    from bs4 import BeautifulSoup
    return BeautifulSoup(Path(path).read_text(encoding="utf-8"), "lxml")


def default_params(**overrides) -> dict:
    from libyareport.params import PARAMETER_DEFAULTS
    return {**PARAMETER_DEFAULTS, "data_dir": str(DATA), **overrides}


def copy_data(dest: Path) -> Path:
    shutil.copytree(DATA, dest, ignore=shutil.ignore_patterns("imported"))
    return dest


def copy_build(src: Path, dest: Path) -> Path:
    shutil.copytree(src, dest, symlinks=True)
    return dest


def add_xss_fixture(data: Path) -> None:
    """Lay tests/fixtures/xss over a copy of the evidence: raw file + manifest line, source, event rows."""
    for sub in ("raw", "sources"):
        for p in (XSS / sub).iterdir():
            shutil.copyfile(p, data / sub / p.name)
    manifest = data / "raw" / "MANIFEST.sha256"
    text = manifest.read_text(encoding="utf-8")
    line = (XSS / "MANIFEST.sha256.append").read_text(encoding="utf-8")
    manifest.write_text(text + ("" if text.endswith("\n") else "\n") + line, encoding="utf-8")
    events = data / "events.csv"
    with events.open(encoding="utf-8", newline="") as fh:
        header = next(csv.reader(fh))
    with (XSS / "events.rows.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    body = events.read_text(encoding="utf-8")
    if not body.endswith("\n"):
        events.write_text(body + "\n", encoding="utf-8")
    with events.open("a", encoding="utf-8", newline="") as fh:
        csv.DictWriter(fh, header, restval="", lineterminator="\n").writerows(rows)


def accept_all(data: Path, sid: str) -> None:
    """A reviewer who accepts every candidate of an added article as proposed."""
    path = data / "review" / f"{sid}.csv"
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for r in rows:
        r["decision"] = "accept"
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def add_fixture_articles(data: Path, work: Path) -> None:
    """The three fixture articles (text, saved web page, PDF) added and accepted, as a user would."""
    from helpers_articles import RES_2510_INFO, RES_2510_LINES, write_pdf

    from libyareport.cli import main
    pdf = write_pdf(work / "res2510.pdf", RES_2510_LINES, RES_2510_INFO)
    for f in (ARTICLES / "tajoura.txt", ARTICLES / "cadets.html", pdf):
        assert main(["add", str(f), "--data", str(data)]) == 0, f
    for sid in ARTICLE_IDS:
        accept_all(data, sid)
        assert main(["accept", sid, "--data", str(data)]) == 0, sid


def import_acled(data: Path) -> None:
    from libyareport.imports.run import import_export
    import_export("acled", EVENTS / "acled_current.csv", data, progress=False)


def build(params: dict, build_dir: Path, pdf: bool) -> Path:
    import contextlib
    import io

    from libyareport.publish.book import build_book
    with contextlib.redirect_stdout(io.StringIO()):
        build_book(params, build_dir=build_dir, pdf=pdf)
    return build_dir


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def narrative_blocks(section: str, page: str = "intro") -> list[dict]:
    """A page's paragraphs of one section, read straight from data/narrative/<page>.md (not with the parser under test)."""
    out, cur = [], None
    for line in (DATA / "narrative" / f"{page}.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            cur = {"id": line[3:].strip(), "text": []}
            out.append(cur)
        elif cur is not None and (m := re.match(r"^(period|section): (.*)$", line)) and not cur["text"]:
            cur[m.group(1)] = m.group(2).strip()
        elif cur is not None and line.strip() and not line.startswith("%"):
            cur["text"].append(line.strip())
    for b in out:
        lo, hi = (dt.date.fromisoformat(x.strip()) for x in b["period"].split(".."))
        b.update(lo=lo, hi=hi, text=" ".join(b["text"]))
    return [b for b in out if b.get("section") == section]


def lead(block: dict) -> str:
    """What a reader sees first of a paragraph: its bold lead, else its words up to the first role."""
    m = re.match(r"\*\*(.+?)\*\*", block["text"])
    return norm(m.group(1) if m else re.split(r"\{(?:claim|figure|date)\}", block["text"])[0])[:60].strip()


def overlaps(block: dict, window: tuple[str, str]) -> bool:
    return block["lo"] <= dt.date.fromisoformat(window[1]) and dt.date.fromisoformat(window[0]) <= block["hi"]




def events_in_window(lo: str, hi: str, context: bool = True) -> set[str]:
    """Distinct event keys whose date (or the span its precision gives) meets [lo, hi], read from
    the CSVs; forum commentary excluded, as the book does by default."""
    import calendar
    lo_d, hi_d = dt.date.fromisoformat(lo), dt.date.fromisoformat(hi)
    keys = set()
    for f in ("events.csv", "context/events.csv") if context else ("events.csv",):
        with (DATA / f).open(encoding="utf-8", newline="") as fh:
            for r in csv.DictReader(fh):
                if r["status"] == "commentary":
                    continue
                start = dt.date.fromisoformat(r["date"])
                if r["date_precision"] == "year":
                    end = dt.date(start.year, 12, 31)
                elif r["date_precision"] == "month":
                    end = dt.date(start.year, start.month, calendar.monthrange(start.year, start.month)[1])
                elif r["date_precision"] == "range" and r["date_end"]:
                    end = dt.date.fromisoformat(r["date_end"])
                else:
                    end = start
                if start <= hi_d and lo_d <= end:
                    keys.add(r["event_id"])
    return keys


def run_chapters_in_process(params: dict, downloads: Path) -> dict[str, str]:
    """Every chapter's code cells run here, in an IPython shell, with `params` in place of the
    parameters cell (as papermill injects them) — no kernel, no Jupyter Book. Returns, per chapter,
    the text of everything it displayed (HTML, Markdown and the values it glues into its prose, tags
    stripped); a cell that
    raises fails the test with the chapter and the cell."""
    import html as _html
    import os

    import nbformat
    from bs4 import BeautifulSoup
    from IPython.core.displaypub import DisplayPublisher
    from IPython.core.interactiveshell import InteractiveShell

    from libyareport.publish.book import CHAPTERS

    class Capture(DisplayPublisher):
        def __init__(self):
            super().__init__()
            self.out: list[str] = []

        def publish(self, data, metadata=None, *args, **kw):
            glued = [v for k, v in data.items() if k.startswith("application/papermill.record/") and k.endswith("text/plain")]
            text = data.get("text/html") or data.get("text/markdown") or data.get("text/plain") or "".join(glued)
            self.out.append(BeautifulSoup(text, "html.parser").get_text(" ") if "<" in text else _html.unescape(text))

    saved = os.environ.get("LIBYAREPORT_DOWNLOADS")
    os.environ["LIBYAREPORT_DOWNLOADS"] = str(downloads)
    shell = InteractiveShell.instance()
    try:
        found = {}
        for ch in CHAPTERS:
            shell.reset(new_session=False)
            shell.display_pub = cap = Capture()
            nb = nbformat.read(ROOT / ch.path, as_version=4)
            for i, cell in enumerate(nb.cells):
                if cell.cell_type != "code":
                    continue
                src = cell.source
                if "parameters" in cell.metadata.get("tags", []):
                    src += "\n" + "\n".join(f"{k} = {v!r}" for k, v in params.items())
                result = shell.run_cell(src, store_history=False, silent=False)
                assert result.error_in_exec is None and result.error_before_exec is None, \
                    f"{ch.path} cell {i + 1} raised {result.error_in_exec or result.error_before_exec!r}"
            found[ch.name] = norm(" ".join(cap.out))
        return found
    finally:
        InteractiveShell.clear_instance()
        if saved is None:
            os.environ.pop("LIBYAREPORT_DOWNLOADS", None)
        else:
            os.environ["LIBYAREPORT_DOWNLOADS"] = saved
