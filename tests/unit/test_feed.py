import io
import json
import math

import pytest

from airq.feed import FeedError, Rejected, parse_document, parse_entries, parse_entry


def entry(**overrides):
    base = {
        "id": 1,
        "timestamp": "2026-12-03 10:00:00",
        "location": {
            "id": 7,
            "latitude": "52.5",
            "longitude": "13.4",
            "altitude": "34.0",
            "country": "DE",
            "indoor": 0,
        },
        "sensor": {
            "id": 1234,
            "pin": "1",
            "sensor_type": {"id": 14, "name": "SDS011", "manufacturer": "Nova Fitness"},
        },
        "sensordatavalues": [
            {"id": 1, "value": "20.40", "value_type": "P1"},
            {"id": 2, "value": "14.80", "value_type": "P2"},
        ],
    }
    for key, value in overrides.items():
        if key in ("latitude", "longitude", "altitude", "country", "indoor"):
            base["location"][key] = value
        else:
            base[key] = value
    return base


def values(p1, p2):
    out = []
    if p1 is not None:
        out.append({"value": p1, "value_type": "P1"})
    if p2 is not None:
        out.append({"value": p2, "value_type": "P2"})
    return out


def reason(raw):
    with pytest.raises(Rejected) as caught:
        parse_entry(raw)
    return caught.value.reason


def test_accepts_a_normal_entry_p1_is_pm10_p2_is_pm25():
    reading = parse_entry(entry())
    assert reading.pm10_ugm3 == 20.4
    assert reading.pm25_ugm3 == 14.8
    assert (reading.pm25_index, reading.pm10_index, reading.daqi, reading.band) == (2, 2, 2, "Low")
    assert reading.timestamp == "2026-12-03T10:00:00Z"
    assert reading.country == "DE"
    assert reading.sensor_id == 1234
    assert reading.location_id == 7


def test_both_timestamp_formats_are_utc_with_z():
    assert parse_entry(entry(timestamp="2019-04-16T14:22:52")).timestamp == "2019-04-16T14:22:52Z"
    assert parse_entry(entry(timestamp="2019-04-16 14:22:52")).timestamp == "2019-04-16T14:22:52Z"


def test_numeric_values_missing_ids_missing_indoor_empty_altitude_null_country():
    raw = entry(
        sensordatavalues=[{"value": 30.0, "value_type": "P1"}, {"value": 12, "value_type": "P2"}], altitude=""
    )
    del raw["location"]["indoor"]
    raw["location"]["country"] = None
    reading = parse_entry(raw)
    assert (reading.pm10_ugm3, reading.pm25_ugm3) == (30.0, 12.0)
    assert reading.country == "XX"
    assert parse_entry(entry(country="")).country == "XX"
    assert parse_entry(entry(country="de")).country == "DE"


def test_one_pollutant_entry_is_kept():
    reading = parse_entry(entry(sensordatavalues=values("55.0", None)))
    assert reading.pm25_ugm3 is None and reading.pm10_index == 4 and reading.daqi == 4


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (entry(sensordatavalues=[{"value": "20", "value_type": "temperature"}]), "not_pm"),
        (entry(sensor={"id": 5, "sensor_type": {"name": "PPD42NS"}}), "count_sensor"),
        (entry(sensordatavalues=values("NaN", "3")), "not_finite"),
        (entry(sensordatavalues=values("inf", "3")), "not_finite"),
        (entry(sensordatavalues=values("abc", "3")), "not_finite"),
        (
            entry(sensordatavalues=[{"value": None, "value_type": "P1"}, {"value": "3", "value_type": "P2"}]),
            "not_finite",
        ),
        (entry(sensordatavalues=values("-1.0", "3")), "negative"),
        (entry(sensordatavalues=values("1999.9", "3")), "saturated"),
        (entry(sensordatavalues=values("2000", "999.9")), "saturated"),
        (entry(sensordatavalues=values("10", "999.9")), "saturated"),
        (entry(sensordatavalues=values("10", "10.5")), "pm25_gt_pm10"),
        (entry(indoor=1), "indoor"),
        (entry(indoor="1"), "indoor"),
        (entry(latitude="", longitude="13.4"), "missing_coordinates"),
        (entry(latitude=None), "missing_coordinates"),
        (entry(latitude="95"), "missing_coordinates"),
        (entry(latitude="0.000", longitude="0.000"), "missing_coordinates"),
        (entry(timestamp="yesterday"), "bad_timestamp"),
        (entry(timestamp=None), "bad_timestamp"),
        ("not an object", "malformed"),
        ({"sensor": {}}, "malformed"),
        (entry(sensor={"sensor_type": {"name": "SDS011"}}), "malformed"),
    ],
)
def test_every_reject_reason(raw, expected):
    assert reason(raw) == expected


def test_pm25_equal_to_pm10_is_fine():
    assert parse_entry(entry(sensordatavalues=values("10", "10"))).daqi == 1


def test_duplicates_are_counted_not_kept():
    result = parse_entries([entry(), entry(), entry(timestamp="2026-12-03 11:00:00")])
    assert result.accepted == 2
    assert result.rejected["duplicate"] == 1


def doc(text):
    return io.BytesIO(text.encode())


def test_document_faults_are_feed_errors():
    with pytest.raises(FeedError, match="empty"):
        parse_document(doc(""))
    with pytest.raises(FeedError, match="empty array"):
        parse_document(doc("[]"))
    with pytest.raises(FeedError, match="truncated"):
        parse_document(doc(json.dumps([entry(), entry(timestamp="2026-12-03 11:00:00")])[:-40]))
    with pytest.raises(FeedError, match="not a JSON array"):
        parse_document(doc('{"a": 1}'))
    with pytest.raises(FeedError, match="not valid JSON"):
        parse_document(doc("<html>502 Bad Gateway</html>"))
    with pytest.raises(FeedError, match="none passed QA"):
        parse_document(doc(json.dumps([entry(indoor=1)])))


def test_document_counts_every_rejection():
    raw = [entry(), entry(indoor=1), entry(sensordatavalues=values("-3", "1")), "junk"]
    result = parse_document(doc(json.dumps(raw)))
    assert result.entries == 4
    assert result.accepted == 1
    assert dict(result.rejected) == {"indoor": 1, "negative": 1, "malformed": 1}


def test_numbers_stay_finite_floats():
    reading = parse_document(doc(json.dumps([entry(sensordatavalues=values(12.345, 7))]))).readings[0]
    assert isinstance(reading.pm10_ugm3, float) and math.isclose(reading.pm10_ugm3, 12.345)
