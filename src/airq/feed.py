"""The sensor.community feed: fetching, streaming parse and quality assurance.

`data.24h.json` is a JSON array with one object per sensor (24-hour means). Entries are parsed one
at a time with ijson, so a full-size feed (35,000 entries, ~30 MB) is never held whole in memory:
only the accepted readings are kept, in compact form. A feed is all-or-nothing: an empty, truncated
or invalid document raises FeedError before anything is returned, so nothing from it gets stored.
"""

from __future__ import annotations

import logging
import math
import shutil
import tempfile
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlparse

import ijson

from airq.readings import UNKNOWN_COUNTRY, Reading

log = logging.getLogger(__name__)

PM10_SATURATION = 1999.9
PM25_SATURATION = 999.9
# Sensors that report particle counts (pcs/L), not mass concentrations in µg/m³.
COUNT_SENSORS = frozenset({"PPD42NS"})

# Every reason an entry can be rejected for; the metrics and logs use exactly these names.
REJECT_REASONS: tuple[str, ...] = (
    "malformed",
    "not_pm",
    "count_sensor",
    "not_finite",
    "negative",
    "saturated",
    "pm25_gt_pm10",
    "indoor",
    "missing_coordinates",
    "bad_timestamp",
    "duplicate",
)


class FeedError(Exception):
    """The feed as a whole is unusable (unreachable, empty, truncated, invalid). Nothing is stored."""


