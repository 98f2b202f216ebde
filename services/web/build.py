#!/usr/bin/env python3
"""Build the web page's static root: our files plus Leaflet and Chart.js vendored from node_modules.

    python3 services/web/build.py [--out build/web] [--node-modules node_modules]

Output (never committed; `build/` is gitignored):

    index.html                      references rewritten to the paths below
    static/<content-hash>/...       css, js, img: the hash changes when any of them changes, so
                                    nginx can serve them as immutable for a year
    vendor/leaflet-<version>/...    leaflet.js, leaflet.css, images/ (from node_modules/leaflet/dist)
    vendor/chart.js-<version>/...   chart.umd.min.js (from node_modules/chart.js/dist)
    build-info.json                 what went in

Only the standard library: the web image builds this in a Node stage with Debian's python3.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SITE = HERE / "site"
ROOT = HERE.parents[1]
MARKER = ".airq-web-build"

# (package, files under the package's dist/ to copy, the path index.html uses before rewriting)
VENDOR: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("leaflet", ("leaflet.js", "leaflet.js.map", "leaflet.css", "images"), "/vendor/leaflet/"),
    ("chart.js", ("chart.umd.min.js", "chart.umd.min.js.map"), "/vendor/chart.js/"),
)


class BuildError(RuntimeError):
    pass


def tree_hash(directory: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        digest.update(path.relative_to(directory).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


def _copy(source: Path, target: Path) -> None:
    if source.is_dir():
        shutil.copytree(source, target)
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)


def _clean(out: Path) -> None:
    """Empty `out`, but only if it is empty or a previous build (never an arbitrary directory)."""
    if not out.exists():
        return
    if not out.is_dir() or (any(out.iterdir()) and not (out / MARKER).exists()):
        raise BuildError(f"{out} exists and is not a previous web build; refusing to replace it")
    shutil.rmtree(out)


def _make_world_readable(out: Path) -> None:
    # nginx started as root serves files from worker processes running as `nobody`.
    out.chmod(0o755)
    for path in out.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)


def build(out: Path, node_modules: Path = ROOT / "node_modules") -> dict[str, object]:
    out = out.resolve()
    _clean(out)
    out.mkdir(parents=True)
    (out / MARKER).write_text("built by services/web/build.py; safe to delete\n")

    static_hash = tree_hash(SITE / "static")
    shutil.copytree(SITE / "static", out / "static" / static_hash)
    rewrites = {'"/static/': f'"/static/{static_hash}/'}

    versions: dict[str, str] = {}
    for package, files, placeholder in VENDOR:
        package_dir = node_modules / package
        manifest = package_dir / "package.json"
        if not manifest.is_file():
            raise BuildError(
                f"{package} is not installed in {node_modules}: run `make install` (npm install)"
            )
        version = json.loads(manifest.read_text())["version"]
        versions[package] = version
        target = out / "vendor" / f"{package}-{version}"
        for name in files:
            source = package_dir / "dist" / name
            if not source.exists():
                if name.endswith(".map"):
                    continue  # source maps are a convenience
                raise BuildError(f"{source} is missing: reinstall {package} (npm install)")
            _copy(source, target / name)
        rewrites['"' + placeholder] = f'"/vendor/{package}-{version}/'

    html = (SITE / "index.html").read_text(encoding="utf-8")
    for old, new in rewrites.items():
        if old not in html:
            raise BuildError(f"index.html no longer references {old!r}; update build.py")
        html = html.replace(old, new)
    (out / "index.html").write_text(html, encoding="utf-8")

    info = {"static": f"/static/{static_hash}/", "vendor": versions}
    (out / "build-info.json").write_text(json.dumps(info, indent=2) + "\n")
    _make_world_readable(out)
    return info


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "web", help="output directory")
    parser.add_argument("--node-modules", type=Path, default=ROOT / "node_modules")
    args = parser.parse_args(argv)
    try:
        info = build(args.out, args.node_modules)
    except BuildError as exc:
        print(f"web build: {exc}", file=sys.stderr)
        return 1
    print(f"web build: {args.out} (static {info['static']}, vendor {info['vendor']})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
