"""The PDF of the whole book, after ``make pdf`` (which runs these tests).

The build itself is ``tools/build_pdf.py``; these tests read what it made, as a
reader would: the PDF's text (with pypdf), XeLaTeX's log, and the HTML book's link.
"""

import re
import sys
from pathlib import Path

import browser
import pytest
from test_book import require_chromium, toc_files

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import build_pdf  # noqa: E402
import pdf_book  # noqa: E402

pytestmark = pytest.mark.pdf
PDF = pdf_book.latex_pdf(ROOT / "_build")
HTML = ROOT / "_build" / "html"


def page_title(path):
    """The first heading of a page of the book (a notebook or a Markdown file)."""
    import nbformat

    if path.suffix == ".ipynb":
        text = "\n".join(
            c.source for c in nbformat.read(path, 4).cells if c.cell_type == "markdown"
        )
    else:
        text = path.read_text(encoding="utf-8")
    return re.search(r"^# (.+)$", text, re.MULTILINE).group(1)


def plain(text):
    """Text without spaces or math markup, for matching what pypdf extracts."""
    text = re.sub(r"\$[^$]*\$", "", text)  # a title's math is typeset, not text
    return re.sub(r"\s+", "", text).replace("’", "'")


@pytest.fixture(scope="module")
def pages():
    """The PDF's text, page by page."""
    from pypdf import PdfReader

    if not PDF.is_file():
        pytest.fail(f"{PDF} does not exist: run `make pdf`")
    assert pdf_book.is_current(PDF, ROOT), "the PDF is older than the sources"
    return [page.extract_text() for page in PdfReader(PDF).pages]


def test_every_page_of_the_book_is_in_the_pdf(pages):
    text = plain("".join(pages))
    missing = []
    for name in toc_files():
        path = next(ROOT.glob(name + ".*"))
        if plain(page_title(path)) not in text:
            missing.append(f"{name}: {page_title(path)}")
    assert not missing, "chapters missing from the PDF:\n" + "\n".join(missing)
    assert len(pages) > 10 * len(toc_files())


def test_latex_log_has_no_missing_glyph_or_reference():
    log = (PDF.parent / "book.log").read_text(errors="replace")
    assert "Output written on book.pdf" in log
    assert build_pdf.latex_problems(log) == []


def test_no_widget_is_printed_as_its_repr(pages):
    """A widget prints as its picture or a sentence (chapter 8), never as code."""
    reprs = [
        match.group(0)
        for page in pages
        for match in re.finditer(r"\b[A-Z]\w*\((children|layout|value)=", page)
    ]
    assert not reprs, reprs[:5]
    sentence = "On paper, they are the figures of the sections above"
    assert plain(sentence) in plain("".join(pages))


def test_no_reference_prints_as_question_marks(pages):
    assert not [p[:200] for p in pages if "??" in p]


def test_the_html_book_links_the_pdf():
    """make pdf publishes the PDF into the HTML book; each page's menu links it."""
    if not HTML.is_dir():
        pytest.skip("no HTML book built: make book or make test first")
    published = HTML / pdf_book.PDF
    assert published.read_bytes() == PDF.read_bytes()
    chromium = require_chromium()
    pages = ["intro.html", "chapters/05_sparsity.html"]
    reports = browser.inspect_pages(chromium, HTML, pages, {})
    for page in pages:
        assert reports[page]["pdfLink"] == "/" + pdf_book.PDF, page
        assert not reports[page]["console"], reports[page]["console"]
