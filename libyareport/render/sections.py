"""Chapter sections: each function renders one piece of a chapter (tables, notes, the
appendix) from an Evidence view. Notebooks call these; they hold no logic of their own."""
from __future__ import annotations

import datetime as dt
import html
import platform
from pathlib import Path

import pandas as pd
from IPython.display import HTML, display
from markupsafe import Markup

from libyareport import __version__
from libyareport.content.findings import (
    FOREIGN_KINDS,
    figure_rows,
    headline_figures,
    key_findings,
    material_backers,
    outside_actor_ids,
    period_text,
    phases,
    population_text,
    reporter_text,
    timeline_events,
)
from libyareport.content.spans import PRECISION_RANK
from libyareport.content.text import METRIC_LABELS, figure_text, fmt_date
from libyareport.evidence import grades
from libyareport.evidence.labels import Labels
from libyareport.evidence.model import Evidence
from libyareport.params import PARAMETER_HELP
from libyareport.render.charts import EVENT_TYPE_LABELS, RESPONSE_LABELS, SUPPORT_LABELS
from libyareport.render.display import glue_text, nested_table, quote_cell, say, source_link, table, with_quote
from libyareport.render.templating import render

STATUS_TEXT = Labels("events", "status")


def _status(row, ev: Evidence) -> str:
    s = STATUS_TEXT[row["status"]].lower()
    if row["status"] == "claimed" and row.get("claimed_by"):
        s = f"claimed by {ev.actor_name(row['claimed_by'])}"
    return s


def glue_counts(ev: Evidence, prefix: str = "") -> dict[str, str]:
    """Numbers used in prose, glued under stable names (and returned for tests)."""
    e, t, s, r = ev.events, ev.tolls, ev.support, ev.responses
    ev_counts = grades.grade_counts(ev, "events")
    contested = grades.all_contested(ev)
    mb = material_backers(ev)
    outside = outside_actor_ids(ev)
    values = {
        "window": ev.window.describe(),
        "n_events": str(e["event_id"].nunique()),
        "n_event_claims": str(len(e)),
        "n_corroborated": str(ev_counts.get("corroborated", 0)),
        "n_confirmed": str(ev_counts.get("confirmed", 0)),
        "n_single_source": str(ev_counts.get("single_source", 0)),
        "n_contested_events": str(len(contested["events"])),
        "n_disputed": str(sum(len(v) for v in contested.values())),
        "n_sources": str(len(set(e["source_id"]) | set(t["source_id"]) | set(s["source_id"]) | set(r["source_id"]))),
        "n_figures": str(t["figure_id"].nunique()),
        # foreign states and groups giving material support to either party (Libyan militias reinforcing
        # a side, or a foreign contingent working with local forces, are in the table but are not "backers")
        "n_backers": str(mb.loc[mb["backer_id"].isin(set(ev.actors.loc[ev.actors["kind"].isin(FOREIGN_KINDS), "actor_id"]))
                                & mb["recipient_id"].map(dict(zip(ev.actors["actor_id"], ev.actors["side"]))).isin(["lna", "gna"]),
                                "backer_id"].nunique()),
        "n_diplomatic": str(s.loc[s["support_type"].map(lambda x: grades.support_group(ev, x)) == "diplomatic", "support_key"].nunique()),
        "n_support": str(len(s)),
        "n_responses": str(r.loc[r["actor_id"].isin(outside), "response_id"].nunique()),
        "n_response_actors": str(r.loc[r["actor_id"].isin(outside), "actor_id"].nunique()),
        "n_party_responses": str(r.loc[~r["actor_id"].isin(outside), "response_id"].nunique()),
    }
    phrases = {
        "events_phrase": plural(values["n_events"], "distinct event"),
        "claims_phrase": plural(values["n_event_claims"], "claim"),
        "corroborated_phrase": plural(values["n_corroborated"], "event is", "events are"),
        "confirmed_phrase": plural(values["n_confirmed"], "event is", "events are"),
        "disputed_phrase": "is" if values["n_disputed"] == "1" else "are",
        "disputed_claims_phrase": plural(values["n_disputed"], "claim is", "claims are"),
        "figures_phrase": plural(values["n_figures"], "distinct humanitarian figure"),
        "backers_phrase": plural(values["n_backers"], "foreign material backer"),
        "diplomatic_phrase": plural(values["n_diplomatic"], "show of diplomatic support", "shows of diplomatic support"),
        "support_phrase": plural(values["n_support"], "reported backer–recipient relationship"),
        "responses_phrase": plural(values["n_responses"], "international response"),
        "actors_phrase": plural(values["n_response_actors"], "outside state or body", "outside states and bodies"),
        "party_responses_phrase": plural(values["n_party_responses"], "response", "responses"),
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
                   + (f'<span class="lr-cite">[{html.escape(cites)}]</span>' if cites else "") + "</li>")
    display(HTML('<ol class="lr-findings">' + "".join(lis) + "</ol>"))
    return items


