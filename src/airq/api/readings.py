"""GET /api/readings and GET /api/sensors/<id>: JSON and GeoJSON pages, CSV streams."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, request, stream_with_context

from airq.api import cache, context
from airq.api.errors import ApiError
from airq.api.metrics import RESULT_CACHE
from airq.api.paging import all_readings, read_page, too_large_for_sync
from airq.formats import CSV_CONTENT_TYPE, GEOJSON_CONTENT_TYPE, META, csv_chunks, geojson_feature
from airq.query import ReadingQuery, estimate_rows
from airq.validation import PageRequest, issue_cursor, parse_page_args

bp = Blueprint("readings", __name__)

SENSOR_DEFAULT_DAYS = 7  # /api/sensors/<id> without start: the last 7 days (UTC) up to today


@bp.get("/api/readings")
def readings() -> Any:
    return _answer(parse_page_args(request.args, context.settings()))


@bp.get("/api/sensors/<sensor_id>")
def sensor(sensor_id: str) -> Any:
    page_request = parse_page_args(
        request.args, context.settings(), sensor_id=sensor_id, default_days=SENSOR_DEFAULT_DAYS
    )
    number = page_request.query.sensor_id
    return _answer(page_request, missing=f"sensor {number} has no readings in this time range")


def _answer(page_request: PageRequest, missing: str | None = None) -> Any:
    """The page (json, geojson) or the stream (csv). `missing`: 404 with this message when the
    first page is empty (a sensor that never reported), instead of an empty 200."""
    query = page_request.query
    if page_request.format == "csv":
        return csv_response(query, missing=missing)
    geojson = page_request.format == "geojson"
    content_type = GEOJSON_CONTENT_TYPE if geojson else "application/json"
    if not _cache_applies(query):
        return Response(_page_body(page_request, missing), content_type=content_type)
    # A page is the same for the same URL and data: keyed by both, built once per data version.
    key = f"page {request.full_path}@{cache.data_version(context.store(), query)}"
    body, hit = current_app.extensions["airq_result_cache"].get_or_build(
        key, lambda: _page_body(page_request, missing)
    )
    return _from_cache(Response(content_type=content_type), key, body, hit)


def _page_body(page_request: PageRequest, missing: str | None) -> bytes:
    query = page_request.query
    rows, position = read_page(context.store(), query, page_request.limit, page_request.cursor)
    if missing and not rows and position is None and page_request.cursor is None:
        raise ApiError(404, "not_found", missing)
    cursor = issue_cursor(query, position) if position else None
    meta = {
        **META,
        "count": len(rows),
        "limit": page_request.limit,
        "next_cursor": cursor,
        "next": _next_url(cursor),
        "query": query.to_dict(),
    }
    if page_request.format == "geojson":
        document = {"type": "FeatureCollection", "meta": meta, "features": [geojson_feature(r) for r in rows]}
    else:
        document = {"meta": meta, "data": [r.as_dict() for r in rows]}
    return (current_app.json.dumps(document) + "\n").encode()


def _next_url(cursor: str | None) -> str | None:
    if cursor is None:
        return None
    args = {k: v for k, v in request.args.items() if k != "cursor"}
    return f"{request.path}?{urlencode({**args, 'cursor': cursor})}"


def cached_csv(query: ReadingQuery) -> Response | None:
    """The answer from the result cache when it holds one for the current data version: one small
    Query (the day's summaries, which also make the key), so it is served even when the service
    is too busy for anything else."""
    if not _cache_applies(query):
        return None
    key = cache.cache_key(context.store(), query)
    body = current_app.extensions["airq_result_cache"].peek(key)
    return None if body is None else _csv_body(query, key, body, hit=True)


def csv_response(query: ReadingQuery, missing: str | None = None) -> Response:
    """Every matching row as CSV (from the cache, built and cached, or streamed), or 422 pointing
    at POST /api/exports when too large."""
    cached = cached_csv(query)
    if cached is not None:
        return cached
    reason = too_large_for_sync(context.store(), query, context.settings())
    if reason:
        raise ApiError(
            422,
            "too_large_for_sync",
            f"This query is too large to answer synchronously: {reason}. "
            "POST the same filters (export.body) to /api/exports, then poll the job's status_url.",
            extra={"export": {"method": "POST", "href": "/api/exports", "body": query.to_dict()}},
        )
    store = context.store()
    if _cache_applies(query) and estimate_rows(store, query) <= cache.MAX_CACHED_ROWS:
        # Small answers are built whole once per data version and served from memory after that.
        key = cache.cache_key(store, query)
        body, hit = current_app.extensions["airq_result_cache"].get_or_build(
            key, lambda: "".join(csv_chunks(all_readings(store, query)[1])).encode()
        )
        return _csv_body(query, key, body, hit)
    first, rows = all_readings(store, query)
    if first is None and missing:
        raise ApiError(404, "not_found", missing)
    response = Response(stream_with_context(csv_chunks(rows)), content_type=CSV_CONTENT_TYPE)
    response.headers["X-Accel-Buffering"] = "no"  # let nginx pass the stream through as it comes
    response.headers["Content-Disposition"] = f'attachment; filename="{_filename(query)}"'
    return response


def _csv_body(query: ReadingQuery, key: str, body: bytes, hit: bool) -> Response:
    response = Response(content_type=CSV_CONTENT_TYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="{_filename(query)}"'
    return _from_cache(response, key, body, hit)


def _from_cache(response: Response, key: str, body: bytes, hit: bool) -> Response:
    """A cached answer, gzip-compressed for clients that accept it: compressed once per entry, it
    is 5-10 times smaller on the wire (a DE hour as CSV: ~550 KB plain), for no CPU per request."""
    response.headers["X-Cache"] = "hit" if hit else "miss"
    RESULT_CACHE.labels(outcome=response.headers["X-Cache"]).inc()
    response.vary.add("Accept-Encoding")
    if request.accept_encodings["gzip"] and len(body) >= cache.MIN_GZIP_BYTES:
        response.set_data(current_app.extensions["airq_result_cache"].gzipped(key, body))
        response.headers["Content-Encoding"] = "gzip"
    else:
        response.set_data(body)
    return response


def _cache_applies(query: ReadingQuery) -> bool:
    """Area queries (a sensor's history is one cheap indexed Query anyway), not HEAD, cache on."""
    return query.sensor_id is None and request.method != "HEAD" and context.settings().result_cache_mb > 0


def _filename(query: ReadingQuery) -> str:
    parts = ["airq", query.start[:10], query.end[:10]]
    if query.sensor_id is not None:
        parts.append(f"sensor{query.sensor_id}")
    elif query.country:
        parts.append(query.country)
    return "-".join(parts) + ".csv"
