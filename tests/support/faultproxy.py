"""A DynamoDB fault injector: an HTTP proxy in front of a real stand-in.

It forwards every request, except that it can (a) answer a share of BatchWriteItem calls with
ProvisionedThroughputExceededException, as a throttled table does, (b) forward only part of a
batch and hand the rest back as UnprocessedItems, as DynamoDB does under load, (c) refuse
everything (connection reset) to mimic an endpoint that went away, and (d) hold every answer for
a fixed delay, as a network round trip to a remote endpoint does. Stand-ins do none of this
themselves (moto and dynalite never throttle, and answer on loopback in well under a millisecond).
"""

from __future__ import annotations

import http.client
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse

THROTTLED = {
    "__type": "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
    "message": "The level of configured provisioned throughput for the table was exceeded (injected)",
}


class FaultProxy:
    def __init__(self, upstream: str) -> None:
        parsed = urlparse(upstream)
        self.upstream = (parsed.hostname, parsed.port)
        self.throttle_every = 0  # every Nth BatchWriteItem is throttled (0: never)
        self.unprocessed_every = 0  # every Nth BatchWriteItem returns half its items unprocessed
        self.down = False
        self.upstream_connections = threading.local()
        self.delay_seconds = 0.0  # added to every answer (a modelled network round trip)
        self.lock = threading.Lock()
        self.batch_calls = 0
        self.throttled = 0
        self.unprocessed = 0
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out in separate writes; with Nagle's algorithm on, the client's
            # delayed ACK would hold each answer ~40 ms.
            disable_nagle_algorithm = True

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                target = self.headers.get("X-Amz-Target", "")
                if proxy.down:
                    self.connection.close()
                    return
                if target.endswith(".BatchWriteItem"):
                    with proxy.lock:
                        proxy.batch_calls += 1
                        call = proxy.batch_calls
                    if proxy.throttle_every and call % proxy.throttle_every == 0:
                        with proxy.lock:
                            proxy.throttled += 1
                        self._reply(400, json.dumps(THROTTLED).encode())
                        return
                    if proxy.unprocessed_every and call % proxy.unprocessed_every == 0:
                        self._partial(body)
                        return
                status, payload = proxy.forward(self.headers, body)
                self._reply(status, payload)

            def _partial(self, body: bytes) -> None:
                request = json.loads(body)
                kept, held = {}, {}
                for table, writes in request["RequestItems"].items():
                    half = max(1, len(writes) // 2)
                    kept[table], held[table] = writes[:half], writes[half:]
                held = {t: w for t, w in held.items() if w}
                status, payload = proxy.forward(self.headers, json.dumps({"RequestItems": kept}).encode())
                if status == 200 and held:
                    answer = json.loads(payload)
                    for table, writes in held.items():
                        answer.setdefault("UnprocessedItems", {}).setdefault(table, []).extend(writes)
                    payload = json.dumps(answer).encode()
                    with proxy.lock:
                        proxy.unprocessed += sum(len(w) for w in held.values())
                self._reply(status, payload)

            def _reply(self, status: int, payload: bytes) -> None:
                if proxy.delay_seconds:
                    time.sleep(proxy.delay_seconds)
                self.send_response(status)
                self.send_header("Content-Type", "application/x-amz-json-1.0")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def forward(self, headers: object, body: bytes) -> tuple[int, bytes]:
        # One upstream connection per handler thread, reused: a fresh TCP connection per request
        # would cost more than the stand-in's own answer and skew the delay the proxy models. The
        # stand-in closes idle ones, so a reused connection that fails is replaced once; a fresh
        # one that fails passes the error on (the client's own retries resend).
        forwarded = {k: v for k, v in headers.items() if k.lower() not in ("host", "content-length")}  # type: ignore[attr-defined]
        while True:
            connection = getattr(self.upstream_connections, "connection", None)
            reused = connection is not None
            if connection is None:
                connection = http.client.HTTPConnection(*self.upstream, timeout=30)
                self.upstream_connections.connection = connection
            try:
                connection.request("POST", "/", body=body, headers=forwarded)
                response = connection.getresponse()
                return response.status, response.read()
            except (http.client.HTTPException, OSError):
                connection.close()
                self.upstream_connections.connection = None
                if not reused:
                    raise

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
