"""Local Sphinx extension: keep the built book offline-clean and free of console errors.

- sphinx-thebe / sphinx-togglebutton inline scripts are registered twice under Jupyter Book 1
  with Sphinx 7.4, which raises a `pageerror` in the browser; drop the duplicates.
- Drop any script or stylesheet that points outside the book (the book must render offline).
- Load plotly.min.js only on pages with a chart.
"""
from __future__ import annotations


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
    """plotly.min.js (4.8 MB) is loaded only by pages that draw a chart."""
    files = context.get("script_files")
    if files and "Plotly.newPlot" not in context.get("body", ""):
        files[:] = [f for f in files if "plotly.min.js" not in str(getattr(f, "filename", f) or "")]


def setup(app):
    app.connect("html-page-context", _plotly_only_where_needed, priority=100001)
    app.connect("html-page-context", _dedupe, priority=100000)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
