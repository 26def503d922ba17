"""Export the marked code cells of the chapters into the generated saelib modules.

The notebooks in ``chapters/`` are the source of saelib. A code cell whose first
line is ``#| export <module>`` is copied into ``saelib/<module>.py``; every module
comes from exactly one notebook, in the order of its cells. Each generated module
starts with a header naming the notebook to edit, then its ``__all__``, and each block
is preceded by a comment naming the notebook and the cell id it came from.

``__all__`` lists the public names (no leading underscore) that the ``#| export``
cells define at top level: functions, classes and assigned constants. A cell marked
``#| exporti <module>`` (nbdev's "internal export") is copied in the same way, but its
names stay out of ``__all__``: helpers that later chapters share, such as input
checks, which are public to saelib's modules but not part of the API.

Usage::

    python tools/export.py           # write saelib/*.py
    python tools/export.py --check   # exit 1 with a diff when saelib/ is stale

``saelib/__init__.py`` is hand-written and never touched here.
"""

from __future__ import annotations

import argparse
import ast
import difflib
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MARKER = re.compile(r"^#\|\s*export(?P<internal>i?)\s+(?P<module>[a-z_][a-z0-9_]*)\s*$")
GENERATED_TAG = "# Generated from "
REGENERATE = "make export"


@dataclass
class Block:
    """One exported cell: where it came from and its code (marker removed)."""

    notebook: str
    cell_id: str
    code: str
    internal: bool = False


class ExportError(ValueError):
    """A notebook breaks a rule of the export (bad marker, shared module, ...)."""


def _title(cells: list[dict], notebook: str) -> str:
    for cell in cells:
        if cell["cell_type"] == "markdown":
            for line in "".join(cell["source"]).splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    raise ExportError(f"{notebook}: no '# Title' heading in a markdown cell")


def collect_blocks(notebook_path: Path, root: Path = ROOT) -> dict[str, list[Block]]:
    """Return the exported blocks of one notebook, grouped by target module.

    Parameters
    ----------
    notebook_path : Path
        A ``.ipynb`` file (nbformat 4).
    root : Path
        The repository root; paths in comments are relative to it.

    Returns
    -------
    dict of str to list of Block
        Module name (without ``.py``) to its blocks, in cell order.
    """
    rel = notebook_path.resolve().relative_to(root.resolve()).as_posix()
    nb = json.loads(notebook_path.read_text(encoding="utf-8"))
    modules: dict[str, list[Block]] = {}
    for index, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        first, _, rest = source.partition("\n")
        if not first.startswith("#|"):
            continue
        match = MARKER.match(first)
        if match is None:
            raise ExportError(
                f"{rel}, code cell {index}: malformed marker {first!r}; "
                "expected '#| export <module>' or '#| exporti <module>'"
            )
        cell_id = cell.get("id")
        if not cell_id:
            raise ExportError(f"{rel}, code cell {index}: exported cells need an id")
        if re.search(r"^\s*[%!]", rest, flags=re.MULTILINE):
            raise ExportError(f"{rel}, cell {cell_id!r}: magics cannot be exported")
        code = rest.strip("\n")
        if not code:
            raise ExportError(f"{rel}, cell {cell_id!r}: exported cell is empty")
        block = Block(rel, cell_id, code, internal=bool(match["internal"]))
        modules.setdefault(match["module"], []).append(block)
    return modules


def public_names(code: str) -> list[str]:
    """Return the public names that ``code`` defines at top level, in order.

    Functions, classes and names assigned with ``=`` or an annotation; names that
    start with an underscore, and imported names, are left out.
    """
    names = []
    for node in ast.parse(code).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            found = [node.name]
        elif isinstance(node, ast.Assign):
            found = [t.id for t in node.targets if isinstance(t, ast.Name)]
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            found = [node.target.id]
        else:
            found = []
        names += [n for n in found if not n.startswith("_") and n not in names]
    return names


def render_all(names: list[str]) -> str:
    """``__all__`` as ``ruff format`` leaves it (one name per line)."""
    if not names:
        return "__all__ = []\n"
    return "__all__ = [\n" + "".join(f'    "{n}",\n' for n in names) + "]\n"


