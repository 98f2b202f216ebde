"""Every validation rule, table-driven: what is accepted, what each refusal names."""

from datetime import date

import pytest
from werkzeug.datastructures import MultiDict

from airq.config import Settings
from airq.query import ReadingQuery, encode_cursor
from airq.validation import (
    MAX_SPAN_DAYS,
    READING_FILTERS,
    ValidationError,
    check_cursor,
    issue_cursor,
    parse_client_body,
    parse_export_body,
    parse_page_args,
    parse_span_args,
    parse_time,
)

TODAY = date(2026, 12, 3)
SETTINGS = Settings()


def page(**args):
    return parse_page_args(MultiDict(args), SETTINGS, today=TODAY)


def refused(call, *args, **kwargs) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        call(*args, **kwargs)
    return caught.value.fields


@pytest.mark.parametrize(
    ("raw", "end", "expected"),
    [
        ("2026-12-03", False, "2026-12-03T00:00:00Z"),
        ("2026-12-03", True, "2026-12-03T23:59:59Z"),  # a date-only end covers the whole day
        ("2026-12-03T10:00", False, "2026-12-03T10:00:00Z"),
        ("2026-12-03 10:00:05", False, "2026-12-03T10:00:05Z"),  # space instead of T
        ("2026-12-03t10:00:05z", False, "2026-12-03T10:00:05Z"),
        ("2026-12-03T10:00:05Z", True, "2026-12-03T10:00:05Z"),
        ("2026-12-03T10:00:00+01:00", False, "2026-12-03T09:00:00Z"),
        ("2026-12-03T10:00:00 01:00", False, "2026-12-03T09:00:00Z"),  # '+' decoded to ' '
        ("2026-12-03T00:30:00-0100", False, "2026-12-03T01:30:00Z"),
        ("2026-12-03T00:30:00+02:00", False, "2026-12-02T22:30:00Z"),  # crosses midnight
        ("2026-12-03T10:00:00.5", False, "2026-12-03T10:00:01Z"),  # a start rounds inward (up)
        ("2026-12-03T10:00:00.5", True, "2026-12-03T10:00:00Z"),  # an end rounds inward (down)
        ("2026-12-03T10:00:00.000", False, "2026-12-03T10:00:00Z"),
        ("0001-01-01", False, "0001-01-01T00:00:00Z"),  # four-digit years, as ISO strings compare
        (" 2026-12-03 ", False, "2026-12-03T00:00:00Z"),
    ],
)
def test_times_accepted(raw, end, expected):
    assert parse_time(raw, end=end) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "yesterday", "2026-12-32", "2026-13-01", "2026-02-30", "20261203", "2026-12-03T25:00",
        "2026-12-03T10:60", "2026-12-03T10:00:61", "2026-12-03T10", "2026-W49-4", "2026-12-03T10:00+24:00",
        "0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", "", "2026-12-03T10:00:00ZZ", "١٢٣٤-١٢-٠٣",
    ],
)  # fmt: skip
def test_times_refused(raw):
    with pytest.raises(ValueError):
        parse_time(raw)


def test_defaults_are_today_utc_and_an_end_alone_gives_its_day():
    assert page().query == ReadingQuery(start="2026-12-03T00:00:00Z", end="2026-12-03T23:59:59Z")
    assert page(end="2026-12-01").query.start == "2026-12-01T00:00:00Z"
    assert page(start="2026-12-01").query.end == "2026-12-03T23:59:59Z"
    sensor = parse_page_args(MultiDict(), SETTINGS, sensor_id="42", default_days=7, today=TODAY)
    assert (sensor.query.start, sensor.query.sensor_id) == ("2026-11-27T00:00:00Z", 42)
    assert (page().format, page().limit, page().cursor) == ("json", SETTINGS.page_limit_default, None)


def test_every_filter_is_parsed_and_normalised():
    request = page(
        start="2026-12-01", end="2026-12-02T12:00", country="de", min_aqi="2", max_aqi="9", band="medium",
        sensor_id="12345", bbox="5, 47.5,15,55", format="GeoJSON", limit="250",
    )  # fmt: skip
    assert request.query == ReadingQuery(
        start="2026-12-01T00:00:00Z", end="2026-12-02T12:00:00Z", country="DE", min_aqi=2, max_aqi=9,
        band="Moderate", sensor_id=12345, bbox=(5.0, 47.5, 15.0, 55.0),
    )  # fmt: skip
    assert (request.format, request.limit) == ("geojson", 250)


