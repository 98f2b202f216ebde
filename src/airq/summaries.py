"""Per-country-day (and per-hour) summaries: reading counts per DAQI index and mean PM."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from airq import daqi as daqi_rules
from airq import tables
from airq.items import Item


@dataclass
class Summary:
    readings: int = 0
    daqi_counts: list[int] = field(default_factory=lambda: [0] * 10)  # index 1..10 at 0..9
    pm25_sum: float = 0.0
    pm25_count: int = 0
    pm10_sum: float = 0.0
    pm10_count: int = 0

    def add(self, daqi_index: int, pm25_ugm3: float | None, pm10_ugm3: float | None) -> None:
        self.readings += 1
        self.daqi_counts[daqi_index - 1] += 1
        if pm25_ugm3 is not None:
            self.pm25_sum += pm25_ugm3
            self.pm25_count += 1
        if pm10_ugm3 is not None:
            self.pm10_sum += pm10_ugm3
            self.pm10_count += 1

    def merge(self, other: Summary) -> None:
        self.readings += other.readings
        self.daqi_counts = [a + b for a, b in zip(self.daqi_counts, other.daqi_counts, strict=True)]
        self.pm25_sum += other.pm25_sum
        self.pm25_count += other.pm25_count
        self.pm10_sum += other.pm10_sum
        self.pm10_count += other.pm10_count

    @classmethod
    def combine(cls, parts: Iterable[Summary]) -> Summary:
        total = cls()
        for part in parts:
            total.merge(part)
        return total

    @property
    def band_counts(self) -> dict[str, int]:
        counts = dict.fromkeys(daqi_rules.BANDS, 0)
        for index, count in enumerate(self.daqi_counts, start=1):
            counts[daqi_rules.band_for_index(index)] += count
        return counts

    @property
    def pm25_mean(self) -> float | None:
        return round(self.pm25_sum / self.pm25_count, 2) if self.pm25_count else None

    @property
    def pm10_mean(self) -> float | None:
        return round(self.pm10_sum / self.pm10_count, 2) if self.pm10_count else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "readings": self.readings,
            "daqi_counts": {str(i): c for i, c in enumerate(self.daqi_counts, start=1)},
            "band_counts": self.band_counts,
            "pm25_mean_ugm3": self.pm25_mean,
            "pm10_mean_ugm3": self.pm10_mean,
        }

    def to_item(self, day: str, scope: str, country: str, expires_at: int) -> Item:
        return {
            tables.DAILY_PK: {"S": day},
            tables.DAILY_SK: {"S": scope},
            "country": {"S": country},
            "readings": {"N": str(self.readings)},
            "daqi_counts": {"L": [{"N": str(c)} for c in self.daqi_counts]},
            "pm25_sum": {"N": repr(round(self.pm25_sum, 4))},
            "pm25_count": {"N": str(self.pm25_count)},
            "pm10_sum": {"N": repr(round(self.pm10_sum, 4))},
            "pm10_count": {"N": str(self.pm10_count)},
            tables.TTL_ATTRIBUTE: {"N": str(expires_at)},
        }

    @classmethod
    def from_item(cls, item: Item) -> Summary:
        return cls(
            readings=int(item["readings"]["N"]),
            daqi_counts=[int(c["N"]) for c in item["daqi_counts"]["L"]],
            pm25_sum=float(item["pm25_sum"]["N"]),
            pm25_count=int(item["pm25_count"]["N"]),
            pm10_sum=float(item["pm10_sum"]["N"]),
            pm10_count=int(item["pm10_count"]["N"]),
        )
