"""Text alternatives for charts: the values a plotly figure draws, as a table, and one sentence
saying what the chart shows and its most important fact.

Everything here is read back from the figure's own traces (x, y, z, text, hovertext, error bars),
never from the frame the chart was built from, so the table, the CSV and the sentence always
agree with what is drawn, for every chart of the book.
"""
from __future__ import annotations

import html
import re
from collections import Counter

import numpy as np
import pandas as pd

_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


def plain(text: object) -> str:
    """Chart or table markup as plain text: tags dropped, entities decoded, <q> as quotation marks."""
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return ""
    s = str(text)
    s = re.sub(r"<br\s*/?>", " ", s, flags=re.IGNORECASE)
    s = re.sub(r"<q>", "“", s, flags=re.IGNORECASE)
    s = re.sub(r"</q>", "”", s, flags=re.IGNORECASE)
    s = re.sub(r'<span class="lr-q">', " ", s)
    s = _TAG.sub("", s)
    return _SPACE.sub(" ", html.unescape(s)).strip()


def _title(obj) -> str:
    t = getattr(obj, "title", None)
    return plain(getattr(t, "text", None) or "") if t is not None else ""


def _axis_title(fig, axis, letter: str) -> str:
    """An axis title; subplots sharing an axis carry it on one of them only, so fall back to that one."""
    own = _title(axis)
    if own:
        return own
    meta = fig.layout.meta if isinstance(fig.layout.meta, dict) else {}
    if meta.get("axis_names", {}).get(letter):
        return str(meta["axis_names"][letter])
    for k in fig.layout:  # type: ignore[attr-defined]
        if k.startswith(letter + "axis") and fig.layout[k].visible is not False and _title(fig.layout[k]):
            return _title(fig.layout[k])
    return letter


def _axis(fig, ref: str | None, letter: str):
    name = (ref or letter).replace(letter, letter + "axis", 1)
    try:
        return fig.layout[name]
    except (KeyError, ValueError):
        return None


def _value(v: object) -> object:
    """A plotted value as a reader would write it: ISO dates, integers without '.0'. A date is
    written without a clock time: no claim has one, and a chart spreads one day's points across
    the day only so that each can be seen ("2019-04-06 04:00" read as a time nobody reported)."""
    if v is None:
        return None
    if isinstance(v, (pd.Timestamp, np.datetime64)) or hasattr(v, "isoformat"):
        ts = pd.Timestamp(v)
        if pd.isna(ts):
            return None
        return ts.strftime("%Y-%m-%d")
    if isinstance(v, (float, np.floating)):
        if np.isnan(v):
            return None
        return int(v) if float(v).is_integer() else round(float(v), 6)
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, str):
        return plain(v)
    return v


def _seq(v, n: int) -> list:
    if v is None:
        return [None] * n
    if isinstance(v, (str, int, float)):
        return [v] * n
    return list(v)


def _tick_labeller(axis):
    """Numeric positions on an axis labelled by tickvals/ticktext (e.g. lanes) → the nearest label."""
    if axis is None or axis.tickvals is None or axis.ticktext is None:
        return None
    vals = np.asarray(list(axis.tickvals), dtype=float)
    texts = [plain(t) for t in axis.ticktext]

    def label(v):
        if v is None or isinstance(v, str):
            return v
        return texts[int(np.argmin(np.abs(vals - float(v))))]
    return label


def _panel_titles(fig) -> dict[str, str]:
    """Subplot titles (make_subplots) by y axis: the annotation sitting on top of each axis domain."""
    out: dict[str, str] = {}
    names = [k for k in fig.layout if k.startswith("yaxis")]  # type: ignore[attr-defined]
    if len(names) < 2:
        return out
    for name in names:
        dom = fig.layout[name].domain
        if not dom:
            continue
        for a in fig.layout.annotations or ():
            if a.yref == "paper" and a.y is not None and abs(a.y - dom[1]) < 1e-6 and a.text:
                out["y" + name[5:]] = plain(a.text)
                break
    return out


def _legend_names(fig) -> dict[str, str]:
    names: dict[str, str] = {}
    for t in fig.data:
        if getattr(t, "legendgroup", None) and getattr(t, "name", None):
            names.setdefault(t.legendgroup, plain(t.name))
    return names


