"""The feed over real HTTP on 127.0.0.1: upstream faults are retried, then refused whole."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from airq.feed import FeedError, load_feed
from tests.support.upstream import GOOD_BODY, Upstream


@pytest.fixture
def upstream() -> Iterator[Upstream]:
    server = Upstream()
    yield server
    server.close()


def load(upstream: Upstream, retries: int = 3, timeout: float = 5.0):
    sleeps: list[float] = []
    result = load_feed(upstream.url, timeout=timeout, retries=retries, backoff=0.5, sleep=sleeps.append)
    return result, sleeps


@pytest.mark.parametrize(
    "fault",
    [
        (500, b"oops", "text/plain", 0),
        (503, b"", "application/json", 0),
        (429, b"slow down", "text/plain", 0),
        (200, b"", "application/json", 0),
        (200, b"[]", "application/json", 0),
        (200, GOOD_BODY[: len(GOOD_BODY) // 3], "application/json", 0),
        (200, b"<html>maintenance</html>", "text/html", 0),
    ],
    ids=["500", "503", "429", "empty-body", "empty-array", "truncated", "html"],
)
def test_a_transient_fault_is_retried_then_the_good_feed_is_used(upstream, fault):
    upstream.script = [fault]
    result, sleeps = load(upstream)
    assert upstream.requests == 2
    assert sleeps == [0.5]
    assert result.accepted > 100


def test_persistent_faults_fail_with_what_was_wrong_after_backoff(upstream):
    upstream.script = [(502, b"", "text/plain", 0)] * 4
    with pytest.raises(FeedError, match=r"failed after 4 attempts: HTTP 502"):
        load(upstream)
    assert upstream.requests == 4


def test_backoff_doubles(upstream):
    upstream.script = [(500, b"", "text/plain", 0)] * 4
    sleeps: list[float] = []
    with pytest.raises(FeedError):
        load_feed(upstream.url, timeout=5, retries=3, backoff=1.0, sleep=sleeps.append)
    assert sleeps == [1.0, 2.0, 4.0]


def test_a_hanging_upstream_times_out_and_is_retried(upstream):
    upstream.script = [(200, GOOD_BODY, "application/json", 2.0)]
    result, _ = load(upstream, timeout=0.5)
    assert upstream.requests == 2 and result.accepted > 100


def test_client_errors_are_not_retried(upstream):
    upstream.script = [(404, b"not found", "text/plain", 0)]
    with pytest.raises(FeedError, match=r"HTTP 404.*not retried"):
        load(upstream)
    assert upstream.requests == 1


def test_truncated_every_time_is_reported_as_truncated(upstream):
    upstream.script = [(200, GOOD_BODY[:5000], "application/json", 0)] * 4
    with pytest.raises(FeedError, match="truncated"):
        load(upstream)


def test_unreachable_upstream(upstream):
    url = upstream.url
    upstream.server.shutdown()
    upstream.server.server_close()
    with pytest.raises(FeedError, match="cannot reach"):
        load_feed(url, timeout=1, retries=1, backoff=0, sleep=lambda s: None)
