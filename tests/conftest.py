"""Shared pytest setup: the books the suite builds, each once per session, and the `book` marker.

Tests that only read a built book take `default_book`, `narrow_book` or `variant_book` (build
directories; see helpers_books.py). Tests that change a book copy it first. `make quick` runs
everything not marked `book` (no book build, no browser) for the inner loop.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # the checkout's package, also when it is installed elsewhere
    sys.path.insert(0, str(ROOT))

BOOK_FIXTURES = {"default_book", "narrow_book", "variant_book"}
BUILDING_MODULES = {"test_reliability_publish", "test_book", "test_kernels", "test_pdf", "test_eventbook"}
BOOK_MODULES = {"test_book", "test_browser", "test_pdf", "test_a11y", "test_charts", "test_eventbook", "test_reliability_publish"}


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups
def pytest_collection_modifyitems(items):
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        if BOOK_FIXTURES & names or item.module.__name__ in BOOK_MODULES:
            item.add_marker(pytest.mark.book)
        group = _xdist_group(item, names)
        if group:
            item.add_marker(pytest.mark.xdist_group(group))
    # `make test` runs two pytest-xdist workers (--dist loadgroup). The two long chains go first,
    # one to each worker: the default book and its browser visits; the narrow and variant books
    # and theirs. Every other test (those copying the default book too, which is built once for
    # both workers, see _shared_build) then goes to whichever worker is free: the modules that
    # build books first, the quick ones last, so that the two workers end together.
    rank = {"default-visits": 0, "other-books": 1}
    items.sort(key=lambda it: (rank.get(_xdist_group(it, set(getattr(it, "fixturenames", ()))), 2),
                               0 if it.module.__name__ in BUILDING_MODULES else 1))


def pytest_collection_finish(session):
    # the test modules and everything they import stay loaded for the session: kept out of the
    # garbage collector's full passes (gc.freeze), which walked them again and again
    import gc
    gc.collect()
    gc.freeze()


def _xdist_group(item, names: set[str]) -> str | None:
    if item.module.__name__ == "test_charts" and hasattr(item, "callspec"):  # `built`: the default or the narrow book
        names = names | {"default_book" if item.callspec.id.split("-")[0] == "default" else "narrow_book"}
    if {"default_wide", "default_phone"} & names:
        return "default-visits"
    if {"narrow_book", "variant_book"} & names:
        return "other-books"
    return None


def _shared_build(tmp_path_factory, name: str, make) -> Path:
    """Build a session book once for all workers: the first to ask builds it under a lock, the
    others wait and read it (a worker's basetemp is popen-gwN inside the run's shared one)."""
    import fcntl
    import os

    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent
    dest = root / name
    with open(root / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (root / f"{name}.done").is_file():
            if dest.exists():
                import shutil
                shutil.rmtree(dest)  # a worker that failed half-way
            make(dest)
            (root / f"{name}.done").touch()
    return dest


@pytest.fixture
def evidence_dir(tmp_path: Path) -> Path:
    """A writable copy of the small valid evidence base in tests/fixtures/evidence/."""
    from helpers_evidence import copy_fixture

    return copy_fixture(tmp_path / "data")


@pytest.fixture(scope="session")
def default_book(tmp_path_factory) -> Path:
    """The shipped data at the default parameters, with its PDF briefing (built once)."""
    from helpers_books import build, default_params
    return _shared_build(tmp_path_factory, "shared-default-book", lambda d: build(default_params(), d, pdf=True))


@pytest.fixture(scope="session")
def narrow_book(tmp_path_factory) -> Path:
    """The shipped data for May–June 2020 only (helpers_books.NARROW), with its briefing (built once)."""
    from helpers_books import NARROW, build, default_params
    return _shared_build(tmp_path_factory, "shared-narrow-book",
                         lambda d: build(default_params(start_date=NARROW[0], end_date=NARROW[1]), d, pdf=True))


@pytest.fixture(scope="session")
def variant_book(tmp_path_factory) -> tuple[Path, Path]:
    """(build dir, data dir): three articles added and accepted, markup in a source, an ACLED
    import, with its briefing — one build for the article, injection and event-data tests."""
    from helpers_books import add_fixture_articles, add_xss_fixture, build, copy_data, default_params, import_acled

    def make(base: Path) -> None:
        base.mkdir()
        data = copy_data(base / "data")
        add_xss_fixture(data)
        add_fixture_articles(data, base)
        import_acled(data)
        build(default_params(data_dir=str(data)), base / "build", pdf=True)

    base = _shared_build(tmp_path_factory, "shared-variant", make)
    return base / "build", base / "data"


# -- the books in a browser (helpers_browser.py): one visit per book and screen width -------------
@pytest.fixture(scope="session")
def chromium():
    """One headless Chromium for every browser test of this worker (each test or visit opens its
    own context or page in it); the briefings' printing Chromium is another, on its own thread."""
    from helpers_browser import TEST_CHROMIUMS, chromiums_of_this_process

    from libyareport.publish.browser import browser
    before = chromiums_of_this_process()
    with browser() as b:
        TEST_CHROMIUMS.update(chromiums_of_this_process() - before)
        yield b


@pytest.fixture(scope="session")
def default_wide(chromium, default_book) -> dict[str, dict]:
    """Every page of the default book at 1280 px: errors, requests, charts, text, chart data, tables, axe-core."""
    from helpers_browser import AXE, PROBES_WIDE, visit_book
    return visit_book(chromium, default_book / "html", 1280, PROBES_WIDE, axe=AXE.is_file())


@pytest.fixture(scope="session")
def default_phone(chromium, default_book) -> dict[str, dict]:
    """Every page of the default book loaded at a phone's 390 px: widths, chart text overlaps, table boxes."""
    from helpers_browser import PROBES_PHONE, visit_book
    return visit_book(chromium, default_book / "html", 390, PROBES_PHONE)
