"""The committed notebooks: clean (no outputs), parameterised the way papermill and readers expect, and thin.

Every notebook tracked by git is checked: the landing page (intro.ipynb) and chapters/*.ipynb.
"""
from __future__ import annotations

import ast
import io
import re
import subprocess
import tokenize
from pathlib import Path

import nbformat
import pytest

from libyareport.params import PARAMETER_DEFAULTS
from libyareport.publish.book import CHAPTERS

ROOT = Path(__file__).resolve().parent.parent


def _tracked_notebooks() -> list[str]:
    try:
        out = subprocess.run(["git", "ls-files", "--", "*.ipynb"], cwd=ROOT, capture_output=True, text=True,
                             check=True, timeout=30).stdout
        paths = [p for p in out.splitlines() if p.strip()]
    except (OSError, subprocess.SubprocessError):
        paths = []
    if not paths:  # not a git checkout: fall back to the book's own list
        paths = [c.path for c in CHAPTERS]
    return sorted(paths)


NOTEBOOKS = _tracked_notebooks()
CHAPTER_PARAMETERS = ("data_dir", "start_date", "end_date", "include_context", "include_commentary", "datasets")
# Plotting, data loading and function definitions belong in libyareport, not in the notebooks (DESIGN §5).
NOT_THIN = {
    "a function definition (def)": re.compile(r"^\s*(async\s+)?def\s", re.MULTILINE),
    "a class definition": re.compile(r"^\s*class\s+\w", re.MULTILINE),
    "read_csv": re.compile(r"read_csv"),
    "import pandas": re.compile(r"^\s*(import\s+pandas|from\s+pandas)", re.MULTILINE),
    "plotly boilerplate": re.compile(r"plotly"),
}


def _nb(path: str) -> nbformat.NotebookNode:
    return nbformat.read(ROOT / path, as_version=4)


def _parameters_cells(nb) -> list:
    return [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]


def test_every_book_notebook_is_tracked():
    """The book's pages are the notebooks in git: none is built from an untracked file."""
    assert {c.path for c in CHAPTERS} <= set(NOTEBOOKS)


@pytest.mark.parametrize("path", NOTEBOOKS)
def test_notebook_is_committed_without_outputs(path):
    nb = _nb(path)
    nbformat.validate(nb)
    dirty = [(i, len(c.get("outputs", [])), c.get("execution_count"))
             for i, c in enumerate(nb.cells)
             if c.cell_type == "code" and (c.get("outputs") or c.get("execution_count") is not None)]
    assert not dirty, f"{path}: cells with outputs or execution counts (cell, n_outputs, count): {dirty}"


@pytest.mark.parametrize("path", NOTEBOOKS)
def test_exactly_one_parameters_cell(path):
    cells = _parameters_cells(_nb(path))
    assert len(cells) == 1, f"{path}: {len(cells)} cells tagged 'parameters', expected exactly one"
    assert cells[0].cell_type == "code"


def _parse_parameters(path: str, source: str) -> dict[str, object]:
    """name -> value; fails unless every line is `name = literal  # comment`."""
    tree = ast.parse(source)
    comments = {tok.start[0] for tok in tokenize.generate_tokens(io.StringIO(source).readline)
                if tok.type == tokenize.COMMENT and tok.string.lstrip("#").strip()}
    values: dict[str, object] = {}
    for node in tree.body:
        line = source.splitlines()[node.lineno - 1]
        assert isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name), \
            f"{path}: parameters line {node.lineno} is not a plain assignment: {line!r}"
        assert node.lineno == node.end_lineno, f"{path}: parameter on line {node.lineno} spans several lines"
        names_used = [n.id for n in ast.walk(node.value) if isinstance(n, ast.Name)]
        assert not names_used, f"{path}: parameter {node.targets[0].id} is derived from {names_used}: {line!r}"
        try:
            value = ast.literal_eval(node.value)
        except ValueError:
            pytest.fail(f"{path}: parameter {node.targets[0].id} is not a plain literal: {line!r}")
        assert node.lineno in comments, f"{path}: parameter {node.targets[0].id} has no comment: {line!r}"
        assert node.targets[0].id not in values, f"{path}: parameter {node.targets[0].id} set twice"
        values[node.targets[0].id] = value
    return values


@pytest.mark.parametrize("path", NOTEBOOKS)
def test_parameters_are_commented_literals_with_the_book_defaults(path):
    (cell,) = _parameters_cells(_nb(path))
    values = _parse_parameters(path, cell.source)
    missing = [p for p in CHAPTER_PARAMETERS if p not in values]
    assert not missing, f"{path}: the parameters cell does not take {missing}"
    unknown = sorted(set(values) - set(PARAMETER_DEFAULTS))
    assert not unknown, f"{path}: parameters the build cannot set: {unknown}"
    # A reader running the notebook on its own gets the same edition as `python -m libyareport build`.
    differ = {k: (v, PARAMETER_DEFAULTS[k]) for k, v in values.items() if v != PARAMETER_DEFAULTS[k]}
    assert not differ, f"{path}: defaults differ from PARAMETER_DEFAULTS (notebook, library): {differ}"


@pytest.mark.parametrize("path", NOTEBOOKS)
def test_notebook_is_thin(path):
    nb = _nb(path)
    found = []
    for i, c in enumerate(nb.cells):
        if c.cell_type != "code":
            continue
        for what, rx in NOT_THIN.items():
            if rx.search(c.source):
                found.append(f"cell {i}: {what}: {c.source.strip().splitlines()[0][:80]!r}")
    assert not found, f"{path} holds logic that belongs in libyareport:\n  " + "\n  ".join(found)


@pytest.mark.parametrize("path", NOTEBOOKS)
def test_notebook_has_a_title(path):
    """The first cell is the page title (`# …`): Jupyter Book uses it in the navigation and the PDF contents."""
    nb = _nb(path)
    assert nb.cells and nb.cells[0].cell_type == "markdown" and nb.cells[0].source.lstrip().startswith("# "), \
        f"{path}: the first cell is not a '# Title' markdown cell"
