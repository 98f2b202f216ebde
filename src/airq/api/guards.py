"""Per-client rate limit and load shedding, both in-process.

Rate limit: a token bucket per client address holding `rate_limit_per_minute` tokens, refilled
continuously at that rate per minute. The buckets live in each gunicorn worker process, so with W
workers a client that spreads over all of them can get up to W times the limit (documented; exact
global limits belong in the load balancer or a shared store). The client address is the socket
peer, or, when `AIRQ_TRUSTED_PROXY_HOPS` > 0, the address that many proxies back in
X-Forwarded-For (werkzeug's ProxyFix): never trust the header unless a proxy you run sets it.

Load shedding: requests in flight per process. gunicorn runs each worker with more threads than
`max_in_flight` (services/api/gunicorn.conf.py), so overload is visible here instead of queueing
unseen inside gunicorn.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Decision:
    allowed: bool
    limit: int
    remaining: int
    reset_seconds: int  # until the bucket is full again
    retry_after: int  # until one token is available (0 when allowed)

    def headers(self) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(self.reset_seconds),
        }


class RateLimiter:
    MAX_CLIENTS = 10_000  # buckets kept before full ones are forgotten

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.capacity = max(1, per_minute)
        self.rate = self.capacity / 60.0  # tokens per second
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # client -> (tokens, at)
        self._lock = threading.Lock()

    def _level(self, client: str, now: float) -> float:
        tokens, at = self._buckets.get(client, (self.capacity, now))
        return min(self.capacity, tokens + (now - at) * self.rate)

    def take(self, client: str) -> Decision:
        now = self._clock()
        with self._lock:
            tokens = self._level(client, now)
            allowed = tokens >= 1
            if allowed:
                tokens -= 1
            self._buckets[client] = (tokens, now)
            if len(self._buckets) > self.MAX_CLIENTS:
                self._forget_full(now)
        return Decision(
            allowed=allowed,
            limit=self.capacity,
            remaining=int(tokens),
            reset_seconds=math.ceil((self.capacity - tokens) / self.rate),
            retry_after=0 if allowed else max(1, math.ceil((1 - tokens) / self.rate)),
        )

    def _forget_full(self, now: float) -> None:
        """Drop buckets that have refilled (forgetting them changes nothing); if that is not
        enough (very many clients), keep the most recent half, so memory stays bounded."""
        for client in [c for c in self._buckets if self._level(c, now) >= self.capacity]:
            del self._buckets[client]
        if len(self._buckets) > self.MAX_CLIENTS:
            recent = sorted(self._buckets.items(), key=lambda item: item[1][1])[-self.MAX_CLIENTS // 2 :]
            self._buckets = dict(recent)


class InFlight:
    """Requests being handled by this process right now."""

    def __init__(self) -> None:
        self._count = 0
        self._lock = threading.Lock()

    def enter(self) -> int:
        with self._lock:
            self._count += 1
            return self._count

    def leave(self) -> None:
        with self._lock:
            self._count -= 1

    @property
    def count(self) -> int:
        return self._count
