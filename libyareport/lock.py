"""One writer at a time: an advisory lock on a directory (the build dir, or data/).

    with writer_lock(data_dir, "import"):          # exclusive: nobody else reads or writes
        ...
    with writer_lock(data_dir, "build", shared=True):  # readers share; a writer waits for them
        ...

The lock is `flock(2)` on the directory itself, so it leaves no file in data/ or _build/ and
is released by the kernel when a process dies (`kill -9` included): a stale lock cannot exist.
Who holds it is noted in a small file in the system temporary directory, only for the message.

A second writer waits (saying once what it waits for) for up to LIBYAREPORT_LOCK_TIMEOUT
seconds (default 600; 0 refuses at once), then gives up with one line. The lock is re-entrant
within a process: `build` holding the build dir may call the briefing, which takes it too.
"""
from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from libyareport.errors import Problem, ReportError, rel
from libyareport.progress import note

DEFAULT_TIMEOUT = 600.0
_HELD: dict[tuple[int, int], int] = {}  # (st_dev, st_ino) -> how many times this process holds it


def lock_timeout() -> float:
    text = os.environ.get("LIBYAREPORT_LOCK_TIMEOUT", "").strip()
    try:
        return max(0.0, float(text)) if text else DEFAULT_TIMEOUT
    except ValueError:
        return DEFAULT_TIMEOUT


def _note_path(st: os.stat_result) -> Path:
    return Path(tempfile.gettempdir()) / f"libyareport-lock-{st.st_dev}-{st.st_ino}.txt"


def _holder(st: os.stat_result) -> str:
    try:
        return _note_path(st).read_text(encoding="utf-8").strip() or "another libyareport command"
    except OSError:
        return "another libyareport command"


@contextlib.contextmanager
def writer_lock(directory: str | Path, what: str, *, shared: bool = False,
                timeout: float | None = None) -> Iterator[None]:
    """Hold the lock on `directory` (which must exist) while the block runs."""
    path = Path(directory)
    shown = rel(path)
    try:
        st = path.stat()
    except OSError:
        raise ReportError(Problem(shown, None, None, "directory does not exist", "an existing directory")) from None
    if not path.is_dir():
        raise ReportError(Problem(shown, None, None, "is a file, not a directory", "a directory"))
    key = (st.st_dev, st.st_ino)
    if key in _HELD:
        _HELD[key] += 1
        try:
            yield
        finally:
            _HELD[key] -= 1
        return
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        mode = fcntl.LOCK_SH if shared else fcntl.LOCK_EX
        wait = lock_timeout() if timeout is None else timeout
        deadline = time.monotonic() + wait
        told = False
        while True:
            try:
                fcntl.flock(fd, mode | fcntl.LOCK_NB)
                break
            except OSError as e:
                if e.errno not in (errno.EWOULDBLOCK, errno.EAGAIN):
                    raise
            holder = _holder(st)
            if time.monotonic() >= deadline:
                waited = f" after waiting {wait:g} s" if wait else ""
                raise ReportError(Problem(shown, None, None,
                                          f"{what}: {holder} is using this directory{waited}; nothing was changed",
                                          "one writer at a time: run it again when the other command has finished")) from None
            if not told:
                note(f"{what}: waiting for {holder} to finish with {shown} …")
                told = True
            time.sleep(0.1)
        with contextlib.suppress(OSError):
            _note_path(st).write_text(f"{what} (pid {os.getpid()})\n", encoding="utf-8")
        _HELD[key] = 1
        try:
            yield
        finally:
            del _HELD[key]
            with contextlib.suppress(OSError):
                _note_path(st).unlink()
    finally:
        os.close(fd)  # closing the descriptor releases the lock
