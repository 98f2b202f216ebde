"""The app's HTTP behaviour that needs no data: error shapes, guards, metrics, dependency failures.

AWS points at a closed local port here, so any request that reaches DynamoDB, SQS or S3 fails fast
(one attempt), which is how an outage looks to the API.
"""

import json
from dataclasses import replace

import pytest

from airq.api.app import create_app
from airq.api.exports import MAX_BODY_BYTES
from airq.config import Settings
from tests.support.api_process import closing_client
from tests.support.metrics import metric_total
from tests.support.standins import free_port

JOB_ID = "0123456789abcdef0123456789abcdef"
JSON, FORM = "application/json", "application/x-www-form-urlencoded"


@pytest.fixture
def offline(monkeypatch):
    closed = f"http://127.0.0.1:{free_port()}"
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "eu-west-2",
        "AWS_ENDPOINT_URL": closed, "AWS_ENDPOINT_URL_DYNAMODB": closed, "AWS_MAX_ATTEMPTS": "1",
    }.items():  # fmt: skip
        monkeypatch.setenv(key, value)
    return closed


def client(**overrides):
    return closing_client(create_app(replace(Settings(), **overrides)))


def error_of(response) -> dict:
    assert response.is_json, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"error"} and {"code", "message", "fields"} <= set(body["error"]), body
    assert isinstance(body["error"]["fields"], dict)
    return body["error"]


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status", "code"),
    [
        ("GET", "/nope", {}, 404, "not_found"),
        ("GET", "/api/readings/", {}, 404, "not_found"),
        ("DELETE", "/api/readings", {}, 405, "method_not_allowed"),
        ("GET", "/api/exports", {}, 405, "method_not_allowed"),
        ("POST", "/api/exports", {"data": "start=x", "content_type": FORM}, 415,
         "unsupported_media_type"),
        ("POST", "/api/query", {"data": "{}"}, 415, "unsupported_media_type"),
        ("POST", "/api/query", {"data": "{", "content_type": JSON}, 400, "invalid_json"),
        ("POST", "/api/query", {"data": "[1]", "content_type": JSON}, 400, "invalid_json"),
        ("POST", "/api/query", {"data": "", "content_type": JSON}, 400, "invalid_json"),
        ("POST", "/api/query", {"data": "[" * 5000, "content_type": JSON}, 400, "invalid_json"),
        ("POST", "/api/query", {"data": b"\xff\xfe\x00", "content_type": JSON}, 400, "invalid_json"),
        ("POST", "/api/exports", {"data": "[" * (MAX_BODY_BYTES + 1), "content_type": JSON}, 413,
         "request_entity_too_large"),
        ("POST", "/api/exports", {"json": {"start": "x", "colour": 1}}, 400, "invalid_request"),
        ("POST", "/api/query", {"json": {"startDate": "2026-12-02", "endDate": "2026-12-01"}}, 400,
         "invalid_request"),
        ("GET", "/api/readings?start=nope", {}, 400, "invalid_request"),
        ("GET", "/api/sensors/abc", {}, 400, "invalid_request"),
        ("GET", "/api/sensors/0", {}, 400, "invalid_request"),
        ("GET", "/api/summary?country=Germany", {}, 400, "invalid_request"),
        ("GET", "/api/countries?day=2026-02-30", {}, 400, "invalid_request"),
        ("GET", "/api/exports/not-a-job", {}, 404, "not_found"),
        ("GET", "/api/results/" + "x" * 5000, {}, 404, "not_found"),
    ],
)  # fmt: skip
def test_every_error_has_the_one_shape(offline, method, path, kwargs, status, code):
    response = client().open(path, method=method, **kwargs)
    assert response.status_code == status, response.get_data(as_text=True)
    assert error_of(response)["code"] == code


def test_405_keeps_its_allow_header(offline):
    response = client().delete("/api/readings")
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}


def test_body_errors_name_every_field(offline):
    response = client().post("/api/query", json={"startDate": "x", "minAqi": 99, "range": "pink", "extra": 1})
    assert set(error_of(response)["fields"]) == {"startDate", "minAqi", "range", "extra"}


def test_dependencies_unreachable_is_503_with_retry_after_never_500(offline):
    api = client()
    for method, path, kwargs in [
        ("GET", "/api/readings?country=DE", {}),
        ("GET", "/api/readings", {}),
        ("GET", "/api/readings?format=csv&country=DE", {}),
        ("GET", "/api/sensors/12345", {}),
        ("GET", "/api/countries", {}),
        ("GET", "/api/summary?country=DE", {}),
        ("GET", f"/api/exports/{JOB_ID}", {}),
        ("GET", f"/api/results/{JOB_ID}", {}),
        ("POST", "/api/exports", {"json": {"country": "DE"}}),
        ("POST", "/api/query", {"json": {"startDate": "2026-12-01", "endDate": "2026-12-01"}}),
    ]:
        response = api.open(path, method=method, **kwargs)
        assert response.status_code == 503, (path, response.get_data(as_text=True))
        assert error_of(response)["code"] == "service_unavailable"
        assert int(response.headers["Retry-After"]) > 0


