"""Run loadtest/locustfile.py with Locust headless in a subprocess (Locust patches the standard
library with gevent, so tests never import it) and return its per-endpoint stats (--json-file)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.support.standins import ROOT

LOCUST = Path(sys.executable).parent / "locust"
LOCUSTFILE = ROOT / "loadtest" / "locustfile.py"


def run_locust(
    host: str, out: Path, *args: str, user_class: str, users: int = 1, load_day: str = "2026-12-02"
) -> list[dict]:
    command = [
        str(LOCUST), "-f", str(LOCUSTFILE), "--headless", "--only-summary", "-u", str(users),
        "-r", str(users), "--host", host, "--load-day", load_day, "--json-file", str(out / "stats"),
        "--exit-code-on-error", "0", "--loglevel", "WARNING", *args, user_class,
    ]  # fmt: skip
    subprocess.run(command, check=True, timeout=120, capture_output=True, cwd=out)
    return json.loads((out / "stats.json").read_text())
