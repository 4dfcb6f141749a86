"""How long `check` takes: on the shipped data/ and on a generated evidence base.

    .venv/bin/python benchmarks/bench_check.py                    # shipped + 100,000 rows / 1,000 sources
    .venv/bin/python benchmarks/bench_check.py --rows 10000 --sources 100
    .venv/bin/python benchmarks/bench_check.py --keep /tmp/big     # keep the generated base
    .venv/bin/python benchmarks/bench_check.py --profile           # cProfile the generated run

Timed in-process (`validate.load_checked` then `evidence.from_loaded`, what `load()` does) and
as the CLI in a subprocess (`python -m libyareport check`, which also prints the summary).
The generated base has the shipped layout: raw/ with MANIFEST.sha256, one sources/*.md per raw
file, the four corpus claim tables (rows spread evenly, every quote a real substring of its
source, some across typographic quotes or doubled spaces), a small context tier and actors.
Targets: shipped < 1 s, 100,000 rows / 1,000 sources < 10 s. When the generated run misses its
target, the in-process run is profiled and the hot spots printed.
"""
from __future__ import annotations

import argparse
import cProfile
import csv
import datetime as dt
import hashlib
import io
import os
import pstats
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from libyareport.evidence import check as validate
from libyareport.evidence import grades
from libyareport.evidence import model as evidence
from libyareport.evidence.schema import load_package

TARGET_SHIPPED = 1.0
TARGET_GENERATED = 10.0
START = dt.date(2019, 4, 4)

WORDS = ["the", "forces", "of", "government", "said", "on", "Monday", "that", "fighting", "continued",
         "south", "capital", "while", "officials", "reported", "airstrikes", "near", "airport", "and",
         "militias", "moved", "troops", "from", "coast", "a", "spokesman", "told", "reporters", "offensive",
         "had", "stalled", "civilians", "fled", "suburbs", "humanitarian", "agencies", "counted",
         "displaced", "families", "as", "envoys", "called", "for", "truce", "talks"]
NAMES = ["Haftar\u2019s", "Sarraj's", "Tripoli", "Misrata", "Gharyan", "Tarhuna", "Zawiya", "Sirte",
         "UNSMIL", "\u201cVolcano of Anger\u201d", "Mitiga", "al-Watiya"]
ACTORS = ["haftar", "lna", "gna", "sarraj", "misrata_forces", "zawiya_forces", "zintan_forces", "un", "unsmil",
          "salame", "france", "eu", "us", "russia", "uae", "egypt", "turkey", "qatar", "jordan", "wagner",
          "gna_health_ministry", "who", "ocha", "iom", "unhcr", "au", "arab_league", "germany", "italy", "uk"]
EVENT_TYPES = ["offensive", "airstrike", "armed_clash", "shelling", "territorial_claim", "counter_offensive",
               "reinforcement", "withdrawal", "attack_on_civilians", "statement"]
METRICS = ["killed", "injured", "displaced", "civilian_casualties"]
SUPPORT_TYPES = ["military", "troops", "mercenaries", "air_power", "arms_and_equipment", "financial", "political"]
RESPONSE_TYPES = ["truce_call", "condemnation", "diplomatic_support", "talks", "statement", "sanctions"]

EVENT_COLS = ["claim_id", "event_id", "date", "date_end", "date_precision", "date_basis", "place", "event_type",
              "actor_ids", "summary", "status", "claimed_by", "disputes", "source_id", "quote"]
TOLL_COLS = ["claim_id", "figure_id", "metric", "value", "low", "high", "qualifier", "population", "place",
             "period_start", "as_of", "as_of_end", "as_of_precision", "as_of_basis", "reported_by", "reported_via",
             "status", "source_id", "quote"]
SUPPORT_COLS = ["claim_id", "backer_id", "recipient_id", "support_type", "period", "detail", "status", "source_id",
                "quote"]
RESPONSE_COLS = ["claim_id", "response_id", "date", "date_end", "date_precision", "date_basis", "actor_id",
                 "response_type", "target_id", "summary", "status", "source_id", "quote"]


