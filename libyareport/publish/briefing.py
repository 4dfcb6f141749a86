"""`pdf`: the A4 briefing (and, with --book, the whole book) printed by headless Chromium.

The briefing is one HTML page rendered from `templates/briefing.html.j2` with the same
numbers (`report.key_findings`, `report.headline_figures`) and the same figure functions
(`figures.py`) as the book, charts as static SVG (vector in the PDF, no mode bar).
A PDF is written to a temporary file and renamed into place, so a failed run never leaves
a truncated file where the last good one was.
"""
from __future__ import annotations

import datetime as dt
import html
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd
from markupsafe import Markup, escape

from libyareport.content import narrative
from libyareport.content.findings import HEADLINE_METRICS, headline_summary, key_findings, material_backers
from libyareport.content.text import METRIC_LABELS, fmt_date
from libyareport.errors import ReportError, rel
from libyareport.evidence.grades import grade_label
from libyareport.evidence.labels import Labels
from libyareport.evidence.model import Evidence
from libyareport.evidence.open import open_evidence
from libyareport.progress import say
from libyareport.publish.book import ROOT, _plotly_js
from libyareport.publish.browser import printing
from libyareport.publish.lazy import load
from libyareport.render import charts as figures
from libyareport.render.display import figure_html
from libyareport.render.figure import MIN_FONT_PX
from libyareport.render.narrative import paragraph_html
from libyareport.render.templating import render

PAGE_WIDTH_PX = 680  # A4 minus margins at 96 dpi
BRIEFING_CHARTS = 1  # the chronology; backers and figures are compact tables


class Refs:
    """Numbered source list: every source or reference the briefing relies on."""

    def __init__(self, ev: Evidence):
        self.ev = ev
        self.ids: list[str] = []

    def mark(self, ids) -> str:
        nums = []
        for i in sorted(set(ids), key=lambda s: (s not in self.ev.sources, s)):
            if i not in self.ids:
                self.ids.append(i)
            nums.append(self.ids.index(i) + 1)
        return _ranges(sorted(nums))

    def entries(self) -> list[dict]:
        out = []
        for n, sid in enumerate(self.ids, 1):
            if sid in self.ev.sources:
                m = self.ev.sources[sid].meta
                kind = str(m.get("kind", "")).replace("_", " ")
                url = f" {_domain(m['url'])}" if m.get("url") else ""
                outlet = str(m.get("outlet")) + (" (inferred)" if str(m.get("outlet_basis") or "").lower().startswith("inferred") else "")
                text = (f"{outlet}{self.ev.reliability_badge(sid)} — “{m.get('title')}” "
                        f"({fmt_date(dt.date.fromisoformat(str(m.get('published'))))}; {kind}; corpus, quoted){url}")
            else:
                r = self.ev.references[self.ev.references["ref_id"] == sid].iloc[0]
                via = f" (via {r['via']})" if r["via"] else ""
                date = fmt_date(r["date"]) if r["date"] == r["date"] else "n.d."
                text = f"{r['publisher']}{via}{self.ev.reliability_badge(sid)} — “{r['title']}” ({date}; public record) {_domain(r['url'])}"
            out.append({"n": n, "text": text})
        return out


def _domain(url: str) -> str:
    """A reference's site, not its full address: the briefing's list stays compact (the book has the URLs)."""
    from urllib.parse import urlsplit
    return urlsplit(str(url)).netloc.removeprefix("www.") if url else ""


def _ranges(nums: list[int]) -> str:
    """[1, 2, 3, 5] -> '1–3, 5'."""
    out, start, prev = [], None, None
    for n in nums + [None]:
        if start is not None and n == prev + 1:
            prev = n
            continue
        if start is not None:
            out.append(str(start) if start == prev else f"{start}–{prev}")
        start = prev = n
    return ", ".join(out)


def _static_figure(fig, name: str, height: int) -> str:
    fig.update_layout(width=PAGE_WIDTH_PX, height=height, font={"size": MIN_FONT_PX}, title={"font": {"size": 13}})
    return figure_html(fig, div_id=f"brief-{name}", static=True)


