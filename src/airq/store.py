"""DynamoDB access: parallel batch writes, summary upkeep, and the Query helpers (never Scan)."""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from airq import aws, tables
from airq.config import Settings
from airq.items import Item, epoch_seconds, item_to_reading, reading_to_item
from airq.readings import Reading
from airq.summaries import Summary

log = logging.getLogger(__name__)

BATCH_SIZE = 25  # BatchWriteItem's limit on AWS (moto accepts more; we never send more)
MAX_BATCH_ATTEMPTS = 10


class StoreError(Exception):
    """DynamoDB could not take or give what was asked, after retries."""


@dataclass
class WriteReport:
    items: int = 0
    batches: int = 0
    retries: int = 0


def _chunks(items: Sequence[Item], size: int) -> Iterator[Sequence[Item]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class CatalogueMemo:
    """Day catalogues (country summaries) kept for `ttl` seconds, shared by the threads of one API
    process: under load, most requests read a catalogue that another request has just read.
    Ingest rewrites a catalogue after each snapshot, so new data shows at most `ttl` seconds late."""

    def __init__(self, ttl: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self._clock = clock
        self._entries: dict[str, tuple[float, dict[str, Summary]]] = {}
        self._lock = threading.Lock()

    def get(self, day: str, load: Callable[[str], dict[str, Summary]]) -> dict[str, Summary]:
        now = self._clock()
        with self._lock:
            entry = self._entries.get(day)
        if entry is not None and now - entry[0] < self.ttl:
            return entry[1]
        summaries = load(day)
        with self._lock:
            if len(self._entries) > 1000:  # days asked for by long ranges: drop the expired ones
                self._entries = {d: e for d, e in self._entries.items() if now - e[0] < self.ttl}
            self._entries[day] = (now, summaries)
        return summaries


class Store:
    def __init__(
        self,
        settings: Settings,
        client: Any | None = None,
        sleep: Callable[[float], None] = time.sleep,
        memo_summaries: bool = False,
        catalogues: CatalogueMemo | None = None,
    ) -> None:
        self.settings = settings
        # A short-lived Store (one API request) may remember each day's catalogue, so the size
        # estimate and the cache's data version read the same one; a long-lived one must not.
        self._summary_memo: dict[str, dict[str, Summary]] | None = {} if memo_summaries else None
        self._catalogues = catalogues
        self.client = (
            client
            if client is not None
            else aws.client("dynamodb", max_pool=max(32, settings.write_threads * 2))
        )
        self._sleep = sleep

    # ------------------------------------------------------------------ writes

    def _write_batch(self, table: str, batch: Sequence[Item]) -> tuple[int, int]:
        """Write ≤25 items; retry UnprocessedItems with exponential backoff and full jitter."""
        requests = [{"PutRequest": {"Item": item}} for item in batch]
        for attempt in range(MAX_BATCH_ATTEMPTS):
            response = self.client.batch_write_item(RequestItems={table: requests})
            requests = response.get("UnprocessedItems", {}).get(table, [])
            if not requests:
                return len(batch), attempt
            self._sleep(random.uniform(0, min(5.0, 0.05 * 2**attempt)))
        raise StoreError(
            f"{len(requests)} items to {table} still unprocessed after {MAX_BATCH_ATTEMPTS} attempts"
        )

    def write_items(self, table: str, items: Sequence[Item]) -> WriteReport:
        report = WriteReport()
        if not items:
            return report
        batches = list(_chunks(items, BATCH_SIZE))
        threads = max(1, min(self.settings.write_threads, len(batches)))
        with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="ddb-write") as pool:
            for written, retries in pool.map(lambda b: self._write_batch(table, b), batches):
                report.items += written
                report.retries += retries
                report.batches += 1
        return report

    def put_readings(self, readings: Sequence[Reading]) -> WriteReport:
        items = [reading_to_item(r, self.settings.retention_days) for r in readings]
        return self.write_items(self.settings.readings_table, items)

    # ------------------------------------------------------------------ summaries

    def _expires_at(self, day: str) -> int:
        return epoch_seconds(f"{day}T00:00:00Z") + (self.settings.retention_days + 1) * 86400

    def _hour_summary(self, country: str, day: str, hour: int) -> Summary:
        summary = Summary()
        low = f"{day}T{hour:02d}:00:00Z"
        high = f"{day}T{hour:02d}:59:59Z~"
        for item in self._query_items(
            TableName=self.settings.readings_table,
            KeyConditionExpression="#pk = :pk AND #sk BETWEEN :low AND :high",
            ExpressionAttributeNames={"#pk": tables.READINGS_PK, "#sk": tables.READINGS_SK},
            ExpressionAttributeValues={
                ":pk": {"S": f"{country}#{day}"},
                ":low": {"S": low},
                ":high": {"S": high},
            },
            ProjectionExpression="daqi, pm25_ugm3, pm10_ugm3",
        ):
            summary.add(
                int(item["daqi"]["N"]),
                float(item["pm25_ugm3"]["N"]) if "pm25_ugm3" in item else None,
                float(item["pm10_ugm3"]["N"]) if "pm10_ugm3" in item else None,
            )
        return summary

    def refresh_summaries(self, readings: Iterable[Reading]) -> int:
        """Recompute the hour and country-day summaries that these readings touch, from the store.

        Recomputing from what is stored (rather than adding this snapshot's counts) keeps the
        summaries exact when snapshots overlap or are ingested twice: a stale sensor repeats its
        last reading in consecutive snapshots, and its key, not its snapshot, decides what counts.
        """
        touched: set[tuple[str, str, int]] = {(r.country, r.day, int(r.timestamp[11:13])) for r in readings}
        threads = max(1, min(self.settings.write_threads, len(touched)))
        with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="ddb-summary") as pool:
            hours = dict(zip(touched, pool.map(lambda t: self._hour_summary(*t), touched), strict=True))
        hour_items = [
            summary.to_item(day, tables.hour_scope(country, hour), country, self._expires_at(day))
            for (country, day, hour), summary in hours.items()
        ]
        self.write_items(self.settings.daily_table, hour_items)

        country_days = sorted({(country, day) for country, day, _ in touched})
        day_items = []
        for country, day in country_days:
            parts = [s for _, s in self.hour_summaries(day, country)]
            total = Summary.combine(parts)
            day_items.append(
                total.to_item(day, tables.country_scope(country), country, self._expires_at(day))
            )
        self.write_items(self.settings.daily_table, day_items)
        return len(country_days)

    # ------------------------------------------------------------------ reads

    def _query_items(self, **request: Any) -> Iterator[Item]:
        while True:
            response = self.client.query(**request)
            yield from response.get("Items", [])
            last = response.get("LastEvaluatedKey")
            if not last:
                return
            request["ExclusiveStartKey"] = last

    def _daily_items(self, day: str, prefix: str) -> Iterator[Item]:
        return self._query_items(
            TableName=self.settings.daily_table,
            KeyConditionExpression="#pk = :day AND begins_with(#sk, :prefix)",
            ExpressionAttributeNames={"#pk": tables.DAILY_PK, "#sk": tables.DAILY_SK},
            ExpressionAttributeValues={":day": {"S": day}, ":prefix": {"S": prefix}},
        )

    def country_summaries(self, day: str) -> dict[str, Summary]:
        """The day's catalogue: every country with data that day and its summary. One small Query."""
        if self._summary_memo is not None and day in self._summary_memo:
            return self._summary_memo[day]
        if self._catalogues is not None:
            summaries = self._catalogues.get(day, self._read_catalogue)
        else:
            summaries = self._read_catalogue(day)
        if self._summary_memo is not None:
            self._summary_memo[day] = summaries
        return summaries

    def _read_catalogue(self, day: str) -> dict[str, Summary]:
        return {item["country"]["S"]: Summary.from_item(item) for item in self._daily_items(day, "C#")}

    def hour_summaries(self, day: str, country: str | None = None) -> list[tuple[tuple[str, int], Summary]]:
        prefix = f"H#{country}#" if country else "H#"
        out = []
        for item in self._daily_items(day, prefix):
            _, item_country, hour = item[tables.DAILY_SK]["S"].split("#")
            out.append(((item_country, int(hour)), Summary.from_item(item)))
        return out

    def query_partition_page(
        self,
        country: str,
        day: str,
        low_sk: str,
        high_sk: str,
        *,
        limit: int | None = None,
        start_after: str | None = None,
        server_filter: tuple[str, dict[str, str], dict[str, Any]] | None = None,
    ) -> tuple[list[Reading], str | None]:
        """One page of a country-day partition between two sort keys (inclusive).

        Returns the readings and the sort key to resume after (None when the range is done).
        """
        request: dict[str, Any] = {
            "TableName": self.settings.readings_table,
            "KeyConditionExpression": "#pk = :pk AND #sk BETWEEN :low AND :high",
            "ExpressionAttributeNames": {"#pk": tables.READINGS_PK, "#sk": tables.READINGS_SK},
            "ExpressionAttributeValues": {
                ":pk": {"S": f"{country}#{day}"},
                ":low": {"S": low_sk},
                ":high": {"S": high_sk},
            },
        }
        if server_filter:
            expression, names, values = server_filter
            request["FilterExpression"] = expression
            request["ExpressionAttributeNames"].update(names)
            request["ExpressionAttributeValues"].update(values)
        if limit:
            request["Limit"] = limit
        if start_after:
            request["ExclusiveStartKey"] = {
                tables.READINGS_PK: {"S": f"{country}#{day}"},
                tables.READINGS_SK: {"S": start_after},
            }
        response = self.client.query(**request)
        readings = [item_to_reading(item) for item in response.get("Items", [])]
        last = response.get("LastEvaluatedKey")
        return readings, (last[tables.READINGS_SK]["S"] if last else None)

    def sensor_page(
        self,
        sensor_id: int,
        low_ts: str,
        high_ts: str,
        *,
        limit: int | None = None,
        start_after: dict[str, Any] | None = None,
    ) -> tuple[list[Reading], dict[str, Any] | None]:
        """One page of a sensor's history from the by_sensor index, oldest first."""
        request: dict[str, Any] = {
            "TableName": self.settings.readings_table,
            "IndexName": tables.BY_SENSOR_INDEX,
            "KeyConditionExpression": "#pk = :sensor AND #sk BETWEEN :low AND :high",
            "ExpressionAttributeNames": {"#pk": tables.BY_SENSOR_PK, "#sk": tables.BY_SENSOR_SK},
            "ExpressionAttributeValues": {
                ":sensor": {"N": str(sensor_id)},
                ":low": {"S": low_ts},
                ":high": {"S": high_ts},
            },
        }
        if limit:
            request["Limit"] = limit
        if start_after:
            request["ExclusiveStartKey"] = start_after
        response = self.client.query(**request)
        return [item_to_reading(i) for i in response.get("Items", [])], response.get("LastEvaluatedKey")

    def ping(self) -> None:
        """Raise unless the readings table answers (readiness checks)."""
        self.client.describe_table(TableName=self.settings.readings_table)
