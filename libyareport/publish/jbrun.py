"""Jupyter Book's own command line, with its imports done before it is told what to build.

`build` starts this module as a process while the last chapters are still executing
(`python -m libyareport.publish.jbrun`): it imports Jupyter Book, Sphinx, myst-nb and the theme,
then reads one line from stdin — the JSON list of `jupyter-book` arguments — and runs exactly
what the `jupyter-book` script would. An empty line (no book to build) exits at once.
"""
from __future__ import annotations

import json
import sys


def main() -> None:
    import jupyter_book.cli.main as jb_cli
    import myst_nb.sphinx_ext  # noqa: F401 - the expensive imports, done while waiting
    import sphinx.application  # noqa: F401
    import sphinx_book_theme  # noqa: F401

    line = sys.stdin.readline().strip()
    if not line:
        sys.exit(0)
    sys.argv = ["jupyter-book", *json.loads(line)]
    jb_cli.main()


if __name__ == "__main__":
    main()
