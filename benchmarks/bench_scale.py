"""Scale benchmark: import synthetic ACLED exports of 10k, 100k and 1M rows.

    .venv/bin/python benchmarks/bench_scale.py                 # all three sizes
    .venv/bin/python benchmarks/bench_scale.py --sizes 10000   # just one
    .venv/bin/python benchmarks/bench_scale.py --out benchmarks/out   # keep the files
    .venv/bin/python benchmarks/bench_scale.py --no-build  # imports only, no book build

Each import runs in its own subprocess so that its peak memory (ru_maxrss) is measured
alone; then the whole book is built (cold, in a temporary build directory) on the curated
data plus that import, and the largest page is reported. The exports use the current ACLED column set with realistic Libyan places, actors
and event types, dates from April 2019 to October 2020, notes with commas, quotes and
(in 1 % of rows) quoted newlines. Targets: 1M rows in < 30 s and < 2 GB peak memory; a
full build with 1M imported events under 60 s; page sizes that do not grow with the rows.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# (location, admin1, admin2, latitude, longitude)
PLACES = [
    ("Tripoli", "Tripoli", "Tripoli", 32.8872, 13.1913),
    ("Ain Zara", "Tripoli", "Tripoli", 32.7826, 13.2420),
    ("Abu Salim", "Tripoli", "Tripoli", 32.8506, 13.1833),
    ("Salah al-Din", "Tripoli", "Tripoli", 32.8100, 13.2100),
    ("Khallet al-Furjan", "Tripoli", "Tripoli", 32.7600, 13.1700),
    ("Wadi Rabie", "Tripoli", "Tripoli", 32.7300, 13.2700),
    ("Mitiga Airport", "Tripoli", "Tripoli", 32.8941, 13.2760),
    ("Tajoura", "Tripoli", "Tripoli", 32.8817, 13.3510),
    ("Qasr Bin Ghashir", "Tripoli", "Tripoli", 32.6800, 13.1800),
    ("Tripoli International Airport", "Tripoli", "Tripoli", 32.6635, 13.1590),
    ("Al Aziziyah", "Jafara", "Al Aziziyah", 32.5300, 13.0200),
    ("Gharyan", "Jabal al Gharbi", "Gharyan", 32.1722, 13.0203),
    ("Tarhuna", "Murqub", "Tarhuna", 32.4350, 13.6340),
    ("Misrata", "Misrata", "Misrata", 32.3754, 15.0925),
    ("Sirte", "Sirt", "Sirte", 31.2089, 16.5887),
    ("Al Jufra", "Jufra", "Hun", 29.1100, 15.9500),
    ("Zawiya", "Zawiya", "Zawiya", 32.7571, 12.7276),
    ("Sabratha", "Nuqat al Khams", "Sabratha", 32.7933, 12.4885),
    ("Surman", "Zawiya", "Surman", 32.7567, 12.5717),
    ("Al Watiya Airbase", "Nuqat al Khams", "Al Jumayl", 32.4750, 11.8990),
    ("Zintan", "Jabal al Gharbi", "Zintan", 31.9310, 12.2520),
    ("Bani Walid", "Misrata", "Bani Walid", 31.7566, 13.9942),
    ("Benghazi", "Benghazi", "Benghazi", 32.1167, 20.0667),
    ("Derna", "Derna", "Derna", 32.7670, 22.6367),
    ("Sabha", "Sabha", "Sabha", 27.0377, 14.4283),
    ("Murzuq", "Murzuq", "Murzuq", 25.9155, 13.9184),
    ("Ajdabiya", "Al Wahat", "Ajdabiya", 30.7555, 20.2263),
    ("Ras Lanuf", "Al Wahat", "Ras Lanuf", 30.5000, 18.5500),
]
HAF = "Military Forces of Libya (2014-) Haftar Faction"
GNA = "Military Forces of Libya (2016-2021) Government of National Accord"
ACTOR_PAIRS = [
    (HAF, GNA), (GNA, HAF), (HAF, "Civilians (Libya)"), (GNA, "Wagner Group"),
    (HAF, "Misrata Communal Militia (Libya)"), ("Unidentified Armed Group (Libya)", "Civilians (Libya)"),
    ("Police Forces of Libya (2016-2021) Government of National Accord", "Protesters (Libya)"),
    ("Protesters (Libya)", ""), ("Military Forces of Turkey (2016-)", HAF), ("Zintan Communal Militia (Libya)", HAF),
]
EVENT_TYPES = [
    ("Battles", "Armed clash"), ("Battles", "Government regains territory"),
    ("Battles", "Non-state actor overtakes territory"),
    ("Explosions/Remote violence", "Air/drone strike"),
    ("Explosions/Remote violence", "Shelling/artillery/missile attack"),
    ("Explosions/Remote violence", "Remote explosive/landmine/IED"),
    ("Violence against civilians", "Attack"), ("Violence against civilians", "Abduction/forced disappearance"),
    ("Protests", "Peaceful protest"), ("Riots", "Violent demonstration"),
    ("Strategic developments", "Disrupted weapons use"),
]
SOURCES = ["Libya Observer", "Libya Herald", "AFP", "Reuters", "Al Wasat", "Xinhua; AFP", "UNSMIL", "Libya Review"]
FILLERS = [
    "Fighting continued along the southern front line, with both sides reporting advances.",
    "According to local sources, several houses were damaged and families fled the area.",
    "The \"Volcano of Rage\" operation room reported the strike; casualties unknown.",
    "Residents said the shelling lasted for hours, hitting residential neighbourhoods.",
    "The LNA said it had targeted a drone control room; the GNA denied this.",
    "Medical sources reported the fatalities; figures could not be independently verified.",
    "Clashes, which began at dawn, ended by the evening.\nReports differ on casualties.",
]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]


def generate(n: int, path: Path, seed: int = 2019) -> None:
    """Write an ACLED-format (current column set) export of ``n`` rows."""
    from libyareport.imports.columns import ACLED_CURRENT_COLUMNS

    rng = np.random.default_rng(seed)
    place = rng.integers(0, len(PLACES), n)
    pair = rng.integers(0, len(ACTOR_PAIRS), n)
    etype = rng.integers(0, len(EVENT_TYPES), n)
    start, end = np.datetime64("2019-04-01"), np.datetime64("2020-10-31")
    # newest first, as ACLED exports are sorted
    days = np.sort((start + rng.integers(0, int((end - start).astype(int)) + 1, n)).astype("datetime64[D]"))[::-1]
    iso = pa.array(days.astype(str))
    # one row in ten uses the "08 April 2019" spelling some channels export
    long_form = rng.random(n) < 0.1
    y, m, d = (days.astype("datetime64[Y]").astype(int) + 1970,
               days.astype("datetime64[M]").astype(int) % 12, (days - days.astype("datetime64[M]")).astype(int) + 1)
    dmy = pc.binary_join_element_wise(
        pc.utf8_lpad(pa.array(d.astype(str)), 2, "0"), pa.array(np.array(MONTHS)[m]), pa.array(y.astype(str)), " ")
    event_date = pc.if_else(pa.array(long_form), dmy, iso)

    def pick(values: list, idx: np.ndarray) -> pa.Array:
        return pa.array(np.array(values, dtype=object)[idx], pa.string())

    loc = pick([p[0] for p in PLACES], place)
    actor1 = pick([a for a, _ in ACTOR_PAIRS], pair)
    actor2 = pick([b for _, b in ACTOR_PAIRS], pair)
    filler = rng.integers(0, len(FILLERS), n)
    filler[rng.random(n) >= 0.01] %= len(FILLERS) - 1  # quoted newline in ~1 % of rows only
    notes = pc.binary_join_element_wise(
        "On ", pa.array(days.astype(str)), ", ", actor1, " and ", actor2, " were involved in an incident in ",
        loc, " (", pick([p[1] for p in PLACES], place), "). ", pick(FILLERS, filler), "")
    fat = np.minimum(rng.geometric(0.35, n) - 1, 120)
    jitter = rng.normal(0, 0.01, (n, 2))
    cols = {
        "event_id_cnty": pc.binary_join_element_wise("LBY", pa.array((np.arange(n) + 1).astype(str)), ""),
        "event_date": event_date,
        "year": pa.array(y.astype(str)),
        "time_precision": pa.array(rng.choice(["1", "2", "3"], n, p=[0.85, 0.12, 0.03])),
        "disorder_type": pa.array(np.where(etype >= 8, "Demonstrations", "Political violence").astype(object), pa.string()),
        "event_type": pick([e for e, _ in EVENT_TYPES], etype),
        "sub_event_type": pick([s for _, s in EVENT_TYPES], etype),
        "actor1": actor1, "assoc_actor_1": pa.nulls(n, pa.string()), "inter1": pa.array(np.full(n, "1")),
        "actor2": actor2, "assoc_actor_2": pa.nulls(n, pa.string()), "inter2": pa.array(np.full(n, "1")),
        "interaction": pa.array(np.full(n, "11")), "civilian_targeting": pa.nulls(n, pa.string()),
        "iso": pa.array(np.full(n, "434")), "region": pa.array(np.full(n, "Northern Africa")),
        "country": pa.array(np.full(n, "Libya")),
        "admin1": pick([p[1] for p in PLACES], place), "admin2": pick([p[2] for p in PLACES], place),
        "admin3": pa.nulls(n, pa.string()), "location": loc,
        "latitude": pa.array(np.round(np.array([p[3] for p in PLACES])[place] + jitter[:, 0], 4).astype(str)),
        "longitude": pa.array(np.round(np.array([p[4] for p in PLACES])[place] + jitter[:, 1], 4).astype(str)),
        "geo_precision": pa.array(rng.choice(["1", "2", "3"], n, p=[0.7, 0.25, 0.05])),
        "source": pick(SOURCES, rng.integers(0, len(SOURCES), n)),
        "source_scale": pa.array(np.full(n, "National")),
        "notes": notes,
        "fatalities": pa.array(fat.astype(str)),
        "tags": pa.nulls(n, pa.string()),
        "timestamp": pa.array(np.full(n, "1618000000")),
    }
    assert list(cols) == list(ACLED_CURRENT_COLUMNS)
    pacsv.write_csv(pa.table(cols), path, write_options=pacsv.WriteOptions(quoting_style="needed"))


def run_one(csv_path: str, data_dir: str) -> None:
    """Child process: import one file and print timing and peak memory as JSON."""
    from libyareport.imports.run import import_export

    t0 = time.perf_counter()
    meta = import_export("acled", csv_path, data_dir, progress=False)
    elapsed = time.perf_counter() - t0
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux
    print(json.dumps({"seconds": elapsed, "peak_mb": peak_kb / 1024, "rows_kept": meta["rows_kept"]}))


def build_available() -> bool:
    """True when the main CLI has a ``build`` subcommand (it is written separately)."""
    if not (ROOT / "libyareport" / "__main__.py").is_file():
        return False
    proc = subprocess.run([sys.executable, "-m", "libyareport", "build", "--help"], cwd=ROOT,
                          capture_output=True, text=True, check=False)
    return proc.returncode == 0


def time_build(data_dir: Path) -> str:
    """Build the book on ``data_dir`` (curated tables + this size's import) into a temporary
    build directory; report the time and the largest page (excluding the shared plotly.js)."""
    if not build_available():
        return "build: n/a"
    build_dir = data_dir.with_name(data_dir.name + "_build")
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "libyareport", "build", "--data", str(data_dir), "--build-dir", str(build_dir),
         "-p", "datasets=acled", "--no-pdf"],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )
    secs = time.perf_counter() - t0
    if proc.returncode != 0:
        last = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["?"]
        return f"build: failed after {secs:.1f} s ({last[0]})"
    pages = [p for p in (build_dir / "html").rglob("*.html") if "_static" not in p.parts]
    largest = max(pages, key=lambda p: p.stat().st_size)
    return f"build: {secs:.1f} s, largest page {largest.stat().st_size / 1024:.0f} KB ({largest.name})"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10000,100000,1000000", help="comma-separated row counts")
    ap.add_argument("--out", help="keep generated files here (default: a temporary directory)")
    ap.add_argument("--no-build", dest="build", action="store_false", help="only time the imports")
    ap.add_argument("--run-one", nargs=2, metavar=("CSV", "DATA"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.run_one:
        run_one(*args.run_one)
        return 0

    out = Path(args.out) if args.out else Path(tempfile.mkdtemp(prefix="bench_scale_"))
    out.mkdir(parents=True, exist_ok=True)
    print(f"cpus: {os.cpu_count()}; files in {out}")
    print(f"{'rows':>10} {'file MB':>8} {'generate s':>10} {'import s':>9} {'peak MB':>8} {'rows/s':>10}  build")
    try:
        for n in (int(s) for s in args.sizes.split(",")):
            csv_path = out / f"acled_{n}.csv"
            data_dir = out / f"data_{n}"
            shutil.rmtree(data_dir, ignore_errors=True)
            data_dir.mkdir()
            if args.build:  # the whole evidence base, so the book can be built from it
                shutil.copytree(ROOT / "data", data_dir, dirs_exist_ok=True,
                                ignore=shutil.ignore_patterns("imported"))
            else:  # the importer only reads the actor tables (for actor IDs)
                for table in ("actors.csv", "context/actors.csv"):
                    if (ROOT / "data" / table).is_file():
                        (data_dir / table).parent.mkdir(parents=True, exist_ok=True)
                        shutil.copy(ROOT / "data" / table, data_dir / table)
            t0 = time.perf_counter()
            generate(n, csv_path)
            gen = time.perf_counter() - t0
            proc = subprocess.run([sys.executable, __file__, "--run-one", str(csv_path), str(data_dir)],
                                  capture_output=True, text=True, check=False)
            if proc.returncode != 0:
                print(f"{n:>10,}: import failed\n{proc.stderr}")
                return 1
            r = json.loads(proc.stdout.strip().splitlines()[-1])
            build = time_build(data_dir) if args.build else "build: not timed (--no-build)"
            mb = csv_path.stat().st_size / 1e6
            print(f"{n:>10,} {mb:>8.0f} {gen:>10.1f} {r['seconds']:>9.2f} {r['peak_mb']:>8.0f} "
                  f"{n / r['seconds']:>10,.0f}  {build}")
    finally:
        if not args.out:
            shutil.rmtree(out, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
