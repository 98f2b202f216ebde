"""Asynchronous exports and the original client's query route.

POST /api/exports        filters as JSON → 202 {job_id, status, status_url} (+ Location)
GET  /api/exports/<id>   the job: status, progress, rows, download_url (presigned, when done), error
GET  /api/results/<id>   the same (the original client's name for it)
POST /api/query          the original client's body → 200 CSV when small and the service is not
                         overloaded, else 202 with a job, as for /api/exports
"""

from __future__ import annotations

import json
import re
from typing import Any

from flask import Blueprint, g, jsonify, request, url_for

from airq import jobs
from airq.api import context
from airq.api.errors import ApiError
from airq.api.metrics import EXPORTS_SUBMITTED, QUERIES_QUEUED
from airq.api.paging import too_large_for_sync
from airq.api.readings import cached_csv, csv_response
from airq.query import ReadingQuery
from airq.validation import parse_client_body, parse_export_body

bp = Blueprint("exports", __name__)

JOB_ID = re.compile(r"[0-9a-f]{32}")  # uuid4().hex, as airq.jobs issues them
MAX_BODY_BYTES = 64 * 1024  # the largest request body (MAX_CONTENT_LENGTH): filters are tiny


def json_body() -> dict[str, Any]:
    """The request's JSON object: 415 unless it says it is JSON, 413 over MAX_CONTENT_LENGTH
    (werkzeug raises it while reading), 400 when it does not parse or is not an object."""
    if not request.is_json:
        raise ApiError(
            415, "unsupported_media_type", "send a JSON object with Content-Type: application/json"
        )
    raw = request.get_data(cache=True)
    try:
        body = json.loads(raw) if raw.strip() else None
    except (ValueError, RecursionError) as exc:
        raise ApiError(400, "invalid_json", f"the body is not valid JSON: {exc}"[:300]) from None
    if not isinstance(body, dict):
        raise ApiError(400, "invalid_json", "the body must be a JSON object")
    return body


def _accepted(job: jobs.ExportJob, route: str, reason: str | None = None) -> Any:
    EXPORTS_SUBMITTED.labels(route=route).inc()
    status_url = url_for("exports.status", job_id=job.job_id)
    body: dict[str, Any] = {"job_id": job.job_id, "status": job.status, "status_url": status_url}
    if reason:
        body["reason"] = reason
    response = jsonify(body)
    response.status_code = 202
    response.headers["Location"] = status_url
    return response


def _submit(query: ReadingQuery) -> jobs.ExportJob:
    return jobs.submit_export(context.settings(), query, context.job_store())


@bp.post("/api/exports")
def create() -> Any:
    query = parse_export_body(json_body())
    return _accepted(_submit(query), "/api/exports")


@bp.post("/api/query")
def client_query() -> Any:
    query = parse_client_body(json_body())
    cached = cached_csv(query)
    if cached is not None:
        return cached  # a cached answer costs one small Query: cheaper than queueing, even when busy
    if g.get("overloaded"):
        QUERIES_QUEUED.labels(reason="overloaded").inc()
        reason = "the service is busy, so the query runs as an export"
        return _accepted(_submit(query), "/api/query", reason)
    too_large = too_large_for_sync(context.store(), query, context.settings())
    if too_large:
        QUERIES_QUEUED.labels(reason="large").inc()
        return _accepted(_submit(query), "/api/query", f"the query runs as an export: {too_large}")
    return csv_response(query)


@bp.get("/api/exports/<job_id>", endpoint="status")
@bp.get("/api/results/<job_id>", endpoint="results")
def status(job_id: str) -> Any:
    job = context.job_store().get(job_id) if JOB_ID.fullmatch(job_id) else None
    if job is None:
        raise ApiError(404, "not_found", f"no export job {job_id[:64]!r}")
    settings = context.settings()
    done = job.status == jobs.DONE
    return jsonify(
        {
            "job_id": job.job_id,
            "status": job.status,
            "progress": job.progress,
            "rows": job.rows,
            "size_bytes": job.size_bytes,
            "created_at": job.created_at,
            "updated_at": job.updated_at,
            "query": job.query,
            "download_url": jobs.presigned_url(settings, job) if done else None,
            "download_expires_in": settings.presign_expiry if done else None,
            "error": job.error if job.status == jobs.FAILED else None,
        }
    )
