"""The evidence base in memory: typed pandas frames, tiers, windows, counter-claims.

Counting and grading claims lives in `grades.py` (one definition).

`load(data_dir)` validates first and raises `ReportError` listing every problem; a loaded
`Evidence` is therefore always consistent. Chapters call `load(...).view(...)` with their
parameters and ask it questions.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

import pandas as pd

from libyareport.errors import ReportError
from libyareport.evidence import labels
from libyareport.evidence.check import Loaded, load_checked, period_end
from libyareport.evidence.schema import CLAIM_TABLES, Package
from libyareport.evidence.sources import Source
from libyareport.params import parse_date, window

DATE_COLS = {"events": ("date", "date_end"), "responses": ("date", "date_end"),
             "tolls": ("as_of", "as_of_end", "period_start"), "references": ("date",)}


def _frame(loaded: Loaded, table: str) -> pd.DataFrame:
    frames = []
    for res in loaded.package.tables(table):
        t = loaded.tables.get(res.name)
        cols = res.columns
        df = pd.DataFrame(t.rows if t else [], columns=cols, dtype="string")
        for c in cols:
            df[c] = df[c].fillna("").str.strip()
        df["tier"] = res.tier or "corpus"
        df["line"] = t.lines if t else []
        df["file"] = res.path
        frames.append(df)
    df = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    for c in DATE_COLS.get(table, ()):
        if c in df:
            df[c] = pd.to_datetime(df[c].replace("", None), format="%Y-%m-%d")
    for c in ("value", "low", "high"):
        if c in df:
            df[c] = pd.to_numeric(df[c].replace("", None))
    return df


@dataclass
class Window:
    start: dt.date | None = None
    end: dt.date | None = None
    context: bool = True
    commentary: bool = False

    def describe(self) -> str:
        s = self.start.isoformat() if self.start else "the beginning"
        e = self.end.isoformat() if self.end else "the end"
        return f"{s} to {e}"


@dataclass
class Evidence:
    data_dir: Path
    package: Package
    sources: dict[str, Source]
    source_table: pd.DataFrame
    actors: pd.DataFrame
    references: pd.DataFrame
    tables: dict[str, pd.DataFrame]
    fingerprint: str
    phases: pd.DataFrame = field(default_factory=pd.DataFrame)  # the campaign's phases, validated like any table
    window: Window = field(default_factory=Window)
    base: Evidence | None = None  # the unfiltered evidence a view was taken from

    # -- tables -------------------------------------------------------------------------
    @property
    def events(self) -> pd.DataFrame:
        return self.tables["events"]

    @property
    def tolls(self) -> pd.DataFrame:
        return self.tables["tolls"]

    @property
    def support(self) -> pd.DataFrame:
        return self.tables["support"]

    @property
    def responses(self) -> pd.DataFrame:
        return self.tables["responses"]

    # -- views --------------------------------------------------------------------------
    def view(self, start_date: str | dt.date | None = None, end_date: str | dt.date | None = None,
             include_context: bool = True, include_commentary: bool = False) -> Evidence:
        """The evidence a chapter shows: rows in the date window, tiers switched on or off."""
        start, end = window(start_date, end_date)
        w = Window(start, end, include_context, include_commentary)
        full = self.base or self  # a view of a view is taken from the whole evidence again
        tables = {name: _filter(name, df, w, full) for name, df in full.tables.items()}
        return replace(self, tables=tables, window=w, base=self.base or self)

    # -- questions ----------------------------------------------------------------------
    def disputes(self) -> pd.DataFrame:
        """Each claim that contradicts another event, with the contradicted event's claims.

        Columns: claim_id, event_id, summary, claimed_by, source_id, quote, date, tier,
        disputed_event_id, disputed_summary, disputed_sources.
        """
        ev = self.events
        first_summary = ev.drop_duplicates("event_id").set_index("event_id")["summary"].to_dict()
        sources_of = ev.groupby("event_id")["source_id"].agg(lambda s: sorted(set(s))).to_dict()
        rows = []
        for r in ev[ev["disputes"] != ""].itertuples():
            for target in (t.strip() for t in r.disputes.split(";")):
                rows.append({
                    "claim_id": r.claim_id, "event_id": r.event_id, "date": r.date,
                    "summary": r.summary, "status": r.status, "claimed_by": r.claimed_by,
                    "source_id": r.source_id, "quote": r.quote, "tier": r.tier,
                    "disputed_event_id": target,
                    "disputed_summary": first_summary.get(target, ""),
                    "disputed_sources": sources_of.get(target, []),
                })
        cols = ["claim_id", "event_id", "date", "summary", "status", "claimed_by", "source_id", "quote",
                "tier", "disputed_event_id", "disputed_summary", "disputed_sources"]
        return pd.DataFrame(rows, columns=cols)

    def quote_position(self, claim_id: str) -> dict:
        """Where a claim's quote sits in its source: source, character span, line in the .md file."""
        for name, df in self.tables.items():
            hit = df[df["claim_id"] == claim_id]
            if len(hit):
                r = hit.iloc[0]
                if r["tier"] != "corpus":
                    return {"table": name, "source_id": r["source_id"], "tier": "context", "start": None, "end": None, "line": None}
                src = self.sources[r["source_id"]]
                span = src.find(r["quote"])
                assert span is not None  # validated on load
                return {"table": name, "source_id": src.id, "tier": "corpus", "start": span[0], "end": span[1],
                        "line": src.line_of(span[0])}
        raise ReportError(f"unknown claim ID '{claim_id}'; expected a claim_id from one of the claim tables")

    def actor_mentions(self) -> pd.DataFrame:
        """For each actor, the sources whose text names it (by name or alias)."""
        rows = []
        texts = {sid: s.text for sid, s in self.sources.items() if self._source_visible(sid)}
        for _, a in self.actors.iterrows():
            names = {a["name"], *[x.strip() for x in a["aliases"].split(";") if x.strip()]}
            pattern = re.compile(r"(?<![A-Za-z])(?:" + "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
                                 + r")(?![A-Za-z])")
            hits = sorted(sid for sid, text in texts.items() if pattern.search(text))
            rows.append({"actor_id": a["actor_id"], "sources": hits, "n_sources": len(hits)})
        return pd.DataFrame(rows, columns=["actor_id", "sources", "n_sources"])

    def _source_visible(self, sid: str) -> bool:
        return self.window.commentary or self.sources[sid].meta.get("kind") != "forum_comments"

    def memo(self, name: str, compute):
        """`compute()` once per evidence view (a view never changes): derived tables that several
        sections of a chapter read."""
        cache = self.__dict__.setdefault("_memo", {})
        if name not in cache:
            cache[name] = compute()
        return cache[name]

    @cached_property
    def _names(self) -> dict[str, str]:
        return dict(zip(self.actors["actor_id"], self.actors["name"]))

    def actor_name(self, actor_id: str) -> str:
        return self._names.get(actor_id, actor_id)

    def claims_per_source(self) -> pd.DataFrame:
        counts = pd.concat([df[["source_id", "tier"]] for df in self.tables.values()])
        return counts.groupby("source_id").size().rename("n_claims").reset_index()

    @cached_property
    def _cites(self) -> dict[str, str]:
        return {}

    def cite(self, source_id: str) -> str:
        """See _cite (memoised per evidence view: tables cite hundreds of rows)."""
        if source_id not in self._cites:
            self._cites[source_id] = self._cite(source_id)
        return self._cites[source_id]

    def _cite(self, source_id: str) -> str:
        """A short citation for a source or reference: 'Outlet, date' or 'Publisher, date'.

        An outlet inferred from the text keeps "(inferred)"; a partisan or state-media outlet
        carries its badge ("[state media]"), wherever the citation is printed."""
        if source_id in self.sources:
            m = self.sources[source_id].meta
            outlet = str(m.get("outlet"))
            if str(m.get("outlet_basis") or "").lower().startswith("inferred"):
                outlet += " (inferred)"
            return f"{outlet}{self.reliability_badge(source_id)}, {_fmt(parse_date(str(m.get('published'))))}"
        r = _reference(self, source_id)
        if r is not None:
            date = _fmt(r["date"].date()) if pd.notna(r["date"]) else "n.d."
            return f"{r['publisher']}{self.reliability_badge(source_id)}, {date}"
        return source_id

    def reliability_badge(self, source_id: str) -> str:
        """' [partisan]' / ' [state media]' for such outlets (labels from x-reliability), else ''."""
        from libyareport.evidence.grades import reliability, vocabulary
        rel = reliability(self, source_id)
        if not rel or rel == "independent":
            return ""
        label = vocabulary(self, "x-reliability").get(rel, {}).get("label", rel.replace("_", " "))
        return f" [{label.lower()}]"


