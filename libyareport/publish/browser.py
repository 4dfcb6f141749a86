"""Headless Chromium (Debian's `chromium`) driven by playwright: what prints the PDFs.

`browser()` is a Chromium of its own for the caller's thread (the tests' browser checks).
`printing(job)` runs `job(browser)` on this process's printing thread, whose Chromium is
started by the first print and kept for the next (starting playwright and Chromium costs about
2 s of CPU; the test suite prints many briefings in one process, a command prints one and
exits, and the Chromium is closed at exit). Each job's pages are closed after it.
"""
from __future__ import annotations

import atexit
import contextlib
import os
import queue
import shutil
import threading
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any, TypeVar

from libyareport.errors import ReportError
from libyareport.publish.lazy import load

INSTALL_HINT = "apt-get install -y chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]
# For `browser()`, which opens every page of a book side by side: the pages (all file://, one site)
# share one renderer process, which compiles plotly.js and the theme's scripts once for them all,
# not once a page (a sixth less CPU). Printing, one page after another, is slower so.
VISIT_FLAGS = ["--process-per-site"]


def chromium_path() -> str:
    """The Chromium binary, or a one-line error saying how to install it."""
    env = os.environ.get("LIBYAREPORT_CHROMIUM")
    candidates = [env] if env else ["/usr/bin/chromium", shutil.which("chromium") or "", shutil.which("chromium-browser") or ""]
    for c in candidates:
        if c and Path(c).is_file() and os.access(c, os.X_OK):
            return c
    where = env or "/usr/bin/chromium"
    raise ReportError(f"Chromium is not installed (looked for {where}); install it with: {INSTALL_HINT}")


def _launch(pw: Any, exe: str, extra: list[str] | None = None) -> Any:
    from playwright.sync_api import Error as PWError
    try:
        return pw.chromium.launch(executable_path=exe, args=FLAGS + (extra or []), headless=True)
    except PWError as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise ReportError(f"Chromium at {exe} could not start: {first}; reinstall it with: {INSTALL_HINT}") from None


@contextlib.contextmanager
def browser():
    exe = chromium_path()
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        b = _launch(pw, exe, VISIT_FLAGS)
        try:
            yield b
        finally:
            b.close()


T = TypeVar("T")
_jobs: queue.Queue = queue.Queue()
_printer: threading.Thread | None = None
_printer_lock = threading.Lock()


def printing(job: Callable[[Any], T]) -> T:
    """job(browser) on the printing thread, with its kept Chromium (started, or started again
    when it died or LIBYAREPORT_CHROMIUM names another one); job's exceptions are raised here."""
    global _printer
    exe = chromium_path()  # a missing Chromium is said at once, from the caller's thread
    with _printer_lock:
        if _printer is None or not _printer.is_alive():
            _printer = threading.Thread(target=_print_loop, name="libyareport-printing", daemon=True)
            _printer.start()
    done: Future = Future()
    _jobs.put((exe, job, done))
    return done.result()


def _print_loop() -> None:
    sync_playwright = load("playwright.sync_api").sync_playwright  # on the printing thread (publish/lazy.py)
    pw = b = None
    started_for = None

    def stop() -> None:
        nonlocal pw, b
        for close in ((b.close if b is not None else None), (pw.stop if pw is not None else None)):
            with contextlib.suppress(Exception):
                if close is not None:
                    close()
        pw = b = None
    while True:
        item = _jobs.get()
        if item is None:
            stop()
            return
        exe, job, done = item
        try:
            if b is None or started_for != exe or not b.is_connected():
                stop()
                pw = sync_playwright().start()
                b, started_for = _launch(pw, exe), exe
            before = set(b.contexts)
            try:
                done.set_result(job(b))
            finally:
                for ctx in set(b.contexts) - before:
                    with contextlib.suppress(Exception):
                        ctx.close()
        except BaseException as e:  # noqa: BLE001 - handed to the caller
            done.set_exception(e)


@atexit.register
def _close_printer() -> None:
    if _printer is not None and _printer.is_alive():
        _jobs.put(None)
        _printer.join(timeout=15)


