"""Chapter sections: each function renders one piece of a chapter (tables, notes, the
appendix) from an Evidence view. Notebooks call these; they hold no logic of their own."""
from __future__ import annotations

import datetime as dt
import html
import platform
from pathlib import Path

import pandas as pd

from . import __version__
from .display import glue_text, quote_cell, say, source_link, table, with_quote
from .evidence import Evidence
from .figures import EVENT_TYPE_LABELS, RESPONSE_LABELS, SUPPORT_LABELS
from .report import (
    METRIC_LABELS,
    PARAMETER_HELP,
    fmt_date,
    headline_figures,
    key_findings,
    phases,
    timeline_events,
)

STATUS_TEXT = {"reported": "reported", "claimed": "claimed by a party", "disputed": "disputed",
               "commentary": "forum commentary"}


def _status(row, ev: Evidence) -> str:
    s = STATUS_TEXT.get(row["status"], row["status"])
    if row["status"] == "claimed" and row.get("claimed_by"):
        s = f"claimed by {ev.actor_name(row['claimed_by'])}"
    return s


def glue_counts(ev: Evidence, prefix: str = "") -> dict[str, str]:
    """Numbers used in prose, glued under stable names (and returned for tests)."""
    e, t, s, r = ev.events, ev.tolls, ev.support, ev.responses
    corr = ev.corroboration("events")
    values = {
        "window": ev.window.describe(),
        "n_events": str(e["event_id"].nunique()),
        "n_event_claims": str(len(e)),
        "n_corroborated": str(int(corr["corroborated"].sum()) if len(corr) else 0),
        "n_disputed": str(len(ev.disputed_event_ids())),
        "n_sources": str(len(set(e["source_id"]) | set(t["source_id"]) | set(s["source_id"]) | set(r["source_id"]))),
        "n_figures": str(t["figure_id"].nunique()),
        "n_backers": str(s["backer_id"].nunique()),
        "n_support": str(len(s)),
        "n_responses": str(r["response_id"].nunique()),
        "n_response_actors": str(r["actor_id"].nunique()),
    }
    phrases = {
        "events_phrase": plural(values["n_events"], "distinct event"),
        "claims_phrase": plural(values["n_event_claims"], "claim"),
        "corroborated_phrase": plural(values["n_corroborated"], "event is", "events are"),
        "disputed_phrase": "is" if values["n_disputed"] == "1" else "are",
        "figures_phrase": plural(values["n_figures"], "distinct humanitarian figure"),
        "backers_phrase": plural(values["n_backers"], "backer"),
        "support_phrase": plural(values["n_support"], "reported backer–recipient relationship"),
        "responses_phrase": plural(values["n_responses"], "international response"),
        "actors_phrase": plural(values["n_response_actors"], "actor"),
    }
    values.update(phrases)
    for k, v in values.items():
        glue_text(prefix + k, v)
    return values


def plural(n: str | int, singular: str, plural_form: str | None = None) -> str:
    """'1 claim', '3 claims'; the number stays as computed."""
    return f"{n} {singular if int(n) == 1 else (plural_form or singular + 's')}"


# -- landing page ------------------------------------------------------------------------
def citation_marker(ev: Evidence, source_ids) -> str:
    """A compact source marker: corpus sources by name, public-record references counted."""
    ids = sorted(set(source_ids))
    corpus = [ev.cite(s) for s in ids if s in ev.sources]
    n_ref = len(ids) - len(corpus)
    parts = corpus[:3] + ([f"{len(corpus) - 3} more"] if len(corpus) > 3 else [])
    if n_ref:
        parts.append(f"{n_ref} public-record reference{'s' * (n_ref != 1)}")
    return "; ".join(parts)

def findings(ev: Evidence) -> list:
    """Key findings as a list with source markers; each number is also glued (finding_<key>)."""
    items = key_findings(ev)
    lis = []
    for i, f in enumerate(items, 1):
        glue_text(f"finding_{f.key}", f.value)
        cites = citation_marker(ev, f.sources)
        lis.append(f'<li id="finding-{f.key}"><span class="lr-finding">{html.escape(f.text)}</span> '
                   f'<span class="lr-cite">[{html.escape(cites) if cites else "no source"}]</span></li>')
    from IPython.display import HTML, display
    display(HTML('<ol class="lr-findings">' + "".join(lis) + "</ol>"))
    return items