def _fmt(d: dt.date | None) -> str:
    return f"{d.day} {d:%b %Y}" if d else "n.d."


def _filter(name: str, df: pd.DataFrame, w: Window, ev: Evidence) -> pd.DataFrame:
    keep = pd.Series(True, index=df.index)
    if not w.context:
        keep &= df["tier"] != "context"
    if not w.commentary:
        keep &= df["status"] != "commentary"
    col = {"events": "date", "responses": "date", "tolls": "as_of"}.get(name)
    if col:
        prec = "date_precision" if col == "date" else "as_of_precision"
        starts = df[col].dt.date
        ends = [period_end(s, e.date() if pd.notna(e) else None, p)
                for s, e, p in zip(starts, df[f"{col}_end"], df[prec])]
        if w.start:
            keep &= pd.Series([e >= w.start for e in ends], index=df.index, dtype=bool)
        if w.end:
            keep &= pd.Series([s <= w.end for s in starts], index=df.index, dtype=bool)
    elif name == "support" and w.end:
        # Backer relationships are not dated events: keep those reported up to the window's end
        # (undated public-record references are kept).
        pub = [_published(ev, s) for s in df["source_id"]]
        keep &= pd.Series([p is None or p <= w.end for p in pub], index=df.index, dtype=bool)
    return df[keep].reset_index(drop=True)


