"""Processes a finished build leaves for the next build of the same process (warm kernels, the
Jupyter Book process): taken back if still alive, ended at exit."""
from __future__ import annotations

import atexit
import threading
from collections.abc import Callable
from typing import Any


class Idle:
    """A stack of idle processes; `alive(p)` says whether one can still serve, `end(p)` ends one."""

    def __init__(self, alive: Callable[[Any], bool], end: Callable[[Any], None]):
        self._items: list = []
        self._lock = threading.Lock()
        self._alive, self._end = alive, end
        atexit.register(self.end_all)

    def take(self) -> Any:
        """The last one put back that is still alive (the dead are ended), or None."""
        while True:
            with self._lock:
                item = self._items.pop() if self._items else None
            if item is None or self._alive(item):
                return item
            self._end(item)

    def put(self, item: Any) -> None:
        if not self._alive(item):
            self._end(item)
            return
        with self._lock:
            self._items.append(item)

    def end_all(self) -> None:
        with self._lock:
            items, self._items[:] = list(self._items), []
        for item in items:
            self._end(item)

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self):
        return iter(list(self._items))
