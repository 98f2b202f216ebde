"""Message parsing and query validation: what the worker accepts, and why it refuses the rest."""

from __future__ import annotations

import json

import pytest

from airq.query import ReadingQuery
from airq.worker.messages import ExportMessage, Poison, parse_message, validate_query

GOOD_QUERY = {"start": "2026-11-20T00:00:00Z", "end": "2026-11-21T23:59:59Z"}


def test_a_message_from_enqueue_parses():
    query = ReadingQuery(start="2026-11-20T00:00:00Z", end="2026-11-21T23:59:59Z", country="DE", min_aqi=2)
    body = json.dumps({"job_id": "a1b2c3", "query": query.to_dict()}, sort_keys=True)
    assert parse_message(body) == ExportMessage(job_id="a1b2c3", query=query.to_dict())
    assert parse_message('{"job_id": "only-an-id_1"}') == ExportMessage("only-an-id_1", None)


@pytest.mark.parametrize(
    ("body", "reason", "job_id"),
    [
        ("", "not JSON", None),
        ("not json", "not JSON", None),
        ('{"job_id": "abc"', "not JSON", None),
        ("[1, 2]", "JSON list, not an object", None),
        ('"abc"', "JSON str, not an object", None),
        ("null", "JSON NoneType, not an object", None),
        ("{}", "no usable job_id", None),
        ('{"job_id": 42}', "no usable job_id", None),
        ('{"job_id": ""}', "no usable job_id", None),
        ('{"job_id": "../../etc/passwd"}', "no usable job_id", None),
        ('{"job_id": "a b"}', "no usable job_id", None),
        (json.dumps({"job_id": "x" * 129}), "no usable job_id", None),
        ('{"job_id": "abc", "query": [1]}', "query is JSON list", "abc"),
        ('{"job_id": "abc", "query": "start=..."}', "query is JSON str", "abc"),
        ("{" + '"pad": "' + "x" * 300_000 + '"}', "larger than 256 KiB", None),
    ],
)
def test_poison_messages_say_what_is_wrong(body, reason, job_id):
    with pytest.raises(Poison) as caught:
        parse_message(body)
    assert reason in caught.value.reason
    assert caught.value.job_id == job_id


def test_a_valid_query_becomes_a_reading_query():
    data = {
        **GOOD_QUERY,
        "country": "GB",
        "min_aqi": 0,
        "max_aqi": 10,
        "band": "High",
        "bbox": [-8, 49, 2, 61],
    }
    query = validate_query(data)
    assert query == ReadingQuery(
        start=GOOD_QUERY["start"], end=GOOD_QUERY["end"], country="GB", min_aqi=0, max_aqi=10,
        band="High", bbox=(-8, 49, 2, 61),
    )  # fmt: skip
    assert validate_query({**GOOD_QUERY, "sensor_id": 12345}).sensor_id == 12345
    assert validate_query(GOOD_QUERY).to_dict() == GOOD_QUERY


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"start": "2026-11-20"}, "start must be YYYY-MM-DDTHH:MM:SSZ"),
        ({"start": None}, "start must be"),
        ({"end": "2026-02-30T00:00:00Z"}, "end is not a real date"),
        ({"start": "2026-11-22T00:00:00Z"}, "start is after end"),
        ({"country": "de"}, "country must be two upper-case letters"),
        ({"country": "DEU"}, "country must be"),
        ({"min_aqi": 11}, "min_aqi must be an integer 0-10"),
        ({"max_aqi": "5"}, "max_aqi must be an integer"),
        ({"max_aqi": True}, "max_aqi must be an integer"),
        ({"min_aqi": 7, "max_aqi": 3}, "min_aqi is above max_aqi"),
        ({"band": "Medium"}, "band must be one of"),
        ({"sensor_id": -1}, "sensor_id must be a non-negative integer"),
        ({"sensor_id": 1.5}, "sensor_id must be"),
        ({"bbox": [1, 2, 3]}, "bbox must be four finite numbers"),
        ({"bbox": [1, 2, 3, float("nan")]}, "bbox must be four finite numbers"),
        ({"bbox": [10, 50, 5, 55]}, "bbox must be min_lon"),
        ({"limit": 10}, "unknown query fields ['limit']"),
    ],
)
def test_an_invalid_query_names_its_problem(change, problem):
    with pytest.raises(ValueError) as caught:
        validate_query({**GOOD_QUERY, **change})
    assert problem in str(caught.value)


def test_every_problem_is_named_at_once():
    with pytest.raises(ValueError) as caught:
        validate_query({"start": "x", "end": "y", "band": "Purple", "bogus": 1})
    message = str(caught.value)
    assert all(part in message for part in ("start must", "end must", "band must", "unknown query fields"))


def test_a_query_that_is_not_an_object_is_invalid():
    with pytest.raises(ValueError, match="not an object"):
        validate_query(["start"])
