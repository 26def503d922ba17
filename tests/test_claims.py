"""Every number the prose states as a measurement comes from code (issue 15, item 7).

A chapter's prose may quote a result only through a ``{glue:text}`` role, so that the
number on the page is the number the page computed. This test reads the markdown of
every chapter, removes mathematics, code, roles and link targets, and looks for the
literal numbers that read as results: a decimal ("0.54"), or a number with a unit or a
ratio ("12 %", "3.2×", "40 s", "5 MB", "3 times"). Each one must be in the short,
reviewed allow-list below, with the reason it is not a measurement of this book.
Integers without a unit (sizes, counts, years), section numbers and anything inside
``$...$`` are not checked: the notes' hyperparameters and equation constants are
written as mathematics.
"""

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))

# What is not prose, after code and math blocks are dropped (``without_blocks``):
# display and inline math, code spans, MyST roles (the glued numbers among them), link
# targets, HTML tags, directive options and labels.
NOT_PROSE = re.compile(
    r"\$\$.*?\$\$|\$[^$]+\$|\{[a-z:-]+\}`[^`]*`|`[^`\n]*`"
    r"|\]\([^)]*\)|<[^>\n]+>|^:[a-z-]+:[^\n]*$|^\([^)\n]*\)=$",
    re.S | re.M,
)
FENCE = re.compile(r"^(`{3,})\s*(\{(?P<directive>[\w-]+)\})?(?P<language>[\w-]*)")
CODE_DIRECTIVES = {"math", "code", "code-block", "code-cell"}


def without_blocks(text):
    """``text`` without fenced code and math blocks; other directives keep their text.

    A fence opens a directive (``````{exercise}``) whose text is prose, or a block of
    code or math, which is dropped up to the fence of the same length that closes it.
    """
    kept, skipping, open_directives = [], None, []
    for line in text.split("\n"):
        match = FENCE.match(line.strip())
        if skipping:
            if line.strip() == skipping:
                skipping = None
            continue
        if match is None:
            kept.append(line)
            continue
        fence = match[1]
        if match["directive"] and match["directive"] not in CODE_DIRECTIVES:
            open_directives.append(fence)
        elif (
            match["directive"] is None
            and not match["language"]
            and (open_directives and open_directives[-1] == fence)
        ):
            open_directives.pop()
        else:
            skipping = fence
    return "\n".join(kept)


UNIT = (
    r"%|×|times\b|x\b|ms\b|µs\b|seconds?\b|minutes?\b|hours?\b|[kMG]B\b|px\b|GFLOP/s\b"
)
# A number not glued to a word or a section sign; "s" counts as seconds only after a
# space ("40 s"), since "4s" is the plural of a digit.
NUMBER = re.compile(
    r"(?<![\w.§/\\-])(?P<number>\d+(?:[  ]\d{3})*(?P<fraction>\.\d+)?)"
    rf"(?P<unit>\s?(?:{UNIT})|\ss\b)?"
)

