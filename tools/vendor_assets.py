"""Fetch the web assets the book serves itself (MathJax, the widget manager, RequireJS).

Out of the box a Jupyter Book loads them from CDNs, so a reader without a network
sees raw TeX and no widgets. This script takes each package listed in
``tools/assets.json`` from the npm registry with ``npm pack`` (a pinned version,
checked against its pinned sha512 integrity), and extracts the files the book
needs into ``_assets/vendor/<dest>/``. ``tools/offline_assets.py`` (a Sphinx
extension) then points the book at them.

It is run by ``make book`` and ``make test``; it does nothing when the files are
already in place. Without npm, or without access to the registry, it says so and
exits 0: the book then falls back to the CDNs.

Usage::

    python tools/vendor_assets.py [--force]
"""

from __future__ import annotations

import argparse
import base64
import fnmatch
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = ROOT / "tools" / "assets.json"
VENDOR = ROOT / "_assets" / "vendor"
STAMP = ".integrity"


def load_manifest(path: Path = MANIFEST) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["packages"]


def is_installed(package: dict, vendor: Path = VENDOR) -> bool:
    """True when the package's files were extracted from the pinned tarball."""
    stamp = vendor / package["dest"] / STAMP
    return stamp.exists() and stamp.read_text().strip() == package["integrity"]


def all_installed(vendor: Path = VENDOR) -> bool:
    return all(is_installed(p, vendor) for p in load_manifest())


def sri_digest(data: bytes) -> str:
    """The npm integrity string (subresource integrity, sha512) of some bytes."""
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def selected(name: str, package: dict) -> bool:
    include = any(
        name.startswith(p) if p.endswith("/") else fnmatch.fnmatch(name, p)
        for p in package["include"]
    )
    exclude = any(name.startswith(p) for p in package["exclude"])
    return include and not exclude


def extract(tarball: Path, package: dict, vendor: Path = VENDOR) -> int:
    """Extract the package's selected files; return how many were written."""
    dest = vendor / package["dest"]
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    count = 0
    with tarfile.open(tarball, "r:gz") as archive:
        for member in archive.getmembers():
            if not member.isfile() or not selected(member.name, package):
                continue
            relative = Path(member.name[len(package["strip"]) :])
            if relative.is_absolute() or ".." in relative.parts:
                raise ValueError(f"unsafe path in {tarball.name}: {member.name}")
            target = dest / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            with archive.extractfile(member) as source, open(target, "wb") as out:
                shutil.copyfileobj(source, out)
            count += 1
    (dest / STAMP).write_text(package["integrity"] + "\n")
    return count


def fetch(package: dict, workdir: Path) -> Path:
    """Download the pinned tarball with npm pack and verify its integrity."""
    spec = f"{package['name']}@{package['version']}"
    result = subprocess.run(
        ["npm", "pack", spec, "--json", "--pack-destination", str(workdir)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if result.returncode != 0:
        raise RuntimeError(f"npm pack {spec} failed: {result.stderr.strip()[-500:]}")
    filename = json.loads(result.stdout)[0]["filename"]
    tarball = workdir / filename
    digest = sri_digest(tarball.read_bytes())
    if digest != package["integrity"]:
        raise RuntimeError(
            f"{spec}: integrity {digest} does not match the pinned "
            f"{package['integrity']} in tools/assets.json"
        )
    return tarball


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--force", action="store_true", help="fetch again")
    args = parser.parse_args(argv)
    packages = load_manifest()
    missing = [p for p in packages if args.force or not is_installed(p)]
    if not missing:
        print("web assets: in place (_assets/vendor/), the book renders offline")
        return 0
    if shutil.which("npm") is None:
        print(
            "web assets: npm not found, so the book will load MathJax and the "
            "widget manager from CDNs and its readers need a network connection.\n"
            "  Install Node.js and npm (e.g. `apt-get install npm`) and run "
            "`make book` again to serve them from the book itself.",
            file=sys.stderr,
        )
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        for package in missing:
            try:
                tarball = fetch(package, Path(tmp))
            except (RuntimeError, subprocess.TimeoutExpired, OSError) as err:
                print(
                    f"web assets: {err}\n  The book falls back to the CDNs.",
                    file=sys.stderr,
                )
                return 0
            count = extract(tarball, package)
            print(
                f"web assets: {package['name']}@{package['version']} "
                f"({count} files) -> _assets/vendor/{package['dest']}/"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