@pytest.mark.parametrize(
    ("args", "field", "fragment"),
    [
        ({"start": "soon"}, "start", "not an ISO-8601"),
        ({"end": "2026-02-30"}, "end", "not a valid date"),
        ({"start": "2026-12-03", "end": "2026-12-02"}, "start", "is after end"),
        ({"start": "2026-12-04"}, "start", "defaults to the end of today"),
        ({"start": "2025-01-01", "end": "2026-12-03"}, "end", f"at most {MAX_SPAN_DAYS}"),
        ({"country": "DEU"}, "country", "two-letter"),
        ({"country": "D1"}, "country", "two-letter"),
        ({"min_aqi": "11"}, "min_aqi", "0 to 10"),
        ({"min_aqi": "-1"}, "min_aqi", "integer"),
        ({"max_aqi": "2.5"}, "max_aqi", "integer"),
        ({"max_aqi": "ten"}, "max_aqi", "integer"),
        ({"max_aqi": "٣"}, "max_aqi", "integer"),  # an Arabic-Indic 3: ASCII digits only
        ({"min_aqi": "7", "max_aqi": "3"}, "min_aqi", "greater than max_aqi"),
        ({"min_aqi": "7", "max_aqi": "3"}, "max_aqi", "less than min_aqi"),
        ({"band": "purple"}, "band", "unknown band"),
        ({"band": "Low", "min_aqi": "5"}, "band", "nothing could match"),
        ({"band": "Very High", "max_aqi": "9"}, "band", "nothing could match"),
        ({"sensor_id": "abc"}, "sensor_id", "positive integer"),
        ({"sensor_id": "0"}, "sensor_id", "from 1"),
        ({"sensor_id": "10000000000"}, "sensor_id", "from 1"),
        ({"bbox": "1,2,3"}, "bbox", "four numbers"),
        ({"bbox": "a,b,c,d"}, "bbox", "four numbers"),
        ({"bbox": "nan,1,2,3"}, "bbox", "four numbers"),
        ({"bbox": "1e1,1,20,3"}, "bbox", "four numbers"),
        ({"bbox": "10,50,5,55"}, "bbox", "below"),
        ({"bbox": "5,55,10,50"}, "bbox", "below"),
        ({"bbox": "-181,0,10,10"}, "bbox", "longitudes"),
        ({"bbox": "0,-91,10,10"}, "bbox", "latitudes"),
        ({"limit": "0"}, "limit", "1 to 1000"),
        ({"limit": "1001"}, "limit", "1 to 1000"),
        ({"limit": "many"}, "limit", "1 to 1000"),
        ({"format": "xml"}, "format", "json, geojson, csv"),
        ({"format": "csv", "limit": "10"}, "limit", "streams every matching row"),
        ({"format": "csv", "cursor": "abc"}, "cursor", "streams every matching row"),
        ({"cursor": "!!!"}, "cursor", "not one this API issued"),
        ({"contry": "DE"}, "contry", "unknown parameter"),
    ],
)
def test_each_rule_names_its_field(args, field, fragment):
    fields = refused(page, **args)
    assert fragment in fields[field], fields


def test_every_bad_field_is_named_at_once():
    fields = refused(
        page, start="x", end="y", country="123", min_aqi="12", max_aqi="-", band="?", sensor_id="s",
        bbox="1", format="pdf", limit="0", colour="red",
    )  # fmt: skip
    assert set(fields) == {*READING_FILTERS, "format", "limit", "colour"}


def test_a_sensor_path_is_checked_with_the_parameters():
    fields = refused(parse_page_args, MultiDict({"start": "x"}), SETTINGS, sensor_id="abc")
    assert set(fields) == {"sensor_id", "start"} and "positive integer" in fields["sensor_id"]
    fields = refused(parse_page_args, MultiDict({"sensor_id": "5"}), SETTINGS, sensor_id="5")
    assert "unknown parameter" in fields["sensor_id"]  # the path names the sensor here


def test_repeated_parameters_and_empty_values():
    assert (
        "more than once"
        in refused(parse_page_args, MultiDict([("country", "DE"), ("country", "FR")]), SETTINGS)["country"]
    )
    assert page(country="", band="", min_aqi="", format="", limit="").query == page().query


def test_zero_aqi_means_no_bound():
    query = page(min_aqi="0", max_aqi="0").query
    assert (query.min_aqi, query.max_aqi, query.daqi_range) == (None, None, (1, 10))


def test_original_client_body():
    body = {"startDate": "2026-12-01", "endDate": "2026-12-02", "country": "", "minAqi": 0, "maxAqi": 10}
    query = parse_client_body({**body, "range": ""}, today=TODAY)
    assert query == ReadingQuery(start="2026-12-01T00:00:00Z", end="2026-12-02T23:59:59Z", max_aqi=10)
    query = parse_client_body({"startDate": "2026-12-01", "country": "gb", "minAqi": "4", "range": "High"})
    assert (query.country, query.min_aqi, query.band) == ("GB", 4, "High")
    bad = {"startDate": 20261201, "endDate": "2026-12-0", "minAqi": True, "maxAqi": 11.5, "range": "Bad"}
    fields = refused(parse_client_body, {**bad, "x": 1})
    # Errors use the client's own names, so it can show them next to its own form fields.
    assert set(fields) == {"startDate", "endDate", "minAqi", "maxAqi", "range", "x"}
    assert (
        "maxAqi (3) is less than minAqi (5)"
        in refused(parse_client_body, {"minAqi": 5, "maxAqi": 3})["maxAqi"]
    )


