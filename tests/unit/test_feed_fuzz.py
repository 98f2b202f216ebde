"""Property tests: the feed parser takes arbitrary JSON without crashing and never stores nonsense."""

from __future__ import annotations

import contextlib
import io
import json
import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from airq.feed import FeedError, Rejected, parse_document, parse_entry
from airq.readings import Reading

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=12),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)

numberish = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**6), max_value=10**6),
    st.floats(min_value=-50, max_value=3000).map(lambda v: f"{v:.2f}"),
    st.sampled_from(["", "NaN", "inf", "-0", "1e400", "abc", None, True]),
)

entries = st.fixed_dictionaries(
    {
        "timestamp": st.one_of(
            st.datetimes().map(lambda d: d.strftime("%Y-%m-%d %H:%M:%S")),
            st.datetimes().map(lambda d: d.strftime("%Y-%m-%dT%H:%M:%S")),
            st.text(max_size=25),
            st.none(),
        ),
        "location": st.fixed_dictionaries(
            {
                "latitude": st.one_of(numberish, st.floats(-90, 90).map(str)),
                "longitude": st.one_of(numberish, st.floats(-180, 180).map(str)),
                "country": st.one_of(st.none(), st.text(max_size=3)),
            },
            optional={
                "indoor": st.one_of(st.integers(0, 1), st.text(max_size=2)),
                "altitude": st.text(max_size=5),
            },
        ),
        "sensor": st.fixed_dictionaries(
            {
                "sensor_type": st.fixed_dictionaries(
                    {"name": st.sampled_from(["SDS011", "PPD42NS", "PMS5003", "DHT22"])}
                )
            },
            optional={"id": st.one_of(st.integers(), st.text(max_size=6), st.none())},
        ),
        "sensordatavalues": st.lists(
            st.fixed_dictionaries(
                {"value_type": st.sampled_from(["P1", "P2", "P0", "temperature"]), "value": numberish}
            ),
            max_size=4,
        ),
    }
)


def check_reading(reading: Reading) -> None:
    for value in (reading.pm25_ugm3, reading.pm10_ugm3):
        assert value is None or (math.isfinite(value) and value >= 0)
    assert reading.pm10_ugm3 is None or reading.pm10_ugm3 < 1999.9
    assert reading.pm25_ugm3 is None or reading.pm25_ugm3 < 999.9
    if reading.pm25_ugm3 is not None and reading.pm10_ugm3 is not None:
        assert reading.pm25_ugm3 <= reading.pm10_ugm3
    assert 1 <= reading.daqi <= 10
    assert len(reading.country) == 2 and reading.country.isupper()
    assert reading.timestamp.endswith("Z") and len(reading.timestamp) == 20
    assert -90 <= reading.latitude <= 90 and -180 <= reading.longitude <= 180


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(entries)
def test_structured_entries_are_accepted_sanely_or_rejected_with_a_reason(entry):
    try:
        reading = parse_entry(entry)
    except Rejected as rejected:
        assert rejected.reason
        return
    check_reading(reading)


@settings(max_examples=300)
@given(json_values)
def test_arbitrary_json_entries_never_crash(value):
    with contextlib.suppress(Rejected):
        check_reading(parse_entry(value))


@settings(max_examples=200)
@given(st.one_of(json_values, st.lists(json_values, max_size=5)))
def test_arbitrary_documents_are_parsed_or_refused_whole(document):
    try:
        result = parse_document(io.BytesIO(json.dumps(document).encode()))
    except FeedError as error:
        assert str(error)
        return
    assert result.accepted >= 1
    assert result.accepted + sum(result.rejected.values()) == result.entries


@settings(max_examples=200)
@given(st.binary(max_size=300))
def test_arbitrary_bytes_are_refused_with_a_feed_error(blob):
    try:
        result = parse_document(io.BytesIO(blob))
    except FeedError:
        return
    assert result.accepted >= 1
