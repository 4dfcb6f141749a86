"""The PDF briefing (and the whole-book PDF), read back with poppler the way a reader's viewer would.

A4, two to four pages, every font embedded; the battle's course and the key findings from the
narrative layer (only the paragraphs about the run's window), the first and latest reported
figures of each kind with their scope (the corpus's own early figures included), the window and
the data fingerprint printed; every figure drawn; a missing Chromium ends in one clear line and
leaves the last good PDF alone. Expectations are read from data/ here, not from the code under test.
"""
from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from helpers_books import NARROW as NARROW_WINDOW
from helpers_books import lead, narrative_blocks, overlaps

from libyareport.errors import ReportError
from libyareport.evidence.open import open_evidence
from libyareport.params import PARAMETER_DEFAULTS
from libyareport.publish.book import CHAPTERS

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
A4 = (595.0, 842.0)  # points
NARROW = {"start_date": NARROW_WINDOW[0], "end_date": NARROW_WINDOW[1]}


def _missing() -> str | None:
    for tool in ("pdftotext", "pdfinfo", "pdffonts", "pdftoppm"):
        if not shutil.which(tool):
            return f"{tool} is not installed (apt-get install -y poppler-utils)"
    try:
        from libyareport.publish.browser import chromium_path
        chromium_path()
    except ReportError as e:
        return str(e)
    return None


_MISSING = _missing()
pytestmark = pytest.mark.skipif(_MISSING is not None, reason=f"cannot print or read PDFs: {_MISSING}")


# -- helpers -----------------------------------------------------------------------------------------
def default_params(**overrides) -> dict:
    return {**PARAMETER_DEFAULTS, "data_dir": str(DATA), **overrides}


def view(params: dict):
    return open_evidence(str(params["data_dir"]), str(params["start_date"]), str(params["end_date"]),
                         bool(params["include_context"]), bool(params["include_commentary"]))


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def run(*cmd: str) -> str:
    return subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=120).stdout


def pdf_text(pdf: Path) -> str:
    return norm(run("pdftotext", str(pdf), "-"))


def page_count(pdf: Path) -> int:
    return int(re.search(r"^Pages:\s+(\d+)", run("pdfinfo", str(pdf)), re.MULTILINE).group(1))


def page_sizes(pdf: Path) -> list[tuple[float, float]]:
    n = page_count(pdf)
    out = run("pdfinfo", "-f", "1", "-l", str(n), str(pdf))
    return [(float(w), float(h)) for w, h in re.findall(r"^Page\s+\d+\s+size:\s+([\d.]+) x ([\d.]+) pts", out, re.MULTILINE)]


def fonts(pdf: Path) -> list[dict]:
    """pdffonts rows as dicts, columns cut where the header's dashes say."""
    lines = run("pdffonts", str(pdf)).splitlines()
    head, dashes = lines[0], lines[1]
    spans = [(m.start(), m.end()) for m in re.finditer(r"-+", dashes)]
    names = [head[a:b + 1].strip() or head[a:].split()[0] for a, b in spans]
    return [{n: row[a:b + 1].strip() for n, (a, b) in zip(names, spans)} for row in lines[2:] if row.strip()]


def text_lines(pdf: Path) -> list[dict]:
    """Every text line with its page and box (points), from pdftotext -bbox-layout."""
    s = BeautifulSoup(run("pdftotext", "-bbox-layout", str(pdf), "-"), "html.parser")
    out = []
    for pno, page in enumerate(s.find_all("page"), 1):
        for block in page.find_all("block"):
            for line in block.find_all("line"):
                out.append({"page": pno, "text": " ".join(w.get_text() for w in line.find_all("word")),
                            "block_ymin": float(block["ymin"]), "ymin": float(line["ymin"]), "ymax": float(line["ymax"])})
    return out


