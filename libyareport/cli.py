"""`python -m libyareport …` (or `libyareport …`): every subcommand of the pipeline, defined here.

Each command imports only the stage it drives, when it runs, so `--help` and a no-change
`build` start fast. Errors a user can cause end as one line per problem and exit status 1.

    check        evidence/   validate data/ against the schema
    dictionary   evidence/   regenerate data/README.md from the schema
    import       imports/    normalise an ACLED / UCDP export into data/imported/NAME/
    build, run   publish/    execute the chapters and build the HTML book (+ briefing)
    pdf          publish/    print the A4 briefing, or the whole book
    add, accept  articles/   a new article → source + candidate claims → reviewed rows in the tables
"""
from __future__ import annotations

import argparse
import contextlib
import sys
import time
from pathlib import Path

from libyareport.errors import ReportError


def _summary(ev) -> str:
    from libyareport.evidence import grades
    from libyareport.evidence.schema import CLAIM_TABLES
    lines = []
    kinds = ev.source_table["kind"].value_counts()
    lines.append(f"sources: {len(ev.source_table)} (" + ", ".join(f"{n} {k}" for k, n in kinds.items()) + f"); "
                 f"references: {len(ev.references)}; actors: {len(ev.actors)}")
    ids = list(grades.grade_counts(ev, CLAIM_TABLES[0]))
    labels = [grades.grade_label(ev, g).lower() for g in ids]
    lines.append(f"{'table':<10} {'corpus':>7} {'context':>8} " + " ".join(f"{lab:>13}" for lab in labels))
    for t in CLAIM_TABLES:
        df = ev.tables[t]
        counts = grades.grade_counts(ev, t)
        lines.append(f"{t:<10} {int((df['tier'] == 'corpus').sum()):>7} {int((df['tier'] == 'context').sum()):>8} "
                     + " ".join(f"{counts[g]:>13}" for g in ids))
    lines.append("keys per evidence grade (commentary excluded); contested = a refuting source, a competing claim, "
                 "or sources disagreeing on date, time, value or place — see evidence/grades.py")
    lines.append(f"data fingerprint: {ev.fingerprint}")
    return "\n".join(lines)


# -- commands ------------------------------------------------------------------------------
def cmd_check(args: argparse.Namespace) -> int:
    from libyareport.evidence.check import load_checked
    from libyareport.evidence.model import from_loaded
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
    from libyareport.evidence.dictionary import write_dictionary
    out = write_dictionary(Path(args.data))
    print(f"dictionary: wrote {out}")
    return 0


def _params_from(args: argparse.Namespace) -> dict:
    from libyareport.params import parse_params
    return parse_params(args.param, args.params, args.data)


def _build_dir(args: argparse.Namespace) -> Path | None:
    return Path(args.build_dir).resolve() if getattr(args, "build_dir", None) else None


def cmd_build(args: argparse.Namespace) -> int:
    from libyareport.publish.book import CHAPTERS, build_book
    params = _params_from(args)
    build_book(params, force={c.name for c in CHAPTERS} if args.force else None, jobs=args.jobs, pdf=not args.no_pdf,
               build_dir=_build_dir(args))
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from libyareport.publish.book import build_book, chapter
    params = _params_from(args)
    ch = chapter(args.chapter)
    build_book(params, force={ch.name}, jobs=args.jobs, pdf=not args.no_pdf, build_dir=_build_dir(args))
    return 0


def cmd_pdf(args: argparse.Namespace) -> int:
    from libyareport.publish.book import print_briefing
    from libyareport.publish.briefing import build_book_pdf
    if args.book:
        from libyareport.lock import writer_lock
        from libyareport.publish.book import ROOT, prepare_build_dir
        build = _build_dir(args) or ROOT / "_build"
        prepare_build_dir(build)
        with writer_lock(build, "pdf --book"):
            build_book_pdf(build)
        return 0
    print_briefing(_params_from(args), build_dir=_build_dir(args))
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from libyareport.imports.run import cmd_import as run_import
    return run_import(args)


