"""Jupyter Book's own command line in a process of its own, its imports done before it is told
what to build, and kept for the next build of the same process.

`build` starts this module (`python -m libyareport.publish.jbrun`) while the last chapters are
still executing: it imports Jupyter Book, Sphinx, myst-nb and the theme (about 1.8 s of CPU),
then reads requests from stdin, one JSON line each — {"args": the `jupyter-book` arguments,
"env": the environment, "cwd": the working directory, "log": where its output goes} — runs
exactly what the `jupyter-book` script would, and answers one line on stdout: the exit code.
Jupyter Book builds each book in a fresh Sphinx application (docutils' registries are restored
after each), and the modules a book brought with it (its `_ext` extension) are forgotten after
its build, so the next build loads its own. A failed build ends the process; so does an empty
line or the end of stdin.
"""
from __future__ import annotations

import json
import os
import sys
import traceback
from pathlib import Path


def _run(jb_main, req: dict) -> int:
    book = Path(req["args"][1]).resolve()
    os.chdir(req["cwd"])
    os.environ.clear()
    os.environ.update(req["env"])
    modules, path = set(sys.modules), list(sys.path)
    with open(req["log"], "w", encoding="utf-8") as log:
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(log.fileno(), 1)
        os.dup2(log.fileno(), 2)
        try:
            sys.argv = ["jupyter-book", *req["args"]]
            rv = jb_main(args=req["args"], prog_name="jupyter-book", standalone_mode=False)
            code = rv if isinstance(rv, int) else 0  # click hands back the code of a ctx.exit()
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        except BaseException:  # noqa: BLE001 - reported in the log, as the jupyter-book script would
            traceback.print_exc()
            code = 1
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(_devnull, 1)
            os.dup2(_devnull, 2)
    for name in set(sys.modules) - modules:  # the book's own extension: loaded afresh by the next build
        file = getattr(sys.modules[name], "__file__", None) or ""
        if file and Path(file).resolve().is_relative_to(book):
            del sys.modules[name]
    sys.path[:] = path
    return code


def main() -> None:
    global _devnull
    import jupyter_book.cli.main as jb_cli
    import myst_nb.sphinx_ext  # noqa: F401 - the expensive imports, done while waiting
    import sphinx.application  # noqa: F401
    import sphinx_book_theme  # noqa: F401

    answer = os.fdopen(os.dup(1), "w", encoding="utf-8")  # stdout is the answers; output goes to each build's log
    _devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(_devnull, 1)
    os.dup2(_devnull, 2)
    for line in sys.stdin:
        if not line.strip():
            return
        code = _run(jb_cli.main, json.loads(line))
        answer.write(f"{code}\n")
        answer.flush()
        if code != 0:
            return


_devnull = -1

if __name__ == "__main__":
    main()
