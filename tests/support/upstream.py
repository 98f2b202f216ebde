"""A scripted feed server on 127.0.0.1 for upstream-fault tests."""

from __future__ import annotations

import contextlib
import io
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from airq.feedgen import generate, write_feed

GOOD = io.StringIO()
write_feed(generate(300, seed=2, at=datetime(2026, 12, 3, 10, tzinfo=UTC)), GOOD)
GOOD_BODY = GOOD.getvalue().encode()


class Upstream:
    """A scripted feed server: each request takes the next (status, body, content type, delay)."""

    def __init__(self) -> None:
        self.script: list[tuple[int, bytes, str, float]] = []
        self.requests = 0
        upstream = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                upstream.requests += 1
                status, body, content_type, delay = (
                    upstream.script.pop(0) if upstream.script else (200, GOOD_BODY, "application/json", 0)
                )
                time.sleep(delay)
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/data.24h.json"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
