"""Ingest benchmark: a 35,000-entry generated feed into a fresh dynalite, against one put_item per
reading on the same stand-in. Prints rows/s, peak RSS and the phase breakdown. Not a test.

    make bench-ingest            (or: .venv/bin/python bench/ingest_throughput.py --sensors 35000)

Both are run three times (--runs), alternately and each into fresh tables, and the medians are
compared: on a 2-core machine shared with the stand-in, single runs vary by ±20 %.
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sensors", type=int, default=35_000)
    parser.add_argument("--baseline-rows", type=int, default=3000, help="rows for each put_item baseline run")
    parser.add_argument("--runs", type=int, default=3, help="runs of each; the median is reported")
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
                [bin_dir / "airq-feedgen", "--sensors", str(args.sensors), "--seed", "1", "--time", at,
                 "--out", feed],
                check=True,
            )  # fmt: skip
            readings = load_feed(str(feed)).readings[: args.baseline_rows]
            # Alternate the two, so a slower spell of the machine does not favour either.
            outcomes, put_rates = [], []
            for run in range(args.runs):
                outcomes.append(ingest_run(feed, env, f"batch{run}"))
                put_rates.append(put_item_run(readings, f"put{run}"))
            peak_rss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        finally:
            dynalite.stop()

    batch_rates = [o["stored"] / o["write_seconds"] for o in outcomes]
    end_to_end_rates = [o["stored"] / o["seconds"] for o in outcomes]
    outcome = sorted(outcomes, key=lambda o: o["stored"] / o["write_seconds"])[len(outcomes) // 2]
    batch_rate, end_to_end_rate, put_rate = (
        statistics.median(batch_rates), statistics.median(end_to_end_rates), statistics.median(put_rates)
    )  # fmt: skip
    print(
        f"machine: {os.cpu_count()} cores; feed: {outcome['entries']} entries, "
        f"{outcome['stored']} readings stored; median of {args.runs} runs each"
    )
    print(f"  parse + QA          {outcome['parse_seconds']:8.2f} s")
    print(f"  batch write         {outcome['write_seconds']:8.2f} s  {batch_rate:8.0f} rows/s")
    print(
        f"  summaries           {outcome['summary_seconds']:8.2f} s  ({outcome['country_days']} country-days)"
    )
    print(f"  end to end          {outcome['seconds']:8.2f} s  {end_to_end_rate:8.0f} rows/s")
    print(f"  peak RSS            {peak_rss_mb:8.1f} MB (the largest child: an ingest or airq-feedgen)")
    print(f"baseline put_item x{len(readings)}: {put_rate:.0f} rows/s")
    print(f"speed-up: batch write {batch_rate / put_rate:.1f}x, end to end {end_to_end_rate / put_rate:.1f}x")
    print(
        "every run (rows/s): batch write " + ", ".join(f"{r:.0f}" for r in batch_rates)
        + "; end to end " + ", ".join(f"{r:.0f}" for r in end_to_end_rates)
        + "; put_item " + ", ".join(f"{r:.0f}" for r in put_rates)
    )  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
