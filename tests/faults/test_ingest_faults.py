"""Faults during ingest: throttling, unprocessed items, a stand-in that restarts mid-ingest, and
upstream feeds that misbehave. For each: what the user sees, and that nothing is lost or doubled."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from airq import aws
from airq.config import Settings
from airq.feed import load_feed
from airq.feedgen import generate, write_feed
from airq.ingest.run import ingest_once
from airq.resources import ensure_tables
from airq.store import Store
from tests.conftest import settings_env
from tests.support.faultproxy import FaultProxy
from tests.support.standins import aws_env, free_port, start_dynalite, subprocess_env
from tests.support.upstream import GOOD_BODY, Upstream

INGEST = Path(sys.executable).parent / "airq-ingest"
AT = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)


def make_feed(path: Path, sensors: int, seed: int = 4, at: datetime = AT) -> Path:
    with path.open("w") as handle:
        write_feed(generate(sensors, seed=seed, at=at), handle)
    return path


def stored_counts(store: Store, day: str) -> dict[str, int]:
    """Readings per country, counted from the readings table itself (not the summaries)."""
    counts = {}
    for country in store.country_summaries(day):
        rows, total, after = None, 0, None
        while rows is None or after:
            rows, after = store.query_partition_page(
                country, day, f"{day}T00", f"{day}T99", start_after=after
            )
            total += len(rows)
        counts[country] = total
    return counts


def expected_counts(feed: Path) -> dict[str, int]:
    counts: dict[str, int] = {}
    for reading in load_feed(str(feed)).readings:
        counts[reading.country] = counts.get(reading.country, 0) + 1
    return counts


@pytest.fixture
def proxied(settings, dynalite, monkeypatch):
    """The SDK talks to dynalite through the fault proxy."""
    proxy = FaultProxy(dynalite.url)
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", proxy.url)
    ensure_tables(settings)
    yield proxy
    proxy.close()


def test_throttling_and_unprocessed_items_lose_and_double_nothing(proxied, settings, tmp_path):
    feed = make_feed(tmp_path / "feed.json", 1500)
    proxied.throttle_every = 3
    proxied.unprocessed_every = 2
    store = Store(settings, client=aws.client("dynamodb"))
    outcome = ingest_once(str(feed), settings, store)
    assert proxied.throttled > 0 and proxied.unprocessed > 0, "the faults were not exercised"
    assert outcome.stored == outcome.accepted
    proxied.throttle_every = proxied.unprocessed_every = 0
    expected = expected_counts(feed)
    assert stored_counts(store, "2026-12-03") == expected
    summaries = store.country_summaries("2026-12-03")
    assert {c: s.readings for c, s in summaries.items()} == expected


def test_store_that_goes_away_mid_ingest_is_a_clear_failure_and_a_rerun_completes(
    tmp_path, moto, standin_logs
):
    """dynalite is killed while ingest writes, then restarted on the same data: the first run exits
    3 with a message; the re-run (same snapshot) completes; nothing is lost or duplicated."""
    port = free_port()
    data = tmp_path / "dynalite"
    dynalite = start_dynalite(data, standin_logs, port=port)
    settings = Settings(
        readings_table="restart-readings", daily_table="restart-daily", jobs_table="restart-jobs"
    )
    env = aws_env(dynalite.url, moto.url)
    feed = make_feed(tmp_path / "feed.json", 12000)
    previous = os.environ.copy()
    os.environ.update(env)
    try:
        ensure_tables(settings)
        child_env = subprocess_env(
            {**env, **settings_env(settings), "AWS_MAX_ATTEMPTS": "2", "AIRQ_WRITE_THREADS": "2"}
        )
        ingest = subprocess.Popen(
            [str(INGEST), "--once", "--feed", str(feed)], env=child_env, stderr=subprocess.PIPE, text=True
        )
        store = Store(settings, client=aws.client("dynamodb"))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # wait until writes are under way
            rows, _ = store.query_partition_page(
                "DE", "2026-12-03", "2026-12-03T00", "2026-12-03T99", limit=50
            )
            if len(rows) >= 50:
                break
            time.sleep(0.05)
        dynalite.process.kill()
        dynalite.process.wait()
        _, stderr = ingest.communicate(timeout=180)
        assert ingest.returncode == 3, stderr
        assert "could not store the snapshot" in stderr and "re-running is safe" in stderr

        dynalite = start_dynalite(data, standin_logs, port=port)
        rerun = subprocess.run(
            [str(INGEST), "--once", "--feed", str(feed)],
            env=child_env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert rerun.returncode == 0, rerun.stderr
        store = Store(settings, client=aws.client("dynamodb"))
        expected = expected_counts(feed)
        assert stored_counts(store, "2026-12-03") == expected
        assert {c: s.readings for c, s in store.country_summaries("2026-12-03").items()} == expected
    finally:
        dynalite.stop()
        os.environ.clear()
        os.environ.update(previous)


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        ("500", "HTTP 500"),
        ("429", "HTTP 429"),
        ("hang", "timed out"),
        ("empty", "empty"),
        ("array", "empty array"),
        ("truncated", "truncated"),
        ("html", "content type"),
    ],
)
def test_a_bad_upstream_leaves_stored_data_untouched(fault, message, settings, tmp_path, aws):
    """The previous snapshot stays exactly as it was; the run exits 1 and says what was wrong."""
    ensure_tables(settings)
    store = Store(settings)
    good = make_feed(tmp_path / "good.json", 400)
    ingest_once(str(good), settings, store)
    before = stored_counts(store, "2026-12-03")

    upstream = Upstream()
    scripted = {
        "500": (500, b"oops", "text/plain", 0),
        "429": (429, b"slow down", "text/plain", 0),
        "hang": (200, GOOD_BODY, "application/json", 3.0),
        "empty": (200, b"", "application/json", 0),
        "array": (200, b"[]", "application/json", 0),
        "truncated": (200, GOOD_BODY[: len(GOOD_BODY) // 2], "application/json", 0),
        "html": (200, b"<html>down for maintenance</html>", "text/html", 0),
    }[fault]
    upstream.script = [scripted] * 3
    try:
        env = subprocess_env(
            {
                **aws,
                **settings_env(settings),
                "AIRQ_FEED_RETRIES": "2",
                "AIRQ_FEED_TIMEOUT": "1",
                "AIRQ_FEED_BACKOFF": "0.1",
            }
        )
        done = subprocess.run(
            [str(INGEST), "--once", "--feed", upstream.url],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        upstream.close()
    assert done.returncode == 1
    assert "nothing stored" in done.stderr and message in done.stderr, done.stderr
    assert upstream.requests == 3  # first try plus two retries
    assert stored_counts(store, "2026-12-03") == before
