"""Run the notebooks that measure time on a busy machine.

A chapter that reads a clock must pass on a reader's busy laptop (the design guide:
"Timing never breaks the build"). So while nbval executes such a notebook, a bounded
CPU hog (``tests/busy.py``) keeps the cores busy: it starts before the notebook's
first cell and stops after its last one. nbval's ordinary run of these notebooks is
their busy-machine run; nothing is executed twice.

A notebook measures time when one of its code cells that is not exported to saelib
calls a clock (``TIMING`` below). Under pytest-xdist each worker hogs only its share
of the cores (cores / workers): two workers in timing notebooks at once add one
spinning process per core, not two.
Set ``SAEBOOK_NO_HOG=1`` to run them on a quiet machine.
"""

from __future__ import annotations

import json
import os
import re
import sys
from functools import cache
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from busy import CpuHog, available_cpus  # noqa: E402

TIMING = re.compile(r"\btime\.(process_time|perf_counter|monotonic|time)\b|\btimeit\b")
HOG_SECONDS = 600  # hard limit of one notebook's hog, should its teardown never come
_hogs: dict[Path, CpuHog] = {}


@cache
def measures_time(notebook: Path) -> bool:
    """True when a non-exported code cell of the notebook reads a clock."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return any(
        cell["cell_type"] == "code"
        and not "".join(cell["source"]).startswith("#| export")
        and TIMING.search("".join(cell["source"]))
        for cell in cells
    )


def hog_size() -> int:
    """Spinning processes for this pytest process: its share of the cores."""
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    return max(1, available_cpus() // max(1, workers))


def _notebook(item) -> Path | None:
    path = Path(str(getattr(item, "path", getattr(item, "fspath", ""))))
    return path if path.suffix == ".ipynb" else None


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """Before the first cell of a notebook that measures time: start the hog."""
    notebook = _notebook(item)
    if notebook is None or notebook in _hogs or os.environ.get("SAEBOOK_NO_HOG"):
        return
    if measures_time(notebook):
        _hogs[notebook] = CpuHog(hog_size(), seconds=HOG_SECONDS).start()


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item, nextitem):
    """After the last cell of that notebook (or the last test): stop it."""
    notebook = _notebook(item)
    if notebook in _hogs and (nextitem is None or _notebook(nextitem) != notebook):
        _hogs.pop(notebook).stop()


def pytest_sessionfinish(session, exitstatus):
    """Whatever happened (a failure, -x, Ctrl-C), no hog outlives the session."""
    while _hogs:
        _hogs.popitem()[1].stop()
