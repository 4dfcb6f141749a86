"""Headless Chromium (Debian's `chromium`) driven by playwright: what prints the PDFs."""
from __future__ import annotations

import contextlib
import os
import shutil
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


