"""The busy machine: the CPU hog of tests/busy.py and the hook that uses it.

``chapters/conftest.py`` runs every notebook that reads a clock under ``CpuHog``, so
``make test`` executes the timing chapters on a busy machine. These tests prove that
the hog really keeps cores busy, that it cannot outlive its run, and that the hook
starts it before a timing notebook's first cell (and not for other notebooks).
"""

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import psutil
from busy import CpuHog, available_cpus

ROOT = Path(__file__).resolve().parent.parent


def cpu_seconds(pids):
    """User + system CPU seconds of the live processes among pids."""
    total = 0.0
    for pid in pids:
        try:
            times = psutil.Process(pid).cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


def gone(pid):
    """True when pid has exited (a zombie that nobody reaped has exited too)."""
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def wait_until(condition, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def test_the_hog_consumes_cpu_and_stop_reaps_it():
    hog = CpuHog(2, seconds=60).start()
    try:
        pids = hog.pids
        # Spinning, the two reach a CPU second within half a second on an idle
        # machine, and within 30 s even with each getting a few per cent of a core
        # on a crowded one; sleeping, they would use a few hundredths (start-up).
        spun = wait_until(lambda: cpu_seconds(pids) > 1.0, timeout=30)
        assert spun, f"the hog used {cpu_seconds(pids):.2f} CPU s in 30 s"
        assert hog.running()
    finally:
        hog.stop()
    assert not hog.running() and hog.pids == []
    assert all(gone(pid) for pid in pids)


def test_the_hog_stops_at_its_deadline():
    hog = CpuHog(1, seconds=0.5).start()
    try:
        process = hog.processes[0]
        assert wait_until(lambda: process.poll() is not None, timeout=15)
        assert process.returncode == 0
    finally:
        hog.stop()


def test_the_hog_stops_when_its_parent_dies():
    """Even a killed test run (no teardown, no atexit) leaves no hog behind."""
    parent = (
        "import os, sys\n"
        f"sys.path.insert(0, {str(ROOT / 'tests')!r})\n"
        "from busy import CpuHog\n"
        "print(*CpuHog(2, seconds=60).start().pids, flush=True)\n"
        "os._exit(0)  # like kill -9: no atexit, no stop()\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", parent], capture_output=True, text=True, check=True
    ).stdout
    pids = [int(p) for p in out.split()]
    assert len(pids) == 2
    assert wait_until(lambda: all(gone(pid) for pid in pids), timeout=15)


def test_a_bad_hog_is_refused():
    for args in [(0, 1.0), (1, 0.0), (1, 1.0, 0.0), (1, 1.0, 1.5)]:
        try:
            CpuHog(*args)
        except ValueError:
            continue
        raise AssertionError(f"CpuHog{args} was accepted")


def notebook(*sources):
    """A notebook whose code cells are the given sources."""
    cells = [
        {
            "cell_type": "code",
            "execution_count": None,
            "id": f"c{i}",
            "metadata": {},
            "outputs": [],
            "source": source,
        }
        for i, source in enumerate(sources)
    ]
    kernelspec = {"display_name": "Python 3", "language": "python", "name": "python3"}
    return {
        "cells": cells,
        "metadata": {"kernelspec": kernelspec},
        "nbformat": 4,
        "nbformat_minor": 5,
    }


# A cell that finds the hog among the siblings of the kernel (children of nbval's
# process), records their pids, and checks that they spin.
FIND_HOGS = """
import json, os, time
import psutil

def hogs():
    siblings = psutil.Process(os.getppid()).children()
    return [p for p in siblings if "busy.py" in " ".join(p.cmdline())]

found = hogs()
with open(HOGS_FILE, "a") as f:
    f.write(json.dumps([p.pid for p in found]) + "\\n")
"""
HOGS_SPIN = """
def used():
    return sum(sum(p.cpu_times()[:2]) for p in found)

before, deadline = used(), time.monotonic() + 30
while used() - before < 0.5 and time.monotonic() < deadline:
    time.sleep(0.05)
assert used() - before >= 0.5, "the hog does not spin"
"""


def test_a_timing_notebook_runs_on_a_busy_machine(tmp_path):
    """The hook starts the hog before a timing notebook's first cell, then stops it."""
    (tmp_path / "tests").mkdir()
    (tmp_path / "chapters").mkdir()
    shutil.copy(ROOT / "tests" / "busy.py", tmp_path / "tests")
    shutil.copy(ROOT / "tests" / "executed_notebooks.py", tmp_path / "tests")
    shutil.copy(ROOT / "chapters" / "conftest.py", tmp_path / "chapters")
    n = available_cpus()
    record = f"HOGS_FILE = {str(tmp_path / 'hogs.json')!r}\n"
    timing = notebook(
        record + FIND_HOGS + f"assert len(found) == {n}, found\n" + HOGS_SPIN,
        "start = time.process_time()\nassert len(hogs()) == " + str(n),
    )
    quiet = notebook(record + FIND_HOGS + "assert found == [], found\n")
    for name, nb in [("a_timing.ipynb", timing), ("b_quiet.ipynb", quiet)]:
        (tmp_path / "chapters" / name).write_text(json.dumps(nb))
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("PYTEST_") and k != "SAEBOOK_NO_HOG"
    }
    env["JUPYTER_PREFER_ENV_PATH"] = "1"
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval-lax", "-p", "no:cacheprovider"]
        + ["-q", "chapters"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "3 passed" in result.stdout, result.stdout[-3000:]
    recorded = [json.loads(line) for line in (tmp_path / "hogs.json").open()]
    assert len(recorded) == 2 and len(recorded[0]) == n and recorded[1] == []
    assert all(gone(pid) for pid in recorded[0])  # stopped with the notebook
