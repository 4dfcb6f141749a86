"""Local Sphinx extension: keep the built book offline-clean and free of console errors.

- sphinx-thebe / sphinx-togglebutton inline scripts are registered twice under Jupyter Book 1
  with Sphinx 7.4, which raises a `pageerror` in the browser; drop the duplicates.
- Drop any script or stylesheet that points outside the book (the book must render offline).
- Load plotly.min.js only on pages with a chart.
- No fontawesome.js (1.5 MB parsed by every page, and a watcher rescanning the page whenever a
  chart redraws): the theme's few icons are CSS (`_static/lr-icons.css`, template
  `templates/static/webpack-macros.html`), and the unused script is not published.
- Accessibility: theme templates in `templates/` (buttons named by their visible text, the
  title link inside a landmark, no colour-mode switcher) and light mode forced, since charts
  are drawn on white (no half-dark page, whatever a browser remembers from another book).
- Links to downloads written by the chapters (`lr-data:<file>`, see libyareport/downloads.py)
  become paths relative to each page, into `_static/downloads/`.
- The theme's Jinja templates are compiled once per book, not at every build: their bytecode is
  kept next to Sphinx's doctrees, per Jinja and Sphinx version (Jinja checks each template's
  source before reusing it).
"""
from __future__ import annotations

from pathlib import Path

CHART_JS = ("plotly.min.js", "lr-charts.js", "lr-links.js")  # loaded only by pages that draw a chart
TEMPLATES = Path(__file__).resolve().parent / "templates"
FORCE_LIGHT = ("document.documentElement.dataset.mode = 'light'; document.documentElement.dataset.theme = 'light';"
               " try { localStorage.setItem('mode', 'light'); localStorage.setItem('theme', 'light'); } catch (e) {}")


def _dedupe(app, pagename, templatename, context, doctree):
    for key in ("script_files", "css_files"):
        files = context.get(key)
        if not files:
            continue
        seen, kept = set(), []
        for f in files:
            url = str(getattr(f, "filename", f) or "")
            body = getattr(f, "attributes", {}).get("body", "") if hasattr(f, "attributes") else ""
            ident = (url, body)
            if ident in seen or url.startswith(("http://", "https://", "//")):
                continue
            seen.add(ident)
            kept.append(f)
        files[:] = kept


def _plotly_only_where_needed(app, pagename, templatename, context, doctree):
    """plotly.min.js (4.8 MB) and the chart helper are loaded only by pages that draw a chart."""
    files = context.get("script_files")
    if files and "Plotly.newPlot" not in context.get("body", ""):
        files[:] = [f for f in files if not any(js in str(getattr(f, "filename", f) or "") for js in CHART_JS)]


def _templates(app, config):
    config.templates_path = [str(TEMPLATES), *[t for t in config.templates_path if t != str(TEMPLATES)]]


def _download_links(app, pagename, templatename, context, doctree):
    body = context.get("body")
    if body and "lr-data:" in body:
        base = context["pathto"]("_static/downloads/", 1)
        context["body"] = body.replace('href="lr-data:', f'href="{base}')


def _template_cache(app):
    templates = getattr(app.builder, "templates", None)
    env = getattr(templates, "environment", None)
    if env is not None and env.bytecode_cache is None:
        import jinja2
        import sphinx
        # Jinja checks a template's source, not its own version nor Sphinx's environment settings
        cache = Path(app.doctreedir).parent / "jinja2-bytecode" / f"jinja2-{jinja2.__version__}-sphinx-{sphinx.__version__}"
        cache.mkdir(parents=True, exist_ok=True)
        env.bytecode_cache = jinja2.FileSystemBytecodeCache(str(cache))


def _drop_fontawesome(app, exception):
    if exception is None and app.builder.format == "html":
        for f in (Path(app.outdir) / "_static" / "scripts").glob("fontawesome.js*"):
            f.unlink()


def setup(app):
    app.connect("builder-inited", _template_cache)
    app.connect("build-finished", _drop_fontawesome)
    app.connect("config-inited", _templates)
    app.connect("html-page-context", _download_links)
    app.add_js_file(None, body=FORCE_LIGHT, priority=1)
    app.connect("html-page-context", _plotly_only_where_needed, priority=100001)
    app.connect("html-page-context", _dedupe, priority=100000)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