def _published(ev: Evidence, sid: str) -> dt.date | None:
    if sid in ev.sources:
        return parse_date(str(ev.sources[sid].meta.get("published")))
    r = _reference(ev, sid)
    return r["date"].date() if r is not None and pd.notna(r["date"]) else None


def _reference(ev: Evidence, ref_id: str) -> dict | None:
    """The first row of the references table with this ref_id, as a dict (an index built once per
    view: citations and the support filter look up hundreds of rows)."""
    index = ev.__dict__.get("_ref_index")
    if index is None:
        index = {}
        for r in ev.references.to_dict("records"):
            index.setdefault(r["ref_id"], r)
        ev.__dict__["_ref_index"] = index
    return index.get(ref_id)


def fingerprint(data_dir: Path) -> str:
    """Short SHA-256 over every evidence file (names and bytes), stable across machines."""
    h = hashlib.sha256()
    files = [p for p in sorted(data_dir.rglob("*")) if p.is_file() and "imported" not in p.relative_to(data_dir).parts
             and not p.name.startswith(".")]
    for p in files:
        h.update(str(p.relative_to(data_dir)).encode())
        h.update(b"\0")
        h.update(p.read_bytes())
    return h.hexdigest()[:12]


def from_loaded(loaded: Loaded) -> Evidence:
    if loaded.problems:
        raise ReportError(loaded.problems)
    labels.use(loaded.package)
    src_rows = []
    for sid, s in sorted(loaded.sources.items()):
        src_rows.append({**{k: s.meta.get(k, "") or "" for k in
                            ("id", "title", "outlet", "outlet_basis", "published", "published_precision",
                             "published_basis", "kind", "reliability", "derived_from", "derived_lines", "url", "language")},
                         "file": str(s.path.relative_to(loaded.data_dir))})
    source_table = pd.DataFrame(src_rows)
    source_table["published"] = pd.to_datetime(source_table["published"])
    tables = {name: _frame(loaded, name) for name in CLAIM_TABLES}
    support = tables["support"]
    support["support_key"] = support["backer_id"] + ">" + support["recipient_id"] + ":" + support["support_type"]
    return Evidence(
        data_dir=loaded.data_dir,
        package=loaded.package,
        sources=loaded.sources,
        source_table=source_table,
        actors=_frame(loaded, "actors"),
        references=_frame(loaded, "references"),
        tables=tables,
        fingerprint=fingerprint(loaded.data_dir),
        phases=_frame(loaded, "phases") if loaded.package.tables("phases") else pd.DataFrame(),
    )


def load(data_dir: Path | str = "data") -> Evidence:
    """Validate and load a data directory; raises ReportError listing every problem."""
    return from_loaded(load_checked(data_dir))
