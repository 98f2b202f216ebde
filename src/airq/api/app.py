"""The Flask application factory: `gunicorn 'airq.api.app:create_app()'`.

Every request (except /healthz, /readyz and /metrics) first takes a token from its client's
bucket (429 when empty), then counts as in flight; above `max_in_flight` in this process a GET
is shed with 503 and POST /api/query is queued as an export (202). Every response is counted and
timed per route, and logged as one JSON line.

The in-flight count and the metrics live in a WSGI wrapper around the app, not in Flask's
teardown: a streamed CSV is still in flight after the view returns, and only the server's
close() of the response marks its end (Flask runs teardown_request twice for a stream).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, g, jsonify, request
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wsgi import ClosingIterator

from airq.api import catalogue, errors, exports, health, openapi, readings
from airq.api.cache import ResultCache
from airq.api.errors import RETRY_AFTER_SECONDS, ApiError
from airq.api.guards import InFlight, RateLimiter
from airq.api.metrics import DURATION, IN_FLIGHT, REJECTED, REQUESTS
from airq.config import Settings
from airq.formats import META
from airq.store import CatalogueMemo

log = logging.getLogger("airq.api.access")

UNGUARDED = {"/healthz", "/readyz", "/metrics"}  # never limited, shed or counted in flight
METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or Settings.from_env()
    app = Flask(__name__, static_folder=None)
    app.config.update(AIRQ_SETTINGS=settings, MAX_CONTENT_LENGTH=exports.MAX_BODY_BYTES)
    app.json.sort_keys = False  # type: ignore[attr-defined]  # keep the documented column order
    app.json.ensure_ascii = False  # type: ignore[attr-defined]  # µg/m³, not \u00b5g/m\u00b3
    for module in (readings, exports, catalogue, health, openapi):
        app.register_blueprint(module.bp)
    app.extensions["airq_result_cache"] = ResultCache(settings.result_cache_mb * 1024 * 1024)
    if settings.catalogue_ttl_seconds > 0:
        app.extensions["airq_catalogues"] = CatalogueMemo(settings.catalogue_ttl_seconds)
    errors.register(app)
    app.add_url_rule("/", "index", index)
    app.add_url_rule("/api/", "api_index", index)
    _guard(app, settings)
    app.wsgi_app = Accounting(app.wsgi_app)  # type: ignore[method-assign]
    if settings.trusted_proxy_hops > 0:
        hops = settings.trusted_proxy_hops
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    return app


def index() -> Any:
    return jsonify(
        {
            "service": "airq",
            "description": "sensor.community PM2.5/PM10 readings with the UK Daily Air Quality Index",
            **META,
            "openapi": "/api/openapi.json",
            "endpoints": {
                "readings": "/api/readings?country=DE&start=2026-12-02&end=2026-12-02",
                "sensor": "/api/sensors/{sensor_id}",
                "countries": "/api/countries?day=2026-12-02",
                "summary": "/api/summary?start=2026-12-02&end=2026-12-02&country=DE",
                "exports": "POST /api/exports, GET /api/exports/{job_id}",
                "query": "POST /api/query (the original client's body)",
                "health": "/healthz, /readyz, /metrics",
            },
        }
    )


class Accounting:
    """Counts a request in flight from its arrival until the server closes its response, then
    records its metrics and access log line, exactly once."""

    def __init__(self, wsgi_app: Callable[..., Iterable[bytes]]) -> None:
        self.wsgi_app = wsgi_app
        self.in_flight = InFlight()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        started = time.perf_counter()
        counted = environ.get("PATH_INFO") not in UNGUARDED
        if counted:
            environ["airq.in_flight"] = self.in_flight.enter()
            IN_FLIGHT.inc()
        status: list[str] = []

        def capture(line: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            status[:] = [line.split(" ", 1)[0]]
            return start_response(line, headers, exc_info)

        def finish() -> None:
            route = environ.get("airq.route", "unmatched")
            method = environ.get("REQUEST_METHOD", "")
            method = method if method in METHODS else "other"
            code = status[0] if status else "500"
            elapsed = time.perf_counter() - started
            REQUESTS.labels(route=route, method=method, status=code).inc()
            DURATION.labels(route=route).observe(elapsed)
            if counted:  # last: once nothing is in flight, every request so far is counted
                self.in_flight.leave()
                IN_FLIGHT.dec()
            log.info(
                "request",
                extra={
                    "method": method,
                    "path": environ.get("PATH_INFO", "")[:200],
                    "route": route,
                    "status": int(code),
                    "duration_ms": round(elapsed * 1000, 1),
                    "client": environ.get("REMOTE_ADDR"),
                },
            )

        try:
            body = self.wsgi_app(environ, capture)
        except BaseException:
            finish()
            raise
        return ClosingIterator(body, finish)


def _guard(app: Flask, settings: Settings) -> None:
    limiter = RateLimiter(settings.rate_limit_per_minute)

    @app.before_request
    def admit() -> None:
        if request.url_rule is not None:
            request.environ["airq.route"] = request.url_rule.rule
        if request.path in UNGUARDED:
            return
        decision = limiter.take(request.remote_addr or "unknown")
        g.rate_headers = decision.headers()
        if not decision.allowed:
            REJECTED.labels(reason="rate_limited").inc()
            raise ApiError(
                429,
                "too_many_requests",
                f"more than {decision.limit} requests per minute from {request.remote_addr}; "
                f"retry in {decision.retry_after} s",
                headers={"Retry-After": str(decision.retry_after)},
            )
        in_flight = request.environ.get("airq.in_flight", 0)
        g.overloaded = in_flight > settings.max_in_flight
        if g.overloaded and request.method in ("GET", "HEAD") and request.endpoint is not None:
            REJECTED.labels(reason="overloaded").inc()
            raise ApiError(
                503,
                "overloaded",
                f"{in_flight} requests in flight (limit {settings.max_in_flight}); retry shortly",
                headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
            )

    @app.after_request
    def rate_headers(response: Any) -> Any:
        for name, value in g.get("rate_headers", {}).items():
            response.headers[name] = value
        return response
