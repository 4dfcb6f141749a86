"""`build` and `run`: check → papermill (parallel, incremental) → Jupyter Book → atomic swap.

Layout under `_build/`:
  executed/<nb>            executed notebooks, each with <nb>.key (what it was computed from)
  failed/<nb>              the executed notebook of a chapter that failed, for inspection
  stage/                   the staging copy of the book that jupyter-book builds
  html/                    the published book, replaced only when a whole build succeeded
"""
from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

import nbformat

from .errors import Problem, ReportError, rel

ROOT = Path(__file__).resolve().parent.parent
BOOK_FILES = ("_config.yml", "_toc.yml")
BOOK_DIRS = ("_static", "_ext")


@dataclass(frozen=True)
class Chapter:
    name: str
    path: str  # notebook path relative to the repository root
    reads_events: bool  # reads imported event data (re-run when an import changes)


CHAPTERS = (
    Chapter("intro", "intro.ipynb", True),
    Chapter("01_chronology", "chapters/01_chronology.ipynb", True),
    Chapter("02_actors_and_backers", "chapters/02_actors_and_backers.ipynb", True),
    Chapter("03_humanitarian_toll", "chapters/03_humanitarian_toll.ipynb", True),
    Chapter("04_international_response", "chapters/04_international_response.ipynb", False),
    Chapter("05_sources_and_method", "chapters/05_sources_and_method.ipynb", False),
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
    return _hash_files([p for p in (ROOT / "libyareport").glob("*.py")])[:16]


def events_hash(data_dir: Path, datasets: str) -> str:
    from .report import selected_datasets
    h = hashlib.sha256()
    for meta in selected_datasets(data_dir, datasets):
        h.update(json.dumps({k: meta.get(k) for k in ("name", "sha256", "rows_kept", "imported_at")}, sort_keys=True).encode())
    return h.hexdigest()[:16]


def chapter_key(ch: Chapter, params: dict, data_fp: str, ev_fp: str, code_fp: str) -> str:
    nb = (ROOT / ch.path).read_bytes()
    payload = {"nb": hashlib.sha256(nb).hexdigest(), "params": params, "data": data_fp, "code": code_fp,
               "events": ev_fp if ch.reads_events else ""}
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()[:20]


def _say(msg: str) -> None:
    print(msg, flush=True)


def _kernel_env() -> None:
    os.environ["LIBYAREPORT_ROOT"] = str(ROOT)
    pp = os.environ.get("PYTHONPATH", "")
    if str(ROOT) not in pp.split(os.pathsep):
        os.environ["PYTHONPATH"] = str(ROOT) + (os.pathsep + pp if pp else "")
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")


def _execute(ch: Chapter, params: dict, build: Path, key: str) -> tuple[Chapter, float]:
    """Run one chapter with papermill; on success the executed notebook and its key are stored."""
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    out = build / "executed" / ch.path
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".running.ipynb")
    failed = build / "failed" / ch.path
    t0 = time.perf_counter()
    try:
        pm.execute_notebook(str(ROOT / ch.path), str(tmp), parameters=params,
                            kernel_name="python3", progress_bar=False, log_output=False, request_save_on_cell_execute=False)
    except PapermillExecutionError as e:
        failed.parent.mkdir(parents=True, exist_ok=True)
        if tmp.exists():
            tmp.replace(failed)
        first = (e.source or "").strip().splitlines()
        where = f"cell {e.exec_count or e.cell_index}" + (f" ({first[0][:60]})" if first else "")
        raise ReportError(Problem(ch.path, None, None, f"chapter failed in {where}: {e.ename}: {e.evalue}",
                                  f"a clean run; the executed notebook is kept at {rel(failed)}")) from None
    except Exception as e:  # noqa: BLE001 - kernel died, missing kernel, …: reported, not a traceback
        if tmp.exists():
            failed.parent.mkdir(parents=True, exist_ok=True)
            tmp.replace(failed)
        raise ReportError(Problem(ch.path, None, None, f"chapter could not be executed: {type(e).__name__}: {e}",
                                  "a working Jupyter kernel 'python3' (pip install -r requirements.txt)")) from None
    nb = nbformat.read(tmp, as_version=4)
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


@contextlib.contextmanager
def _kernel_log(path: Path):
    """Kernels inherit our stderr and chat on it; send that to a log file instead."""
    path.parent.mkdir(parents=True, exist_ok=True)
    sys.stderr.flush()
    saved = os.dup(2)
    with path.open("ab") as log:
        os.dup2(log.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)