def render(pdf: Path, page: int, dpi: int, prefix: Path) -> tuple[int, int, bytes]:
    """Page as RGB pixels (pdftoppm → PPM)."""
    subprocess.run(["pdftoppm", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile", str(pdf), str(prefix)],
                   check=True, timeout=120)
    data = prefix.with_suffix(".ppm").read_bytes()
    m = re.match(rb"P6\s+(\d+)\s+(\d+)\s+(\d+)\s", data)
    w, h = int(m.group(1)), int(m.group(2))
    return w, h, data[m.end():m.end() + w * h * 3]


def ink(pixels: tuple[int, int, bytes], box: tuple[float, float, float, float], dpi: int) -> tuple[float, int]:
    """(share of non-white pixels, number of coloured pixels) inside a box given in points."""
    w, h, px = pixels
    k = dpi / 72
    x0, y0, x1, y1 = (int(v * k) for v in box)
    dark = coloured = total = 0
    for y in range(max(0, y0), min(h, y1)):
        row = px[(y * w) * 3:(y * w + w) * 3]
        for x in range(max(0, x0), min(w, x1)):
            r, g, b = row[3 * x], row[3 * x + 1], row[3 * x + 2]
            total += 1
            if min(r, g, b) < 235:
                dark += 1
            if max(r, g, b) - min(r, g, b) > 60:
                coloured += 1
    return (dark / total if total else 0.0), coloured


def _cmdline_has(proc: Path, text: str) -> bool:
    try:
        return text.encode() in (proc / "cmdline").read_bytes()
    except OSError:
        return False


def run_cli(*args: str, env: dict | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """`python -m libyareport …` in a subprocess (callers pass --build-dir: never the repository's _build/)."""
    full_env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""), **(env or {})}
    return subprocess.run([sys.executable, "-m", "libyareport", *args], cwd=cwd, env=full_env,
                          capture_output=True, text=True, timeout=300, check=False)


# -- fixtures ----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def briefing(default_book) -> Path:
    """The briefing `build` printed for the session's default book."""
    out = default_book / "pdf" / "briefing.pdf"
    assert out.is_file()
    return out


@pytest.fixture(scope="module")
def narrow_briefing(narrow_book) -> Path:
    return narrow_book / "pdf" / "briefing.pdf"


def figures_by_date(window: tuple[str, str]) -> dict[str, list[dict]]:
    """Per metric (killed/injured/displaced), the reports of its most-reported scope with an as-of
    date in the window, by date (read from the CSVs)."""
    out: dict[str, list[dict]] = {}
    for f in ("tolls.csv", "context/tolls.csv"):
        with (DATA / f).open(encoding="utf-8", newline="") as fh:
            for r in csv.DictReader(fh):
                if r["metric"] in ("killed", "injured", "displaced") and window[0] <= r["as_of"] <= window[1]:
                    out.setdefault(r["metric"], []).append({**r, "tier": "corpus" if "/" not in f else "context"})
    series = {}
    for m, rows in out.items():  # the most-reported scope (population × place), ties to the one reported first
        scopes: dict[tuple, set] = {}
        for r in rows:
            scopes.setdefault((r["population"], r["place"]), set()).add(r["figure_id"])
        first_seen = {k: min(r["as_of"] for r in rows if (r["population"], r["place"]) == k) for k in scopes}
        best = min(scopes, key=lambda k: (-len(scopes[k]), first_seen[k]))
        series[m] = sorted((r for r in rows if (r["population"], r["place"]) == best),
                           key=lambda r: (r["as_of"], r["tier"] != "corpus"))
    return series


def shown_once(text: str, rows: list[dict], r: dict) -> bool:
    """A figure reported in two versions (one key, two values) is one row of the table, showing
    one of its versions (the other is in "What the sources disagree about")."""
    return any(number(x) in text for x in rows if x["figure_id"] == r["figure_id"])


def number(r: dict) -> str:
    v = float(r["value"])
    return f"{v:,.0f}" if v.is_integer() else f"{v:,.1f}"


# -- the briefing ----------------------------------------------------------------------------------------
def test_briefing_is_two_to_four_a4_pages(briefing):
    assert briefing.name == "briefing.pdf" and briefing.parent.name == "pdf"
    n = page_count(briefing)
    assert 2 <= n <= 4, f"the briefing has {n} pages, expected 2-4"
    sizes = page_sizes(briefing)
    assert len(sizes) == n
    for i, (w, h) in enumerate(sizes, 1):
        assert abs(w - A4[0]) <= 1 and abs(h - A4[1]) <= 1, f"page {i} is {w} x {h} pts, not A4"


