"""What commands print: one small helper, so every stage speaks the same way.

`say` is for what a command did and produced (stdout); `note` is for progress and waiting
(stderr, so a command's output stays clean when piped); `Progress` times the steps of a long
run (`[import acled] read 9 rows (0.1 s)`). `LIBYAREPORT_QUIET=1` silences `say` and `Progress`
(errors are never silenced: they are raised as `ReportError` and printed by the CLI).
"""
from __future__ import annotations

import os
import sys
import time


def _quiet() -> bool:
    return os.environ.get("LIBYAREPORT_QUIET", "") not in ("", "0")


def say(message: str) -> None:
    if not _quiet():
        print(message, flush=True)


def note(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class Progress:
    """Timed progress lines on stderr for one long step."""

    def __init__(self, enabled: bool, label: str) -> None:
        self.enabled = enabled and not _quiet()
        self.label = label
        self.t0 = time.perf_counter()

    def __call__(self, message: str) -> None:
        if self.enabled:
            note(f"[{self.label}] {message} ({time.perf_counter() - self.t0:.1f} s)")
