"""What the chapters, the landing page and the briefing say: computed from the evidence.

Everything here takes an `Evidence` view (already filtered by the run's parameters) and
returns plain data (DataFrames, dataclasses, strings); rendering lives in `display.py`
and `figures.py`. The book and the PDF briefing call the same functions, so they cannot
disagree.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from libyareport.content.text import figure_text, fmt_date
from libyareport.evidence.model import Evidence

HEADLINE_METRICS = ("killed", "injured", "displaced")


@dataclass
class Finding:
    key: str
    text: str  # plain sentence with the number in it
    value: str  # the number as shown
    sources: list[str] = field(default_factory=list)  # source/ref IDs behind it


def headline_figures(ev: Evidence) -> pd.DataFrame:
    """The largest reported figure per headline metric and reporting body, latest as-of first.

    One row per figure_id (a figure reported by several sources is one row with its
    corroboration count), restricted to killed / injured / displaced over all people.
    """
    t = ev.tolls
    if t.empty:
        return pd.DataFrame(columns=["figure_id", "metric", "text", "value", "population", "place", "as_of",
                                     "as_of_text", "reported_by", "reporter", "n_sources", "tiers", "sources", "claim_ids"])
    corr = ev.corroboration("tolls")
    rows = []
    for fid, g in t[t["metric"].isin(HEADLINE_METRICS)].groupby("figure_id", sort=False):
        r = g.iloc[0]
        rows.append({
            "figure_id": fid, "metric": r["metric"], "text": figure_text(r), "value": r["value"],
            "population": r["population"], "place": r["place"], "as_of": r["as_of"],
            "as_of_text": fmt_date(r["as_of"], r["as_of_precision"], r["as_of_end"]),
            "reported_by": r["reported_by"], "reporter": ev.actor_name(r["reported_by"]),
            "n_sources": int(corr.loc[fid, "n_sources"]) if fid in corr.index else 0,
            "tiers": ", ".join(sorted(set(g["tier"]))), "sources": sorted(set(g["source_id"])),
            "claim_ids": list(g["claim_id"]),
        })
    df = pd.DataFrame(rows)
    order = {m: i for i, m in enumerate(HEADLINE_METRICS)}
    df["_m"] = df["metric"].map(order)
    return df.sort_values(["_m", "as_of", "value"], ascending=[True, False, False]).drop(columns="_m").reset_index(drop=True)


def headline_summary(ev: Evidence) -> pd.DataFrame:
    """A compact headline table: per metric, the largest figure and the most recent one."""
    h = headline_figures(ev)
    if h.empty:
        return h
    picks = []
    for metric in HEADLINE_METRICS:
        g = h[h["metric"] == metric]
        if g.empty:
            continue
        picks.append(g.sort_values(["value", "as_of"], ascending=[False, False]).index[0])
        picks.append(g.sort_values(["as_of", "value"], ascending=[False, False]).index[0])
    return h.loc[list(dict.fromkeys(picks))].reset_index(drop=True)


def _max_figure(ev: Evidence, metric: str, population: str | None = None) -> pd.Series | None:
    t = ev.tolls[ev.tolls["metric"] == metric]
    if population:
        t = t[t["population"] == population]
    if t.empty:
        return None
    return t.sort_values(["value", "as_of"], ascending=[False, False]).iloc[0]


def key_findings(ev: Evidence) -> list[Finding]:
    """Five to eight short statements with computed numbers; the landing page and the briefing show these."""
    out: list[Finding] = []
    w = ev.window.describe()
    events = ev.events
    n_events = events["event_id"].nunique()
    corr = ev.corroboration("events")
    n_corr = int(corr["corroborated"].sum()) if len(corr) else 0
    n_src = len(set(events["source_id"]))
    if n_events:
        out.append(Finding("events", f"{n_events} distinct events are recorded for {w}, drawn from {n_src} "
                           f"sources; {n_corr} of them are reported by two or more independent sources.",
                           str(n_events), sorted(set(events["source_id"]))))
    else:
        out.append(Finding("events", f"No events are recorded for {w}.", "0", []))
    for metric, pop, label in (("killed", None, "killed"), ("displaced", None, "displaced")):
        r = _max_figure(ev, metric, pop)
        if r is None:
            continue
        pop_txt = "" if r["population"] == "all" else f" {r['population'].replace('_', ' ')}"
        out.append(Finding(f"max_{metric}", f"The largest {label} figure reported in the window is {figure_text(r)}{pop_txt} "
                           f"({ev.actor_name(r['reported_by'])}, as of {fmt_date(r['as_of'], r['as_of_precision'], r['as_of_end'])}).",
                           figure_text(r), [r["source_id"]]))
    sup = ev.support[ev.support["status"] != "commentary"]
    foreign = set(ev.actors.loc[ev.actors["kind"].isin(["foreign_state", "foreign_armed_group"]), "actor_id"])
    side = dict(zip(ev.actors["actor_id"], ev.actors["side"]))
    for camp, name in (("lna", "the LNA"), ("gna", "the GNA")):
        backers = sorted({b for b, r in zip(sup["backer_id"], sup["recipient_id"]) if b in foreign and side.get(r) == camp})
        if backers:
            names = ", ".join(ev.actor_name(b) for b in backers)
            srcs = sorted(set(sup.loc[sup["backer_id"].isin(backers), "source_id"]))
            out.append(Finding(f"backers_{camp}", f"{len(backers)} foreign backers of {name} are named: {names}.",
                               str(len(backers)), srcs))
    resp = ev.responses
    if len(resp):
        n_resp = resp["response_id"].nunique()
        truce = resp.loc[resp["response_type"] == "truce_call", "response_id"].nunique()
        n_actors = resp["actor_id"].nunique()
        out.append(Finding("responses", f"{n_resp} international responses by {n_actors} actors are recorded, "
                           f"{truce} of them calls for a truce or ceasefire.", str(n_resp), sorted(set(resp["source_id"]))))
    d = ev.disputes()
    contradicted = ev.disputed_event_ids()
    if contradicted:
        n = len(contradicted)
        example = d[d["disputed_event_id"].isin(contradicted)]
        text = f"{n} reported event{'s are' if n != 1 else ' is'} contradicted by another claim"
        if len(example):
            text += f"; for example: “{example.iloc[0]['disputed_summary'].rstrip('.')}”"
        out.append(Finding("disputes", text + ".", str(n), sorted(set(example["source_id"]))))
    return out[:8]


def timeline_events(ev: Evidence) -> pd.DataFrame:
    """One row per event claim with display fields (side, citation, date text)."""
    e = ev.events.copy()
    if e.empty:
        return e.assign(side=[], first_actor=[], citation=[], date_text=[], corroboration=[], disputed=[])
    side = dict(zip(ev.actors["actor_id"], ev.actors["side"]))
    e["first_actor"] = e["actor_ids"].str.split(";").str[0].str.strip()
    e["side"] = e["first_actor"].map(side).fillna("neutral")
    e["citation"] = e["source_id"].map(ev.cite)
    e["date_text"] = [fmt_date(d, p, x) for d, p, x in zip(e["date"], e["date_precision"], e["date_end"])]
    corr = ev.corroboration("events")
    e["corroboration"] = e["event_id"].map(corr["n_sources"] if len(corr) else {}).fillna(0).astype(int)
    disputed = ev.disputed_event_ids()
    e["disputed"] = e["event_id"].isin(disputed)
    e["display_tier"] = e["tier"].where(e["status"] != "commentary", "commentary")
    return e.sort_values(["date", "claim_id"]).reset_index(drop=True)


def phases(ev: Evidence) -> pd.DataFrame:
    """The campaign's phases (data/context/phases.csv), dated by their anchor events."""
    path = ev.data_dir / "context" / "phases.csv"
    cols = ["phase_id", "name", "start", "end", "description", "start_event_id", "end_event_id"]
    if not path.is_file():
        return pd.DataFrame(columns=cols)
    ph = pd.read_csv(path, dtype=str, keep_default_na=False)
    full = (ev.base or ev).events  # phases are dated from all events, not just the window
    # the most precise report of the anchor event dates it (a "last year" mention does not)
    rank = full["date_precision"].map({"day": 0, "range": 1, "month": 2, "year": 3})
    best = full.assign(_r=rank).sort_values(["_r", "date"]).drop_duplicates("event_id")
    first = best.set_index("event_id")["date"]
    ph["start"] = ph["start_event_id"].map(first)
    ph["end"] = ph["end_event_id"].map(first)
    return ph[cols]
