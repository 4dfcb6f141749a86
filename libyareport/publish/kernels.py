"""Warm Jupyter kernels for the chapters: one per worker, reused for every chapter that worker runs.

Starting a kernel and importing pandas and plotly into it costs more than most chapters' own
work, so a build starts one kernel per worker (the imports done while the first chapter's inputs
are still being prepared) and papermill runs each chapter in one of them. Before every chapter
the kernel's namespace is cleared (`%reset -f`), so a chapter sees only what it defines and
imports itself, as in a fresh kernel; only already-imported modules stay loaded. A kernel that
died is replaced before its worker's next chapter.

Each kernel is started, used and shut down by the same worker thread (the kernel client's event
loop belongs to that thread).
"""
from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Self

# What every chapter imports first; loaded into each kernel as soon as it starts.
WARM_MODULES = ("pandas", "plotly.graph_objects", "plotly.io", "libyareport.render.charts",
                "libyareport.render.display", "libyareport.render.eventsections", "libyareport.render.narrative",
                "libyareport.render.sections", "libyareport.evidence.open", "myst_nb")
WARM_CODE = "import importlib as _i\n" + "".join(f"_i.import_module({m!r})\n" for m in WARM_MODULES) + "del _i\n"
RESET_CODE = "%reset -f\n"
KERNEL_NAME = "python3"


def _start(log) -> Any:
    from jupyter_client.manager import AsyncKernelManager
    from jupyter_core.utils import run_sync

    km = AsyncKernelManager(kernel_name=KERNEL_NAME)
    run_sync(km.start_kernel)(stdout=log, stderr=log)  # kernels chat on stderr: into the build's log
    return km


def _run_code(km: Any, code: str) -> None:
    """Run `code` in the kernel (as a one-cell notebook, the way papermill talks to it)."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    NotebookClient(nb, km=km, kernel_name=KERNEL_NAME, timeout=600, allow_errors=False).execute()


def _alive(km: Any) -> bool:
    from jupyter_core.utils import run_sync
    try:
        return bool(run_sync(km.is_alive)())
    except Exception:  # noqa: BLE001 - a kernel we cannot ask is not one to reuse
        return False


def _stop(km: Any) -> None:
    from jupyter_core.utils import run_sync
    with contextlib.suppress(Exception):  # already gone
        run_sync(km.shutdown_kernel)(now=True)


class KernelPool:
    """`workers` threads, each starting its own kernel at once (warming it while the caller is
    still checking the data), then running `work(item, km)` for the items given to `run`.

    Use as a context manager; leaving it shuts every kernel down (in the background; `join` waits),
    also when `run` was never called (nothing needed executing) or was abandoned half-way.
    """

    def __init__(self, workers: int, log: Path):
        self._items: queue.Queue = queue.Queue()
        self._done: queue.Queue = queue.Queue()
        self._work: Callable[[Any, Any], Any] | None = None
        log.parent.mkdir(parents=True, exist_ok=True)
        self._log = log.open("ab")
        self._threads: list[threading.Thread] = []
        self._closing = False
        self.grow(workers)

    def grow(self, workers: int) -> None:
        """At least `workers` workers (more are started, none is stopped)."""
        while len(self._threads) < workers:
            t = threading.Thread(target=self._worker, name=f"chapter-worker-{len(self._threads)}", daemon=True)
            self._threads.append(t)
            t.start()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Tell every worker to shut its kernel down once its current item is done; returns at
        once (a failed check does not wait for kernels still starting). `join` waits for them."""
        self._closing = True
        for _ in self._threads:
            self._items.put(_STOP)

    def join(self) -> None:
        for t in self._threads:
            t.join()
        self._log.close()

    def run(self, items: list, work: Callable[[Any, Any], Any]) -> Iterator[tuple[Any, Any, BaseException | None]]:
        """Yield (item, result, error) in the order the items finish; `error` is what `work` (or
        starting a kernel) raised, else None."""
        self._work = work
        for item in items:
            self._items.put(item)
        for _ in items:
            yield self._done.get()

    def _worker(self) -> None:
        km, start_error = None, None
        try:
            try:
                km = _start(self._log)
                if not self._closing:
                    _run_code(km, WARM_CODE)
            except Exception as e:  # noqa: BLE001 - reported with the first item this worker takes
                start_error = e
            while (item := self._items.get()) is not _STOP:
                try:
                    if start_error is not None:
                        e, start_error = start_error, None
                        raise e
                    if km is None or not _alive(km):
                        if km is not None:
                            _stop(km)
                        km = None
                        km = _start(self._log)
                        _run_code(km, WARM_CODE)
                    _run_code(km, RESET_CODE)
                    self._done.put((item, self._work(item, km), None))
                except BaseException as e:  # noqa: BLE001 - handed to the caller, who reports it
                    self._done.put((item, None, e))
        finally:
            if km is not None:
                _stop(km)


_STOP = object()
