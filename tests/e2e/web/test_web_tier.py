"""The web tier over plain HTTP: nginx and the Python fallback must behave the same.

Security and cache headers, gzip, charset, the same-origin API proxy (JSON, streamed CSV, POST), the
503 answer when the API is down, and no file outside the static root.
"""

from __future__ import annotations

import csv
import gzip
import http.client
import io
import json
import re
from urllib.parse import urlsplit

import pytest
import requests

from tests.e2e.web.conftest import Process, start_web
from tests.support.standins import free_port

SECURITY_HEADERS = {
    "content-security-policy",
    "x-content-type-options",
    "referrer-policy",
    "x-frame-options",
    "permissions-policy",
    "cross-origin-opener-policy",
}


def asset_paths(web: Process) -> dict[str, str]:
    html = requests.get(web.url + "/", timeout=10).text
    return {
        "js": re.search(r'src="(/static/[^"]+/js/app\.js)"', html).group(1),
        "css": re.search(r'href="(/static/[^"]+/css/app\.css)"', html).group(1),
        "leaflet": re.search(r'src="(/vendor/leaflet-[^"]+/leaflet\.js)"', html).group(1),
    }


def csp_directives(value: str) -> dict[str, list[str]]:
    directives = {}
    for part in value.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


def test_page_has_the_security_headers(any_web: Process):
    response = requests.get(any_web.url + "/", timeout=10)
    assert response.status_code == 200
    csp = csp_directives(response.headers["Content-Security-Policy"])
    assert csp["default-src"] == ["'none'"]
    assert csp["script-src"] == ["'self'"]  # no inline script, no eval, no CDN
    assert csp["style-src"] == ["'self'"]
    assert csp["img-src"] == ["'self'", "data:", "https://tile.openstreetmap.org"]
    assert csp["connect-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["base-uri"] == ["'none'"] and csp["form-action"] == ["'self'"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert response.headers["Cache-Control"] == "no-cache"


def test_nginx_and_the_fallback_send_the_same_security_headers(nginx_web: Process, fallback_web: Process):
    for path in ("/", "/api/countries"):
        ours = requests.get(nginx_web.url + path, timeout=10).headers
        theirs = requests.get(fallback_web.url + path, timeout=10).headers
        assert {h: ours[h] for h in SECURITY_HEADERS} == {h: theirs[h] for h in SECURITY_HEADERS}


def test_assets_are_cached_for_a_year_and_compressed(any_web: Process):
    paths = asset_paths(any_web)
    for kind, path in paths.items():
        response = requests.get(any_web.url + path, headers={"Accept-Encoding": "gzip"}, timeout=10)
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable", path
        assert response.headers.get("Content-Encoding") == "gzip", path
        assert "Accept-Encoding" in response.headers.get("Vary", ""), path
        assert response.headers["X-Content-Type-Options"] == "nosniff", path
        expected = "text/css" if kind == "css" else "javascript"
        assert (
            expected in response.headers["Content-Type"]
            and "charset=utf-8" in response.headers["Content-Type"]
        )
    # Conditional requests revalidate the page cheaply.
    page = requests.get(any_web.url + "/", timeout=10)
    again = requests.get(any_web.url + "/", headers={"If-None-Match": page.headers["ETag"]}, timeout=10)
    assert again.status_code == 304


def test_the_api_is_proxied_same_origin(any_web: Process, stack):
    day = stack.days[1]
    params = {"start": day, "end": day, "country": "DE", "limit": 20}
    direct = requests.get(stack.api_url + "/api/readings", params=params, timeout=30)
    proxied = requests.get(any_web.url + "/api/readings", params=params, timeout=30)
    assert proxied.status_code == direct.status_code == 200
    assert proxied.json()["data"] == direct.json()["data"]
    assert len(proxied.json()["data"]) == 20
    assert proxied.headers["Content-Type"].startswith("application/json")
    assert set(SECURITY_HEADERS) <= {h.lower() for h in proxied.headers}
    assert requests.get(any_web.url + "/healthz", timeout=10).status_code == 200
    assert requests.get(any_web.url + "/readyz", timeout=30).status_code == 200
    # The API's errors come through unchanged.
    bad = requests.get(any_web.url + "/api/readings", params={"min_aqi": "eleven"}, timeout=10)
    assert bad.status_code == 400
    assert set(bad.json()["error"]["fields"]) == {"min_aqi"}


def test_csv_streams_through_the_proxy_unchanged(any_web: Process, stack):
    day = stack.days[0]
    params = {"start": day, "end": day, "format": "csv"}
    direct = requests.get(stack.api_url + "/api/readings", params=params, timeout=60)
    proxied = requests.get(any_web.url + "/api/readings", params=params, timeout=60)
    assert proxied.status_code == 200
    assert proxied.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in proxied.headers["Content-Disposition"]
    assert proxied.content == direct.content
    rows = list(csv.DictReader(io.StringIO(proxied.text)))
    assert len(rows) == stack.readings_per_day[day]


def test_the_csv_pre_check_answers_through_the_proxy(any_web: Process, stack):
    """The page sends HEAD before a direct download: 200 when the API will stream, 422 when not."""
    day = stack.days[0]
    small = requests.head(
        any_web.url + "/api/readings", params={"start": day, "end": day, "format": "csv"}, timeout=30
    )
    assert small.status_code == 200 and small.headers["Content-Type"].startswith("text/csv")
    assert small.content == b""
    large = requests.head(
        any_web.url + "/api/readings",
        params={"start": "2026-01-01", "end": "2026-01-05", "format": "csv"},
        timeout=30,
    )
    assert large.status_code == 422


def test_post_is_proxied(any_web: Process, stack):
    body = {"start": stack.days[0], "end": stack.days[0], "country": "NL"}
    response = requests.post(any_web.url + "/api/exports", json=body, timeout=30)
    assert response.status_code == 202
    status_url = response.json()["status_url"]
    assert status_url.startswith("/api/exports/")
    assert requests.get(any_web.url + status_url, timeout=10).json()["job_id"] == response.json()["job_id"]


@pytest.mark.parametrize("server", ["nginx", "python"])
def test_an_unreachable_api_is_a_json_503_with_retry_after(server, stack, web_root, request):
    if server == "nginx":
        request.getfixturevalue("nginx_web")  # skips without nginx
    dead = f"http://127.0.0.1:{free_port()}"
    web = start_web(server, dead, web_root, stack.log_dir)
    try:
        response = requests.get(web.url + "/api/countries", timeout=30)
        assert response.status_code == 503
        assert response.headers["Retry-After"] == "5"
        assert response.headers["Content-Type"].startswith("application/json")
        error = response.json()["error"]
        assert error["code"] == "api_unavailable" and error["fields"] == {}
        # The page itself is still served.
        assert requests.get(web.url + "/", timeout=10).status_code == 200
    finally:
        web.stop()


def raw_get(url: str, path: str) -> int:
    """A GET with the path sent exactly as given (no client-side dot-segment clean-up)."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        connection.request("GET", path)
        return connection.getresponse().status
    finally:
        connection.close()


def test_nothing_outside_the_static_root_is_served(any_web: Process):
    for path in (
        "/../../../../etc/passwd",
        "/static/../../scripts/web_local.py",
        "/%2e%2e/%2e%2e/etc/passwd",
    ):
        assert raw_get(any_web.url, path) in (400, 404), path
    assert requests.get(any_web.url + "/no-such-page", timeout=10).status_code == 404


def test_gzip_is_applied_to_large_api_answers(any_web: Process, stack):
    day = stack.days[1]
    response = requests.get(
        any_web.url + "/api/readings",
        params={"start": day, "end": day, "limit": 500},
        headers={"Accept-Encoding": "gzip"},
        stream=True,
        timeout=30,
    )
    raw = response.raw.read(decode_content=False)
    expected = min(500, stack.readings_per_day[day])
    if any_web.name.startswith("web-nginx"):
        assert response.headers.get("Content-Encoding") == "gzip"
        assert len(json.loads(gzip.decompress(raw))["data"]) == expected
    else:
        # The fallback passes the API's answer through as it is (no recompression of streams).
        body = gzip.decompress(raw) if response.headers.get("Content-Encoding") == "gzip" else raw
        assert len(json.loads(body)["data"]) == expected
