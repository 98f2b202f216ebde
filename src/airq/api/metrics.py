"""Prometheus metrics of the API (DESIGN §9: `airq_` prefix, seconds, `_total` counters).

Under gunicorn, PROMETHEUS_MULTIPROC_DIR is set (services/api/gunicorn.conf.py) before this module is
imported, so every worker writes its values to files there and /metrics sums them; without it (the
Flask test client) the default in-process registry is used.
"""

from __future__ import annotations

import os

from flask import Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

REQUESTS = Counter("airq_http_requests_total", "HTTP requests answered", ["route", "method", "status"])
DURATION = Histogram(
    "airq_http_request_duration_seconds",
    "Time to answer a request, to the last byte of a streamed body",
    ["route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
IN_FLIGHT = Gauge("airq_http_requests_in_flight", "Requests being handled now", multiprocess_mode="livesum")
REJECTED = Counter(
    "airq_http_requests_rejected_total",
    "Requests refused before doing any work: rate_limited (429) or overloaded (503)",
    ["reason"],
)
QUERIES_QUEUED = Counter(
    "airq_query_queued_total",
    "POST /api/query answered 202 with an export job instead of CSV: large or overloaded",
    ["reason"],
)
RESULT_CACHE = Counter(
    "airq_result_cache_requests_total",
    "Answers looked up in the result cache (CSV answers and pages), by outcome: hit or miss",
    ["outcome"],
)
EXPORTS_SUBMITTED = Counter(
    "airq_export_jobs_submitted_total", "Export jobs queued, by the route that queued them", ["route"]
)


def metrics_response() -> Response:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        body = generate_latest(registry)
    else:
        body = generate_latest(REGISTRY)
    return Response(body, content_type=CONTENT_TYPE_LATEST)