def test_export_body_takes_json_types():
    query = parse_export_body(
        {"start": "2026-12-01", "end": "2026-12-02", "bbox": [5, 47, 15, 55.5], "sensor_id": 7, "min_aqi": 3},
        today=TODAY,
    )  # fmt: skip
    assert (query.bbox, query.sensor_id, query.min_aqi) == ((5.0, 47.0, 15.0, 55.5), 7, 3)
    fields = refused(
        parse_export_body, {"bbox": [1, 2, 3, True], "sensor_id": "7x", "format": "csv", "band": 3}
    )
    assert set(fields) == {"bbox", "sensor_id", "format", "band"}
    assert parse_export_body(ReadingQuery(start="2026-12-01T00:00:00Z", end="2026-12-01T23:59:59Z").to_dict())


def test_span_args_for_countries_and_summary():
    assert parse_span_args(MultiDict({"day": "2026-12-01"}), allow_country=False).days() == ["2026-12-01"]
    assert (
        "not both"
        in refused(
            parse_span_args, MultiDict({"day": "2026-12-01", "start": "2026-12-01"}), allow_country=False
        )["day"]
    )
    assert "unknown" in refused(parse_span_args, MultiDict({"country": "DE"}), allow_country=False)["country"]
    assert parse_span_args(MultiDict({"country": "nl"}), allow_country=True, today=TODAY).country == "NL"


QUERY = ReadingQuery(start="2026-12-01T00:00:00Z", end="2026-12-02T12:00:00Z")


@pytest.mark.parametrize(
    "position",
    [
        {"d": "2026-12-01", "c": "DE", "k": "2026-12-01T10:00:00Z#0000012345"},
        {"d": "2026-12-02", "c": "", "k": None},  # stopped at a day's catalogue
        {"d": "2026-12-02", "c": "NL", "k": None},  # stopped before a partition
    ],
)
def test_cursors_round_trip(position):
    decoded = check_cursor(issue_cursor(QUERY, position), QUERY)
    assert {name: decoded[name] for name in position} == position


@pytest.mark.parametrize(
    "position",
    [
        {"d": 1, "c": "DE", "k": None},
        {"d": "2026-11-30", "c": "DE", "k": None},  # outside the query's days
        {"d": "2026-12-01", "c": "de", "k": None},
        {"d": "2026-12-01", "c": "", "k": "2026-12-01T10:00:00Z#0000012345"},
        {"d": "2026-12-01", "c": "DE", "k": 5},
        {"d": "2026-12-01", "c": "DE", "k": "2026-12-01T10:00:00Z#12"},
        {"d": "2026-12-02", "c": "DE", "k": "2026-12-02T13:00:00Z#0000012345"},  # after end
        {"d": "2026-12-01", "c": "DE", "k": "2026-12-02T10:00:00Z#0000012345"},  # another day's key
        {"s": {"sensor_id": {"N": "1"}}},
    ],
)
def test_forged_cursors_are_refused_before_dynamodb_sees_them(position):
    with pytest.raises(ValueError, match="cursor"):
        check_cursor(issue_cursor(QUERY, position), QUERY)


def test_a_cursor_belongs_to_its_query():
    other = ReadingQuery(start="2026-12-01T00:00:00Z", end="2026-12-02T12:00:00Z", country="DE")
    cursor = issue_cursor(QUERY, {"d": "2026-12-01", "c": "DE", "k": None})
    with pytest.raises(ValueError, match="different query"):
        check_cursor(cursor, other)
    with pytest.raises(ValueError, match="different query"):  # an unbound (foundation) cursor
        check_cursor(encode_cursor({"d": "2026-12-01", "c": "DE", "k": None}), QUERY)


def test_sensor_cursor_must_be_this_sensors_key_in_range():
    query = ReadingQuery(start="2026-12-01T00:00:00Z", end="2026-12-02T23:59:59Z", sensor_id=42)
    key = {
        "country_day": {"S": "DE#2026-12-01"},
        "ts_sensor": {"S": "2026-12-01T10:00:00Z#0000000042"},
        "sensor_id": {"N": "42"},
        "timestamp": {"S": "2026-12-01T10:00:00Z"},
    }
    assert check_cursor(issue_cursor(query, {"s": key}), query)["s"] == key
    for broken in (
        {**key, "sensor_id": {"N": "43"}},
        {**key, "ts_sensor": {"S": "2026-12-01T10:00:00Z#0000000043"}},
        {**key, "country_day": {"S": "DE#2026-12-02"}},
        {**key, "timestamp": {"S": "2026-12-05T10:00:00Z"}},
        {**key, "extra": {"S": "x"}},
        {**key, "timestamp": {"N": 5}},
    ):
        with pytest.raises(ValueError, match="cursor"):
            check_cursor(issue_cursor(query, {"s": broken}), query)
