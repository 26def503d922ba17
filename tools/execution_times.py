"""Print how long each notebook took to execute in the last book build.

The book build (``make book``, or the strict build inside ``make test``) executes
every notebook; myst-nb records each run's wall time in Sphinx's environment. This
reads it back, so the time budget of the chapters can be watched without timing
anything by hand::

    python tools/execution_times.py            # after make book / make test
    python tools/execution_times.py --build _build
"""

from __future__ import annotations

import argparse
import pickle
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def execution_times(build: Path) -> dict[str, float]:
    """Map each executed document (e.g. ``chapters/05_sparsity``) to its seconds."""
    pickled = build / ".doctrees" / "environment.pickle"
    if not pickled.exists():
        raise FileNotFoundError(
            f"{pickled} not found: build the book first (make book)"
        )
    with pickled.open("rb") as f:
        env = pickle.load(f)
    times = {}
    for docname, data in getattr(env, "nb_metadata", {}).items():
        exec_data = data.get("exec_data") or {}
        if exec_data.get("runtime") is not None:
            times[docname] = float(exec_data["runtime"])
    return times


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", type=Path, default=ROOT / "_build")
    args = parser.parse_args(argv)
    try:
        times = execution_times(args.build)
    except FileNotFoundError as err:
        print(err, file=sys.stderr)
        return 1
    if not times:
        print(
            "no execution data: was the book built with execution on?", file=sys.stderr
        )
        return 1
    for docname, seconds in sorted(times.items()):
        print(f"{docname:45s} {seconds:6.1f} s")
    print(f"{'total':45s} {sum(times.values()):6.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
