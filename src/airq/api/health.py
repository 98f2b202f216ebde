"""/healthz (the process answers), /readyz (its dependencies answer), /metrics (Prometheus).

These three are never rate-limited or shed: orchestrators and Prometheus must always get through.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify

from airq import aws, jobs
from airq.api import context
from airq.api.errors import RETRY_AFTER_SECONDS
from airq.api.metrics import metrics_response

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> Any:
    return jsonify({"status": "ok"})


@bp.get("/readyz")
def readyz() -> Any:
    settings, store = context.settings(), context.store()
    checks = {
        "dynamodb": store.ping,  # DescribeTable on the readings table
        "sqs": lambda: jobs.queue_url(settings),  # the exports queue exists
        "s3": lambda: aws.client("s3").head_bucket(Bucket=settings.exports_bucket),
    }

    def run(name: str) -> str:
        try:
            checks[name]()
            return "ok"
        except Exception as exc:  # any failure means "not ready"; the message says which
            return f"failed: {type(exc).__name__}: {exc}"[:300]

    names = list(checks)
    results = dict(zip(names, context.map_parallel(run, names), strict=True))
    failed = [name for name, result in results.items() if result != "ok"]
    response = jsonify({"status": "unavailable" if failed else "ready", "checks": results, "failed": failed})
    if failed:
        response.status_code = 503
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


@bp.get("/metrics")
def metrics() -> Any:
    return metrics_response()
