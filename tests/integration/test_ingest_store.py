"""Ingest real and generated feeds into dynalite over HTTP; query them back without Scan."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

import airq
from airq import aws
from airq.feed import load_feed, parse_document
from airq.feedgen import generate, write_feed
from airq.ingest.run import ingest_once
from airq.query import ReadingQuery, iter_readings, page
from airq.resources import ensure_tables
from airq.store import Store
from airq.summaries import Summary
from tests.conftest import settings_env
from tests.support.standins import free_port, subprocess_env

INGEST = Path(sys.executable).parent / "airq-ingest"


@pytest.fixture
def store(settings):
    ensure_tables(settings)
    client = aws.client("dynamodb")
    operations: list[str] = []
    client.meta.events.register("before-call.dynamodb.*", lambda model, **_: operations.append(model.name))
    store = Store(settings, client=client)
    store.operations = operations
    yield store
    client.meta.events.unregister("before-call.dynamodb.*")


def count_partition(store, country, day):
    return len(store.query_partition_page(country, day, f"{day}T00", f"{day}T99")[0])


def test_real_excerpt_ingested_twice_leaves_the_same_items(store, settings, real_data):
    feed = str(real_data / "ldi_static_v1_data.json_excerpt_2019-04-16.json")
    first = ingest_once(feed, settings, store)
    assert (first.accepted, first.stored) == (140, 140)
    catalogue = store.country_summaries("2019-04-16")
    assert sum(s.readings for s in catalogue.values()) == 140
    per_country = {c: count_partition(store, c, "2019-04-16") for c in catalogue}

    ingest_once(feed, settings, store)
    catalogue_again = store.country_summaries("2019-04-16")
    assert catalogue_again == catalogue
    assert {c: count_partition(store, c, "2019-04-16") for c in catalogue} == per_country
    assert sum(per_country.values()) == 140
    assert "Scan" not in store.operations


def test_summaries_equal_a_brute_force_count(store, settings, real_data):
    feed = str(real_data / "ldi_static_v1_data.json_excerpt_2019-04-16.json")
    ingest_once(feed, settings, store)
    expected: dict[str, Summary] = {}
    for reading in load_feed(feed).readings:
        expected.setdefault(reading.country, Summary()).add(
            reading.daqi, reading.pm25_ugm3, reading.pm10_ugm3
        )
    stored = store.country_summaries("2019-04-16")
    assert stored.keys() == expected.keys()
    for country, summary in expected.items():
        assert stored[country].readings == summary.readings
        assert stored[country].daqi_counts == summary.daqi_counts
        assert stored[country].pm25_mean == pytest.approx(summary.pm25_mean, abs=0.011)
        assert stored[country].pm10_mean == pytest.approx(summary.pm10_mean, abs=0.011)


def test_queries_equal_a_brute_force_filter_and_never_scan(store, settings, tmp_path):
    snapshots = []
    for hour in (22, 23):  # spans midnight: two days
        at = (
            datetime(2026, 12, 2, hour, 30, tzinfo=UTC)
            if hour == 22
            else datetime(2026, 12, 3, 0, 1, tzinfo=UTC)
        )
        path = tmp_path / f"feed-{hour}.json"
        with path.open("w") as handle:
            write_feed(generate(1500, seed=11, at=at), handle)
        ingest_once(str(path), settings, store)
        snapshots.extend(load_feed(str(path)).readings)

    queries = [
        ReadingQuery(start="2026-12-02T00:00:00Z", end="2026-12-03T23:59:59Z"),
        ReadingQuery(start="2026-12-02T00:00:00Z", end="2026-12-03T23:59:59Z", country="DE", min_aqi=2),
        ReadingQuery(start="2026-12-02T22:29:00Z", end="2026-12-02T22:29:30Z", band="Low"),
        ReadingQuery(
            start="2026-12-02T00:00:00Z", end="2026-12-03T23:59:59Z", bbox=(5.0, 48.0, 12.0, 52.0), max_aqi=3
        ),
        ReadingQuery(
            start="2026-12-02T00:00:00Z", end="2026-12-03T23:59:59Z", sensor_id=snapshots[0].sensor_id
        ),
    ]
    for query in queries:
        expected = sorted(
            (r for r in snapshots if query.matches(r)),
            key=lambda r: (r.day, r.country, r.timestamp, r.sensor_id),
        )
        got = [r for r, _ in iter_readings(store, query)]
        if query.sensor_id is None:
            assert got == expected, query
        else:
            assert sorted(got, key=lambda r: r.timestamp) == sorted(expected, key=lambda r: r.timestamp)
            assert len(got) == 2
        assert expected, f"query matched nothing, which proves nothing: {query}"

        pages, cursor, seen = 0, None, []
        while True:
            rows, cursor = page(store, query, limit=97, cursor=cursor)
            seen.extend(rows)
            pages += 1
            if cursor is None:
                break
            assert len(rows) == 97
        assert sorted(seen, key=lambda r: (r.timestamp, r.sensor_id)) == sorted(
            expected, key=lambda r: (r.timestamp, r.sensor_id)
        )
        assert pages == len(expected) // 97 + 1
    assert "Scan" not in store.operations


def test_country_day_query_reads_only_that_partition(store, settings, tmp_path):
    path = tmp_path / "feed.json"
    with path.open("w") as handle:
        write_feed(generate(2000, seed=5, at=datetime(2026, 12, 3, 10, tzinfo=UTC)), handle)
    ingest_once(str(path), settings, store)
    captured = []
    store.client.meta.events.register(
        "after-call.dynamodb.Query", lambda parsed, **_: captured.append(parsed)
    )
    query = ReadingQuery(start="2026-12-03T00:00:00Z", end="2026-12-03T23:59:59Z", country="NL")
    rows = [r for r, _ in iter_readings(store, query)]
    store.client.meta.events.unregister("after-call.dynamodb.Query")
    assert rows and all(r.country == "NL" for r in rows)
    assert sum(p["ScannedCount"] for p in captured) == len(rows)


def test_truncated_feed_writes_nothing_and_exits_non_zero(store, settings, tmp_path, aws):

    buffer = io.StringIO()
    write_feed(generate(200, seed=1, at=datetime(2026, 12, 3, 10, tzinfo=UTC)), buffer)
    path = tmp_path / "truncated.json"
    path.write_text(buffer.getvalue()[: len(buffer.getvalue()) // 2])

    env = subprocess_env({**aws, **settings_env(settings)})
    done = subprocess.run(
        [str(INGEST), "--once", "--feed", str(path)], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 1
    assert "truncated" in done.stderr and "nothing stored" in done.stderr
    assert store.country_summaries("2026-12-03") == {}
    assert count_partition(store, "DE", "2026-12-03") == 0

    full = tmp_path / "full.json"
    full.write_text(buffer.getvalue())
    done = subprocess.run(
        [str(INGEST), "--once", "--feed", f"file://{full}"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    expected = parse_document(io.BytesIO(buffer.getvalue().encode()))
    assert sum(s.readings for s in store.country_summaries("2026-12-03").values()) == expected.accepted


def test_unreachable_store_is_a_clear_error_and_exit_code(settings, tmp_path, aws, real_data):
    env = subprocess_env({**aws, **settings_env(settings), "AWS_ENDPOINT_URL_DYNAMODB": f"http://127.0.0.1:{free_port()}",
                          "AWS_MAX_ATTEMPTS": "2"})  # fmt: skip
    feed = real_data / "ldi_static_v1_data.json_upstream_2019-04-25.json"
    done = subprocess.run(
        [str(INGEST), "--once", "--feed", str(feed)], env=env, capture_output=True, text=True, timeout=180
    )
    assert done.returncode == 3
    assert "could not store the snapshot" in done.stderr


def test_dry_run_prints_every_accepted_reading_with_daqi(real_data):

    for name in (
        "ldi_static_v1_data.json_excerpt_2019-04-16.json",
        "luftdaten_r_dash_sensor_details_2019.csv",
    ):
        feed = real_data / name
        done = subprocess.run(
            [str(INGEST), "--dry-run", "--feed", str(feed)], capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr
        rows = [json.loads(line) for line in done.stdout.splitlines()]
        expected = load_feed(str(feed))
        assert rows == [r.as_dict() for r in expected.readings]
        counts = json.loads(done.stderr.strip().splitlines()[-1])
        assert counts == {
            "entries": expected.entries,
            "accepted": expected.accepted,
            "rejected": dict(expected.rejected),
        }
        for row in rows:
            assert {
                "sensor_id",
                "timestamp",
                "country",
                "pm25_ugm3",
                "pm10_ugm3",
                "pm25_index",
                "pm10_index",
                "daqi",
                "band",
            } <= row.keys()
    assert Counter(r["band"] for r in rows)["Very High"] > 0


def test_no_scan_in_the_service_code():
    """DESIGN §4: request paths never Scan. No module of the package may even name the operation."""

    package = Path(airq.__file__).parent
    offenders = [p for p in package.rglob("*.py") if ".scan(" in p.read_text() or '"Scan"' in p.read_text()]
    assert offenders == []