def _decorative(t) -> bool:
    """Traces a reader gets nothing from on their own: legend-only entries and lines without hover."""
    hi = getattr(t, "hoverinfo", None)
    x = getattr(t, "x", None)
    xs = [v for v in (list(x) if x is not None else []) if v is not None and not (isinstance(v, float) and np.isnan(v))]
    return hi == "skip" or (getattr(t, "type", "") != "heatmap" and not xs and getattr(t, "lon", None) is None)


def chart_data(fig) -> pd.DataFrame:
    """One row per plotted point (or heatmap cell), with its series, coordinates, labels and hover text."""
    rows: list[dict] = []
    legend = _legend_names(fig)
    panels = _panel_titles(fig)
    traces = [t for t in fig.data if not _decorative(t)]
    titles: dict[tuple, str] = {}  # per axis: traces share axes, and reading a plotly layout is slow

    def axis_title(ref, axis, letter: str) -> str:
        if (ref, letter) not in titles:
            titles[ref, letter] = _axis_title(fig, axis, letter)
        return titles[ref, letter]

    for t in traces:
        series = plain(t.name) if getattr(t, "name", None) else legend.get(getattr(t, "legendgroup", None) or "", "")
        kind = t.type
        if kind == "heatmap":
            xa, ya = _axis(fig, t.xaxis, "x"), _axis(fig, t.yaxis, "y")
            xn, yn = axis_title(t.xaxis, xa, "x"), axis_title(t.yaxis, ya, "y")
            zn = plain(getattr(getattr(getattr(t, "colorbar", None), "title", None), "text", None) or "") or "Value"
            z = [list(r) for r in (t.z or [])]
            xs, ys = list(t.x or range(len(z[0]) if z else 0)), list(t.y or range(len(z)))
            text = t.text
            for i, yv in enumerate(ys):
                for j, xv in enumerate(xs):
                    zv = z[i][j] if i < len(z) and j < len(z[i]) else None
                    if zv is None or (isinstance(zv, float) and np.isnan(zv)):
                        continue
                    row = {yn: _value(yv), xn: _value(xv), zn: _value(zv)}
                    if text is not None:
                        row["Label"] = plain(text[i][j])
                    rows.append(row)
            continue
        if kind in ("scattergeo", "scattermap", "scattermapbox"):
            n = len(t.lon or t.lat or [])
            cols = {"Longitude": _seq(t.lon, n), "Latitude": _seq(t.lat, n)}
            xa = ya = None
        else:
            xs = list(t.x) if t.x is not None else []
            ys = list(t.y) if t.y is not None else []
            n = max(len(xs), len(ys))
            xa, ya = _axis(fig, getattr(t, "xaxis", None), "x"), _axis(fig, getattr(t, "yaxis", None), "y")
            cols = {}
            for letter, axis, vals, ref in (("x", xa, xs, getattr(t, "xaxis", None)), ("y", ya, ys, getattr(t, "yaxis", None))):
                if axis is not None and axis.visible is False:
                    continue  # positions on a hidden axis (a diagram's layout) mean nothing to a reader
                label = _tick_labeller(axis)
                vals = _seq(vals or None, n)
                cols[axis_title(ref, axis, letter)] = [label(v) if label else v for v in vals]
        panel = panels.get(getattr(t, "yaxis", None) or "y", "")
        err = getattr(t, "error_y", None)
        err_hi = list(err.array) if err is not None and err.array is not None else None
        err_lo = list(err.arrayminus) if err is not None and err.arrayminus is not None else err_hi
        text = _seq(getattr(t, "text", None), n)
        hover = _seq(getattr(t, "hovertext", None), n)
        ycol = list(cols)[1] if len(cols) == 2 else None
        for i in range(n):
            if cols and all(v[i] is None for v in cols.values()):
                continue  # the gap between two line segments
            row: dict = {"Series": series}
            if panel:
                row["Panel"] = panel
            row.update({c: _value(v[i]) for c, v in cols.items()})
            if err_hi is not None and ycol is not None and isinstance(row.get(ycol), (int, float)):
                row["Low"] = _value(row[ycol] - float(err_lo[i] or 0))
                row["High"] = _value(row[ycol] + float(err_hi[i] or 0))
            if text[i] not in (None, ""):
                row["Label"] = plain(text[i])
            if hover[i] not in (None, ""):
                row["Details"] = plain(hover[i])
            rows.append(row)
    df = pd.DataFrame(rows)
    if "Series" in df and not df["Series"].astype(bool).any():
        df = df.drop(columns="Series")
    return df