class Rejected(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class ParseResult:
    readings: list[Reading]
    entries: int = 0
    rejected: Counter[str] = field(default_factory=Counter)

    @property
    def accepted(self) -> int:
        return len(self.readings)


# ---------------------------------------------------------------- field parsing


def parse_timestamp(raw: object) -> str:
    """`YYYY-MM-DD HH:MM:SS` or `YYYY-MM-DDTHH:MM:SS` (UTC) → `YYYY-MM-DDTHH:MM:SSZ`."""
    if not isinstance(raw, str) or len(raw) < 19:
        raise Rejected("bad_timestamp")
    try:
        moment = datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
    except ValueError:
        raise Rejected("bad_timestamp") from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _number(raw: object) -> float:
    if isinstance(raw, bool) or raw is None:
        raise Rejected("not_finite")
    try:
        value = float(raw)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise Rejected("not_finite") from None
    if not math.isfinite(value):
        raise Rejected("not_finite")
    return value


def _coordinate(raw: object, limit: float) -> float:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        raise Rejected("missing_coordinates")
    try:
        value = float(raw)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise Rejected("missing_coordinates") from None
    if not math.isfinite(value) or abs(value) > limit:
        raise Rejected("missing_coordinates")
    return value


def _country(raw: object) -> str:
    if isinstance(raw, str):
        code = raw.strip().upper()
        if len(code) == 2 and code.isalpha() and code.isascii():
            return code
    return UNKNOWN_COUNTRY


def _is_indoor(raw: object) -> bool:
    if isinstance(raw, str):
        return raw.strip().lower() in {"1", "true", "yes"}
    return bool(raw)


def parse_entry(entry: object) -> Reading:
    """One feed object → Reading, or Rejected(reason). Never raises anything else."""
    if not isinstance(entry, dict):
        raise Rejected("malformed")
    sensor = entry.get("sensor")
    location = entry.get("location")
    values = entry.get("sensordatavalues")
    if not isinstance(sensor, dict) or not isinstance(location, dict) or not isinstance(values, list):
        raise Rejected("malformed")
    sensor_type_obj = sensor.get("sensor_type")
    sensor_type = sensor_type_obj.get("name") if isinstance(sensor_type_obj, dict) else None
    sensor_type = str(sensor_type or "unknown")

    pm: dict[str, object] = {}
    for value in values:
        if isinstance(value, dict) and value.get("value_type") in ("P1", "P2"):
            pm[value["value_type"]] = value.get("value")
    if not pm:
        raise Rejected("not_pm")
    if sensor_type.upper() in COUNT_SENSORS:
        raise Rejected("count_sensor")

    # P1 is PM10, P2 is PM2.5 (P0 is PM1 and not used by the DAQI).
    pm10 = _number(pm["P1"]) if "P1" in pm else None
    pm25 = _number(pm["P2"]) if "P2" in pm else None
    if (pm10 is not None and pm10 < 0) or (pm25 is not None and pm25 < 0):
        raise Rejected("negative")
    if (pm10 is not None and pm10 >= PM10_SATURATION) or (pm25 is not None and pm25 >= PM25_SATURATION):
        raise Rejected("saturated")
    if pm10 is not None and pm25 is not None and pm25 > pm10:
        raise Rejected("pm25_gt_pm10")
    if _is_indoor(location.get("indoor")):
        raise Rejected("indoor")
    latitude = _coordinate(location.get("latitude"), 90.0)
    longitude = _coordinate(location.get("longitude"), 180.0)
    if latitude == 0.0 and longitude == 0.0:
        raise Rejected("missing_coordinates")  # "null island": an unset position, not a place
    timestamp = parse_timestamp(entry.get("timestamp"))

    sensor_id = sensor.get("id")
    if isinstance(sensor_id, bool) or not isinstance(sensor_id, int | str):
        raise Rejected("malformed")
    try:
        sensor_id = int(sensor_id)
    except ValueError:
        raise Rejected("malformed") from None
    location_id = location.get("id")
    try:
        location_id = int(location_id) if location_id is not None else None
    except (TypeError, ValueError):
        location_id = None

    return Reading.build(
        sensor_id=sensor_id,
        sensor_type=sensor_type,
        location_id=location_id,
        timestamp=timestamp,
        country=_country(location.get("country")),
        latitude=latitude,
        longitude=longitude,
        pm25_ugm3=pm25,
        pm10_ugm3=pm10,
    )


def parse_entries(entries: Iterable[object]) -> ParseResult:
    """QA every entry; keep accepted readings (first of any duplicate sensor+timestamp)."""
    result = ParseResult(readings=[])
    seen: set[tuple[int, str]] = set()
    for entry in entries:
        result.entries += 1
        try:
            reading = parse_entry(entry)
        except Rejected as rejected:
            result.rejected[rejected.reason] += 1
            continue
        key = (reading.sensor_id, reading.timestamp)
        if key in seen:
            result.rejected["duplicate"] += 1
            continue
        seen.add(key)
        result.readings.append(reading)
    return result


# ---------------------------------------------------------------- documents


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _json_entries(stream: IO[bytes]) -> Iterator[object]:
    """Entries of a JSON array, streamed; a document that is not an array is a FeedError."""
    head = stream.read(4096)
    if not head.strip():
        raise FeedError("feed is empty (no JSON at all)")
    stream.seek(-len(head), 1)
    parser = ijson.parse(stream, use_float=True)
    try:
        first = next(parser)
    except ijson.JSONError as exc:
        raise FeedError(f"feed is not valid JSON: {_first_line(exc)}") from exc
    if first[1] != "start_array":
        raise FeedError(f"feed is not a JSON array (it starts with a {first[1]})")
    try:
        yield from ijson.items(_replay(first, parser), "item", use_float=True)
    except ijson.IncompleteJSONError as exc:
        raise FeedError(f"feed is truncated: the JSON array ends early ({_first_line(exc)})") from exc
    except ijson.JSONError as exc:
        raise FeedError(f"feed is not valid JSON: {_first_line(exc)}") from exc


def _replay(
    first: tuple[str, str, Any], rest: Iterator[tuple[str, str, Any]]
) -> Iterator[tuple[str, str, Any]]:
    yield first
    yield from rest


def parse_document(stream: IO[bytes]) -> ParseResult:
    """Parse a whole feed document; raise FeedError unless it is a complete, non-empty array."""
    result = parse_entries(_json_entries(stream))
    if result.entries == 0:
        raise FeedError("feed is an empty array: no sensors at all, which is an upstream fault")
    if result.accepted == 0:
        raise FeedError(
            f"feed has {result.entries} entries but none passed QA (rejected: {dict(result.rejected)})"
        )
    return result


# ---------------------------------------------------------------- sources


def _download(url: str, destination: IO[bytes], timeout: float) -> None:
    request = urllib.request.Request(
        url, headers={"User-Agent": "airq-ingest/0.1", "Accept": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        content_type = response.headers.get("Content-Type", "")
        if content_type and "json" not in content_type and "octet-stream" not in content_type:
            raise FeedError(f"feed answered with content type {content_type!r}, not JSON")
        shutil.copyfileobj(response, destination, length=1 << 20)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, urllib.error.HTTPError):
        return f"HTTP {exc.code} {exc.reason}"
    if isinstance(exc, urllib.error.URLError):
        return f"cannot reach the feed: {exc.reason}"
    if isinstance(exc, TimeoutError):
        return "timed out"
    return str(exc) or type(exc).__name__


def load_feed(
    source: str,
    *,
    timeout: float = 60.0,
    retries: int = 4,
    backoff: float = 1.0,
    sleep: Callable[[float], None] = time.sleep,
) -> ParseResult:
    """Fetch and parse a feed from an http(s) URL, a file:// URL or a path.

    Remote feeds are streamed to a temporary file first (so a transfer that breaks midway is
    retried as a whole), then parsed from it. Upstream faults are retried with exponential
    backoff; a local file is not retried, since reading it again cannot change the answer.
    """
    parsed = urlparse(source)
    if parsed.scheme in ("http", "https"):
        return _load_remote(source, timeout=timeout, retries=retries, backoff=backoff, sleep=sleep)
    path = Path(parsed.path if parsed.scheme == "file" else source)
    if not path.is_file():
        raise FeedError(f"feed file {path} does not exist")
    if path.suffix.lower() == ".csv":
        from airq.archive import parse_archive_csv

        return parse_archive_csv(path)
    with path.open("rb") as stream:
        return parse_document(stream)


def _load_remote(
    url: str, *, timeout: float, retries: int, backoff: float, sleep: Callable[[float], None]
) -> ParseResult:
    last_error = "no attempt made"
    for attempt in range(1, retries + 2):
        with tempfile.TemporaryFile(prefix="airq-feed-") as spool:
            try:
                _download(url, spool, timeout)
                spool.seek(0)
                return parse_document(spool)
            except urllib.error.HTTPError as exc:
                last_error = _describe(exc)
                if exc.code < 500 and exc.code not in (408, 429):
                    raise FeedError(f"feed {url}: {last_error} (not retried)") from exc
            except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
                last_error = _describe(exc)
            except FeedError as exc:
                last_error = str(exc)
        if attempt <= retries:
            delay = backoff * 2 ** (attempt - 1)
            log.warning(
                "feed fetch failed, retrying",
                extra={"url": url, "attempt": attempt, "error": last_error, "retry_in_s": delay},
            )
            sleep(delay)
    raise FeedError(f"feed {url} failed after {retries + 1} attempts: {last_error}")
