"""Prometheus metrics of the ingest service."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

ROWS_ACCEPTED = Counter("airq_ingest_rows_accepted_total", "Feed entries accepted and stored")
ROWS_REJECTED = Counter("airq_ingest_rows_rejected_total", "Feed entries rejected by QA", ["reason"])
RUNS = Counter("airq_ingest_runs_total", "Ingest runs by outcome", ["outcome"])
LAST_SUCCESS = Gauge("airq_ingest_last_success_timestamp_seconds", "Unix time of the last stored snapshot")
DURATION = Histogram(
    "airq_ingest_duration_seconds",
    "Duration of one ingest run (fetch, parse, store)",
    buckets=(1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600),
)
WRITE_RETRIES = Counter(
    "airq_ingest_write_retries_total", "BatchWriteItem calls retried for UnprocessedItems"
)