def _fmt(v: object) -> str:
    if isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool):
        return f"{v:,}"
    return str(v)


def describe(fig, data: pd.DataFrame | None = None) -> str:
    """One sentence: the chart's title, what it plots over which span, and its most important fact."""
    data = chart_data(fig) if data is None else data
    title = _title(fig.layout) or "Chart"
    if data.empty:
        notes = [plain(a.text) for a in (fig.layout.annotations or ()) if a.text]
        return f"{title}: {notes[0] if notes else 'nothing to show'}"
    n = len(data)
    heat = any(t.type == "heatmap" for t in fig.data)
    coords = [c for c in data.columns if c not in ("Series", "Panel", "Low", "High", "Label", "Details")]
    parts = []
    if heat:
        rown, coln, valn = coords[0], coords[1], coords[2]
        parts.append(f"{n} cells of {valn} by {rown.lower()} ({data[rown].nunique()}) and {coln.lower()} "
                     f"({data[coln].nunique()})")
        vals = pd.to_numeric(data[valn], errors="coerce")
        top = data.loc[vals.idxmax()]
        ties = int((vals == vals.max()).sum()) - 1
        parts.append(f"largest: {_fmt(top[valn])} {valn} ({top[rown]} → {top[coln]}"
                     + (f"; {ties} other cell{'s' * (ties != 1)} as large" if ties else "") + ")")
        return f"{title}: " + "; ".join(parts) + "."
    dates = [c for c in coords if data[c].map(lambda v: isinstance(v, str) and bool(re.fullmatch(r"\d{4}-\d\d-\d\d.*", v))).all()]
    what = f"{n} point{'s' * (n != 1)}"
    if dates:
        d = data[dates[0]]
        what += f" from {d.min()} to {d.max()}"
    series = [s for s in data["Series"].unique() if s] if "Series" in data else []
    if len(series) > 1:
        shown = ", ".join(series[:5]) + (f" and {len(series) - 5} more" if len(series) > 5 else "")
        what += f" in {len(series)} series ({shown})"
    if "Panel" in data and data["Panel"].nunique() > 1:
        what += f", in {data['Panel'].nunique()} panels ({', '.join(data['Panel'].unique())})"
    parts.append(what)
    numeric = [c for c in coords if c not in dates and pd.to_numeric(data[c], errors="coerce").notna().all()]
    if numeric:
        col = numeric[-1]
        vals = pd.to_numeric(data[col], errors="coerce")
        top = data.loc[vals.idxmax()]
        where = [str(top[c]) for c in ("Series", "Panel") if c in data and top[c]]
        where += [str(top[c]) for c in coords if c != col and top[c] is not None]
        ties = int((vals == vals.max()).sum()) - 1
        parts.append(f"largest: {_fmt(top[col])}" + (f" ({', '.join(where)})" if where else "")
                     + (f", {ties} other{'s' * (ties != 1)} as large" if ties else ""))
    elif series:
        s, k = Counter(x for x in data["Series"] if x).most_common(1)[0]
        parts.append(f"most points: {s} ({k})")
    return f"{title}: " + "; ".join(parts) + "."


def figure_block(fig, figure_html: str, caption: str, source: str, div_id: str) -> str:
    """A chart inside its <figure>: the drawing exposed as an image named by a one-sentence
    description, the caption and source line, and the plotted values as a collapsed table and a CSV."""
    from libyareport.render.downloads import data_table_html
    data = chart_data(fig)
    desc = describe(fig, data)
    desc_id = f"{div_id}-desc"
    esc = html.escape
    parts = [f'<figure class="lr-figure" id="{esc(div_id)}-figure">',
             # the drawing is named by the description (role="img" on the plot's SVG: _static/lr-charts.js)
             f'<div class="lr-chart" data-desc-id="{esc(desc_id)}" aria-describedby="{esc(desc_id)}">{figure_html}</div>',
             f'<figcaption><span class="lr-chart-desc" id="{esc(desc_id)}">{esc(desc)}</span> {esc(caption)}',
             (f'<br><span class="lr-source-line">Sources: {esc(source)}</span>' if source else ""),
             "</figcaption>"]
    if not data.empty:
        parts.append(data_table_html(data, f"{div_id}.csv", summary="The data behind this chart",
                                     label=f"The data behind the chart: {_title(fig.layout) or desc}"))
    parts.append("</figure>")
    return "".join(parts)
