"""Sphinx extension: the HTML book links the PDF of the whole book when there is one.

``make pdf`` (``tools/build_pdf.py``) builds ``_build/latex/book.pdf``. This module
publishes it next to the HTML pages as ``saebook.pdf`` and writes
``_static/saebook-pdf.js``, which every page loads: it names the PDF, or null when
there is none, and ``_assets/saebook.js`` adds the PDF to each page's download menu
only when it is named. So no page links a missing file, whichever of ``make book``
and ``make pdf`` runs first:

- the HTML build publishes the PDF if it exists and is newer than every source
  page (an older PDF would tell another story than the pages);
- ``make pdf`` publishes the PDF it has just built into an existing HTML build.
"""

import shutil
from pathlib import Path

PDF = "saebook.pdf"  # the published name, at the root of the HTML book
SCRIPT = "saebook-pdf.js"  # in _static; read by _assets/saebook.js
SOURCES = ("*.md", "chapters/*.ipynb", "references.bib", "_toc.yml", "_config.yml")


def latex_pdf(build_dir):
    """Where the LaTeX build leaves the PDF, for a build folder such as ``_build``."""
    return Path(build_dir) / "latex" / "book.pdf"


def is_current(pdf, srcdir):
    """True when ``pdf`` exists and no source page changed after it was built."""
    pdf, srcdir = Path(pdf), Path(srcdir)
    if not pdf.is_file():
        return False
    sources = [p for pattern in SOURCES for p in srcdir.glob(pattern)]
    return all(p.stat().st_mtime <= pdf.stat().st_mtime for p in sources)


def publish(html_dir, pdf=None):
    """Put ``pdf`` into the HTML book (or take an old one out); write the script.

    Parameters
    ----------
    html_dir : path
        The HTML build's output folder (``_build/html``).
    pdf : path or None
        The PDF to publish; None leaves the book without one.
    """
    html_dir = Path(html_dir)
    html_dir.mkdir(parents=True, exist_ok=True)
    target = html_dir / PDF
    if pdf is None:
        target.unlink(missing_ok=True)
        name = "null"
    else:
        shutil.copyfile(pdf, target)
        name = f'"{PDF}"'
    static = html_dir / "_static"
    static.mkdir(parents=True, exist_ok=True)
    (static / SCRIPT).write_text(
        f"// Written by tools/pdf_book.py: the book's PDF, or null.\n"
        f"window.SAEBOOK_PDF = {name};\n",
        encoding="utf-8",
    )


def build_finished(app, exception):
    if exception is None and app.builder.format == "html":
        pdf = latex_pdf(Path(app.outdir).parent)
        publish(app.outdir, pdf if is_current(pdf, app.srcdir) else None)


def setup(app):
    # Before _assets/saebook.js reads it (priority 500, the default).
    app.add_js_file(SCRIPT, priority=400)
    app.connect("build-finished", build_finished)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
