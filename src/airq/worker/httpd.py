"""The worker's small HTTP endpoint: `/metrics` (Prometheus) and `/healthz` (liveness).

prometheus_client's `start_http_server` serves only metrics; this is the same WSGI app plus a health
route, on a threading wsgiref server bound to `AIRQ_BIND_HOST:AIRQ_METRICS_PORT`.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import make_wsgi_app


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # scrapes every few seconds: no access log
        pass


def make_app(health: Callable[[], tuple[bool, dict[str, Any]]]) -> Callable[..., Iterable[bytes]]:
    metrics_app = make_wsgi_app()

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "/")
        if path == "/healthz":
            ok, body = health()
            payload = json.dumps(body).encode()
            start_response(
                "200 OK" if ok else "503 Service Unavailable",
                [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))],
            )
            return [payload]
        if path in ("/metrics", "/"):
            return metrics_app(environ, start_response)
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found: try /metrics or /healthz\n"]

    return app


def serve(host: str, port: int, health: Callable[[], tuple[bool, dict[str, Any]]]) -> WSGIServer:
    """Start serving in a daemon thread; returns the server (`server.server_port` is the real port)."""
    server = make_server(host, port, make_app(health), server_class=_Server, handler_class=_QuietHandler)
    threading.Thread(target=server.serve_forever, name="metrics-http", daemon=True).start()
    return server
