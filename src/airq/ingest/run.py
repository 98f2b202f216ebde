"""One ingest run: load a snapshot, QA it, store it (or print it for a dry run)."""

from __future__ import annotations

import json
import logging
import sys
import time
from dataclasses import dataclass
from typing import IO, Any

from airq import aws
from airq.config import Settings
from airq.feed import REJECT_REASONS, ParseResult, load_feed
from airq.ingest import metrics
from airq.store import Store

log = logging.getLogger(__name__)


@dataclass
class IngestOutcome:
    source: str
    entries: int
    accepted: int
    rejected: dict[str, int]
    stored: int
    country_days: int
    seconds: float
    parse_seconds: float
    write_seconds: float
    summary_seconds: float

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def load(source: str, settings: Settings) -> ParseResult:
    result = load_feed(
        source, timeout=settings.feed_timeout, retries=settings.feed_retries, backoff=settings.feed_backoff
    )
    for reason in REJECT_REASONS:
        if result.rejected.get(reason):
            metrics.ROWS_REJECTED.labels(reason=reason).inc(result.rejected[reason])
    log.info(
        "feed parsed",
        extra={
            "source": source,
            "entries": result.entries,
            "accepted": result.accepted,
            "rejected": dict(result.rejected),
        },
    )
    return result


def print_dry_run(result: ParseResult, out: IO[str] = sys.stdout, err: IO[str] = sys.stderr) -> None:
    for reading in result.readings:
        out.write(json.dumps(reading.as_dict(), separators=(",", ":")) + "\n")
    summary = {"entries": result.entries, "accepted": result.accepted, "rejected": dict(result.rejected)}
    err.write(json.dumps(summary) + "\n")


def store_snapshot(
    result: ParseResult, settings: Settings, store: Store | None = None
) -> tuple[int, int, float]:
    """Write the readings, then refresh the summaries; returns (stored, country-days, write seconds)."""
    store = store or Store(settings)
    started = time.monotonic()
    report = store.put_readings(result.readings)
    write_seconds = time.monotonic() - started
    metrics.WRITE_RETRIES.inc(report.retries)
    country_days = store.refresh_summaries(result.readings)
    return report.items, country_days, write_seconds


def publish_cloudwatch(settings: Settings, outcome: IngestOutcome) -> None:
    """Custom metrics for the CloudWatch dashboard and the ingest-stale alarm (AWS only)."""
    if not settings.cloudwatch_namespace:
        return
    rejected = sum(outcome.rejected.values())
    aws.client("cloudwatch").put_metric_data(
        Namespace=settings.cloudwatch_namespace,
        MetricData=[
            {"MetricName": "IngestSucceeded", "Value": 1, "Unit": "Count"},
            {"MetricName": "IngestRowsAccepted", "Value": outcome.accepted, "Unit": "Count"},
            {"MetricName": "IngestRowsRejected", "Value": rejected, "Unit": "Count"},
        ],
    )


def ingest_once(source: str, settings: Settings, store: Store | None = None) -> IngestOutcome:
    """Fetch, QA and store one snapshot. Raises FeedError or StoreError/boto errors on failure."""
    started = time.monotonic()
    with metrics.DURATION.time():
        result = load(source, settings)
        parsed = time.monotonic()
        stored, country_days, write_seconds = store_snapshot(result, settings, store)
    finished = time.monotonic()
    outcome = IngestOutcome(
        source=source,
        entries=result.entries,
        accepted=result.accepted,
        rejected=dict(result.rejected),
        stored=stored,
        country_days=country_days,
        seconds=round(finished - started, 3),
        parse_seconds=round(parsed - started, 3),
        write_seconds=round(write_seconds, 3),
        summary_seconds=round(finished - parsed - write_seconds, 3),
    )
    metrics.ROWS_ACCEPTED.inc(stored)
    metrics.LAST_SUCCESS.set_to_current_time()
    metrics.RUNS.labels(outcome="success").inc()
    log.info("snapshot stored", extra=outcome.as_dict())
    try:
        publish_cloudwatch(settings, outcome)
    except Exception as exc:  # metrics must never fail a stored snapshot
        log.warning("could not publish CloudWatch metrics", extra={"error": str(exc)})
    return outcome
