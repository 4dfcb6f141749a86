"""How long building the book takes, as a user runs it: whole `python -m libyareport` processes
(interpreter start, imports, check, papermill, Jupyter Book, Chromium), on the shipped data/, in a
throw-away build directory.

    .venv/bin/python benchmarks/bench_build.py            # everything below
    .venv/bin/python benchmarks/bench_build.py --no-jb    # skip the Jupyter Book comparison
    .venv/bin/python benchmarks/bench_build.py --keep /tmp/bench   # keep the build dirs

Prints, each as one process:
  - a cold `build` into a fresh build dir, with its PDF briefing (target < 15 s);
  - `build` again with nothing changed (target < 1 s: decided without importing pandas or plotly);
  - `run 03_humanitarian_toll` (re-executes one chapter);
  - the largest published page, excluding _static/;
and, in the same run, `jupyter-book build` executing the same notebooks itself (`execute_notebooks:
force`, serially) on a copy of the book, as a ratio to our cold build. The repository's own _build/
is never touched.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import nbformat
import yaml

from libyareport.params import PARAMETER_DEFAULTS
from libyareport.publish.book import BOOK_DIRS, BOOK_FILES, CHAPTERS, _plotly_js

TARGET_COLD = 15.0
TARGET_NOCHANGE = 1.0
TARGET_PAGE_KB = 300.0
ONE_CHAPTER = "03_humanitarian_toll"


def timed_cli(*args: str) -> tuple[float, str]:
    """One whole `python -m libyareport …` process, as a user runs it."""
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "libyareport", *args], cwd=ROOT, capture_output=True, text=True, check=False)
    secs = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"bench_build: `libyareport {' '.join(args)}` failed:\n{proc.stdout}{proc.stderr}")
    return secs, proc.stdout


def largest_page(html: Path) -> tuple[str, float]:
    sizes = {str(p.relative_to(html)): p.stat().st_size for p in html.rglob("*.html")
             if "_static" not in p.relative_to(html).parts}
    page, size = max(sizes.items(), key=lambda kv: kv[1])
    return page, size / 1024


def jb_copy(dest: Path) -> Path:
    """The book as Jupyter Book would execute it itself: same config, notebooks, static files."""
    dest.mkdir(parents=True)
    for f in BOOK_FILES:
        shutil.copy2(ROOT / f, dest / f)
    for d in BOOK_DIRS:
        shutil.copytree(ROOT / d, dest / d, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy2(_plotly_js(), dest / "_static" / "plotly.min.js")
    data = str((ROOT / str(PARAMETER_DEFAULTS["data_dir"])).resolve())
    for ch in CHAPTERS:
        nb = nbformat.read(ROOT / ch.path, as_version=4)
        for cell in nb.cells:
            if "parameters" in cell.metadata.get("tags", []):
                cell.source = re.sub(r"^data_dir\s*=\s*[^#\n]*", f"data_dir = {data!r}  ", cell.source, flags=re.MULTILINE)
        out = dest / ch.path
        out.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, out)
    cfg_path = dest / "_config.yml"
    cfg = yaml.safe_load(cfg_path.read_text(encoding="utf-8"))
    cfg.setdefault("execute", {})["execute_notebooks"] = "force"
    cfg_path.write_text(yaml.safe_dump(cfg, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return dest


def time_jupyter_book(book: Path) -> tuple[float, int, int]:
    jb = Path(sys.executable).parent / "jupyter-book"
    env = {**os.environ, "LIBYAREPORT_ROOT": str(ROOT),
           "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""), "PYDEVD_DISABLE_FILE_VALIDATION": "1"}
    t0 = time.perf_counter()
    proc = subprocess.run([str(jb) if jb.exists() else "jupyter-book", "build", str(book)], env=env,
                          capture_output=True, text=True, check=False)
    secs = time.perf_counter() - t0
    (book / "jupyter-book.log").write_text(proc.stdout + proc.stderr, encoding="utf-8")
    pages = sum(1 for ch in CHAPTERS if (book / "_build" / "html" / ch.path.replace(".ipynb", ".html")).is_file())
    return secs, proc.returncode, pages


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--no-jb", action="store_true", help="skip timing Jupyter Book's own execution")
    ap.add_argument("--keep", metavar="DIR", help="build here and keep it (default: a temporary directory)")
    args = ap.parse_args()
    base = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench-build-"))
    base.mkdir(parents=True, exist_ok=True)
    build = base / "build"
    if build.exists():
        shutil.rmtree(build)
    print(f"bench_build: shipped data ({PARAMETER_DEFAULTS['data_dir']}/), build dir {build}, {os.cpu_count()} cores")
    try:
        cold, out = timed_cli("build", "--build-dir", str(build))
        assert "re-ran: " + ", ".join(ch.name for ch in CHAPTERS) in out or "reused: none" in out, out
        assert (build / "pdf" / "briefing.pdf").is_file(), out
        nochange, out2 = timed_cli("build", "--build-dir", str(build))
        assert "nothing changed" in out2, out2
        one, _ = timed_cli("run", ONE_CHAPTER, "--build-dir", str(build), "--no-pdf")
        page, kb = largest_page(build / "html")
        rows = [
            ("cold `build` with its PDF briefing (one process)", f"{cold:6.1f} s", f"< {TARGET_COLD:.0f} s",
             verdict(cold < TARGET_COLD)),
            ("no-change `build` (one process)", f"{nochange:6.2f} s", f"< {TARGET_NOCHANGE:.0f} s",
             verdict(nochange < TARGET_NOCHANGE)),
            (f"`run {ONE_CHAPTER}` (one process)", f"{one:6.1f} s", "", ""),
            (f"largest page ({page})", f"{kb:6.1f} KB", f"< {TARGET_PAGE_KB:.0f} KB", verdict(kb < TARGET_PAGE_KB)),
        ]
        if not args.no_jb:
            book = jb_copy(base / "jb-book")
            jb_secs, rc, pages = time_jupyter_book(book)
            rows.append((f"jupyter-book executing the notebooks itself (exit {rc}, {pages}/{len(CHAPTERS)} pages)",
                         f"{jb_secs:6.1f} s", "", ""))
            rows.append(("  our cold build vs Jupyter Book's own execution", f"{jb_secs / cold:6.2f} x",
                         "faster", verdict(cold < jb_secs and rc == 0)))
        width = max(len(r[0]) for r in rows)
        for what, value, target, ok in rows:
            print(f"  {what:<{width}}  {value:>10}  {target:>9}  {ok}")
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
