"""`libyareport.load(dir)` and the questions an Evidence answers, on the small fixture base
(tests/fixtures/evidence: one CNN report of 8 April 2019 plus a two-reference context tier)."""
from __future__ import annotations

import pandas as pd
import pytest
from helpers_evidence import (
    ALJAZEERA,
    CNN,
    CNN_MD,
    FORUM,
    VALID,
    add_forum_thread,
    append_rows,
    make_case,
    read_rows,
    set_value,
)

import libyareport
from libyareport.errors import ReportError
from libyareport.evidence import grades
from libyareport.evidence.sources import normalise

CLAIM_TABLES = ("events", "tolls", "support", "responses")


@pytest.fixture(scope="module")
def ev():
    return libyareport.load(VALID)


@pytest.fixture
def ev_forum(evidence_dir):
    """The fixture plus a forum thread: a news source and a forum_comments source (commentary rows)."""
    add_forum_thread(evidence_dir)
    return libyareport.load(evidence_dir)


def ids(df: pd.DataFrame) -> set[str]:
    return set(df["claim_id"])


# -- loading ------------------------------------------------------------------------------
def test_load_gives_typed_frames(ev):
    for table, cols in {"events": ("date", "date_end"), "responses": ("date", "date_end"),
                        "tolls": ("as_of", "as_of_end", "period_start")}.items():
        for c in cols:
            assert pd.api.types.is_datetime64_any_dtype(ev.tables[table][c]), (table, c)
    assert pd.api.types.is_datetime64_any_dtype(ev.references["date"])
    assert pd.api.types.is_datetime64_any_dtype(ev.source_table["published"])
    for c in ("value", "low", "high"):
        assert pd.api.types.is_numeric_dtype(ev.tolls[c]), c
    tolls = ev.tolls.set_index("claim_id")
    assert tolls.loc["cnn-toll-01", "value"] == 3400
    assert tolls.loc["ctx-toll-02", "value"] == 130
    assert pd.isna(tolls.loc["cnn-toll-01", "low"])
    assert ev.events.set_index("claim_id").loc["cnn-ev-04", "date_end"] == pd.Timestamp("2019-04-08")
    assert pd.isna(ev.references.set_index("ref_id").loc["garowe_tajoura_strike", "date"])  # n.d.


def test_every_row_has_a_tier(ev):
    counts = {t: ev.tables[t]["tier"].value_counts().to_dict() for t in CLAIM_TABLES}
    assert counts == {"events": {"corpus": 6, "context": 1}, "tolls": {"corpus": 3, "context": 2},
                      "support": {"corpus": 3}, "responses": {"corpus": 4, "context": 2}}
    for t in CLAIM_TABLES:
        assert set(ev.tables[t]["tier"]) <= {"corpus", "context"}
    context = ev.events[ev.events["tier"] == "context"]
    assert (context["quote"] == "").all()
    assert set(context["source_id"]) <= set(ev.references["ref_id"])


def test_rows_remember_where_they_come_from(ev):
    rows = ev.events.set_index("claim_id")
    assert (rows.loc["cnn-ev-04", "file"], rows.loc["cnn-ev-04", "line"]) == ("events.csv", 5)
    assert (rows.loc["ctx-ev-01", "file"], rows.loc["ctx-ev-01", "line"]) == ("context/events.csv", 2)


def test_sources_and_actors_are_loaded(ev):
    src = ev.source_table.set_index("id").loc[CNN]
    assert (src["outlet"], src["kind"], src["published"]) == ("CNN", "news_report", pd.Timestamp("2019-04-08"))
    assert src["file"] == CNN_MD
    assert len(ev.actors) == 15
    assert ev.cite(CNN) == "CNN, 8 Apr 2019"
    assert ev.cite("garowe_tajoura_strike") == "Garowe Online, n.d."


def test_load_refuses_invalid_data_with_located_problems(tmp_path):
    with pytest.raises(ReportError) as err:
        libyareport.load(make_case("enum_violation", tmp_path))
    (p,) = err.value.problems
    assert (p.file.endswith("events.csv"), p.line, p.column) == (True, 3, "event_type")
    assert "'bombing'" in p.message and "airstrike" in p.expected


# -- views --------------------------------------------------------------------------------
def test_view_keeps_rows_overlapping_a_day(ev):
    v = ev.view("2019-04-08", "2019-04-08")
    # 04-04 events are out; the 04-07..04-08 range and the April (month precision) event are in
    assert ids(v.events) == {"cnn-ev-02", "cnn-ev-03", "cnn-ev-04", "cnn-ev-05", "cnn-ev-06"}
    assert ids(v.responses) == {"cnn-resp-01", "cnn-resp-03", "cnn-resp-04"}
    assert ids(v.tolls) == {"cnn-toll-01", "cnn-toll-02", "cnn-toll-03"}
    assert v.window.start.isoformat() == "2019-04-08" and v.window.end.isoformat() == "2019-04-08"


