"""API latency benchmark: p50/p95 of a country-day GET /api/readings (JSON, default limit, DE) with a
day of hourly snapshots in dynalite (airq-feedgen --sensors 35000, same seed, 24 hours). Not a test.

    make bench-api            (or: .venv/bin/python bench/api_latency.py [--requests 500])

The day is loaded once into var/bench-dynalite and reused (a marker file records what is there):
about 470,000 readings, which takes minutes. The API runs as in production: gunicorn with
services/api/gunicorn.conf.py (2 workers), on 127.0.0.1. Latency is measured by the client, one
request at a time on a kept-alive connection (the figure asked for), then with concurrent
clients; a few other routes are timed for context. The machine's cores and load are printed with
the figures, since other work on the machine moves them.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.api_process import start_api  # noqa: E402
from tests.support.standins import aws_env, free_port, start_dynalite  # noqa: E402

from airq.config import Settings  # noqa: E402
from airq.feedgen import generate, write_feed  # noqa: E402
from airq.ingest.run import ingest_once  # noqa: E402
from airq.resources import ensure_tables  # noqa: E402
from airq.store import Store  # noqa: E402

SETTINGS = Settings(readings_table="bench-readings", daily_table="bench-daily", jobs_table="bench-jobs")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def figures(seconds: list[float]) -> dict[str, float]:
    ms = [s * 1000 for s in seconds]
    return {
        "n": len(ms),
        "p50_ms": round(percentile(ms, 0.50), 1),
        "p95_ms": round(percentile(ms, 0.95), 1),
        "p99_ms": round(percentile(ms, 0.99), 1),
        "mean_ms": round(statistics.fmean(ms), 1),
        "max_ms": round(max(ms), 1),
    }


def load_day(data_dir: Path, sensors: int, seed: int, day: datetime, hours: int) -> dict:
    marker = data_dir / f"airq-bench-{sensors}-{seed}-{day:%Y%m%d}-{hours}.json"
    if marker.exists():
        return json.loads(marker.read_text())
    ensure_tables(SETTINGS)
    started, stored = time.monotonic(), 0
    with tempfile.TemporaryDirectory(prefix="airq-bench-feed-") as tmp:
        for hour in range(hours):
            at = day + timedelta(hours=hour, minutes=10)  # stamps stay inside the hour and the day
            path = Path(tmp) / "feed.json"
            with path.open("w") as handle:
                write_feed(generate(sensors, seed=seed, at=at), handle)
            outcome = ingest_once(str(path), SETTINGS)
            stored += outcome.stored
            print(f"  loaded {at:%H:%M}: {outcome.stored} readings in {outcome.seconds:.1f} s", flush=True)
    loaded = {"readings": stored, "seconds": round(time.monotonic() - started, 1), "snapshots": hours}
    marker.write_text(json.dumps(loaded))
    return loaded


def timed(session: requests.Session, url: str, params: dict[str, str]) -> float:
    started = time.perf_counter()
    response = session.get(url, params=params, timeout=60)
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise RuntimeError(f"{url} {params}: {response.status_code} {response.text[:300]}")
    return elapsed


def sequential(url: str, params: dict[str, str], count: int, warmup: int) -> dict[str, float]:
    with requests.Session() as session:
        for _ in range(warmup):
            timed(session, url, params)
        return figures([timed(session, url, params) for _ in range(count)])


def concurrent(url: str, params: dict[str, str], count: int, clients: int) -> dict[str, float]:
    def client(share: int) -> list[float]:
        with requests.Session() as session:
            return [timed(session, url, params) for _ in range(share)]

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        results = list(pool.map(client, [count // clients] * clients))
    wall = time.perf_counter() - started
    seconds = [s for part in results for s in part]
    return {**figures(seconds), "clients": clients, "requests_per_s": round(len(seconds) / wall, 1)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sensors", type=int, default=35_000)
    parser.add_argument("--hours", type=int, default=24)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--day", default="2026-12-02")
    parser.add_argument("--country", default="DE")
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--data", type=Path, default=ROOT / "var" / "bench-dynalite")
    args = parser.parse_args()
    day = datetime.fromisoformat(args.day).replace(tzinfo=UTC)
    logs = ROOT / "var" / "bench-logs"
    args.data.mkdir(parents=True, exist_ok=True)
    logs.mkdir(parents=True, exist_ok=True)

    dynalite = start_dynalite(args.data, logs)
    api = None
    try:
        env = {**aws_env(dynalite.url, f"http://127.0.0.1:{free_port()}"), "AIRQ_LOG_LEVEL": "WARNING"}
        os.environ.update(env)
        print(f"loading {args.hours} hourly snapshots of {args.sensors} sensors into {args.data} (once)")
        loaded = load_day(args.data, args.sensors, args.seed, day, args.hours)
        catalogue = Store(SETTINGS).country_summaries(args.day)
        partition = catalogue[args.country].readings
        print(f"{loaded['readings']} readings; {args.country} on {args.day}: {partition} readings")

        settings_env = {
            "AIRQ_READINGS_TABLE": SETTINGS.readings_table,
            "AIRQ_DAILY_TABLE": SETTINGS.daily_table,
            "AIRQ_JOBS_TABLE": SETTINGS.jobs_table,
            "AIRQ_RATE_LIMIT_PER_MINUTE": "100000000",
            "AIRQ_LOG_LEVEL": "INFO",  # as in production: one JSON access line per request
        }
        api = start_api({**env, **settings_env}, logs, "bench")
        readings = api.url + "/api/readings"
        country_day = {"country": args.country, "start": args.day, "end": args.day}
        results = {
            "machine": {"cores": os.cpu_count(), "load_average_1m": round(os.getloadavg()[0], 2)},
            "data": {**loaded, "country_day_readings": partition, "countries": len(catalogue)},
            "country_day_json_default_limit": sequential(readings, country_day, args.requests, args.warmup),
            "country_day_json_concurrent": concurrent(readings, country_day, args.requests, args.clients),
            "country_day_json_limit_1000": sequential(readings, {**country_day, "limit": "1000"}, 100, 10),
            "all_countries_very_high_page": sequential(
                readings, {"start": args.day, "end": args.day, "band": "Very High"}, 50, 5
            ),
            "countries_day": sequential(api.url + "/api/countries", {"day": args.day}, 200, 20),
            "summary_country_day": sequential(api.url + "/api/summary", country_day, 200, 20),
        }
        results["machine"]["load_average_1m_after"] = round(os.getloadavg()[0], 2)
        out = ROOT / "var" / "bench" / "api_latency.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(results, indent=2))
        print(json.dumps(results, indent=2))
        headline = results["country_day_json_default_limit"]
        print(
            f"\nGET /api/readings?country={args.country}&start={args.day}&end={args.day} (JSON, limit 100): "
            f"p50 {headline['p50_ms']} ms, p95 {headline['p95_ms']} ms over {headline['n']} sequential "
            f"requests; {os.cpu_count()} cores; written to {out}"
        )
        return 0
    finally:
        if api is not None:
            api.stop()
        dynalite.stop()


if __name__ == "__main__":
    sys.exit(main())