def _plotly_js() -> Path:
    import plotly
    return Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


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
    downloads = build / "downloads"  # CSVs and the evidence zip written by the chapters (see downloads.py)
    if downloads.is_dir():
        for p in downloads.iterdir():
            if p.is_file() and not p.name.endswith(".tmp"):
                put(p, stage / "_static" / "downloads" / p.name)
    for ch in CHAPTERS:
        put(build / "executed" / ch.path, stage / ch.path)
    return stage


def _jupyter_book(stage: Path, full: bool) -> None:
    jb = Path(sys.executable).parent / "jupyter-book"
    cmd = [str(jb) if jb.exists() else "jupyter-book", "build", str(stage), "-W", "-n", "--keep-going", "--builder", "html"]
    if full:
        cmd.append("--all")
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        lines = [ln for ln in (proc.stdout + proc.stderr).splitlines() if "WARNING" in ln or "ERROR" in ln or "Error" in ln]
        log = stage / "jupyter-book.log"
        log.write_text(proc.stdout + proc.stderr)
        shown = "\n  ".join(lines[:15]) or (proc.stdout + proc.stderr)[-1500:]
        raise ReportError(Problem("jupyter-book", None, None, f"book build failed:\n  {shown}",
                                  f"a clean Sphinx build; full log at {rel(log)}; the previous book is unchanged"))


def _publish(stage: Path, build: Path) -> Path:
    """Swap the freshly built HTML into _build/html in one rename."""
    src = stage / "_build" / "html"
    new = build / "html.new"
    old = build / "html.old"
    for p in (new, old):
        if p.exists():
            shutil.rmtree(p)
    shutil.copytree(src, new)
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
    from .evidence import from_loaded
    from .validate import load_checked

    t0 = time.perf_counter()
    build = build_dir or ROOT / "_build"
    from .report import resolve_data_dir
    data_dir = resolve_data_dir(str(params["data_dir"]))
    loaded = load_checked(data_dir)
    if loaded.problems:
        raise ReportError(loaded.problems[:50] + ([Problem("check", None, None, f"… and {len(loaded.problems) - 50} more")]
                                                   if len(loaded.problems) > 50 else []))
    ev = from_loaded(loaded)
    _say(f"check: {rel(data_dir)} is valid (fingerprint {ev.fingerprint})")
    run_params = {**params, "data_dir": str(data_dir)}
    ev_fp = events_hash(data_dir, str(params["datasets"]))
    code_fp = code_hash()
    keys = {ch.name: chapter_key(ch, run_params, ev.fingerprint, ev_fp, code_fp) for ch in CHAPTERS}
    todo, reused = [], []
    for ch in CHAPTERS:
        key_file = build / "executed" / (ch.path + ".key")
        fresh = key_file.is_file() and key_file.read_text() == keys[ch.name] and (build / "executed" / ch.path).is_file()
        if fresh and ch.name not in (force or set()):
            reused.append(ch.name)
        else:
            todo.append(ch)
    _kernel_env()
    os.environ["LIBYAREPORT_DOWNLOADS"] = str(build / "downloads")  # chapters write their CSVs here
    executed: list[str] = []
    if todo:
        n = len(todo)
        workers = max(1, min(jobs or os.cpu_count() or 1, n))
        _say(f"execute: {n} chapter{'s' * (n != 1)} on {workers} worker{'s' * (workers != 1)}"
             + (f" (reusing {', '.join(reused)})" if reused else ""))
        errors: list[ReportError] = []
        with _kernel_log(build / "kernels.log"), ThreadPoolExecutor(max_workers=workers) as pool:
            futures = {pool.submit(_execute, ch, run_params, build, keys[ch.name]): ch for ch in todo}
            for i, fut in enumerate(as_completed(futures), 1):
                ch = futures[fut]
                try:
                    _, secs = fut.result()
                    executed.append(ch.name)
                    _say(f"  [{i}/{n}] {ch.name}: executed in {secs:.1f} s")
                except ReportError as e:
                    errors.append(e)
                    _say(f"  [{i}/{n}] {ch.name}: FAILED")
        if errors:
            raise ReportError([p for e in errors for p in e.problems] +
                              [Problem("build", None, None, "the published book was left as it was")])
    else:
        _say("execute: nothing changed, all chapters reused")
    book_key = hashlib.sha256(json.dumps([keys[c.name] for c in CHAPTERS]).encode()
                              + _hash_files(_book_frame_files()).encode()).hexdigest()[:20]
    html_dir = build / "html"
    key_file = build / "html.key"
    if not todo and key_file.is_file() and key_file.read_text() == book_key and (html_dir / "index.html").is_file():
        _say(f"book: unchanged, {rel(html_dir)} is up to date")
        built = False
    else:
        stage = _sync_stage(build)
        # Sphinx notices changed notebooks but not a changed extension or stylesheet: rebuild all then.
        frame_key = _hash_files(_book_frame_files())
        frame_file = stage / ".frame.key"
        full = not frame_file.is_file() or frame_file.read_text() != frame_key
        _say("book: jupyter-book build (-W -n --keep-going" + (", all pages)" if full else ", changed pages)"))
        t1 = time.perf_counter()
        frame_file.unlink(missing_ok=True)
        _jupyter_book(stage, full)
        frame_file.write_text(frame_key)
        _publish(stage, build)
        key_file.write_text(book_key)
        built = True
        _say(f"book: built in {time.perf_counter() - t1:.1f} s")
    pdf_path = _briefing_step(params, build, html_dir, book_key, pdf)
    total = time.perf_counter() - t0
    _say(f"done in {total:.1f} s: open {rel(html_dir / 'index.html')} in a browser "
         f"(re-ran: {', '.join(executed) or 'none'}; reused: {', '.join(reused) or 'none'})")
    return {"executed": executed, "reused": reused, "built": built, "html": html_dir, "seconds": total, "pdf": pdf_path}


