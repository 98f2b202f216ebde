"""archive.sensor.community daily CSVs → 24-hour-mean readings.

The archive holds raw measurements (one every ~145 s), not the feed's 24-hour means. Each row
passes the same QA as a feed entry; the accepted rows of one sensor on one UTC day are then
averaged, which is exactly what `data.24h.json` would have reported at the end of that day.
Useful for backfilling history; `NA` or empty cells are missing values.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

from airq.feed import FeedError, ParseResult, Rejected, parse_entry
from airq.readings import Reading


def _row_to_entry(row: dict[str, str]) -> dict[str, object]:
    def cell(name: str) -> str | None:
        value = (row.get(name) or "").strip()
        return None if value in ("", "NA") else value

    values = [{"value_type": kind, "value": cell(kind)} for kind in ("P1", "P2") if cell(kind) is not None]
    timestamp = cell("timestamp")
    return {
        "timestamp": timestamp.replace("Z", "") if timestamp else None,
        "location": {
            "id": cell("location"),
            "latitude": cell("lat"),
            "longitude": cell("lon"),
            "country": cell("country"),
        },
        "sensor": {"id": cell("sensor_id"), "sensor_type": {"name": cell("sensor_type")}},
        "sensordatavalues": values,
    }


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 2) if values else None


def parse_archive_csv(path: Path) -> ParseResult:
    with path.open(newline="", encoding="utf-8") as handle:
        header = handle.readline()
        if not header.strip():
            raise FeedError(f"archive CSV {path} is empty")
        delimiter = ";" if header.count(";") > header.count(",") else ","
        handle.seek(0)
        reader = csv.DictReader(handle, delimiter=delimiter)
        missing = {"sensor_id", "sensor_type", "lat", "lon", "timestamp"} - set(reader.fieldnames or ())
        if missing:
            raise FeedError(f"archive CSV {path} lacks columns {sorted(missing)}")
        result = ParseResult(readings=[])
        groups: dict[tuple[int, str], list[Reading]] = defaultdict(list)
        for row in reader:
            result.entries += 1
            try:
                reading = parse_entry(_row_to_entry(row))
            except Rejected as rejected:
                result.rejected[rejected.reason] += 1
                continue
            groups[(reading.sensor_id, reading.day)].append(reading)
    if result.entries == 0:
        raise FeedError(f"archive CSV {path} has a header but no rows")
    for rows in groups.values():
        last = max(rows, key=lambda r: r.timestamp)
        result.readings.append(
            Reading.build(
                sensor_id=last.sensor_id,
                sensor_type=last.sensor_type,
                location_id=last.location_id,
                timestamp=last.timestamp,
                country=last.country,
                latitude=last.latitude,
                longitude=last.longitude,
                pm25_ugm3=_mean([r.pm25_ugm3 for r in rows if r.pm25_ugm3 is not None]),
                pm10_ugm3=_mean([r.pm10_ugm3 for r in rows if r.pm10_ugm3 is not None]),
            )
        )
    result.readings.sort(key=lambda r: (r.timestamp, r.sensor_id))
    return result
