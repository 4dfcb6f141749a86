"""The modules a build imports in its threads, imported one thread at a time.

A build imports its heavy modules where they are first needed, in the thread that needs them, so
that kernels start while the data is checked and the briefing is laid out while chapters run: the
chapter workers import jupyter_client, IPython.paths and papermill, the briefing's thread the
renderer (pandas, plotly, IPython.display), the printing thread Playwright. Python locks each
module only while that module is imported: two threads importing parts of one package whose
modules import one another (IPython's do) fail, one with "cannot import name … from partially
initialized module" or `_DeadlockError`. A cold build whose briefing and first kernel started
together failed so. Each of those imports goes through `load`, under one lock: the second thread
waits, then finds the module loaded. (Importing holds the interpreter lock anyway: nothing that
ran side by side is lost.)
"""
from __future__ import annotations

import importlib
import sys
import threading
from types import ModuleType

_LOCK = threading.RLock()


def load(name: str) -> ModuleType:
    """`importlib.import_module(name)`, one thread at a time (at once when already loaded)."""
    mod = sys.modules.get(name)
    if mod is not None and not getattr(getattr(mod, "__spec__", None), "_initializing", False):
        return mod
    with _LOCK:
        return importlib.import_module(name)
