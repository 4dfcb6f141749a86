"""Chapter sections for imported conflict-event data (ACLED, UCDP): shown when a run's
`datasets` parameter selects imports with events in the window, and saying so when not.
Each dataset is shown on its own: counts from different publishers are never added."""
from __future__ import annotations

import pandas as pd

from libyareport.content import eventstats
from libyareport.content.findings import HEADLINE_METRICS, timeline_events
from libyareport.content.text import figure_text, fmt_date
from libyareport.evidence.model import Evidence
from libyareport.imports import store
from libyareport.imports.store import selected_datasets
from libyareport.render import eventcharts
from libyareport.render.display import say, show, table


def _event_sets(ev: Evidence, datasets: str) -> list[dict]:
    metas = selected_datasets(ev.data_dir, datasets)
    return [m for m in metas if m.get("kind", "events") == "events"]


def _intro(ev: Evidence, datasets: str, about: str = "") -> list[tuple[dict, pd.DataFrame, str]]:
    """The selected event datasets with their events in the window, or one sentence why there are
    none (the section is then its heading and that line); `about` says what the section shows and
    is printed only when there is something to show."""
    metas = _event_sets(ev, datasets)
    if not metas:
        if str(datasets).strip().lower() == "none":
            say("*Imported event data is switched off for this run (`datasets = \"none\"`).*")
        else:
            say("*No conflict-event data is imported. Import an ACLED or UCDP export with "
                "`python -m libyareport import acled FILE` and rebuild to see this section.*")
        return []
    out = []
    for m in metas:
        events = store.load_events(ev.data_dir, ev.window.start, ev.window.end, datasets=[m["name"]])
        src = store.source_line(ev.data_dir, [m["name"]])
        if events.empty:
            say(f"*{m['name']}: no imported events in this window ({ev.window.describe()}).*")
            continue
        out.append((m, events, src))
    if out and about:
        say(about)
    return out


def _summary(m: dict, events: pd.DataFrame) -> str:
    n = len(events)
    fat = int(pd.to_numeric(events["fatalities_best"], errors="coerce").fillna(0).sum())
    first, last = events["date_start"].min(), events["date_start"].max()
    return (f"**{m['name']}** ({m.get('attribution', '')}): {n:,} events from {fmt_date(first)} to "
            f"{fmt_date(last)} in this window, with {fat:,} reported fatalities.")


def chronology(ev: Evidence, datasets: str = "all") -> None:
    about = ("Imported ACLED or UCDP events for the window, each dataset on its own: how many events per week or month "
             "and of what type, where they happened, and what the curated chronology above covers of them.")
    for m, events, src in _intro(ev, datasets, about):
        name = m["name"]
        say(_summary(m, events))
        span = (events["date_start"].max() - events["date_start"].min()).days
        freq = "week" if span <= 400 else "month"
        show(eventcharts.fig_events_over_time(events, source_line=src, freq=freq, dataset=name),
             f"{name}: events per {freq} by event type.", f"events-{name}")
        curated = timeline_events(ev)[["date", "summary", "display_tier"]].rename(columns={"display_tier": "tier"})
        show(eventcharts.fig_curated_overlay(curated, eventstats.weekly_curve(events), source_line=src, dataset=name),
             f"{name}: events per week, with the book's curated events marked, to show what the corpus covers.",
             f"overlay-{name}")
        show(eventcharts.fig_event_map(events, source_line=src, data_dir=ev.data_dir, dataset=name),
             f"{name}: where the events took place; markers sized by reported fatalities. Outline: Natural Earth.",
             f"map-{name}")
        places = eventstats.top_places(events, 10)
        table(places, {"place": "Place", "admin1": "Region", "events": "Events", "fatalities": "Fatalities"},
              empty="No places.")


def toll(ev: Evidence, datasets: str = "all") -> None:
    sets = _intro(ev, datasets, "Reported fatalities in imported event data, per month, by event type and by actor pairing.")
    for m, events, src in sets:
        name = m["name"]
        say(_summary(m, events))
        show(eventcharts.fig_fatalities_per_month(events, source_line=src, dataset=name),
             f"{name}: reported fatalities per month" + (" with the low–high band" if m.get("source_format") == "ucdp" else "")
             + ".", f"fatalities-{name}")
        by_type = eventstats.fatalities_by_type(events)
        table(by_type, {"event_type": "Event type", "events": "Events", "fatalities_best": "Fatalities (best)",
                        "fatalities_low": "Low", "fatalities_high": "High"})
        pairs = eventstats.actor_pairings(events, 10)
        say(f"Fatalities by actor pairing ({name}):")
        table(pairs, {"actor1": "Actor 1", "actor2": "Actor 2", "events": "Events", "fatalities": "Fatalities"})
    if sets:
        rows = []
        for m, events, _ in sets:
            rows.append({"what": f"{m['name']}: sum of event fatalities", "number": f"{int(pd.to_numeric(events['fatalities_best'], errors='coerce').fillna(0).sum()):,}",
                         "as_of": f"{fmt_date(events['date_start'].min())} – {fmt_date(events['date_start'].max())}",
                         "by": m.get("attribution", m["name"])})
        t = ev.tolls[ev.tolls["metric"].isin(HEADLINE_METRICS[:1])]
        for _, r in t.sort_values("as_of").iterrows():
            rows.append({"what": f"Killed ({r['population'].replace('_', ' ')}), {r['place']}", "number": figure_text(r),
                         "as_of": fmt_date(r["as_of"], r["as_of_precision"], r["as_of_end"]),
                         "by": ev.actor_name(r["reported_by"]) + (" (public record)" if r["tier"] == "context" else " (corpus)")})
        say("Event-data fatality counts side by side with the curated and public-record figures. **These counts "
            "come from different methods** (event coding from media reports versus health-ministry, UN or NGO "
            "tallies), different populations and different periods; they differ and must not be compared as like for like.")
        table(pd.DataFrame(rows), {"what": "Figure", "number": "Number", "as_of": "Period / as of", "by": "Source"})


def actors(ev: Evidence, datasets: str = "all") -> None:
    about = ("The most active pairings of actors in imported event data, with the book's actors where a published name "
             "matches an alias.")
    for m, events, src in _intro(ev, datasets, about):
        name = m["name"]
        pairs = eventstats.actor_pairings(events, 10)
        say(_summary(m, events))
        show(eventcharts.fig_actor_pairings(events, source_line=src, dataset=name, n=10),
             f"{name}: the most active actor pairings in the window (events).", f"pairings-{name}")
        pairs = pairs.assign(ours=[", ".join(ev.actor_name(x) for x in (a, b) if isinstance(x, str) and x) or "—"
                                   for a, b in zip(pairs["actor1_id"], pairs["actor2_id"])])
        table(pairs, {"actor1": "Actor 1 (as published)", "actor2": "Actor 2 (as published)",
                      "ours": "Mapped to the book's actors", "events": "Events", "fatalities": "Fatalities"})