def test_view_is_precision_aware(ev):
    # a window inside April 2019 overlaps the month-precision event dated 2019-04-01
    assert ids(ev.view("2019-04-10", "2019-04-20").events) == {"cnn-ev-05"}
    assert ids(ev.view("2019-04-30", "2019-05-31").events) == {"cnn-ev-05"}
    assert ids(ev.view("2019-05-01", "2019-05-31").events) == set()
    # the range 2019-04-07..2019-04-08 overlaps a window that ends on its first day
    assert "cnn-ev-04" in ids(ev.view("2019-04-05", "2019-04-07").events)
    assert "cnn-ev-04" not in ids(ev.view("2019-04-05", "2019-04-06").events)


def test_view_open_ended_windows(ev):
    assert ids(ev.view(start_date="2019-07-01").tolls) == {"ctx-toll-01", "ctx-toll-02"}
    assert ids(ev.view(end_date="2019-04-04").events) == {"cnn-ev-01", "cnn-ev-05", "ctx-ev-01"}
    assert len(ev.view().events) == len(ev.events)


def test_view_with_an_empty_window_still_answers(ev):
    v = ev.view("2030-01-01", "2030-12-31")
    assert len(v.events) == len(v.tolls) == len(v.responses) == 0
    assert len(grades.grades(v, "events")) == 0
    assert len(v.disputes()) == 0 and not any(grades.all_contested(v).values())


def test_include_context_false_removes_context_rows(ev):
    v = ev.view(include_context=False)
    for t in CLAIM_TABLES:
        assert set(v.tables[t]["tier"]) <= {"corpus"}, t
        assert len(v.tables[t]) == int((ev.tables[t]["tier"] == "corpus").sum()), t
    assert {"ctx-ev-01", "ctx-toll-01", "ctx-resp-01"}.isdisjoint(ids(v.events) | ids(v.tolls) | ids(v.responses))


def test_include_commentary_toggles_commentary_rows(ev_forum):
    assert "forum-ev-01" in ids(ev_forum.events)  # load() itself keeps everything
    off, on = ev_forum.view(), ev_forum.view(include_commentary=True)
    assert "commentary" not in set(off.events["status"]) | set(off.support["status"])
    assert {"forum-ev-01", "aj-ev-01"} <= ids(on.events)
    assert "forum-sup-01" in ids(on.support)
    assert ids(off.events) == ids(on.events) - {"forum-ev-01"}
    # a forum source counts as mentioning an actor only when commentary is shown
    mentions = off.actor_mentions().set_index("actor_id")["sources"]
    assert FORUM not in mentions["turkey"]
    assert FORUM in on.actor_mentions().set_index("actor_id")["sources"]["turkey"]


# -- questions ----------------------------------------------------------------------------
def test_grades_count_distinct_sources_per_key(ev):
    c = grades.grades(ev, "events")
    launch = c.loc["offensive_launch"]
    assert launch["n_raw"] == 2 and launch["sources"] == [CNN, "lsm_20190409_offensive"]
    assert set(c.index[c["grade"] == "corroborated"]) == {"offensive_launch"}
    assert c.loc["mitiga_airstrike", "n_raw"] == 1
    s = grades.grades(ev, "support")
    assert set(s.index) == {"un>sarraj:political", "france>sarraj:political", "misrata_forces>gna:troops"}
    assert not (s["grade"] == "corroborated").any()
    # without the context tier nothing is corroborated
    assert not (grades.grades(ev.view(include_context=False), "events")["grade"] == "corroborated").any()


def test_two_rows_from_one_source_are_not_corroboration(evidence_dir):
    row = read_rows(evidence_dir / "events.csv")[1]  # cnn-ev-02, Mitiga airstrike
    append_rows(evidence_dir / "events.csv", [{**row, "claim_id": "cnn-ev-07",
                                               "quote": "Tripoli's only working airport was targeted in an airstrike on Monday"}])
    c = grades.grades(libyareport.load(evidence_dir), "events").loc["mitiga_airstrike"]
    assert (c["n_raw"], c["grade"] == "corroborated") == (1, False)


def test_commentary_does_not_corroborate(ev_forum):
    for view in (ev_forum, ev_forum.view(include_commentary=True)):
        c = grades.grades(view, "events").loc["gna_takes_tripoli_airport"]
        assert (c["n_raw"], c["sources"], c["grade"] == "corroborated") == (1, [ALJAZEERA], False)
        assert "turkey>gna:unspecified" not in grades.grades(view, "support").index


