"""Reading ⇄ DynamoDB item (low-level attribute-value form, which avoids Decimal round trips)."""

from __future__ import annotations

import calendar
import time
from typing import Any

from airq import tables
from airq.readings import Reading

Item = dict[str, dict[str, Any]]


def epoch_seconds(timestamp: str) -> int:
    return calendar.timegm(time.strptime(timestamp, "%Y-%m-%dT%H:%M:%SZ"))


def reading_to_item(reading: Reading, retention_days: int) -> Item:
    key = tables.readings_key(reading.country, reading.timestamp, reading.sensor_id)
    item: Item = {
        tables.READINGS_PK: {"S": key[tables.READINGS_PK]},
        tables.READINGS_SK: {"S": key[tables.READINGS_SK]},
        "sensor_id": {"N": str(reading.sensor_id)},
        "sensor_type": {"S": reading.sensor_type},
        "timestamp": {"S": reading.timestamp},
        "country": {"S": reading.country},
        "latitude": {"N": repr(reading.latitude)},
        "longitude": {"N": repr(reading.longitude)},
        "daqi": {"N": str(reading.daqi)},
        "band": {"S": reading.band},
        tables.TTL_ATTRIBUTE: {"N": str(epoch_seconds(reading.timestamp) + retention_days * 86400)},
    }
    if reading.location_id is not None:
        item["location_id"] = {"N": str(reading.location_id)}
    if reading.pm25_ugm3 is not None:
        item["pm25_ugm3"] = {"N": repr(reading.pm25_ugm3)}
        item["pm25_index"] = {"N": str(reading.pm25_index)}
    if reading.pm10_ugm3 is not None:
        item["pm10_ugm3"] = {"N": repr(reading.pm10_ugm3)}
        item["pm10_index"] = {"N": str(reading.pm10_index)}
    return item


def _optional_float(item: Item, name: str) -> float | None:
    return float(item[name]["N"]) if name in item else None


def _optional_int(item: Item, name: str) -> int | None:
    return int(item[name]["N"]) if name in item else None


def item_to_reading(item: Item) -> Reading:
    return Reading(
        sensor_id=int(item["sensor_id"]["N"]),
        sensor_type=item["sensor_type"]["S"],
        location_id=_optional_int(item, "location_id"),
        timestamp=item["timestamp"]["S"],
        country=item["country"]["S"],
        latitude=float(item["latitude"]["N"]),
        longitude=float(item["longitude"]["N"]),
        pm25_ugm3=_optional_float(item, "pm25_ugm3"),
        pm10_ugm3=_optional_float(item, "pm10_ugm3"),
        pm25_index=_optional_int(item, "pm25_index"),
        pm10_index=_optional_int(item, "pm10_index"),
        daqi=int(item["daqi"]["N"]),
        band=item["band"]["S"],
    )
