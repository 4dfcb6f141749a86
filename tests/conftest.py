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
BOOK_MODULES = {"test_book", "test_browser", "test_pdf", "test_a11y", "test_charts", "test_eventbook", "test_reliability_publish"}


def pytest_collection_modifyitems(items):
    for item in items:
        if BOOK_FIXTURES & set(getattr(item, "fixturenames", ())) or item.module.__name__ in BOOK_MODULES:
            item.add_marker(pytest.mark.book)


@pytest.fixture
def evidence_dir(tmp_path: Path) -> Path:
    """A writable copy of the small valid evidence base in tests/fixtures/evidence/."""
    from helpers_evidence import copy_fixture

    return copy_fixture(tmp_path / "data")


@pytest.fixture(scope="session")
def default_book(tmp_path_factory) -> Path:
    """The shipped data at the default parameters, with its PDF briefing (built once)."""
    from helpers_books import build, default_params
    return build(default_params(), tmp_path_factory.getbasetemp() / "shared-default-book", pdf=True)


@pytest.fixture(scope="session")
def narrow_book(tmp_path_factory) -> Path:
    """The shipped data for May–June 2020 only (helpers_books.NARROW), with its briefing (built once)."""
    from helpers_books import NARROW, build, default_params
    return build(default_params(start_date=NARROW[0], end_date=NARROW[1]),
                 tmp_path_factory.getbasetemp() / "shared-narrow-book", pdf=True)


@pytest.fixture(scope="session")
def variant_book(tmp_path_factory) -> tuple[Path, Path]:
    """(build dir, data dir): three articles added and accepted, markup in a source, an ACLED
    import — one build for the article, injection and event-data tests."""
    from helpers_books import add_fixture_articles, add_xss_fixture, build, copy_data, default_params, import_acled
    base = tmp_path_factory.getbasetemp() / "shared-variant"
    base.mkdir(exist_ok=True)
    data = copy_data(base / "data")
    add_xss_fixture(data)
    add_fixture_articles(data, base)
    import_acled(data)
    return build(default_params(data_dir=str(data)), base / "build", pdf=False), data