def render_module(notebook: str, title: str, blocks: list[Block]) -> str:
    """Render one generated module from its blocks.

    Parameters
    ----------
    notebook : str
        Path of the source notebook, relative to the repository root.
    title : str
        The notebook's title, used in the module docstring.
    blocks : list of Block
        The exported cells, in order.

    Returns
    -------
    str
        The module's text, formatted as ``ruff format`` leaves it.
    """
    lines = [
        f"{GENERATED_TAG}{notebook}: edit the notebook,",
        f"# then run `{REGENERATE}`. Do not edit this file by hand.",
        f'"""Code of the chapter "{title}".',
        "",
        "Every function here is derived and checked in that chapter.",
        '"""',
    ]
    text = "\n".join(lines) + "\n"
    names = []
    for block in blocks:
        if not block.internal:
            names += [n for n in public_names(block.code) if n not in names]
    text += "\n" + render_all(names)
    for block in blocks:
        text += f'\n\n# {block.notebook}, cell "{block.cell_id}"\n{block.code}\n'
    return text


def generate(root: Path = ROOT) -> dict[Path, str]:
    """Generate every saelib module from ``chapters/*.ipynb``.

    Parameters
    ----------
    root : Path
        The repository root.

    Returns
    -------
    dict of Path to str
        Path of each generated module to its text.

    Raises
    ------
    ExportError
        When a notebook breaks a rule, or two notebooks export to one module.
    """
    owner: dict[str, str] = {}
    out: dict[Path, str] = {}
    for path in sorted((root / "chapters").glob("*.ipynb")):
        modules = collect_blocks(path, root)
        if not modules:
            continue
        title = _title(json.loads(path.read_text(encoding="utf-8"))["cells"], path)
        for module, blocks in modules.items():
            if module == "__init__":
                raise ExportError(f"{path.name}: saelib/__init__.py is hand-written")
            if module in owner:
                raise ExportError(
                    f"saelib/{module}.py is exported by both {owner[module]} and "
                    f"{blocks[0].notebook}: one module comes from one notebook"
                )
            owner[module] = blocks[0].notebook
            out[root / "saelib" / f"{module}.py"] = render_module(
                blocks[0].notebook, title, blocks
            )
    return out


def stale_modules(root: Path, generated: dict[Path, str]) -> list[Path]:
    """Return generated-looking modules in saelib/ that no notebook produces."""
    stale = []
    for path in sorted((root / "saelib").glob("*.py")):
        if path in generated:
            continue
        if path.read_text(encoding="utf-8").startswith(GENERATED_TAG):
            stale.append(path)
    return stale


def check(root: Path = ROOT) -> list[str]:
    """Return the differences between saelib/ and the notebooks (empty: in sync)."""
    problems = []
    generated = generate(root)
    for path, text in generated.items():
        rel = path.relative_to(root).as_posix()
        current = path.read_text(encoding="utf-8") if path.exists() else ""
        if current != text:
            diff = difflib.unified_diff(
                current.splitlines(keepends=True),
                text.splitlines(keepends=True),
                fromfile=f"{rel} (committed)",
                tofile=f"{rel} (from the notebooks)",
            )
            problems.append("".join(diff))
    for path in stale_modules(root, generated):
        rel = path.relative_to(root).as_posix()
        problems.append(f"{rel} is generated but no notebook exports it: delete it\n")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--check", action="store_true", help="report differences, write nothing"
    )
    args = parser.parse_args(argv)
    try:
        if args.check:
            problems = check(ROOT)
            if problems:
                sys.stdout.write("".join(problems))
                print(f"saelib/ is out of date: run `{REGENERATE}`.", file=sys.stderr)
                return 1
            print("saelib/ is in sync with the notebooks.")
            return 0
        generated = generate(ROOT)
        for path, text in generated.items():
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                path.write_text(text, encoding="utf-8")
                print(f"wrote {path.relative_to(ROOT)}")
        for path in stale_modules(ROOT, generated):
            path.unlink()
            print(f"removed {path.relative_to(ROOT)} (no notebook exports it)")
    except ExportError as err:
        print(f"export failed: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
