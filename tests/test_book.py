"""The book as a whole: the table of contents, nbval's notebooks, the strict build."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def toc_files():
    """Every file the table of contents lists, as paths relative to the root."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    files = [toc["root"]]
    for part in toc.get("parts", []):
        files += [chapter["file"] for chapter in part["chapters"]]
    return files


def test_every_notebook_is_in_the_table_of_contents():
    listed = {f + ".ipynb" for f in toc_files() if (ROOT / (f + ".ipynb")).exists()}
    on_disk = {p.relative_to(ROOT).as_posix() for p in ROOT.glob("chapters/*.ipynb")}
    assert on_disk == listed, f"not in _toc.yml: {on_disk - listed}"


def test_every_toc_entry_exists():
    for f in toc_files():
        assert any((ROOT / (f + ext)).exists() for ext in (".md", ".ipynb")), f


def test_nbval_runs_exactly_the_notebooks_of_the_toc():
    """`make test` passes `chapters` to pytest --nbval-lax; see what that collects."""
    out = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "--nbval-lax"]
        + ["-p", "no:cacheprovider", "chapters"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    collected = {line.split("::")[0] for line in out.splitlines() if "::" in line}
    listed = {f + ".ipynb" for f in toc_files() if f.startswith("chapters/")}
    assert collected == listed


@pytest.mark.book
def test_strict_book_build():
    """`jupyter-book build` with warnings as errors; every notebook must run."""
    html = ROOT / "_build" / "html"
    if html.exists():
        shutil.rmtree(html)  # a fresh build: no page may come from an older one
    env = dict(os.environ, PYDEVD_DISABLE_FILE_VALIDATION="1")
    result = subprocess.run(
        [str(BIN / "jupyter-book"), "build", ".", "--all", "-W", "-n", "--keep-going"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
    )
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-6000:]
    for f in toc_files():
        assert (html / (f + ".html")).exists(), f"{f}.html was not built"