def test_briefing_embeds_every_font(briefing):
    rows = fonts(briefing)
    assert rows, "no fonts listed: is there any text?"
    not_embedded = [r["name"] for r in rows if r["emb"] != "yes"]
    assert not not_embedded, f"fonts not embedded (the PDF will look different elsewhere): {not_embedded}"


def test_briefing_carries_the_course_the_findings_and_scoped_figures(briefing):
    text = norm(pdf_text(briefing))
    window = (PARAMETER_DEFAULTS["start_date"], PARAMETER_DEFAULTS["end_date"])
    assert "The battle in brief" in text and "Key findings" in text
    for b in narrative_blocks("briefing"):  # the course and outcome, every period of the battle
        assert lead(b) in text, f"course paragraph {b['id']}: {lead(b)!r} not in the briefing"
    for b in narrative_blocks("findings"):
        assert lead(b) in text, f"finding {b['id']}: {lead(b)!r} not in the briefing"
    assert "5+5 Joint Military Commission signed a permanent ceasefire in Geneva" in text
    # the first and the latest report of each kind, each with its scope; the corpus's own first
    # figures (CNN, 8 Apr 2019: 21 killed, 27 injured, 3,400 displaced) among them
    by_date = figures_by_date(window)
    for metric, rows in by_date.items():
        first, latest = rows[0], rows[-1]
        for r in (first, latest):
            assert shown_once(text, rows, r), f"{metric}: {number(r)} ({r['claim_id']}) not in the briefing"
            assert r["place"] in text, f"{metric}: the place {r['place']!r} of {r['claim_id']} is not shown"
    assert {by_date[m][0]["tier"] for m in ("killed", "injured", "displaced")} == {"corpus"}
    assert {number(by_date[m][0]) for m in ("killed", "injured", "displaced")} == {"21", "27", "3,400"}
    assert "not comparable or additive" in text
    assert "2019-04-01 to 2020-10-31" in text
    assert re.search(r"data [0-9a-f]{12}", text)


def test_narrow_window_gets_a_narrow_briefing(briefing, narrow_briefing):
    window = NARROW_WINDOW
    text = norm(pdf_text(narrow_briefing))
    assert f"{window[0]} to {window[1]}" in text
    shown = [b for b in narrative_blocks("briefing") + narrative_blocks("findings") if overlaps(b, window)]
    hidden = [b for b in narrative_blocks("briefing") + narrative_blocks("findings") if not overlaps(b, window)]
    assert shown and hidden
    assert any(lead(b) in text for b in shown)
    for b in hidden:  # never a paragraph about months outside the window
        assert lead(b) not in text, f"{b['id']} ({b['period']}) is outside {window} but in the narrow briefing"
    for metric, rows in figures_by_date(window).items():
        assert shown_once(text, rows, rows[0]) and shown_once(text, rows, rows[-1]), metric
    assert text != norm(pdf_text(briefing))
    assert 2 <= page_count(narrow_briefing) <= 4


def test_every_figure_is_drawn(briefing, tmp_path):
    """Each figure sits above its caption and 'Sources:' line; that region of the page is not blank."""
    lines = text_lines(briefing)
    source_lines = [ln for ln in lines if ln["text"].startswith("Sources: ")]
    from libyareport.publish.briefing import BRIEFING_CHARTS
    assert len(source_lines) >= BRIEFING_CHARTS, f"expected a source line under each of the {BRIEFING_CHARTS} figures, found {len(source_lines)}"
    dpi = 40
    pages: dict[int, tuple] = {}
    for src in source_lines:
        p = src["page"]
        if p not in pages:
            pages[p] = render(briefing, p, dpi, tmp_path / f"page{p}")
        # the caption is the text block just above the source line
        above = [ln for ln in lines if ln["page"] == p and ln["ymax"] <= src["ymin"] + 1 and ln["ymin"] >= src["ymin"] - 60]
        caption_top = max(above, key=lambda ln: ln["ymax"])["block_ymin"] if above else src["ymin"]
        box = (40, caption_top - 120, A4[0] - 40, caption_top - 3)
        share, coloured = ink(pages[p], box, dpi)
        assert share > 0.02 and coloured > 20, \
            f"page {p}: the figure above {src['text'][:60]!r} looks blank (ink {share:.1%}, {coloured} coloured pixels)"


