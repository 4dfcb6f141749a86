"""Adding an article (`add FILE`, `accept ID`): what an analyst sees in data/, on the console and in the book.

Fixture articles (tests/fixtures/articles/, and a PDF written here) are our own wording of facts
in the shared public-record sheet. Every test works on a temporary copy of data/. Expected values
(dates, figures, IDs of existing keys, checksums) are worked out by hand or read from the shipped
tables here, never from the code under test.
"""
from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from helpers_articles import RES_2510_INFO, RES_2510_LINES, write_pdf

from libyareport.cli import main
from libyareport.evidence.check import load_checked

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
FIX = ROOT / "tests" / "fixtures" / "articles"
TXT_ID = "coastlinereview-2019-07-03-air-strike-hits"
HTML_ID = "northshoredispatch-2020-08-28-drone-that-killed"
PDF_ID = "councilwatchbulletin-2020-02-12-security-council-endorses"


# -- helpers -------------------------------------------------------------------------------------
def copy_data(dest: Path) -> Path:
    shutil.copytree(DATA, dest, ignore=shutil.ignore_patterns("imported"))
    return dest


@pytest.fixture
def data(tmp_path) -> Path:
    return copy_data(tmp_path / "data")


def run(capsys, *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def snapshot(d: Path) -> dict[str, bytes]:
    return {str(p.relative_to(d)): p.read_bytes() for p in sorted(d.rglob("*")) if p.is_file()}


def flat(text: str) -> str:
    return " ".join(text.replace("\u2019", "'").split())


def review(d: Path, sid: str) -> list[dict[str, str]]:
    with (d / "review" / f"{sid}.csv").open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def line_of(d: Path, sid: str, candidate_id: str) -> int:
    """Physical line of a candidate in the review file (header = line 1; rows hold no newlines)."""
    return 2 + [r["candidate_id"] for r in review(d, sid)].index(candidate_id)


def decide(d: Path, sid: str, default: str = "accept", **changes: dict[str, str]) -> None:
    """Rewrite the review file as a reviewer would: a decision on every row, some cells edited."""
    path = d / "review" / f"{sid}.csv"
    rows = review(d, sid)
    header = list(rows[0].keys())
    for r in rows:
        r["decision"] = default
        r.update(changes.get(r["candidate_id"], {}))
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, header, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def one(rows: list[dict[str, str]], **match: str) -> dict[str, str]:
    found = [r for r in rows if all(r.get(k) == v for k, v in match.items())]
    assert len(found) == 1, f"expected one candidate with {match}, found {len(found)}: {[r['rule'] for r in found]}"
    return found[0]


def front(path: Path) -> dict[str, str]:
    import yaml
    text = path.read_text(encoding="utf-8")
    return yaml.load(text.split("---\n")[1], Loader=yaml.BaseLoader)


def body(path: Path) -> str:
    return path.read_text(encoding="utf-8").split("\n---\n", 1)[1]


def make_pdf(tmp_path: Path) -> Path:
    return write_pdf(tmp_path / "res2510.pdf", RES_2510_LINES, RES_2510_INFO)


# -- plain text -----------------------------------------------------------------------------------
def test_text_article_is_kept_sourced_and_proposed(data, capsys):
    fixture = FIX / "tajoura.txt"
    rc, out, err = run(capsys, "add", str(fixture), "--data", str(data))
    assert rc == 0, err
    # what it did, and the next command
    assert f"source '{TXT_ID}'" in out
    assert "2 events, 3 tolls, 0 support, 2 responses, 0 actors" in out
    assert f"python -m libyareport accept {TXT_ID}" in out
    # the document, byte for byte, listed by checksum
    digest = hashlib.sha256(fixture.read_bytes()).hexdigest()
    raw = data / "raw" / f"003_{digest[:16]}.txt"
    assert raw.read_bytes() == fixture.read_bytes()
    assert f"{digest}  {raw.name}" in (data / "raw" / "MANIFEST.sha256").read_text().splitlines()
    # the source, in the corpus's front-matter form
    meta = front(data / "sources" / f"{TXT_ID}.md")
    assert meta["outlet"] == "Coastline Review" and "line 2" in meta["outlet_basis"]
    assert meta["published"] == "2019-07-03"
    assert meta["published_basis"].startswith("the dateline on line 3 of the text: 'Published: 3 July 2019'")
    assert meta["derived_from"] == raw.name
    assert meta["derived_lines"] == f"1-{len(fixture.read_text().rstrip().splitlines())}"
    assert meta["added_by"] == "add" and re.fullmatch(r"\d{4}-\d{2}-\d{2}", meta["added"])

    rows = review(data, TXT_ID)
    text = flat(fixture.read_text())
    for r in rows:
        assert r["decision"] == "" and r["rule"]
        assert flat(r["quote"]) in text  # verbatim from the new source
    # 'late on Tuesday' in a report of Wednesday 3 July 2019 is Tuesday 2 July
    strike = one(rows, table="events", date="2019-07-02")
    assert strike["date_basis"] == "'late on Tuesday' in a report published Wednesday 3 Jul 2019 → 2019-07-02"
    assert strike["event_type"] == "airstrike" and strike["place"] == "Tajoura"
    # same day as the shipped context row on the Tajoura strike: proposed under its key
    assert strike["event_id"] == "tajoura-detention-centre-strike" and "key:existing" in strike["rule"]
    # figures with their hedges and who gave them
    first = one(rows, table="tolls", value="40")
    assert (first["metric"], first["qualifier"], first["reported_by"]) == ("killed", "at_least", "local_emergency_service")
    assert "hedge:at least" in first["rule"]
    killed = one(rows, table="tolls", value="44")
    wounded = one(rows, table="tolls", value="130")
    assert (killed["metric"], killed["qualifier"], killed["reported_by"]) == ("killed", "at_least", "unsmil")
    assert (wounded["metric"], wounded["qualifier"], wounded["reported_by"]) == ("injured", "more_than", "unsmil")
    # 'on Wednesday' in a Wednesday report is the publication day itself
    assert killed["as_of"] == "2019-07-03" and "the day of publication" in killed["as_of_basis"]
    # responses by outside actors, mapped by alias
    assert one(rows, table="responses", actor_id="unhcr")["response_type"] == "inquiry"
    assert one(rows, table="responses", actor_id="salame")["response_type"] == "condemnation"
    # a month without a year in a July report: April of the same year, month precision
    offensive = one(rows, table="events", event_type="offensive")
    assert (offensive["date"], offensive["date_precision"], offensive["actor_ids"]) == ("2019-04-01", "month", "lna")


# -- saved web page ---------------------------------------------------------------------------------
def test_web_page_main_text_metadata_and_candidates(data, capsys):
    rc, _out, err = run(capsys, "add", str(FIX / "cadets.html"), "--data", str(data))
    assert rc == 0, err
    src = data / "sources" / f"{HTML_ID}.md"
    meta, text = front(src), body(src)
    assert meta["title"] == "Drone that killed cadets was flown by UAE, investigation finds"
    assert meta["outlet"] == "Northshore Dispatch" and "og:site_name" in meta["outlet_basis"]
    assert meta["published"] == "2020-08-28" and "JSON-LD datePublished '2020-08-28T10:30:00+01:00'" in meta["published_basis"]
    assert meta["url"] == "https://northshore-dispatch.example/world/2020/08/28/tripoli-cadets-drone"
    assert meta["derived_lines"] == "all" and meta["extracted_with"].startswith("trafilatura ")
    # the article's paragraphs, and none of the page's furniture
    for sentence in ("On 5 January, the health ministry in Tripoli said 28 people had been killed.",
                     "Haftar's forces are backed by the United Arab Emirates, Egypt and Russia.",
                     "The United Arab Emirates has denied any military involvement in Libya."):
        assert sentence in text
    for furniture in ("cookies", "Subscribe", "Trending", "Related stories", "Privacy policy", "dataLayer",
                      "Breaking", "Sign up for our newsletter", "Ten things we learned"):
        assert furniture not in text

    rows = review(data, HTML_ID)
    for r in rows:
        assert flat(r["quote"]) in flat(text)
    backers = sorted(r["backer_id"] for r in rows if r["table"] == "support" and r["recipient_id"] == "lna")
    assert backers == ["egypt", "russia", "uae"]
    ministry = one(rows, table="tolls", value="28")
    assert ministry["reported_by"] == "gna_health_ministry" and ministry["as_of"] == "2020-01-05"
    assert ministry["as_of_basis"] == "'5 January' in a report published Friday 28 Aug 2020 → 2020-01-05 (the report's year)"
    cadets = one(rows, table="tolls", value="26")
    assert (cadets["population"], cadets["reported_by"], cadets["qualifier"]) == ("cadets", "bbc", "exact")
    # the strike of 4 January 2020 is the shipped context event: the new source corroborates its key
    strike = one(rows, table="events", date="2020-01-04")
    assert strike["event_id"] == "tripoli-military-school-strike" and strike["date_basis"] == ""
    # the denial is a counter-claim by the UAE against that event
    denial = one(rows, table="events", claimed_by="uae")
    assert denial["status"] == "claimed" and "denial" in denial["rule"]
    assert denial["disputes"] == "tripoli-military-school-strike"


# -- PDF ------------------------------------------------------------------------------------------------
def test_pdf_text_hyphenation_metadata_and_candidates(data, capsys, tmp_path):
    rc, _out, err = run(capsys, "add", str(make_pdf(tmp_path)), "--data", str(data))
    assert rc == 0, err
    src = data / "sources" / f"{PDF_ID}.md"
    meta, text = front(src), body(src)
    assert meta["title"] == RES_2510_INFO["Title"]
    assert meta["outlet"] == "Council Watch Bulletin" and "Author" in meta["outlet_basis"]
    assert meta["published"] == "2020-02-12" and "CreationDate 'D:20200212180000Z'" in meta["published_basis"]
    assert "endorsing the conclusions of the Berlin Conference held on 19 January." in text  # 'con-' + 'clusions' joined
    assert "con-" not in text
    rows = review(data, PDF_ID)
    res = one(rows, table="responses", actor_id="unsc")
    assert res["response_type"] == "resolution" and res["date"] == "2020-02-12"
    assert "the day of publication" in res["date_basis"]
    with (DATA / "context" / "responses.csv").open(newline="") as fh:
        shipped = [r for r in csv.DictReader(fh) if r["actor_id"] == "unsc" and r["date"] == "2020-02-12"
                   and r["response_type"] == "resolution"]
    assert res["response_id"] == shipped[0]["response_id"]  # corroborates the shipped key


# -- accept, check, build --------------------------------------------------------------------------------
def _accept_all_three(data: Path, tmp_path: Path, capsys) -> None:
    for f in (FIX / "tajoura.txt", FIX / "cadets.html", make_pdf(tmp_path)):
        assert run(capsys, "add", str(f), "--data", str(data))[0] == 0
    decide(data, TXT_ID)
    decide(data, HTML_ID)
    decide(data, PDF_ID)
    for sid in (TXT_ID, HTML_ID, PDF_ID):
        rc, out, err = run(capsys, "accept", sid, "--data", str(data))
        assert rc == 0, err
        assert "merged" in out


def test_accepted_claims_pass_check_and_accept_is_idempotent(data, tmp_path, capsys):
    _accept_all_three(data, tmp_path, capsys)
    rc, out, err = run(capsys, "check", "--data", str(data))
    assert rc == 0, err
    with (data / "tolls.csv").open(newline="") as fh:
        tolls = list(csv.DictReader(fh))
    assert one(tolls, source_id=TXT_ID, value="44")["figure_id"] == "tajoura-killed-unsmil-2019-07-03"
    before = snapshot(data)
    rc, out, err = run(capsys, "accept", HTML_ID, "--data", str(data))
    assert rc == 0 and "merged 0 rows" in out and "8 already merged" in out
    assert snapshot(data) == before


@pytest.fixture(scope="module")
def built(variant_book):
    """The three articles added and accepted into a copy of data/, and the book built from it
    (the session's variant book: see helpers_books.add_fixture_articles)."""
    build, data = variant_book
    return build / "html", data


def _page(html_dir: Path, name: str) -> BeautifulSoup:
    from helpers_books import page_soup
    return page_soup(html_dir / name)


def test_built_book_shows_new_sources_and_claims(built):
    html, _data = built
    appendix = _page(html, "chapters/05_sources_and_method.html")
    for sid in (TXT_ID, HTML_ID, PDF_ID):
        section = appendix.find(id=f"src-{sid}")
        assert section is not None, sid
        assert section.find("mark") is not None  # its quoted passages highlighted
    tajoura = appendix.find(id=f"src-{TXT_ID}")
    marked = flat(" ".join(m.get_text() for m in tajoura.find_all("mark")))
    assert "killing at least 40 people, the local emergency service said" in marked
    chrono = flat(_page(html, "chapters/01_chronology.html").get_text(" "))
    assert "An air strike hit a migrant detention centre in Tajoura late on Tuesday" in chrono
    backers = flat(_page(html, "chapters/02_actors_and_backers.html").get_text(" "))
    assert "Haftar's forces are backed by the United Arab Emirates, Egypt and Russia." in backers
    toll = flat(_page(html, "chapters/03_humanitarian_toll.html").get_text(" "))
    assert "On 5 January, the health ministry in Tripoli said 28 people had been killed." in toll
    resp = flat(_page(html, "chapters/04_international_response.html").get_text(" "))
    assert "The UNHCR called for an independent investigation into the attack." in resp
    # the landing page's run record lists what was added since the shipped edition
    record = [r for r in _page(html, "intro.html").select("table.lr-run-record tr")
              if "sources added since the shipped edition" in r.get_text()]
    assert record, "run record has no 'sources added' row"
    for sid in (TXT_ID, HTML_ID, PDF_ID):
        assert sid in record[0].get_text()


def test_near_spelling_number_words_and_a_party_claim(data, capsys, tmp_path):
    """A misspelt name is matched only when close (and flagged), number words are read, a party's claim is a claim."""
    f = tmp_path / "zero-hour.txt"
    f.write_text("Haftar calls a decisive battle for Tripoli\n"
                 "Source: Coastline Review\nPublished: 13 December 2019\n\n"
                 "Khalifa Hiftar announced a decisive offensive on Tripoli on Thursday.\n\n"
                 "More than two thousand fighters have been killed since April, the UN said.\n\n"
                 "At least 200 civilians have been killed, the UN said.\n", encoding="utf-8")
    assert run(capsys, "add", str(f), "--data", str(data))[0] == 0
    rows = review(data, "coastlinereview-2019-12-13-haftar-calls-decisive")
    push = one(rows, table="events", event_type="offensive")
    # 13 Dec 2019 is a Friday: 'on Thursday' is the 12th
    assert push["date"] == "2019-12-12" and push["actor_ids"] == "haftar"
    assert "actor:fuzzy(Khalifa Hiftar→haftar" in push["rule"]
    assert (push["status"], push["claimed_by"]) == ("claimed", "haftar")
    fighters = one(rows, table="tolls", value="2000")
    assert (fighters["qualifier"], fighters["population"], fighters["reported_by"]) == ("more_than", "fighters", "un")
    assert "words:two thousand" in fighters["rule"]
    civilians = one(rows, table="tolls", value="200")
    assert (civilians["qualifier"], civilians["population"]) == ("at_least", "civilians")


# -- refused review files ---------------------------------------------------------------------------------
@pytest.mark.parametrize("case", ["unknown_table", "missing_required", "quote_not_in_source"])
def test_bad_review_file_is_refused_with_line_and_column(data, capsys, case):
    assert run(capsys, "add", str(FIX / "tajoura.txt"), "--data", str(data))[0] == 0
    rows = review(data, TXT_ID)
    toll = one(rows, table="tolls", value="44")["candidate_id"]
    edit = {"unknown_table": {"table": "casualties"},
            "missing_required": {"reported_by": ""},
            "quote_not_in_source": {"quote": "More than 500 people were killed in Tajoura."}}[case]
    decide(data, TXT_ID, **{toll: edit})
    before = snapshot(data)
    rc, _out, err = run(capsys, "accept", TXT_ID, "--data", str(data))
    assert rc == 1 and "Traceback" not in err
    where = f"review/{TXT_ID}.csv:{line_of(data, TXT_ID, toll)}"
    column = {"unknown_table": "table", "missing_required": "reported_by", "quote_not_in_source": "quote"}[case]
    message = {"unknown_table": "unknown table 'casualties'", "missing_required": "required value is empty",
               "quote_not_in_source": "does not occur in source"}[case]
    hit = [ln for ln in err.splitlines() if where in ln]
    assert hit and f"[{column}]" in hit[0] and message in hit[0], err
    assert snapshot(data) == before  # nothing merged, not even the good rows


def test_accepted_row_whose_id_is_taken_with_other_values_is_refused(data, capsys):
    assert run(capsys, "add", str(FIX / "tajoura.txt"), "--data", str(data))[0] == 0
    cid = one(review(data, TXT_ID), table="tolls", value="44")["candidate_id"]
    decide(data, TXT_ID, default="reject", **{cid: {"decision": "accept", "claim_id": "tl-cnn-killed-21"}})
    before = snapshot(data)
    rc, _out, err = run(capsys, "accept", TXT_ID, "--data", str(data))
    assert rc == 1 and f"{TXT_ID}.csv:{line_of(data, TXT_ID, cid)} [claim_id]" in err and "already in" in err
    assert snapshot(data) == before


def test_new_schema_columns_are_picked_up(data, capsys):
    """Columns another change adds to the schema (stance, originator) appear in the review file, pre-filled."""
    for table, fields in (("events", [{"name": "stance", "type": "string", "constraints": {"enum": ["supports", "refutes", "qualifies"]}}]),
                          ("tolls", [{"name": "stance", "type": "string"},
                                     {"name": "originator", "type": "string", "x-references": "actors"}])):
        path = data / "schema" / f"{table}.json"
        schema = json.loads(path.read_text())
        schema["fields"].extend(fields)
        path.write_text(json.dumps(schema, indent=2))
    assert run(capsys, "add", str(FIX / "cadets.html"), "--data", str(data))[0] == 0
    rows = review(data, HTML_ID)
    assert "stance" in rows[0] and "originator" in rows[0]
    assert one(rows, table="events", claimed_by="uae")["stance"] == "refutes"
    ministry = one(rows, table="tolls", value="28")
    assert ministry["stance"] == "supports" and ministry["originator"] == "gna_health_ministry"
    decide(data, HTML_ID)
    rc, _out, err = run(capsys, "accept", HTML_ID, "--data", str(data))
    assert rc == 0, err
    with (data / "events.csv").open(newline="") as fh:
        events = list(csv.DictReader(fh))
    assert one(events, source_id=HTML_ID, claimed_by="uae")["stance"] == "refutes"
    assert not load_checked(data).problems


# -- add: safety -------------------------------------------------------------------------------------------------
def test_adding_the_same_file_again_changes_nothing(data, capsys):
    assert run(capsys, "add", str(FIX / "tajoura.txt"), "--data", str(data))[0] == 0
    before = snapshot(data)
    rc, out, _err = run(capsys, "add", str(FIX / "tajoura.txt"), "--data", str(data), "--id", "another-id")
    assert rc == 0 and "already in" in out and TXT_ID in out and "nothing changed" in out
    assert snapshot(data) == before


def _bad_inputs(tmp_path: Path) -> dict[str, tuple[list[str], str]]:
    docx = tmp_path / "report.docx"
    docx.write_bytes(b"PK\x03\x04 not really a document")
    latin = tmp_path / "latin.txt"
    latin.write_bytes("Caf\xe9 report\nPublished: 3 July 2019\n".encode("latin-1"))
    return {
        "missing": ([str(tmp_path / "nowhere.html")], "no such file"),
        "directory": ([str(tmp_path)], "is a directory"),
        "unsupported": ([str(docx)], "unsupported file type '.docx'"),
        "not_utf8": ([str(latin)], "is not valid UTF-8"),
        "existing_id": ([str(FIX / "tajoura.txt"), "--id", "cnn-2019-04-08-mitiga-airstrike"], "already exists"),
        "bad_id": ([str(FIX / "tajoura.txt"), "--id", "Not An ID"], "not a valid source ID"),
        "no_article": ([str(FIX / "no_article.html")], "no article text found"),
        "no_date": ([str(FIX / "undated.txt")], "pass --published YYYY-MM-DD"),
        "bad_date": ([str(FIX / "undated.txt"), "--published", "3/7/2019"], "--published '3/7/2019' is not a date"),
        "bad_kind": ([str(FIX / "tajoura.txt"), "--kind", "blog"], "--kind 'blog' is not a kind of source"),
    }


@pytest.mark.parametrize("case", ["missing", "directory", "unsupported", "not_utf8", "existing_id", "bad_id",
                                  "no_article", "no_date", "bad_date", "bad_kind"])
def test_bad_add_says_one_line_and_leaves_data_untouched(data, capsys, tmp_path, case):
    argv, message = _bad_inputs(tmp_path)[case]
    before = snapshot(data)
    rc, _out, err = run(capsys, "add", *argv, "--data", str(data))
    assert rc == 1
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1 and message in lines[0] and "Traceback" not in err, err
    assert snapshot(data) == before


def test_pdf_without_outlet_asks_for_the_option(data, capsys, tmp_path):
    pdf = write_pdf(tmp_path / "anon.pdf", RES_2510_LINES, {"Title": "A note", "CreationDate": "D:20200212"})
    before = snapshot(data)
    rc, _out, err = run(capsys, "add", str(pdf), "--data", str(data))
    assert rc == 1 and "pass --outlet NAME" in err and snapshot(data) == before
    rc, _out, err = run(capsys, "add", str(pdf), "--outlet", "Council Watch Bulletin", "--data", str(data))
    assert rc == 0, err
    meta = front(data / "sources" / "councilwatchbulletin-2020-02-12-note.md")
    assert meta["outlet_basis"] == "given with --outlet when the document was added"


def test_published_option_overrides_and_is_recorded(data, capsys):
    rc, _out, err = run(capsys, "add", str(FIX / "undated.txt"), "--published", "2019-04-08", "--data", str(data))
    assert rc == 0, err
    sid = "coastlinereview-2019-04-08-clashes-near-tripoli"
    meta = front(data / "sources" / f"{sid}.md")
    assert meta["published"] == "2019-04-08" and meta["published_basis"].startswith("given with --published")
    clash = one(review(data, sid), table="events")
    # 'on Monday' in a report published Monday 8 April 2019 is that Monday
    assert clash["date"] == "2019-04-08" and clash["event_type"] == "armed_clash"


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read a file without read permission")
def test_unreadable_file(data, capsys, tmp_path):
    f = tmp_path / "locked.txt"
    f.write_text("x\n")
    f.chmod(0)
    rc, _out, err = run(capsys, "add", str(f), "--data", str(data))
    assert rc == 1 and "cannot read" in err


def test_a_failed_write_leaves_nothing_behind(data, monkeypatch):
    from libyareport.articles import add as add_mod
    from libyareport.articles import files as files_mod
    from libyareport.errors import ReportError

    before = snapshot(data)
    real = os.replace
    calls = []

    def flaky(a, b):
        calls.append(b)
        if len(calls) == 3:  # raw file and manifest are in place, the source is not
            raise OSError(28, "No space left on device")
        return real(a, b)

    monkeypatch.setattr(files_mod.os, "replace", flaky)  # the one multi-file writer of articles/
    with pytest.raises(ReportError, match="nothing was added"):
        add_mod.add(FIX / "tajoura.txt", data)
    monkeypatch.undo()
    assert snapshot(data) == before
    assert not [p for p in data.rglob("*.tmp")]
