"""`airq-feedgen`: a synthetic data.24h.json with the live feed's schema and quirks.

The same seed gives the same sensors (ids, places, types); `--time` moves the snapshot, so a day of
hourly snapshots is 24 calls with the same seed. A small share of entries carries every fault the
real feed has, so QA is exercised at full scale (35,000 entries ≈ the live feed).
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any

# Share of PM sensors per country, roughly as on sensor.community (DE dominates).
COUNTRY_WEIGHTS: dict[str, float] = {
    "DE": 38, "NL": 7, "BE": 5, "PL": 6, "BG": 5, "FR": 4, "IT": 4, "AT": 3, "GB": 3, "ES": 2.5,
    "CZ": 2, "SE": 1.5, "HU": 1.5, "RO": 2, "UA": 2, "RU": 2, "CH": 1.2, "DK": 0.8, "PT": 0.8,
    "GR": 0.8, "SK": 0.7, "SI": 0.5, "HR": 0.5, "RS": 1, "FI": 0.5, "NO": 0.4, "IE": 0.4, "LT": 0.3,
    "LV": 0.3, "EE": 0.3, "US": 1.2, "CA": 0.3, "AU": 0.3, "IN": 0.5, "CN": 0.2, "TR": 0.4, "IL": 0.2,
    "MK": 0.6, "BA": 0.3, "XK": 0.2, "CL": 0.2, "BR": 0.2, "ZA": 0.1, "JP": 0.1, "TH": 0.3,
}  # fmt: skip
# Rough centre (lat, lon) per country for sensor positions.
CENTRES: dict[str, tuple[float, float]] = {
    "DE": (51.0, 10.0), "NL": (52.2, 5.3), "BE": (50.7, 4.5), "PL": (52.0, 19.5), "BG": (42.7, 25.0),
    "FR": (46.5, 2.5), "IT": (43.0, 12.5), "AT": (47.5, 14.5), "GB": (53.0, -1.5), "ES": (40.3, -3.7),
    "CZ": (49.8, 15.5), "SE": (59.5, 16.0), "HU": (47.2, 19.4), "RO": (45.9, 24.9), "UA": (49.0, 31.0),
    "RU": (55.7, 37.6), "CH": (46.8, 8.2), "DK": (56.0, 10.0), "PT": (39.5, -8.0), "GR": (38.5, 23.0),
    "SK": (48.7, 19.5), "SI": (46.1, 14.8), "HR": (45.5, 16.0), "RS": (44.2, 20.8), "FI": (61.0, 25.0),
    "NO": (60.5, 9.0), "IE": (53.3, -7.7), "LT": (55.3, 23.9), "LV": (56.9, 24.6), "EE": (58.6, 25.0),
    "US": (39.0, -98.0), "CA": (45.4, -75.7), "AU": (-33.9, 151.2), "IN": (28.6, 77.2), "CN": (39.9, 116.4),
    "TR": (39.0, 35.0), "IL": (31.8, 35.0), "MK": (41.6, 21.7), "BA": (43.9, 17.7), "XK": (42.6, 20.9),
    "CL": (-33.4, -70.6), "BR": (-23.5, -46.6), "ZA": (-26.2, 28.0), "JP": (35.7, 139.7), "TH": (13.7, 100.5),
}  # fmt: skip
PM_TYPES = (("SDS011", 0.82), ("PMS5003", 0.07), ("PMS7003", 0.05), ("SPS30", 0.04), ("HPM", 0.02))
OTHER_TYPES = ("DHT22", "BME280", "BMP280", "SHT31")
NON_PM_SHARE = 0.42  # the live feed carries temperature/humidity/pressure sensors too

# Faults, each as a share of all entries (about 4 % in total).
FAULTS: dict[str, float] = {
    "ppd42ns": 0.003,
    "nan": 0.003,
    "negative": 0.004,
    "saturated": 0.006,
    "pm25_gt_pm10": 0.008,
    "indoor": 0.006,
    "no_coordinates": 0.004,
    "bad_timestamp": 0.002,
}


def _pm_values(rng: random.Random, country_level: float, hour_factor: float) -> tuple[float, float]:
    pm25 = rng.lognormvariate(math.log(country_level * hour_factor), 0.65)
    pm10 = pm25 * rng.uniform(1.15, 2.4)
    return round(pm25, 2), round(pm10, 2)


def _value(rng: random.Random, value: float) -> str | float:
    # Most values are strings with two decimals; a few are JSON numbers, as upstream sometimes sends.
    return value if rng.random() < 0.03 else f"{value:.2f}"


def generate(sensors: int, seed: int, at: datetime) -> list[dict[str, Any]]:
    layout = random.Random(seed)  # who the sensors are: stable across snapshots
    values = random.Random(f"{seed}:{at.isoformat()}")  # what they measure: varies per snapshot
    countries = list(COUNTRY_WEIGHTS)
    weights = list(COUNTRY_WEIGHTS.values())
    country_level = {c: layout.uniform(5.0, 22.0) for c in countries}
    hour_factor = 1.0 + 0.25 * math.sin((at.hour - 8) / 24 * 2 * math.pi)
    entries = []
    for n in range(sensors):
        sensor_id = 10_000 + n * 3 + layout.randrange(3)
        country = layout.choices(countries, weights)[0]
        lat0, lon0 = CENTRES[country]
        latitude = lat0 + layout.uniform(-1.5, 1.5)
        longitude = lon0 + layout.uniform(-2.0, 2.0)
        is_pm = layout.random() >= NON_PM_SHARE
        sensor_type = (
            layout.choices([t for t, _ in PM_TYPES], [w for _, w in PM_TYPES])[0]
            if is_pm
            else layout.choice(OTHER_TYPES)
        )
        fault = None
        roll = values.random()
        for name, share in FAULTS.items():
            if roll < share:
                fault = name
                break
            roll -= share
        stamp = at - timedelta(seconds=values.randrange(0, 150))
        timestamp = stamp.strftime("%Y-%m-%d %H:%M:%S")
        location: dict[str, Any] = {
            "id": sensor_id // 2,
            "latitude": f"{latitude:.3f}",
            "longitude": f"{longitude:.3f}",
            "altitude": "" if layout.random() < 0.05 else f"{layout.uniform(0, 900):.1f}",
            "country": None if layout.random() < 0.004 else ("" if layout.random() < 0.002 else country),
            "exact_location": 0,
            "indoor": 0,
        }
        if layout.random() < 0.3:
            del location["indoor"]  # older firmware omits it
        if is_pm:
            pm25, pm10 = _pm_values(values, country_level[country], hour_factor)
            data = [
                {"id": values.randrange(10**10), "value": _value(values, pm10), "value_type": "P1"},
                {"id": values.randrange(10**10), "value": _value(values, pm25), "value_type": "P2"},
            ]
        else:
            data = [
                {
                    "id": values.randrange(10**10),
                    "value": f"{values.uniform(-5, 30):.2f}",
                    "value_type": "temperature",
                },
                {
                    "id": values.randrange(10**10),
                    "value": f"{values.uniform(20, 99.9):.2f}",
                    "value_type": "humidity",
                },
            ]
        if fault and is_pm:
            if fault == "ppd42ns":
                sensor_type = "PPD42NS"
                data[0]["value"] = f"{values.uniform(500, 3000):.2f}"
            elif fault == "nan":
                data[1]["value"] = "NaN"
            elif fault == "negative":
                data[0]["value"] = f"{-values.uniform(1, 60):.2f}"
            elif fault == "saturated":
                data[0]["value"], data[1]["value"] = "1999.90", "999.90"
            elif fault == "pm25_gt_pm10":
                data[1]["value"] = f"{float(data[0]['value']) + values.uniform(1, 40):.2f}"
            elif fault == "indoor":
                location["indoor"] = 1
            elif fault == "no_coordinates":
                location["latitude"] = location["longitude"] = ""
            elif fault == "bad_timestamp":
                timestamp = "not-a-time"
        for value in data:
            if values.random() < 0.01:
                del value["id"]  # server-computed values come without an id
        entries.append(
            {
                "id": values.randrange(10**10),
                "sampling_rate": None,
                "timestamp": timestamp,
                "location": location,
                "sensor": {
                    "id": sensor_id,
                    "pin": "1",
                    "sensor_type": {"id": 14, "name": sensor_type, "manufacturer": "various"},
                },
                "sensordatavalues": data,
            }
        )
    return entries


def write_feed(entries: list[dict[str, Any]], out: IO[str]) -> None:
    # One entry per line inside the array: valid JSON, and streamable by line-oriented tools too.
    out.write("[\n")
    for position, entry in enumerate(entries):
        out.write(json.dumps(entry, separators=(",", ":")))
        out.write(",\n" if position < len(entries) - 1 else "\n")
    out.write("]\n")


def parse_time(raw: str) -> datetime:
    moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="airq-feedgen", description=__doc__.splitlines()[0])
    parser.add_argument("--sensors", type=int, default=35_000, help="number of feed entries")
    parser.add_argument("--seed", type=int, default=1, help="same seed, same sensors")
    parser.add_argument("--time", type=parse_time, default=None, help="snapshot time, UTC (default now)")
    parser.add_argument("--out", default="-", help="output path, - for stdout")
    args = parser.parse_args(argv)
    if args.sensors < 1:
        parser.error("--sensors must be at least 1")
    at = args.time or datetime.now(UTC).replace(microsecond=0)
    entries = generate(args.sensors, args.seed, at)
    if args.out == "-":
        write_feed(entries, sys.stdout)
    else:
        path = Path(args.out)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8") as handle:
            write_feed(entries, handle)
        print(f"airq-feedgen: {len(entries)} entries at {at:%Y-%m-%dT%H:%M:%SZ} → {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
