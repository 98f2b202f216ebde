"""GET /api/readings and /api/sensors/<id> against dynalite: every format equals a brute-force
filter of the ingested readings, paging reaches the end, and requests read only what they need."""

import csv
import io
import json

import pytest
from prometheus_client import REGISTRY
from werkzeug.datastructures import MultiDict

from airq import aws
from airq.api.paging import read_page
from airq.formats import META
from airq.store import Store
from airq.validation import parse_page_args
from tests.integration.api.conftest import DAY1, DAY2, pages

FILTERS = [
    {"start": DAY1, "end": DAY2},
    {"start": DAY2, "end": DAY2, "country": "de"},
    {"start": f"{DAY1}T22:00", "end": f"{DAY2} 00:30", "min_aqi": "2", "max_aqi": "6"},  # across midnight
    {"start": DAY1, "end": DAY2, "band": "medium"},
    {"start": DAY1, "end": DAY2, "band": "Very High", "country": "PL"},
    {"start": DAY1, "end": DAY2, "bbox": "5,47,12,52.5", "max_aqi": "3"},
    {"start": f"{DAY1}T22:00:00+01:00", "end": f"{DAY2}T01:05:00+01:00", "country": "XX"},
    {"start": DAY1, "end": DAY2, "min_aqi": "0", "max_aqi": "10", "country": "NL"},
]


def query_of(api_settings, params):
    return parse_page_args(MultiDict(params), api_settings).query


def in_flight():
    return REGISTRY.get_sample_value("airq_http_requests_in_flight")


def json_of(value):
    return json.loads(json.dumps(value))


def from_feature(feature):
    longitude, latitude = feature["geometry"]["coordinates"]
    return {**feature["properties"], "latitude": latitude, "longitude": longitude}


@pytest.mark.parametrize("params", FILTERS, ids=lambda p: "&".join(f"{k}={v}" for k, v in p.items()))
def test_json_geojson_and_csv_equal_a_brute_force_filter(api, dataset, params):
    query = query_of(dataset.settings, params)
    expected = [r.as_dict() for r in dataset.expected(query)]
    assert expected, f"the filter matches nothing, which proves nothing: {params}"

    json_rows, counts = [], []
    for body in pages(api, "/api/readings", **params, limit="97"):
        json_rows.extend(body["data"])
        counts.append(body["meta"]["count"])
        assert body["meta"]["count"] == len(body["data"]) <= 97
    assert json_rows == expected

    features = []
    for body in pages(api, "/api/readings", **params, format="geojson", limit="1000"):
        assert body["type"] == "FeatureCollection" and body["meta"]["query"] == json_of(query.to_dict())
        features.extend(body["features"])
    assert [from_feature(f) for f in features] == expected

    before = in_flight()
    response = api.get("/api/readings", query_string={**params, "format": "csv"}, buffered=False)
    assert response.status_code == 200 and response.is_streamed
    assert in_flight() == before + 1  # a stream is in flight until the server closes it
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="airq-')
    text = response.get_data(as_text=True)
    response.close()
    assert in_flight() == before
    assert text == dataset.csv(query)
    assert len(list(csv.DictReader(io.StringIO(text)))) == len(expected)


def test_meta_states_units_window_timezone_version_and_the_resolved_query(api):
    body = api.get("/api/readings", query_string={"start": DAY2, "end": DAY2, "country": "de"}).get_json()
    meta = body["meta"]
    assert {k: meta[k] for k in META} == META
    assert (meta["units"], meta["averaging_window"], meta["timezone"]) == ("µg/m³", "24h", "UTC")
    assert "indicative" in meta["note"] and "DAQI" in meta["daqi_version"]
    assert meta["query"] == {"start": f"{DAY2}T00:00:00Z", "end": f"{DAY2}T23:59:59Z", "country": "DE"}
    assert meta["limit"] == 100 and meta["count"] == len(body["data"]) == 100
    assert meta["next"].startswith("/api/readings?") and meta["next_cursor"] in meta["next"]
    for reading in body["data"]:
        assert reading["timestamp"].endswith("Z") and reading["country"] == "DE"
        assert {"sensor_id", "latitude", "longitude", "pm25_ugm3", "pm10_ugm3", "daqi", "band"} <= set(
            reading
        )


