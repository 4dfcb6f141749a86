"""Headless Chromium (Debian's `chromium`) driven by playwright: page checks, screenshots, PDF."""
from __future__ import annotations

import contextlib
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from libyareport.errors import ReportError

INSTALL_HINT = "apt-get install -y chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]


def chromium_path() -> str:
    """The Chromium binary, or a one-line error saying how to install it."""
    env = os.environ.get("LIBYAREPORT_CHROMIUM")
    candidates = [env] if env else ["/usr/bin/chromium", shutil.which("chromium") or "", shutil.which("chromium-browser") or ""]
    for c in candidates:
        if c and Path(c).is_file() and os.access(c, os.X_OK):
            return c
    where = env or "/usr/bin/chromium"
    raise ReportError(f"Chromium is not installed (looked for {where}); install it with: {INSTALL_HINT}")


@contextlib.contextmanager
def browser():
    exe = chromium_path()
    from playwright.sync_api import Error as PWError
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        try:
            b = pw.chromium.launch(executable_path=exe, args=FLAGS, headless=True)
        except PWError as e:
            first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
            raise ReportError(f"Chromium at {exe} could not start: {first}; reinstall it with: {INSTALL_HINT}") from None
        try:
            yield b
        finally:
            b.close()


@dataclass
class PageReport:
    url: str
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    external_requests: list[str] = field(default_factory=list)
    charts: int = 0
    charts_drawn: int = 0
    dialogs: list[str] = field(default_factory=list)
    text: str = ""


def check_page(b, path: Path, screenshot: Path | None = None, width: int = 1280) -> PageReport:
    """Open a built page from disk; record errors, requests leaving the book, and drawn charts."""
    url = path.resolve().as_uri()
    rep = PageReport(url)
    page = b.new_page(viewport={"width": width, "height": 900})
    page.on("console", lambda m: rep.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: rep.page_errors.append(str(e)))
    page.on("requestfailed", lambda r: rep.failed_requests.append(r.url))
    page.on("request", lambda r: rep.external_requests.append(r.url) if not r.url.startswith(("file:", "data:", "blob:", "about:")) else None)
    page.on("dialog", lambda d: (rep.dialogs.append(d.message), d.dismiss()))
    page.goto(url, wait_until="load")
    page.wait_for_timeout(300)
    rep.charts = page.locator(".js-plotly-plot").count()
    rep.charts_drawn = page.locator(".js-plotly-plot .main-svg").evaluate_all(
        "els => new Set(els.map(e => e.closest('.js-plotly-plot'))).size")
    rep.text = page.inner_text("body")
    if screenshot:
        screenshot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(screenshot), full_page=True)
    page.close()
    return rep
