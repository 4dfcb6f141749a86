"""`build` and `run`: check → papermill (parallel, incremental) → Jupyter Book → atomic swap.

Layout under `_build/`:
  executed/<nb>            executed notebooks, each with <nb>.key (what it was computed from)
  failed/<nb>              the executed notebook of a chapter that failed in the last build, for inspection
  stage/                   the staging copy of the book that jupyter-book builds
  html/                    the published book, replaced only when a whole build succeeded
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import nbformat

from libyareport.errors import Problem, ReportError, rel
from libyareport.evidence.stamp import data_stamp
from libyareport.progress import say
from libyareport.publish.idle import Idle
from libyareport.publish.kernels import KernelPool
from libyareport.publish.lazy import load

ROOT = Path(__file__).resolve().parents[2]
BOOK_FILES = ("_config.yml", "_toc.yml")
BOOK_DIRS = ("_static", "_ext")


@dataclass(frozen=True)
class Chapter:
    name: str
    path: str  # notebook path relative to the repository root
    reads_events: bool  # reads imported event data (re-run when an import changes)
    weight: int  # rough execution cost: the heaviest start first, so the workers finish together


CHAPTERS = (
    Chapter("intro", "intro.ipynb", True, 2),
    Chapter("01_chronology", "chapters/01_chronology.ipynb", True, 5),
    Chapter("02_actors_and_backers", "chapters/02_actors_and_backers.ipynb", True, 2),
    Chapter("03_humanitarian_toll", "chapters/03_humanitarian_toll.ipynb", True, 3),
    Chapter("04_international_response", "chapters/04_international_response.ipynb", False, 1),
    Chapter("05_sources_and_method", "chapters/05_sources_and_method.ipynb", False, 1),
)


def chapter(name: str) -> Chapter:
    for c in CHAPTERS:
        if name in (c.name, c.path, Path(c.path).stem) or c.name.startswith(name + "_") or c.name.split("_", 1)[-1] == name:
            return c
    raise ReportError(f"unknown chapter '{name}'; expected one of: " + ", ".join(c.name for c in CHAPTERS))


def _book_frame_files() -> list[Path]:
    """Everything of the book that is not a chapter: config, TOC, extension, static files."""
    return [ROOT / f for f in BOOK_FILES] + [p for d in BOOK_DIRS for p in (ROOT / d).rglob("*")
                                             if p.is_file() and "__pycache__" not in p.parts]


def _hash_files(paths: list[Path]) -> str:
    h = hashlib.sha256()
    for p in sorted(paths):
        h.update(str(p.relative_to(ROOT)).encode())
        h.update(p.read_bytes())
    return h.hexdigest()


def code_hash() -> str:
    """Every file of the package, in subpackages too (a moved module must not reuse a stale chapter)."""
    return _hash_files([p for p in (ROOT / "libyareport").rglob("*")
                        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"])[:16]


def events_hash(data_dir: Path, datasets: str) -> str:
    from libyareport.imports.store import selected_datasets
    h = hashlib.sha256()
    for meta in selected_datasets(data_dir, datasets):
        h.update(json.dumps(meta, sort_keys=True, default=str).encode())  # hand-edited metadata counts too
    return h.hexdigest()[:16]


def chapter_key(ch: Chapter, params: dict, data_fp: str, ev_fp: str, code_fp: str) -> str:
    nb = (ROOT / ch.path).read_bytes()
    payload = {"nb": hashlib.sha256(nb).hexdigest(), "params": params, "data": data_fp, "code": code_fp,
               "events": ev_fp if ch.reads_events else ""}
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()[:20]


def _kernel_env() -> None:
    os.environ["LIBYAREPORT_ROOT"] = str(ROOT)
    pp = os.environ.get("PYTHONPATH", "")
    if str(ROOT) not in pp.split(os.pathsep):
        os.environ["PYTHONPATH"] = str(ROOT) + (os.pathsep + pp if pp else "")
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")


def _execute(ch: Chapter, params: dict, build: Path, key: str, km) -> tuple[Chapter, float]:
    """Run one chapter with papermill in the warm kernel `km` (publish/kernels.py); on success the
    executed notebook and its key are stored."""
    pm = load("papermill")  # in a chapter worker's thread (see publish/lazy.py)
    PapermillExecutionError = load("papermill.exceptions").PapermillExecutionError

    out = build / "executed" / ch.path
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".running.ipynb")
    failed = build / "failed" / ch.path
    t0 = time.perf_counter()
    try:
        pm.execute_notebook(str(ROOT / ch.path), str(tmp), parameters=params,
                            kernel_name="python3", progress_bar=False, log_output=False, request_save_on_cell_execute=False,
                            km=km)
    except PapermillExecutionError as e:
        failed.parent.mkdir(parents=True, exist_ok=True)
        if tmp.exists():
            tmp.replace(failed)
        first = (e.source or "").strip().splitlines()
        # the cell's place in the executed notebook (a reused kernel's execution counts run on)
        where = f"cell {e.cell_index + 1}" + (f" ({first[0][:60]})" if first else "")
        raise ReportError(Problem(ch.path, None, None, f"chapter failed in {where}: {e.ename}: {e.evalue}",
                                  f"a clean run; the executed notebook is kept at {rel(failed)}")) from None
    except Exception as e:  # noqa: BLE001 - kernel died, missing kernel, …: reported, not a traceback
        if tmp.exists():
            failed.parent.mkdir(parents=True, exist_ok=True)
            tmp.replace(failed)
        raise _kernel_problem(ch, e) from None
    nb = nbformat.read(tmp, as_version=4)
    nb.metadata["libyareport"] = {"key": key}  # what this page was computed from, verified before publishing
    for cell in nb.cells:
        tags = cell.metadata.setdefault("tags", [])
        if ("parameters" in tags or "injected-parameters" in tags) and "remove-cell" not in tags:
            tags.append("remove-cell")
    nbformat.write(nb, tmp)
    tmp.replace(out)
    (build / "executed" / (ch.path + ".key")).write_text(key)
    if failed.exists():
        failed.unlink()
    return ch, time.perf_counter() - t0


def _kernel_problem(ch: Chapter, e: BaseException) -> ReportError:
    return ReportError(Problem(ch.path, None, None, f"chapter could not be executed: {type(e).__name__}: {e}",
                               "a working Jupyter kernel 'python3' (pip install -r requirements.txt)"))


# plotly.js's cartesian partial bundle (npm, installed by `make setup`): the scatter, bar and heatmap
# traces every chart uses, in 1.5 MB instead of the full bundle's 4.8 MB a reader's browser parses on
# every chart page.
CARTESIAN_JS = ROOT / "node_modules" / "plotly.js-cartesian-dist-min" / "plotly-cartesian.min.js"


def _js_version(path: Path) -> str | None:
    with path.open("rb") as fh:
        m = re.search(rb"plotly\.js.*? v(\d+\.\d+\.\d+)", fh.read(300))
    return m.group(1).decode() if m else None


def _plotly_js() -> Path:
    """The plotly.js the pages load: the cartesian bundle when it is installed at the version of
    plotly's own full bundle (the figures are made for that version), else the full bundle."""
    import plotly
    full = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    if CARTESIAN_JS.is_file() and _js_version(CARTESIAN_JS) == _js_version(full):
        return CARTESIAN_JS
    return full


