"""Each notebook executes once in ``make test``: nbval runs it, the build reuses it.

``make test`` checks two things of every chapter: that it runs (nbval, one test per
cell) and that the book built from it is strict-clean (``jupyter-book build -W``).
Both used to execute every notebook, so the suite ran the whole course twice. Now
nbval's run is recorded and the build reads it back:

1. **Recording** (``NotebookRecorder``, used by ``chapters/conftest.py``). Every
   message the kernel sends while nbval runs a cell goes through nbclient's own
   ``NotebookClient.process_message``, the code the book build executes with. So
   the recorded outputs are the build's outputs: streams, rich displays, glue data,
   displays updated by ``display_id``, cleared outputs and the widget state that
   chapter 8's static model browser needs. A notebook is written to
   ``_build/executed/`` only when every one of its cells ran and passed.
2. **Reuse** (``prepare_build_config``, used by ``tests/test_book.py``). The recorded
   notebooks go into a fresh jupyter-cache, and the strict build runs with
   ``execute_notebooks: cache`` from a copy of ``_config.yml``. jupyter-cache matches
   a notebook by a hash of its code and kernel, so a recording of another version
   of a chapter is never used: that chapter is executed again instead.

``make book`` is untouched: it always executes every notebook (``force``).
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parent.parent
# nbval's recordings, one per notebook (the variable is for this module's own test)
EXECUTED = Path(os.environ.get("SAEBOOK_EXECUTED", ROOT / "_build" / "executed"))
CACHE = ROOT / "_build" / ".jupyter_cache_from_nbval"
TEST_CONFIG = ROOT / "_build" / "_config_from_nbval.yml"
FINGERPRINT = "saebook_saelib_sha256"  # notebook metadata key


def saelib_fingerprint() -> str:
    """A hash of saelib's source: a recording made with another saelib is stale.

    jupyter-cache's hash covers a notebook's own code only, but a chapter's outputs
    also depend on the saelib that the earlier chapters export.
    """
    digest = hashlib.sha256()
    for path in sorted((ROOT / "saelib").glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


class NotebookRecorder:
    """The executed copy of one notebook, built from the kernel messages of its cells.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        The notebook nbval executes (its cells are filled in place).
    """

    def __init__(self, nb: nbformat.NotebookNode):
        from nbclient import NotebookClient

        self.nb = nb
        # Never started: it only turns messages into outputs, as in the build.
        self.client = NotebookClient(nb, record_timing=False)
        self.done: set[int] = set()
        self.failed = False

    def record(self, cell: nbformat.NotebookNode, messages: list[dict], msg_id: str):
        """Turn the iopub messages of one executed cell into its outputs."""
        from nbclient.exceptions import CellExecutionComplete

        index = next(i for i, c in enumerate(self.nb.cells) if c is cell)
        # As nbclient's own execute_cell does before it reads a cell's messages.
        cell.outputs = []
        cell.execution_count = None
        self.client.clear_before_next_output = False
        for msg in messages:
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            try:
                self.client.process_message(msg, cell, index)
            except CellExecutionComplete:
                break
        self.done.add(index)

    def complete(self) -> bool:
        """True when every code cell ran and none failed."""
        code = {i for i, c in enumerate(self.nb.cells) if c.cell_type == "code"}
        return not self.failed and code <= self.done

    def write(self, source: Path) -> Path:
        """Write the executed notebook to ``_build/executed`` (mirroring the source)."""
        self.client.set_widgets_metadata()
        self.nb.metadata[FINGERPRINT] = saelib_fingerprint()
        source = source.resolve()
        inside = source.is_relative_to(ROOT)
        target = EXECUTED / (source.relative_to(ROOT) if inside else source.name)
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(self.nb, target)
        return target


def recorded_notebooks() -> list[Path]:
    """The notebooks nbval recorded in this checkout (under ``_build/executed``)."""
    return sorted(EXECUTED.glob("**/*.ipynb"))


def prepare_build_config() -> tuple[Path, int]:
    """Cache nbval's recordings and write the strict build's configuration.

    Returns
    -------
    config : Path
        A copy of ``_config.yml`` that executes with jupyter-cache (paths made
        absolute, since the copy lives in ``_build``).
    cached : int
        How many recorded notebooks were put in the cache (those recorded with
        today's saelib).
    """
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    shutil.rmtree(CACHE, ignore_errors=True)  # no recording of an earlier run
    cache = get_cache(CACHE)
    fingerprint, cached = saelib_fingerprint(), 0
    for path in recorded_notebooks():
        source = ROOT / path.relative_to(EXECUTED)
        nb = nbformat.read(path, as_version=4)
        if nb.metadata.pop(FINGERPRINT, None) != fingerprint:
            continue
        cached += 1
        cache.cache_notebook_bundle(
            CacheBundleIn(nb, str(source)), check_validity=False, overwrite=True
        )
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    config["execute"]["execute_notebooks"] = "cache"
    config["execute"]["cache"] = str(CACHE)
    extensions = config["sphinx"]["local_extensions"]
    for name, folder in extensions.items():
        extensions[name] = str(ROOT / folder)
    TEST_CONFIG.parent.mkdir(parents=True, exist_ok=True)
    TEST_CONFIG.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return TEST_CONFIG, cached
