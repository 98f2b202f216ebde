"""Prometheus metrics of the export worker (one process per worker: the default registry)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

# What became of each message a worker handled:
#   done       the export was written and its job recorded done (message deleted)
#   duplicate  the job was already done (a duplicate delivery; message deleted, nothing rewritten)
#   retried    the attempt failed and the message will be delivered again after a backoff
#   failed     the job was marked failed: last attempt failed, or the message is poison
#   released   the worker stopped (SIGTERM) before finishing; the message is visible again at once
#   dead_letter  the message is left for the dead-letter queue: poison naming no job, or a
#              redelivery of a job already failed
OUTCOMES = ("done", "duplicate", "retried", "failed", "released", "dead_letter")

JOBS = Counter("airq_worker_jobs_total", "Export messages handled, by outcome", ["state"])
DURATION = Histogram(
    "airq_worker_job_duration_seconds",
    "Duration of one export attempt, by outcome",
    ["state"],
    buckets=(0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600),
)
ROWS = Counter("airq_worker_rows_exported_total", "Rows written to completed export files")
BYTES = Counter("airq_worker_bytes_exported_total", "Bytes written to completed export files")
QUEUE_DEPTH = Gauge("airq_worker_queue_depth", "Export messages waiting (ApproximateNumberOfMessages)")
QUEUE_IN_FLIGHT = Gauge(
    "airq_worker_queue_in_flight", "Export messages being worked on (ApproximateNumberOfMessagesNotVisible)"
)
DLQ_DEPTH = Gauge("airq_worker_dlq_depth", "Messages in the exports dead-letter queue")
BUSY = Gauge("airq_worker_busy", "1 while this worker is running an export")
DLQ_SWEPT = Counter(
    "airq_worker_dlq_jobs_failed_total", "Jobs marked failed because their message was found in the DLQ"
)

for _state in OUTCOMES:
    JOBS.labels(state=_state)
