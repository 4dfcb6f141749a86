"""libyareport: the evidence base, chapters, book and briefing of the Tripoli report book."""
from __future__ import annotations

__version__ = "0.1.0"

from .errors import Problem, ReportError
from .evidence import Evidence, load

__all__ = ["Evidence", "Problem", "ReportError", "__version__", "load"]