def _narrative(ev: Evidence, refs: Refs, section: str) -> list[Markup]:
    """The landing page's paragraphs for this window, citations as numbers in the source list."""
    def cite(keys: list[str], value: str | None = None) -> str:
        ids = narrative.source_ids(ev, keys, value)
        return f'<span class="marker">[{refs.mark(ids)}]</span>' if ids else ""
    return [Markup(paragraph_html(ev, p.text, cite=cite)) for p in narrative.paragraphs(ev, "intro", section)]


MILESTONE_TYPES = ("conference", "resolution", "talks", "embargo_operation", "sanctions", "military_authorisation")


def milestones(ev: Evidence) -> pd.DataFrame:
    """The window's decisive diplomatic steps: the kinds that bind or commit (conferences,
    resolutions, talks, embargo operations, sanctions, authorisations) and every response the
    executive summary names."""
    named = narrative.cited_keys(ev, "intro", ("summary", "briefing"))
    r = ev.responses
    return r[r["response_type"].isin(MILESTONE_TYPES) | r["response_id"].isin(named) | r["claim_id"].isin(named)]


def render_briefing(ev: Evidence, params: dict) -> str:
    refs = Refs(ev)
    course = _narrative(ev, refs, "briefing") or _narrative(ev, refs, "summary")
    findings = [{"html": h} for h in _narrative(ev, refs, "findings")]
    if not findings:  # no written finding is about this window: the computed ones
        for f in key_findings(ev):
            findings.append({"html": Markup(f"{escape(f.text)} <span class=\"marker\">[{refs.mark(f.sources) if f.sources else 'no source'}]</span>")})
    headline = []
    for _, h in headline_summary(ev).iterrows():
        headline.append({"metric": METRIC_LABELS[h["metric"]], "text": h["text"], "population": h["population_text"],
                         "place": h["place"], "period": h["period_text"], "report": h["report"],
                         "as_of": h["as_of_text"], "reporter": h["reporter"], "grade": h["grade_text"],
                         "grade_label": grade_label(ev, h["grade"]) if h["grade"] else h["grade_text"],
                         "tier": h["tiers"].replace("context", "public record"), "refs": refs.mark(h["sources"])})
    figs = []
    plot_px = PAGE_WIDTH_PX - 150
    timeline = figures.timeline(ev, height=360, plot_px=plot_px)
    specs = [
        (timeline, "timeline", max(360, int(timeline.layout.height or 0)), ("Events by date and type; colour: the side "
         "that acted; filled: quoted corpus claim, hollow: public-record fact; a bar: dated only to that month, year "
         "or range (clipped to the window); shaded bands: the phases of the campaign, named above the plot."), False),
    ]
    for fig, name, height, caption, page_break in specs:
        src_ids = _figure_source_ids(ev, name)
        figs.append({"html": _static_figure(fig, name, height), "caption": caption,
                     "source": figures.source_line(fig) + (f" [{refs.mark(src_ids)}]" if src_ids else ""),
                     "break": page_break})
    resp = milestones(ev).sort_values(["date", "actor_id"])
    lines = []
    for rid, g in resp.groupby("response_id", sort=False):
        r = g.iloc[0]
        lines.append({"date": fmt_date(r["date"], r["date_precision"], r["date_end"]), "actor": ev.actor_name(r["actor_id"]),
                      "kind": figures.RESPONSE_LABELS[r["response_type"]].lower(), "summary": r["summary"],
                      "ref": refs.mark(g["source_id"])})
    limit = 20  # every milestone of the whole battle fits; a longer list says how many more the book has
    return render("briefing.html.j2",
        title="The battle for Tripoli, 2019–2020", window=ev.window.describe(),
        built=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"), fingerprint=ev.fingerprint,
        include_context=params.get("include_context", True), course=course, findings=findings, headline=headline, figures=figs,
        responses=lines[:limit], more_responses=max(0, len(lines) - limit), backers=backers_rows(ev, refs),
        sources=refs.entries(),
    )


