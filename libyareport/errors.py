"""User-facing errors: every problem names file, line and column, and what was expected."""
from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one place in one file."""

    file: str
    line: int | None
    column: str | None
    message: str
    expected: str | None = None

    def __str__(self) -> str:
        if not self.file:
            return self.message + (f" (expected {self.expected})" if self.expected else "")
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
        if self.column:
            where += f" [{self.column}]"
        text = f"{where}: {self.message}"
        if self.expected:
            text += f" (expected {self.expected})"
        return text


class ReportError(Exception):
    """An error a user can cause; the CLI prints it without a traceback and exits non-zero."""

    def __init__(self, problems: list[Problem] | Problem | str):
        if isinstance(problems, str):
            problems = [Problem(file="", line=None, column=None, message=problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def rel(path: Path | str, base: Path | None = None) -> str:
    """A path as the user should see it: relative to cwd (or base) when possible."""
    return _rel(str(path), None if base is None else str(base), os.getcwd())


@functools.lru_cache(maxsize=4096)  # asked for every file of every check: resolving costs system calls
def _rel(path: str, base: str | None, cwd: str) -> str:
    p = Path(path)
    for root in (base, cwd):
        if root is None:
            continue
        try:
            return str(p.resolve().relative_to(Path(root).resolve()))
        except ValueError:
            continue
    return str(p)
