"""Ingest benchmark: a 35,000-entry generated feed into a fresh dynalite, against one put_item per
reading on the same stand-in. Prints rows/s, peak RSS and the phase breakdown. Not a test.

    make bench-ingest            (or: .venv/bin/python bench/ingest_throughput.py --sensors 35000)

Both are run three times (--runs), alternately and each into fresh tables, and the medians are
compared: on a 2-core machine shared with the stand-in, single runs vary by ±20 %. On loopback the
stand-in answers a put in well under a millisecond, so the comparison is capped by dynalite's one
JavaScript thread rather than by round trips; a second pass goes through a proxy that adds a fixed
delay per request (--network-ms, 3 ms by default), a model of a network hop to DynamoDB, where
round trips, not the server, bound one-put-per-reading.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.faultproxy import FaultProxy  # noqa: E402
from tests.support.standins import aws_env, start_dynalite  # noqa: E402

from airq.config import Settings  # noqa: E402
from airq.feed import load_feed  # noqa: E402
from airq.items import reading_to_item  # noqa: E402
from airq.resources import ensure_tables  # noqa: E402


def ingest_run(feed: Path, env: dict[str, str], prefix: str) -> dict:
    """The real ingest (parse, QA, batch write, summaries) in a child process, so its peak RSS is
    its own, into fresh tables."""
    ensure_tables(Settings(readings_table=f"{prefix}-readings", daily_table=f"{prefix}-daily",
                           jobs_table=f"{prefix}-jobs"))  # fmt: skip
    probe = (
        "import json,sys; from airq.config import Settings; from airq.ingest.run import ingest_once;"
        "s=Settings.from_env(); o=ingest_once(sys.argv[1], s); print(json.dumps(o.as_dict()))"
    )
    child_env = {**env, "AIRQ_READINGS_TABLE": f"{prefix}-readings", "AIRQ_DAILY_TABLE": f"{prefix}-daily"}
    done = subprocess.run(
        [sys.executable, "-c", probe, str(feed)], env=child_env, check=True, capture_output=True, text=True
    )
    return json.loads(done.stdout)


def put_item_run(readings: list, table_prefix: str) -> float:
    """Baseline: one PutItem per reading, one after the other, into a fresh table. Rows/s."""
    ensure_tables(Settings(readings_table=f"{table_prefix}-readings", daily_table=f"{table_prefix}-daily",
                           jobs_table=f"{table_prefix}-jobs"))  # fmt: skip
    from airq import aws

    client = aws.client("dynamodb")
    started = time.monotonic()
    for reading in readings:
        client.put_item(TableName=f"{table_prefix}-readings", Item=reading_to_item(reading, 90))
    return len(readings) / (time.monotonic() - started)


def measure(feed: Path, readings: list, endpoint: str, runs: int, label: str) -> dict:
    """Both paths against one DynamoDB endpoint, alternately (so a slower spell of the machine does
    not favour either), each run into fresh tables; medians of the runs."""
    # put_item_run's client reads the endpoint from this process's environment, the ingest child
    # from `env`.
    os.environ.update(aws_env(endpoint, "http://127.0.0.1:9"))
    env = {**os.environ, "AIRQ_LOG_LEVEL": "WARNING"}
    outcomes, put_rates = [], []
    for run in range(runs):
        outcomes.append(ingest_run(feed, env, f"{label}batch{run}"))
        put_rates.append(put_item_run(readings, f"{label}put{run}"))
    batch_rates = [o["stored"] / o["write_seconds"] for o in outcomes]
    median_run = sorted(range(runs), key=batch_rates.__getitem__)[runs // 2]
    return {
        "outcome": outcomes[median_run],
        "batch_rates": batch_rates,
        "end_to_end_rates": [o["stored"] / o["seconds"] for o in outcomes],
        "put_rates": put_rates,
    }


def report(figures: dict, baseline_rows: int) -> None:
    outcome = figures["outcome"]
    batch_rate, end_to_end_rate, put_rate = (
        statistics.median(figures[k]) for k in ("batch_rates", "end_to_end_rates", "put_rates")
    )
    print(f"  parse + QA          {outcome['parse_seconds']:8.2f} s")
    print(f"  batch write         {outcome['write_seconds']:8.2f} s  {batch_rate:8.0f} rows/s")
    print(
        f"  summaries           {outcome['summary_seconds']:8.2f} s  ({outcome['country_days']} country-days)"
    )
    print(f"  end to end          {outcome['seconds']:8.2f} s  {end_to_end_rate:8.0f} rows/s")
    print(f"  baseline put_item x{baseline_rows}: {put_rate:.0f} rows/s")
    speed_ups = f"batch write {batch_rate / put_rate:.1f}x, end to end {end_to_end_rate / put_rate:.1f}x"
    print(f"  speed-up: {speed_ups}")
    print(
        "  every run (rows/s): batch write " + ", ".join(f"{r:.0f}" for r in figures["batch_rates"])
        + "; end to end " + ", ".join(f"{r:.0f}" for r in figures["end_to_end_rates"])
        + "; put_item " + ", ".join(f"{r:.0f}" for r in figures["put_rates"])
    )  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sensors", type=int, default=35_000)
    parser.add_argument("--baseline-rows", type=int, default=3000, help="rows for each put_item baseline run")
    parser.add_argument("--runs", type=int, default=3, help="runs of each; the median is reported")
    parser.add_argument(
        "--network-ms", type=float, default=3.0,
        help="also measure through a proxy that adds this round trip to every request (0: skip)",
    )  # fmt: skip
    args = parser.parse_args()
    bin_dir = Path(sys.executable).parent

    with tempfile.TemporaryDirectory(prefix="airq-bench-") as tmp:
        work = Path(tmp)
        dynalite = start_dynalite(work / "db", work)
        try:
            feed = work / "feed.json"
            at = datetime(2026, 12, 3, 10, tzinfo=UTC).isoformat()
            subprocess.run(
                [bin_dir / "airq-feedgen", "--sensors", str(args.sensors), "--seed", "1", "--time", at,
                 "--out", feed],
                check=True,
            )  # fmt: skip
            readings = load_feed(str(feed)).readings[: args.baseline_rows]
            loopback = measure(feed, readings, dynalite.url, args.runs, "loop")
            networked = None
            if args.network_ms > 0:
                proxy = FaultProxy(dynalite.url)
                proxy.delay_seconds = args.network_ms / 1000
                try:
                    networked = measure(feed, readings, proxy.url, args.runs, "net")
                finally:
                    proxy.close()
            peak_rss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        finally:
            dynalite.stop()

    outcome = loopback["outcome"]
    print(
        f"machine: {os.cpu_count()} cores; feed: {outcome['entries']} entries, "
        f"{outcome['stored']} readings stored; median of {args.runs} runs each"
    )
    print(f"peak RSS {peak_rss_mb:.1f} MB (the largest child: an ingest or airq-feedgen)")
    print("dynalite on loopback (the stand-in's one thread is the limit):")
    report(loopback, len(readings))
    if networked is not None:
        print(f"through a proxy adding {args.network_ms:g} ms per request (a modelled network round trip):")
        report(networked, len(readings))
    return 0


if __name__ == "__main__":
    sys.exit(main())
