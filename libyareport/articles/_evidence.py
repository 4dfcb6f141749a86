"""The one place this subpackage imports from the rest of libyareport (the evidence layer).

Articles write data/ and read only the evidence stage (tests/test_layout.py).
"""
from __future__ import annotations

from libyareport.errors import Problem, ReportError, rel
from libyareport.evidence.check import Loaded, load_checked
from libyareport.evidence.csvread import read_table
from libyareport.evidence.schema import CLAIM_TABLES, Package, Resource, load_package
from libyareport.evidence.sources import normalise, parse_source, sha256
from libyareport.params import parse_date

__all__ = ["CLAIM_TABLES", "Loaded", "Package", "Problem", "ReportError", "Resource", "load_checked",
           "load_package", "normalise", "parse_date", "parse_source", "read_table", "rel", "sha256"]
