"""saelib's architecture: chapters import only what came before, and the API is found.

References: the book's reading order is ``_toc.yml``'s; each generated module names
its notebook in its first line (``tools/export.py``). The rules checked here are those
of ``CONTRIBUTING.md``:

- a module generated from a chapter imports only modules generated from that chapter
  or an earlier one (appendices come after every chapter, in ``_toc.yml``'s order);
- appendix A's checkers (``saelib.checks``) load only chapter 1's modules when
  imported, so that chapter 1 can use them;
- no underscore name is imported from another saelib module, in saelib or in the
  benchmarks (a shared name is public in the module that owns it);
- every generated module has an ``__all__``, written by the exporter, and
  ``saelib/__init__.py`` exports exactly the union of them, each name from its home
  module; modules whose names are only used as a namespace (``saelib.checks``) are
  exported as modules.
"""

import ast
import importlib
import re
from pathlib import Path

import pytest
import yaml

import saelib

ROOT = Path(__file__).resolve().parent.parent
HEADER = re.compile(r"^# Generated from (?P<notebook>chapters/\S+)\.ipynb")


def reading_order():
    """Position of each document of ``_toc.yml`` in the book's reading order."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    files = [entry["file"] for part in toc["parts"] for entry in part["chapters"]]
    return {name: i for i, name in enumerate(files)}


def generated_modules():
    """Module name to the notebook (without ``.ipynb``) it is generated from."""
    homes = {}
    for path in sorted((ROOT / "saelib").glob("*.py")):
        match = HEADER.match(path.read_text(encoding="utf-8"))
        if match:
            homes[path.stem] = match["notebook"]
    return homes


HOMES = generated_modules()
ORDER = reading_order()


def saelib_imports(path, top_level_only=False):
    """``(line, module, names)`` of each ``from saelib.<module> import ...`` in path."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else ast.walk(tree)
    found = []
    for node in nodes:
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
            "saelib."
        ):
            names = [alias.name for alias in node.names]
            found.append((node.lineno, node.module.split(".")[1], names))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("saelib."):
                    found.append((node.lineno, alias.name.split(".")[1], []))
    return found


def test_every_module_but_init_is_generated_from_a_listed_notebook():
    hand_written = {
        p.stem for p in (ROOT / "saelib").glob("*.py") if p.stem not in HOMES
    }
    assert hand_written == {"__init__"}
    unlisted = {m: nb for m, nb in HOMES.items() if nb not in ORDER}
    assert not unlisted, f"notebooks missing from _toc.yml: {unlisted}"


@pytest.mark.parametrize("module", sorted(HOMES))
def test_modules_import_only_their_own_or_earlier_chapters(module):
    here = ORDER[HOMES[module]]
    later = [
        f"line {line}: saelib.{target} ({HOMES[target]})"
        for line, target, _ in saelib_imports(ROOT / "saelib" / f"{module}.py")
        if ORDER[HOMES[target]] > here
    ]
    assert not later, f"{module} ({HOMES[module]}) imports later chapters: {later}"


def module_closure(module):
    """The saelib modules that importing ``module`` loads (module-level imports)."""
    seen, todo = set(), [module]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        path = ROOT / "saelib" / f"{current}.py"
        todo += [t for _, t, _ in saelib_imports(path, top_level_only=True)]
    return seen


def test_the_checkers_load_only_chapter_1():
    chapter_1 = "chapters/01_neural_networks"
    loaded = {m: HOMES[m] for m in module_closure("checks") - {"checks"}}
    assert loaded and set(loaded.values()) == {chapter_1}, loaded


def test_the_closure_walk_sees_indirect_imports():
    # Control for the test above: chapter 5's module loads chapter 1's indirectly.
    assert {"network", "validation"} <= module_closure("sparse_autoencoder")


@pytest.mark.parametrize(
    "path",
    sorted((ROOT / "saelib").glob("*.py")) + sorted((ROOT / "benchmarks").glob("*.py")),
    ids=lambda p: p.relative_to(ROOT).as_posix(),
)
def test_no_underscore_name_is_imported_from_another_module(path):
    private = [
        f"line {line}: {name} from saelib.{module}"
        for line, module, names in saelib_imports(path)
        for name in names
        if name.startswith("_")
    ]
    assert not private, private


@pytest.mark.parametrize("module", sorted(HOMES))
def test_each_module_lists_what_it_defines(module):
    mod = importlib.import_module(f"saelib.{module}")
    assert isinstance(mod.__all__, list)
    for name in mod.__all__:
        value = getattr(mod, name)
        home = getattr(value, "__module__", mod.__name__)
        # A listed function or class is defined here, not imported from elsewhere.
        assert home == mod.__name__ or not callable(value), (module, name, home)


def test_the_package_exports_exactly_the_modules_apis():
    namespaces = {n for n in saelib.__all__ if n in HOMES}
    expected = set(namespaces)
    for module in HOMES:
        if module not in namespaces:
            expected |= set(importlib.import_module(f"saelib.{module}").__all__)
    assert sorted(set(saelib.__all__) - expected) == []
    assert sorted(expected - set(saelib.__all__)) == []
    assert len(saelib.__all__) == len(set(saelib.__all__)), "a name is listed twice"


def test_each_exported_name_is_its_home_modules_object():
    for name in saelib.__all__:
        if name in HOMES:
            assert getattr(saelib, name) is importlib.import_module(f"saelib.{name}")
            continue
        homes = [
            m for m in HOMES if name in importlib.import_module(f"saelib.{m}").__all__
        ]
        assert len(homes) == 1, (name, homes)
        module = importlib.import_module(f"saelib.{homes[0]}")
        assert getattr(saelib, name) is getattr(module, name), name


def test_init_groups_the_api_in_reading_order():
    # The import blocks of __init__.py follow the chapters' order.
    positions = [
        ORDER[HOMES[module]]
        for _, module, _ in saelib_imports(ROOT / "saelib" / "__init__.py")
    ]
    assert positions == sorted(positions)