# -- generation ---------------------------------------------------------------------------
def _sentence(rng: random.Random) -> list[str]:
    words = [rng.choice(WORDS) for _ in range(rng.randint(12, 30))]
    for _ in range(rng.randint(1, 3)):
        words[rng.randrange(len(words))] = rng.choice(NAMES)
    words[0] = words[0].capitalize()
    words[-1] += "."
    return words


def _document(rng: random.Random, n_lines: int) -> tuple[str, list[list[str]]]:
    """Raw text (lines of 1-3 sentences, some indented or with doubled spaces) and its sentences."""
    lines, sentences = [], []
    for i in range(n_lines):
        sents = [_sentence(rng) for _ in range(rng.randint(1, 3))]
        sentences += sents
        line = " ".join(" ".join(s) for s in sents)
        if i % 7 == 3:
            line = "    " + line
        if i % 5 == 2:
            line = line.replace(" ", "  ", 2)
        lines.append(line)
        if i % 3 == 0:
            lines.append("")
    return "\n".join(lines), sentences


def _quote(rng: random.Random, sentences: list[list[str]]) -> str:
    s = rng.choice(sentences)
    a = rng.randrange(0, max(1, len(s) - 6))
    b = min(len(s), a + rng.randint(6, 16))
    # typographic quotes in the text, straight ones in the table: check normalises them
    return " ".join(s[a:b]).replace("\u2019", "'").replace("\u201c", '"').replace("\u201d", '"')


