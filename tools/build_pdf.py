"""Build the PDF of the whole book: ``make pdf``.

Jupyter Book's LaTeX builder writes ``_build/latex/book.tex`` and XeLaTeX (through
latexmk) typesets it into ``_build/latex/book.pdf``. The notebooks are not run again
when ``make test`` has run them with today's saelib: the build reads nbval's
recordings through jupyter-cache, as the strict HTML build of ``make test`` does
(``tests/executed_notebooks.py``); a notebook without one is executed. The build is
strict, as the HTML one is: a Sphinx warning, an undefined LaTeX reference or a
character missing from the fonts fails it. Then the PDF is published into the HTML
book, if one is built (``tools/pdf_book.py``).

Needs TeX Live; README.md ("The PDF") names Debian's packages.
"""

import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import executed_notebooks  # noqa: E402
import pdf_book  # noqa: E402

BIN = Path(sys.executable).parent
LATEX = ROOT / "_build" / "latex"
# The Debian packages that hold every LaTeX file the build uses, one per line; .ci/run
# installs the same list.
APT_PACKAGES = ROOT / "tools" / "texlive-packages.txt"


def apt_packages():
    """The Debian packages of TeX Live that the PDF needs (README.md names them)."""
    return APT_PACKAGES.read_text(encoding="utf-8").split()


def latex_problems(log):
    """What in XeLaTeX's log makes the PDF wrong, one line per problem."""
    # TeX breaks the lines of its log after 79 characters: join them again.
    log = re.sub(r"(?m)^(.{79})\n", r"\1", log)
    problems = []
    for line in log.splitlines():
        if line.startswith("Missing character: There is no"):
            problems.append(line)  # a glyph no font has: the PDF shows nothing
        elif re.search(r"(eference|Citation) `[^']*' on page \d+ undefined", line):
            problems.append(line)  # printed as "??"
    return sorted(set(problems))


def main():
    missing = [tool for tool in ("xelatex", "latexmk") if shutil.which(tool) is None]
    if missing:
        sys.exit(
            f"error: {' and '.join(missing)} not found. The PDF needs TeX Live; on "
            f"Debian or Ubuntu:\n  sudo apt-get install {' '.join(apt_packages())}"
        )
    config, recorded = executed_notebooks.prepare_build_config()
    print(
        f"PDF: the outputs of {recorded} notebooks that make test ran are reused",
        flush=True,
    )
    shutil.rmtree(LATEX, ignore_errors=True)  # no page may come from an older build
    start = time.monotonic()
    command = [str(BIN / "jupyter-book"), "build", ".", "--builder", "pdflatex"]
    command += ["-W", "-n", "--keep-going", "--config", str(config)]
    # The output goes to the terminal as it comes: the build takes minutes.
    result = subprocess.run(command, cwd=ROOT)
    pdf = pdf_book.latex_pdf(ROOT / "_build")
    if result.returncode != 0 or not pdf.is_file():
        sys.exit(f"error: the PDF build failed (see above and {LATEX / 'book.log'})")
    problems = latex_problems((LATEX / "book.log").read_text(errors="replace"))
    if problems:
        sys.exit("error: the PDF is wrong:\n" + "\n".join(problems[:30]))
    html = ROOT / "_build" / "html"
    if html.is_dir():
        pdf_book.publish(html, pdf)
    minutes = (time.monotonic() - start) / 60
    print(f"\nThe PDF is built ({minutes:.1f} min): open {pdf}")


if __name__ == "__main__":
    main()
