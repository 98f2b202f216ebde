"""The reading: one sensor's 24-hour mean PM at one timestamp, with its DAQI."""

from __future__ import annotations

from dataclasses import dataclass

from airq import daqi

# The columns every output (CSV, JSON, GeoJSON, exports) carries, in this order.
COLUMNS: tuple[str, ...] = (
    "sensor_id",
    "sensor_type",
    "location_id",
    "timestamp",
    "country",
    "latitude",
    "longitude",
    "pm25_ugm3",
    "pm10_ugm3",
    "pm25_index",
    "pm10_index",
    "daqi",
    "band",
)

UNKNOWN_COUNTRY = "XX"


@dataclass(frozen=True, slots=True)
class Reading:
    sensor_id: int
    sensor_type: str
    location_id: int | None
    timestamp: str  # ISO-8601 UTC with Z, second precision
    country: str  # ISO-3166 alpha-2, or XX when the feed does not say
    latitude: float
    longitude: float
    pm25_ugm3: float | None
    pm10_ugm3: float | None
    pm25_index: int | None
    pm10_index: int | None
    daqi: int
    band: str

    @classmethod
    def build(
        cls,
        *,
        sensor_id: int,
        sensor_type: str,
        location_id: int | None,
        timestamp: str,
        country: str,
        latitude: float,
        longitude: float,
        pm25_ugm3: float | None,
        pm10_ugm3: float | None,
    ) -> Reading:
        """A reading with its DAQI computed here, so no caller can store an inconsistent index."""
        sub25, sub10, overall = daqi.overall_index(pm25_ugm3, pm10_ugm3)
        return cls(
            sensor_id=sensor_id,
            sensor_type=sensor_type,
            location_id=location_id,
            timestamp=timestamp,
            country=country,
            latitude=latitude,
            longitude=longitude,
            pm25_ugm3=pm25_ugm3,
            pm10_ugm3=pm10_ugm3,
            pm25_index=sub25,
            pm10_index=sub10,
            daqi=overall,
            band=daqi.band_for_index(overall),
        )

    @property
    def day(self) -> str:
        return self.timestamp[:10]

    def as_dict(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in COLUMNS}
