"""The token bucket and the in-flight counter, with a fake clock."""

import threading

from airq.api.guards import InFlight, RateLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_bucket_allows_the_limit_then_refuses_until_a_token_refills():
    clock = Clock()
    limiter = RateLimiter(60, clock=clock)  # one token per second
    decisions = [limiter.take("a") for _ in range(61)]
    assert all(d.allowed for d in decisions[:60])
    assert [d.remaining for d in decisions[:3]] == [59, 58, 57]
    refused = decisions[60]
    assert not refused.allowed and refused.remaining == 0
    assert (refused.retry_after, refused.reset_seconds) == (1, 60)
    assert refused.headers() == {
        "X-RateLimit-Limit": "60",
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": "60",
    }
    assert limiter.take("b").allowed  # buckets are per client
    clock.now += 1.0
    assert limiter.take("a").allowed
    assert not limiter.take("a").allowed
    clock.now += 3600
    assert limiter.take("a").remaining == 59  # refills up to the capacity, not beyond


def test_retry_after_is_at_least_one_second_and_rounds_up():
    clock = Clock()
    limiter = RateLimiter(6, clock=clock)  # one token per 10 s
    for _ in range(6):
        limiter.take("a")
    clock.now += 2.5
    refused = limiter.take("a")
    assert not refused.allowed and refused.retry_after == 8


def test_memory_is_bounded_with_many_clients():
    clock = Clock()
    limiter = RateLimiter(10, clock=clock)
    limiter.MAX_CLIENTS = 100
    for n in range(1000):
        limiter.take(f"10.0.{n // 256}.{n % 256}")
    assert len(limiter._buckets) <= 100
    clock.now += 60  # every bucket full again: all of them can be forgotten
    limiter.take("new")
    limiter._forget_full(clock.now)
    assert len(limiter._buckets) <= 1


def test_in_flight_counts_concurrent_requests():
    counter = InFlight()
    barrier = threading.Barrier(8)
    seen = []

    def request():
        seen.append(counter.enter())
        barrier.wait()
        counter.leave()

    threads = [threading.Thread(target=request) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(seen) == list(range(1, 9)) and counter.count == 0
