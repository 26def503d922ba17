"""The literate export: saelib/ must be exactly what the notebooks generate."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import export  # noqa: E402


def test_saelib_is_in_sync_with_the_notebooks():
    problems = export.check(ROOT)
    assert not problems, (
        "saelib/ differs from what chapters/*.ipynb generate; edit the notebook, "
        "then run `make export`:\n" + "".join(problems)
    )


@pytest.mark.parametrize(
    "notebook", sorted((ROOT / "chapters").glob("*.ipynb")), ids=lambda p: p.name
)
def test_notebook_is_committed_without_outputs(notebook):
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    dirty = [
        cell.get("id", i)
        for i, cell in enumerate(cells)
        if cell["cell_type"] == "code"
        and (cell.get("outputs") or cell.get("execution_count") is not None)
    ]
    assert not dirty, f"{notebook.name}: cells {dirty} carry outputs or counts"


def test_every_generated_module_names_its_notebook():
    for path in export.generate(ROOT):
        text = path.read_text(encoding="utf-8")
        assert text.startswith(export.GENERATED_TAG + "chapters/")
        assert "make export" in text.splitlines()[1]


# The exporter's rules, on small synthetic notebooks.


def _notebook(tmp_path, name, cells):
    (tmp_path / "chapters").mkdir(exist_ok=True)
    (tmp_path / "saelib").mkdir(exist_ok=True)
    nb = {
        "cells": [
            {"cell_type": "markdown", "id": "title", "metadata": {}, "source": "# T"}
        ]
        + [
            {
                "cell_type": "code",
                "id": cid,
                "metadata": {},
                "outputs": [],
                "execution_count": None,
                "source": src,
            }
            for cid, src in cells
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path = tmp_path / "chapters" / name
    path.write_text(json.dumps(nb), encoding="utf-8")
    return path


def test_export_copies_marked_cells_in_order_with_provenance(tmp_path):
    _notebook(
        tmp_path,
        "01_a.ipynb",
        [
            ("one", "#| export mod\nX = 1"),
            ("skip", "Y = 2  # not exported"),
            ("two", "#| export mod\n\ndef f():\n    return X"),
        ],
    )
    (path, text) = next(iter(export.generate(tmp_path).items()))
    assert path == tmp_path / "saelib" / "mod.py"
    assert "Y = 2" not in text
    assert text.index('cell "one"') < text.index("X = 1") < text.index('cell "two"')
    assert '# chapters/01_a.ipynb, cell "two"\ndef f():' in text
    namespace = {}
    exec(compile(text, "mod.py", "exec"), namespace)
    assert namespace["f"]() == 1


def test_check_reports_a_hand_edit_with_a_diff(tmp_path):
    _notebook(tmp_path, "01_a.ipynb", [("one", "#| export mod\nX = 1")])
    for path, text in export.generate(tmp_path).items():
        path.write_text(text.replace("X = 1", "X = 2"), encoding="utf-8")
    problems = export.check(tmp_path)
    assert len(problems) == 1
    assert "-X = 2" in problems[0] and "+X = 1" in problems[0]


def test_check_reports_a_stale_generated_module(tmp_path):
    _notebook(tmp_path, "01_a.ipynb", [("one", "#| export mod\nX = 1")])
    (tmp_path / "saelib" / "old.py").write_text(
        export.GENERATED_TAG + "chapters/gone.ipynb\n", encoding="utf-8"
    )
    for path, text in export.generate(tmp_path).items():
        path.write_text(text, encoding="utf-8")
    problems = export.check(tmp_path)
    assert len(problems) == 1 and "old.py" in problems[0]


def test_two_notebooks_cannot_write_one_module(tmp_path):
    _notebook(tmp_path, "01_a.ipynb", [("one", "#| export mod\nX = 1")])
    _notebook(tmp_path, "02_b.ipynb", [("two", "#| export mod\nY = 1")])
    with pytest.raises(export.ExportError, match="one module comes from one notebook"):
        export.generate(tmp_path)


@pytest.mark.parametrize(
    "source, message",
    [
        ("#| exprt mod\nX = 1", "malformed marker"),
        ("#| export mod\n%timeit 1", "magics"),
        ("#| export mod\n", "empty"),
        ("#| export __init__\nX = 1", "hand-written"),
    ],
)
def test_bad_markers_are_rejected(tmp_path, source, message):
    _notebook(tmp_path, "01_a.ipynb", [("one", source)])
    with pytest.raises(export.ExportError, match=message):
        export.generate(tmp_path)


def test_all_lists_the_public_names_of_export_cells_only(tmp_path):
    _notebook(
        tmp_path,
        "01_a.ipynb",
        [
            ("imports", "#| export mod\nimport math\nfrom os import path"),
            ("helpers", "#| exporti mod\ndef check(x):\n    return x\n\nLIMIT = 3"),
            (
                "api",
                "#| export mod\nPI: float = math.pi\n_HIDDEN = 1\n\n\n"
                "def area(r):\n    return PI * check(r) ** 2\n\n\n"
                "class Circle:\n    pass\n\n\ndef _private():\n    pass",
            ),
        ],
    )
    (_, text) = next(iter(export.generate(tmp_path).items()))
    namespace = {}
    exec(compile(text, "mod.py", "exec"), namespace)
    # Imports, underscore names and the exporti cell's names stay out.
    assert namespace["__all__"] == ["PI", "area", "Circle"]
    assert namespace["check"](2) == 2 and namespace["LIMIT"] == 3  # still exported
    assert text.index("__all__") < text.index('cell "imports"')


def test_a_module_of_internal_cells_has_an_empty_all(tmp_path):
    _notebook(tmp_path, "01_a.ipynb", [("one", "#| exporti mod\ndef f():\n    pass")])
    (_, text) = next(iter(export.generate(tmp_path).items()))
    assert "\n__all__ = []\n" in text


def test_the_generated_all_is_what_ruff_format_leaves(tmp_path):
    ruff = Path(sys.executable).parent / "ruff"
    if not ruff.exists():
        pytest.skip("ruff is not installed next to this Python")
    _notebook(tmp_path, "01_a.ipynb", [("one", "#| export mod\nA = 1\nB = 2")])
    for path, text in export.generate(tmp_path).items():
        path.write_text(text, encoding="utf-8")
        result = subprocess.run(
            [str(ruff), "format", "--diff", "--isolated", str(path)],
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, result.stdout
