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

nbval's run is also recorded (``tests/executed_notebooks.py``): each notebook whose
cells all pass is written, with its outputs, to ``_build/executed``, and the strict
book build of ``make test`` reuses it instead of executing the notebook again.
"""

from __future__ import annotations

import json
import os
import re
import sys
from functools import cache
from pathlib import Path

import pytest
from nbval.kernel import RunningKernel
from nbval.plugin import IPyNbCell, IPyNbFile

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from busy import CpuHog, available_cpus  # noqa: E402
from executed_notebooks import NotebookRecorder  # noqa: E402

TIMING = re.compile(r"\btime\.(process_time|perf_counter|monotonic|time)\b|\btimeit\b")
HOG_SECONDS = 600  # hard limit of one notebook's hog, should its teardown never come
_hogs: dict[Path, CpuHog] = {}
_recorders: dict[Path, NotebookRecorder] = {}


def _keep_messages(get_kernel_message):
    """Keep every iopub message nbval reads, for the recorder too."""

    def wrapper(self, *args, **kwargs):
        msg = get_kernel_message(self, *args, **kwargs)
        self.__dict__.setdefault("saebook_messages", []).append(msg)
        return msg

    return wrapper


def _execute_as_jupyter_does(self, cell_input, allow_stdin=None):
    """Run a cell as Jupyter and nbclient do, keeping the request's id.

    This is nbval's RunningKernel.execute_cell_input with the history kept: nbval
    sends store_history=False, under which IPython applies a cell's trailing ``;``
    to the wrong cell and prints the value it should hide. The id is the parent
    msg_id of the cell's messages.
    """
    self.saebook_msg_id = self.kc.execute(
        cell_input, store_history=True, allow_stdin=allow_stdin, stop_on_error=False
    )
    return self.saebook_msg_id


IPyNbFile.get_kernel_message = _keep_messages(IPyNbFile.get_kernel_message)
RunningKernel.execute_cell_input = _execute_as_jupyter_does


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


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    """Record the outputs of each cell nbval runs; a failed cell spoils its notebook."""
    if not isinstance(item, IPyNbCell):
        yield
        return
    item.parent.saebook_messages = []
    outcome = yield
    notebook = _notebook(item)
    if notebook not in _recorders:
        _recorders[notebook] = NotebookRecorder(item.parent.nb)
    recorder = _recorders[notebook]
    if outcome.excinfo is not None:
        recorder.failed = True
    else:
        recorder.record(
            item.cell, item.parent.saebook_messages, item.parent.kernel.saebook_msg_id
        )


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item, nextitem):
    """After the last cell of a notebook: stop its hog, write its recording.

    The recording is written only when every cell ran and passed.
    """
    notebook = _notebook(item)
    if notebook is None or (nextitem is not None and _notebook(nextitem) == notebook):
        return
    if notebook in _hogs:
        _hogs.pop(notebook).stop()
    recorder = _recorders.pop(notebook, None)
    if recorder is not None and recorder.complete():
        recorder.write(notebook)


def pytest_sessionfinish(session, exitstatus):
    """Whatever happened (a failure, -x, Ctrl-C), no hog outlives the session."""
    while _hogs:
        _hogs.popitem()[1].stop()
