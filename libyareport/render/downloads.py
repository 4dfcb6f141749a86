"""Downloads offered by the book: a CSV behind every chart and table, and the evidence of the run
as a zipped Frictionless data package.

Files are written into the directory named by the environment variable LIBYAREPORT_DOWNLOADS
(the book build sets it to `<build>/downloads` and copies it to the book's `_static/downloads/`);
links point at them as `lr-data:<file>`, which the local Sphinx extension turns into a path
relative to each page, so they work from `file://`. Outside a book build (a notebook opened by
hand) the file is embedded in the link as a `data:` URI instead.
"""
from __future__ import annotations

import base64
import csv
import html
import io
import json
import os
import re
import zipfile
from pathlib import Path

import pandas as pd

from libyareport.render.a11y import plain

ENV = "LIBYAREPORT_DOWNLOADS"
LINK_PREFIX = "lr-data:"
#: raw columns a table's CSV carries besides what the table shows, when its frame has them
TRACE_COLUMNS = ("event_id", "figure_id", "claim_id", "claim_ids", "source_id", "quote", "status", "stance", "tier", "grade")
_ZIP_TIME = (2000, 1, 1, 0, 0, 0)  # fixed, so the same evidence gives the same bytes


def safe_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-") or "data"


def publish(filename: str, data: bytes, mime: str) -> str:
    """Make `data` downloadable; returns the href for a link to it."""
    filename = safe_name(filename)
    out = os.environ.get(ENV)
    if out:
        d = Path(out)
        d.mkdir(parents=True, exist_ok=True)
        tmp = d / (filename + ".tmp")
        tmp.write_bytes(data)
        tmp.replace(d / filename)
        return LINK_PREFIX + filename
    return f"data:{mime};base64," + base64.b64encode(data).decode("ascii")


def csv_bytes(df: pd.DataFrame) -> bytes:
    return df.to_csv(index=False, lineterminator="\n").encode("utf-8")


def link(href: str, filename: str, text: str) -> str:
    return (f'<p class="lr-download"><a href="{html.escape(href)}" download="{html.escape(safe_name(filename))}">'
            f"{html.escape(text)}</a></p>")


def _cell(v: object) -> str:
    if isinstance(v, pd.Timestamp):
        return v.strftime("%Y-%m-%d")
    if isinstance(v, (list, tuple)):
        return "; ".join(str(x) for x in v)
    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return ""
    return str(v)


def table_rows(df: pd.DataFrame, columns: dict[str, str], html_columns: tuple[str, ...] = ()) -> pd.DataFrame:
    """A displayed table as plain rows: the shown columns under their headings (links and quotes as
    text), then the claim, source, quote, status, tier and grade columns the frame carries."""
    out = pd.DataFrame(index=df.index)
    for col, label in columns.items():
        vals = [_cell(v) for v in df[col]]
        out[label] = [plain(v) for v in vals] if col in html_columns else vals
    for col in TRACE_COLUMNS:
        if col in df.columns and col not in columns:
            out[col] = [_cell(v) for v in df[col]]
    return out.reset_index(drop=True)


def table_download(df: pd.DataFrame, columns: dict[str, str], html_columns: tuple[str, ...], name: str) -> str:
    rows = table_rows(df, columns, html_columns)
    filename = safe_name(name) + ".csv"
    href = publish(filename, csv_bytes(rows), "text/csv")
    return link(href, filename, f"Download these {len(rows)} rows as CSV")


def data_table_html(data: pd.DataFrame, filename: str, summary: str, label: str | None = None) -> str:
    """Values in a collapsed <details> table, and a link to the same values as CSV. `label` names
    the table's scroll box for screen readers (default: `summary`; unique on its page)."""
    esc = html.escape
    head = "".join(f'<th scope="col">{esc(str(c))}</th>' for c in data.columns)
    body = "".join("<tr>" + "".join(f"<td>{esc(_cell(v))}</td>" for v in r) + "</tr>"
                   for r in data.itertuples(index=False))
    href = publish(filename, csv_bytes(data), "text/csv")
    n = len(data)
    return (f'<details class="lr-data"><summary>{esc(summary)} ({n} row{"s" * (n != 1)})</summary>'
            f'<div class="lr-table-wrap" tabindex="0" role="region" aria-label="{esc(label or summary)}">'
            f'<table class="lr-table lr-data-table"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'
            "</details>" + link(href, filename, f"Download the chart's data as CSV ({n} row{'s' * (n != 1)})"))


# -- the evidence of a run as a data package -------------------------------------------------
def _package_json(data_dir: Path) -> dict:
    from libyareport.evidence.schema import SCHEMA_FILE
    own = data_dir / "datapackage.json"
    return json.loads((own if own.is_file() else SCHEMA_FILE).read_text(encoding="utf-8"))


