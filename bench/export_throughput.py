"""Export benchmark: rows/s of `airq-worker` with one and with two workers. Not a test.

Stand-ins: dynalite (DynamoDB) and moto server (SQS, S3), fresh, on free ports of 127.0.0.1. Data: one
generated day of hourly snapshots. Each run queues the same all-country, whole-day export several
times on its own queue and times the real `airq-worker` processes from the first submit to the last
job recorded done. A query-only pass (iter_readings, no CSV, no S3) gives the ceiling.

    make bench-export            (or: .venv/bin/python bench/export_throughput.py --sensors 8000)
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.standins import aws_env, start_dynalite, start_moto  # noqa: E402
from tests.support.worker_process import start_worker  # noqa: E402

from airq.config import Settings  # noqa: E402
from airq.feedgen import generate, write_feed  # noqa: E402
from airq.ingest.run import ingest_once  # noqa: E402
from airq.jobs import DONE, FAILED, JobStore, submit_export  # noqa: E402
from airq.query import ReadingQuery, iter_readings  # noqa: E402
from airq.resources import ensure_bucket, ensure_queues, ensure_tables  # noqa: E402
from airq.store import Store  # noqa: E402

DAY = datetime(2026, 12, 3, tzinfo=UTC)


def cpu_seconds(pid: int) -> float:
    times = psutil.Process(pid).cpu_times()
    return times.user + times.system


def run(
    settings: Settings,
    env: dict[str, str],
    work: Path,
    workers: int,
    jobs: int,
    query: ReadingQuery,
    standins: list[int],
):
    ensure_tables(settings)
    ensure_queues(settings)
    ensure_bucket(settings)
    processes = [
        start_worker(
            env, settings, work, options={"AIRQ_LOG_LEVEL": "WARNING", "AIRQ_WORKER_WAIT_SECONDS": "20"}
        )
        for _ in range(workers)
    ]
    try:
        store = JobStore(settings)
        standin_cpu = sum(cpu_seconds(pid) for pid in standins)
        worker_cpu = sum(cpu_seconds(p.pid) for p in processes)  # start-up excluded
        started = time.monotonic()
        ids = [submit_export(settings, query, store).job_id for _ in range(jobs)]
        pending = set(ids)
        finished: dict[str, object] = {}
        deadline = started + 1800
        while pending:
            if time.monotonic() > deadline:
                raise SystemExit(f"jobs not done after 30 min: {sorted(pending)}")
            for job_id in list(pending):
                job = store.get(job_id)
                if job and job.status in (DONE, FAILED):
                    if job.status == FAILED:
                        raise SystemExit(f"job {job_id} failed: {job.error}")
                    finished[job_id] = job
                    pending.discard(job_id)
            time.sleep(0.05)
        seconds = time.monotonic() - started
        worker_cpu = sum(cpu_seconds(p.pid) for p in processes) - worker_cpu
        standin_cpu = sum(cpu_seconds(pid) for pid in standins) - standin_cpu
    finally:
        for process in processes:
            process.stop()
    rows = sum(job.rows for job in finished.values())  # type: ignore[attr-defined]
    size = sum(job.size_bytes for job in finished.values())  # type: ignore[attr-defined]
    return rows, size, seconds, worker_cpu, standin_cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sensors", type=int, default=8000, help="feed entries per snapshot")
    parser.add_argument("--snapshots", type=int, default=6, help="hourly snapshots of the day")
    parser.add_argument("--jobs", type=int, default=4, help="exports per run")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="airq-bench-export-") as tmp:
        work = Path(tmp)
        dynalite = start_dynalite(work / "db", work)
        moto = start_moto(work)
        try:
            env = aws_env(dynalite.url, moto.url)
            os.environ.update(env)
            base = Settings(readings_table="bench-readings", daily_table="bench-daily", bind_host="127.0.0.1")
            ensure_tables(base)
            store = Store(base)
            loaded = time.monotonic()
            for hour in range(args.snapshots):
                feed = work / f"feed-{hour}.json"
                with feed.open("w") as handle:
                    write_feed(
                        generate(args.sensors, seed=1, at=DAY + timedelta(hours=hour, minutes=5)), handle
                    )
                ingest_once(str(feed), base, store)
            load_seconds = time.monotonic() - loaded
            query = ReadingQuery(start=f"{DAY:%Y-%m-%d}T00:00:00Z", end=f"{DAY:%Y-%m-%d}T23:59:59Z")

            started = time.monotonic()
            query_rows = sum(1 for _ in iter_readings(store, query))
            query_seconds = time.monotonic() - started

            load_before = os.getloadavg()[0]
            results = {}
            for workers in (1, 2):
                settings = dataclasses.replace(
                    base,
                    jobs_table=f"bench{workers}-jobs",
                    exports_queue=f"bench{workers}-exports",
                    exports_dlq=f"bench{workers}-exports-dlq",
                    exports_bucket=f"bench{workers}-exports",
                    metrics_port=0,
                )
                results[workers] = run(
                    settings, env, work, workers, args.jobs, query, [dynalite.process.pid, moto.process.pid]
                )
            load_after = os.getloadavg()[0]
        finally:
            moto.stop()
            dynalite.stop()

    print(
        f"machine: {os.cpu_count()} cores; data: {args.snapshots} hourly snapshots of {args.sensors} entries "
        f"= {query_rows} readings in one day (loaded in {load_seconds:.1f} s)"
    )
    rate = query_rows / query_seconds
    print(f"query only (iter_readings, in process)  {query_seconds:7.2f} s  {rate:8.0f} rows/s")
    for workers, (rows, size, seconds, worker_cpu, standin_cpu) in results.items():
        label = (
            f"{workers} worker{'s' if workers > 1 else ' '}, {args.jobs} exports of {rows // args.jobs} rows"
        )
        print(
            f"{label:40s} {seconds:7.2f} s  {rows / seconds:8.0f} rows/s  {size / seconds / 2**20:6.2f} MiB/s"
            f"  (CPU s: workers {worker_cpu:.1f}, stand-ins {standin_cpu:.1f})"
        )
    one, two = (results[n][0] / results[n][2] for n in (1, 2))
    print(f"scaling 1 -> 2 workers: {two / one:.2f}x")
    print(f"load average (1 min) before/after the runs: {load_before:.1f} / {load_after:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