def _sync_stage(build: Path) -> Path:
    """Mirror book config, static files and executed notebooks into the staging copy.
    Unchanged files keep their mtimes so Sphinx rebuilds only what changed."""
    stage = build / "stage"
    stage.mkdir(parents=True, exist_ok=True)

    def put(src: Path, dst: Path) -> None:
        dst.parent.mkdir(parents=True, exist_ok=True)
        if dst.exists() and dst.read_bytes() == src.read_bytes():
            return
        shutil.copy2(src, dst)

    for f in BOOK_FILES:
        put(ROOT / f, stage / f)
    for d in BOOK_DIRS:
        for p in (ROOT / d).rglob("*"):
            if p.is_file() and "__pycache__" not in p.parts:
                put(p, stage / p.relative_to(ROOT))
    put(_plotly_js(), stage / "_static" / "plotly.min.js")
    downloads = build / "downloads"  # CSVs and the evidence zip written by the chapters (see render/downloads.py)
    if downloads.is_dir():
        for p in downloads.iterdir():
            if p.is_file() and not p.name.endswith(".tmp"):
                put(p, stage / "_static" / "downloads" / p.name)
    for ch in CHAPTERS:
        put(build / "executed" / ch.path, stage / ch.path)
    return stage


class JupyterBook:
    """One `jupyter-book build`, in a process started early (`start`: imports done while chapters
    still run; publish/jbrun.py) and told what to build later (`build`). A process that built
    cleanly, or was not needed (`close`), waits idle for the next build of this process (the
    test suite builds many books; a command builds one and exits, and the idle one is ended)."""

    def __init__(self) -> None:
        self._proc: subprocess.Popen | None = None

    def start(self) -> None:
        if self._proc is None:
            self._proc = _jb_idle.take() or subprocess.Popen(
                [sys.executable, "-m", "libyareport.publish.jbrun"], stdin=subprocess.PIPE,
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def close(self) -> None:
        if self._proc is not None:  # not told anything: clean, kept for the next build
            _jb_idle.put(self._proc)
        self._proc = None

    def build(self, stage: Path, full: bool) -> None:
        args = ["build", str(stage), "-W", "-n", "--keep-going", "--builder", "html"] + (["--all"] if full else [])
        log = stage / "jupyter-book.log"
        self.start()
        proc, self._proc = self._proc, None
        assert proc is not None and proc.stdin is not None and proc.stdout is not None
        try:
            proc.stdin.write(json.dumps({"args": args, "env": dict(os.environ), "cwd": os.getcwd(), "log": str(log)}) + "\n")
            proc.stdin.flush()
            answer = proc.stdout.readline().strip()
        except OSError:  # it ended before it was asked (killed, or its imports failed)
            answer = ""
        code = int(answer) if answer.lstrip("-").isdigit() else None
        if code == 0:
            log.unlink(missing_ok=True)
            _jb_idle.put(proc)
            return
        with contextlib.suppress(OSError):
            proc.kill()
        # what it said before its answer (why its imports failed, …); communicate also waits and closes the pipes
        said = proc.communicate(timeout=30)[1] or ""
        out = log.read_text(encoding="utf-8", errors="replace") if log.is_file() else ""
        if code is None:
            out += said
            log.write_text(out, encoding="utf-8")
        lines = [ln for ln in out.splitlines() if "WARNING" in ln or "ERROR" in ln or "Error" in ln]
        shown = "\n  ".join(lines[:15]) or out[-1500:] or f"the jupyter-book process ended (exit code {proc.returncode})"
        raise ReportError(Problem("jupyter-book", None, None, f"book build failed:\n  {shown}",
                                  f"a clean Sphinx build; full log at {rel(log)}; the previous book is unchanged"))


def _end_jb(proc: subprocess.Popen) -> None:
    with contextlib.suppress(OSError):
        proc.kill()
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=30)
    for f in (proc.stdin, proc.stdout, proc.stderr):
        with contextlib.suppress(OSError, ValueError):
            if f is not None:
                f.close()


