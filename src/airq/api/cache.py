"""A cache of small synchronous CSV answers, invalidated by every ingest that changes the data.

The key is the query plus a *data version*: a digest of the per-country-day summaries of the days
(and country) the query reads. Ingest rewrites those summaries after every snapshot that adds or
changes readings, so a new snapshot changes the version and the old entry is simply never asked
for again; re-ingesting an identical snapshot changes nothing, and rightly keeps the entry. The
summaries are read anyway to decide sync or async, so the version costs no extra request.

Clients that accept gzip get the entry compressed, itself built once and cached next to it.

Many identical queries at once (the original load test: every user sends the same body) build the
answer once: the others wait for it on the key's lock. Entries are bounded in total bytes (LRU).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable

from airq.query import ReadingQuery
from airq.store import Store

# Answers up to this many rows (by the summaries' estimate) are built whole and cached; larger
# ones (up to the synchronous limit) are streamed and not cached.
MAX_CACHED_ROWS = 20_000
# Smaller cached answers go out as they are: compressing them would save less than a packet.
MIN_GZIP_BYTES = 1400


def data_version(store: Store, query: ReadingQuery) -> str:
    digest = hashlib.blake2b(digest_size=12)
    for day in query.days():
        for country, summary in sorted(store.country_summaries(day).items()):
            if query.country and country != query.country:
                continue
            digest.update(
                f"{day}|{country}|{summary.readings}|{summary.daqi_counts}|"
                f"{summary.pm25_sum:.3f}|{summary.pm10_sum:.3f};".encode()
            )
    return digest.hexdigest()


def cache_key(store: Store, query: ReadingQuery) -> str:
    """Equal for equal answers: min/max AQI and band are folded into the DAQI range they select
    (minAqi 0 from the original client and no minimum from GET /api/readings are the same query)."""
    canonical = {
        "start": query.start,
        "end": query.end,
        "country": query.country,
        "daqi": query.daqi_range,
        "bbox": query.bbox,
    }
    return json.dumps(canonical, sort_keys=True) + "@" + data_version(store, query)


class ResultCache:
    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[str, bytes] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()
        self._building: dict[str, threading.Lock] = {}

    def _get(self, key: str) -> bytes | None:
        with self._lock:
            body = self._entries.get(key)
            if body is not None:
                self._entries.move_to_end(key)
            return body

    def _put(self, key: str, body: bytes) -> None:
        if len(body) > self.max_bytes:
            return
        with self._lock:
            if key in self._entries:
                return
            self._entries[key] = body
            self._size += len(body)
            while self._size > self.max_bytes:
                _, evicted = self._entries.popitem(last=False)
                self._size -= len(evicted)

    def peek(self, key: str) -> bytes | None:
        return self._get(key)

    def gzipped(self, key: str, body: bytes) -> bytes:
        """The entry's body gzip-compressed, itself cached next to it (built once per entry)."""
        compressed, _ = self.get_or_build(
            key + "\x00gzip", lambda: gzip.compress(body, compresslevel=6, mtime=0)
        )
        return compressed

    def get_or_build(self, key: str, build: Callable[[], bytes]) -> tuple[bytes, bool]:
        """(body, hit). A miss builds once per key, whatever the number of concurrent callers."""
        body = self._get(key)
        if body is not None:
            return body, True
        with self._lock:
            key_lock = self._building.setdefault(key, threading.Lock())
        with key_lock:
            body = self._get(key)
            if body is not None:
                return body, True
            try:
                body = build()
                self._put(key, body)
            finally:
                with self._lock:
                    self._building.pop(key, None)
        return body, False
