"""`make load`: start the local stack (or use AIRQ_TARGET_URL), load a day of hourly snapshots of
a full-size generated feed, run the original test matrix and the realistic mix with Locust
headless, and write loadtest/results/<run>/report.md with charts. All traffic stays on 127.0.0.1.

Options: --quick (a smaller matrix and mix, for a smoke run), --only matrix|mix, --sensors N (feed size,
default 35,000 entries ≈ 15,000 PM sensors), --processes N (Locust processes for the mix).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.api_process import start_api  # noqa: E402
from tests.support.metrics import metric_total  # noqa: E402
from tests.support.standins import aws_env, start_dynalite, start_moto, subprocess_env  # noqa: E402

from loadtest.report import write_report  # noqa: E402

BIN = Path(sys.executable).parent
LOAD_DAY = "2026-12-01"  # the day `make load` loads; --day with --data picks another
MATRIX = [(10, 10), (100, 50), (500, 100), (1000, 500), (2500, 500)]  # (requests, users)
QUICK_MATRIX = [(10, 10), (100, 50), (500, 100)]


def default_processes() -> int:
    """Locust's distributed mode pays off once the load generator has cores of its own: with 2 or
    fewer, a second Locust process only takes CPU from the service it measures. The matrix always
    runs in one process, as its request caps are counted per process."""
    cores = os.cpu_count() or 1
    return 1 if cores <= 2 else min(8, cores // 2)


def run(command: list[str], env: dict[str, str], **kwargs: object) -> subprocess.CompletedProcess:
    return subprocess.run([str(c) for c in command], env=env, check=True, **kwargs)  # type: ignore[call-overload]


def load_day(env: dict[str, str], data_dir: Path, sensors: int) -> str:
    """24 hourly snapshots of one day, ingested once and kept (the marker says what is there)."""
    marker = data_dir / "loaded.json"
    wanted = {"day": LOAD_DAY, "sensors": sensors, "hours": 24, "seed": 1}
    if marker.exists() and json.loads(marker.read_text()) == wanted:
        print(f"load: reusing the loaded day in {data_dir}")
        return f"{sensors}-entry feed x 24 hourly snapshots of {LOAD_DAY} (reused)"
    feeds = data_dir / "feeds"
    feeds.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    for hour in range(24):
        feed = feeds / f"{hour:02d}.json"
        at = f"{LOAD_DAY}T{hour:02d}:05:00+00:00"
        run([BIN / "airq-feedgen", "--sensors", sensors, "--seed", 1, "--time", at, "--out", feed], env)
        run([BIN / "airq-ingest", "--once", "--feed", feed], env)
        feed.unlink()
        print(f"load: hour {hour:02d} stored ({time.monotonic() - started:.0f} s so far)", flush=True)
    marker.write_text(json.dumps(wanted))
    return f"{sensors}-entry feed x 24 hourly snapshots of {LOAD_DAY}"


def settle(target: str, limit: float = 90.0) -> None:
    """Wait until the target answers a small request quickly: the previous scenario's backlog
    (requests its clients gave up on) must not be charged to the next one."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        started = time.monotonic()
        try:
            urllib.request.urlopen(f"{target}/healthz", timeout=5).read()
            if time.monotonic() - started < 0.5:
                return
        except OSError:
            pass
        time.sleep(2)


def cache_lookups(target: str) -> dict[str, float]:
    """The API's result-cache lookups so far, by outcome, from its /metrics ({} if unreadable)."""
    try:
        text = urllib.request.urlopen(f"{target}/metrics", timeout=10).read().decode()
    except OSError:
        return {}
    return {o: metric_total(text, "airq_result_cache_requests_total", outcome=o) for o in ("hit", "miss")}


def cache_note(before: dict[str, float], after: dict[str, float]) -> str:
    hits, misses = (after.get(k, 0) - before.get(k, 0) for k in ("hit", "miss"))
    if hits + misses == 0:
        return "result cache: no lookups (off, or no cacheable requests)"
    return f"result cache: {hits:.0f} hits, {misses:.0f} misses ({hits / (hits + misses):.0%} hits)"


def locust(
    target: str, out: Path, name: str, users: int, *, user_class: str, run_time: str,
    max_requests: int = 0, processes: int = 1,
) -> dict[str, object]:  # fmt: skip
    command = [
        BIN / "locust", "-f", ROOT / "loadtest" / "locustfile.py", "--headless", "--only-summary",
        "-u", users, "-r", users, "-t", run_time, "--stop-timeout", "10", "--host", target,
        "--load-day", LOAD_DAY, "--max-requests", max_requests, "--json-file", out / name,
        "--exit-code-on-error", "0", "--loglevel", "WARNING",
    ]  # fmt: skip
    if processes > 1:
        command += ["--processes", processes]
    command.append(user_class)
    settle(target)
    before = cache_lookups(target)
    print(f"locust: {name} ({users} users{f', {max_requests} requests' if max_requests else ''})", flush=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "AIRQ_"))}
    run(command, env, stdout=subprocess.DEVNULL)
    # Locust appends ".json" to --json-file.
    note = cache_note(before, cache_lookups(target))
    return {"name": name, "users": users, "file": f"{name}.json", "note": note}


