"""UK Daily Air Quality Index (Defra/COMEAP 2012) for particulate matter, 24-hour means in µg/m³.

The index from low-cost sensors is indicative only: these are not reference-grade instruments.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

DAQI_VERSION = "UK DAQI (Defra/COMEAP 2012), PM 24-hour running mean"
AVERAGING_WINDOW = "24h"
UNITS = "µg/m³"
INDICATIVE_NOTE = "DAQI computed from low-cost sensor 24-hour means; indicative only, not reference-grade."

# Upper bound (inclusive, after rounding to an integer) of indices 1..9; above the last is 10.
PM25_UPPER: tuple[int, ...] = (11, 23, 35, 41, 47, 53, 58, 64, 70)
PM10_UPPER: tuple[int, ...] = (16, 33, 50, 58, 66, 75, 83, 91, 100)

BANDS: tuple[str, ...] = ("Low", "Moderate", "High", "Very High")
BAND_ALIASES = {"medium": "Moderate"}
BAND_INDEX_RANGE: dict[str, tuple[int, int]] = {
    "Low": (1, 3),
    "Moderate": (4, 6),
    "High": (7, 9),
    "Very High": (10, 10),
}


def round_half_up(concentration: float) -> int:
    """Round half-up as the DAQI tables intend (Python's round() is banker's rounding)."""
    return int(Decimal(repr(concentration)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _index(concentration: float, uppers: tuple[int, ...]) -> int:
    rounded = round_half_up(concentration)
    for position, upper in enumerate(uppers, start=1):
        if rounded <= upper:
            return position
    return 10


def pm25_index(pm25_ugm3: float) -> int:
    return _index(pm25_ugm3, PM25_UPPER)


def pm10_index(pm10_ugm3: float) -> int:
    return _index(pm10_ugm3, PM10_UPPER)


def band_for_index(daqi_index: int) -> str:
    for band, (low, high) in BAND_INDEX_RANGE.items():
        if low <= daqi_index <= high:
            return band
    raise ValueError(f"DAQI index must be 1-10, got {daqi_index}")


def overall_index(pm25_ugm3: float | None, pm10_ugm3: float | None) -> tuple[int | None, int | None, int]:
    """(pm25_index, pm10_index, overall) where overall is the max of the available sub-indices."""
    sub25 = pm25_index(pm25_ugm3) if pm25_ugm3 is not None else None
    sub10 = pm10_index(pm10_ugm3) if pm10_ugm3 is not None else None
    available = [i for i in (sub25, sub10) if i is not None]
    if not available:
        raise ValueError("a DAQI needs at least one of PM2.5 and PM10")
    return sub25, sub10, max(available)


def normalise_band(name: str) -> str:
    """Canonical band name for a filter value, any case; `Medium` is accepted for `Moderate`."""
    key = " ".join(name.strip().split()).lower()
    if key in BAND_ALIASES:
        return BAND_ALIASES[key]
    for band in BANDS:
        if band.lower() == key:
            return band
    raise ValueError(f"unknown band {name!r}; expected one of {', '.join(BANDS)} (or Medium)")
