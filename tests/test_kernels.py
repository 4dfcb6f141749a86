"""Chapters run in warm kernels that are reused (publish/kernels.py): a chapter must still see a
clean namespace, a kernel that dies is replaced, and a failure is handed back, not raised."""
from __future__ import annotations

import nbformat
import papermill as pm

from libyareport.publish.kernels import KernelPool


def _notebook(tmp_path, name: str, *cells: str):
    path = tmp_path / f"{name}.ipynb"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


def _run(tmp_path):
    def work(path, km):
        out = path.with_suffix(".out.ipynb")
        pm.execute_notebook(str(path), str(out), kernel_name="python3", progress_bar=False, km=km)
        nb = nbformat.read(out, as_version=4)
        return "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []) if o.get("name") == "stdout")
    return work


def test_one_kernel_runs_every_chapter_each_in_a_clean_namespace(tmp_path):
    first = _notebook(tmp_path, "first", "import os\nsecret = 42\nprint('pid', os.getpid())")
    second = _notebook(tmp_path, "second", "import os\nprint('pid', os.getpid())\n"
                                           "print('sees secret' if 'secret' in globals() else 'clean')")
    pool = KernelPool(1, tmp_path / "kernels.log")
    results = {p.stem: (out, err) for p, out, err in pool.run([first, second], _run(tmp_path))}
    pool.shutdown()
    assert results["first"][1] is None and results["second"][1] is None, results
    pid_first = results["first"][0].split()[1]
    out_second = results["second"][0]
    assert f"pid {pid_first}" in out_second, "the second chapter did not reuse the warm kernel"
    assert "clean" in out_second and "sees secret" not in out_second, "a chapter saw the previous chapter's names"


def test_a_kernel_that_dies_is_replaced_and_the_failure_handed_back(tmp_path):
    """A kernel that died is replaced; so is one in which a chapter failed (its modules may be
    left half-way); each failure is handed back and the next chapter runs."""
    dies = _notebook(tmp_path, "dies", "import os\nos._exit(1)")
    fails = _notebook(tmp_path, "fails", "import os\nprint('pid', os.getpid())\nraise ValueError('half-way')")
    after = _notebook(tmp_path, "after", "import os\nprint('ran in', os.getpid())")
    pool = KernelPool(1, tmp_path / "kernels.log")
    results = {p.stem: (out, err) for p, out, err in pool.run([dies, fails, after], _run(tmp_path))}
    pool.shutdown()
    assert results["dies"][1] is not None, "a dead kernel was not reported"
    assert results["fails"][1] is not None and "half-way" in str(results["fails"][1]), results["fails"]
    assert results["after"][1] is None and "ran" in results["after"][0], "the next chapter did not get a new kernel"
    failed = nbformat.read(tmp_path / "fails.out.ipynb", as_version=4)  # papermill keeps what ran before the error
    failed_pid = "".join(o.get("text", "") for c in failed.cells for o in c.get("outputs", [])).split("pid ")[1].split()[0]
    assert results["after"][0].split("ran in ")[1].split()[0] != failed_pid, \
        "the chapter after a failure ran in the failed chapter's kernel"


def test_a_failed_build_kills_the_kernels_still_starting_and_prints_no_traceback(tmp_path):
    """A refused parameter is found while the kernels are still starting: one message, exit 1, no
    traceback from a worker, and no kernel process left behind."""
    import subprocess
    import sys
    import time
    from pathlib import Path
    root = Path(__file__).resolve().parent.parent

    def kernels() -> set[str]:
        """Kernel processes of this build: their environment names its build directory (other
        tests' builds run at the same time under pytest-xdist)."""
        out = subprocess.run(["ps", "-eo", "pid,args"], capture_output=True, text=True, check=True).stdout
        mine = set()
        for ln in out.splitlines():
            if "ipykernel_launcher" not in ln:
                continue
            pid = ln.split()[0]
            try:
                env = Path(f"/proc/{pid}/environ").read_bytes()
            except OSError:
                continue  # gone meanwhile
            if str(tmp_path).encode() in env:
                mine.add(pid)
        return mine
    before = kernels()
    proc = subprocess.run([sys.executable, "-m", "libyareport", "build", "-p", "datasets=nosuch", "--no-pdf",
                           "--build-dir", str(tmp_path / "b")], capture_output=True, text=True, cwd=root, check=False)
    assert proc.returncode == 1
    assert "nosuch" in proc.stderr and "Traceback" not in proc.stderr + proc.stdout, proc.stderr
    for _ in range(20):  # killed kernels take a moment to be reaped
        if not kernels() - before:
            break
        time.sleep(0.25)
    assert not kernels() - before, "the failed build left kernel processes running"