def backers_rows(ev: Evidence, refs: Refs) -> list[dict]:
    """The briefing's compact backers table (in place of the book's network): one row per
    material backer and recipient, each kind of support with its evidence grade, the sources as
    numbers in the briefing's list. Diplomatic support is not backing and is left out."""
    mb = material_backers(ev)
    foreign = set(Labels("actors", "kind").groups().get("foreign", ()))
    a = ev.actors.set_index("actor_id")

    def is_foreign(actor: str, depth: int = 0) -> bool:  # a foreign state or group, or one of its people
        if actor not in a.index or depth > 5:
            return False
        if a.loc[actor, "kind"] in foreign:
            return True
        parent = a.loc[actor, "parent_id"]
        return bool(parent) and parent != actor and is_foreign(parent, depth + 1)

    rows = []
    s = ev.support
    for (b, r), g in mb.groupby(["backer_id", "recipient_id"], sort=False):
        if not is_foreign(b) or r not in a.index or a.loc[r, "side"] not in ("lna", "gna"):
            continue  # the table is of foreign backers of the two parties
        kinds = "; ".join(f"{figures.SUPPORT_LABELS[x.support_type]} ({grade_label(ev, x.grade).lower()})"
                          for x in g.itertuples())
        srcs = s.loc[s["support_key"].isin(g["support_key"]) & (s["stance"] != "refutes"), "source_id"]
        rows.append({"backer": ev.actor_name(b), "recipient": ev.actor_name(r), "kinds": kinds, "refs": refs.mark(srcs)})
    return sorted(rows, key=lambda x: (x["recipient"], x["backer"]))


def _figure_source_ids(ev: Evidence, name: str) -> list[str]:
    table = {"timeline": "events", "network": "support", "tolls": "tolls"}[name]
    t = ev.tables[table]
    if name == "tolls":
        t = t[t["metric"].isin(HEADLINE_METRICS)]
    return list(t["source_id"])


FOOTER = ('<div style="font-size:7px;width:100%;padding:0 14mm;color:#444;display:flex;justify-content:space-between;'
          'font-family:DejaVu Sans,Arial,sans-serif"><span>{left}</span>'
          '<span>page <span class="pageNumber"></span> of <span class="totalPages"></span></span></div>')


def _print(html_path: Path, out: Path, n_charts: int, footer: str) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    PWTimeout = load("playwright.sync_api").TimeoutError  # on the briefing's thread (publish/lazy.py)

    def job(b) -> None:
        page = b.new_page(viewport={"width": 794, "height": 1123})
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(html_path.resolve().as_uri(), wait_until="load")
        try:
            page.wait_for_function(f"document.querySelectorAll('.js-plotly-plot .main-svg').length >= {2 * n_charts}",
                                   timeout=20000)
        except PWTimeout:
            raise ReportError(f"charts in {rel(html_path)} were not drawn within 20 s"
                              + (f" ({errors[0]})" if errors else "") + "; expected every figure drawn before printing") from None
        page.emulate_media(media="print")
        page.pdf(path=str(tmp), prefer_css_page_size=True, print_background=True, display_header_footer=True,
                 header_template="<div></div>", footer_template=footer)
    printing(job)
    if not tmp.is_file() or tmp.stat().st_size == 0:
        raise ReportError(f"Chromium produced no PDF at {rel(tmp)}; the previous {rel(out)} is unchanged")
    tmp.replace(out)


TMP_PREFIX = "briefing-"


def clean_stale_tempdirs(prefix: str = TMP_PREFIX) -> None:
    """Remove the temporary directories a killed `pdf` left (named <prefix><pid>-…, pid gone)."""
    for p in Path(tempfile.gettempdir()).glob(f"{prefix}*"):
        m = re.match(re.escape(prefix) + r"(\d+)-", p.name)
        if not m or not p.is_dir() or int(m.group(1)) == os.getpid():
            continue
        try:
            os.kill(int(m.group(1)), 0)
        except ProcessLookupError:
            shutil.rmtree(p, ignore_errors=True)
        except OSError:
            pass  # alive (another user's): leave it


