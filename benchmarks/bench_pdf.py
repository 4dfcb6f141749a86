"""How long the PDF briefing takes (`python -m libyareport pdf`), on the shipped data/.

    .venv/bin/python benchmarks/bench_pdf.py             # 3 runs
    .venv/bin/python benchmarks/bench_pdf.py --runs 5

Each run calls `briefing.build_briefing` with the default parameters into a throw-away build dir:
load and window the evidence, render the briefing page with its three static figures, start
headless Chromium, wait for the charts and print A4. Prints every run and the median; target < 10 s.
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from libyareport.params import PARAMETER_DEFAULTS
from libyareport.publish.briefing import build_briefing

TARGET = 10.0


def pages(pdf: Path) -> str:
    try:
        out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
        return next(ln.split()[-1] for ln in out.splitlines() if ln.startswith("Pages:"))
    except (OSError, subprocess.CalledProcessError, StopIteration):
        return "?"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    build = Path(tempfile.mkdtemp(prefix="bench-pdf-"))
    print(f"bench_pdf: briefing for the shipped data ({PARAMETER_DEFAULTS['data_dir']}/), build dir {build}")
    times = []
    try:
        for i in range(1, args.runs + 1):
            t0 = time.perf_counter()
            out = build_briefing(dict(PARAMETER_DEFAULTS), build_dir=build, quiet=True)
            times.append(time.perf_counter() - t0)
            print(f"  run {i}: {times[-1]:5.1f} s  ({out.stat().st_size / 1024:.0f} KB, {pages(out)} pages)")
        med = statistics.median(times)
        print(f"  median: {med:5.1f} s  (target < {TARGET:.0f} s: {'ok' if med < TARGET else 'MISSED'})")
    finally:
        shutil.rmtree(build, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
