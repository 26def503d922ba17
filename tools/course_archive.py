"""Sphinx extension: the whole course as one download, next to every page's .ipynb.

A chapter's ``.ipynb`` alone cannot run: it imports ``saelib``, which the earlier
chapters build. When the HTML build finishes, this writes ``saebook-course.zip`` into
the output folder: the notebooks (without outputs, as committed), ``saelib``, the
book's sources, the tools and tests, ``requirements.txt``, ``pyproject.toml``, the
``Makefile`` and ``README.md``, everything ``make book`` and ``make test`` need on a
fresh machine. ``_assets/saebook.js`` adds the link to each page's download menu.
"""

import zipfile
from pathlib import Path

ARCHIVE = "saebook-course.zip"
FOLDER = "saebook-course"  # what the archive unpacks into
INCLUDE = (
    "README.md",
    "Makefile",
    "requirements.txt",
    "pyproject.toml",
    "_config.yml",
    "_toc.yml",
    "*.md",
    "references.bib",
    "chapters/*.ipynb",
    "chapters/*.py",
    "saelib/*.py",
    "tools/*.py",
    "tools/*.json",
    "tools/*.txt",
    "tests/*.py",
    "benchmarks/*.py",
    "benchmarks/README.md",
    "_assets/*.css",
    "_assets/*.js",
    "_assets/latex/*.sty",
    ".ci/run",
)
# A fixed timestamp: the same sources give the same archive on every build.
TIMESTAMP = (2026, 1, 1, 0, 0, 0)


def course_files(root):
    """The files of the course below ``root``, as sorted relative paths."""
    root = Path(root)
    found = {p for pattern in INCLUDE for p in root.glob(pattern) if p.is_file()}
    return sorted(p.relative_to(root).as_posix() for p in found)


def write_archive(root, target):
    """Write the course below ``root`` into the zip file ``target``; return it."""
    root, target = Path(root), Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in course_files(root):
            info = zipfile.ZipInfo(f"{FOLDER}/{name}", TIMESTAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            # Keep the executable bit of scripts such as .ci/run.
            info.external_attr = ((root / name).stat().st_mode & 0o777) << 16
            archive.writestr(info, (root / name).read_bytes())
    return target


def build_finished(app, exception):
    if exception is None and app.builder.format == "html":
        write_archive(app.srcdir, Path(app.outdir) / ARCHIVE)


def setup(app):
    app.connect("build-finished", build_finished)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