def run_record(ev: Evidence, params: dict) -> None:
    shown = dict(params)
    from libyareport.params import repo_root
    try:
        shown["data_dir"] = str(Path(str(params["data_dir"])).resolve().relative_to(repo_root().resolve()))
    except (ValueError, KeyError):
        pass
    rows = [(k, repr(v), PARAMETER_HELP.get(k, "")) for k, v in shown.items()]
    rows += [("data fingerprint", ev.fingerprint, "SHA-256 (first 12 hex digits) over every file in the data directory"),
             ("executed", dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"), "when this page was computed"),
             ("libyareport", __version__, f"Python {platform.python_version()}")]
    from libyareport.imports.store import selected_datasets
    for d in selected_datasets(ev.data_dir, str(params.get("datasets", "all"))):
        rows.append((f"imported: {d['name']}", f"{d.get('rows_kept', '?')} rows, {d.get('date_min', '?')} – {d.get('date_max', '?')}",
                     d.get("attribution", "")))
    added = sorted((str(s.meta.get("added")), sid) for sid, s in ev.sources.items() if s.meta.get("added"))
    rows.append(("sources added since the shipped edition", "; ".join(f"{sid} (added {d})" for d, sid in added) or "none",
                 "sources added with the add command (their front matter records the date)"))
    df = pd.DataFrame(rows, columns=["name", "value", "meaning"])
    table(df, {"name": "Parameter", "value": "Value", "meaning": "Meaning"}, css="lr-run-record")


# -- chapter 1 -----------------------------------------------------------------------------
def _grade_cell(ev: Evidence, table: str, key: str) -> Markup:
    """The grade badge and counts of a key, as every table shows them."""
    g = grades.grades(ev, table)
    if key not in g.index:
        return Markup(render("grade.html.j2", grade="", text="forum commentary only"))
    return Markup(render("grade.html.j2", grade=g.loc[key, "grade"], text=grades.grade_text(ev, table, key)))


def _stance_note(row) -> str:
    st = row.get("stance") or "supports"
    return "" if st == "supports" else f" · {'refutes' if st == 'refutes' else 'qualifies'}"


def events_table(ev: Evidence) -> None:
    """One row per event (its first reported version: date, type, summary, actors, place, grade),
    with every claim about it nested in the last cell: source link, status and stance, what it says
    differently (date, place, summary) and the source's words. Rows are anchored #event-<id>,
    claims #claim-<claim_id>, so a chart point or a citation can open them."""
    e = timeline_events(ev)
    if e.empty:
        say("*No events in this window.*")
        return
    rows, flat = [], []
    order = e.groupby("event_id", sort=False)["span_start"].min().sort_values(kind="stable").index
    by_event: dict[str, list[dict]] = {}
    for r in e.to_dict("records"):
        by_event.setdefault(r["event_id"], []).append(r)
    for eid in order:
        g = by_event[eid]
        # the lead version: the most precisely dated claim that does not refute the event
        finest = sorted(g, key=lambda r: PRECISION_RANK.get(r["date_precision"], 4))
        lead = next((r for r in finest if r["stance"] != "refutes"), finest[0])
        claims = []
        for r in g:
            differs = []
            if r["date_text"] != lead["date_text"]:
                differs.append(f"dates it {r['date_text']}")
            if r["place"] and r["place"] != lead["place"]:
                differs.append(f"place: {r['place']}")
            if r["summary"] != lead["summary"]:
                differs.append(r["summary"])
            claims.append({"claim_id": r["claim_id"], "link": Markup(source_link(ev, r["claim_id"], r["source_id"], r["tier"])),
                           "status": _status(r, ev) + _stance_note(r), "differs": "; ".join(differs),
                           "quote": Markup(quote_cell(r["quote"]))})
            flat.append({"date": lead["date_text"], "type": EVENT_TYPE_LABELS[lead["event_type"]], "summary": lead["summary"],
                         "actors": lead["actors_text"], "place": lead["place"], "grade": grades.grade_text(ev, "events", eid),
                         "cited": ev.cite(r["source_id"]), "event_id": eid, "claim_id": r["claim_id"],
                         "source_id": r["source_id"], "quote": r["quote"], "status": r["status"], "stance": r["stance"],
                         "tier": r["tier"]})
        rows.append({"id": eid, "date": lead["date_text"] + (" (only partly inside the window)" if lead["partial"] else ""),
                     "type": EVENT_TYPE_LABELS[lead["event_type"]], "summary": lead["summary"],
                     "actors": lead["actors_text"] or "—", "targets": lead["targets"], "place": lead["place"],
                     "grade": _grade_cell(ev, "events", eid), "claims": claims})
    nested_table(render("events_table.html.j2", events=rows), pd.DataFrame(flat),
                 {"date": "Date", "type": "Type", "summary": "Event", "actors": "Acted", "place": "Place",
                  "grade": "Evidence grade", "cited": "Cited"}, "chronology-events", "Events and their claims")


def dense_days_chart(ev: Evidence) -> None:
    """The chronology's densest days at day scale, when the window has such a cluster (see
    charts.dense_days); nothing otherwise."""
    from libyareport.render.charts import dense_days, timeline
    from libyareport.render.display import show
    days = dense_days(ev)
    if days is None:
        return
    n = int(((timeline_events(ev)["x0"].dt.normalize().between(days[0], days[1])) & ~timeline_events(ev)["is_span"]).sum())
    show(timeline(ev, days=days), f"The densest days of the window, {fmt_date(days[0])} to {fmt_date(days[1])}: "
         f"{n} claims dated to the day, spread across each day so none hides another. Same colours and symbols as above; "
         "events known only to a month or range are in the chart above.", "dense-days")


def phases_table(ev: Evidence) -> None:
    ph = phases(ev)
    if ph.empty:
        say("*No phases are defined in `data/context/phases.csv`.*")
        return
    ph = ph.copy()
    ph["from"] = ph["start"].map(lambda d: fmt_date(d) if pd.notna(d) else "")
    ph["to"] = ph["end"].map(lambda d: fmt_date(d) if pd.notna(d) else "—")
    table(ph, {"name": "Phase", "from": "From", "to": "To", "description": "What marks it"})


FIELD_NAMES = {"date": "date", "time": "time", "value": "value", "place": "place"}


def _version(ev: Evidence, table: str, r) -> str:
    """One version of a disputed key: what it says (date, time, value, place), who says it, the source."""
    bits = []
    if table == "tolls":
        from libyareport.content.text import figure_text
        bits.append(f"<b>{html.escape(figure_text(r))}</b> ({html.escape(population_text(ev, r['population']))}, "
                    f"{html.escape(r['place'])}, {html.escape(period_text(r))}); reported by {html.escape(reporter_text(ev, r))}")
    else:
        if "date" in r and pd.notna(r.get("date")):
            bits.append(f"<b>{html.escape(fmt_date(r['date'], r['date_precision'], r['date_end']))}</b>")
        if r.get("time"):
            bits.append(f"<b>{html.escape(r['time'])}</b>")
        if r.get("place"):
            bits.append(html.escape(r["place"]))
        if table == "support":
            bits.append(html.escape(f"{ev.actor_name(r['backer_id'])} → {ev.actor_name(r['recipient_id'])}: "
                                    f"{SUPPORT_LABELS.get(r['support_type'], r['support_type'])}"))
        bits.append(html.escape(_status(r, ev)))
    stance = r.get("stance") or "supports"
    label = {"supports": "", "refutes": '<span class="lr-stance">refutes</span> ',
             "qualifies": '<span class="lr-stance">qualifies</span> '}[stance]
    text = r.get("summary") or r.get("detail") or ""
    return (f"<td>{label}{', '.join(bits)}<br>{html.escape(text)} {quote_cell(r['quote'])}</td>"
            f"<td>{source_link(ev, r['claim_id'], r['source_id'], r['tier'])}</td>")


def disputed_keys(ev: Evidence) -> list[tuple[str, str, str]]:
    """(table, key, reason) for every contested key of the view, the section's rows (and its count)."""
    out = []
    for t, keys in grades.all_contested(ev).items():
        g = grades.grades(ev, t)
        for k in sorted(keys):
            r = g.loc[k]
            reasons = []
            if r["disagreement"]:
                reasons.append("the sources disagree on its " + ", ".join(FIELD_NAMES[f] for f in r["disagree_on"]))
            n_ref = int(r["n_refuting"])
            if n_ref:
                reasons.append(f"{n_ref} source{'s' * (n_ref != 1)} refute{'s' * (n_ref == 1)} it")
            if r["competing"]:
                reasons.append("a competing claim contradicts it, or a source reports it as disputed")
            out.append((t, k, "; ".join(reasons)))
    return out


TABLE_TITLES = {"events": "Events", "tolls": "Humanitarian figures", "support": "Backer relationships",
                "responses": "International responses"}


def disputes_section(ev: Evidence) -> None:
    """Every contested key of every table: each version side by side with its source.
    The number of keys shown is the number the chapter prose and the check summary count."""
    keys = disputed_keys(ev)
    if not keys:
        say("*No claim in this window is contested: no source refutes one, none contradicts another, "
            "and no two sources disagree on a date, time, value or place.*")
        return
    from libyareport.evidence.schema import KEY_OF
    parts = [f'<p class="lr-dispute-count">{len(keys)} contested claim{"s" * (len(keys) != 1)}.</p>']
    current = None
    for t, k, reason in keys:
        if t != current:
            parts.append(f"<h3>{html.escape(TABLE_TITLES[t])}</h3>")
            current = t
        df = ev.tables[t]
        rows = df[(df[KEY_OF[t]] == k) & (df["status"] != "commentary")]
        counter = pd.DataFrame()
        if t == "events":
            # the claims that contradict this event, and the event this claim contradicts
            mentions = df["disputes"].map(lambda v, key=k: key in {x.strip() for x in v.split(";")})
            counter = df[mentions & (df["event_id"] != k)]
            targets = {x.strip() for v in rows["disputes"] for x in v.split(";") if x.strip()}
            counter = pd.concat([counter, df[df["event_id"].isin(targets)]])
        head = rows.iloc[0]
        title = head.get("summary") or head.get("detail") or k
        if t == "support":
            title = (f"{ev.actor_name(head['backer_id'])} → {ev.actor_name(head['recipient_id'])}: "
                     f"{SUPPORT_LABELS.get(head['support_type'], head['support_type'])}")
        if t == "tolls":
            title = (f"{METRIC_LABELS.get(head['metric'], head['metric'])}: "
                     f"{population_text(ev, head['population'])} · {head['place']}")
        parts.append(f'<div class="lr-dispute" id="dispute-{html.escape(k)}"><h3 class="lr-dispute-title">{html.escape(str(title))}</h3>'
                     f'<p class="lr-dispute-why">Contested: {html.escape(reason)}. {_grade_cell(ev, t, k)}</p>'
                     '<table class="lr-table lr-versions"><thead><tr><th>Version</th><th>Source</th></tr></thead><tbody>')
        for _, r in rows.iterrows():
            parts.append(f"<tr>{_version(ev, t, r)}</tr>")
        parts.append("</tbody></table>")
        if len(counter):
            parts.append('<p>Competing claims:</p><table class="lr-table lr-versions"><tbody>')
            for _, r in counter.drop_duplicates("claim_id").iterrows():
                parts.append(f"<tr>{_version(ev, t, r)}</tr>")
            parts.append("</tbody></table>")
        parts.append("</div>")
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
    s["group"] = s["support_type"].map(lambda x: grades.support_group(ev, x))
    s["group_text"] = s["group"].map({"material": "material", "diplomatic": "diplomatic (not a backer)"}).fillna("unspecified")
    s["status_text"] = [_status(r, ev) + _stance_note(r) for _, r in s.iterrows()]
    s["grade_cell"] = [_grade_cell(ev, "support", k) for k in s["support_key"]]
    s["src"] = [source_link(ev, r.claim_id, r.source_id, r.tier) for r in s.itertuples()]
    s["what"] = [with_quote(d, q) for d, q in zip(s["detail"], s["quote"])]
    s["_g"] = s["group"].map({"material": 0, "unspecified": 1, "diplomatic": 2}).fillna(1)
    s = s.sort_values(["_g", "backer", "recipient", "kind"])
    table(s, {"backer": "Backer", "recipient": "Recipient", "kind": "Support", "group_text": "Kind",
              "what": "Detail (and the source's words)", "period": "Period", "status_text": "Status",
              "grade_cell": "Evidence grade", "src": "Cited"}, html_columns=("src", "what", "grade_cell"))


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
    rows_naming = _sources_naming(ev)
    a["named_in"] = [sorted(set(n) | rows_naming.get(i, set())) for i, n in zip(a["actor_id"], a["named_in"])]
    a["sources_text"] = a["named_in"].map(lambda ids: "; ".join(ev.cite(s) for s in ids if s in ev.sources)
                                          or ("public record only" if ids else "no source in this window"))
    a["tier_text"] = a["tier"].map({"corpus": "corpus", "context": "public record"})
    a = a.sort_values(["side", "name"])
    table(a, {"name": "Actor", "aliases": "Names in the texts", "kind_text": "Kind", "side_text": "Side",
              "sources_text": "Named in", "tier_text": "Registry"})


def _sources_naming(ev: Evidence) -> dict[str, set[str]]:
    """Actor ID → sources whose claim rows name it in an actor column (acted, hit, backed, reported …)."""
    cols = ("actor_ids", "target_ids", "claimed_by", "originator", "backer_id", "recipient_id", "actor_id",
            "target_id", "reported_by", "reported_via")
    out: dict[str, set[str]] = {}
    for df in ev.tables.values():
        for c in cols:
            if c not in df:
                continue
            for v, sid in zip(df[c], df["source_id"]):
                for a in str(v).split(";"):
                    if a.strip():
                        out.setdefault(a.strip(), set()).add(sid)
    return out


# -- chapter 3 -----------------------------------------------------------------------------
def toll_table(ev: Evidence) -> pd.DataFrame:
    """The chapter's one table of humanitarian figures: grouped by scope (figure × who × where),
    each figure (figure_id) a row with its period, number, reporter and grade, the first and the
    latest report of each scope marked, every claim about it nested with the source's words.
    Returns the first/latest rows (headline_figures) that the prose and the briefing use."""
    h = headline_figures(ev)
    f = figure_rows(ev)
    if f.empty:
        say("*No humanitarian figures in this window.*")
        return h
    t = ev.tolls
    metric_order = {m: i for i, m in enumerate(METRIC_LABELS)}
    f = f.assign(_m=f["metric"].map(metric_order),
                 _first=f.groupby(["metric", "population", "place"])["as_of"].transform("min"))
    f = f.sort_values(["_m", "_first", "population", "place", "as_of", "figure_id"])
    claims_of = {fid: grp.to_dict("records") for fid, grp in t.groupby("figure_id", sort=False)}  # file order
    scopes, flat = [], []
    for (metric, pop, place), g in f.groupby(["metric", "population", "place"], sort=False):
        g = g.sort_values(["as_of", "figure_id"])
        figs = []
        for i, r in enumerate(g.to_dict("records")):
            report = "only report" if len(g) == 1 else "first report" if i == 0 else "latest report" if i == len(g) - 1 else ""
            claims = []
            for c in claims_of.get(r["figure_id"], ()):
                differs = figure_text(c)
                claims.append({"claim_id": c["claim_id"], "link": Markup(source_link(ev, c["claim_id"], c["source_id"], c["tier"])),
                               "differs": "" if differs == r["text"] else f"reports {differs}" + _stance_note(c),
                               "quote": Markup(quote_cell(c["quote"]))})
                flat.append({"metric": METRIC_LABELS[metric], "who": r["population_text"], "place": place,
                             "period": r["period_text"], "report": report, "number": differs, "reporter": r["reporter"],
                             "grade": grades.grade_text(ev, "tolls", r["figure_id"]), "cited": ev.cite(c["source_id"]),
                             "figure_id": r["figure_id"], "claim_id": c["claim_id"], "source_id": c["source_id"],
                             "quote": c["quote"], "status": c["status"], "stance": c["stance"], "tier": c["tier"]})
            figs.append({"id": r["figure_id"], "metric": METRIC_LABELS[metric], "who": r["population_text"], "place": place,
                         "period": r["period_text"], "report": report, "number": r["text"], "reporter": r["reporter"],
                         "grade": _grade_cell(ev, "tolls", r["figure_id"]), "claims": claims})
        scopes.append({"title": f"{METRIC_LABELS[metric]} · {population_text(ev, pop)} · {place}", "figures": figs})
    nested_table(render("tolls_table.html.j2", scopes=scopes), pd.DataFrame(flat),
                 {"metric": "Figure", "who": "Who", "place": "Where", "period": "Period", "report": "Report",
                  "number": "Number", "reporter": "Reported by", "grade": "Evidence grade", "cited": "Cited"},
                 "toll-figures", "Humanitarian figures and their claims")
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


# -- chapter 4 -----------------------------------------------------------------------------
def responses_table(ev: Evidence, who: str = "all") -> None:
    """Responses, one row per claim; `who` = 'outside' (states and bodies outside the war),
    'parties' (the Libyan parties and their material backers) or 'all'."""
    r = ev.responses.copy()
    outside = outside_actor_ids(ev)
    if who == "outside":
        r = r[r["actor_id"].isin(outside)]
    elif who == "parties":
        r = r[~r["actor_id"].isin(outside)]
    if r.empty:
        say("*No responses of this kind in this window.*")
        return
    from libyareport.content.spans import with_spans
    r = with_spans(ev, r, "responses")
    r["date_text"] = [fmt_date(d, p, e) + (" (only partly inside the window)" if part else "")
                      for d, p, e, part in zip(r["date"], r["date_precision"], r["date_end"], r["partial"])]
    r["actor"] = r["actor_id"].map(ev.actor_name)
    r["role"] = ["outside state or body" if a in outside else "party or backer" for a in r["actor_id"]]
    r["target"] = r["target_id"].map(lambda x: ev.actor_name(x) if x else "")
    r["kind"] = r["response_type"].map(RESPONSE_LABELS)
    r["grade_cell"] = [_grade_cell(ev, "responses", k) for k in r["response_id"]]
    r["src"] = [source_link(ev, x.claim_id, x.source_id, x.tier) for x in r.itertuples()]
    r["what"] = [with_quote(s, q) for s, q in zip(r["summary"], r["quote"])]
    r = r.sort_values(["span_start", "span_end", "actor"])
    table(r, {"date_text": "Date", "actor": "Who", "role": "Role", "kind": "Kind", "target": "Toward",
              "what": "What (and the source's words)", "grade_cell": "Evidence grade", "src": "Cited"},
          html_columns=("src", "what", "grade_cell"),
          label={"outside": "Table: responses of outside states and bodies",
                 "parties": "Table: responses of the Libyan parties and their backers"}.get(who, "Table: responses"))


# -- appendix -------------------------------------------------------------------------------
def sources_overview(ev: Evidence) -> None:
    s = ev.source_table.copy()
    counts = (ev.base or ev).claims_per_source().set_index("source_id")["n_claims"]
    s["n_claims"] = s["id"].map(counts).fillna(0).astype(int)
    s["outlet"] = [o + (" (inferred)" if str(b).lower().startswith("inferred") else "") + ev.reliability_badge(i)
                   for o, b, i in zip(s["outlet"], s["outlet_basis"], s["id"])]
    s["published_text"] = [fmt_date(p, pr) for p, pr in zip(s["published"], s["published_precision"])]
    s["link"] = s["id"].map(lambda i: f'<a href="#src-{html.escape(i)}">{html.escape(i)}</a>')
    s["kind_text"] = s["kind"].str.replace("_", " ")
    table(s, {"link": "Source", "outlet": "Outlet", "title": "Title", "published_text": "Published",
              "kind_text": "Kind", "n_claims": "Claim rows citing it"}, html_columns=("link",))


def source_texts(ev: Evidence) -> None:
    """Each source's text with every quoted passage marked and anchored (#q-<claim_id>)."""
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
                      "derived_from", "derived_lines", "extracted_with", "url", "added") if m.get(k))
        display(HTML(f'<section class="lr-source" id="src-{html.escape(sid)}"><h3>{html.escape(str(m.get("title")))}</h3>'
                     f'<p class="lr-source-id">{html.escape(sid)}</p><table class="lr-meta">{meta_rows}</table>'
                     f'<div class="lr-source-text">{"".join(out)}</div></section>'))