def _briefing_step(params: dict, build: Path, html_dir: Path, book_key: str, wanted: bool) -> Path | None:
    """Print the briefing when it is missing or older than the book, and put it where the
    landing page links to it (html/_static/briefing.pdf)."""
    pdf_path = build / "pdf" / "briefing.pdf"
    key_file = build / "pdf" / "briefing.key"
    linked = html_dir / "_static" / "briefing.pdf"
    current = pdf_path.is_file() and key_file.is_file() and key_file.read_text() == book_key
    if wanted and not current:
        from .briefing import build_briefing
        try:
            build_briefing(params, build_dir=build, quiet=True)
            key_file.write_text(book_key)
            current = True
            _say(f"briefing: {rel(pdf_path)} (also linked from the landing page)")
        except ReportError as e:
            _say(f"briefing: not printed ({e.problems[0].message}); the HTML book is complete")
    elif not wanted and not current:
        _say("briefing: not re-printed (--no-pdf); " + ("the landing page links to the previous one"
             if pdf_path.is_file() else "the landing page's briefing link works once `python -m libyareport pdf` has run"))
    if pdf_path.is_file() and (not linked.is_file() or linked.read_bytes() != pdf_path.read_bytes()):
        shutil.copy2(pdf_path, linked)
    return pdf_path if pdf_path.is_file() else None


def _params_from(args: argparse.Namespace) -> dict:
    from .params import parse_params
    return parse_params(args.param, args.params, args.data)


def _build_dir(args: argparse.Namespace) -> Path | None:
    return Path(args.build_dir).resolve() if getattr(args, "build_dir", None) else None


def cmd_build(args: argparse.Namespace) -> int:
    params = _params_from(args)
    build_book(params, force={c.name for c in CHAPTERS} if args.force else None, jobs=args.jobs, pdf=not args.no_pdf,
               build_dir=_build_dir(args))
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    params = _params_from(args)
    ch = chapter(args.chapter)
    build_book(params, force={ch.name}, jobs=args.jobs, pdf=not args.no_pdf, build_dir=_build_dir(args))
    return 0


def add_run_options(p: argparse.ArgumentParser) -> None:
    from .params import describe
    p.add_argument("--data", help="data directory (default: data)")
    p.add_argument("-p", "--param", action="append", metavar="NAME=VALUE", help="set a chapter parameter:\n" + describe())
    p.add_argument("--params", metavar="FILE.yaml", help="read parameters from a YAML file")
    p.add_argument("--build-dir", metavar="DIR", help="where to build (default: _build in the repository)")


def register(sub) -> None:
    p = sub.add_parser("build", help="check, execute the chapters and build the HTML book",
                       formatter_class=argparse.RawTextHelpFormatter)
    add_run_options(p)
    p.add_argument("--force", action="store_true", help="re-execute every chapter")
    p.add_argument("--jobs", type=int, help="chapters executed in parallel (default: number of cores)")
    p.add_argument("--no-pdf", action="store_true", help="do not print the PDF briefing after the book")
    p.set_defaults(func=cmd_build)
    p = sub.add_parser("run", help="re-execute one chapter and rebuild the book", formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("chapter", help="chapter name, e.g. 01_chronology or chronology")
    add_run_options(p)
    p.add_argument("--jobs", type=int)
    p.add_argument("--no-pdf", action="store_true")
    p.set_defaults(func=cmd_run)
