"""Pages with a bounded cost, CSV streams, and the size estimate that picks sync or async.

A page must not cost more the more selective its filter is: with `band=Very High` over a month,
finding 100 matches could mean reading millions of items. So a page makes at most
`PAGE_QUERY_BUDGET` DynamoDB Queries (each reads at most `chunk` items) and starts no new one after
`PAGE_TIME_BUDGET` seconds; then it returns the rows found so far (possibly none) and a cursor that
resumes exactly where it stopped. Clients page until `next_cursor` is null, never until a short
page. Every page makes at least two Queries (a day's catalogue and one partition), so paging always
moves forward.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from itertools import chain
from typing import Any

from airq.config import Settings
from airq.query import ReadingQuery, estimate_rows, iter_readings
from airq.readings import Reading
from airq.store import Store
from airq.validation import span_days

PAGE_QUERY_BUDGET = 64
PAGE_TIME_BUDGET = 2.0  # seconds
MIN_QUERIES = 2
FILTERED_CHUNK = 1000  # items per Query when a server-side filter drops most of them


class BudgetSpent(Exception):
    def __init__(self, position: dict[str, Any]) -> None:
        super().__init__("query budget of this page spent")
        self.position = position


class _Budgeted:
    """A Store as `iter_readings` sees it, counting its Queries. A call made when the budget is
    spent raises with the position it would have read from: every row before it was yielded."""

    def __init__(self, store: Store, budget: int, seconds: float, resume: dict[str, Any] | None) -> None:
        self._store, self._calls = store, 0
        self._budget = max(MIN_QUERIES, budget)
        self._deadline = time.monotonic() + seconds
        self._resume_day = resume.get("d") if resume else None

    def _spend(self, position: dict[str, Any]) -> None:
        spent = self._calls >= self._budget or time.monotonic() > self._deadline
        if spent and self._calls >= MIN_QUERIES:
            raise BudgetSpent(position)
        self._calls += 1

    def country_summaries(self, day: str) -> dict[str, Any]:
        if self._resume_day and day < self._resume_day:
            return {}  # iter_readings skips these days' partitions anyway: no need to read them
        self._spend({"d": day, "c": "", "k": None})
        return self._store.country_summaries(day)

    def query_partition_page(
        self, country: str, day: str, low: str, high: str, *, start_after: str | None = None, **kwargs: Any
    ) -> tuple[list[Reading], str | None]:
        self._spend({"d": day, "c": country, "k": start_after})
        return self._store.query_partition_page(country, day, low, high, start_after=start_after, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)  # sensor_page: one indexed Query, bounded by its history


def _filtered(query: ReadingQuery) -> bool:
    return query.daqi_range != (1, 10) or query.bbox is not None


def read_page(
    store: Store,
    query: ReadingQuery,
    limit: int,
    position: dict[str, Any] | None,
    budget: int = PAGE_QUERY_BUDGET,
    seconds: float = PAGE_TIME_BUDGET,
) -> tuple[list[Reading], dict[str, Any] | None]:
    """Up to `limit` readings from `position` on, and the position of the next page (None: done)."""
    chunk = FILTERED_CHUNK if _filtered(query) else limit + 1
    budgeted: Any = _Budgeted(store, budget, seconds, position)
    rows: list[Reading] = []
    last: dict[str, Any] | None = None
    try:
        for reading, reading_position in iter_readings(budgeted, query, position, chunk=chunk):
            if len(rows) == limit:
                return rows, last
            rows.append(reading)
            last = reading_position
    except BudgetSpent as spent:
        return rows, spent.position
    return rows, None


def all_readings(store: Store, query: ReadingQuery) -> tuple[Reading | None, Iterator[Reading]]:
    """Every matching reading, with the first already read: a store failure surfaces now, while the
    answer can still be a 503, rather than halfway through a 200 stream."""
    readings = (reading for reading, _ in iter_readings(store, query, chunk=FILTERED_CHUNK))
    first = next(readings, None)
    return first, (chain([first], readings) if first is not None else iter(()))


def too_large_for_sync(store: Store, query: ReadingQuery, settings: Settings) -> str | None:
    """Why a query must run as an export, or None when it may be answered synchronously.

    One sensor's history is always synchronous: one indexed Query per thousand rows. Otherwise the
    span must be at most `sync_max_days` days and the estimate at most `sync_max_rows` rows (the
    span is checked first, so a long query costs no estimate).
    """
    if query.sensor_id is not None:
        return None
    days = span_days(query.start, query.end)
    if days > settings.sync_max_days:
        return f"it spans {days} days; at most {settings.sync_max_days} are answered synchronously"
    rows = estimate_rows(store, query)
    if rows > settings.sync_max_rows:
        return f"it may return about {rows} rows; at most {settings.sync_max_rows} are answered synchronously"
    return None