def _articles():
    from libyareport.articles import commands
    return commands


def _data_writer(args: argparse.Namespace, what: str):
    """add/accept write data/: exclusive lock, so no build reads a half-added article."""
    from libyareport.lock import writer_lock
    data = Path(args.data)
    return writer_lock(data, what) if data.is_dir() else contextlib.nullcontext()


def cmd_add(args: argparse.Namespace) -> int:
    with _data_writer(args, "add"):
        return _articles().run_add(args)


def cmd_accept(args: argparse.Namespace) -> int:
    with _data_writer(args, "accept"):
        return _articles().run_accept(args)


# -- the parser -------------------------------------------------------------------------------
def _positive(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number; expected a positive integer") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"{n} is not positive; expected a positive integer")
    return n


def _run_options(p: argparse.ArgumentParser) -> None:
    from libyareport.params import describe
    p.add_argument("--data", help="data directory (default: data)")
    p.add_argument("-p", "--param", action="append", metavar="NAME=VALUE", help="set a chapter parameter:\n" + describe())
    p.add_argument("--params", metavar="FILE.yaml", help="read parameters from a YAML file")
    p.add_argument("--build-dir", metavar="DIR", help="where to build (default: _build in the repository)")


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m libyareport",
                                 description="Build, check and print the Tripoli report book.")
    sub = ap.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("check", help="validate data/ and print a summary")
    p.add_argument("--data", default="data", help="data directory (default: data)")
    p.add_argument("--max-errors", type=_positive, default=200, help="list at most this many problems")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("dictionary", help="regenerate data/README.md from data/datapackage.json")
    p.add_argument("--data", default="data")
    p.set_defaults(func=cmd_dictionary)

    p = sub.add_parser("import", help="import an ACLED or UCDP GED export into data/imported/",
                       description="Normalise an ACLED or UCDP GED CSV export into data/imported/<name>/ "
                                   "(events.parquet or series.parquet, plus meta.json). The curated tables are never touched.")
    p.add_argument("format", choices=["acled", "ucdp"], help="the export's publisher")
    p.add_argument("file", help="the exported CSV file")
    p.add_argument("--country", help="keep only rows of this country (case-insensitive)")
    p.add_argument("--name", help="dataset name (default: acled / ucdp)")
    p.add_argument("--skip-bad-rows", action="store_true", help="skip invalid rows instead of stopping")
    p.add_argument("--data", default="data", metavar="DIR", help="data directory (default: data)")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("build", help="check, execute the chapters and build the HTML book",
                       formatter_class=argparse.RawTextHelpFormatter)
    _run_options(p)
    p.add_argument("--force", action="store_true", help="re-execute every chapter")
    p.add_argument("--jobs", type=_positive, help="chapters executed in parallel (default: number of cores)")
    p.add_argument("--no-pdf", action="store_true", help="do not print the PDF briefing after the book")
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("run", help="re-execute one chapter and rebuild the book", formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("chapter", help="chapter name, e.g. 01_chronology or chronology")
    _run_options(p)
    p.add_argument("--jobs", type=_positive)
    p.add_argument("--no-pdf", action="store_true")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("pdf", help="print the A4 PDF briefing (or, with --book, the whole book)",
                       formatter_class=argparse.RawTextHelpFormatter)
    _run_options(p)
    p.add_argument("--book", action="store_true", help="print the whole built book into _build/pdf/book.pdf")
    p.set_defaults(func=cmd_pdf)

    p = sub.add_parser("add", help="add a new article: keep it, write its source, propose candidate claims")
    _articles().add_add_arguments(p)
    p.set_defaults(func=cmd_add)

    p = sub.add_parser("accept", help="merge an added article's reviewed candidates into the claim tables")
    _articles().add_accept_arguments(p)
    p.set_defaults(func=cmd_accept)
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
    except OSError as e:  # a fault no stage anticipated (disk, permissions): still one line, never a traceback
        where = f"{e.filename}: " if getattr(e, "filename", None) else ""
        print(f"error: {where}{e.strerror or e}; nothing already published or in data/ was changed", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
