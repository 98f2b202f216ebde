"""Fail when a tracked file holds a secret-like string that `.secrets.baseline` does not list.

detect-secrets-hook insists on a staged baseline (it rewrites line numbers), which suits a commit
hook but not CI; this compares what a fresh scan finds with the baseline by file and hash, so a
moved line is not news and a new finding is. To accept a false positive: mark it inline with
`pragma: allowlist secret`, or re-create the baseline (`make secrets-baseline`) and review it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DETECT = Path(sys.executable).parent / "detect-secrets"


def findings(report: dict) -> set[tuple[str, str, str]]:
    return {(path, r["type"], r["hashed_secret"]) for path, rows in report["results"].items() for r in rows}


def main() -> int:
    listed = subprocess.run(["git", "ls-files"], cwd=ROOT, check=True, capture_output=True, text=True)
    files = [f for f in listed.stdout.split() if f != ".secrets.baseline"]  # it holds the hashes
    scan = subprocess.run([str(DETECT), "scan", *files], cwd=ROOT, check=True, capture_output=True, text=True)
    known = findings(json.loads((ROOT / ".secrets.baseline").read_text()))
    new = sorted(findings(json.loads(scan.stdout)) - known)
    for path, kind, _ in new:
        print(f"secrets: {kind} in {path} is not in .secrets.baseline", file=sys.stderr)
    print(f"secrets: {len(files)} tracked files scanned, {len(new)} new finding(s)")
    return 1 if new else 0


if __name__ == "__main__":
    sys.exit(main())
