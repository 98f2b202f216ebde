"""Ingest benchmark: a 35,000-entry generated feed into a fresh dynalite, against one put_item per
reading on the same stand-in. Prints rows/s, peak RSS and the phase breakdown. Not a test.

    make bench-ingest            (or: .venv/bin/python bench/ingest_throughput.py --sensors 35000)
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.standins import aws_env, start_dynalite  # noqa: E402

from airq.config import Settings  # noqa: E402
from airq.feed import load_feed  # noqa: E402
from airq.items import reading_to_item  # noqa: E402
from airq.resources import ensure_tables  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sensors", type=int, default=35_000)
    parser.add_argument("--baseline-rows", type=int, default=4000, help="rows for the put_item baseline")
    args = parser.parse_args()
    bin_dir = Path(sys.executable).parent

    with tempfile.TemporaryDirectory(prefix="airq-bench-") as tmp:
        work = Path(tmp)
        dynalite = start_dynalite(work / "db", work)
        try:
            env = {**os.environ, **aws_env(dynalite.url, "http://127.0.0.1:9"), "AIRQ_LOG_LEVEL": "WARNING"}
            os.environ.update(aws_env(dynalite.url, "http://127.0.0.1:9"))
            feed = work / "feed.json"
            at = datetime(2026, 12, 3, 10, tzinfo=UTC).isoformat()
            subprocess.run(
                [
                    bin_dir / "airq-feedgen",
                    "--sensors",
                    str(args.sensors),
                    "--seed",
                    "1",
                    "--time",
                    at,
                    "--out",
                    feed,
                ],
                check=True,
            )
            settings = Settings(
                readings_table="bench-readings", daily_table="bench-daily", jobs_table="bench-jobs"
            )
            ensure_tables(settings)

            # The real CLI in a child process, so its peak RSS is its own.
            probe = (
                "import json,sys; from airq.config import Settings; from airq.ingest.run import ingest_once;"
                "s=Settings.from_env(); o=ingest_once(sys.argv[1], s); print(json.dumps(o.as_dict()))"
            )
            child_env = {**env, "AIRQ_READINGS_TABLE": "bench-readings", "AIRQ_DAILY_TABLE": "bench-daily"}
            done = subprocess.run(
                [sys.executable, "-c", probe, str(feed)],
                env=child_env,
                check=True,
                capture_output=True,
                text=True,
            )
            outcome = json.loads(done.stdout)
            peak_rss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024

            # Baseline: one PutItem per reading, sequential, same stand-in, a fresh table.
            baseline = Settings(
                readings_table="base-readings", daily_table="base-daily", jobs_table="base-jobs"
            )
            ensure_tables(baseline)
            from airq import aws

            client = aws.client("dynamodb")
            readings = load_feed(str(feed)).readings[: args.baseline_rows]
            started = time.monotonic()
            for reading in readings:
                client.put_item(TableName="base-readings", Item=reading_to_item(reading, 90))
            put_seconds = time.monotonic() - started
        finally:
            dynalite.stop()

    batch_rate = outcome["stored"] / outcome["write_seconds"]
    end_to_end_rate = outcome["stored"] / outcome["seconds"]
    put_rate = len(readings) / put_seconds
    print(
        f"machine: {os.cpu_count()} cores; feed: {outcome['entries']} entries, "
        f"{outcome['stored']} readings stored"
    )
    print(f"  parse + QA          {outcome['parse_seconds']:8.2f} s")
    print(f"  batch write         {outcome['write_seconds']:8.2f} s  {batch_rate:8.0f} rows/s")
    print(
        f"  summaries           {outcome['summary_seconds']:8.2f} s  ({outcome['country_days']} country-days)"
    )
    print(f"  end to end          {outcome['seconds']:8.2f} s  {end_to_end_rate:8.0f} rows/s")
    print(f"  peak RSS            {peak_rss_mb:8.1f} MB")
    print(f"baseline put_item x{len(readings)}: {put_seconds:.2f} s, {put_rate:.0f} rows/s")
    print(f"speed-up: batch write {batch_rate / put_rate:.1f}x, end to end {end_to_end_rate / put_rate:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