def run_record(ev: Evidence, params: dict) -> None:
    shown = dict(params)
    from .report import repo_root
    try:
        shown["data_dir"] = str(Path(str(params["data_dir"])).resolve().relative_to(repo_root().resolve()))
    except (ValueError, KeyError):
        pass
    rows = [(k, repr(v), PARAMETER_HELP.get(k, "")) for k, v in shown.items()]
    rows += [("data fingerprint", ev.fingerprint, "SHA-256 (first 12 hex digits) over every file in the data directory"),
             ("executed", dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"), "when this page was computed"),
             ("libyareport", __version__, f"Python {platform.python_version()}")]
    from .report import selected_datasets
    for d in selected_datasets(ev.data_dir, str(params.get("datasets", "all"))):
        rows.append((f"imported: {d['name']}", f"{d.get('rows_kept', '?')} rows, {d.get('date_min', '?')} – {d.get('date_max', '?')}",
                     d.get("attribution", "")))
    df = pd.DataFrame(rows, columns=["name", "value", "meaning"])
    table(df, {"name": "Parameter", "value": "Value", "meaning": "Meaning"}, css="lr-run-record")


# -- chapter 1 -----------------------------------------------------------------------------
def events_table(ev: Evidence) -> None:
    e = timeline_events(ev)
    if e.empty:
        say("*No events in this window.*")
        return
    e["what"] = [EVENT_TYPE_LABELS[t] for t in e["event_type"]]
    e["status_text"] = [_status(r, ev) + (" · contradicted" if r["disputed"] else "") for _, r in e.iterrows()]
    e["src"] = [source_link(ev, r.claim_id, r.source_id, r.tier) for r in e.itertuples()]
    e["event"] = [with_quote(s, q) for s, q in zip(e["summary"], e["quote"])]
    table(e, {"date_text": "Date", "what": "Type", "event": "Event (and the source's words)", "place": "Place",
              "status_text": "Status", "corroboration": "Sources", "src": "Cited"}, html_columns=("src", "event"),
          css="lr-events")


def phases_table(ev: Evidence) -> None:
    ph = phases(ev)
    if ph.empty:
        say("*No phases are defined in `data/context/phases.csv`.*")
        return
    ph = ph.copy()
    ph["from"] = ph["start"].map(lambda d: fmt_date(d) if pd.notna(d) else "")
    ph["to"] = ph["end"].map(lambda d: fmt_date(d) if pd.notna(d) else "—")
    table(ph, {"name": "Phase", "from": "From", "to": "To", "description": "What marks it"})


def disputes_section(ev: Evidence) -> None:
    d = ev.disputes()
    if d.empty:
        say("*No claim in this window contradicts another.*")
        return
    full = (ev.base or ev).events
    for target, g in d.groupby("disputed_event_id", sort=False):
        target_rows = full[full["event_id"] == target]
        head = target_rows.iloc[0]["summary"] if len(target_rows) else target
        parts = [f'<div class="lr-dispute"><h3 class="lr-dispute-title">{html.escape(head)}</h3><ul>']
        for _, r in target_rows.iterrows():
            parts.append(f"<li><b>{html.escape(fmt_date(r['date'], r['date_precision'], r['date_end']))}</b>, "
                         f"{html.escape(_status(r, ev))}: {quote_cell(r['quote']) or html.escape(r['summary'])} "
                         f"— {source_link(ev, r['claim_id'], r['source_id'], r['tier'])}</li>")
        parts.append("</ul><p>Contradicted by:</p><ul>")
        for _, r in g.iterrows():
            parts.append(f"<li><b>{html.escape(fmt_date(r['date']))}</b>, {html.escape(_status(r, ev))}: "
                         f"{html.escape(r['summary'])} {quote_cell(r['quote'])} "
                         f"— {source_link(ev, r['claim_id'], r['source_id'], r['tier'])}</li>")
        parts.append("</ul></div>")
        from IPython.display import HTML, display
        display(HTML("".join(parts)))


# -- chapter 2 -----------------------------------------------------------------------------
def support_table(ev: Evidence) -> None:
    s = ev.support.copy()
    if s.empty:
        say("*No backer relationships reported in this window.*")
        return
    s["backer"] = s["backer_id"].map(ev.actor_name)
    s["recipient"] = s["recipient_id"].map(ev.actor_name)
    s["kind"] = s["support_type"].map(SUPPORT_LABELS)
    s["status_text"] = [_status(r, ev) for _, r in s.iterrows()]
    s["src"] = [source_link(ev, r.claim_id, r.source_id, r.tier) for r in s.itertuples()]
    s["what"] = [with_quote(d, q) for d, q in zip(s["detail"], s["quote"])]
    s = s.sort_values(["backer", "recipient", "kind"])
    table(s, {"backer": "Backer", "recipient": "Recipient", "kind": "Support", "what": "Detail (and the source's words)",
              "period": "Period", "status_text": "Status", "src": "Cited"}, html_columns=("src", "what"))


def actors_table(ev: Evidence) -> None:
    a = ev.actors.copy()
    m = ev.actor_mentions().set_index("actor_id")
    involved = set()
    for col in ("actor_ids",):
        for v in ev.events[col]:
            involved |= {x.strip() for x in v.split(";")}
    involved |= set(ev.support["backer_id"]) | set(ev.support["recipient_id"]) | set(ev.responses["actor_id"])
    involved |= set(ev.tolls["reported_by"])
    a["named_in"] = a["actor_id"].map(lambda i: m.loc[i, "sources"] if i in m.index else [])
    a = a[a["actor_id"].isin(involved) | (a["named_in"].map(len) > 0)]
    if a.empty:
        say("*No actors appear in this window.*")
        return
    a["side_text"] = a["side"].map({"lna": "LNA camp", "gna": "GNA camp", "neutral": "neutral / international",
                                    "mixed": "both sides", "other": "other"})
    a["kind_text"] = a["kind"].str.replace("_", " ")
    a["sources_text"] = a["named_in"].map(lambda ids: "; ".join(ev.cite(s) for s in ids) or "public record only")
    a["tier_text"] = a["tier"].map({"corpus": "corpus", "context": "public record"})
    a = a.sort_values(["side", "name"])
    table(a, {"name": "Actor", "aliases": "Names in the texts", "kind_text": "Kind", "side_text": "Side",
              "sources_text": "Named in", "tier_text": "Registry"})


# -- chapter 3 -----------------------------------------------------------------------------
def headline_table(ev: Evidence) -> pd.DataFrame:
    h = headline_figures(ev)
    if h.empty:
        say("*No killed, injured or displaced figures are reported in this window.*")
        return h
    h = h.copy()
    h["metric_text"] = h["metric"].map(METRIC_LABELS)
    h["pop"] = h["population"].str.replace("_", " ")
    h["tier_text"] = h["tiers"].str.replace("context", "public record")
    t = ev.tolls.set_index("claim_id")
    h["src"] = [" ".join(source_link(ev, c, t.loc[c, "source_id"], t.loc[c, "tier"]) for c in ids) for ids in h["claim_ids"]]
    table(h, {"metric_text": "Figure", "text": "Number", "pop": "Who", "place": "Where", "as_of_text": "As of",
              "reporter": "Reported by", "n_sources": "Corroborating sources", "tier_text": "Tier", "src": "Cited"},
          html_columns=("src",), css="lr-headline")
    return h


def comparability_note(ev: Evidence) -> None:
    t = ev.tolls
    if t.empty:
        return
    groups = t[t["metric"].isin(["killed", "displaced"])].groupby("metric")
    notes = []
    for metric, g in groups:
        bodies = g["reported_by"].nunique()
        pops = g["population"].nunique()
        dates = g["as_of"].nunique()
        if bodies > 1 or pops > 1 or dates > 1:
            notes.append(f"{METRIC_LABELS[metric]}: {len(g)} reports from {bodies} bodies, covering {pops} "
                         f"populations at {dates} different dates — these are separate counts, not a series to add up.")
    if notes:
        from IPython.display import HTML, display
        items = "".join(f"<li>{html.escape(n)}</li>" for n in notes)
        display(HTML('<div class="admonition note"><p class="admonition-title">Not comparable</p>'
                     "<p>Figures from different bodies, populations, places or dates are <b>not comparable or "
                     f"additive</b>.</p><ul>{items}</ul></div>"))


def tolls_table(ev: Evidence) -> None:
    t = ev.tolls.copy()
    if t.empty:
        say("*No humanitarian figures in this window.*")
        return
    from .report import figure_text
    t["metric_text"] = t["metric"].map(METRIC_LABELS)
    t["number"] = [figure_text(r) for _, r in t.iterrows()]
    t["as_of_text"] = [fmt_date(a, p, e) for a, p, e in zip(t["as_of"], t["as_of_precision"], t["as_of_end"])]
    t["reporter"] = t["reported_by"].map(ev.actor_name) + t["reported_via"].map(lambda v: f" (via {ev.actor_name(v)})" if v else "")
    t["src"] = [source_link(ev, r.claim_id, r.source_id, r.tier) for r in t.itertuples()]
    t["pop"] = t["population"].str.replace("_", " ")
    t["num"] = [with_quote(n, q) for n, q in zip(t["number"], t["quote"])]
    t = t.sort_values(["as_of", "metric"])
    table(t, {"as_of_text": "As of", "metric_text": "Figure", "num": "Number (and the source's words)", "pop": "Who",
              "place": "Where", "reporter": "Reported by", "src": "Cited"}, html_columns=("src", "num"))


# -- chapter 4 -----------------------------------------------------------------------------
def responses_table(ev: Evidence) -> None:
    r = ev.responses.copy()
    if r.empty:
        say("*No international responses in this window.*")
        return
    r["date_text"] = [fmt_date(d, p, e) for d, p, e in zip(r["date"], r["date_precision"], r["date_end"])]
    r["actor"] = r["actor_id"].map(ev.actor_name)
    r["target"] = r["target_id"].map(lambda x: ev.actor_name(x) if x else "")
    r["kind"] = r["response_type"].map(RESPONSE_LABELS)
    r["src"] = [source_link(ev, x.claim_id, x.source_id, x.tier) for x in r.itertuples()]
    r["what"] = [with_quote(s, q) for s, q in zip(r["summary"], r["quote"])]
    r = r.sort_values(["date", "actor"])
    table(r, {"date_text": "Date", "actor": "Who", "kind": "Kind", "target": "Toward", "what": "What (and the source's words)",
              "src": "Cited"}, html_columns=("src", "what"))


# -- appendix -------------------------------------------------------------------------------
def sources_overview(ev: Evidence) -> None:
    s = ev.source_table.copy()
    counts = ev.claims_per_source().set_index("source_id")["n_claims"]
    s["n_claims"] = s["id"].map(counts).fillna(0).astype(int)
    s["published_text"] = [fmt_date(p, pr) for p, pr in zip(s["published"], s["published_precision"])]
    s["link"] = s["id"].map(lambda i: f'<a href="#src-{html.escape(i)}">{html.escape(i)}</a>')
    s["kind_text"] = s["kind"].str.replace("_", " ")
    table(s, {"link": "Source", "outlet": "Outlet", "title": "Title", "published_text": "Published",
              "kind_text": "Kind", "n_claims": "Claims it supports"}, html_columns=("link",))


def source_texts(ev: Evidence) -> None:
    """Each source's text with every quoted passage marked and anchored (#q-<claim_id>)."""
    from IPython.display import HTML, display
    base = ev.base or ev
    allrows = pd.concat([df[["claim_id", "source_id", "quote", "tier"]] for df in base.tables.values()])
    allrows = allrows[allrows["tier"] == "corpus"]
    for sid, src in sorted(ev.sources.items()):
        m = src.meta
        spans = []
        for r in allrows[allrows["source_id"] == sid].itertuples():
            sp = src.find(r.quote)
            if sp:
                spans.append((sp[0], sp[1], r.claim_id))
        spans.sort()
        out: list[str] = []
        anchors: dict[int, list[str]] = {}
        for a, _, cid in spans:
            anchors.setdefault(a, []).append(cid)
        # mark the union of quoted ranges, anchor each claim at its start
        marks = []
        for a, b, _ in spans:
            if marks and a <= marks[-1][1]:
                marks[-1][1] = max(marks[-1][1], b)
            else:
                marks.append([a, b])
        cuts = sorted({0, len(src.text), *[x for mk in marks for x in mk], *anchors})
        for i in range(len(cuts) - 1):
            a, b = cuts[i], cuts[i + 1]
            for cid in anchors.get(a, []):
                out.append(f'<span class="lr-anchor" id="q-{html.escape(cid)}"></span>')
            seg = html.escape(src.text[a:b]).replace("\n", "<br>\n")
            inside = any(x <= a and b <= y for x, y in marks)
            out.append(f"<mark>{seg}</mark>" if inside else seg)
        meta_rows = "".join(
            f"<tr><th>{html.escape(k)}</th><td>{html.escape(str(m.get(k)))}</td></tr>"
            for k in ("outlet", "outlet_basis", "published", "published_precision", "published_basis", "kind",
                      "derived_from", "derived_lines", "url") if m.get(k))
        display(HTML(f'<section class="lr-source" id="src-{html.escape(sid)}"><h3>{html.escape(str(m.get("title")))}</h3>'
                     f'<p class="lr-source-id">{html.escape(sid)}</p><table class="lr-meta">{meta_rows}</table>'
                     f'<div class="lr-source-text">{"".join(out)}</div></section>'))


def references_table(ev: Evidence) -> None:
    from IPython.display import HTML, display
    r = ev.references
    if r.empty:
        say("*No public-record references.*")
        return
    counts = ev.claims_per_source().set_index("source_id")["n_claims"]
    lis = []
    for x in r.sort_values(["publisher", "title"]).itertuples():
        via = f" (via {html.escape(x.via)})" if x.via else ""
        date = fmt_date(x.date) if pd.notna(x.date) else "n.d."
        lis.append(f'<li id="ref-{html.escape(x.ref_id)}">{html.escape(x.publisher)}{via} — '
                   f'“{html.escape(x.title)}” ({date}) <a href="{html.escape(x.url)}">{html.escape(x.url)}</a> '
                   f'· {int(counts.get(x.ref_id, 0))} rows</li>')
    display(HTML('<ul class="lr-references">' + "".join(lis) + "</ul>"))