def _kept_lines(ev, res_path: str, table: str | None) -> set[int] | None:
    """Physical lines (row starts) of a claim file that the run's view keeps; None = keep every row."""
    if table not in ev.tables:
        return None
    df = ev.tables[table]
    return {int(x) for x in df.loc[df["file"] == res_path, "line"]}


def _filtered_csv(path: Path, keep: set[int] | None) -> tuple[bytes, int]:
    """The CSV with only the rows whose record starts on a kept line, header and values unchanged."""
    text = path.read_text(encoding="utf-8")
    reader = csv.reader(io.StringIO(text, newline=""))
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    n = 0
    header = next(reader, None)
    if header is None:
        return b"", 0
    w.writerow(header)
    start = reader.line_num + 1
    for row in reader:
        if row and (keep is None or start in keep):
            w.writerow(row)
            n += 1
        start = reader.line_num + 1
    return out.getvalue().encode("utf-8"), n


def evidence_package(ev) -> tuple[bytes, dict[str, int]]:
    """The evidence behind this run as a zip: datapackage.json, the table schemas, the claim CSVs
    filtered to the run's window and tiers, the source texts they quote, and a README saying so.
    Returns the zip and the number of rows written per resource."""
    from libyareport.evidence.schema import TIERS  # noqa: F401 - documents which tiers exist
    data_dir = Path(ev.data_dir)
    pkg = _package_json(data_dir)
    w = ev.window
    files: dict[str, bytes] = {}
    counts: dict[str, int] = {}
    kept = []
    res_by_name = {r.name: r for r in ev.package.resources}
    for r in pkg["resources"]:
        tier = r.get("tier")
        if tier == "context" and not w.context:
            continue
        path = r["path"]
        if path.endswith(".csv"):
            meta = res_by_name.get(r["name"])
            keep = _kept_lines(ev, path, meta.table if meta else None)
            blob, n = _filtered_csv(data_dir / path, keep)
            files[path] = blob
            counts[r["name"]] = n
            if isinstance(r.get("schema"), str):
                files[r["schema"]] = (data_dir / r["schema"]).read_bytes() if (data_dir / r["schema"]).is_file() \
                    else (Path(ev.package.root) / r["schema"]).read_bytes()
            kept.append(r)
        elif r["name"] == "sources":
            n = 0
            for sid, src in sorted(ev.sources.items()):
                if not w.commentary and src.meta.get("kind") == "forum_comments":
                    continue
                files[f"{path.rstrip('/')}/{Path(src.path).name}"] = Path(src.path).read_bytes()
                n += 1
            counts["sources"] = n
            kept.append(r)
        # other resources (the checksums of data/raw/) describe files not in this package
    tiers = ["corpus (quoted)"] + (["public record (cited)"] if w.context else []) + \
            (["forum commentary"] if w.commentary else [])
    run = {"window": w.describe(), "start_date": w.start.isoformat() if w.start else None,
           "end_date": w.end.isoformat() if w.end else None, "include_context": w.context,
           "include_commentary": w.commentary, "data_fingerprint": ev.fingerprint}
    pkg = {**pkg, "resources": kept, "x-run": run,
           "description": pkg.get("description", "") + f" Filtered to one run of the book: {w.describe()}; "
                          f"tiers: {', '.join(tiers)}."}
    files["datapackage.json"] = (json.dumps(pkg, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    readme = [
        "# Evidence of the Tripoli report book, as used by this run",
        "",
        f"This package is filtered to the run's window and tiers: rows dated {w.describe()}; "
        f"tiers: {', '.join(tiers)}"
        + ("" if w.commentary else "; forum commentary left out") + ".",
        "Backer relationships are kept when reported up to the window's end; actors, references and phases in full.",
        f"Data fingerprint {ev.fingerprint} (see the run record on the book's landing page).",
        "The full evidence base, with the raw documents and their checksums, is `data/` in the repository.",
        "",
        "Rows per file: " + ", ".join(f"{k} {v}" for k, v in counts.items()) + ".",
        "",
    ]
    files["README.md"] = "\n".join(readme).encode("utf-8")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name in sorted(files):
            info = zipfile.ZipInfo("tripoli-evidence/" + name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, files[name])
    return buf.getvalue(), counts


def evidence_download(ev) -> None:
    """The appendix's link to the zipped data package of this run."""
    from IPython.display import HTML, display
    blob, counts = evidence_package(ev)
    filename = "tripoli-evidence.zip"
    href = publish(filename, blob, "application/zip")
    rows = sum(v for k, v in counts.items() if k != "sources")
    display(HTML(
        f'<p class="lr-download"><a href="{html.escape(href)}" download="{filename}">Download the evidence of this run '
        f"(zip, {max(1, round(len(blob) / 1024))} KB)</a>: a Frictionless data package with <code>datapackage.json</code>, "
        f"the table schemas, {rows} claim and registry rows in CSV and {counts.get('sources', 0)} source texts, "
        f"filtered to this run's window ({html.escape(ev.window.describe())}) and tiers.</p>"))
