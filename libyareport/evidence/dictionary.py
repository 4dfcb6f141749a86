"""The data dictionary (`data/README.md`), generated from `data/datapackage.json`."""
from __future__ import annotations

import contextlib
from pathlib import Path

from libyareport.evidence.schema import _field, load_package
from libyareport.evidence.schema_extras import render_extras

INTRO = """# Data dictionary

*Generated from `datapackage.json` by `python -m libyareport dictionary`; do not edit by hand
(a test fails when this file and the schema disagree).*

The evidence base behind every statement in the book. The pipeline reads it in this order:

1. `raw/` — the three corpus documents exactly as received, with `MANIFEST.sha256`.
2. `sources/` — one Markdown file per source document: front matter, then the text verbatim
   (a raw file mixing kinds, such as a forum thread quoting a news report, is split).
3. `*.csv` — the **corpus tier** claim tables: every row cites a source (`source_id`) and
   quotes it verbatim (`quote`); the same claim in two sources is two rows.
4. `context/` — the **context tier**: public-record facts transcribed from the vetted fact
   sheet, each row citing a reference in `context/references.csv` instead of quoting.
5. `imported/` — normalised ACLED / UCDP event exports (`python -m libyareport import …`).

`python -m libyareport check` enforces every type, constraint and key below, checks that
each quote occurs in its source, that no event is dated after the source reporting it was
published, that raw files match their checksums, and that each source's text equals the raw
lines it was taken from.

How the corpus documents were dated, attributed and split, and the curation decisions
behind the claim tables, are in [`CURATION-corpus.md`](CURATION-corpus.md).

Lists inside one cell are separated by `;`. Dates are ISO `YYYY-MM-DD`; a date with
precision `month` or `year` is written as the first day of that month or year.
"""


def render_dictionary(data_dir: Path | None = None) -> str:
    pkg = load_package(str(data_dir) if data_dir else None)
    out = [INTRO]
    for res in pkg.resources:
        tier = f" · tier: {res.tier}" if res.tier else ""
        out.append(f"## `{res.path}` ({res.name}{tier})\n\n{res.description}\n")
        if not res.fields:
            continue
        if res.primary_key:
            out.append(f"Key: `{res.primary_key}`.\n")
        out.append("| column | type | required | allowed values / form | meaning |")
        out.append("|---|---|---|---|---|")
        for f in res.fields:
            form = ", ".join(f"`{v}`" + (f" ({f.labels[v]})" if f.labels and f.labels.get(v) and f.labels[v] != v else "")
                             for v in f.enum) if f.enum else ""
            if f.references:
                form = f"→ {f.references}" + (f" (`{f.separator}`-separated)" if f.separator else "")
            elif f.separator:
                form = (form + " " if form else "") + f"`{f.separator}`-separated list"
            if f.minimum is not None and f.maximum is not None:
                form = (form + "; " if form else "") + f"{f.minimum:g} to {f.maximum:,.0f}"
            elif f.minimum is not None:
                form = (form + "; " if form else "") + f"≥ {f.minimum:g}"
            elif f.maximum is not None:
                form = (form + "; " if form else "") + f"≤ {f.maximum:,.0f}"
            req = "yes" if f.required else ("corpus tier" if f.corpus_required else "")
            desc = f.description.replace("|", "\\|")
            out.append(f"| `{f.name}` | {f.type} | {req} | {form} | {desc} |")
        out.append("")
    out.extend(render_extras(pkg.root, _field))
    return "\n".join(out).rstrip() + "\n"


def write_dictionary(data_dir: Path) -> Path:
    """Write data/README.md through a temporary file and a rename, holding the data/ lock."""
    from libyareport.errors import Problem, ReportError, rel
    from libyareport.lock import writer_lock

    if not data_dir.is_dir():
        raise ReportError(Problem(rel(data_dir), None, None, "data directory does not exist",
                                  "the data directory whose README.md to regenerate (--data DIR)"))
    path = data_dir / "README.md"
    tmp = path.with_name(".README.md.tmp")
    text = render_dictionary(data_dir)
    with writer_lock(data_dir, "dictionary"):
        try:
            tmp.write_text(text, encoding="utf-8")
            tmp.replace(path)
        except OSError as e:
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)
            raise ReportError(Problem(rel(path), None, None, f"cannot write the data dictionary: {e.strerror or e}",
                                      "a writable data directory; the previous README.md is unchanged")) from None
    return path
