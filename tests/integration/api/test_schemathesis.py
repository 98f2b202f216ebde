"""Schemathesis against the live API (gunicorn, real stand-ins), driven by /api/openapi.json:
over a thousand generated requests, valid and invalid, and not one 5xx; every response matches
the documented status codes, content types and schemas."""

import json
import subprocess
import sys
from pathlib import Path

import requests

from tests.integration.api.test_http import settled
from tests.support.metrics import metric_total

ST = Path(sys.executable).parent / "st"
CHECKS = "not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance"
MAX_EXAMPLES = 40  # per operation and phase: with the coverage and stateful phases, > 1,000 in all


def test_generated_requests_never_get_a_5xx_and_match_the_document(served, tmp_path):
    before = requests.get(served.url + "/metrics", timeout=30).text
    report = tmp_path / "schemathesis.json"
    done = subprocess.run(
        [
            str(ST), "run", served.url + "/api/openapi.json", "--checks", CHECKS,
            "--max-examples", str(MAX_EXAMPLES), "--seed", "20261203", "--workers", "2",
            "--request-timeout", "60", "--report", "json", "--report-json-path", str(report),
        ],
        capture_output=True, text=True, timeout=600, cwd=tmp_path,  # its .schemathesis cache too
    )  # fmt: skip
    after = settled(served.url)  # every request counted
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
    result = json.loads(report.read_text())
    assert result["complete"] and result["operations"]["tested"] == result["operations"]["total"] == 13
    assert result["failures"] == [] and result["errors"] == []
    assert result["test_cases"]["generated"] >= 1000, result["test_cases"]

    # The server's own count of what it answered, by status class.
    answered = {
        status: metric_total(after, "airq_http_requests_total", status=status)
        - metric_total(before, "airq_http_requests_total", status=status)
        for status in {
            line.split('status="')[1].split('"')[0] for line in after.splitlines() if 'status="' in line
        }
    }
    assert sum(answered.values()) >= 1000, answered
    assert {s: n for s, n in answered.items() if s.startswith("5") and n} == {}, answered
    print(f"schemathesis: {result['test_cases']['generated']} cases; server answered {answered}")