def test_the_next_build_reuses_the_warm_kernel_with_its_own_environment(tmp_path, monkeypatch):
    """A kernel left idle by one build serves the next build of the process, seeing that build's
    downloads directory and working directory, and none of its names."""
    show = _notebook(tmp_path, "show", "import os\nprint('pid', os.getpid())\n"
                                       "print('downloads', os.environ.get('LIBYAREPORT_DOWNLOADS'))\nprint('cwd', os.getcwd())\n"
                                       "print('sees leftover' if 'leftover' in globals() else 'clean')\nleftover = 1")
    outs = []
    for n in ("first", "second"):
        monkeypatch.setenv("LIBYAREPORT_DOWNLOADS", str(tmp_path / n))
        (tmp_path / n).mkdir()
        monkeypatch.chdir(tmp_path / n)
        pool = KernelPool(1, tmp_path / "kernels.log")
        ((_, out, err),) = list(pool.run([show], _run(tmp_path)))
        pool.shutdown()
        assert err is None, err
        outs.append({**dict(line.split(" ", 1) for line in out.strip().splitlines() if " " in line), "text": out})
    assert outs[0]["pid"] == outs[1]["pid"], "the second build started a new kernel"
    assert outs[1]["downloads"] == str(tmp_path / "second"), "the reused kernel kept the first build's downloads directory"
    assert outs[1]["cwd"] == str(tmp_path / "second")
    assert "clean" in outs[1]["text"] and "sees leftover" not in outs[1]["text"], "the second build saw the first's names"


def test_a_failed_build_leaves_a_warm_kernel_warm_for_the_next(tmp_path):
    """A build refused after its pool took a warm kernel (bad data, a chapter that failed) does not
    kill that kernel: the next build of the process runs in it, as after a clean build."""
    import time

    from libyareport.publish import kernels
    show = _notebook(tmp_path, "show", "import os\nprint('pid', os.getpid())")
    pids = []
    for kill in (False, True, False):
        idle = len(kernels._idle)  # the first build's kernel among them (other builds of this process leave theirs)
        pool = KernelPool(1, tmp_path / "kernels.log")
        if kill:  # refused before any chapter ran: the worker has taken an idle kernel and waits
            for _ in range(200):
                with pool._guard:
                    if len(kernels._idle) < idle and pool._waiting:
                        break
                time.sleep(0.05)
            pool.shutdown(kill=True)
            continue
        ((_, out, err),) = list(pool.run([show], _run(tmp_path)))
        pool.shutdown()
        assert err is None, err
        pids.append(out.split()[1])
    assert pids[0] == pids[1], "the failed build killed the warm kernel; the next build started a new one"


def test_code_running_in_a_kernel_that_is_killed_fails_at_once(tmp_path):
    """A failed build kills kernels that may be mid-way through warming up: the wait for their
    reply must end within seconds (it once waited its full ten-minute timeout)."""
    import threading
    import time

    from libyareport.publish.kernels import _run_code, _start, _stop
    marker = tmp_path / "sleeping"
    with (tmp_path / "kernels.log").open("ab") as log:
        km = _start(log)
    try:
        outcome = {}

        def run():
            try:
                _run_code(km, f"import time\nopen({str(marker)!r}, 'w').close()\ntime.sleep(60)")
                outcome["error"] = None
            except Exception as e:  # noqa: BLE001 - what the test looks at
                outcome["error"] = e
        t = threading.Thread(target=run)
        t.start()
        for _ in range(300):  # until the kernel is up and sleeping
            if marker.exists():
                break
            time.sleep(0.05)
        assert marker.exists(), "the kernel never ran the code"
        km.provisioner.process.kill()
        t0 = time.perf_counter()
        t.join(timeout=30)
        assert not t.is_alive(), "the wait for a killed kernel's reply did not end"
        assert time.perf_counter() - t0 < 10
        assert isinstance(outcome["error"], RuntimeError) and "died" in str(outcome["error"])
    finally:
        _stop(km)


def test_a_build_s_threads_importing_ipython_together_both_succeed():
    """A cold build's briefing thread imports the renderer (IPython.display) while a chapter
    worker starting its kernel imports IPython.paths: imported side by side, one of them failed
    ("cannot import name … from partially initialized module"), so both go through publish/lazy.py's
    `load`. A fresh interpreter, both imports released at the same instant."""
    import subprocess
    import sys
    code = """if True:
        import threading
        from libyareport.publish.lazy import load
        gate, errors = threading.Barrier(2), []
        def imp(name):
            gate.wait()
            try:
                load(name)
            except BaseException as e:
                errors.append(f"{name}: {type(e).__name__}: {e}")
        threads = [threading.Thread(target=imp, args=(n,)) for n in ("IPython.display", "IPython.paths")]
        for t in threads: t.start()
        for t in threads: t.join()
        print(errors or "both imported")
    """
    for _ in range(3):
        r = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True, timeout=120)
        assert r.returncode == 0 and r.stdout.strip() == "both imported", r.stdout + r.stderr
