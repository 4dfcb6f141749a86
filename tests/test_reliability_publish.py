"""Issue 12, build and publish: one writer at a time, pages verified before publishing, no stale
briefing linked, and every fault one line with the published book byte-identical to before.

Each test works on a copy of the session's default book (shipped data, default window)."""
from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from helpers_browser import TEST_CHROMIUMS, chromiums_of_this_process

from libyareport import cli

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
HAS_CHROMIUM = Path("/usr/bin/chromium").is_file()


def tree(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
            for p in sorted(root.rglob("*"))}


def env() -> dict:
    return {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}


@pytest.fixture
def book(default_book, tmp_path) -> Path:
    """A copy of the session's default book (shipped data, default window) that the test may break."""
    dest = tmp_path / "build"
    shutil.copytree(default_book, dest, symlinks=True)
    return dest


def cli_lines(capsys, *args: str) -> tuple[int, list[str], str]:
    code = cli.main(list(args))
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err
    return code, out.err.strip().splitlines(), out.out


# -- build directory faults -----------------------------------------------------------------------------
def test_build_dir_pointing_at_a_file(tmp_path, capsys):
    f = tmp_path / "afile"
    f.write_text("x")
    code, err, _ = cli_lines(capsys, "build", "--build-dir", str(f), "--no-pdf")
    assert code == 1 and len(err) == 1 and "afile [--build-dir]: is a file, not a directory" in err[0], err
    assert f.read_text() == "x"


def _ro_mount(path: Path) -> bool:
    if os.geteuid() != 0:
        path.chmod(0o555)
        return True
    ok = subprocess.run(["mount", "--bind", str(path), str(path)], capture_output=True, check=False).returncode == 0
    return ok and subprocess.run(["mount", "-o", "remount,bind,ro", str(path)], capture_output=True,
                                 check=False).returncode == 0


def _unmount(path: Path) -> None:
    subprocess.run(["umount", str(path)], capture_output=True, check=False)
    path.chmod(0o755)


def test_build_dir_not_writable(tmp_path, capsys):
    build = tmp_path / "_build"
    build.mkdir()
    if not _ro_mount(build):
        pytest.skip("cannot make a read-only directory here")
    try:
        code, err, _ = cli_lines(capsys, "build", "--build-dir", str(build), "--no-pdf")
    finally:
        _unmount(build)
    assert code == 1 and len(err) == 1 and "the build directory is not writable" in err[0], err
    assert list(build.iterdir()) == []


def test_dictionary_on_a_missing_data_dir(tmp_path, capsys):
    code, err, _ = cli_lines(capsys, "dictionary", "--data", str(tmp_path / "nowhere"))
    assert code == 1 and len(err) == 1 and "nowhere: data directory does not exist" in err[0], err
    assert not (tmp_path / "nowhere").exists()


def test_dictionary_on_a_read_only_data_dir(evidence_dir, capsys):
    before = tree(evidence_dir)
    if not _ro_mount(evidence_dir):
        pytest.skip("cannot make a read-only directory here")
    try:
        code, err, _ = cli_lines(capsys, "dictionary", "--data", str(evidence_dir))
    finally:
        _unmount(evidence_dir)
    assert code == 1 and len(err) == 1 and "cannot write the data dictionary" in err[0], err
    assert tree(evidence_dir) == before


# -- publishing -----------------------------------------------------------------------------------------
def test_disk_full_while_publishing_leaves_the_book_and_no_html_new(book, capsys, monkeypatch):
    from libyareport.publish import book as bookmod
    before = tree(book / "html")
    (book / "html.key").unlink()  # the book must be published again (its chapters are reused)
    real = shutil.copytree

    def full(src, dst, *a, **kw):  # copies a little, then the disk is full
        Path(dst).mkdir(parents=True)
        (Path(dst) / "index.html").write_bytes(b"<html>partial")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(Path(dst) / "chapters"))

    monkeypatch.setattr(bookmod.shutil, "copytree", full)
    code, err, _ = cli_lines(capsys, "build", "--build-dir", str(book), "--no-pdf")
    monkeypatch.setattr(bookmod.shutil, "copytree", real)
    assert code == 1 and len(err) == 1, err
    assert "could not publish the book: No space left on device" in err[0] and "previous book is unchanged" in err[0]
    assert tree(book / "html") == before
    assert not (book / "html.new").exists()


