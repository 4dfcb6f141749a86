"""Writing several files of data/ as one step: all of them, or none."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from libyareport.articles._evidence import ReportError, rel


def write_all(files: dict[Path, bytes], nothing: str = "nothing was changed") -> list[Path]:
    """Write each file beside its target under a temp name (fsync'd), then rename them all; on any
    failure remove the temp files and restore what was already renamed, so data/ is as before."""
    backups: dict[Path, bytes | None] = {t: (t.read_bytes() if t.exists() else None) for t in files}
    temps: list[tuple[Path, Path]] = []
    done: list[Path] = []
    target = next(iter(files), Path("."))
    try:
        for target, data in files.items():
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tname = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            temps.append((Path(tname), target))
        for t, target in temps:
            os.replace(t, target)
            done.append(target)
    except OSError as e:
        for t, _ in temps:
            t.unlink(missing_ok=True)
        for t in done:
            old = backups[t]
            if old is None:
                t.unlink(missing_ok=True)
            else:
                t.write_bytes(old)
        raise ReportError(f"cannot write {rel(target)}: {e.strerror or e}; {nothing}") from None
    return done
