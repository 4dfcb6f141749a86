"""The built book in headless Chromium, for the browser and accessibility tests.

`visit_book` opens every page of a book at one screen width, all pages loading side by side (a
chart page costs Chromium seconds of work; the two cores share it), waits until each page's charts
are laid out for that width (<html data-lr-charts="ready">, set by _static/lr-charts.js; no fixed
sleeps), and collects in that one visit everything the tests ask of a page: console and page
errors, failed requests, requests leaving the book, dialogs, charts present and drawn, the text,
the result of each probe script, and axe-core's findings. conftest.py keeps one visit per book and
width for the session, so a page is opened once per width, not once per test.
"""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
READY_JS = "() => !document.querySelector('.js-plotly-plot') || document.documentElement.dataset.lrCharts === 'ready'"
AXE_RUN_JS = """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
    .map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}))"""
LOCAL = ("file:", "data:", "blob:", "about:")


TEST_CHROMIUMS: set[int] = set()  # the browser processes of the tests' own Chromium (conftest.py's `chromium`)


def chromiums_of_this_process() -> set[int]:
    """The Chromium browser processes started by this test process (its descendants)."""
    import os
    children: dict[int, list[int]] = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                ppid = int((d / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(d.name))
    found, todo = set(), [os.getpid()]
    while todo:
        for c in children.get(todo.pop(), []):
            todo.append(c)
            try:
                cmd = (Path("/proc") / str(c) / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if cmd and cmd[0].endswith(b"chromium") and not any(a.startswith(b"--type=") for a in cmd):
                found.add(c)
    return found


def book_pages(html: Path) -> list[Path]:
    return sorted(p for p in html.rglob("*.html") if not {"_static", "_sources"} & set(p.relative_to(html).parts))


def open_page(b, path: Path, width: int = 1280, context=None, **kw):
    """Start loading a page (several load side by side); returns (page, report) with the
    errors, requests and dialogs recorded as they happen. `context`: open it there (the pages of
    one visit share one browser context), else in a new one of its own."""
    page = context.new_page() if context is not None else b.new_page(viewport={"width": width, "height": 900}, **kw)
    rep: dict = {"console_errors": [], "page_errors": [], "failed_requests": [], "external_requests": [], "dialogs": []}
    page.on("console", lambda m: rep["console_errors"].append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: rep["page_errors"].append(str(e)))
    page.on("requestfailed", lambda r: rep["failed_requests"].append(f"{r.url} ({r.failure})"))
    page.on("request", lambda r: rep["external_requests"].append(r.url) if not r.url.startswith(LOCAL) else None)
    page.on("dialog", lambda d: (rep["dialogs"].append(d.message), d.dismiss()))
    page.goto(path.resolve().as_uri(), wait_until="commit")
    return page, rep


def settle(page, path: Path) -> None:
    """Wait for the page (after index.html's redirect, the page it leads to) and its charts."""
    if path.name == "index.html":
        page.wait_for_url("**/intro.html", timeout=30000)
    page.wait_for_load_state("load")
    page.wait_for_function(READY_JS, timeout=30000)


def _read(page, rep: dict, probes: dict[str, str]) -> dict:
    rep["charts"] = page.locator(".js-plotly-plot").count()
    rep["charts_drawn"] = page.locator(".js-plotly-plot .main-svg").evaluate_all(
        "els => new Set(els.map(e => e.closest('.js-plotly-plot'))).size")
    rep["text"] = page.inner_text("body")
    for name, js in probes.items():
        rep[name] = page.evaluate(js)
    # what the page did up to here; axe-core's own reads of the stylesheets (which file:// refuses)
    # are not the page's failed requests
    return {k: list(v) if isinstance(v, list) else v for k, v in rep.items()}


def visit_book(b, html: Path, width: int, probes: dict[str, str] | None = None, axe: bool = False,
               pages: list[Path] | None = None) -> dict[str, dict]:
    """{page path relative to html: report} for every page (or `pages`), all loading side by side
    in one browser context; axe-core, when asked, runs on all of them side by side too. A page
    that only redirects to another page of the visit (index.html → intro.html) is reported up to
    the redirect (its errors, requests and dialogs; "redirected_to"; axe None): the page it
    leads to is opened, read and audited on its own, not a second time through it."""
    context = b.new_context(viewport={"width": width, "height": 900})
    try:
        pages = pages or book_pages(html)
        opened = [(p, *open_page(b, p, width, context=context)) for p in pages]
        found: dict[Path, dict] = {}
        for p, page, rep in opened:
            if p.name == "index.html" and html / "intro.html" in pages:
                page.wait_for_url("**/intro.html", wait_until="commit", timeout=30000)
                found[p] = {**{k: list(v) for k, v in rep.items()}, "redirected_to": page.url, "axe": None}
                page.close()
            else:
                settle(page, p)
        stayed = [(p, page, rep) for p, page, rep in opened if p not in found]
        found.update({p: _read(page, rep, probes or {}) for p, page, rep in stayed})
        if axe:
            script = AXE.read_text(encoding="utf-8")
            for _, page, _ in stayed:  # start every run, then collect: the pages work in parallel
                page.add_script_tag(content=script)
                page.evaluate(f"() => {{ ({AXE_RUN_JS})().then(v => {{ window.__lrAxe = v; }}, "
                              "e => { window.__lrAxe = [{id: 'axe-error: ' + e, impact: 'critical', nodes: []}]; }); }")
            for p, page, _ in stayed:
                page.wait_for_function("() => window.__lrAxe !== undefined", timeout=120000)
                found[p]["axe"] = page.evaluate("() => window.__lrAxe")
        return {str(p.relative_to(html)): found[p] for p in pages}
    finally:
        context.close()


# -- what the tests ask of a page (test_a11y.py reads these results) ------------------------------
# each chart: what it draws (hover texts, heatmap cells), its numbers, its image's name, its description,
# its collapsed data table and CSV link
CHARTS_JS = """() => [...document.querySelectorAll('figure.lr-figure')].filter(f => f.querySelector('.js-plotly-plot')).map(f => {
    const gd = f.querySelector('.js-plotly-plot');
    const text = h => { const d = document.createElement('div'); d.innerHTML = String(h).replace(/<br\\s*\\/?>/gi, ' ');
                        return d.textContent.replace(/\\s+/g, ' ').trim(); };
    const drawn = [], numbers = [];
    for (const t of gd._fullData) {  // the traces as drawn (binary-encoded arrays decoded)
        if (t.hoverinfo === 'skip') continue;
        if (t.type === 'heatmap') { for (const row of t.z) for (const z of row) if (z !== null) { drawn.push(String(z)); numbers.push(z); } continue; }
        const n = (t.x || []).length;
        for (let i = 0; i < n; i++) {
            if (t.x[i] === null || t.x[i] === undefined) continue;
            const h = Array.isArray(t.hovertext) ? t.hovertext[i] : t.hovertext;
            drawn.push(h ? text(h) : '');
            const ax = gd._fullLayout[(t.yaxis || 'y').replace('y', 'yaxis')];
            if (ax && ax.visible !== false && ['linear', 'log'].includes(ax.type) && !ax.tickvals) numbers.push(t.y[i]);
        }
    }
    const svg = gd.querySelector('svg.main-svg[role=img]');
    const label = svg && document.getElementById(svg.getAttribute('aria-labelledby'));
    const csv = f.parentElement.querySelector(`a[download="${gd.id}.csv"]`);
    return {id: gd.id, title: text((gd.layout.title || {}).text || ''), drawn, numbers,
            img_label: label ? label.textContent : null, desc: (f.querySelector('.lr-chart-desc') || {}).textContent,
            details_open: f.querySelector('details.lr-data') ? f.querySelector('details.lr-data').open : null,
            table_rows: f.querySelectorAll('details.lr-data tbody tr').length,
            table_head: [...f.querySelectorAll('details.lr-data thead th')].map(th => th.textContent),
            csv: csv ? csv.getAttribute('href') : null};
})"""

# each table outside a <details>: its rows (or nested claims), its CSV link, its headings
TABLES_JS = """() => [...document.querySelectorAll('.lr-table-wrap')].filter(w => !w.closest('details'))
    .map(w => { const a = w.nextElementSibling && w.nextElementSibling.querySelector('a[download]');
                const nested = w.querySelectorAll('ul.lr-claims > li').length;
                return [nested || w.querySelectorAll('tbody tr').length, a ? a.getAttribute('href') : null,
                        [...w.querySelectorAll('thead th')].map(t => t.textContent), nested > 0]; })"""

# on a phone: chart texts that overlap each other or the screen's edge
OVERLAP_JS = r"""() => {
    const sel = '.xtick text, .ytick text, .g-xtitle text, .g-ytitle text, .gtitle, .annotation-text, .legendtext, .legendtitletext';
    const out = [];
    for (const gd of document.querySelectorAll('.js-plotly-plot')) {
        const angle = e => { const m = /rotate\((-?[0-9.]+)/.exec(e.getAttribute('transform') || ''); return m ? Number(m[1]) : 0; };
        const boxes = [...gd.querySelectorAll(sel)].filter(e => e.textContent.trim())
            .map(e => [e.textContent.trim(), e.getBoundingClientRect(), angle(e), parseFloat(getComputedStyle(e).fontSize) || 12])
            .filter(([, r]) => r.width > 0 && r.height > 0);
        for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
            const [ta, a, ra, fa] = boxes[i], [tb, b, rb] = boxes[j];
            const dx = Math.min(a.right, b.right) - Math.max(a.left, b.left);
            const dy = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
            if (!(dx > 2 && dy > 2)) continue;
            if (ra !== 0 && ra === rb) {
                // two labels slanted alike: their boxes overlap, their lines of text only if closer than a line
                const t = ra * Math.PI / 180, cx = (b.left + b.right - a.left - a.right) / 2, cy = (b.top + b.bottom - a.top - a.bottom) / 2;
                if (Math.abs(cx * Math.sin(t) - cy * Math.cos(t)) >= 0.8 * fa) continue;
            }
            out.push(`${gd.id}: "${ta}" overlaps "${tb}"`);
        }
        const r = gd.getBoundingClientRect();
        for (const [t, box] of boxes) if (box.right > innerWidth + 1 || box.left < -1) out.push(`${gd.id}: "${t}" is cut off at the screen's edge`);
        // legends drawn over each other, and entries outside their legend's box or the drawing (a
        // legend taller than the space kept for it is clipped)
        const svg = gd.querySelector('svg.main-svg').getBoundingClientRect();
        const legends = [...gd.querySelectorAll('g.legend, g.legend2, g.legend3')]
            .map(g => [g.getAttribute('class'), (g.querySelector('rect.bg') || g).getBoundingClientRect(), g]);
        for (let i = 0; i < legends.length; i++) for (let j = i + 1; j < legends.length; j++) {
            const a = legends[i][1], b = legends[j][1];
            if (Math.min(a.right, b.right) - Math.max(a.left, b.left) > 2 && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 2)
                out.push(`${gd.id}: ${legends[i][0]} and ${legends[j][0]} are drawn over each other`);
        }
        for (const [name, bg, g] of legends) for (const e of g.querySelectorAll('.legendtext')) {
            const b = e.getBoundingClientRect();
            if (b.width && (b.bottom > Math.min(bg.bottom, svg.bottom) + 1 || b.top < Math.max(bg.top, svg.top) - 1))
                out.push(`${gd.id}: ${name} entry "${e.textContent}" is cut off`);
        }
        const cap = gd.closest('figure') && gd.closest('figure').querySelector('figcaption');
        if (cap && cap.getBoundingClientRect().top < svg.bottom - 1) out.push(`${gd.id}: the chart is drawn over its caption`);
    }
    return out;
}"""

WIDTHS_JS = "[document.documentElement.scrollWidth, document.body.scrollWidth, innerWidth]"
TABLE_BOXES_JS = """() => [...document.querySelectorAll('.lr-table-wrap')].map(w =>
    [w.getBoundingClientRect().right <= innerWidth + 1, getComputedStyle(w).overflowX])"""

# each icon of the theme (an <i class="fa-…">): its classes, whether it takes space and has a picture
ICONS_JS = """() => [...document.querySelectorAll('i[class*="fa-"]')].map(i => { const r = i.getBoundingClientRect(), s = getComputedStyle(i);
    return [i.className, r.width > 0 && r.height > 0 || s.display === 'none' || !i.offsetParent, (s.maskImage || s.webkitMaskImage || 'none').startsWith('url(')]; })"""

PROBES_WIDE = {"charts_data": CHARTS_JS, "tables": TABLES_JS, "icons": ICONS_JS}
PROBES_PHONE = {"widths": WIDTHS_JS, "overlaps": OVERLAP_JS, "table_boxes": TABLE_BOXES_JS}