# Literal numbers the prose may state, per chapter, and why each is not a result of
# the book's own code. Review each addition: a measured number belongs in a glue.
TUTORIAL = "the UFLDL tutorial's reported accuracy, quoted and cited, not ours"
EDGE_TEST = "a parameter: chapter 7's edge test uses the 95th percentile of baselines"
ALLOWED = {
    "05_sparsity": {"5 %": "an example target, rho = 0.05, read as a percentage"},
    "06_natural_images": {"2.0": "the version of a licence (CC-BY 2.0)"},
    "07_training_visualization": {"95 %": EDGE_TEST},
    "09_mnist": {
        "1.2 MB": "arithmetic: 196 x 784 doubles of 8 bytes",
        "7 MB": "arithmetic: the loop's six arrays of that size",
        "1 MB": "a parameter: the target size of a block",
        "3.3 times": "arithmetic: 5 000 digits against 1 500",
        "1.6 times": "arithmetic: 400 iterations against 250",
    },
    "10_pca_whitening": {
        "99 %": "a parameter: the tutorial's share of variance to keep",
        "90 %": "a parameter: a second share of variance, for comparison",
        "1 %": "a parameter: the complement of 99 %, and the added noise's size",
        "30 %": "a parameter: where the figure clips its colours",
        "0.01": "a parameter: the frequency band over which the spread is measured",
        "0.1": "a parameter: the frequency band over which the spread is measured",
    },
    "11_softmax_regression": {"92.6 %": TUTORIAL},
    "12_self_taught_learning": {"98 %": TUTORIAL, "96 %": TUTORIAL},
    "13_stacked_autoencoders": {
        "87.7 %": TUTORIAL,
        "97.6 %": TUTORIAL,
        "92.6 %": TUTORIAL,
        "0.1": "arithmetic: one digit in 1 000 is 0.1 percentage point",
    },
    "14_linear_decoders": {
        "90 %": "a parameter: the central share of values whose band is glued",
        "20 %": "y(1 - y) > 0.2 on the glued band, asserted in the cell that glues it",
        "80 %": "a parameter: the threshold of the colour classes",
    },
    "15_modern_saes": {"95 %": EDGE_TEST},
    "16_superposition": {
        "90 %": "an illustration of what a mean of cosines can hide",
        "10 %": "an illustration of what a mean of cosines can hide",
        "99.9 %": "a parameter: the quantile the code reports",
        "0.9": "a parameter: the cosine above which an atom matches a feature",
        "100 times": "arithmetic: firing probability 0.005 times 20 000 examples",
    },
    "17_four_methods": {"0.1": "a parameter: chapter 7's dead-unit threshold"},
    "19_superposition_learned": {
        "1.1": "a parameter: the low end of the swept importances",
        "1.5": "the threshold that the exercise's solution asserts",
    },
    "21_language_model": {
        "3.11": "a Python version: tokenize's treatment of f-strings depends on it",
        "3.12": "a Python version: tokenize's treatment of f-strings depends on it",
    },
    "B1_performance": {"5 MB": "arithmetic: 64 x 10 000 doubles of 8 bytes"},
}


def prose(notebook):
    """The markdown of a notebook, cell by cell, with everything but prose removed."""
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            text = without_blocks("".join(cell["source"]))
            yield cell.get("id"), NOT_PROSE.sub(" ", text)


def literal_results(text):
    """The literal numbers in ``text`` that read as results, as written."""
    found = []
    for match in NUMBER.finditer(text):
        if match["fraction"] or match["unit"]:
            found.append(re.sub(r"\s+", " ", match.group(0).strip()))
    return found


@pytest.mark.parametrize("notebook", CHAPTERS, ids=lambda p: p.stem)
def test_the_prose_quotes_measurements_only_through_glue(notebook):
    allowed = ALLOWED.get(notebook.stem, {})
    unlisted = [
        f"cell {cell_id}: {number!r}"
        for cell_id, text in prose(notebook)
        for number in literal_results(text)
        if number not in allowed
    ]
    assert not unlisted, (
        "numbers typed into the prose; glue them from the code that computes them, "
        "write parameters as math, or add them to ALLOWED with a reason:\n"
        + "\n".join(unlisted)
    )


@pytest.mark.parametrize(
    "text, expected",
    [
        ("a speed-up of 3.2× and 12 % faster", ["3.2×", "12 %"]),
        ("it took 40 s, or 2 minutes, on 5 MB", ["40 s", "2 minutes", "5 MB"]),
        ("the error is 0.54 and 1 000 times larger", ["0.54", "1 000 times"]),
        ("the 4s and 9s of §2.3, 400 units, in 2011", []),
    ],
)
def test_the_scanner_finds_what_reads_as_a_result(text, expected):
    assert literal_results(text) == expected


def test_the_scanner_ignores_math_code_and_glue(tmp_path):
    cell = (
        "Cost $J = 0.5\\,\\|x\\|^2$ and `rho = 0.01`, measured "
        "{glue:text}`ch5_ratio:.1f` times; see [a link](https://example.org/0.3).\n"
        "$$\nx = 2.5\n$$ (eq-x)\n```{math}\ny = 0.7\n```\nbut 0.8 here.\n"
        "````{exercise} A title\nand 0.6 in an exercise.\n````"
    )
    notebook = tmp_path / "nb.ipynb"
    notebook.write_text(
        json.dumps({"cells": [{"cell_type": "markdown", "id": "a", "source": cell}]}),
        encoding="utf-8",
    )
    (_, text), *_ = prose(notebook)
    assert literal_results(text) == ["0.8", "0.6"]