def main() -> int:
    global LOAD_DAY
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--sensors", type=int, default=35_000)
    parser.add_argument(
        "--processes",
        type=int,
        default=default_processes(),
        help="Locust processes for the mix (distributed mode: a master and N workers); default: "
        "1 on up to 2 cores, where the service needs them, else half the cores",
    )
    parser.add_argument("--mix-time", default="60s")
    parser.add_argument(
        "--data",
        type=Path,
        help="reuse a dynalite folder that already holds a loaded day (e.g. var/bench-dynalite from "
        "make bench-api) instead of loading one; give its --day and --tables prefix",
    )
    parser.add_argument("--day", default=LOAD_DAY)
    parser.add_argument("--tables", default="airq", help="table name prefix (<prefix>-readings, ...)")
    parser.add_argument(
        "--only", choices=("all", "matrix", "mix"), default="all", help="run only the matrix or the mix"
    )
    args = parser.parse_args()
    LOAD_DAY = args.day

    run_name = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out = ROOT / "loadtest" / "results" / run_name
    out.mkdir(parents=True)
    stopping: list = []
    target = os.environ.get("AIRQ_TARGET_URL", "")
    uncached_target = ""  # a second API without the result cache, when this script starts the stack
    try:
        if target:
            host = urlparse(target).hostname
            if host not in ("127.0.0.1", "localhost", "::1"):
                raise SystemExit(f"AIRQ_TARGET_URL must be on this machine (127.0.0.1), not {host}")
            data = f"whatever {target} holds for {LOAD_DAY}"
        else:
            data_dir = ROOT / "var" / "load"
            logs = data_dir / "logs"
            logs.mkdir(parents=True, exist_ok=True)
            dynalite = start_dynalite(args.data or data_dir / "dynalite", logs)
            stopping.append(dynalite)
            moto = start_moto(logs)
            stopping.append(moto)
            tables = {
                "AIRQ_READINGS_TABLE": f"{args.tables}-readings",
                "AIRQ_DAILY_TABLE": f"{args.tables}-daily",
                "AIRQ_JOBS_TABLE": f"{args.tables}-jobs",
            }
            env = subprocess_env({**aws_env(dynalite.url, moto.url), **tables, "AIRQ_LOG_LEVEL": "WARNING"})
            run([BIN / "airq-setup", "--wait", "30"], env)
            if args.data:
                data = f"{args.data} as loaded, day {LOAD_DAY}"
            else:
                data = load_day(env, data_dir, args.sensors)
            api_env = {**aws_env(dynalite.url, moto.url), **tables, "AIRQ_RATE_LIMIT_PER_MINUTE": "10000000"}
            api = start_api(api_env, logs, name="load-api")
            stopping.append(api)
            if args.only != "matrix":
                # The same mix against an API without the result cache: what the cache is worth,
                # and what requests cost when nothing is cached.
                uncached_api = start_api(
                    {**api_env, "AIRQ_RESULT_CACHE_MB": "0"}, logs, name="load-api-uncached"
                )
                stopping.append(uncached_api)
                uncached_target = uncached_api.url
            for n in range(2):
                worker = subprocess.Popen(
                    [BIN / "airq-worker"],
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=(logs / f"worker{n}.log").open("wb"),
                )
                stopping.append(worker)
            target = api.url
        scenarios = []
        for requests, users in [] if args.only == "mix" else QUICK_MATRIX if args.quick else MATRIX:
            scenarios.append(
                locust(target, out, f"original {requests}req-{users}u", users,
                       user_class="OriginalUser", run_time="180s", max_requests=requests)
            )  # fmt: skip
        mix_users = 20 if args.quick else 50
        mixes = [] if args.only == "matrix" else [(target, f"realistic mix {mix_users}u")]
        if uncached_target:
            mixes.append((uncached_target, f"realistic mix {mix_users}u uncached"))
        for url, name in mixes:
            scenarios.append(
                locust(url, out, name, mix_users, user_class="RealisticUser",
                       run_time="20s" if args.quick else args.mix_time, processes=args.processes)
            )  # fmt: skip
        manifest = {
            "run": run_name,
            "target": target,
            "cores": os.cpu_count(),
            "data": data,
            "scenarios": scenarios,
        }
        (out / "manifest.json").write_text(json.dumps(manifest, indent=2))
        report = write_report(out)
        print(report.read_text())
        print(f"report: {report}")
    finally:
        for thing in reversed(stopping):
            if isinstance(thing, subprocess.Popen):
                thing.terminate()
                thing.wait(timeout=30)
            else:
                thing.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
