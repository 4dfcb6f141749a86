"""Issue 12, importers: every fault is one line naming file and line, nothing in data/ changes,
a killed import's leftovers are cleaned by the next run, and a second writer is refused or waits.

Inputs are written by the tests from the shipped fixtures, so the line of each fault is known from
how the file was written, not from the importer."""
from __future__ import annotations

import csv
import hashlib
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from libyareport import cli

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "imports"
ACTORS = "actor_id,name,aliases,kind,side,parent_id,country\nlna,Libyan National Army (LNA),LNA,libyan_armed_force,lna,,Libya\n"


@pytest.fixture
def data(tmp_path: Path) -> Path:
    d = tmp_path / "data"
    d.mkdir()
    (d / "actors.csv").write_text(ACTORS, encoding="utf-8")
    return d


def tree(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
            for p in sorted(root.rglob("*"))}


def rows_of(name: str) -> list[list[str]]:
    with (FIXTURES / name).open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    return [[c.replace("\n", " ") for c in r] for r in rows]  # one physical line per record


def write(path: Path, rows: list[list[str]], newline: str = "\n") -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator=newline).writerows(rows)
    return path


def edited(tmp_path: Path, fixture: str, row: int, column: str, value: str, newline: str = "\n") -> tuple[Path, int]:
    """The fixture with data row `row` (1-based) of `column` set; returns the file and that row's line."""
    rows = rows_of(fixture)
    rows[row][rows[0].index(column)] = value
    return write(tmp_path / f"edited{newline == chr(13) and '_cr' or ''}.csv", rows, newline), row + 1


def run_import(capsys, *args: str) -> tuple[int, list[str]]:
    code = cli.main(["import", *args])
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err
    return code, [ln for ln in out.err.strip().splitlines() if not ln.startswith("[import ")]  # progress lines apart


def refused_one_line(capsys, data: Path, *args: str) -> str:
    before = tree(data)
    code, err = run_import(capsys, *args, "--data", str(data))
    assert code == 1, err
    assert tree(data) == before, "a refused import changed data/"
    problems = [e for e in err if "bad row(s); nothing was imported" not in e]  # the closing summary line
    assert len(problems) == 1, err
    return problems[0]


# -- bad rows with their real line -----------------------------------------------------------------------
def test_cr_only_line_endings_give_real_line_numbers(tmp_path, data, capsys):
    path, line = edited(tmp_path, "acled_current.csv", 4, "fatalities", "many", newline="\r")
    assert b"\n" not in path.read_bytes()
    msg = refused_one_line(capsys, data, "acled", str(path))
    assert f"edited_cr.csv:{line} [fatalities]" in msg and "not a number" in msg, msg


def test_cr_only_file_imports(tmp_path, data, capsys):
    path = write(tmp_path / "cr.csv", rows_of("acled_current.csv"), "\r")
    code, _ = run_import(capsys, "acled", str(path), "--data", str(data))
    assert code == 0 and (data / "imported" / "acled" / "events.parquet").is_file()


def test_fatalities_too_large_for_int64_is_a_bad_row(tmp_path, data, capsys):
    path, line = edited(tmp_path, "acled_current.csv", 2, "fatalities", "99999999999999999999999")
    msg = refused_one_line(capsys, data, "acled", str(path))
    assert f"edited.csv:{line} [fatalities]" in msg and "larger than 10,000,000" in msg, msg


def test_an_acled_timestamp_of_99999999999999(tmp_path, data, capsys):
    path, line = edited(tmp_path, "acled_current.csv", 3, "timestamp", "99999999999999")
    msg = refused_one_line(capsys, data, "acled", str(path))
    assert f"edited.csv:{line} [timestamp]" in msg and "Unix time" in msg, msg


def test_an_imported_date_of_0001_01_01(tmp_path, data, capsys):
    path, line = edited(tmp_path, "acled_current.csv", 1, "event_date", "0001-01-01")
    msg = refused_one_line(capsys, data, "acled", str(path))
    assert f"edited.csv:{line} [event_date]" in msg and "outside 1900-01-01–2100-12-31" in msg, msg


def test_ucdp_low_greater_than_best_greater_than_high(tmp_path, data, capsys):
    rows = rows_of("GEDEvent_v20_1_libya.csv")
    h = rows[0]
    rows[1][h.index("low")], rows[1][h.index("best")], rows[1][h.index("high")] = "30", "20", "10"
    path = write(tmp_path / "ged.csv", rows)
    before = tree(data)
    code, err = run_import(capsys, "ucdp", str(path), "--data", str(data))
    assert code == 1 and tree(data) == before
    assert any("ged.csv:2 [low]" in e and "low is greater than best" in e for e in err), err
    assert any("ged.csv:2 [high]" in e and "high is less than best" in e for e in err), err


# -- faults of the file as a whole -----------------------------------------------------------------------
def test_a_50_mb_single_line(tmp_path, data, capsys):
    header = ",".join(rows_of("acled_current.csv")[0])
    path = tmp_path / "long.csv"
    with path.open("w", encoding="utf-8") as fh:
        fh.write(header + "\n")
        fh.write('"' + "x" * (50 << 20) + '"\n')
    msg = refused_one_line(capsys, data, "acled", str(path))
    assert "long.csv:2:" in msg and "longer than 16 MB" in msg, msg


