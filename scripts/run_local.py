#!/usr/bin/env python3
"""The processes of `make run` (see Procfile), each a subcommand, all on 127.0.0.1:

    preflight  refuse to start when a port is taken (before honcho starts anything)
    api        create the resources (airq-setup), ingest a first snapshot, serve the API under
               gunicorn, and print the one URL to open
    worker     airq-worker, once the resources exist
    ingest     the ingest loop (airq-ingest), from one interval after the first snapshot on
    web        the web page (scripts/web_local.py), which proxies /api/ to the API

The first snapshot comes from AIRQ_FEED_URL when it is set; else from the live feed; else, offline,
from a generated full-size feed (airq-feedgen --sensors 35000) in var/, and the script says so.

honcho stops every process when one exits, so nothing here exits on its own: a step that cannot
run (no worker yet, no web page) says why and waits for Ctrl-C.

Ports (environment): API_PORT 8000, WEB_PORT 8080, DYNALITE_PORT 8001, MOTO_PORT 5001.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from airq.config import LIVE_FEED_URL

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
VAR = ROOT / "var"
READY = VAR / "run" / "ready"  # written once the resources exist and the first ingest ran
FEED_SOURCE = VAR / "run" / "feed-source"
OFFLINE_FEED = VAR / "feed-offline.json"
LIVE_TRY_TIMEOUT = "20"  # seconds for the one attempt at the live feed


def port(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


def say(message: str) -> None:
    print(f"run: {message}", flush=True)


def wait_forever(reason: str) -> int:
    """Stay up (honcho would stop everything if this exited) until Ctrl-C or SIGTERM."""
    say(reason)
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: sys.exit(0))
    while True:
        signal.pause()


def start(command: list[str], env: dict[str, str] | None = None) -> subprocess.Popen:
    """A child that gets our SIGINT/SIGTERM (honcho signals the whole group anyway)."""
    child = subprocess.Popen([str(c) for c in command], cwd=ROOT, env=env)
    stopping.clear()

    def forward(signum: int, _frame: object) -> None:
        stopping.append(signum)
        child.send_signal(signum)

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, forward)
    return child


def finish(child: subprocess.Popen, what: str) -> int:
    """Wait for the child; if it failed on its own, say so and keep the others running."""
    code = child.wait()
    if stopping or code == 0:
        return 0 if stopping else code
    return wait_forever(f"{what} exited with status {code} (see above); the rest keeps running")


stopping: list[int] = []


def answers(url: str, timeout: float = 2.0) -> bool:
    try:
        urllib.request.urlopen(url, timeout=timeout)
        return True
    except urllib.error.HTTPError:
        return True  # it answered
    except OSError:
        return False


def wait_for(path: Path) -> None:
    while not path.exists():
        time.sleep(0.5)


def run(*command: str, env: dict[str, str] | None = None) -> int:
    return subprocess.call([str(c) for c in command], cwd=ROOT, env={**os.environ, **(env or {})})


# ------------------------------------------------------------------------------ steps


def preflight() -> int:
    taken = []
    for name, default in (
        ("API_PORT", 8000),
        ("WEB_PORT", 8080),
        ("DYNALITE_PORT", 8001),
        ("MOTO_PORT", 5001),
    ):
        with socket.socket() as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind(("127.0.0.1", port(name, default)))
            except OSError:
                taken.append(f"{name}={port(name, default)}")
    if taken:
        print(
            f"make run: port(s) in use: {', '.join(taken)}. Stop what uses them, or choose others, "
            "e.g. make run API_PORT=8100 WEB_PORT=8180 DYNALITE_PORT=8101 MOTO_PORT=5101",
            file=sys.stderr,
        )
        return 1
    (VAR / "run").mkdir(parents=True, exist_ok=True)
    READY.unlink(missing_ok=True)
    return 0


def first_snapshot() -> str:
    """Ingest one snapshot and return the feed the loop should keep reading."""
    configured = os.environ.get("AIRQ_FEED_URL")
    if configured:
        say(f"ingesting AIRQ_FEED_URL={configured}")
        if run(BIN / "airq-ingest", "--once", "--feed", configured) != 0:
            say("that feed could not be ingested (see above); serving the data already stored")
        return configured
    say("ingesting the live sensor.community feed")
    quick = {"AIRQ_FEED_TIMEOUT": LIVE_TRY_TIMEOUT, "AIRQ_FEED_RETRIES": "0"}
    if run(BIN / "airq-ingest", "--once", env=quick) == 0:
        return LIVE_FEED_URL
    say(
        "the live feed is not reachable: offline, so generating a full-size feed "
        f"(35,000 sensors) in {OFFLINE_FEED}"
    )
    run(BIN / "airq-feedgen", "--sensors", "35000", "--out", OFFLINE_FEED)
    if run(BIN / "airq-ingest", "--once", "--feed", OFFLINE_FEED) == 0:
        say(f"ingested the generated feed {OFFLINE_FEED} (synthetic data, not real measurements)")
    return str(OFFLINE_FEED)


def api() -> int:
    if run(BIN / "airq-setup", "--wait", "30") != 0:
        return wait_forever("could not create the tables, queues and bucket (see above); Ctrl-C to stop")
    FEED_SOURCE.write_text(first_snapshot())
    READY.touch()

    api_port, web_port = port("API_PORT", 8000), port("WEB_PORT", 8080)
    # The page's nginx (or its fallback) is the one proxy in front: believe its X-Forwarded-For, so
    # each browser has its own rate-limit bucket rather than all sharing 127.0.0.1's.
    env = {"AIRQ_TRUSTED_PROXY_HOPS": "1", **os.environ, "PORT": str(api_port), "AIRQ_BIND_HOST": "127.0.0.1"}
    env.setdefault("PROMETHEUS_MULTIPROC_DIR", str(VAR / "run" / "api-metrics"))
    server = start(
        [BIN / "gunicorn", "-c", "services/api/gunicorn.conf.py", "airq.api.app:create_app()"], env
    )
    api_url, web_url = f"http://127.0.0.1:{api_port}/", f"http://127.0.0.1:{web_port}/"
    while server.poll() is None and not answers(api_url + "healthz"):
        time.sleep(0.2)
    if server.poll() is None:
        deadline = time.monotonic() + 60  # the web page builds its static files first
        while time.monotonic() < deadline and not answers(web_url):
            time.sleep(0.5)
        url = web_url if answers(web_url) else api_url
        print(
            f"\n    airq is running: {url}   (the API is under {url}api/; Ctrl-C stops everything)\n",
            flush=True,
        )
    return finish(server, "the API (gunicorn)")


def worker() -> int:
    wait_for(READY)
    # Metrics on :9101; a short long-poll so Ctrl-C stops an idle worker within seconds.
    env = {"AIRQ_METRICS_PORT": "9101", "AIRQ_WORKER_WAIT_SECONDS": "5", **os.environ}
    return finish(start([BIN / "airq-worker"], env), "airq-worker")


def ingest() -> int:
    wait_for(READY)
    source = FEED_SOURCE.read_text().strip()
    interval = os.environ.get("AIRQ_INGEST_INTERVAL") or "3600"
    say(f"next snapshot in {interval} s, then every {interval} s, from {source}")
    time.sleep(float(interval))  # the api step stored the first one
    os.environ.setdefault("AIRQ_METRICS_PORT", "9102")
    os.execv(BIN / "airq-ingest", [str(BIN / "airq-ingest"), "--feed", source])
    return 1


def web() -> int:
    script = ROOT / "scripts" / "web_local.py"
    api_url = f"http://127.0.0.1:{port('API_PORT', 8000)}"
    command = [sys.executable, script, "--port", str(port("WEB_PORT", 8080)), "--api", api_url]
    return finish(start(command), "the web page")


def main(argv: list[str]) -> int:
    steps = {"preflight": preflight, "api": api, "worker": worker, "ingest": ingest, "web": web}
    if len(argv) != 2 or argv[1] not in steps:
        print(f"usage: {argv[0]} {{{'|'.join(steps)}}}", file=sys.stderr)
        return 2
    return steps[argv[1]]()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