def test_readyz_names_every_failed_dependency_and_healthz_needs_none(offline):
    api = client()
    ready = api.get("/readyz")
    assert ready.status_code == 503 and int(ready.headers["Retry-After"]) > 0
    body = ready.get_json()
    assert body["status"] == "unavailable" and body["failed"] == ["dynamodb", "sqs", "s3"]
    assert all(check.startswith("failed") for check in body["checks"].values())
    assert api.get("/healthz").get_json() == {"status": "ok"}


def test_rate_limit_headers_on_every_response_and_429(offline):
    api = client(rate_limit_per_minute=3)
    remaining = []
    for path in ("/api/openapi.json", "/nope", "/api/readings?start=x"):  # 200, 404, 400: all count
        response = api.get(path)
        assert response.headers["X-RateLimit-Limit"] == "3"
        remaining.append(int(response.headers["X-RateLimit-Remaining"]))
    assert remaining == [2, 1, 0]
    refused = api.get("/api/openapi.json")
    assert refused.status_code == 429 and error_of(refused)["code"] == "too_many_requests"
    assert int(refused.headers["Retry-After"]) >= 1
    assert refused.headers["X-RateLimit-Remaining"] == "0"
    assert int(refused.headers["X-RateLimit-Reset"]) > 0
    for path in ("/healthz", "/metrics", "/readyz"):  # never limited, never counted
        response = api.get(path)
        assert response.status_code != 429 and "X-RateLimit-Limit" not in response.headers


def test_forwarded_for_counts_only_behind_a_trusted_proxy(offline):
    untrusted = client(rate_limit_per_minute=1)
    assert untrusted.get("/", headers={"X-Forwarded-For": "203.0.113.1"}).status_code == 200
    assert untrusted.get("/", headers={"X-Forwarded-For": "203.0.113.2"}).status_code == 429
    trusted = client(rate_limit_per_minute=1, trusted_proxy_hops=1)
    assert trusted.get("/", headers={"X-Forwarded-For": "203.0.113.1"}).status_code == 200
    assert trusted.get("/", headers={"X-Forwarded-For": "203.0.113.2"}).status_code == 200
    assert trusted.get("/", headers={"X-Forwarded-For": "203.0.113.1"}).status_code == 429


def test_overload_sheds_gets_with_503_but_not_health(offline):
    api = client(max_in_flight=0)
    shed = api.get("/api/openapi.json")
    assert shed.status_code == 503 and error_of(shed)["code"] == "overloaded"
    assert int(shed.headers["Retry-After"]) > 0 and "X-RateLimit-Limit" in shed.headers
    assert api.get("/healthz").status_code == 200
    # A POST is not shed: /api/exports goes on (and here meets the unreachable store).
    assert error_of(api.post("/api/exports", json={}))["code"] == "service_unavailable"


def test_index_and_openapi_are_served(offline):
    api = client()
    for path in ("/", "/api/"):
        body = api.get(path).get_json()
        assert body["openapi"] == "/api/openapi.json" and body["units"] == "µg/m³"
    document = api.get("/api/openapi.json")
    assert document.get_json()["openapi"].startswith("3.1")
    assert "µg/m³" in document.get_data(as_text=True)  # UTF-8, not \u escapes


def test_metrics_count_requests_per_route_and_status(offline):
    api = client(rate_limit_per_minute=2)
    before = api.get("/metrics").get_data(as_text=True)
    api.get("/api/openapi.json")
    api.get("/api/sensors/xyz")
    api.get("/api/openapi.json")  # the third: rate limited
    after = api.get("/metrics").get_data(as_text=True)

    def delta(name, **labels):
        return metric_total(after, name, **labels) - metric_total(before, name, **labels)

    assert delta("airq_http_requests_total", route="/api/openapi.json", method="GET", status="200") == 1
    assert delta("airq_http_requests_total", route="/api/openapi.json", method="GET", status="429") == 1
    assert (
        delta("airq_http_requests_total", route="/api/sensors/<sensor_id>", method="GET", status="400") == 1
    )
    assert delta("airq_http_request_duration_seconds_count", route="/api/openapi.json") == 2
    assert delta("airq_http_requests_rejected_total", reason="rate_limited") == 1
    assert "airq_http_requests_in_flight" in after
    assert "airq_export_jobs_submitted_total" in after or "airq_export_jobs_submitted" in after
    json.dumps(after)  # plain text