def build_briefing(params: dict, build_dir: Path | None = None, quiet: bool = False, out: Path | None = None,
                   before_print: Callable[[], object] | None = None) -> Path:
    """Print the briefing for `params` into `out` (default <build>/pdf/briefing.pdf). It does not
    touch the book: linking it from the landing page is the caller's decision (see publish.book).
    `before_print` is called between rendering the page and starting Chromium (a build waits
    there until its chapters leave a core free)."""
    t0 = time.perf_counter()
    clean_stale_tempdirs()
    ev = open_evidence(str(params["data_dir"]), str(params["start_date"]), str(params["end_date"]),
                       bool(params["include_context"]), bool(params["include_commentary"]))
    build = build_dir or ROOT / "_build"
    out = out or build / "pdf" / "briefing.pdf"
    with tempfile.TemporaryDirectory(prefix=f"{TMP_PREFIX}{os.getpid()}-") as tmpdir:
        page = Path(tmpdir) / "briefing.html"
        shutil.copy2(_plotly_js(), Path(tmpdir) / "plotly.min.js")
        page.write_text(render_briefing(ev, params), encoding="utf-8")
        left = html.escape(f"The battle for Tripoli — briefing · {ev.window.describe()} · built "
                           f"{dt.date.today().isoformat()} · data {ev.fingerprint}")
        if before_print is not None:
            before_print()
        _print(page, out, BRIEFING_CHARTS, FOOTER.format(left=left))
    if not quiet:
        say(f"pdf: wrote {rel(out)} in {time.perf_counter() - t0:.1f} s")
    return out


def build_book_pdf(build_dir: Path | None = None) -> Path:
    """Print the built HTML book (cover, contents, every page in TOC order) into one PDF."""
    from pypdf import PdfWriter

    from libyareport.publish.book import CHAPTERS
    build = build_dir or ROOT / "_build"
    html_dir = build / "html"
    if not (html_dir / "intro.html").is_file():
        raise ReportError(f"no built book in {rel(html_dir)}; run python -m libyareport build first")
    out = build / "pdf" / "book.pdf"
    pages = [html_dir / (c.path.replace(".ipynb", ".html")) for c in CHAPTERS]
    clean_stale_tempdirs("bookpdf-")
    with tempfile.TemporaryDirectory(prefix=f"bookpdf-{os.getpid()}-") as tmpdir:
        tmp = Path(tmpdir)
        parts = []
        titles = []

        def job(b) -> None:
            page = b.new_page(viewport={"width": 720, "height": 1000})
            for i, p in enumerate(pages):
                page.goto(p.resolve().as_uri(), wait_until="load")
                n = page.locator(".js-plotly-plot").count()
                if n:
                    page.wait_for_function(f"document.querySelectorAll('.js-plotly-plot .main-svg').length >= {2 * n}",
                                           timeout=20000)
                titles.append(page.locator("main h1").first.inner_text().strip() if page.locator("main h1").count() else p.stem)
                page.add_style_tag(content="@page { size: A4; margin: 14mm; } .bd-header, .bd-sidebar-primary, "
                                   ".bd-sidebar-secondary, .prev-next-area, .bd-footer, .header-article { display: none !important; }"
                                   " .bd-main .bd-content .bd-article-container { max-width: 100% !important; }")
                page.emulate_media(media="print")
                part = tmp / f"{i:02d}.pdf"
                page.pdf(path=str(part), prefer_css_page_size=True, print_background=True)
                parts.append(part)
            cover = tmp / "cover.html"
            items = "".join(f"<li>{html.escape(t)}</li>" for t in titles)
            cover.write_text(f"<html><body style='font-family:DejaVu Sans,sans-serif;padding:30mm 20mm'>"
                             f"<h1 style='font-size:26pt'>The battle for Tripoli, 2019–2020</h1>"
                             f"<p>The whole report book, printed {dt.date.today().isoformat()}.</p>"
                             f"<h2>Contents</h2><ol>{items}</ol></body></html>", encoding="utf-8")
            page.goto(cover.as_uri())
            page.pdf(path=str(tmp / "cover.pdf"), format="A4")
        printing(job)
        writer = PdfWriter()
        for part in [tmp / "cover.pdf", *parts]:
            writer.append(str(part))
        out.parent.mkdir(parents=True, exist_ok=True)
        staging = out.with_name(out.name + ".tmp")
        with staging.open("wb") as fh:
            writer.write(fh)
        staging.replace(out)
    say(f"pdf: wrote {rel(out)} ({len(pages)} pages of the book)")
    return out