def test_a_50_mb_header_line(tmp_path, data, capsys):
    path = tmp_path / "wide.csv"
    path.write_text("x" * (50 << 20) + "\n", encoding="utf-8")
    msg = refused_one_line(capsys, data, "acled", str(path))
    assert "wide.csv:1:" in msg and "not a CSV header row" in msg, msg


@pytest.mark.parametrize("name", ["a" * 240, "nl\n", "../escape", ".hidden"])
def test_a_bad_dataset_name(data, capsys, name):
    msg = refused_one_line(capsys, data, "acled", str(FIXTURES / "acled_current.csv"), "--name", name)
    assert msg.startswith("--name: invalid dataset name") and "1 to 64 letters" in msg, msg
    assert not (data / "imported").exists()


def test_data_imported_being_a_file(data, capsys):
    (data / "imported").write_text("not a directory\n", encoding="utf-8")
    msg = refused_one_line(capsys, data, "acled", str(FIXTURES / "acled_current.csv"))
    assert "imported: is a file, not a directory" in msg, msg


def _bind_read_only(path: Path) -> bool:
    if sys.platform != "linux" or os.geteuid() != 0:
        return False
    ok = subprocess.run(["mount", "--bind", str(path), str(path)], capture_output=True, check=False).returncode == 0
    if ok and subprocess.run(["mount", "-o", "remount,bind,ro", str(path)], capture_output=True, check=False).returncode != 0:
        subprocess.run(["umount", str(path)], check=False)
        return False
    return ok


def test_a_read_only_data_dir(data, capsys):
    """A read-only bind mount (root in a container) is the real fault; else chmod does it for non-root."""
    if not _bind_read_only(data):
        if os.geteuid() == 0:
            pytest.skip("cannot mount read-only here")
        data.chmod(0o555)
    try:
        msg = refused_one_line(capsys, data, "acled", str(FIXTURES / "acled_current.csv"))
        assert "is not writable; nothing was imported" in msg, msg
    finally:
        subprocess.run(["umount", str(data)], capture_output=True, check=False)
        data.chmod(0o755)


# -- a killed import, and a second writer --------------------------------------------------------------
HANG_WRITER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from libyareport.imports import frame
    from libyareport.imports.run import import_export
    def slow(self, path, rows_per_group=0):
        Path(path).write_bytes(b"partial")
        print("writing", flush=True)
        time.sleep(60)
    frame.Output.write_parquet = slow
    import_export("acled", sys.argv[1], sys.argv[2], progress=False)
""")


def _env() -> dict:
    return {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}


def test_kill_9_mid_import_then_the_next_import_cleans_up(data, capsys):
    src = FIXTURES / "acled_current.csv"
    p = subprocess.Popen([sys.executable, "-c", HANG_WRITER, str(src), str(data)], stdout=subprocess.PIPE,
                         text=True, env=_env())
    try:
        assert p.stdout.readline().strip() == "writing"
    finally:
        os.kill(p.pid, signal.SIGKILL)
        p.wait()
    left = [x.name for x in (data / "imported").iterdir()]
    assert left and all(n.startswith(".tmp-acled-") for n in left), left  # what a kill leaves
    code, _ = run_import(capsys, "acled", str(src), "--data", str(data))
    assert code == 0
    assert sorted(x.name for x in (data / "imported").iterdir()) == ["acled"]
    assert sorted(x.name for x in (data / "imported" / "acled").iterdir()) == ["events.parquet", "meta.json"]


HOLD = textwrap.dedent("""
    import sys, time
    from libyareport.lock import writer_lock
    with writer_lock(sys.argv[1], "build", shared=True):
        print("held", flush=True)
        time.sleep(float(sys.argv[2]))
""")


def _holder(directory: Path, seconds: float) -> subprocess.Popen:
    p = subprocess.Popen([sys.executable, "-c", HOLD, str(directory), str(seconds)], stdout=subprocess.PIPE,
                         text=True, env=_env())
    assert p.stdout.readline().strip() == "held"
    return p


def test_import_during_a_build_is_refused_in_one_line(data, capsys, monkeypatch):
    monkeypatch.setenv("LIBYAREPORT_LOCK_TIMEOUT", "0")
    p = _holder(data, 30)
    try:
        msg = refused_one_line(capsys, data, "acled", str(FIXTURES / "acled_current.csv"))
    finally:
        p.kill()
        p.wait()
    assert f"build (pid {p.pid}) is using this directory; nothing was changed" in msg, msg
    assert not (data / "imported").exists()


def test_import_waits_for_a_build_then_runs(data, capsys, monkeypatch):
    monkeypatch.setenv("LIBYAREPORT_LOCK_TIMEOUT", "30")
    p = _holder(data, 1.5)
    t0 = time.monotonic()
    code = cli.main(["import", "acled", str(FIXTURES / "acled_current.csv"), "--data", str(data)])
    err = capsys.readouterr().err
    p.wait()
    assert code == 0 and time.monotonic() - t0 >= 0.5
    assert f"import: waiting for build (pid {p.pid}) to finish with" in err, err
    assert (data / "imported" / "acled" / "meta.json").is_file()
