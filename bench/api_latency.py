"""API latency benchmark: p50/p95 of a country-day GET /api/readings (JSON, default limit, DE) with
1 day and with 7 days of hourly snapshots in dynalite (airq-feedgen --sensors 35000, same seed, 24
snapshots a day). Not a test.

    make bench-api            (or: .venv/bin/python bench/api_latency.py [--days 1,7] [--requests 500])

Each store is loaded once and reused (a marker file per day records what is there): 1 day in
var/bench-dynalite (about 470,000 readings, ~2 minutes here), 7 days in var/bench-dynalite-7d
(about 3.3 million, started from a copy of the 1-day store: ~15 more minutes the first time).
The API runs as in production: gunicorn with services/api/gunicorn.conf.py (2 workers), on
127.0.0.1. Latency is measured by the client, one request at a time on a kept-alive connection,
then with concurrent clients; the same page is timed from the result cache and with the cache off
(every request reads DynamoDB); a few other routes, and with 7 days a 7-day country query, are
timed for context. The machine's cores and load are printed with the figures, since other work on
the machine moves them.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
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


def measure(args: argparse.Namespace, data_dir: Path, days: list[datetime], logs: Path) -> dict:
    """Load `days` into the dynalite in `data_dir` (once), start the API on it and time it."""
    data_dir.mkdir(parents=True, exist_ok=True)
    dynalite = start_dynalite(data_dir, logs)
    api = None
    try:
        env = {**aws_env(dynalite.url, f"http://127.0.0.1:{free_port()}"), "AIRQ_LOG_LEVEL": "WARNING"}
        os.environ.update(env)
        loaded = {"readings": 0, "seconds": 0.0, "snapshots": 0}
        for day in days:
            print(f"{data_dir.name}: {day:%Y-%m-%d}, {args.hours} hourly snapshots of {args.sensors} sensors")
            for key, value in load_day(data_dir, args.sensors, args.seed, day, args.hours).items():
                loaded[key] += value
        query_day = f"{days[-1]:%Y-%m-%d}"
        catalogue = Store(SETTINGS).country_summaries(query_day)
        partition = catalogue[args.country].readings
        print(f"{loaded['readings']} readings; {args.country} on {query_day}: {partition} readings")

        settings_env = {
            "AIRQ_READINGS_TABLE": SETTINGS.readings_table,
            "AIRQ_DAILY_TABLE": SETTINGS.daily_table,
            "AIRQ_JOBS_TABLE": SETTINGS.jobs_table,
            "AIRQ_RATE_LIMIT_PER_MINUTE": "100000000",
            "AIRQ_LOG_LEVEL": "INFO",  # as in production: one JSON access line per request
        }
        api = start_api({**env, **settings_env}, logs, "bench")
        readings = api.url + "/api/readings"
        country_day = {"country": args.country, "start": query_day, "end": query_day}
        # The same page for every request is the result cache's best case; these also time the
        # uncached path, with the cache off (a process restart would do the same).
        uncached = start_api({**env, **settings_env, "AIRQ_RESULT_CACHE_MB": "0"}, logs, "bench-nocache")
        try:
            results = {
                "days_loaded": len(days),
                "data": {**loaded, "country_day_readings": partition, "countries": len(catalogue)},
                "country_day_json_default_limit": sequential(
                    readings, country_day, args.requests, args.warmup
                ),
                "country_day_json_concurrent": concurrent(readings, country_day, args.requests, args.clients),
                "country_day_json_uncached": sequential(
                    uncached.url + "/api/readings", country_day, args.requests, args.warmup
                ),
                "country_day_json_uncached_concurrent": concurrent(
                    uncached.url + "/api/readings", country_day, args.requests, args.clients
                ),
                "country_day_json_limit_1000": sequential(
                    readings, {**country_day, "limit": "1000"}, 100, 10
                ),
                "all_countries_very_high_page": sequential(
                    readings, {"start": query_day, "end": query_day, "band": "Very High"}, 50, 5
                ),
                "countries_day": sequential(api.url + "/api/countries", {"day": query_day}, 200, 20),
                "summary_country_day": sequential(api.url + "/api/summary", country_day, 200, 20),
            }
            if len(days) > 1:
                every_day = {"country": args.country, "start": f"{days[0]:%Y-%m-%d}", "end": query_day}
                results[f"country_{len(days)}_days_json_uncached"] = sequential(
                    uncached.url + "/api/readings", every_day, 100, 10
                )
        finally:
            uncached.stop()
        return results
    finally:
        if api is not None:
            api.stop()
        dynalite.stop()


def seed_from(smaller: Path, larger: Path) -> None:
    """Start the larger store from a copy of the smaller one, whose days it shares, if it has none."""
    if not larger.exists() and smaller.exists():
        print(f"copying {smaller} to {larger} (the days they share are not loaded twice)")
        shutil.copytree(smaller, larger)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sensors", type=int, default=35_000)
    parser.add_argument("--hours", type=int, default=24)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--day", default="2026-12-02", help="the day queried (the last day loaded)")
    parser.add_argument("--days", default="1,7", help="days of data to measure against, e.g. 1 or 1,7")
    parser.add_argument("--country", default="DE")
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--data", type=Path, default=ROOT / "var", help="parent of the dynalite folders")
    args = parser.parse_args()
    last = datetime.fromisoformat(args.day).replace(tzinfo=UTC)
    logs = ROOT / "var" / "bench-logs"
    logs.mkdir(parents=True, exist_ok=True)

    runs = {}
    previous = None
    for count in sorted(int(n) for n in args.days.split(",")):
        data_dir = args.data / ("bench-dynalite" if count == 1 else f"bench-dynalite-{count}d")
        if previous is not None:
            seed_from(previous, data_dir)
        days = [last - timedelta(days=count - 1 - n) for n in range(count)]
        runs[f"{count}d"] = measure(args, data_dir, days, logs)
        previous = data_dir

    results = {
        "machine": {"cores": os.cpu_count(), "load_average_1m": round(os.getloadavg()[0], 2)},
        "runs": runs,
    }
    out = ROOT / "var" / "bench" / "api_latency.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))
    print(
        f"\nGET /api/readings?country={args.country}&start={args.day}&end={args.day} (JSON, limit 100), "
        f"{os.cpu_count()} cores, sequential requests on one kept-alive connection:"
    )
    print(
        "| data in the table | readings | cached p50 ms | cached p95 ms | uncached p50 ms | uncached p95 ms |"
        f" uncached p95 ms, {args.clients} clients |"
    )
    print("|---|---|---|---|---|---|---|")
    for run in runs.values():
        cached, cold = run["country_day_json_default_limit"], run["country_day_json_uncached"]
        busy = run["country_day_json_uncached_concurrent"]
        print(
            f"| {run['days_loaded']} day(s) of hourly snapshots | {run['data']['readings']} | "
            f"{cached['p50_ms']} | {cached['p95_ms']} | {cold['p50_ms']} | {cold['p95_ms']} | "
            f"{busy['p95_ms']} |"
        )
    print(f"written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