def test_a_page_executed_for_other_data_is_never_published(book, capsys):
    before = tree(book / "html")
    nb = book / "executed" / "chapters" / "03_humanitarian_toll.ipynb"
    doc = json.loads(nb.read_text(encoding="utf-8"))
    doc["metadata"]["libyareport"]["key"] = "from-another-run"
    nb.write_text(json.dumps(doc), encoding="utf-8")
    code, err, _ = cli_lines(capsys, "build", "--build-dir", str(book), "--no-pdf")
    assert code == 1 and len(err) == 1 and "pages disagree on data or parameters: 03_humanitarian_toll" in err[0], err
    assert tree(book / "html") == before


def test_leftovers_of_a_killed_build_are_removed_by_the_next(book, capsys):
    (book / "html.new").mkdir()
    (book / "html.new" / "index.html").write_text("partial")
    running = book / "executed" / "intro.running.ipynb"
    running.write_text("{}")
    before = tree(book / "html")
    code, _, out = cli_lines(capsys, "build", "--build-dir", str(book), "--no-pdf")
    assert code == 0 and "book: unchanged" in out
    assert not (book / "html.new").exists() and not running.exists()
    assert tree(book / "html") == before


HOLD = textwrap.dedent("""
    import sys, time
    from libyareport.lock import writer_lock
    with writer_lock(sys.argv[1], "build"):
        print("held", flush=True)
        time.sleep(60)
""")


def test_a_second_build_is_refused_while_one_runs(book, capsys, monkeypatch):
    monkeypatch.setenv("LIBYAREPORT_LOCK_TIMEOUT", "0")
    before = tree(book)
    p = subprocess.Popen([sys.executable, "-c", HOLD, str(book)], stdout=subprocess.PIPE, text=True, env=env())
    try:
        assert p.stdout.readline().strip() == "held"
        code, err, _ = cli_lines(capsys, "build", "--build-dir", str(book), "-p", "start_date=2019-07-01", "--no-pdf")
    finally:
        p.kill()
        p.wait()
    assert code == 1 and len(err) == 1, err
    assert f"build (pid {p.pid}) is using this directory; nothing was changed" in err[0], err
    assert tree(book) == before


def test_two_builds_with_different_windows_end_with_one_consistent_book(book):
    """Started together: one is refused (or waits); the book's pages all agree on one window."""
    procs = []
    for start, end in (("2020-05-01", "2020-05-31"), ("2020-06-01", "2020-06-30")):  # one month each: quick to execute
        procs.append((start, subprocess.Popen(
            [sys.executable, "-m", "libyareport", "build", "--build-dir", str(book), "-p", f"start_date={start}",
             "-p", f"end_date={end}", "--no-pdf", "--jobs", "1"],  # one kernel each: the other core runs other tests
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**env(), "LIBYAREPORT_LOCK_TIMEOUT": "0"},
            cwd=ROOT)))
    results = [(start, p.wait(timeout=900), p.stdout.read(), p.stderr.read()) for start, p in procs]
    ok = [r for r in results if r[1] == 0]
    refused = [r for r in results if r[1] != 0]
    assert len(ok) >= 1, results
    for _, code, _, err in refused:
        lines = err.strip().splitlines()
        assert len(lines) == 1 and "is using this directory" in lines[0], err
    published = {json.loads(p.read_text(encoding="utf-8"))["metadata"]["papermill"]["parameters"]["start_date"]
                 for p in (book / "executed").rglob("*.ipynb")}
    assert published == {ok[-1][0]} if len(ok) == 1 else len(published) == 1, published
    assert all(r[2].count("done in") == 1 for r in ok)


# -- the chapter cache key ------------------------------------------------------------------------------
def test_hand_edited_import_metadata_re_executes_the_event_chapters(tmp_path):
    from libyareport.imports.run import import_export
    from libyareport.params import parse_params
    from libyareport.publish.book import CHAPTERS, plan
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    import_export("acled", ROOT / "tests" / "fixtures" / "imports" / "acled_current.csv", data, progress=False)
    params = parse_params(None, None, str(data))
    _, _, before = plan(params, data)
    meta = data / "imported" / "acled" / "meta.json"
    m = json.loads(meta.read_text(encoding="utf-8"))
    m["attribution"] = "ACLED (hand-corrected attribution)"
    meta.write_text(json.dumps(m, indent=2), encoding="utf-8")
    _, _, after = plan(params, data)
    changed = {c for c in before if before[c] != after[c]}
    assert changed == {"intro", "01_chronology", "02_actors_and_backers", "03_humanitarian_toll"}
    assert changed == {c.name for c in CHAPTERS if c.reads_events}


