"""Estimate each chapter's visible-code share from its notebook, without a build.

The browser test (``tests/test_book.py``) measures the real share on the built
pages; this is the quick estimate for editing: the rendered height of a chapter is
approximated from line counts, with the outputs of the last build
(``_build/jupyter_execute``) where it has them. Usage::

    python tools/code_share.py [chapters/05_sparsity.ipynb ...]

Prints, per notebook, the estimated share of visible code and its longest visible
code cell, in lines.
"""

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CODE_LINE = 21.0  # px per line of code in the built page
TEXT_LINE = 27.0  # px per line of prose (wrapped at about 90 characters)
CELL_GAP = 34.0  # padding around a code cell's input
FOLDED = 44.0  # a "Show code" toggle
IMAGE = 380.0  # a typical figure
OUTPUT_LINE = 19.0


def _lines(source):
    return "".join(source).rstrip("\n").split("\n")


def _outputs_height(cell):
    height = 0.0
    for out in cell.get("outputs", []):
        data = out.get("data", {})
        if "image/png" in data or "image/svg+xml" in data:
            height += IMAGE
        elif "text/html" in data:
            height += OUTPUT_LINE * min(40, len(_lines(data["text/html"])))
        elif "text/plain" in data:
            height += OUTPUT_LINE * len(_lines(data["text/plain"]))
        elif "text" in out:
            height += OUTPUT_LINE * len(_lines(out["text"]))
    return height


def estimate(path):
    """Return (visible code share, longest visible code cell in lines)."""
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    executed = ROOT / "_build" / "jupyter_execute" / "chapters" / Path(path).name
    outputs = {}
    if executed.exists():
        done = json.loads(executed.read_text(encoding="utf-8"))
        outputs = {c.get("id"): c for c in done["cells"] if c["cell_type"] == "code"}
    code = total = 0.0
    longest = 0
    for cell in nb["cells"]:
        tags = set(cell.get("metadata", {}).get("tags", []))
        if "remove-cell" in tags:
            continue
        if cell["cell_type"] == "markdown":
            text = _lines(cell["source"])
            total += TEXT_LINE * sum(1 + len(line) // 90 for line in text)
            continue
        lines = _lines(cell["source"])
        if lines and lines[0].startswith("#|"):
            lines = lines[1:]
        if "remove-input" in tags:
            height = 0.0
        elif "hide-input" in tags:
            height = FOLDED
        else:
            height = CELL_GAP + CODE_LINE * len(lines)
            code += height
            longest = max(longest, len(lines))
        out = (
            0.0
            if "remove-output" in tags
            else _outputs_height(outputs.get(cell.get("id"), {}))
        )
        total += height + out
    return code / total, longest


def main(argv):
    paths = argv or sorted(str(p) for p in (ROOT / "chapters").glob("*.ipynb"))
    for path in paths:
        share, longest = estimate(path)
        print(
            f"{Path(path).name:40s} {100 * share:5.1f}%  longest visible cell {longest}"
        )


if __name__ == "__main__":
    main(sys.argv[1:])
