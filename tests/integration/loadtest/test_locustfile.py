"""loadtest/locustfile.py run by Locust itself (a subprocess: Locust patches the standard library
with gevent, so it is never imported here) against a stub API whose answers are scripted, so the
counts in Locust's results can be checked exactly: 5xx and broken connections are failures, 202
and 429 are counted apart, and --max-requests stops the run."""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.support.locust_run import run_locust

# What the stub answers to successive POST /api/query calls; "reset" closes the connection unanswered.
SCRIPT = ["200", "202", "429", "500", "200", "503", "reset", "202", "200"]


class ScriptedApi:
    def __init__(self) -> None:
        self.sent: list[str] = []
        self._script = itertools.cycle(SCRIPT)
        self._lock = threading.Lock()
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # the locustfile's discovery of countries and sensors
                if self.path.startswith("/api/countries"):
                    self._send(200, {"data": [{"country": "DE", "readings": 3}]})
                else:
                    self._send(200, {"data": [{"sensor_id": 7}], "meta": {"next_cursor": None}})

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with stub._lock:
                    answer = next(stub._script)
                    stub.sent.append(answer)
                if answer == "reset":
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                status = int(answer)
                self._send(status, {"job_id": "j", "status_url": "/api/exports/j"} if status == 202 else {})

            def _send(self, status: int, body: dict) -> None:
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                if status in (429, 503):
                    self.send_header("Retry-After", "1")
                self.end_headers()
                self.wfile.write(payload)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.handle_error = lambda *_: None  # the request cut off when Locust quits
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def scripted_api() -> Iterator[ScriptedApi]:
    stub = ScriptedApi()
    yield stub
    stub.server.shutdown()
    stub.server.server_close()


def test_failures_are_5xx_and_resets_while_202_and_429_are_counted_apart(scripted_api, tmp_path):
    entries = run_locust(
        scripted_api.url, tmp_path, "--max-requests", "30", "-t", "60s", user_class="OriginalUser"
    )
    query = next(e for e in entries if e["name"] == "POST /api/query")
    status = {e["name"]: e["num_requests"] for e in entries if e["method"] == "STATUS"}
    # One user sends one request at a time, so the first N answers the stub sent are the N recorded.
    recorded = scripted_api.sent[: query["num_requests"]]
    assert query["num_requests"] >= 30  # the cap stopped the run (60 s would allow far more)
    assert len(scripted_api.sent) < 200
    assert query["num_failures"] == sum(a in ("500", "503", "reset") for a in recorded)
    assert status.get("202", 0) == recorded.count("202") > 0
    assert status.get("429", 0) == recorded.count("429") > 0
    assert all(e["name"] in ("POST /api/query", "202", "429") for e in entries)
