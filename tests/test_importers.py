"""ACLED / UCDP GED importers: detection, normalisation, validation, atomic writes."""
from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pandas as pd
import pytest

from libyareport import cli
from libyareport.errors import ReportError
from libyareport.imports import actors, frame
from libyareport.imports.actors import match_actor
from libyareport.imports.columns import EVENT_COLUMNS
from libyareport.imports.run import import_export

FIXTURES = Path(__file__).parent / "fixtures" / "imports"
HAFTAR = "Military Forces of Libya (2014-) Haftar Faction"
GNA = "Military Forces of Libya (2016-2021) Government of National Accord"

ACTORS_CSV = """actor_id,name,aliases,kind,side,parent_id,country
lna,Libyan National Army (LNA),Libyan National Army; LNA; Haftar forces,libyan_armed_force,lna,,Libya
gna,Government of National Accord (GNA),Government of National Accord; GNA,libyan_government,gna,,Libya
misrata_forces,Misrata armed groups,Misrata,libyan_armed_group,gna,,Libya
zintan_forces,Zintan armed groups,Zintan,libyan_armed_group,gna,,Libya
"""


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A minimal data directory: one curated table, nothing imported yet."""
    d = tmp_path / "data"
    d.mkdir()
    (d / "actors.csv").write_text(ACTORS_CSV, encoding="utf-8")
    return d


def run(fmt: str, fixture: str | Path, data_dir: Path, **kw) -> dict:
    path = fixture if isinstance(fixture, Path) else FIXTURES / fixture
    return import_export(fmt, path, data_dir, progress=False, **kw)


def events(data_dir: Path, name: str) -> pd.DataFrame:
    return pd.read_parquet(data_dir / "imported" / name / "events.parquet")


def tree_state(root: Path) -> dict[str, tuple[str, int]]:
    """Every file under root with its content hash and mtime, and every directory."""
    state: dict[str, tuple[str, int]] = {}
    for p in sorted(root.rglob("*")):
        key = str(p.relative_to(root))
        if p.is_file():
            state[key] = (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
        else:
            state[key] = ("dir", 0)
    return state


def problems_of(exc: pytest.ExceptionInfo[ReportError]) -> list:
    return exc.value.problems


# --- detection and normalisation ------------------------------------------------------

def test_acled_current_export_is_normalised(data_dir: Path) -> None:
    meta = run("acled", "acled_current.csv", data_dir)
    df = events(data_dir, "acled")
    assert list(df.columns) == list(EVENT_COLUMNS)
    assert meta["source_format"] == "acled" and meta["kind"] == "events"
    assert (meta["rows_read"], meta["rows_kept"], meta["rows_rejected"]) == (9, 9, 0)
    assert meta["sha256"] == hashlib.sha256((FIXTURES / "acled_current.csv").read_bytes()).hexdigest()
    assert meta["attribution"] == "Armed Conflict Location & Event Data Project (ACLED); acleddata.com"
    assert (meta["date_min"], meta["date_max"]) == ("2019-04-04", "2020-06-04")
    assert meta["file"] == "acled_current.csv" and meta["name"] == "acled"
    row = df.set_index("event_key").loc["LBY1002"]  # "08 April 2019"
    assert str(row["date_start"]) == "2019-04-08" and str(row["date_end"]) == "2019-04-08"
    assert row["place"] == "Mitiga Airport" and row["source"] == "AFP; Reuters"
    by_key = df.set_index("event_key")
    assert by_key.loc["LBY1003", "date_precision"] == "week"  # time_precision 2
    assert by_key.loc["LBY1004", "date_precision"] == "month"  # time_precision 3
    assert by_key.loc["LBY1006", ["fatalities_best", "fatalities_low", "fatalities_high"]].tolist() == [53, 53, 53]
    assert by_key.loc["LBY1001", "latitude"] == pytest.approx(32.1722)
    assert by_key.loc["LBY1001", "geo_precision"] == 1
    assert (data_dir / "imported" / "acled" / "meta.json").is_file()


def test_quoted_newlines_commas_and_quotes_survive(data_dir: Path) -> None:
    run("acled", "acled_current.csv", data_dir)
    notes = events(data_dir, "acled").set_index("event_key")["notes"]
    assert notes["LBY1002"] == "An LNA warplane struck Mitiga airport, closing it.\nNo casualties reported."
    assert notes["LBY1004"] == 'Shelling hit a residential area; "several" families fled.'


def test_acled_legacy_column_set_is_recognised(data_dir: Path) -> None:
    meta = run("acled", "acled_legacy.csv", data_dir)
    assert meta["source_format"] == "acled_legacy"
    df = events(data_dir, "acled")
    assert df["event_key"].tolist() == ["LBY1001", "LBY1002", "LBY1003"]
    assert set(df["source_format"]) == {"acled_legacy"}


def test_byte_order_mark_is_ignored(data_dir: Path) -> None:
    assert (FIXTURES / "acled_bom.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    run("acled", "acled_bom.csv", data_dir)
    assert events(data_dir, "acled")["event_key"].tolist() == ["LBY1001", "LBY1002"]


@pytest.mark.parametrize(("fixture", "version"), [
    ("ged221_libya.csv", "22.1"),  # where_description, full column set
    ("GEDEvent_v20_1_libya.csv", "20.1"),  # where_decription, no relid/code_status/*_dset_id, reordered
])
def test_ucdp_ged_both_spellings(data_dir: Path, fixture: str, version: str) -> None:
    meta = run("ucdp", fixture, data_dir)
    assert meta["source_format"] == "ucdp"
    assert meta["dataset_version"] == version
    assert meta["attribution"] == (f"UCDP Georeferenced Event Dataset (GED) Global version {version}, "
                                   "CC BY 4.0 — Uppsala Conflict Data Program")
    df = events(data_dir, "ucdp").set_index("event_key")
    first = df.loc["300001"]
    assert first["event_type"] == "State-based conflict"
    assert (first["actor1"], first["actor2"], first["actor2_id"]) == ("Government of Libya", "LNA", "lna")
    assert first[["fatalities_best", "fatalities_low", "fatalities_high"]].tolist() == [6, 6, 10]
    assert first["place"] == "Tripoli town" and first["admin1"] == "Tripoli district"
    assert first["source"] == "Libyan Red Crescent;AFP" and first["notes"] == "Fighting rages south of Tripoli"
    assert df.loc["300002", "event_type"] == "One-sided violence"


def test_ucdp_date_range_and_precision(data_dir: Path) -> None:
    run("ucdp", "ged221_libya.csv", data_dir)
    df = events(data_dir, "ucdp").set_index("event_key")
    assert (str(df.loc["300003", "date_start"]), str(df.loc["300003", "date_end"])) == ("2019-05-01", "2019-05-07")
    assert df.loc["300003", "date_precision"] == "week"  # date_prec 3
    assert df.loc["300004", "date_precision"] == "month"  # date_prec 4
    assert df.loc["300004", "event_type"] == "Non-state conflict"
    assert (df.loc["300004", "actor1_id"], df.loc["300004", "actor2_id"]) == ("zintan_forces", "misrata_forces")


def test_ucdp_version_unknown_without_it_in_the_file_name(data_dir: Path, tmp_path: Path) -> None:
    plain = tmp_path / "libya_events.csv"
    shutil.copy(FIXTURES / "ged221_libya.csv", plain)
    meta = run("ucdp", plain, data_dir)
    assert meta["dataset_version"] == "unknown"


@pytest.mark.parametrize(("fixture", "name", "metric", "period", "values"), [
    ("acled_monthly_events.csv", "acled_events_monthly", "events", "2019-04", [312, 280, 190, 12]),
    ("acled_yearly_fatalities.csv", "acled_fatalities_yearly", "fatalities", "2019", [2110, 1205, 8]),
    ("acled_civilian_fatalities.csv", "acled_civilian_fatalities_yearly", "civilian_fatalities", "2019", [310, 120]),
])
def test_aggregated_files_become_series(data_dir: Path, fixture: str, name: str, metric: str,
                                        period: str, values: list[int]) -> None:
    meta = run("acled", fixture, data_dir)
    assert meta["kind"] == "series" and meta["name"] == name and meta["metric"] == metric
    target = data_dir / "imported" / name
    assert not (target / "events.parquet").exists()
    series = pd.read_parquet(target / "series.parquet")
    assert sorted(series["value"].tolist(), reverse=True) == sorted(values, reverse=True)
    assert set(series["metric"]) == {metric}
    assert period in set(series["period"])


def test_monthly_series_periods(data_dir: Path) -> None:
    run("acled", "acled_monthly_events.csv", data_dir, country="libya")
    s = pd.read_parquet(data_dir / "imported" / "acled_events_monthly" / "series.parquet")
    assert s["period"].tolist() == ["2019-04", "2019-05", "2019-06"]
    assert [str(d) for d in s["period_end"]] == ["2019-04-30", "2019-05-31", "2019-06-30"]


def test_country_filter_is_case_insensitive(data_dir: Path) -> None:
    meta = run("acled", "acled_current.csv", data_dir, country="LIBYA")
    df = events(data_dir, "acled")
    assert set(df["country"]) == {"Libya"} and len(df) == 8
    assert meta["rows_outside_country_filter"] == 1 and meta["country_filter"] == "LIBYA"


def test_country_filter_matching_nothing_is_an_error(data_dir: Path) -> None:
    with pytest.raises(ReportError, match="no rows match --country"):
        run("acled", "acled_current.csv", data_dir, country="Chad")
    assert not (data_dir / "imported").exists()


# --- actor mapping --------------------------------------------------------------------

def test_actor_mapping_long_acled_names_and_aliases(data_dir: Path) -> None:
    aliases = actors.load_actor_aliases(data_dir)
    assert match_actor(HAFTAR, aliases) == "lna"
    assert match_actor(GNA, aliases) == "gna"
    assert match_actor("Police Forces of Libya (2016-2021) Government of National Accord", aliases) == "gna"
    assert match_actor("haftar  FORCES", aliases) == "lna"  # alias, case and spacing insensitive
    assert match_actor("Zintan (Libya)", aliases) == "zintan_forces"  # parenthesised qualifier ignored
    assert match_actor("Wagner Group", aliases) is None
    assert match_actor(None, aliases) is None


def test_actor_ids_in_imported_events(data_dir: Path) -> None:
    run("acled", "acled_current.csv", data_dir)
    df = events(data_dir, "acled").set_index("event_key")
    assert (df.loc["LBY1001", "actor1_id"], df.loc["LBY1001", "actor2_id"]) == ("lna", "gna")
    assert df.loc["LBY1003", "actor1_id"] == "gna" and pd.isna(df.loc["LBY1003", "actor2_id"])


def test_context_actor_table_aliases_are_used(data_dir: Path) -> None:
    (data_dir / "context").mkdir()
    (data_dir / "context" / "actors.csv").write_text(
        "actor_id,name,aliases,kind,side,parent_id,country\nwagner,Wagner Group,Wagner; Wagner Group,foreign_armed_group,lna,,Russia\n",
        encoding="utf-8")
    run("acled", "acled_current.csv", data_dir)
    assert events(data_dir, "acled").set_index("event_key").loc["LBY1003", "actor2_id"] == "wagner"


# --- errors ---------------------------------------------------------------------------

def test_wrong_format_lists_missing_columns(data_dir: Path) -> None:
    with pytest.raises(ReportError) as exc:
        run("acled", "ged221_libya.csv", data_dir)
    (p,) = problems_of(exc)
    assert p.file.endswith("ged221_libya.csv") and p.line == 1
    for col in ("event_id_cnty", "event_date", "time_precision", "event_type", "actor1", "fatalities"):
        assert col in p.message
    assert "latitude," not in p.message.split("missing")[1].split(";")[0]  # present columns are not listed
    assert "use format ucdp" in p.message

    with pytest.raises(ReportError) as exc:
        run("ucdp", "wrong_format.csv", data_dir)
    (p,) = problems_of(exc)
    for col in ("id", "type_of_violence", "side_a", "side_b", "date_start", "best", "low", "high"):
        assert col in p.message
    assert not (data_dir / "imported").exists()


def test_bad_rows_are_listed_with_physical_line_numbers(data_dir: Path) -> None:
    # Line 1 header, line 2 LBY2001, lines 3-5 one record with quoted newlines, then bad rows.
    before = tree_state(data_dir)
    with pytest.raises(ReportError) as exc:
        run("acled", "acled_bad_rows.csv", data_dir)
    rows = [(p.line, p.column) for p in problems_of(exc) if p.line is not None]
    assert rows == [
        (6, "event_date"), (7, "latitude"), (8, "fatalities"), (9, "fatalities"),
        (10, "event_id_cnty"), (11, "event_id_cnty"),
    ]
    text = str(exc.value)
    assert "acled_bad_rows.csv:6 [event_date]" in text
    assert "duplicate event ID 'LBY2001' (first seen on line 2)" in text
    assert "6 bad row(s)" in text
    assert tree_state(data_dir) == before


def test_listing_is_capped(data_dir: Path, tmp_path: Path) -> None:
    lines = (FIXTURES / "acled_bad_rows.csv").read_text(encoding="utf-8").splitlines()
    header, bad_date = lines[0], lines[5]
    big = tmp_path / "many_bad.csv"
    body = [bad_date.replace("LBY2003", f"LBY9{i:03d}") for i in range(30)]
    big.write_text("\n".join([header, *body]) + "\n", encoding="utf-8")
    with pytest.raises(ReportError) as exc:
        run("acled", big, data_dir)
    probs = problems_of(exc)
    assert len(probs) == 21
    assert "and 10 more" in probs[-1].message


def test_malformed_record_is_reported_with_its_line(data_dir: Path, tmp_path: Path) -> None:
    lines = (FIXTURES / "acled_current.csv").read_text(encoding="utf-8").split("\n")
    broken = tmp_path / "broken.csv"
    broken.write_text("\n".join(lines[:4] + ["LBYX,2019-01-01,oops"] + lines[4:]), encoding="utf-8")
    with pytest.raises(ReportError) as exc:
        run("acled", broken, data_dir)
    (p, _summary) = problems_of(exc)
    assert p.line == 5 and "has 3 fields" in p.message  # after the two-line record on lines 3-4


def test_skip_bad_rows_keeps_the_rest_and_counts(data_dir: Path) -> None:
    meta = run("acled", "acled_bad_rows.csv", data_dir, skip_bad_rows=True)
    assert (meta["rows_read"], meta["rows_kept"], meta["rows_rejected"]) == (9, 3, 6)
    assert meta["rejected_examples"] and ":6 [event_date]" in meta["rejected_examples"][0]
    assert events(data_dir, "acled")["event_key"].tolist() == ["LBY2001", "LBY2002", "LBY2009"]


def test_not_utf8_names_the_line(data_dir: Path, tmp_path: Path) -> None:
    text = (FIXTURES / "acled_current.csv").read_text(encoding="utf-8").replace("Ain Zara", "Aïn Zara")
    latin = tmp_path / "latin1.csv"
    latin.write_bytes(text.encode("latin-1"))
    with pytest.raises(ReportError) as exc:
        run("acled", latin, data_dir)
    (p,) = problems_of(exc)
    assert "not UTF-8" in p.message and p.line == 5  # LBY1003 starts on line 5 (LBY1002 spans 3-4)


def test_empty_and_header_only_files(data_dir: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(ReportError, match="empty"):
        run("acled", empty, data_dir)
    header_only = tmp_path / "header.csv"
    header_only.write_text((FIXTURES / "acled_current.csv").read_text(encoding="utf-8").split("\n")[0] + "\n")
    with pytest.raises(ReportError, match="no data rows"):
        run("acled", header_only, data_dir)
    with pytest.raises(ReportError, match="no such file"):
        run("acled", tmp_path / "missing.csv", data_dir)
    assert not (data_dir / "imported").exists()


# --- writing: idempotence and atomicity -----------------------------------------------

def test_reimport_of_the_same_file_changes_nothing(data_dir: Path) -> None:
    first = run("acled", "acled_current.csv", data_dir)
    assert first["unchanged"] is False
    before = tree_state(data_dir)
    again = run("acled", "acled_current.csv", data_dir)
    assert again["unchanged"] is True
    assert tree_state(data_dir) == before  # same bytes, same mtimes


def test_reimport_with_other_options_reimports(data_dir: Path) -> None:
    run("acled", "acled_current.csv", data_dir)
    meta = run("acled", "acled_current.csv", data_dir, country="Libya")
    assert meta["unchanged"] is False and meta["rows_kept"] == 8


def test_failed_import_leaves_data_byte_identical(data_dir: Path) -> None:
    run("acled", "acled_current.csv", data_dir)
    before = tree_state(data_dir)
    with pytest.raises(ReportError):
        run("acled", "acled_bad_rows.csv", data_dir)
    with pytest.raises(ReportError):
        run("acled", "ged221_libya.csv", data_dir)
    assert tree_state(data_dir) == before


def test_failure_while_writing_leaves_data_unchanged(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run("acled", "acled_current.csv", data_dir)
    before = tree_state(data_dir)

    def boom(self: object, path: Path, rows_per_group: int = 0) -> None:  # a writer that fails midway
        Path(path).write_bytes(b"partial")
        raise OSError("disk full")

    monkeypatch.setattr(frame.Output, "write_parquet", boom)
    with pytest.raises(ReportError, match="disk full"):
        run("acled", "acled_legacy.csv", data_dir)
    assert tree_state(data_dir) == before


def test_newer_export_replaces_the_old_one_atomically(data_dir: Path) -> None:
    run("acled", "acled_current.csv", data_dir)
    meta = run("acled", "acled_legacy.csv", data_dir)
    assert meta["unchanged"] is False and meta["file"] == "acled_legacy.csv"
    assert len(events(data_dir, "acled")) == 3
    leftovers = [p.name for p in (data_dir / "imported").iterdir()]
    assert leftovers == ["acled"]  # no temporary or old directories left behind
    assert sorted(p.name for p in (data_dir / "imported" / "acled").iterdir()) == ["events.parquet", "meta.json"]


def test_curated_tables_are_never_touched(data_dir: Path) -> None:
    actors = (data_dir / "actors.csv").read_bytes()
    run("acled", "acled_current.csv", data_dir)
    run("ucdp", "ged221_libya.csv", data_dir)
    assert (data_dir / "actors.csv").read_bytes() == actors
    assert sorted(p.name for p in data_dir.iterdir()) == ["actors.csv", "imported"]


def test_invalid_dataset_name_is_rejected(data_dir: Path) -> None:
    with pytest.raises(ReportError, match="invalid dataset name"):
        run("acled", "acled_current.csv", data_dir, name="../escape")


# --- CLI ------------------------------------------------------------------------------

def test_cli_subcommand_prints_a_summary(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    parser = cli.build_parser()
    args = parser.parse_args(["import", "acled", str(FIXTURES / "acled_current.csv"), "--data", str(data_dir),
                              "--country", "Libya", "--name", "acled_ly"])
    assert args.func(args) == 0
    out, err = capsys.readouterr()
    assert "rows read 9, kept 8, rejected 0" in out
    assert "2019-04-04 to 2020-06-04" in out
    assert "acled_ly/events.parquet" in out
    assert "[import acled] read 9 rows" in err  # progress on stderr
    assert args.func(args) == 0
    assert "nothing changed" in capsys.readouterr().out


def test_cli_rejects_unknown_format() -> None:
    parser = cli.build_parser()
    with pytest.raises(SystemExit):
        parser.parse_args(["import", "gdelt", "x.csv"])
