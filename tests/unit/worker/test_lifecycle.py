"""Stop requests and health of a Worker, without any AWS (the clients are never called)."""

from __future__ import annotations

from airq.config import Settings
from airq.worker.loop import Worker
from airq.worker.options import WorkerOptions


def worker(now: list[float], **options) -> Worker:
    return Worker(
        Settings(),
        WorkerOptions(**options),
        sqs=object(),
        s3=object(),
        dynamodb=object(),
        clock=lambda: now[0],
    )


def test_stop_gives_the_current_export_its_grace_and_a_second_stop_abandons_it():
    w = worker([0.0], grace_seconds=3600)
    w.request_stop()
    assert w.stopping.is_set() and not w.cancel.is_set()
    w.request_stop()
    assert w.cancel.is_set()


def test_a_stop_with_no_grace_abandons_at_once():
    w = worker([0.0], grace_seconds=0)
    w.request_stop()
    assert w.stopping.is_set() and w.cancel.is_set()


def test_the_grace_period_runs_out():
    w = worker([0.0])
    w.request_stop(grace=0.05)
    assert w.cancel.wait(5), "the grace timer never abandoned the export"


def test_health_fails_only_when_nothing_has_moved_for_the_stall_time():
    now = [1000.0]
    w = worker(now, stall_seconds=300, wait_seconds=20)
    assert w.health() == (
        True,
        {"status": "ok", "stopping": False, "job_id": None, "seconds_since_activity": 0.0},
    )
    now[0] += 319
    assert w.health()[0] is True
    now[0] += 2
    ok, body = w.health()
    assert not ok and body["status"] == "stalled"
    w.touch()
    assert w.health()[0] is True
