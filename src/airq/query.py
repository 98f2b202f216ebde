"""A readings query (the filters every output shares) and its execution as DynamoDB Queries.

Execution never scans: a country-day query reads one partition; an all-country query fans out
over the countries the day's catalogue lists; a sensor query is one Query on the by_sensor index.
Pages resume from an opaque cursor that names the partition and the last sort key returned.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from airq import daqi
from airq.readings import Reading
from airq.store import Store

BBox = tuple[float, float, float, float]  # min_lon, min_lat, max_lon, max_lat


class CursorError(ValueError):
    pass


def iso_z(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class ReadingQuery:
    start: str  # inclusive, ISO-8601 UTC "YYYY-MM-DDTHH:MM:SSZ"
    end: str  # inclusive
    country: str | None = None
    min_aqi: int | None = None
    max_aqi: int | None = None
    band: str | None = None
    sensor_id: int | None = None
    bbox: BBox | None = None

    # ---------------------------------------------------------------- derived

    @property
    def daqi_range(self) -> tuple[int, int]:
        """The DAQI indices a reading may have, from min/max AQI and band together."""
        low = max(1, self.min_aqi or 1)
        high = min(10, self.max_aqi if self.max_aqi is not None else 10)
        if self.band:
            band_low, band_high = daqi.BAND_INDEX_RANGE[self.band]
            low, high = max(low, band_low), min(high, band_high)
        return low, high

    def days(self) -> list[str]:
        first = date.fromisoformat(self.start[:10])
        last = date.fromisoformat(self.end[:10])
        return [(first + timedelta(days=n)).isoformat() for n in range((last - first).days + 1)]

    def matches(self, reading: Reading) -> bool:
        low, high = self.daqi_range
        if not (low <= reading.daqi <= high and self.start <= reading.timestamp <= self.end):
            return False
        if self.country and reading.country != self.country:
            return False
        if self.sensor_id is not None and reading.sensor_id != self.sensor_id:
            return False
        if self.bbox:
            min_lon, min_lat, max_lon, max_lat = self.bbox
            if not (min_lon <= reading.longitude <= max_lon and min_lat <= reading.latitude <= max_lat):
                return False
        return True

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ReadingQuery:
        values = dict(data)
        if values.get("bbox") is not None:
            values["bbox"] = tuple(values["bbox"])
        return cls(**values)

    # ---------------------------------------------------------------- execution

    def _server_filter(self) -> tuple[str, dict[str, str], dict[str, Any]] | None:
        """DynamoDB FilterExpression for what the key cannot select (fewer items on the wire)."""
        clauses, names, values = [], {}, {}
        low, high = self.daqi_range
        if (low, high) != (1, 10):
            clauses.append("#daqi BETWEEN :dlow AND :dhigh")
            names["#daqi"] = "daqi"
            values.update({":dlow": {"N": str(low)}, ":dhigh": {"N": str(high)}})
        if self.bbox:
            min_lon, min_lat, max_lon, max_lat = self.bbox
            clauses.append("#lat BETWEEN :minlat AND :maxlat AND #lon BETWEEN :minlon AND :maxlon")
            names.update({"#lat": "latitude", "#lon": "longitude"})
            values.update(
                {
                    ":minlat": {"N": repr(min_lat)},
                    ":maxlat": {"N": repr(max_lat)},
                    ":minlon": {"N": repr(min_lon)},
                    ":maxlon": {"N": repr(max_lon)},
                }
            )
        if not clauses:
            return None
        return " AND ".join(clauses), names, values


def encode_cursor(position: dict[str, Any]) -> str:
    raw = json.dumps(position, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> dict[str, Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        position = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise CursorError("cursor is not one this API issued") from exc
    if not isinstance(position, dict) or not ({"d", "c", "k"} <= position.keys() or "s" in position):
        raise CursorError("cursor is not one this API issued")
    return position


def _partitions(store: Store, query: ReadingQuery) -> Iterator[tuple[str, str]]:
    for day in query.days():
        if query.country:
            yield day, query.country
        else:
            yield from ((day, country) for country in sorted(store.country_summaries(day)))


def iter_readings(
    store: Store, query: ReadingQuery, cursor: dict[str, Any] | None = None, chunk: int = 1000
) -> Iterator[tuple[Reading, dict[str, Any]]]:
    """Every matching reading in order (day, country, timestamp, sensor) with its resume position."""
    if query.sensor_id is not None:
        yield from _iter_sensor(store, query, cursor, chunk)
        return
    server_filter = query._server_filter()
    for day, country in _partitions(store, query):
        start_after = None
        if cursor:
            if (day, country) < (cursor["d"], cursor["c"]):
                continue
            if (day, country) == (cursor["d"], cursor["c"]):
                start_after = cursor["k"]
        low = max(query.start, f"{day}T00:00:00Z")
        high = min(query.end, f"{day}T23:59:59Z") + "~"
        while True:
            readings, last_key = store.query_partition_page(
                country, day, low, high, limit=chunk, start_after=start_after, server_filter=server_filter
            )
            for reading in readings:
                if query.matches(reading):
                    yield (
                        reading,
                        {"d": day, "c": country, "k": f"{reading.timestamp}#{reading.sensor_id:010d}"},
                    )
            if last_key is None:
                break
            start_after = last_key


def _iter_sensor(
    store: Store, query: ReadingQuery, cursor: dict[str, Any] | None, chunk: int
) -> Iterator[tuple[Reading, dict[str, Any]]]:
    assert query.sensor_id is not None
    start_after = cursor["s"] if cursor and "s" in cursor else None
    while True:
        readings, last_key = store.sensor_page(
            query.sensor_id, query.start, query.end, limit=chunk, start_after=start_after
        )
        for reading in readings:
            if query.matches(reading):
                yield reading, {"s": _sensor_key(reading)}
        if last_key is None:
            return
        start_after = last_key


def _sensor_key(reading: Reading) -> dict[str, Any]:
    from airq import tables

    key = tables.readings_key(reading.country, reading.timestamp, reading.sensor_id)
    return {
        tables.READINGS_PK: {"S": key[tables.READINGS_PK]},
        tables.READINGS_SK: {"S": key[tables.READINGS_SK]},
        tables.BY_SENSOR_PK: {"N": str(reading.sensor_id)},
        tables.BY_SENSOR_SK: {"S": reading.timestamp},
    }


def page(
    store: Store, query: ReadingQuery, limit: int, cursor: str | None = None
) -> tuple[list[Reading], str | None]:
    """Up to `limit` readings and the cursor of the next page (None when there is none)."""
    position = decode_cursor(cursor) if cursor else None
    out: list[Reading] = []
    last_position: dict[str, Any] | None = None
    for reading, reading_position in iter_readings(store, query, position, chunk=max(limit + 1, 100)):
        if len(out) == limit:
            return out, encode_cursor(last_position or {})
        out.append(reading)
        last_position = reading_position
    return out, None


SENSOR_READINGS_PER_DAY = 24  # hourly snapshots: at most this many readings of one sensor per day


def estimate_rows(store: Store, query: ReadingQuery) -> int:
    """Upper bound of the rows a query returns, from the summaries' DAQI counts, never the readings.

    Whole days come from the per-country-day items (one small Query per day); a partly covered day
    from its hourly items, so a one-hour window is not estimated as its whole day. A bounding box is
    not counted (it errs on the large side); a sensor has at most one reading per hourly snapshot.
    The API uses it to choose sync or async, the worker for its progress fraction.
    """
    low, high = query.daqi_range
    total = 0
    for day in query.days():
        first_hour = int(query.start[11:13]) if query.start[:10] == day else 0
        last_hour = int(query.end[11:13]) if query.end[:10] == day else 23
        if (first_hour, last_hour) == (0, 23):
            for country, summary in store.country_summaries(day).items():
                if not query.country or country == query.country:
                    total += sum(summary.daqi_counts[low - 1 : high])
        else:
            for (_, hour), summary in store.hour_summaries(day, query.country):
                if first_hour <= hour <= last_hour:
                    total += sum(summary.daqi_counts[low - 1 : high])
    if query.sensor_id is not None:
        total = min(total, SENSOR_READINGS_PER_DAY * len(query.days()))
    return total


def now_utc() -> datetime:
    return datetime.now(UTC)
