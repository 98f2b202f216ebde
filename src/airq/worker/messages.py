"""Export messages: what a worker accepts from the queue, and why it refuses the rest.

A message body is JSON `{"job_id": "...", "query": {...}}` (jobs.enqueue). The job record in
DynamoDB is the authority on the query; the copy in the message is only compared with it. Anything a
worker can never run (not JSON, no usable job id, a query that cannot be executed) is a `Poison`:
no retry can fix it, so it goes to the dead-letter queue and its job, when one is named, is failed.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from airq import daqi
from airq.query import ReadingQuery

JOB_ID = re.compile(r"^[A-Za-z0-9_-]{1,128}$")
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
COUNTRY = re.compile(r"^[A-Z]{2}$")
QUERY_FIELDS = frozenset(f.name for f in fields(ReadingQuery))
MAX_BODY_BYTES = 256 * 1024  # SQS's own limit; anything bigger did not come from enqueue()


class Poison(ValueError):
    """A message that no retry can make runnable. `job_id` is set when one could be read."""

    def __init__(self, reason: str, job_id: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.job_id = job_id


@dataclass(frozen=True)
class ExportMessage:
    job_id: str
    query: dict[str, Any] | None  # the message's copy, if it carried one


def parse_message(body: str) -> ExportMessage:
    """The job id (and query copy) of a message body, or Poison saying what is wrong with it."""
    if len(body.encode("utf-8", "replace")) > MAX_BODY_BYTES:
        raise Poison("message body is larger than 256 KiB")
    try:
        data = json.loads(body)
    except ValueError as exc:
        raise Poison(f"message body is not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise Poison(f"message body is JSON {type(data).__name__}, not an object")
    job_id = data.get("job_id")
    if not isinstance(job_id, str) or not JOB_ID.match(job_id):
        raise Poison(f"message has no usable job_id (got {job_id!r:.80})")
    query = data.get("query")
    if query is not None and not isinstance(query, dict):
        raise Poison(f"message query is JSON {type(query).__name__}, not an object", job_id)
    return ExportMessage(job_id=job_id, query=query)


def _timestamp(name: str, value: Any, problems: list[str]) -> datetime | None:
    if not isinstance(value, str) or not TIMESTAMP.match(value):
        problems.append(f"{name} must be YYYY-MM-DDTHH:MM:SSZ, got {value!r:.60}")
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        problems.append(f"{name} is not a real date and time: {value!r}")
        return None


def _int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def validate_query(data: Any) -> ReadingQuery:
    """The ReadingQuery of a job's stored query, or ValueError naming every problem with it."""
    if not isinstance(data, dict):
        raise ValueError(f"query is {type(data).__name__}, not an object")
    problems: list[str] = []
    unknown = sorted(set(data) - QUERY_FIELDS)
    if unknown:
        problems.append(f"unknown query fields {unknown}")
    start = _timestamp("start", data.get("start"), problems)
    end = _timestamp("end", data.get("end"), problems)
    if start and end and start > end:
        problems.append("start is after end")
    country = data.get("country")
    if country is not None and (not isinstance(country, str) or not COUNTRY.match(country)):
        problems.append(f"country must be two upper-case letters, got {country!r:.20}")
    for name in ("min_aqi", "max_aqi"):
        value = data.get(name)
        if value is not None and (not _int(value) or not 0 <= value <= 10):
            problems.append(f"{name} must be an integer 0-10, got {value!r:.20}")
    low, high = data.get("min_aqi"), data.get("max_aqi")
    if _int(low) and _int(high) and low > high:
        problems.append("min_aqi is above max_aqi")
    band = data.get("band")
    if band is not None and band not in daqi.BAND_INDEX_RANGE:
        problems.append(f"band must be one of {list(daqi.BAND_INDEX_RANGE)}, got {band!r:.20}")
    sensor_id = data.get("sensor_id")
    if sensor_id is not None and (not _int(sensor_id) or sensor_id < 0):
        problems.append(f"sensor_id must be a non-negative integer, got {sensor_id!r:.20}")
    bbox = data.get("bbox")
    if bbox is not None:
        numbers = isinstance(bbox, list | tuple) and len(bbox) == 4
        numbers = numbers and all(
            isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in bbox
        )
        if not numbers:
            problems.append(f"bbox must be four finite numbers, got {bbox!r:.60}")
        elif not (-180 <= bbox[0] <= bbox[2] <= 180 and -90 <= bbox[1] <= bbox[3] <= 90):
            problems.append(f"bbox must be min_lon, min_lat, max_lon, max_lat within range, got {bbox}")
    if problems:
        raise ValueError("; ".join(problems))
    return ReadingQuery.from_dict(data)
