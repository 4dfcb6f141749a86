"""What the chapters, the landing page and the briefing say: computed from the evidence.

Everything here takes an `Evidence` view (already filtered by the run's parameters) and
returns plain data (DataFrames, dataclasses, strings); rendering lives in `display.py`
and `figures.py`. The book and the PDF briefing call the same functions, so they cannot
disagree.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from libyareport.content.spans import PRECISION_RANK, with_spans
from libyareport.content.text import figure_text, fmt_date
from libyareport.evidence import grades
from libyareport.evidence.model import Evidence

HEADLINE_METRICS = ("killed", "injured", "displaced")


@dataclass
class Finding:
    key: str
    text: str  # plain sentence with the number in it
    value: str  # the number as shown
    sources: list[str] = field(default_factory=list)  # source/ref IDs behind it


HEADLINE_COLUMNS = ["figure_id", "metric", "population", "population_text", "place", "text", "value", "as_of", "as_of_text",
                    "period_text", "scope_text", "reported_by", "reporter", "report", "n_raw", "n_independent",
                    "grade", "grade_text", "tiers", "sources", "claim_ids"]


def figure_rows(ev: Evidence) -> pd.DataFrame:
    """One row per figure key (figure_id) with its scope, grade and sources; the first reported
    version stands for the key (disagreeing versions are shown in the disputes section)."""
    return ev.memo("figure_rows", lambda: _figure_rows(ev)).copy()


def _figure_rows(ev: Evidence) -> pd.DataFrame:
    t = ev.tolls
    if t.empty:
        return pd.DataFrame(columns=HEADLINE_COLUMNS)
    by_figure: dict[str, list[dict]] = {}  # each figure's reports, earliest first (ties in file order)
    for rec in t.sort_values("as_of", kind="stable").to_dict("records"):
        by_figure.setdefault(rec["figure_id"], []).append(rec)
    rows = []
    for fid in t["figure_id"].unique():  # figures in file order
        g = by_figure[fid]
        r = g[0]
        rows.append({
            "figure_id": fid, "metric": r["metric"], "population": r["population"], "place": r["place"],
            "text": figure_text(r), "value": r["value"], "as_of": r["as_of"],
            "as_of_text": fmt_date(r["as_of"], r["as_of_precision"], r["as_of_end"]),
            "period_text": period_text(r), "scope_text": scope_text(r, ev), "population_text": population_text(ev, r["population"]),
            "reported_by": r["reported_by"], "reporter": reporter_text(ev, r), "report": "",
            "tiers": ", ".join(sorted({x["tier"] for x in g})), "sources": sorted({x["source_id"] for x in g}),
            "claim_ids": [x["claim_id"] for x in g], **_grade_fields(ev, "tolls", fid),
        })
    return pd.DataFrame(rows)[HEADLINE_COLUMNS]


def _grade_fields(ev: Evidence, table: str, key: str) -> dict:
    g = grades.grades(ev, table)
    if key not in g.index:
        return {"n_raw": 0, "n_independent": 0, "grade": "", "grade_text": "forum commentary only"}
    r = g.loc[key]
    return {"n_raw": int(r["n_raw"]), "n_independent": int(r["n_independent"]), "grade": r["grade"],
            "grade_text": grades.grade_text(ev, table, key)}


def reporter_text(ev: Evidence, r) -> str:
    via = r.get("reported_via") or ""
    return ev.actor_name(r["reported_by"]) + (f" (via {ev.actor_name(via)})" if via else "")


def headline_figures(ev: Evidence) -> pd.DataFrame:
    """Per metric × population × place: the first and the latest report (one row if only one).

    Figures of different scopes are never ranked against each other; a row's `report` says
    whether it is the first, the latest, or the only report of its scope."""
    f = figure_rows(ev)
    f = f[f["metric"].isin(HEADLINE_METRICS)]
    if f.empty:
        return pd.DataFrame(columns=HEADLINE_COLUMNS)
    picks = []
    for _, g in f.groupby(["metric", "population", "place"], sort=False):
        g = g.sort_values(["as_of", "figure_id"])
        if len(g) == 1:
            picks.append(g.iloc[0].to_dict() | {"report": "only report"})
        else:
            picks.append(g.iloc[0].to_dict() | {"report": "first report"})
            picks.append(g.iloc[-1].to_dict() | {"report": "latest report"})
    df = pd.DataFrame(picks)
    order = {m: i for i, m in enumerate(HEADLINE_METRICS)}
    df["_m"] = df["metric"].map(order)
    df["_first"] = df.groupby(["metric", "population", "place"])["as_of"].transform("min")
    df = df.sort_values(["_m", "_first", "population", "place", "as_of"]).drop(columns=["_m", "_first"])
    return df[HEADLINE_COLUMNS].reset_index(drop=True)


def headline_summary(ev: Evidence) -> pd.DataFrame:
    """The briefing's headline table: for each kind of figure (killed, injured, displaced), the
    first and the latest report of its most-reported scope in the window (population × place,
    ties to the scope reported first) — a like-for-like series, so the corpus's early figures
    stand beside the later counts of the same scope. Nothing is ranked across scopes; the book's
    chapter 3 lists every scope."""
    f = figure_rows(ev)
    f = f[f["metric"].isin(HEADLINE_METRICS)]
    if f.empty:
        return pd.DataFrame(columns=HEADLINE_COLUMNS)
    picks = []
    for metric in HEADLINE_METRICS:
        g = f[f["metric"] == metric]
        if g.empty:
            continue
        sizes = g.groupby(["population", "place"]).agg(n=("figure_id", "size"), first=("as_of", "min"))
        pop, place = sizes.sort_values(["n", "first"], ascending=[False, True]).index[0]
        g = g[(g["population"] == pop) & (g["place"] == place)]
        g = g.assign(_ctx=~g["tiers"].str.contains("corpus")).sort_values(["as_of", "_ctx", "figure_id"])  # corpus first on a tie
        if len(g) == 1:
            picks.append(g.iloc[0].to_dict() | {"report": "only report"})
        else:
            picks.append(g.iloc[0].to_dict() | {"report": "first report"})
            picks.append(g.iloc[-1].to_dict() | {"report": "latest report"})
    return pd.DataFrame(picks)[HEADLINE_COLUMNS].reset_index(drop=True)


def material_backers(ev: Evidence) -> pd.DataFrame:
    """Material support keys (arms, troops, fighters, air power, money, training) with grades.

    Diplomatic support ("shows of support") never makes a backer; refuting rows never count."""
    return ev.memo("material_backers", lambda: _material_backers(ev)).copy()


def _material_backers(ev: Evidence) -> pd.DataFrame:
    s = ev.support
    cols = ["support_key", "backer_id", "recipient_id", "support_type", "grade", "n_independent", "n_raw", "sources"]
    if s.empty:
        return pd.DataFrame(columns=cols)
    g = grades.grades(ev, "support")
    # each key's first row (file order) names backer, recipient and kind
    first = s[s["status"] != "commentary"].drop_duplicates("support_key")
    first = first[first["support_type"].isin(grades.material_types(ev)) & first["support_key"].isin(g.index)]
    k = g.loc[first["support_key"]]
    keep = ((k["n_supporting"] + k["n_qualifying"]) > 0).to_numpy()  # refuted only: no backer
    first, k = first[keep], k[keep]
    return pd.DataFrame({"support_key": first["support_key"].to_numpy(), "backer_id": first["backer_id"].to_numpy(),
                         "recipient_id": first["recipient_id"].to_numpy(), "support_type": first["support_type"].to_numpy(),
                         "grade": k["grade"].to_numpy(), "n_independent": k["n_independent"].astype(int).to_numpy(),
                         "n_raw": k["n_raw"].astype(int).to_numpy(), "sources": k["supporting_sources"].to_numpy()},
                        columns=cols)


def outside_actor_ids(ev: Evidence) -> set[str]:
    """States and bodies outside the war: neither a Libyan party (country Libya) nor a material
    backer of a party (a backer in the support table with material support to the LNA or GNA
    side), nor an officer or office of one (actors' parent_id)."""
    full = ev.base or ev
    country = dict(zip(ev.actors["actor_id"], ev.actors["country"])) if "country" in ev.actors else {}
    side = dict(zip(ev.actors["actor_id"], ev.actors["side"]))
    mb = material_backers(full)
    backers = set(mb.loc[mb["recipient_id"].map(lambda r: side.get(r) in ("lna", "gna")), "backer_id"])
    out = set()
    for a in ev.actors["actor_id"]:
        chain = grades._chain(ev, a)
        if any(country.get(c) == "Libya" for c in chain) or set(chain) & backers:
            continue
        out.add(a)
    return out


def _best_scope(f: pd.DataFrame, metric: str) -> pd.DataFrame:
    """The scope (population × place) of a metric with the most reports, all people preferred."""
    g = f[f["metric"] == metric]
    if g.empty:
        return g
    sizes = g.groupby(["population", "place"]).size().reset_index(name="n")
    sizes["_all"] = sizes["population"] != "all"
    best = sizes.sort_values(["_all", "n"], ascending=[True, False]).iloc[0]
    return g[(g["population"] == best["population"]) & (g["place"] == best["place"])].sort_values("as_of")


def key_findings(ev: Evidence) -> list[Finding]:
    """Five to eight short statements with computed numbers; the landing page and the briefing show these."""
    out: list[Finding] = []
    w = ev.window.describe()
    events = ev.events
    n_events = events["event_id"].nunique()
    counts = grades.grade_counts(ev, "events")
    n_src = len(set(events["source_id"]))
    if n_events:
        detail = ", ".join(f"{n} {grades.grade_label(ev, g).lower()}" for g, n in counts.items() if n)
        out.append(Finding("events", f"{n_events} distinct events are recorded for {w}, drawn from {n_src} "
                           f"sources; by evidence grade: {detail}.", str(n_events), sorted(set(events["source_id"]))))
    else:
        out.append(Finding("events", f"No events are recorded for {w}.", "0", []))
    f = figure_rows(ev)
    for metric, label in (("killed", "Killed"), ("displaced", "Displaced")):
        g = _best_scope(f, metric)
        if g.empty:
            continue
        n_scopes = f[f["metric"] == metric].groupby(["population", "place"]).ngroups
        first, last = g.iloc[0], g.iloc[-1]
        scope = f"{first['population_text']}, {first['place']}"
        text = (f"{label} ({scope}): first report {first['text']} ({first['period_text']}; {first['reporter']}; "
                f"{first['grade_text']})")
        if len(g) > 1:
            text += (f", latest {last['text']} ({last['period_text']}; {last['reporter']}; {last['grade_text']})")
        text += (f". {n_scopes} scope{'s' * (n_scopes != 1)} of {label.lower()} figures are reported; figures of "
                 "different scopes are not ranked or added.")
        out.append(Finding(f"toll_{metric}", text, first["text"] if len(g) == 1 else last["text"],
                           sorted(set(g["sources"].sum()))))
    mb = material_backers(ev)
    foreign = set(ev.actors.loc[ev.actors["kind"].isin(FOREIGN_KINDS), "actor_id"])
    side = dict(zip(ev.actors["actor_id"], ev.actors["side"]))
    for camp, name in (("lna", "the LNA"), ("gna", "the GNA")):
        sub = mb[mb["backer_id"].isin(foreign) & (mb["recipient_id"].map(side) == camp)]
        if sub.empty:
            continue
        parts = []
        for b, grp in sub.groupby("backer_id"):
            best = min(grp["grade"], key=GRADE_ORDER.index)
            parts.append((ev.actor_name(b), grades.grade_label(ev, best).lower()))
        parts.sort()
        names = "; ".join(f"{n} ({g})" for n, g in parts)
        out.append(Finding(f"backers_{camp}", f"{len(parts)} foreign material backers of {name} are named "
                           f"(arms, troops, fighters, air power, money or training; best grade of their support): "
                           f"{names}.", str(len(parts)), sorted(set(sub["sources"].sum()))))
    resp = ev.responses
    outside = outside_actor_ids(ev)
    resp = resp[resp["actor_id"].isin(outside)]
    if len(resp):
        n_resp = resp["response_id"].nunique()
        truce = resp.loc[resp["response_type"] == "truce_call", "response_id"].nunique()
        n_actors = resp["actor_id"].nunique()
        out.append(Finding("responses", f"{n_resp} responses by {n_actors} outside states and bodies are recorded "
                           f"(the parties and their backers are counted apart), {truce} of them calls for a truce "
                           "or ceasefire.", str(n_resp), sorted(set(resp["source_id"]))))
    contested = grades.all_contested(ev)
    n = sum(len(v) for v in contested.values())
    if n:
        per = ", ".join(f"{len(v)} {TABLE_NOUNS[t][len(v) != 1]}" for t, v in contested.items() if v)
        out.append(Finding("disputes", f"{n} claim{'s are' if n != 1 else ' is'} contested — a source refutes it, "
                           f"a competing claim exists, or sources disagree on its date, time, value or place: {per}.",
                           str(n), []))
    return out[:8]


TABLE_NOUNS = {"events": ("event", "events"), "tolls": ("figure", "figures"), "support": ("support relationship", "support relationships"),
               "responses": ("response", "responses")}
GRADE_ORDER = ["confirmed", "corroborated", "single_source", "contested"]
FOREIGN_KINDS = ["foreign_state", "foreign_armed_group"]


def period_text(r) -> str:
    """The period a figure counts: '4 Apr 2019 – 8 Apr 2019', or 'since 4 Apr 2019, as of Jan–Feb 2020'
    when the as-of date is coarse (month, range)."""
    as_of = fmt_date(r["as_of"], r["as_of_precision"], r["as_of_end"])
    ps = r.get("period_start")
    if ps is None or pd.isna(ps):
        return f"as of {as_of}"
    if r["as_of_precision"] != "day":
        return f"since {fmt_date(ps)}, as of {as_of}"
    if ps == r["as_of"]:
        return fmt_date(ps)
    return f"{fmt_date(ps)} – {as_of}"


def population_text(ev: Evidence, population: str) -> str:
    labels = _labels(ev, "tolls", "population")
    if population == "all":
        return "all people"
    words = labels.get(population, population.replace("_", " ")).split()
    # mid-sentence: lower-case common words, keep demonyms ("Syrian fighters")
    return " ".join(w if w[:1].isupper() and w.endswith(("ian", "ese", "ish", "an")) and i == 0 and len(w) > 3
                    and w.lower() not in {"civilian", "human"} else w.lower() for i, w in enumerate(words))


def _labels(ev: Evidence, table: str, field: str) -> dict[str, str]:
    res = ev.package.tables(table)
    try:
        return dict(res[0].field(field).labels or {}) if res else {}
    except KeyError:
        return {}


def scope_text(r, ev: Evidence | None = None) -> str:
    """'all people, Tripoli, 4 Apr 2019 – 8 Apr 2019': population, place and period of a figure."""
    pop = population_text(ev, r["population"]) if ev is not None else (
        "all people" if r["population"] == "all" else r["population"].replace("_", " "))
    return f"{pop}, {r['place']}, {period_text(r)}"


def acting_side(ev: Evidence, actor_ids: str) -> str:
    """The side of those who acted: their common side, 'mixed' when they are on different sides."""
    side = dict(zip(ev.actors["actor_id"], ev.actors["side"]))
    known = {"lna", "gna", "neutral", "mixed", "other"}
    sides = {side.get(a.strip(), "neutral") for a in str(actor_ids).split(";") if a.strip()}
    sides = {x if x in known else "other" for x in sides}
    if not sides:
        return "neutral"
    if len(sides) == 1:
        return sides.pop()
    return "mixed"


def actors_text(ev: Evidence, ids: str) -> str:
    return ", ".join(ev.actor_name(a.strip()) for a in str(ids).split(";") if a.strip())


def timeline_events(ev: Evidence) -> pd.DataFrame:
    """One row per event claim with display fields: acting side, targets, citation, date text,
    span (coarse dates), grade and counts. Sorted by span. (Computed once per view; a copy.)"""
    return ev.memo("timeline_events", lambda: _timeline_events(ev)).copy()


def _timeline_events(ev: Evidence) -> pd.DataFrame:
    e = ev.events.copy()
    if e.empty:
        return with_spans(ev, e.assign(side=[], targets=[], citation=[], date_text=[], grade=[], grade_text=[],
                                       n_raw=[], n_independent=[], contested=[], display_tier=[]), "events")
    e["side"] = [acting_side(ev, a) for a in e["actor_ids"]]
    e["actors_text"] = [actors_text(ev, a) for a in e["actor_ids"]]
    e["targets"] = [actors_text(ev, a) for a in e.get("target_ids", pd.Series("", index=e.index))]
    e["citation"] = e["source_id"].map(ev.cite)
    e["date_text"] = [fmt_date(d, p, x) for d, p, x in zip(e["date"], e["date_precision"], e["date_end"])]
    fields = [_grade_fields(ev, "events", k) for k in e["event_id"]]
    for c in ("grade", "grade_text", "n_raw", "n_independent"):
        e[c] = [f[c] for f in fields]
    e["contested"] = e["grade"] == "contested"
    e["display_tier"] = e["tier"].where(e["status"] != "commentary", "commentary")
    e = with_spans(ev, e, "events")
    return e.sort_values(["span_start", "span_end", "claim_id"]).reset_index(drop=True)


def phases(ev: Evidence) -> pd.DataFrame:
    """The campaign's phases (data/context/phases.csv), dated by their anchor events."""
    cols = ["phase_id", "name", "start", "end", "description", "start_event_id", "end_event_id"]
    ph = (ev.base or ev).phases
    if ph.empty:
        return pd.DataFrame(columns=cols)
    ph = ph.copy()
    full = (ev.base or ev).events  # phases are dated from all events, not just the window
    # the most precise report of the anchor event dates it (a "last year" mention does not)
    rank = full["date_precision"].map(PRECISION_RANK)
    best = full.assign(_r=rank).sort_values(["_r", "date"]).drop_duplicates("event_id")
    first = best.set_index("event_id")["date"]
    ph["start"] = ph["start_event_id"].map(first)
    ph["end"] = ph["end_event_id"].map(first)
    return ph[cols]