def references_table(ev: Evidence) -> None:
    r = ev.references
    if r.empty:
        say("*No public-record references.*")
        return
    counts = ev.claims_per_source().set_index("source_id")["n_claims"]
    lis = []
    for x in r.sort_values(["publisher", "title"]).itertuples():
        via = f" (via {html.escape(x.via)})" if x.via else ""
        date = fmt_date(x.date) if pd.notna(x.date) else "n.d."
        badge = ev.reliability_badge(x.ref_id)
        note = f" ({html.escape(x.reliability_note)})" if badge and getattr(x, "reliability_note", "") else ""
        badge_html = f' <span class="lr-reliability">{html.escape(badge.strip())}</span>{note}' if badge else ""
        lis.append(f'<li id="ref-{html.escape(x.ref_id)}">{html.escape(x.publisher)}{via}{badge_html} — '
                   f'“{html.escape(x.title)}” ({date}) <a href="{html.escape(x.url)}">{html.escape(x.url)}</a> '
                   f'· {plural(int(counts.get(x.ref_id, 0)), "row")}</li>')
    display(HTML('<ul class="lr-references">' + "".join(lis) + "</ul>"))


def method_definitions(ev: Evidence) -> None:
    """The grades, stances and source reliability as the schema defines them (x-grades, x-stances,
    x-reliability), with the number of keys per grade in this run."""

    from libyareport.evidence.schema import CLAIM_TABLES
    totals: dict[str, int] = {}
    for t in CLAIM_TABLES:
        for g, n in grades.grade_counts(ev, t).items():
            totals[g] = totals.get(g, 0) + n
    parts = []
    for name, title in (("x-grades", "Evidence grades"), ("x-stances", "Stances"), ("x-reliability", "Source reliability")):
        items = []
        for i, e in grades.vocabulary(ev, name).items():
            count = f" <span class=\"lr-count\">({plural(totals.get(i, 0), 'key')} in this edition)</span>" if name == "x-grades" else ""
            items.append(f"<dt>{html.escape(e.get('label', i))}</dt><dd>{html.escape(e.get('definition', ''))}{count}</dd>")
        if items:
            parts.append(f"<p><b>{html.escape(title)}</b></p><dl class=\"lr-definitions\">{''.join(items)}</dl>")
    display(HTML("".join(parts)))
