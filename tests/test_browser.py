"""The built book in a real browser (headless Chromium via playwright), opened from disk as a reader would.

Every page loads without console or page errors, without failed requests and without asking the
internet for anything; every chart is drawn; pages stay small. Source text that carries HTML
markup (tests/fixtures/xss/) is shown as text and never runs.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from libyareport.errors import ReportError
from libyareport.publish.book import CHAPTERS

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
XSS = ROOT / "tests" / "fixtures" / "xss"
PAGES = {c.name: c.path.replace(".ipynb", ".html") for c in CHAPTERS}
CHAPTERS_WITH_CHARTS = [c.name for c in CHAPTERS if c.name[:3] in ("01_", "02_", "03_", "04_")]
MAX_PAGE_BYTES = 300 * 1024


def _chromium_missing() -> str | None:
    try:
        from libyareport.publish.browser import chromium_path
        chromium_path()
    except ReportError as e:
        return str(e)
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -r requirements.txt)"
    return None


_MISSING = _chromium_missing()
pytestmark = pytest.mark.skipif(_MISSING is not None, reason=f"no headless browser: {_MISSING}")


# -- fixtures ----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def b(chromium):
    return chromium  # the worker's Chromium (conftest.py)


@pytest.fixture(scope="module")
def default_html(default_book) -> Path:
    return default_book / "html"  # the session's default book


@pytest.fixture(scope="module")
def reports(default_wide) -> dict[str, dict]:
    return default_wide  # every page of the default book, opened once at 1280 px (conftest.py)


@pytest.fixture(scope="module")
def xss_data(variant_book) -> Path:
    return variant_book[1]  # the session's variant data: markup in a source among other additions


@pytest.fixture(scope="module")
def xss_html(variant_book) -> Path:
    return variant_book[0] / "html"


# -- the default book ---------------------------------------------------------------------------------
def test_every_book_page_is_opened(reports):
    assert {"index.html", *PAGES.values()} <= set(reports)
    # the landing page only redirects: to the introduction, opened (and checked) on its own
    assert reports["index.html"]["redirected_to"].endswith("/intro.html"), reports["index.html"]
    assert "redirected_to" not in reports["intro.html"]


def test_no_console_or_page_errors(reports):
    bad = {p: r["console_errors"] + r["page_errors"] for p, r in reports.items() if r["console_errors"] or r["page_errors"]}
    assert not bad, f"errors in the browser console: {bad}"


def test_no_failed_requests(reports):
    bad = {p: r["failed_requests"] for p, r in reports.items() if r["failed_requests"]}
    assert not bad, f"requests that failed (missing files?): {bad}"


def test_pages_work_offline(reports):
    bad = {p: r["external_requests"] for p, r in reports.items() if r["external_requests"]}
    assert not bad, f"pages that ask the internet for something: {bad}"


def test_every_chart_is_drawn(reports):
    undrawn = {p: (r["charts_drawn"], r["charts"]) for p, r in reports.items()
               if "redirected_to" not in r and r["charts"] != r["charts_drawn"]}
    assert not undrawn, f"charts not drawn (drawn, present): {undrawn}"
    for name in CHAPTERS_WITH_CHARTS:
        assert reports[PAGES[name]]["charts"] > 0, f"{name} shows no chart"


def test_pages_show_their_content(reports):
    """The landing page and every chapter have text (a page that renders blank passes the error checks)."""
    for page in PAGES.values():
        assert len(reports[page]["text"]) > 500, f"{page} renders (almost) no text"
    assert "Key findings" in reports[PAGES["intro"]]["text"]


def test_largest_page_is_small(default_html):
    sizes = {str(p.relative_to(default_html)): p.stat().st_size for p in default_html.rglob("*.html")
             if "_static" not in p.relative_to(default_html).parts}
    page, size = max(sizes.items(), key=lambda kv: kv[1])
    assert size < MAX_PAGE_BYTES, f"largest page {page} is {size / 1024:.0f} KB (limit 300 KB)"


def test_every_icon_is_drawn_without_fontawesome_js(reports, default_html):
    """The theme's icons (menu, contents, search, arrows) are CSS pictures: no page loads the 1.5 MB
    fontawesome.js, and every icon a page shows has a picture and a size."""
    assert not list(default_html.rglob("fontawesome.js*")), "the unused fontawesome.js is published"
    icons = [(page, *icon) for page, rep in reports.items() if "redirected_to" not in rep for icon in rep["icons"]]
    assert len({i[1] for i in icons}) >= 5, icons  # menu, contents, search, previous/next, back to top
    assert not [i for i in icons if not (i[2] and i[3])], "icons drawn empty (no rule in _static/lr-icons.css?)"


# -- source text with markup ------------------------------------------------------------------------
def test_xss_fixture_passes_check(xss_data):
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    r = subprocess.run([sys.executable, "-m", "libyareport", "check", "--data", str(xss_data)], env=env,
                       capture_output=True, text=True, timeout=120, check=False)
    assert r.returncode == 0, r.stderr


HOVER_JS = """async () => {
    let hovered = 0; const shown = [];
    for (const gd of document.querySelectorAll('.js-plotly-plot')) {
        for (let c = 0; c < (gd.data || []).length; c++) {
            const t = gd.data[c], n = (t.x || t.y || []).length;
            for (let i = 0; i < n; i++) {
                const h = String((Array.isArray(t.hovertext) ? t.hovertext[i] : t.hovertext) || '');
                if (!/[&<]/.test(h.replace(/<br>|<\\/?b>/g, ''))) continue;
                // the trace's own subplot: the tolls chart has one panel per kind of figure
                Plotly.Fx.hover(gd, [{curveNumber: c, pointNumber: i}], (t.xaxis || 'x') + (t.yaxis || 'y'));
                await new Promise(r => setTimeout(r, 60));
                hovered++;
                const label = [...gd.querySelectorAll('.hoverlayer')].map(e => e.textContent).join(' ');
                const m = label.match(/&(#\\d+|#x[0-9a-f]+|[a-z]+);/i);
                if (m) shown.push(label.slice(Math.max(0, m.index - 70), m.index + 50));
            }
            Plotly.Fx.unhover(gd);
        }
    }
    return [hovered, shown];
}"""


XSS_PROBES = {  # whether any of the fixture's markup became live (window.__xss, live <script>/<img onerror>/<svg onload>)
    "xss": "() => [typeof window.__xss, String(window.__xss)]",
    "injected": """() => [...document.querySelectorAll('script, img, svg, [onerror], [onload]')].filter(e =>
        (e.tagName === 'SCRIPT' && /^\\s*window\\.__xss=/.test(e.textContent)) ||
        /__xss/.test(e.getAttribute('onerror') || '') || /__xss/.test(e.getAttribute('onload') || '')).length""",
    # hover every chart point whose label carries markup or an entity, as a reader's mouse would
    "hover": HOVER_JS,
    "xss_after_hover": "() => [typeof window.__xss, String(window.__xss)]",
}


@pytest.fixture(scope="module")
def xss_probes(b, xss_html) -> dict[str, dict]:
    # the pages that show evidence: the landing page, the chapters and the appendix; opened side by side
    from helpers_browser import visit_book
    found = visit_book(b, xss_html, 1280, XSS_PROBES, pages=[xss_html / page for page in PAGES.values()])
    for r in found.values():
        r["hovered"], r["hover_entities"] = r.pop("hover")
    return found


def test_markup_in_sources_is_shown_as_text_and_never_runs(xss_probes):
    for name, probe in xss_probes.items():
        for when in ("xss", "xss_after_hover"):
            assert probe[when][0] == "undefined", f"{name}: source markup ran (window.__xss = {probe[when][1]}, {when})"
        assert probe["dialogs"] == [], f"{name}: a dialog opened: {probe['dialogs']}"
        assert probe["injected"] == 0, f"{name}: source markup became live elements"
        errors = probe["console_errors"] + probe["page_errors"]
        assert errors == [] and probe["failed_requests"] == [], \
            f"{name}: errors {errors}, failed requests {probe['failed_requests']}"
        assert probe["charts"] == probe["charts_drawn"], f"{name}: a chart with source markup in it was not drawn"


def test_chart_hover_labels_show_text_not_html_entities(xss_probes):
    """Hovering a point shows the source's words: `"` not `&quot;` (shipped data and the markup fixture)."""
    assert xss_probes[PAGES["01_chronology"]]["hovered"] > 0, "no chart point with markup was hovered"
    shown = {p: r["hover_entities"] for p, r in xss_probes.items() if r["hover_entities"]}
    assert not shown, "hover labels show HTML entities instead of characters: " + "; ".join(
        f"{p} ({len(v)} labels), e.g. {v[0]!r}" for p, v in shown.items())


def test_markup_is_visible_literally_in_chronology_and_appendix(xss_probes):
    chrono = xss_probes[PAGES["01_chronology"]]["text"]
    appendix = xss_probes[PAGES["05_sources_and_method"]]["text"]
    for text, where in ((chrono, "chapter 1"), (appendix, "the appendix")):
        assert "<script>window.__xss=1</script>" in text, f"the literal <script> is not visible in {where}"
    # the appendix shows the source verbatim, its other markup and its title too
    assert '<img src=x onerror="window.__xss=2">' in appendix
    assert '<svg onload="window.__xss=3"></svg>' in appendix
    assert "<script>alert('xss-title')</script>" in appendix
    # chapter 1's events table quotes the event summary with its markup as text
    assert 'Slogans <script>window.__xss=1</script> and <img src=x onerror="window.__xss=2"> painted near the port' in chrono


def test_chart_pages_load_plotlys_cartesian_bundle(default_html):
    """The pages load the 1.5 MB cartesian plotly.js (installed by `make setup`), not the 4.8 MB full
    bundle, at the version of the Python plotly that made the figures; every chart is still drawn
    (test_every_chart_is_drawn)."""
    import re as _re

    import plotly
    full = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    shipped = (default_html / "_static" / "plotly.min.js").read_bytes()
    version = _re.search(rb"plotly\.js v(\d+\.\d+\.\d+)", full.read_bytes()[:300]).group(1)
    assert shipped[:300].find(b"plotly.js (cartesian - minified) v" + version) >= 0, shipped[:120]
    assert len(shipped) < 2_000_000 < full.stat().st_size