# -- chart labels ---------------------------------------------------------------------------------------
def test_actor_names_with_markup_are_escaped_in_the_heatmap_axes(evidence_dir):
    import csv

    from libyareport.evidence.model import load
    from libyareport.render import charts
    path = evidence_dir / "actors.csv"
    rows = list(csv.reader(path.open(encoding="utf-8", newline="")))
    evil = '<a href="https://evil.example/">France</a>'
    for r in rows[1:]:
        if r[0] == "france":
            r[1] = evil
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    ev = load(evidence_dir)
    labels = []
    for fig in (charts.backer_matrix(ev), charts.response_matrix(ev), charts.responses_timeline(ev)):
        for tr in fig.data:
            labels += [str(v) for v in list(tr.x if tr.x is not None else []) + list(tr.y if tr.y is not None else [])]
            labels.append(str(tr.name or ""))
    assert not [v for v in labels if "<a " in v], "raw markup reached a chart label"
    assert any("&lt;a href=\"https://evil.example/\"&gt;France&lt;/a&gt;" in v for v in labels), "the name is not shown"


# -- the briefing ---------------------------------------------------------------------------------------
def _intro(book: Path) -> str:
    return (book / "html" / "intro.html").read_text(encoding="utf-8")


@pytest.fixture
def unbriefed(book, capsys) -> Path:
    """The copy with its briefing removed and rebuilt with --no-pdf (chapters reused): a book
    whose edition has no briefing."""
    for name in ("briefing.pdf", "briefing.key"):
        (book / "pdf" / name).unlink(missing_ok=True)
    code, err, _ = cli_lines(capsys, "build", "--build-dir", str(book), "--no-pdf")
    assert code == 0, err
    return book


def test_a_book_without_its_briefing_says_so(unbriefed):
    book = unbriefed
    assert "PDF briefing — none for this edition (not printed for this edition (built with --no-pdf))" in _intro(book)
    assert '<a href="_static/briefing.pdf">' not in _intro(book)
    assert not (book / "html" / "_static" / "briefing.pdf").exists()


@pytest.mark.skipif(not HAS_CHROMIUM, reason="needs Chromium to print")
def test_a_briefing_for_other_parameters_goes_next_to_the_book(unbriefed, capsys, monkeypatch, tmp_path):
    book = unbriefed
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = Path(os.environ.get("TMPDIR", "/tmp")) / f"briefing-{dead.pid}-leftover"
    stale.mkdir(exist_ok=True)
    (stale / "plotly.min.js").write_text("x")
    html_before = tree(book / "html")
    code, err, out = cli_lines(capsys, "pdf", "--build-dir", str(book), "-p", "start_date=2030-01-01",
                               "-p", "end_date=2030-12-31")
    assert code == 0, err
    printing = chromiums_of_this_process() - TEST_CHROMIUMS
    assert len(printing) == 1, f"one Chromium prints for this process, found {printing}"
    side = book / "pdf"
    printed = [p.name for p in side.glob("briefing-2030-01-01_2030-12-31-*.pdf")]
    assert len(printed) == 1 and "its linked briefing is unchanged" in out, out
    assert not (side / "briefing.pdf").exists()
    assert tree(book / "html") == html_before, "the book's landing page or linked briefing changed"
    assert not stale.exists(), "a killed pdf's temporary directory was left"
    # a build whose briefing cannot be printed never links the 2030 one
    monkeypatch.setenv("LIBYAREPORT_CHROMIUM", "/nonexistent")
    code, err, out = cli_lines(capsys, "build", "--build-dir", str(book))  # chapters reused; only the briefing is tried
    assert code == 0 and "briefing: not printed (Chromium is not installed" in out, out
    assert not (book / "html" / "_static" / "briefing.pdf").exists()
    assert "PDF briefing — none for this edition (Chromium is not installed" in _intro(book)
    # printing for the book's own parameters links it
    monkeypatch.delenv("LIBYAREPORT_CHROMIUM")
    code, err, out = cli_lines(capsys, "pdf", "--build-dir", str(book))
    assert code == 0 and "linked from the book's landing page" in out, out
    assert chromiums_of_this_process() - TEST_CHROMIUMS == printing, "the second print started a Chromium of its own"
    linked = book / "html" / "_static" / "briefing.pdf"
    assert linked.read_bytes() == (side / "briefing.pdf").read_bytes()
    assert '<a href="_static/briefing.pdf">PDF briefing</a>' in _intro(book) and "none for this edition" not in _intro(book)
