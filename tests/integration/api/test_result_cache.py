"""The result cache: a repeated CSV answer or JSON/GeoJSON page is served from memory until an ingest
changes the data."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import UTC, datetime

from airq.api.app import create_app
from airq.feed import load_feed
from airq.feedgen import generate, write_feed
from airq.ingest.run import ingest_once
from airq.resources import ensure_all


def snapshot(tmp_path, hour):
    path = tmp_path / f"feed-{hour}.json"
    with path.open("w") as handle:
        write_feed(generate(600, seed=21, at=datetime(2026, 12, 3, hour, 5, tzinfo=UTC)), handle)
    return path


def app_seeing_every_ingest(settings):
    """An app that reads the day's catalogue on every request (catalogue_ttl_seconds=0), so each
    ingest shows at once; the shared catalogue memo has its own test below."""
    return create_app(replace(settings, catalogue_ttl_seconds=0))


def rows(response):
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_repeated_query_hits_until_an_ingest_changes_the_data(settings, tmp_path):
    ensure_all(settings, wait_seconds=10)
    client = app_seeing_every_ingest(settings).test_client()
    body = {
        "startDate": "2026-12-03",
        "endDate": "2026-12-03",
        "country": "DE",
        "minAqi": 0,
        "maxAqi": 10,
        "range": "",
    }

    first_feed = snapshot(tmp_path, 9)
    ingest_once(str(first_feed), settings)
    first = client.post("/api/query", json=body)
    again = client.post("/api/query", json=body)
    assert (first.status_code, again.status_code) == (200, 200)
    assert (first.headers["X-Cache"], again.headers["X-Cache"]) == ("miss", "hit")
    assert again.get_data() == first.get_data()
    expected_first = sum(r.country == "DE" for r in load_feed(str(first_feed)).readings)
    assert len(rows(first)) == expected_first > 0

    # Re-ingesting the same snapshot changes nothing, so the entry stays valid.
    ingest_once(str(first_feed), settings)
    assert client.post("/api/query", json=body).headers["X-Cache"] == "hit"

    # A new snapshot changes the day's summaries: the next answer is rebuilt and includes it.
    second_feed = snapshot(tmp_path, 10)
    ingest_once(str(second_feed), settings)
    fresh = client.post("/api/query", json=body)
    assert fresh.headers["X-Cache"] == "miss"
    expected = expected_first + sum(r.country == "DE" for r in load_feed(str(second_feed)).readings)
    assert len(rows(fresh)) == expected

    # The same filter through GET /api/readings?format=csv is the same cached answer.
    same = client.get(
        "/api/readings",
        query_string={"start": "2026-12-03", "end": "2026-12-03", "country": "de", "format": "csv"},
    )
    assert same.headers["X-Cache"] == "hit" and same.get_data() == fresh.get_data()
    # A different filter is a different entry.
    low = client.post("/api/query", json={**body, "range": "Low"})
    assert low.headers["X-Cache"] == "miss"
    assert {r["band"] for r in rows(low)} <= {"Low"}


def test_cache_off_streams(settings, tmp_path):
    ensure_all(settings, wait_seconds=10)
    ingest_once(str(snapshot(tmp_path, 9)), settings)
    off = settings.__class__(**{**settings.__dict__, "result_cache_mb": 0})
    response = (
        create_app(off)
        .test_client()
        .get("/api/readings", query_string={"start": "2026-12-03", "end": "2026-12-03", "format": "csv"})
    )
    assert response.status_code == 200 and "X-Cache" not in response.headers
    assert response.is_streamed


def test_a_cached_answer_is_served_even_when_busy(settings, tmp_path):
    """Overloaded, POST /api/query queues a new query (202) but still answers a cached one (200):
    a cache hit costs one small Query, less than queueing an export."""
    from airq.api import cache
    from airq.store import Store
    from airq.validation import parse_client_body

    ensure_all(settings, wait_seconds=10)
    ingest_once(str(snapshot(tmp_path, 9)), settings)
    busy = settings.__class__(**{**settings.__dict__, "max_in_flight": 0})  # every request is "busy"
    app = create_app(busy)
    body = {
        "startDate": "2026-12-03",
        "endDate": "2026-12-03",
        "country": "NL",
        "minAqi": 0,
        "maxAqi": 10,
        "range": "",
    }
    assert app.test_client().post("/api/query", json=body).status_code == 202

    key = cache.cache_key(Store(settings), parse_client_body(body))
    app.extensions["airq_result_cache"].get_or_build(key, lambda: b"sensor_id\n1\n")
    served = app.test_client().post("/api/query", json=body)
    assert served.status_code == 200 and served.headers["X-Cache"] == "hit"
    assert served.get_data() == b"sensor_id\n1\n"


def test_json_and_geojson_pages_hit_until_an_ingest_changes_the_data(settings, tmp_path):
    ensure_all(settings, wait_seconds=10)
    client = app_seeing_every_ingest(settings).test_client()
    ingest_once(str(snapshot(tmp_path, 9)), settings)
    args = {"start": "2026-12-03", "end": "2026-12-03", "country": "DE", "limit": "50"}

    first = client.get("/api/readings", query_string=args)
    again = client.get("/api/readings", query_string=args)
    assert (first.headers["X-Cache"], again.headers["X-Cache"]) == ("miss", "hit")
    assert again.get_data() == first.get_data() and again.content_type == "application/json"
    page = first.get_json()
    assert page["meta"]["count"] == 50 and page["meta"]["next_cursor"]

    # The next page (another URL) is its own entry, and follows on from the cached first page.
    second = client.get(page["meta"]["next"])
    assert second.headers["X-Cache"] == "miss"
    seen = {(r["sensor_id"], r["timestamp"]) for r in page["data"]}
    assert not seen & {(r["sensor_id"], r["timestamp"]) for r in second.get_json()["data"]}

    geo = client.get("/api/readings", query_string={**args, "format": "geojson"})
    assert geo.headers["X-Cache"] == "miss" and geo.content_type == "application/geo+json"
    assert client.get("/api/readings", query_string={**args, "format": "geojson"}).headers["X-Cache"] == "hit"

    # A new snapshot changes DE's summary: the same URL is rebuilt and shows the new readings.
    ingest_once(str(snapshot(tmp_path, 10)), settings)
    fresh = client.get("/api/readings", query_string={**args, "limit": "1000"})
    assert fresh.headers["X-Cache"] == "miss"
    hours = {r["timestamp"][11:13] for r in fresh.get_json()["data"]}
    assert hours == {"09", "10"}


def test_sensor_history_pages_are_not_cached(settings, tmp_path):
    """One indexed Query, bounded by one sensor's history: cheaper to read than to key."""
    ensure_all(settings, wait_seconds=10)
    feed = snapshot(tmp_path, 9)
    ingest_once(str(feed), settings)
    sensor = load_feed(str(feed)).readings[0].sensor_id
    response = (
        create_app(settings)
        .test_client()
        .get(f"/api/sensors/{sensor}", query_string={"start": "2026-12-03", "end": "2026-12-03"})
    )
    assert response.status_code == 200 and "X-Cache" not in response.headers
    assert [r["sensor_id"] for r in response.get_json()["data"]] == [sensor]


