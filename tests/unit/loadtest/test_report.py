"""loadtest/report.py: Locust's JSON stats → report.md (a row per scenario, a table per endpoint)
and the two PNG charts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from loadtest.report import percentile, summarise, write_report
from loadtest.run import cache_note

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def entry(name: str, method: str, times: dict[str, int], failures: int = 0, span=(100.0, 110.0)) -> dict:
    requests = sum(times.values())
    return {
        "name": name,
        "method": method,
        "start_time": span[0],
        "last_request_timestamp": span[1],
        "num_requests": requests,
        "num_failures": failures,
        "total_response_time": sum(float(ms) * n for ms, n in times.items()),
        "max_response_time": max((float(ms) for ms in times), default=0.0),
        "response_times": times,
    }


def scenario_entries() -> list[dict]:
    return [
        entry("POST /api/query", "POST", {"10": 50, "20": 45, "100": 5}, failures=3),
        entry("GET /api/sensors/{id}", "GET", {"40": 20}, span=(101.0, 105.0)),
        entry("202", "STATUS", {"0": 7}),
        entry("429", "STATUS", {"0": 4}),
        entry("failed export", "EXPORT", {"0": 1}, failures=1),
    ]


def test_percentiles_come_from_the_histogram():
    histogram = {"10": 50, "20": 45, "100": 5}
    assert percentile(histogram, 100, 0.50) == 10
    assert percentile(histogram, 100, 0.95) == 20
    assert percentile(histogram, 100, 0.99) == 100
    assert percentile({}, 0, 0.95) == 0.0


def test_202_and_429_are_counted_apart_and_failed_exports_are_failures():
    stats = summarise("original", 50, scenario_entries())
    assert stats.requests == 120  # the pseudo-requests of STATUS and EXPORT are not requests
    assert (stats.queued_202, stats.limited_429) == (7, 4)
    assert stats.failures == 4  # three 5xx/timeouts plus one export that ended failed
    assert stats.mean_ms == pytest.approx((50 * 10 + 45 * 20 + 5 * 100 + 20 * 40) / 120)
    assert (stats.p50_ms, stats.p95_ms, stats.max_ms) == (20, 40, 100)
    assert stats.rps == pytest.approx(120 / 10)


def test_report_has_a_row_per_scenario_endpoint_tables_and_both_charts(tmp_path: Path):
    quiet = [entry("POST /api/query", "POST", {"5": 10})]
    (tmp_path / "busy.json").write_text(json.dumps(scenario_entries()))
    (tmp_path / "quiet.json").write_text(json.dumps(quiet))
    manifest = {
        "run": "20261204T000000Z",
        "target": "http://127.0.0.1:8000",
        "cores": 2,
        "data": "a test",
        "scenarios": [
            {"name": "original 100req-50u", "users": 50, "file": "busy.json", "note": "result cache: 3 hits"},
            {"name": "original 10req-10u", "users": 10, "file": "quiet.json"},
        ],
    }
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))

    report = write_report(tmp_path).read_text()

    assert "| original 100req-50u | 50 | 120 | 4 | 7 | 4 | 22.5 | 20 | 40 | 100 | 100 | 12.0 |" in report
    assert "| original 10req-10u | 10 | 10 | 0 | 0 | 0 | 5.0 | 5 | 5 | 5 | 5 |" in report
    assert "### original 100req-50u\n\nresult cache: 3 hits\n" in report
    assert "| GET /api/sensors/{id} | 20 | 0 | 40 | 40 |" in report
    assert "failed export" not in report.split("## Per endpoint")[1]
    for chart in ("response_times.png", "failures.png"):
        assert f"]({chart})" in report
        data = (tmp_path / chart).read_bytes()
        assert data.startswith(PNG_MAGIC) and len(data) > 5000


def test_cache_note_counts_the_lookups_of_one_scenario_only():
    before = {"hit": 10.0, "miss": 5.0}
    after = {"hit": 40.0, "miss": 15.0}
    assert cache_note(before, after) == "result cache: 30 hits, 10 misses (75% hits)"
    assert cache_note({}, {}).startswith("result cache: no lookups")
