"""tools/course_archive.py: the downloadable course holds what a fresh machine needs."""

import json
import sys
import zipfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import course_archive  # noqa: E402


def test_the_archive_holds_every_chapter_saelib_and_the_two_commands(tmp_path):
    target = course_archive.write_archive(ROOT, tmp_path / "course.zip")
    with zipfile.ZipFile(target) as archive:
        names = set(archive.namelist())
    prefix = course_archive.FOLDER + "/"
    chapters = {
        f"{prefix}{p.relative_to(ROOT).as_posix()}"
        for p in ROOT.glob("chapters/*.ipynb")
    }
    modules = {
        f"{prefix}{p.relative_to(ROOT).as_posix()}" for p in ROOT.glob("saelib/*.py")
    }
    assert chapters and chapters <= names and modules <= names
    for needed in (
        "Makefile",
        "README.md",
        "requirements.txt",
        "pyproject.toml",
        "_config.yml",
        "_toc.yml",
        "tools/vendor_assets.py",
        "tools/export.py",
        "tools/build_pdf.py",
    ):
        assert prefix + needed in names, needed
    # Every file the book's configuration names: its extensions, the PDF's files.
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    sphinx = config["sphinx"]
    named = [
        f"{folder}{name}.py" for name, folder in sphinx["local_extensions"].items()
    ]
    named += sphinx["config"]["latex_additional_files"]
    assert named and all(prefix + n in names for n in named), named
    assert not any("/_build/" in n or "/.venv/" in n or "/.git/" in n for n in names)


def test_the_archive_is_the_same_on_every_build(tmp_path):
    first = course_archive.write_archive(ROOT, tmp_path / "a.zip").read_bytes()
    second = course_archive.write_archive(ROOT, tmp_path / "b.zip").read_bytes()
    assert first == second


def test_the_notebooks_in_the_archive_have_no_outputs(tmp_path):
    target = course_archive.write_archive(ROOT, tmp_path / "course.zip")
    with zipfile.ZipFile(target) as archive:
        for name in archive.namelist():
            if name.endswith(".ipynb"):
                cells = json.loads(archive.read(name))["cells"]
                assert all(not c.get("outputs") for c in cells), name