def test_a_country_day_page_reads_only_that_partition_and_never_scans(api, dataset):
    calls = []
    client = aws.client("dynamodb", max_pool=32)
    event = "provide-client-params.dynamodb"
    client.meta.events.register(event, lambda model, params, **_: calls.append((model.name, params)))
    try:
        response = api.get("/api/readings", query_string={"start": DAY2, "end": DAY2, "country": "DE"})
    finally:
        client.meta.events.unregister(event)
    assert response.status_code == 200
    # The day's catalogue (a few summary items, which also key the page cache), then the partition.
    assert [(name, params["TableName"]) for name, params in calls] == [
        ("Query", dataset.settings.daily_table),
        ("Query", dataset.settings.readings_table),
    ]
    assert calls[0][1]["ExpressionAttributeValues"][":day"] == {"S": DAY2}
    params = calls[1][1]
    assert params["ExpressionAttributeValues"][":pk"] == {"S": f"DE#{DAY2}"} and params["Limit"] == 101


def test_a_cursor_from_another_query_is_a_400(api):
    first = api.get("/api/readings", query_string={"start": DAY2, "end": DAY2, "country": "DE", "limit": 5})
    cursor = first.get_json()["meta"]["next_cursor"]
    other = api.get(
        "/api/readings", query_string={"start": DAY2, "end": DAY2, "country": "NL", "cursor": cursor}
    )
    assert other.status_code == 400 and "different query" in other.get_json()["error"]["fields"]["cursor"]
    again = api.get(
        "/api/readings", query_string={"start": DAY2, "end": DAY2, "country": "de", "cursor": cursor}
    )
    assert again.status_code == 200  # the same query, spelled differently


@pytest.mark.parametrize(("budget", "seconds"), [(2, 60.0), (5, 60.0), (64, 0.0)])
def test_pages_with_a_tiny_budget_still_reach_the_end_exactly(aws, dataset, budget, seconds):
    """Budget-limited pages (even empty ones) resume where they stopped: no row lost or repeated."""
    store = Store(dataset.settings)
    for params in (
        {"start": DAY1, "end": DAY2, "band": "High"},
        {"start": DAY1, "end": DAY2, "country": "FR"},
    ):
        query = query_of(dataset.settings, params)
        rows, position, requests = [], None, 0
        while True:
            page, position = read_page(store, query, 25, position, budget=budget, seconds=seconds)
            rows.extend(page)
            requests += 1
            assert requests < 500
            if position is None:
                break
        assert rows == dataset.expected(query) and rows


def test_csv_over_the_sync_limit_points_at_the_export_route(api, app_for, dataset):
    response = api.get("/api/readings", query_string={"start": "2026-11-29", "end": DAY2, "format": "csv"})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "too_large_for_sync" and "/api/exports" in error["message"]
    assert "4 days" in error["message"]
    assert error["export"]["href"] == "/api/exports"
    queued = api.post(error["export"]["href"], json=error["export"]["body"])  # the body as given
    assert queued.status_code == 202

    small_rows = app_for(sync_max_rows=10)
    too_many = small_rows.get("/api/readings", query_string={"start": DAY2, "end": DAY2, "format": "csv"})
    assert too_many.status_code == 422 and "rows" in too_many.get_json()["error"]["message"]
    # JSON pages are never too large: they are paged.
    assert (
        small_rows.get("/api/readings", query_string={"start": "2026-11-29", "end": DAY2}).status_code == 200
    )


def test_sensor_history_in_every_format(api, dataset):
    counts = {}
    for reading in dataset.readings:
        counts[reading.sensor_id] = counts.get(reading.sensor_id, 0) + 1
    sensor = max(counts, key=lambda s: (counts[s], s))
    assert counts[sensor] == 4  # one reading per snapshot, over both days
    query = query_of(dataset.settings, {"start": DAY1, "end": DAY2, "sensor_id": str(sensor)})
    expected = [r.as_dict() for r in dataset.expected(query)]
    path = f"/api/sensors/{sensor}"
    rows = [row for body in pages(api, path, start=DAY1, end=DAY2, limit="3") for row in body["data"]]
    assert rows == expected
    geo = api.get(path, query_string={"start": DAY1, "end": DAY2, "format": "geojson"}).get_json()
    assert [from_feature(f) for f in geo["features"]] == expected
    text = api.get(path, query_string={"start": DAY1, "end": DAY2, "format": "csv"}).get_data(as_text=True)
    assert text == dataset.csv(query)
    same = api.get("/api/readings", query_string={"start": DAY1, "end": DAY2, "sensor_id": sensor}).get_json()
    assert same["data"] == expected


def test_a_sensor_without_readings_is_404_in_every_format(api):
    for output in ("json", "geojson", "csv"):
        response = api.get("/api/sensors/1", query_string={"start": DAY1, "end": DAY2, "format": output})
        assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"
