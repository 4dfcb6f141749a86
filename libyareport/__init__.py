"""libyareport: the evidence base, chapters, book and briefing of the Tripoli report book.

The pipeline, one subpackage per stage (imports point down this list only):

    evidence/   schema, CSV reading, sources, the check rules, the in-memory model
    imports/    ACLED / UCDP exports → data/imported/ (and the store that reads them back)
    articles/   a new article → a source file and reviewed candidate claims
    content/    what the book says: findings, narrative, aggregates, labels
    render/     how it shows it: style, charts, tables, chapter sections, templates
    publish/    the book build, the briefing, PDF printing, the browser
    cli.py      every subcommand;  errors.py, params.py, lock.py, progress.py  the shared base
"""
from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["Evidence", "Problem", "ReportError", "__version__", "load"]


def __getattr__(name: str):
    """`libyareport.load`, `libyareport.Evidence`, … without importing pandas for `--help`."""
    if name in ("Evidence", "load"):
        from libyareport.evidence import model
        return getattr(model, name)
    if name in ("Problem", "ReportError"):
        from libyareport import errors
        return getattr(errors, name)
    raise AttributeError(name)
