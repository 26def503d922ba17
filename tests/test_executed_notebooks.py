"""nbval's recording of a notebook equals what the book build's executor makes of it.

``make test`` builds the book from nbval's run (tests/executed_notebooks.py). Here a
small notebook with every kind of output the chapters produce runs both ways, under
nbval with chapters/conftest.py and under nbclient, the build's executor, and the
two executed notebooks must agree.
"""

import os
import subprocess
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent

CELLS = [
    "import sys\nprint('to stdout')\nprint('to stderr', file=sys.stderr)",
    "1 + 1",
    "2 + 2;",  # a trailing semicolon hides the value
    "from IPython.display import display, Pretty, clear_output\n"
    "handle = display(Pretty('starting'), display_id=True)",
    "handle.update(Pretty('finished'))",  # updates the output of the cell above
    "print('gone')\nclear_output()\nprint('kept')",
    "from myst_nb import glue\nglue('answer', 42, display=False)",
    "import ipywidgets as widgets\nwidgets.IntSlider(value=3)",
    "import matplotlib\nmatplotlib.use('agg')\nimport matplotlib.pyplot as plt\n"
    "plt.plot([0, 1]);\nplt.show()",
]


def outputs(nb):
    """Each code cell's outputs, with the widget model ids (random) replaced."""
    ids = {}
    cells = []
    for cell in nb.cells:
        cell_outputs = []
        for out in cell.outputs:
            out = nbformat.from_dict(out)
            view = out.get("data", {}).get("application/vnd.jupyter.widget-view+json")
            if view:
                view["model_id"] = ids.setdefault(view["model_id"], f"model{len(ids)}")
            out.pop("execution_count", None)
            cell_outputs.append(out)
        cells.append(cell_outputs)
    return cells


def run_nbval(source: Path, recorded: Path) -> subprocess.CompletedProcess:
    """Run nbval on one notebook with the chapters' conftest, recording to a folder."""
    env = dict(
        os.environ,
        PYTHONPATH=str(ROOT / "chapters"),
        SAEBOOK_EXECUTED=str(recorded),
        SAEBOOK_NO_HOG="1",
    )
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "conftest", "--nbval-lax"]
        + ["-p", "no:cacheprovider", "-q", str(source)],
        cwd=source.parent,
        env=env,
        capture_output=True,
        text=True,
    )


def test_nbval_recording_matches_nbclient(tmp_path):
    nb = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell(c) for c in CELLS],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3"}},
    )
    source = tmp_path / "sample.ipynb"
    nbformat.write(nb, source)
    recorded = tmp_path / "recorded"
    run = run_nbval(source, recorded)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    from_nbval = nbformat.read(recorded / "sample.ipynb", as_version=4)

    executed = nbformat.read(source, as_version=4)
    NotebookClient(executed, resources={"metadata": {"path": str(tmp_path)}}).execute()

    assert outputs(from_nbval) == outputs(executed)
    # The cases the recorder must handle as nbclient does, checked by name too.
    texts = [str(o) for o in outputs(from_nbval)]
    assert "finished" in texts[3] and "starting" not in texts[3]
    assert "gone" not in texts[5] and "kept" in texts[5]
    assert outputs(from_nbval)[2] == []
    assert "scrapbook" in texts[6]
    state = from_nbval.metadata.widgets["application/vnd.jupyter.widget-state+json"]
    assert any(w["model_name"] == "IntSliderModel" for w in state["state"].values())


def test_a_failing_notebook_is_not_recorded(tmp_path):
    nb = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell("x = 1"), nbformat.v4.new_code_cell("1 / 0")],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3"}},
    )
    source = tmp_path / "broken.ipynb"
    nbformat.write(nb, source)
    recorded = tmp_path / "recorded"
    run = run_nbval(source, recorded)
    assert run.returncode == 1
    assert not (recorded / "broken.ipynb").exists()
