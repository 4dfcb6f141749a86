"""One autoescaped Jinja2 environment for every HTML fragment the book and the briefing emit.

Text from sources and imports is data: templates never mark it safe; only fragments built by
other templates or by `display` helpers (links, charts) are passed in as `Markup`.
"""
from __future__ import annotations

from functools import cache
from pathlib import Path

import jinja2

TEMPLATES = Path(__file__).resolve().parent / "templates"


@cache
def environment() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                              trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)


def render(template: str, **context) -> str:
    return environment().get_template(template).render(**context)
