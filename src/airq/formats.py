"""Output formats shared by the API and the export worker: one CSV writer, so an export's file and
the synchronous CSV for the same filter are byte-for-byte the same rows.

CSV carries no comment line (it would break plain CSV readers); its columns are documented instead:
units are in the column names (µg/m³ as `_ugm3`), times are ISO-8601 UTC with `Z`, values are
24-hour means and the DAQI is the UK index (see META).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

from airq import daqi
from airq.readings import COLUMNS, Reading

META: dict[str, str] = {
    "units": daqi.UNITS,
    "averaging_window": daqi.AVERAGING_WINDOW,
    "timezone": "UTC",
    "daqi_version": daqi.DAQI_VERSION,
    "note": daqi.INDICATIVE_NOTE,
    "source": "sensor.community (data.24h.json)",
}

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
GEOJSON_CONTENT_TYPE = "application/geo+json"


def _csv_value(value: object) -> object:
    return "" if value is None else value


def csv_chunks(readings: Iterable[Reading], rows_per_chunk: int = 500) -> Iterator[str]:
    """The header, then the rows in chunks of text: streamable, never the whole file in memory."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    pending = 1
    for reading in readings:
        writer.writerow([_csv_value(getattr(reading, name)) for name in COLUMNS])
        pending += 1
        if pending >= rows_per_chunk:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    if pending or buffer.tell():
        yield buffer.getvalue()


def reading_json(reading: Reading) -> dict[str, Any]:
    return reading.as_dict()


def geojson_feature(reading: Reading) -> dict[str, Any]:
    properties = {k: v for k, v in reading.as_dict().items() if k not in ("latitude", "longitude")}
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [reading.longitude, reading.latitude]},
        "properties": properties,
    }
