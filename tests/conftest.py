"""Shared pytest setup. Keep this small and generic; topic helpers live in tests/helpers_*.py."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # the package is used from the checkout, not installed
    sys.path.insert(0, str(ROOT))


@pytest.fixture
def evidence_dir(tmp_path: Path) -> Path:
    """A writable copy of the small valid evidence base in tests/fixtures/evidence/."""
    from helpers_evidence import copy_fixture

    return copy_fixture(tmp_path / "data")