def test_one_process_reads_a_days_catalogue_once_per_ttl(settings, tmp_path):
    from airq import aws

    ensure_all(settings, wait_seconds=10)
    ingest_once(str(snapshot(tmp_path, 9)), settings)
    client = create_app(replace(settings, catalogue_ttl_seconds=300)).test_client()
    calls = []
    dynamodb = aws.client("dynamodb", max_pool=32)
    event = "provide-client-params.dynamodb.Query"
    dynamodb.meta.events.register(event, lambda params, **_: calls.append(params["TableName"]))
    try:
        for country in ("DE", "NL", "DE", "FR"):
            args = {"start": "2026-12-03", "end": "2026-12-03", "country": country}
            assert client.get("/api/readings", query_string=args).status_code == 200
        day = {"start": "2026-12-03", "end": "2026-12-03"}
        assert client.get("/api/summary", query_string=day).status_code == 200
    finally:
        dynamodb.meta.events.unregister(event)
    # One catalogue read for the five requests; a partition read per uncached page (DE twice: a hit).
    assert calls.count(settings.daily_table) == 1
    assert calls.count(settings.readings_table) == 3


def test_cached_answers_go_out_gzipped_to_clients_that_accept_it(settings, tmp_path):
    import gzip

    ensure_all(settings, wait_seconds=10)
    ingest_once(str(snapshot(tmp_path, 9)), settings)
    client = create_app(settings).test_client()
    for args in (
        {"start": "2026-12-03", "end": "2026-12-03", "format": "csv"},
        {"start": "2026-12-03", "end": "2026-12-03", "country": "DE"},
    ):
        plain = client.get("/api/readings", query_string=args)
        zipped = client.get("/api/readings", query_string=args, headers={"Accept-Encoding": "gzip, br"})
        refused = client.get("/api/readings", query_string=args, headers={"Accept-Encoding": "gzip;q=0"})
        assert "Content-Encoding" not in plain.headers and "Content-Encoding" not in refused.headers
        assert zipped.headers["Content-Encoding"] == "gzip" and zipped.headers["X-Cache"] == "hit"
        assert "Accept-Encoding" in zipped.headers["Vary"] and "Accept-Encoding" in plain.headers["Vary"]
        assert gzip.decompress(zipped.get_data()) == plain.get_data() == refused.get_data()
        assert len(zipped.get_data()) < len(plain.get_data()) / 3
