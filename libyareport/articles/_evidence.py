"""The one place this subpackage imports from the rest of libyareport (the evidence layer).

When the evidence modules move, only these imports change.
"""
from __future__ import annotations

from ..csvread import read_table
from ..errors import Problem, ReportError, rel
from ..schema import CLAIM_TABLES, Package, Resource, load_package
from ..sources import normalise, parse_source, sha256
from ..validate import Loaded, load_checked, parse_date

__all__ = ["CLAIM_TABLES", "Loaded", "Package", "Problem", "ReportError", "Resource", "load_checked",
           "load_package", "normalise", "parse_date", "parse_source", "read_table", "rel", "sha256"]
