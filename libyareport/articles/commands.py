"""The `add` and `accept` subcommands (wired into libyareport/cli.py)."""
from __future__ import annotations

import argparse
from pathlib import Path

from libyareport.articles._evidence import rel
from libyareport.articles.review import TABLES
from libyareport.progress import say


def add_add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", metavar="FILE", help="the article: a saved web page (.html/.htm), a PDF, or a .txt/.md file")
    p.add_argument("--id", dest="source_id", help="source ID (default: outlet-date-slug)")
    p.add_argument("--title", help="title, when the file's own is missing or wrong")
    p.add_argument("--outlet", help="who published it, when the file does not say")
    p.add_argument("--published", metavar="YYYY-MM-DD", help="publication date; anchors every relative date")
    p.add_argument("--kind", help="kind of source (default news_report; see data/README.md)")
    p.add_argument("--url", help="the article's address, when the file does not give it")
    p.add_argument("--reliability", help="the outlet: independent, partisan or state_media (default: unassessed, to review)")
    p.add_argument("--data", default="data", help="data directory (default: data)")


def run_add(args: argparse.Namespace) -> int:
    from libyareport.articles.add import add
    r = add(Path(args.file), Path(args.data), source_id=args.source_id, title=args.title, outlet=args.outlet,
            published=args.published, kind=args.kind, url=args.url, reliability=args.reliability)
    if r.already:
        which = ", ".join(r.derived_sources) or "no source yet"
        say(f"add: {rel(Path(args.file))} is already in {rel(r.raw)} (same SHA-256; source {which}); nothing changed")
        return 0
    say(f"add: kept {rel(Path(args.file))} as {rel(r.raw)} (listed in MANIFEST.sha256)")
    say(f"add: wrote {rel(r.source)} — source '{r.source_id}', published per {r.published_basis}")
    n = sum(r.counts.values())
    say(f"add: {n} candidate{'s' * (n != 1)} in {rel(r.review)}: "
          + ", ".join(f"{r.counts.get(t, 0)} {t}" for t in TABLES))
    say("next: open the review file, set decision to accept or reject on each row (fill any column its rule "
          f"marks fill:…), then run: python -m libyareport accept {r.source_id}")
    return 0


def add_accept_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("source_id", metavar="ID", help="the source ID printed by add (data/review/ID.csv)")
    p.add_argument("--all", action="store_true", help="merge every candidate not marked reject, not only those marked accept")
    p.add_argument("--data", default="data", help="data directory (default: data)")


def run_accept(args: argparse.Namespace) -> int:
    from libyareport.articles.accept import accept
    r = accept(Path(args.data), args.source_id, all_rows=args.all)
    merged = sum(r.merged.values())
    detail = ", ".join(f"{n} {t}" for t, n in r.merged.items()) or "nothing new"
    say(f"accept: merged {merged} row{'s' * (merged != 1)} from {rel(r.review)} ({detail}); "
          f"{r.already} already merged, {r.rejected} rejected, {r.undecided} not yet decided"
          + ("" if not args.all else " (--all: undecided rows were merged too)"))
    for p in r.written:
        say(f"accept: updated {rel(p)}")
    say("next: python -m libyareport check, then build the book to see the new claims")
    return 0
