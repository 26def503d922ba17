"""Publishing the PDF into the HTML book, and reading XeLaTeX's log (no TeX needed)."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import build_pdf  # noqa: E402
import pdf_book  # noqa: E402


def test_publish_copies_the_pdf_and_names_it(tmp_path):
    pdf = tmp_path / "book.pdf"
    pdf.write_bytes(b"%PDF-1.5 a book")
    html = tmp_path / "html"
    pdf_book.publish(html, pdf)
    assert (html / "saebook.pdf").read_bytes() == pdf.read_bytes()
    script = (html / "_static" / "saebook-pdf.js").read_text()
    assert 'window.SAEBOOK_PDF = "saebook.pdf";' in script


def test_publish_without_a_pdf_removes_an_old_one(tmp_path):
    html = tmp_path / "html"
    html.mkdir()
    (html / "saebook.pdf").write_bytes(b"%PDF old")
    pdf_book.publish(html, None)
    assert not (html / "saebook.pdf").exists()
    assert (
        "window.SAEBOOK_PDF = null;"
        in (html / "_static" / "saebook-pdf.js").read_text()
    )


def test_a_pdf_older_than_a_source_page_is_not_current(tmp_path):
    (tmp_path / "chapters").mkdir()
    page = tmp_path / "chapters" / "01.ipynb"
    page.write_text("{}")
    pdf = tmp_path / "book.pdf"
    assert not pdf_book.is_current(pdf, tmp_path)  # none
    pdf.write_bytes(b"%PDF")
    os.utime(page, (1_000, 1_000))
    os.utime(pdf, (2_000, 2_000))
    assert pdf_book.is_current(pdf, tmp_path)
    os.utime(page, (3_000, 3_000))  # the page was edited after the build
    assert not pdf_book.is_current(pdf, tmp_path)


def test_latex_problems_finds_missing_glyphs_and_undefined_references():
    log = "\n".join(
        [
            "Missing character: There is no ⟂ (U+27C2) in font FreeSerif:mode=node;!",
            "LaTeX Warning: Reference `chapters/02:ex-a' on page 27 undefined on input",
            "LaTeX Warning: Citation `ng2011' on page 3 undefined on input line 5.",
            # as TeX writes a long one: broken after 79 characters
            "LaTeX Warning: Reference `equation:chapters/02_backpropagation:eq-grad-"
            "batch' o",
            "n page 27 undefined on input line 2156.",
            "LaTeX Warning: There were undefined references.",
            "Overfull \\hbox (2.3pt too wide) in paragraph at lines 1--2",
        ]
    )
    problems = build_pdf.latex_problems(log)
    assert len(problems) == 4
    assert build_pdf.latex_problems("Output written on book.pdf (319 pages).") == []


def test_the_readme_names_the_packages_that_ci_installs():
    """One list (tools/texlive-packages.txt) for .ci/run, make pdf and the README."""
    packages = build_pdf.apt_packages()
    assert "texlive-xetex" in packages and "latexmk" in packages
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    command = readme[readme.index("sudo apt-get install latexmk") :].split("```")[0]
    assert command.replace("\\", " ").split()[3:] == packages
    assert "tools/texlive-packages.txt" in (ROOT / ".ci" / "run").read_text()
