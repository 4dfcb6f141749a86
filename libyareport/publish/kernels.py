"""Warm Jupyter kernels for the chapters: one per worker, reused for every chapter that worker runs.

Starting a kernel and importing pandas and plotly into it costs more than most chapters' own
work, so a build starts one kernel per worker (the imports done while the first chapter's inputs
are still being prepared) and papermill runs each chapter in one of them. Before every chapter
the kernel's namespace is cleared (`%reset -f`), so a chapter sees only what it defines and
imports itself, as in a fresh kernel; only already-imported modules stay loaded. A kernel that
died is replaced before its worker's next chapter.

A kernel that finished a build cleanly waits, idle, for the next build in the same process (the
test suite builds many books in one process; a command builds one and exits, and the idle kernels
are shut down at exit). Before each chapter the kernel is also given the build's environment
(its downloads directory), working directory and a fresh read of the schema.

A kernel is used by one worker thread at a time (each use opens its own client).
"""
from __future__ import annotations

import contextlib
import os
import queue
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from libyareport.publish.idle import Idle
from libyareport.publish.lazy import load

# What every chapter imports first; loaded into each kernel as soon as it starts.
WARM_MODULES = ("pandas", "plotly.graph_objects", "plotly.io", "libyareport.render.charts",
                "libyareport.render.display", "libyareport.render.eventsections", "libyareport.render.narrative",
                "libyareport.render.sections", "libyareport.evidence.open", "myst_nb")
# Then the objects those imports made (several hundred thousand, kept for the kernel's life) are
# moved out of the garbage collector's sight (gc.freeze): its full passes during a chapter no longer
# walk them, half the time a chapter spent collecting.
WARM_CODE = ("import importlib as _i, gc as _g\n" + "".join(f"_i.import_module({m!r})\n" for m in WARM_MODULES)
             + "_g.collect()\n_g.freeze()\ndel _i, _g\n")
KERNEL_NAME = "python3"
PASSED_ENV = ("LIBYAREPORT_DOWNLOADS", "LIBYAREPORT_ROOT")  # what a chapter reads from the build's environment


def _reset_code() -> str:
    """A clean namespace, as a fresh kernel has, with this build's environment and working directory,
    and the schema read again (its cache is keyed on the path only)."""
    env = {k: os.environ[k] for k in PASSED_ENV if k in os.environ}
    return ("%reset -f\n"
            f"import os as _o, importlib as _i\n_o.environ.update({env!r})\n_o.chdir({os.getcwd()!r})\n"
            "_i.import_module('libyareport.evidence.schema').load_package.cache_clear()\n"
            "_i.import_module('libyareport.evidence.schema_extras')._package.cache_clear()\n"
            "del _o, _i\n")


def _sync(coroutine_function: Callable) -> Callable:
    """jupyter_core's run_sync (imported once, see publish/lazy.py): the async call, waited for."""
    return load("jupyter_core.utils").run_sync(coroutine_function)


def _start(log) -> Any:
    manager = load("jupyter_client.manager")
    load("IPython.paths")  # which jupyter_client imports when it first looks for the kernel

    km = manager.AsyncKernelManager(kernel_name=KERNEL_NAME)
    _sync(km.start_kernel)(stdout=log, stderr=log)  # kernels chat on stderr: into the build's log
    return km


def _run_code(km: Any, code: str) -> None:
    """Run `code` in the kernel and wait for its reply, asking every second whether the kernel is
    still alive (a build that failed kills kernels that may be in the middle of this); an error in
    the code, or the kernel's death, is raised as a RuntimeError."""

    async def run() -> None:
        kc = km.client()
        kc.start_channels()
        try:
            await kc.wait_for_ready(timeout=60)
            msg_id = kc.execute(code, silent=True, store_history=False)
            while True:
                try:
                    reply = await kc.get_shell_msg(timeout=1)
                except queue.Empty:
                    if not await km.is_alive():
                        raise RuntimeError("the kernel died") from None
                    continue
                if reply.get("parent_header", {}).get("msg_id") == msg_id:
                    break
        finally:
            kc.stop_channels()
        if reply["content"].get("status") != "ok":
            c = reply["content"]
            raise RuntimeError(f"{c.get('ename', 'error')}: {c.get('evalue', '')}")
    _sync(run)()


def _alive(km: Any) -> bool:
    try:
        return bool(_sync(km.is_alive)())
    except Exception:  # noqa: BLE001 - a kernel we cannot ask is not one to reuse
        return False


def _stop(km: Any) -> None:
    with contextlib.suppress(BaseException):  # already gone (or killed while it was being asked)
        _sync(km.shutdown_kernel)(now=True)


_idle = Idle(_alive, _stop)  # warm kernels left by finished builds of this process


