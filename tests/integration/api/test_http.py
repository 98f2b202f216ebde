"""The real app under gunicorn (services/api/gunicorn.conf.py) over HTTP: readiness, streaming,
multi-process metrics, the rate limit, load shedding with genuinely concurrent requests, and a
DynamoDB outage."""

import socket
import time

import pytest
import requests

from airq.query import ReadingQuery
from tests.integration.api.conftest import DAY1, DAY2
from tests.support.api_process import start_api
from tests.support.metrics import metric_total
from tests.support.standins import free_port


def test_ready_json_and_streamed_csv_over_http(served, dataset):
    ready = requests.get(served.url + "/readyz", timeout=30)
    assert ready.status_code == 200 and ready.json() == {
        "status": "ready",
        "checks": {"dynamodb": "ok", "sqs": "ok", "s3": "ok"},
        "failed": [],
    }
    page = requests.get(
        served.url + "/api/readings", params={"start": DAY2, "end": DAY2, "country": "NL"}, timeout=30
    )
    assert page.status_code == 200 and page.headers["X-RateLimit-Limit"] == "1000000"
    query = ReadingQuery(start=f"{DAY1}T00:00:00Z", end=f"{DAY2}T23:59:59Z")
    with requests.get(
        served.url + "/api/readings",
        params={"start": DAY1, "end": DAY2, "format": "csv"},
        stream=True,
        timeout=60,
    ) as response:
        assert response.status_code == 200
        assert response.headers["Transfer-Encoding"] == "chunked"  # streamed, not built whole
        assert "Content-Length" not in response.headers
        text = b"".join(response.iter_content(8192)).decode()
    assert text == dataset.csv(query)


def idle(text):
    return metric_total(text, "airq_http_requests_in_flight") == 0


def settled(url, ready=idle, attempts=200):
    """/metrics once `ready(text)` holds (by default: nothing in flight, so every request so far is
    counted): a request is counted when the server closes its response, which can be a moment
    after the client has read it."""
    for _ in range(attempts):
        text = requests.get(url + "/metrics", timeout=30).text
        if ready(text):
            return text
        time.sleep(0.05)
    return text


def test_metrics_add_up_over_worker_processes(served):
    before = requests.get(served.url + "/metrics", timeout=30).text
    for _ in range(12):  # spread over both workers by the kernel
        requests.get(served.url + "/api/openapi.json", timeout=30)
    requests.post(served.url + "/api/exports", json={"start": DAY1, "end": DAY1}, timeout=30)

    def delta(text, name, **labels):
        return metric_total(text, name, **labels) - metric_total(before, name, **labels)

    after = settled(served.url)
    assert idle(after)
    openapi = {"route": "/api/openapi.json", "method": "GET", "status": "200"}
    assert delta(after, "airq_http_requests_total", **openapi) == 12
    assert delta(after, "airq_http_request_duration_seconds_count", route="/api/openapi.json") == 12
    assert delta(after, "airq_export_jobs_submitted_total", route="/api/exports") == 1
    assert "# TYPE airq_http_request_duration_seconds histogram" in after


@pytest.fixture
def one_worker(dataset, api_logs):
    started = []

    def start(**env):
        process = start_api(dataset.env(**env), api_logs, "one-worker", workers=1)
        started.append(process)
        return process

    yield start
    for process in started:
        process.stop()


def test_rate_limit_over_http(one_worker):
    api = one_worker(AIRQ_RATE_LIMIT_PER_MINUTE="3")
    answers = [requests.get(api.url + "/api/openapi.json", timeout=30) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert [a.headers["X-RateLimit-Remaining"] for a in answers] == ["2", "1", "0", "0"]
    refused = answers[-1]
    assert refused.json()["error"]["code"] == "too_many_requests"
    assert int(refused.headers["Retry-After"]) >= 1 and refused.headers["X-RateLimit-Limit"] == "3"
    assert requests.get(api.url + "/healthz", timeout=30).status_code == 200


def hold_in_flight(url: str) -> socket.socket:
    """A request that stays in flight: its headers promise a body that never fully arrives."""
    host, port = url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=30)
    sock.sendall(
        b"POST /api/query HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b'Content-Length: 100\r\n\r\n{"startDate":'
    )
    return sock


def test_load_shedding_with_requests_really_in_flight(one_worker):
    api = one_worker(AIRQ_MAX_IN_FLIGHT="2")
    held = [hold_in_flight(api.url) for _ in range(2)]
    try:
        for _ in range(300):  # wait until both are inside the app (the gauge says so)
            gauge = metric_total(
                requests.get(api.url + "/metrics", timeout=30).text, "airq_http_requests_in_flight"
            )
            if gauge == 2:
                break
            time.sleep(0.05)
        assert gauge == 2
        shed = requests.get(api.url + "/api/readings", params={"start": DAY2, "end": DAY2}, timeout=30)
        assert shed.status_code == 503 and shed.json()["error"]["code"] == "overloaded"
        assert int(shed.headers["Retry-After"]) > 0
        body = {"startDate": DAY2, "endDate": DAY2, "country": "DE", "minAqi": 0, "maxAqi": 10, "range": ""}
        queued = requests.post(api.url + "/api/query", json=body, timeout=30)
        assert queued.status_code == 202 and "busy" in queued.json()["reason"]
        assert requests.get(api.url + "/healthz", timeout=30).status_code == 200
    finally:
        for sock in held:
            sock.close()
    for _ in range(300):
        after = requests.get(
            api.url + "/api/readings", params={"start": DAY2, "end": DAY2, "country": "DE"}, timeout=30
        )
        if after.status_code == 200:
            break
        time.sleep(0.05)
    assert after.status_code == 200
    metrics = requests.get(api.url + "/metrics", timeout=30).text
    assert metric_total(metrics, "airq_http_requests_rejected_total", reason="overloaded") >= 1
    assert metric_total(metrics, "airq_query_queued_total", reason="overloaded") == 1


def test_dynamodb_unreachable_is_503_not_500(one_worker):
    api = one_worker(AWS_ENDPOINT_URL_DYNAMODB=f"http://127.0.0.1:{free_port()}")
    ready = requests.get(api.url + "/readyz", timeout=60)
    assert ready.status_code == 503 and ready.json()["failed"] == ["dynamodb"]
    assert int(ready.headers["Retry-After"]) > 0
    for method, path, kwargs in [
        ("GET", "/api/readings", {"params": {"country": "DE"}}),
        ("GET", "/api/countries", {}),
        ("GET", "/api/exports/0123456789abcdef0123456789abcdef", {}),
        ("POST", "/api/exports", {"json": {"country": "DE"}}),
    ]:
        response = requests.request(method, api.url + path, timeout=60, **kwargs)
        assert response.status_code == 503, (path, response.text)
        error = response.json()["error"]
        assert error["code"] == "service_unavailable" and "retry" in error["message"]
        assert int(response.headers["Retry-After"]) > 0
    assert requests.get(api.url + "/healthz", timeout=30).status_code == 200
    assert "Traceback" not in api.log()
