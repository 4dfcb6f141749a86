"""A cheap stamp of a data directory (names, sizes, modification times; no file is read): what a
build compares before and after executing its chapters, and what the per-process evidence cache
is keyed on. Standard library only (the no-change build decides without importing pandas)."""
from __future__ import annotations

import hashlib
from pathlib import Path


def data_stamp(data_dir: Path) -> str:
    """Names, sizes and mtimes of every file in data/ (cheap): equal before and after a build,
    or the data changed while the chapters were being executed."""
    h = hashlib.sha256()
    for p in sorted(data_dir.rglob("*")):
        parts = p.relative_to(data_dir).parts
        if any(x.startswith((".tmp-", ".old-")) for x in parts):
            continue
        try:
            st = p.stat()
        except OSError:
            continue
        h.update(f"{'/'.join(parts)}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()