def _write_csv(path: Path, header: list[str], rows: list[list]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def generate(dest: Path, n_rows: int = 100_000, n_sources: int = 1_000, seed: int = 2019) -> dict:
    """Write a valid evidence base of `n_rows` corpus claim rows over `n_sources` sources."""
    rng = random.Random(seed)
    (dest / "raw").mkdir(parents=True)
    (dest / "sources").mkdir()
    (dest / "context").mkdir()
    manifest = []
    sources = []  # (id, published, kind, sentences)
    for i in range(n_sources):
        published = START + dt.timedelta(days=10 + i * 560 // max(1, n_sources))
        kind = "forum_comments" if i % 20 == 19 else "news_report"
        raw_text, sentences = _document(rng, rng.randint(25, 45))
        raw_name = f"{i:04d}_{hashlib.sha1(str(i).encode()).hexdigest()[:16]}.txt"
        data = raw_text.encode("utf-8")
        (dest / "raw" / raw_name).write_bytes(data)
        manifest.append(f"{hashlib.sha256(data).hexdigest()}  {raw_name}")
        sid = f"gen-{i:04d}-{'forum' if kind == 'forum_comments' else 'report'}"
        n_raw_lines = raw_text.count("\n") + 1
        front = (f"---\nid: {sid}\ntitle: \"Generated document {i}\"\noutlet: Generated Outlet {i % 37}\n"
                 f"published: {published.isoformat()}\npublished_precision: day\n"
                 f"published_basis: \"dateline of the generated document\"\nkind: {kind}\n"
                 f"derived_from: {raw_name}\nderived_lines: \"1-{n_raw_lines}\"\nlanguage: en\n---\n\n")
        (dest / "sources" / f"{sid}.md").write_text(front + raw_text + "\n", encoding="utf-8")
        sources.append((sid, published, kind, sentences))
    (dest / "raw" / "MANIFEST.sha256").write_text("\n".join(manifest) + "\n", encoding="utf-8")

    _write_csv(dest / "actors.csv", ["actor_id", "name", "aliases", "kind", "side", "parent_id", "country"],
               [[a, a.replace("_", " ").title(), a.upper(), "other", "neutral", "", ""] for a in ACTORS])
    _write_csv(dest / "context" / "actors.csv", ["actor_id", "name", "aliases", "kind", "side", "parent_id", "country"],
               [["ctx_observer", "Context Observer", "", "other", "neutral", "", ""]])

    tables: dict[str, list[list]] = {"events": [], "tolls": [], "support": [], "responses": []}
    event_ids: list[str] = []
    per_source = n_rows // n_sources
    extra = n_rows - per_source * n_sources
    n = 0
    for i, (sid, published, kind, sentences) in enumerate(sources):
        for k in range(per_source + (1 if i < extra else 0)):
            table = ("events", "tolls", "support", "responses")[n % 4]
            n += 1
            cid = f"{sid}-{k:03d}"
            quote = _quote(rng, sentences)
            status = "commentary" if kind == "forum_comments" else ("claimed" if k % 10 == 0 else "reported")
            day = published - dt.timedelta(days=rng.randint(0, 10))
            if table == "events":
                eid = f"ev-{day:%Y%m%d}-{rng.randint(0, 9)}"
                precision, date, end = "day", day, ""
                if k % 17 == 0:
                    precision, date = "month", day.replace(day=1)
                elif k % 13 == 0 and day < published:
                    precision, end = "range", (day + dt.timedelta(days=1)).isoformat()
                disputes = rng.choice(event_ids) if event_ids and k % 100 == 4 else ""  # ~4 % of events
                tables["events"].append([
                    cid, eid, date.isoformat(), end, precision, "", rng.choice(NAMES[2:9]), rng.choice(EVENT_TYPES),
                    ";".join(rng.sample(ACTORS, 2)), f"Generated event {eid}.", status,
                    rng.choice(ACTORS) if status == "claimed" else "", disputes, sid, quote])
                event_ids.append(eid)
            elif table == "tolls":
                value = rng.randint(1, 5000)
                low, high = ("", "") if k % 3 else (str(value // 2), str(value * 2))
                metric = rng.choice(METRICS)
                tables["tolls"].append([
                    cid, f"{metric}-{day:%Y%m%d}", metric, str(value), low, high, "about", "all", "Tripoli",
                    START.isoformat(), day.isoformat(), "", "day", "", rng.choice(ACTORS), "", status, sid, quote])
            elif table == "support":
                backer, recipient = rng.sample(ACTORS, 2)
                tables["support"].append([
                    cid, backer, recipient, rng.choice(SUPPORT_TYPES), "2019-2020", "", status, sid, quote])
            else:
                tables["responses"].append([
                    cid, f"resp-{day:%Y%m%d}-{rng.randint(0, 4)}", day.isoformat(), "", "day", "",
                    rng.choice(ACTORS), rng.choice(RESPONSE_TYPES), rng.choice(ACTORS), "Generated response.",
                    status, sid, quote])
    cols = {"events": EVENT_COLS, "tolls": TOLL_COLS, "support": SUPPORT_COLS, "responses": RESPONSE_COLS}
    for name, rows in tables.items():
        _write_csv(dest / f"{name}.csv", cols[name], rows)

    # context tier: 20 references, 25 rows per claim table, a phase
    refs = [[f"ref-{j:02d}", f"Publisher {j}", "", f"Reference page {j}", "2020-12-31" if j % 2 else "",
             f"https://example.org/ref/{j}"] for j in range(20)]
    _write_csv(dest / "context" / "references.csv", ["ref_id", "publisher", "via", "title", "date", "url"], refs)
    ctx: dict[str, list[list]] = {"events": [], "tolls": [], "support": [], "responses": []}
    for j in range(25):
        ref = refs[j % 20][0]
        day = START + dt.timedelta(days=j * 20)
        ctx["events"].append([f"ctx-ev-{j}", event_ids[j * 7], day.isoformat(), "", "day", "", "Tripoli",
                              "offensive", "lna", "Context event.", "reported", "", "", ref, ""])
        ctx["tolls"].append([f"ctx-toll-{j}", f"killed-ctx-{j}", "killed", str(10 * j), "", "", "at_least", "all",
                             "", "", day.isoformat(), "", "day", "", "who", "", "reported", ref, ""])
        ctx["support"].append([f"ctx-sup-{j}", "turkey", "gna", "military", "2020", "", "reported", ref, ""])
        ctx["responses"].append([f"ctx-resp-{j}", f"ctx-resp-{j}", day.isoformat(), "", "day", "", "un",
                                 "statement", "", "Context response.", "reported", ref, ""])
    for name, rows in ctx.items():
        _write_csv(dest / "context" / f"{name}.csv", cols[name], rows)
    _write_csv(dest / "context" / "phases.csv", ["phase_id", "name", "start_event_id", "end_event_id", "description"],
               [["all", "Whole period", event_ids[0], "", "Generated phase."]])
    return {"rows": n, "sources": n_sources, "bytes": sum(p.stat().st_size for p in dest.rglob("*") if p.is_file())}


# -- timing -------------------------------------------------------------------------------
def time_in_process(data_dir: Path) -> dict:
    load_package.cache_clear()
    t0 = time.perf_counter()
    loaded = validate.load_checked(data_dir)
    t1 = time.perf_counter()
    out = {"check": t1 - t0, "problems": len(loaded.problems), "load": None}
    if not loaded.problems:
        ev = evidence.from_loaded(loaded)
        t2 = time.perf_counter()
        out["load"] = t2 - t1
        t3 = time.perf_counter()
        for table in ("events", "tolls", "support", "responses"):
            grades.grade_counts(ev, table)
        out["summary"] = time.perf_counter() - t3
    out["total"] = time.perf_counter() - t0
    return out


def time_cli(data_dir: Path) -> tuple[float, int, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    t0 = time.perf_counter()
    r = subprocess.run([sys.executable, "-m", "libyareport", "check", "--data", str(data_dir), "--max-errors", "3"],
                       capture_output=True, text=True, env=env, cwd=ROOT, check=False)
    return time.perf_counter() - t0, r.returncode, (r.stderr or r.stdout).strip().splitlines()[-1:]


def describe(label: str, t: dict, target: float, cli: tuple | None) -> str:
    status = "valid" if t["problems"] == 0 else f"{t['problems']} problems"
    parts = f"load_checked {t['check']:.2f} s"
    if t["load"] is not None:
        parts += f" + from_loaded {t['load']:.2f} s; grades {t['summary']:.2f} s"
    line = f"{label}: {t['total']:.2f} s in-process ({parts}; {status}) (target: <{target:g} s)"
    if cli:
        line += f"\n{' ' * len(label)}  CLI subprocess: {cli[0]:.2f} s, exit {cli[1]}"
    return line


def profile(data_dir: Path, top: int = 25) -> str:
    load_package.cache_clear()
    prof = cProfile.Profile()
    prof.enable()
    loaded = validate.load_checked(data_dir)
    if not loaded.problems:
        ev = evidence.from_loaded(loaded)
        for table in ("events", "tolls", "support", "responses"):
            grades.grade_counts(ev, table)
    prof.disable()
    buf = io.StringIO()
    stats = pstats.Stats(prof, stream=buf).strip_dirs().sort_stats("cumulative")
    stats.print_stats(top)
    buf.write("\n-- by own time --\n")
    stats.sort_stats("tottime").print_stats(top)
    return buf.getvalue()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--sources", type=int, default=1_000)
    ap.add_argument("--keep", type=Path, help="write the generated base here and keep it")
    ap.add_argument("--no-cli", action="store_true", help="skip the CLI subprocess timings")
    ap.add_argument("--profile", action="store_true", help="always profile the generated run")
    args = ap.parse_args(argv)

    shipped = ROOT / "data"
    t = time_in_process(shipped)
    print(describe("shipped", t, TARGET_SHIPPED, None if args.no_cli else time_cli(shipped)), flush=True)

    tmp = None
    if args.keep:
        if args.keep.exists():
            shutil.rmtree(args.keep)
        dest = args.keep
    else:
        tmp = tempfile.TemporaryDirectory(prefix="bench_check_")
        dest = Path(tmp.name) / "data"
    try:
        t0 = time.perf_counter()
        info = generate(dest, args.rows, args.sources)
        print(f"(generated {info['rows']:,} rows / {info['sources']:,} sources, {info['bytes'] / 1e6:.1f} MB, "
              f"in {time.perf_counter() - t0:.1f} s at {dest})", flush=True)
        label = f"generated {info['rows']:,} rows / {info['sources']:,} sources"
        t = time_in_process(dest)
        cli = None if args.no_cli else time_cli(dest)
        print(describe(label, t, TARGET_GENERATED, cli))
        print(f"{label}: {t['total']:.1f} s (targets: <{TARGET_SHIPPED:g} s, <{TARGET_GENERATED:g} s)")
        if t["problems"]:
            print("the generated base is not valid; first problems:")
            for p in validate.load_checked(dest).problems[:5]:
                print("  ", p)
        slow = t["total"] > TARGET_GENERATED or (cli is not None and cli[0] > TARGET_GENERATED)
        if slow or args.profile:
            print("\nprofile of the in-process run (cProfile):")
            print(profile(dest))
    finally:
        if tmp:
            tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
