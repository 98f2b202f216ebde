"""GET /api/countries and /api/summary equal brute-force counts of the ingested readings."""

from collections import Counter

import pytest

from airq import daqi
from tests.integration.api.conftest import DAY1, DAY2


def brute_force(readings):
    counts = Counter(r.daqi for r in readings)
    bands = Counter(r.band for r in readings)
    pm25 = [r.pm25_ugm3 for r in readings if r.pm25_ugm3 is not None]
    return {
        "readings": len(readings),
        "daqi_counts": {str(i): counts.get(i, 0) for i in range(1, 11)},
        "band_counts": {band: bands.get(band, 0) for band in daqi.BANDS},
        "pm25_mean_ugm3": pytest.approx(sum(pm25) / len(pm25), abs=0.011) if pm25 else None,
    }


def summary_part(body):
    return {k: body[k] for k in ("readings", "daqi_counts", "band_counts", "pm25_mean_ugm3")}


@pytest.mark.parametrize(
    ("params", "days"),
    [
        ({"day": DAY1}, [DAY1]),
        ({"start": DAY1, "end": DAY2}, [DAY1, DAY2]),
        ({"end": f"{DAY2}T03:00"}, [DAY2]),
    ],
)
def test_countries_equal_brute_force_counts(api, dataset, params, days):
    body = api.get("/api/countries", query_string=params).get_json()
    assert (body["meta"]["start"], body["meta"]["end"], body["meta"]["days"]) == (
        days[0],
        days[-1],
        len(days),
    )
    assert body["meta"]["units"] == "µg/m³"
    by_country = {}
    for reading in dataset.readings:
        if reading.day in days:
            by_country.setdefault(reading.country, []).append(reading)
    assert [row["country"] for row in body["data"]] == sorted(by_country)
    assert "XX" in by_country  # sensors without a country are listed as XX
    for row in body["data"]:
        assert summary_part(row) == brute_force(by_country[row["country"]])


def test_countries_of_a_day_without_data_is_empty(api):
    body = api.get("/api/countries", query_string={"day": "2026-11-01"}).get_json()
    assert body["data"] == [] and body["meta"]["count"] == 0


def test_summary_of_whole_days_comes_from_the_day_items(api, dataset):
    body = api.get("/api/summary", query_string={"start": DAY1, "end": DAY2, "country": "de"}).get_json()
    assert body["meta"]["granularity"] == "day"
    readings = [r for r in dataset.readings if r.country == "DE"]
    assert summary_part(body["data"]) == brute_force(readings)
    assert [day["day"] for day in body["data"]["by_day"]] == [DAY1, DAY2]
    assert summary_part(body["data"]["by_day"][1]) == brute_force([r for r in readings if r.day == DAY2])


def test_summary_inside_days_counts_whole_hours(api, dataset):
    """20:58:30 to 00:03 the next day counts hours 20 to 00 whole: all of the 21:00 snapshot (stamped
    20:57:30 to 21:00) and of the 00:05 one (00:02:30 to 00:05), unlike a reading-level filter."""
    start, end = f"{DAY1}T20:58:30", f"{DAY2}T00:03"
    body = api.get("/api/summary", query_string={"start": start, "end": end}).get_json()
    assert body["meta"]["granularity"] == "hour"
    assert body["meta"]["window"] == {"start": f"{DAY1}T20:00:00Z", "end": f"{DAY2}T00:59:59Z"}
    inside = [r for r in dataset.readings if f"{DAY1}T20:00:00Z" <= r.timestamp <= f"{DAY2}T00:59:59Z"]
    assert summary_part(body["data"]) == brute_force(inside)
    strictly = [r for r in inside if f"{DAY1}T20:58:30Z" <= r.timestamp <= f"{DAY2}T00:03:00Z"]
    assert len(strictly) < len(inside)  # the rounding is visible in this data
    assert [d["readings"] for d in body["data"]["by_day"]] == [
        sum(r.day == DAY1 for r in inside),
        sum(r.day == DAY2 for r in inside),
    ]