_jb_idle = Idle(lambda proc: proc.poll() is None, _end_jb)  # Jupyter Book processes waiting for this process's next build


def _publish(stage: Path, build: Path) -> Path:
    """Swap the freshly built HTML into _build/html in one rename. A copy that fails (disk
    full, …) is removed and the previous book stays as it was."""
    src = stage / "_build" / "html"
    new = build / "html.new"
    old = build / "html.old"
    for p in (new, old):
        if p.exists():
            shutil.rmtree(p)
    try:
        shutil.copytree(src, new)
    except (OSError, shutil.Error) as e:
        shutil.rmtree(new, ignore_errors=True)
        raise ReportError(Problem(rel(new), None, None, f"could not publish the book: {_os_reason(e)}",
                                  f"free space and a writable {rel(build)}; the previous book is unchanged")) from None
    target = build / "html"
    if target.exists():
        target.replace(old)
    new.replace(target)
    if old.exists():
        shutil.rmtree(old)
    return target


def build_book(params: dict, force: set[str] | None = None, build_dir: Path | None = None, jobs: int | None = None,
               pdf: bool = True) -> dict:
    """The whole pipeline. Returns what happened (for tests and benchmarks)."""
    from libyareport.lock import writer_lock
    from libyareport.params import resolve_data_dir

    build = build_dir or ROOT / "_build"
    prepare_build_dir(build)
    data_dir = resolve_data_dir(str(params["data_dir"]))
    with writer_lock(build, "build"), _reading(data_dir, "build"):
        try:
            clean_leftovers(build)
            quick = _unchanged(params, build, data_dir, force, pdf)
            if quick is not None:
                return quick
            result = _build_locked(params, force, build, data_dir, jobs, pdf)
            _record(params, build, data_dir, result)
            return result
        except OSError as e:  # a full disk, a read-only build dir, …: one line, never a traceback
            raise ReportError(Problem(rel(e.filename) if e.filename else rel(build), None, None, _os_reason(e),
                                      "free space and a writable build directory; the published book was left as it was")) from None