def test_disputes_lists_the_pair(ev):
    d = ev.disputes()
    assert len(d) == 1
    r = d.iloc[0]
    assert (r["claim_id"], r["event_id"], r["disputed_event_id"]) == ("cnn-ev-04", "gna_tripoli_secured",
                                                                      "lna_advance_continues")
    assert (r["status"], r["claimed_by"], r["source_id"]) == ("claimed", "gna", CNN)
    assert r["disputed_summary"].startswith("Haftar's forces continue their advance")
    assert r["disputed_sources"] == [CNN]
    # both the contradicted event and the claim against it are contested
    assert {"lna_advance_continues", "gna_tripoli_secured"} <= grades.contested_keys(ev, "events")


@pytest.mark.parametrize("claim_id", ["cnn-ev-01", "cnn-ev-02", "cnn-toll-02", "cnn-sup-03", "cnn-resp-04"])
def test_quote_position_points_at_the_line_in_the_source_file(ev, claim_id):
    pos = ev.quote_position(claim_id)
    assert (pos["source_id"], pos["tier"]) == (CNN, "corpus")
    quote = next(r for t in CLAIM_TABLES for r in read_rows(VALID / f"{t}.csv") if r["claim_id"] == claim_id)["quote"]
    md_lines = (VALID / CNN_MD).read_text(encoding="utf-8").split("\n")
    # the quote starts on the reported line (1-based) of the .md file, and not on an earlier one
    line = md_lines[pos["line"] - 1]
    assert normalise(quote).split(" ")[0] in line
    assert not any(normalise(quote)[:40] in normalise(ln) for ln in md_lines[: pos["line"] - 1])
    assert normalise(ev.sources[CNN].text[pos["start"]:pos["end"]]) == normalise(quote)


def test_quote_position_known_lines(ev):
    assert ev.quote_position("cnn-resp-04")["line"] == 32  # "France would like Sarraj's government ..."
    assert ev.quote_position("cnn-ev-01")["line"] == 28  # "... since Haftar ordered LNA forces to march ..."
    assert ev.quote_position("ctx-ev-01") == {"table": "events", "source_id": "lsm_20190409_offensive",
                                              "tier": "context", "start": None, "end": None, "line": None}
    with pytest.raises(ReportError, match="unknown claim ID 'nope'"):
        ev.quote_position("nope")


def test_quote_position_with_typographic_quotes(evidence_dir):
    set_value(evidence_dir / "responses.csv", "cnn-resp-04", "quote", "France would like Sarraj\u2019s\ngovernment")
    pos = libyareport.load(evidence_dir).quote_position("cnn-resp-04")
    assert pos["line"] == 32


# -- bad parameters -----------------------------------------------------------------------
def test_end_before_start_is_refused(ev):
    with pytest.raises(ReportError) as err:
        ev.view("2019-04-10", "2019-04-01")
    msg = str(err.value)
    assert "end_date" in msg and "start_date" in msg and "2019-04-01" in msg


@pytest.mark.parametrize("bad", ["2019-13-01", "2019-02-30", "08/04/2019", "April 2019"])
def test_invalid_date_parameter_is_refused(ev, bad):
    with pytest.raises(ReportError) as err:
        ev.view(start_date=bad)
    msg = str(err.value)  # the one parameter message format (params.py), shared with the CLI and the event store
    assert msg.startswith("parameters [start_date]:") and f"'{bad}' is not a date" in msg and "YYYY-MM-DD" in msg
    with pytest.raises(ReportError, match="end_date"):
        ev.view(end_date=bad)


def test_parameter_error_message_reads_cleanly(ev):
    """A reversed window names the parameter, both dates and what was expected, in one line."""
    with pytest.raises(ReportError) as err:
        ev.view("2019-04-10", "2019-04-01")
    msg = str(err.value)
    assert msg == ("parameters [end_date]: end_date 2019-04-01 is before start_date 2019-04-10 "
                   "(expected end_date on or after start_date)"), repr(msg)


def test_a_view_of_a_view_matches_its_own_window(ev):
    """A view is always taken from the whole evidence: widening a narrowed view brings the rows back."""
    narrowed = ev.view(include_context=False)
    widened = narrowed.view(include_context=True)
    assert widened.window.context is True
    assert ids(widened.events) == ids(ev.view().events)


def test_open_evidence_loads_once_and_again_when_a_file_changes(evidence_dir):
    """A reused kernel opens the evidence once per build; an edit in between is never missed."""
    from libyareport.evidence.open import open_evidence
    first = open_evidence(str(evidence_dir))
    assert open_evidence(str(evidence_dir)).base is first.base, "the same unchanged data was loaded twice"
    events = evidence_dir / "events.csv"
    lines = events.read_text(encoding="utf-8").splitlines(keepends=True)
    events.write_text("".join(lines[:-1]), encoding="utf-8")  # one claim fewer
    again = open_evidence(str(evidence_dir))
    assert len(again.events) == len(first.events) - 1, "an edited events.csv was not read again"