class KernelPool:
    """`workers` threads, each starting its own kernel at once (warming it while the caller is
    still checking the data), then running `work(item, km)` for the items given to `run`.

    `close` lets the workers shut their kernels down once they are done (returns at once);
    `shutdown` closes and waits. When the build failed it first kills the kernels warming up or
    running a chapter (a refused parameter does not wait for their imports); a kernel waiting for
    work, untouched by the failure, stays idle for the next build of the process, as after a
    clean build (so does one whose process was still being launched: it is waited for, and
    imports what it needs when next used). A kernel in which a chapter failed is not reused: the
    chapter may have left its modules half-way. Nothing a worker meets while the pool is closing
    is reported: the caller has its answer already.
    """

    def __init__(self, workers: int, log: Path):
        self._items: queue.Queue = queue.Queue()
        self._done: queue.Queue = queue.Queue()
        self._work: Callable[[Any, Any], Any] | None = None
        log.parent.mkdir(parents=True, exist_ok=True)
        self._log = log.open("ab")
        self._threads: list[threading.Thread] = []
        self._kms: set = set()
        self._waiting: set = set()  # warm kernels whose worker waits for an item
        self._killed: set = set()
        self._guard = threading.Lock()
        self._closing = False
        self._killing = False
        self._left = 0
        self._stop_on_error = False
        self.not_run: list = []
        self.grow(workers)

    def grow(self, workers: int) -> None:
        """At least `workers` workers (more are started, none is stopped)."""
        while len(self._threads) < workers:
            t = threading.Thread(target=self._worker, name=f"chapter-worker-{len(self._threads)}", daemon=True)
            self._threads.append(t)
            t.start()

    def close(self) -> None:
        if not self._closing:
            self._closing = True
            for _ in self._threads:
                self._items.put(_STOP)

    def shutdown(self, kill: bool = False) -> None:
        if kill:  # before the workers are told to stop: a waiting one must still count as waiting
            with self._guard:
                self._killing = True
                kms = [km for km in self._kms if km not in self._waiting]
                self._killed.update(kms)
            for km in kms:
                proc = getattr(getattr(km, "provisioner", None), "process", None)
                with contextlib.suppress(Exception):
                    proc.kill()
        self.close()
        for t in self._threads:
            t.join()
        self._log.close()

    def run(self, items: list, work: Callable[[Any, Any], Any],
            stop_on_error: bool = False) -> Iterator[tuple[Any, Any, BaseException | None]]:
        """Yield (item, result, error) in the order the items finish; `error` is what `work` (or
        starting a kernel) raised, else None. `stop_on_error`: once an item failed, the items no
        worker has started are not run (nor yielded; they are in `not_run`); those running finish."""
        self._work, self._stop_on_error, self.not_run = work, stop_on_error, []
        with self._guard:
            self._left = len(items)  # results still to come: less the items taken back
        for item in items:
            self._items.put(item)
        while True:
            with self._guard:
                if self._left <= 0:
                    return
                self._left -= 1
            yield self._done.get()

    def _failed(self, item: Any, error: BaseException) -> None:
        if self._stop_on_error:
            with self._guard:  # before the failure is handed over: no worker takes another item
                while True:
                    try:
                        nxt = self._items.get_nowait()
                    except queue.Empty:
                        break
                    if nxt is _STOP:  # closing already: the workers keep their stop
                        self._items.put(nxt)
                        break
                    self.not_run.append(nxt)
                    self._left -= 1
        self._done.put((item, None, error))

    def _new_kernel(self) -> Any:
        km = _idle.take() if not self._closing else None
        fresh = km is None
        if fresh:
            km = _start(self._log)
        with self._guard:
            self._kms.add(km)
        if fresh and not self._closing:
            _run_code(km, WARM_CODE)
        return km

    def _drop(self, km: Any) -> None:
        with self._guard:
            self._kms.discard(km)
        _stop(km)

    def _wait(self, km: Any) -> Any:
        """The next item, while `km` (if any) counts as a warm kernel waiting for work."""
        with self._guard:
            if km is not None:
                self._waiting.add(km)
        item = self._items.get()
        with self._guard:
            self._waiting.discard(km)
            if self._killing:
                return _STOP
        return item

    def _worker(self) -> None:
        km, start_error = None, None
        try:
            try:
                km = self._new_kernel()
            except BaseException as e:  # noqa: BLE001 - reported with the first item this worker takes
                start_error = e
            while (item := self._wait(km)) is not _STOP:
                try:
                    if start_error is not None:
                        e, start_error = start_error, None
                        raise e
                    if km is None or not _alive(km):
                        if km is not None:
                            self._drop(km)
                        km = None
                        km = self._new_kernel()
                    _run_code(km, _reset_code())
                    self._done.put((item, self._work(item, km), None))
                except BaseException as e:  # noqa: BLE001 - handed to the caller, who reports it
                    if km is not None:  # not reused (see the class's docstring); the next item gets a new one
                        self._drop(km)
                        km = None
                    self._failed(item, e)
        except BaseException:  # only while closing (a killed kernel): nobody waits for it
            if not self._closing:
                raise
        finally:
            if km is not None:
                if km in self._killed or not _alive(km):
                    self._drop(km)
                else:  # clean: warm for the next build of this process
                    with self._guard:
                        self._kms.discard(km)
                    _idle.put(km)


_STOP = object()