LAST_BUILD = "last-build.json"


def _inputs_key(params: dict, data_dir: Path) -> str:
    """Everything a build reads, cheaply: data/ (names, sizes, mtimes), the package's code, the
    notebooks and book files, the parameters. Decides "nothing changed" without importing pandas,
    plotly or a kernel."""
    notebooks = [ROOT / ch.path for ch in CHAPTERS]
    return hashlib.sha256(json.dumps({
        "data": data_stamp(data_dir) if data_dir.is_dir() else "", "code": code_hash(),
        "book": _hash_files(_book_frame_files() + [p for p in notebooks if p.is_file()]),
        "params": {**params, "data_dir": str(data_dir)},
    }, sort_keys=True, default=str).encode()).hexdigest()


def _unchanged(params: dict, build: Path, data_dir: Path, force: set[str] | None, pdf: bool) -> dict | None:
    """The result of the last build when its inputs are the same and its book is still there."""
    if force:
        return None
    try:
        last = json.loads((build / LAST_BUILD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    html_dir = build / "html"
    if last.get("inputs") != _inputs_key(params, data_dir) or not (html_dir / "index.html").is_file():
        return None
    if last.get("build") != _build_stamp(build):
        return None  # the build directory was touched since (a page, a key, the briefing): check it all
    if pdf and not last.get("briefing"):
        return None  # the last build could not print its briefing: try again
    say(f"book: unchanged — nothing changed since the last build (data, code, notebooks, parameters); "
        f"{rel(html_dir)} is up to date")
    return {"executed": [], "reused": [c.name for c in CHAPTERS], "built": False, "html": html_dir, "seconds": 0.0,
            "pdf": Path(last["briefing"]) if last.get("briefing") else None, "unchanged": True}


def _inputs_changed(params: dict, build: Path, data_dir: Path) -> bool:
    """Whether chapters will probably need executing: the inputs differ from the last build's, or
    an executed chapter is missing (a guess for starting kernels early; `plan` decides)."""
    try:
        last = json.loads((build / LAST_BUILD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return True
    missing = any(not (build / "executed" / (ch.path + ".key")).is_file() for ch in CHAPTERS)
    return missing or last.get("inputs") != _inputs_key(params, data_dir)


def _build_stamp(build: Path) -> str:
    """Names, sizes and mtimes of what a build leaves to decide the next one: executed pages and
    their keys, the published book's key and landing page, the briefing and its key."""
    h = hashlib.sha256()
    paths = sorted((build / "executed").rglob("*")) if (build / "executed").is_dir() else []
    paths += [build / "html.key", build / "html" / "index.html", build / "pdf" / "briefing.pdf", build / "pdf" / "briefing.key"]
    for p in paths:
        try:
            st = p.stat()
        except OSError:
            h.update(f"{p.name}\0-\n".encode())
            continue
        h.update(f"{p.relative_to(build)}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


def _record(params: dict, build: Path, data_dir: Path, result: dict) -> None:
    tmp = build / (LAST_BUILD + ".tmp")
    tmp.write_text(json.dumps({"inputs": _inputs_key(params, data_dir), "build": _build_stamp(build),
                               "briefing": str(result["pdf"]) if result.get("pdf") else None}), encoding="utf-8")
    os.replace(tmp, build / LAST_BUILD)


def _os_reason(e: BaseException) -> str:
    if isinstance(e, shutil.Error) and e.args and isinstance(e.args[0], list) and e.args[0]:
        return str(e.args[0][0][-1])[:200]  # copytree's list of (src, dst, why): the first why
    return getattr(e, "strerror", None) or str(e)[:200] or type(e).__name__


def prepare_build_dir(build: Path) -> None:
    """The build directory exists and is writable, or one line says why not."""
    if build.exists() and not build.is_dir():
        raise ReportError(Problem(rel(build), None, "--build-dir", "is a file, not a directory",
                                  "a directory to build into (created when missing)"))
    try:
        build.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise ReportError(Problem(rel(build), None, None, f"cannot create the build directory: {_os_reason(e)}",
                                  "a writable place to build (--build-dir DIR)")) from None
    if not os.access(build, os.W_OK):
        raise ReportError(Problem(rel(build), None, None, "the build directory is not writable",
                                  "a writable place to build (--build-dir DIR); nothing was changed"))


def _reading(data_dir: Path, what: str):
    """A shared lock on data/ while it is read: imports and edits wait; other builds read too."""
    from libyareport.lock import writer_lock
    return writer_lock(data_dir, what, shared=True) if data_dir.is_dir() else contextlib.nullcontext()


def clean_leftovers(build: Path) -> None:
    """Remove what a killed run left in the build dir (called with the build dir locked)."""
    for name in ("html.new", "html.old"):
        shutil.rmtree(build / name, ignore_errors=True)
    for p in (build / "executed").rglob("*.running.ipynb") if (build / "executed").is_dir() else []:
        p.unlink(missing_ok=True)
    for p in (build / "pdf").glob("*.tmp") if (build / "pdf").is_dir() else []:
        p.unlink(missing_ok=True)
    (build / "pdf" / STAGED_BRIEFING).unlink(missing_ok=True)


def verify_pages(build: Path, keys: dict[str, str], run_params: dict) -> None:
    """Every page about to be published was executed for this data and these parameters."""
    wrong = []
    for ch in CHAPTERS:
        path = build / "executed" / ch.path
        try:
            meta = json.loads(path.read_text(encoding="utf-8")).get("metadata", {})
        except (OSError, ValueError):
            wrong.append(f"{ch.name} (executed notebook unreadable)")
            continue
        if meta.get("libyareport", {}).get("key") != keys[ch.name]:
            wrong.append(f"{ch.name} (computed from other data or code)")
        elif meta.get("papermill", {}).get("parameters") != json.loads(json.dumps(run_params, default=str)):
            wrong.append(f"{ch.name} (executed with other parameters)")
    if wrong:
        for ch in CHAPTERS:  # never reuse them
            (build / "executed" / (ch.path + ".key")).unlink(missing_ok=True)
        raise ReportError(Problem(rel(build / "executed"), None, None, "pages disagree on data or parameters: " + ", ".join(wrong),
                                  "every page executed for one data fingerprint and one set of parameters; "
                                  "the published book was left as it was, run build again"))


def plan(params: dict, data_dir: Path) -> tuple[str, dict, dict[str, str]]:
    """Check the data once; (data fingerprint, the chapters' parameters, each chapter's key)."""
    from libyareport.evidence.check import load_checked
    from libyareport.evidence.model import fingerprint

    loaded = load_checked(data_dir)
    if loaded.problems:
        raise ReportError(loaded.problems[:50] + ([Problem("check", None, None, f"… and {len(loaded.problems) - 50} more")]
                                                   if len(loaded.problems) > 50 else []))
    fp = fingerprint(data_dir)
    run_params = {**params, "data_dir": str(data_dir)}
    ev_fp = events_hash(data_dir, str(params["datasets"]))
    code_fp = code_hash()
    return fp, run_params, {ch.name: chapter_key(ch, run_params, fp, ev_fp, code_fp) for ch in CHAPTERS}


def book_key_of(keys: dict[str, str]) -> str:
    return hashlib.sha256(json.dumps([keys[c.name] for c in CHAPTERS]).encode()
                          + _hash_files(_book_frame_files()).encode()).hexdigest()[:20]


def print_briefing(params: dict, build_dir: Path | None = None) -> Path:
    """`pdf`: print the briefing for `params`. When the published book is the edition of these
    parameters and this data, it becomes the book's linked briefing; otherwise it is written next
    to the book (pdf/briefing-<start>_<end>-<key>.pdf) and the book's own briefing is untouched."""
    from libyareport.lock import writer_lock
    from libyareport.params import resolve_data_dir
    from libyareport.publish.briefing import build_briefing

    build = build_dir or ROOT / "_build"
    prepare_build_dir(build)
    data_dir = resolve_data_dir(str(params["data_dir"]))
    with writer_lock(build, "pdf"), _reading(data_dir, "pdf"):
        clean_leftovers(build)
        _, _, keys = plan(params, data_dir)
        key = book_key_of(keys)
        html_dir = build / "html"
        book_key_file = build / "html.key"
        has_book = (html_dir / "index.html").is_file() and book_key_file.is_file()
        if not has_book or book_key_file.read_text() == key:
            out = build / "pdf" / "briefing.pdf"
            (build / "pdf" / "briefing.key").unlink(missing_ok=True)
            build_briefing(params, build_dir=build, quiet=True, out=out)
            (build / "pdf" / "briefing.key").write_text(key)
            if has_book:
                link_briefing(html_dir, out)
            say(f"pdf: wrote {rel(out)}" + (" (linked from the book's landing page)" if has_book else ""))
            return out
        window = f"{params.get('start_date') or 'start'}_{params.get('end_date') or 'end'}"
        out = build / "pdf" / f"briefing-{window}-{key[:8]}.pdf"
        build_briefing(params, build_dir=build, quiet=True, out=out)
        say(f"pdf: wrote {rel(out)}; the book in {rel(html_dir)} was built for other parameters or data, "
              "so its linked briefing is unchanged")
        return out


def _build_locked(params: dict, force: set[str] | None, build: Path, data_dir: Path, jobs: int | None, pdf: bool) -> dict:
    _kernel_env()
    os.environ["LIBYAREPORT_DOWNLOADS"] = str(build / "downloads")  # chapters write their CSVs here
    cap = max(1, jobs or os.cpu_count() or 1)
    # Kernels start (and import pandas and plotly) while the data is checked, as many as are
    # likely needed: none when the inputs are those of the last build (only the briefing or the
    # book's pages are missing), as many as `run` forces; more follow if chapters turn out stale.
    likely = len(CHAPTERS) if _inputs_changed(params, build, data_dir) else len(force or ())
    pool = KernelPool(min(cap, likely), build / "kernels.log")
    jb, free_core = JupyterBook(), threading.Event()
    ok = False
    try:
        result = _build_with(pool, jb, free_core, params, force, build, data_dir, cap, pdf)
        ok = True
        return result
    finally:
        free_core.set()  # a briefing still waiting for a core (a step failed) goes on and ends
        jb.close()  # not needed after all (nothing to build, or a step failed): it ends unused
        pool.shutdown(kill=not ok)  # a failed build does not wait for kernels still starting


def _build_with(pool: KernelPool, jb: JupyterBook, free_core: threading.Event, params: dict, force: set[str] | None,
                build: Path, data_dir: Path, cap: int, pdf: bool) -> dict:
    t0 = time.perf_counter()
    clean_leftovers(build)
    stamp = data_stamp(data_dir) if data_dir.is_dir() else ""
    fp, run_params, keys = plan(params, data_dir)
    say(f"check: {rel(data_dir)} is valid (fingerprint {fp})")
    todo, reused = [], []
    for ch in CHAPTERS:
        key_file = build / "executed" / (ch.path + ".key")
        fresh = key_file.is_file() and key_file.read_text() == keys[ch.name] and (build / "executed" / ch.path).is_file()
        if fresh and ch.name not in (force or set()):
            reused.append(ch.name)
        else:
            todo.append(ch)
    book_key = book_key_of(keys)
    # The briefing needs only the data and the parameters: its page is rendered while the
    # chapters run and printed (into a staging file that becomes the linked briefing only when
    # this book is published) once they leave a core free, next to Jupyter Book, whose
    # imports start then too.
    early = ThreadPoolExecutor(max_workers=1)
    briefing_job = (early.submit(_print_staged_briefing, params, build, free_core.wait)
                    if pdf and not _briefing_current(build, book_key) else None)

    def overlap() -> None:
        jb.start()
        free_core.set()
    executed: list[str] = []
    if todo:
        shutil.rmtree(build / "failed", ignore_errors=True)  # the last build's: this one says again what fails
        n = len(todo)
        workers = min(cap, n)
        pool.grow(workers)
        if n < cap:  # a core is free from the start (`run`, one stale chapter)
            overlap()
        say(f"execute: {n} chapter{'s' * (n != 1)} on {workers} worker{'s' * (workers != 1)}"
             + (f" (reusing {', '.join(reused)})" if reused else ""))
        errors: list[ReportError] = []
        # The book cannot be published once a chapter failed: the chapters not started then are
        # not run (a bad parameter fails every chapter, each in a new kernel); those running finish.
        runs = pool.run(sorted(todo, key=lambda c: -c.weight), lambda ch, km: _execute(ch, run_params, build, keys[ch.name], km),
                        stop_on_error=True)
        for i, (ch, result, error) in enumerate(runs, 1):
            if i > n - workers and not errors:  # a worker has nothing left to take
                overlap()
            if error is None:
                executed.append(ch.name)
                say(f"  [{i}/{n}] {ch.name}: executed in {result[1]:.1f} s")
            else:
                errors.append(error if isinstance(error, ReportError) else _kernel_problem(ch, error))
                say(f"  [{i}/{n}] {ch.name}: FAILED")
        if errors:
            free_core.set()
            early.shutdown(wait=True)
            skipped = ([Problem("build", None, None, "not run after the first failure: "
                                + ", ".join(c.name for c in sorted(pool.not_run, key=CHAPTERS.index)))] if pool.not_run else [])
            raise ReportError([p for e in errors for p in e.problems] + skipped +
                              [Problem("build", None, None, "the published book was left as it was")])
    else:
        say("execute: nothing changed, all chapters reused")
    pool.close()  # the kernels shut down while Jupyter Book builds
    overlap()
    if data_dir.is_dir() and data_stamp(data_dir) != stamp:
                raise ReportError(Problem(rel(data_dir), None, None, "the data changed while the chapters were being executed",
                                  "no edits or imports during a build; the published book was left as it was, run build again"))
    verify_pages(build, keys, run_params)
    html_dir = build / "html"
    key_file = build / "html.key"
    if not todo and key_file.is_file() and key_file.read_text() == book_key and (html_dir / "index.html").is_file():
        say(f"book: unchanged, {rel(html_dir)} is up to date")
        built = False
    else:
        stage = _sync_stage(build)
        # Sphinx notices changed notebooks but not a changed extension or stylesheet: rebuild all then.
        frame_key = _hash_files(_book_frame_files())
        frame_file = stage / ".frame.key"
        full = not frame_file.is_file() or frame_file.read_text() != frame_key
        say("book: jupyter-book build (-W -n --keep-going" + (", all pages)" if full else ", changed pages)"))
        t1 = time.perf_counter()
        frame_file.unlink(missing_ok=True)
        jb.build(stage, full)
        frame_file.write_text(frame_key)
        _publish(stage, build)
        key_file.write_text(book_key)
        built = True
        say(f"book: built in {time.perf_counter() - t1:.1f} s")
    early.shutdown(wait=True)
    pdf_path = _briefing_step(params, build, html_dir, book_key, pdf, briefing_job)
    total = time.perf_counter() - t0
    say(f"done in {total:.1f} s: open {rel(html_dir / 'index.html')} in a browser "
         f"(re-ran: {', '.join(executed) or 'none'}; reused: {', '.join(reused) or 'none'})")
    return {"executed": executed, "reused": reused, "built": built, "html": html_dir, "seconds": total, "pdf": pdf_path}


STAGED_BRIEFING = "briefing.next.pdf"


def _briefing_current(build: Path, book_key: str) -> bool:
    key_file = build / "pdf" / "briefing.key"
    return (build / "pdf" / "briefing.pdf").is_file() and key_file.is_file() and key_file.read_text() == book_key


def _print_staged_briefing(params: dict, build: Path, before_print=None) -> Path:
    build_briefing = load("libyareport.publish.briefing").build_briefing  # on the briefing's thread
    staged = build / "pdf" / STAGED_BRIEFING
    staged.parent.mkdir(parents=True, exist_ok=True)
    return build_briefing(params, build_dir=build, quiet=True, out=staged, before_print=before_print)


def _briefing_step(params: dict, build: Path, html_dir: Path, book_key: str, wanted: bool, job=None) -> Path | None:
    """Link the briefing printed for this book from the landing page (html/_static/briefing.pdf);
    else the landing page says that this edition has no briefing."""
    pdf_path = build / "pdf" / "briefing.pdf"
    key_file = build / "pdf" / "briefing.key"
    current = _briefing_current(build, book_key)
    why = None
    if wanted and not current:
        try:
            staged = job.result() if job is not None else _print_staged_briefing(params, build)
            key_file.unlink(missing_ok=True)
            os.replace(staged, pdf_path)
            key_file.write_text(book_key)
            current = True
            say(f"briefing: {rel(pdf_path)} (also linked from the landing page)")
        except ReportError as e:
            why = e.problems[0].message
            say(f"briefing: not printed ({why}); the HTML book is complete and its landing page says so")
    elif not wanted and not current:
        why = "not printed for this edition (built with --no-pdf)"
        say("briefing: not printed (--no-pdf); the landing page says so until `python -m libyareport pdf` "
             "or a build without --no-pdf prints one for this edition")
    link_briefing(html_dir, pdf_path if current else None, why)
    return pdf_path if current else None


BRIEFING_LINK = '<a href="_static/briefing.pdf">PDF briefing</a>'
_NOTICE = re.compile(r'<span class="briefing-missing">.*?</span>', re.DOTALL)


def link_briefing(html_dir: Path, pdf: Path | None, why: str | None = None) -> None:
    """Link `pdf` from the landing page, or (None) replace the link with a notice saying why
    there is none. Each file is replaced by a rename, never half-written."""
    import html as _html
    linked = html_dir / "_static" / "briefing.pdf"
    if pdf is not None and linked.parent.is_dir() and (not linked.is_file() or linked.read_bytes() != pdf.read_bytes()):
        tmp = linked.with_name(".briefing.pdf.tmp")
        shutil.copy2(pdf, tmp)
        tmp.replace(linked)
    elif pdf is None:
        linked.unlink(missing_ok=True)
    page = html_dir / "intro.html"
    if not page.is_file():
        return
    text = page.read_text(encoding="utf-8")
    if pdf is not None:
        new = _NOTICE.sub(BRIEFING_LINK, text)
    else:
        notice = (f'<span class="briefing-missing">PDF briefing — none for this edition '
                  f'({_html.escape(why or "not printed")})</span>')
        new = _NOTICE.sub(lambda m: notice, text).replace(BRIEFING_LINK, notice)
    if new != text:
        tmp = page.with_name(".intro.html.tmp")
        tmp.write_text(new, encoding="utf-8")
        tmp.replace(page)
