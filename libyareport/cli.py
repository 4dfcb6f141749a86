"""`python -m libyareport …`: one entry point for every stage of the pipeline."""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from .errors import ReportError


def _summary(ev) -> str:
    from .schema import CLAIM_TABLES
    lines = []
    kinds = ev.source_table["kind"].value_counts()
    lines.append(f"sources: {len(ev.source_table)} (" + ", ".join(f"{n} {k}" for k, n in kinds.items()) + f"); "
                 f"references: {len(ev.references)}; actors: {len(ev.actors)}")
    lines.append(f"{'table':<10} {'corpus':>7} {'context':>8} {'corroborated':>13} {'disputed':>9}")
    disputed = ev.disputed_event_ids()
    for t in CLAIM_TABLES:  # one corroboration pass per table
        df = ev.tables[t]
        corr = ev.corroboration(t)
        n_corr = int(corr["corroborated"].sum())
        n_disp = len(disputed) if t == "events" else 0
        lines.append(f"{t:<10} {int((df['tier'] == 'corpus').sum()):>7} {int((df['tier'] == 'context').sum()):>8} "
                     f"{n_corr:>13} {n_disp:>9}")
    lines.append("corroborated = claim keys reported by ≥2 distinct sources (commentary excluded); "
                 "disputed = events contradicted by another claim")
    lines.append(f"data fingerprint: {ev.fingerprint}")
    return "\n".join(lines)


def cmd_check(args: argparse.Namespace) -> int:
    from .evidence import from_loaded
    from .validate import load_checked
    t0 = time.perf_counter()
    loaded = load_checked(args.data)
    if loaded.problems:
        n = len(loaded.problems)
        for p in loaded.problems[: args.max_errors]:
            print(p, file=sys.stderr)
        if n > args.max_errors:
            print(f"… and {n - args.max_errors} more", file=sys.stderr)
        print(f"check: {n} problem{'s' * (n != 1)} in {args.data}", file=sys.stderr)
        return 1
    ev = from_loaded(loaded)
    print(_summary(ev))
    print(f"check: {args.data} is valid ({time.perf_counter() - t0:.2f} s)")
    return 0


def cmd_dictionary(args: argparse.Namespace) -> int:
    from .dictionary import write_dictionary
    out = write_dictionary(Path(args.data))
    print(f"dictionary: wrote {out}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m libyareport",
                                 description="Build, check and print the Tripoli report book.")
    sub = ap.add_subparsers(dest="command", required=True, metavar="COMMAND")
    p = sub.add_parser("check", help="validate data/ and print a summary")
    p.add_argument("--data", default="data", help="data directory (default: data)")
    p.add_argument("--max-errors", type=int, default=200, help="list at most this many problems")
    p.set_defaults(func=cmd_check)
    p = sub.add_parser("dictionary", help="regenerate data/README.md from data/datapackage.json")
    p.add_argument("--data", default="data")
    p.set_defaults(func=cmd_dictionary)
    from .articles import commands as articles
    p = sub.add_parser("add", help="add a new article: keep it, write its source, propose candidate claims")
    articles.add_add_arguments(p)
    p.set_defaults(func=articles.run_add)
    p = sub.add_parser("accept", help="merge an added article's reviewed candidates into the claim tables")
    articles.add_accept_arguments(p)
    p.set_defaults(func=articles.run_accept)
    for mod in ("book", "briefing", "importers"):
        try:
            module = __import__(f"libyareport.{mod}", fromlist=["register"])
        except ImportError:
            continue
        if hasattr(module, "register"):
            module.register(sub)
    return ap


def main(argv: list[str] | None = None) -> int:
    ap = build_parser()
    args = ap.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except ReportError as e:
        for p in e.problems:
            print(f"error: {p}" if not p.file else str(p), file=sys.stderr)  # one line per problem
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