def test_blank_region_reads_as_blank(briefing, tmp_path):
    """Guard for the figure test: a margin of page 1 has no ink."""
    share, coloured = ink(render(briefing, 1, 40, tmp_path / "p1"), (0, 0, A4[0], 30), 40)
    assert share < 0.005 and coloured == 0


def test_markup_in_sources_is_printed_as_text(variant_book):
    """Source metadata with HTML markup (helpers_books.add_xss_fixture, in the session's variant
    data) shows literally in the briefing's source list."""
    text = pdf_text(variant_book[0] / "pdf" / "briefing.pdf")
    assert "<script>alert('xss-title')</script>" in text


# -- failures and the whole-book PDF --------------------------------------------------------------------------
def test_missing_chromium_one_line_and_last_pdf_kept(briefing, tmp_path):
    build = tmp_path / "build"
    existing = build / "pdf" / "briefing.pdf"
    existing.parent.mkdir(parents=True)
    shutil.copyfile(briefing, existing)
    before = existing.read_bytes()
    r = run_cli("pdf", "--data", str(DATA), "--build-dir", str(build), env={"LIBYAREPORT_CHROMIUM": "/nonexistent"},
                cwd=tmp_path)
    assert r.returncode == 1, r.stdout + r.stderr
    err = r.stderr.strip().splitlines()
    assert len(err) == 1, f"expected one line, got:\n{r.stderr}"
    assert "apt-get install -y chromium" in err[0]
    assert "Traceback" not in r.stdout + r.stderr
    assert existing.read_bytes() == before, "the last good briefing was changed"
    assert sorted(p.name for p in existing.parent.iterdir()) == ["briefing.pdf"], "a partial file was left behind"


def test_book_pdf_has_every_chapter(narrow_briefing, narrow_book, tmp_path):
    """`pdf --book` on the session's narrow book (May–June 2020: the same pages, fewer points to draw)."""
    from helpers_books import copy_build
    build = copy_build(narrow_book, tmp_path / "build")
    # where its Chromium keeps its profile, named on that Chromium's command line (short: the
    # profile holds a socket, whose path may not be longer than 107 bytes)
    own_tmp = Path(tempfile.mkdtemp(prefix="lr-pdf-", dir="/tmp"))
    r = run_cli("pdf", "--book", "--build-dir", str(build), cwd=tmp_path, env={"TMPDIR": str(own_tmp)})
    assert r.returncode == 0, r.stderr
    left = [d.name for d in Path("/proc").iterdir() if d.name.isdigit() and _cmdline_has(d, str(own_tmp))]
    shutil.rmtree(own_tmp, ignore_errors=True)
    assert not left, f"the command's Chromium outlived it: processes {left}"
    book = build / "pdf" / "book.pdf"
    assert book.is_file()
    assert "book.pdf" in r.stdout
    assert page_count(book) > page_count(narrow_briefing)
    for w, h in page_sizes(book):
        assert abs(w - A4[0]) <= 1 and abs(h - A4[1]) <= 1, f"a book page is {w} x {h} pts, not A4"
    text = pdf_text(book)
    import nbformat
    for c in CHAPTERS:
        nb = nbformat.read(ROOT / c.path, as_version=4)
        title = nb.cells[0].source.strip().splitlines()[0].lstrip("#").strip()
        assert title in text, f"{c.name}: title {title!r} not in the book PDF"
    # the landing page's executive summary made it too
    flat = norm(text)
    about = [b for b in narrative_blocks("summary") if overlaps(b, NARROW_WINDOW)]
    assert about, "no summary paragraph is about May–June 2020"
    for b in about:
        assert lead(b) in flat, f"summary paragraph {b['id']}: {lead(b)!r} not in the book PDF"
