"""Delivery semantics of the worker, in process against the stand-ins (real SQS redrive, real S3):
poison messages, duplicate deliveries, retries into the DLQ, the DLQ sweep, the heartbeat."""

from __future__ import annotations

import dataclasses
import json
import time

import pytest

from airq import aws
from airq.export import MiB, run_export, upload_chunks
from airq.formats import csv_chunks
from airq.jobs import DONE, FAILED, QUEUED, JobStore, enqueue, export_key, queue_url, submit_export
from airq.query import ReadingQuery, iter_readings
from airq.store import Store
from airq.worker.loop import Heartbeat, Worker
from airq.worker.options import WorkerOptions
from tests.integration.worker.conftest import (
    dlq_bodies,
    download,
    export_objects,
    open_multipart_uploads,
    queue_counts,
)
from tests.support.worker_process import wait_for

FAST = WorkerOptions(wait_seconds=0, retry_backoff=0, progress_interval=0.2, monitor_interval=0)


def drain(worker: Worker, settings, limit: int = 40) -> list[str]:
    """Poll until the exports queue is empty (nothing visible or in flight); the outcomes, in order."""
    outcomes: list[str] = []
    original = worker.handle

    def recording(message):
        outcome = original(message)
        outcomes.append(outcome)
        return outcome

    worker.handle = recording  # type: ignore[method-assign]
    for _ in range(limit):
        worker.poll_once()
        if queue_counts(settings) == (0, 0):
            return outcomes
    raise AssertionError(f"queue not drained after {limit} polls; outcomes so far {outcomes}")


def send(settings, body: str) -> None:
    aws.client("sqs").send_message(QueueUrl=queue_url(settings), MessageBody=body)


def test_poison_messages_end_in_the_dlq_and_fail_their_jobs(wsettings, dataset):
    jobs = JobStore(wsettings)
    bad_query = jobs.create(ReadingQuery(start="yesterday", end="2026-11-21T23:59:59Z", band="Purple"))
    unknown = '{"job_id": "0123456789abcdef0123456789abcdef", "query": {}}'
    bodies = [
        "this is not json",
        '["a", "list"]',
        '{"job_id": 42}',
        '{"job_id": "../../etc/passwd"}',
        unknown,
        json.dumps({"job_id": bad_query.job_id, "query": bad_query.query}),
    ]
    for body in bodies:
        send(wsettings, body)

    worker = Worker(wsettings, FAST)
    outcomes = drain(worker, wsettings)

    assert sorted(dlq_bodies(wsettings)) == sorted(bodies)
    failed = jobs.get(bad_query.job_id)
    assert failed.status == FAILED
    assert "start must be YYYY-MM-DDTHH:MM:SSZ" in failed.error and "band must be one of" in failed.error
    # Each was delivered max_receives times, then moved by the redrive policy; one job failed once.
    assert outcomes.count("failed") == 1
    assert len(outcomes) == len(bodies) * wsettings.worker_max_receives
    assert set(outcomes) == {"failed", "dead_letter"}
    assert export_objects(wsettings) == []


def test_duplicate_delivery_gives_one_object_and_one_done_job(wsettings, dataset):
    jobs = JobStore(wsettings)
    job = submit_export(wsettings, dataset.query, jobs)
    enqueue(wsettings, job)  # the same message again, as SQS may deliver it twice

    worker = Worker(wsettings, FAST)
    outcomes = drain(worker, wsettings)

    assert outcomes == ["done", "duplicate"]
    done = jobs.get(job.job_id)
    assert (done.status, done.attempts, done.rows) == (DONE, 1, dataset.rows)
    assert export_objects(wsettings) == [export_key(job.job_id)]
    assert download(wsettings, done) == dataset.expected_csv
    assert queue_counts(wsettings, dlq=True) == (0, 0)


def test_rerunning_a_job_rewrites_the_same_object(wsettings, dataset):
    """At-least-once: a job re-run after a crash gives the same file, under the same key."""
    s3 = aws.client("s3")
    first = run_export(wsettings, "rerun-job", dataset.query)
    etag = s3.head_object(Bucket=wsettings.exports_bucket, Key=first.key)["ETag"]
    again = run_export(wsettings, "rerun-job", dataset.query, page_rows=333)
    assert again == first
    assert s3.head_object(Bucket=wsettings.exports_bucket, Key=first.key)["ETag"] == etag
    assert export_objects(wsettings) == [export_key("rerun-job")]


def test_a_job_failing_every_attempt_is_failed_and_dead_lettered(wsettings, dataset):
    jobs = JobStore(wsettings)
    query = dataclasses.replace(dataset.query, country="NL")  # one country: three attempts stay quick
    expected = "".join(csv_chunks(r for r, _ in iter_readings(Store(wsettings), query)))
    job = submit_export(wsettings, query, jobs)
    s3 = aws.client("s3")
    s3.delete_bucket(Bucket=wsettings.exports_bucket)  # every upload now fails: NoSuchBucket

    worker = Worker(wsettings, FAST)
    outcomes = drain(worker, wsettings)

    assert outcomes == ["retried", "retried", "failed"]
    failed = jobs.get(job.job_id)
    assert failed.status == FAILED and failed.attempts == 3
    assert "failed 3 times" in failed.error and "NoSuchBucket" in failed.error
    body = json.dumps({"job_id": job.job_id, "query": job.query}, sort_keys=True)
    assert dlq_bodies(wsettings) == [body]

    # The operator fixes the cause and redrives the DLQ: the failed job runs again and completes.
    s3.create_bucket(
        Bucket=wsettings.exports_bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-2"}
    )
    sqs = aws.client("sqs")
    dlq = sqs.get_queue_url(QueueName=wsettings.exports_dlq)["QueueUrl"]
    message = sqs.receive_message(QueueUrl=dlq, WaitTimeSeconds=0)["Messages"][0]
    send(wsettings, message["Body"])
    sqs.delete_message(QueueUrl=dlq, ReceiptHandle=message["ReceiptHandle"])
    assert drain(worker, wsettings) == ["done"]
    done = jobs.get(job.job_id)
    assert done.status == DONE and done.rows > 0
    assert download(wsettings, done) == expected


def test_a_job_whose_worker_died_on_the_last_attempt_is_failed_by_the_dlq_sweep(wsettings, dataset):
    jobs = JobStore(wsettings)
    job = submit_export(wsettings, dataset.query, jobs)
    sqs = aws.client("sqs")
    for attempt in range(1, wsettings.worker_max_receives + 1):  # three workers that died silently
        received = sqs.receive_message(
            QueueUrl=queue_url(wsettings), VisibilityTimeout=0, MessageSystemAttributeNames=["All"]
        )["Messages"]
        assert received[0]["Attributes"]["ApproximateReceiveCount"] == str(attempt)

    worker = Worker(wsettings, FAST)
    assert worker.poll_once() == 0  # this receive is the one that moves it to the DLQ
    assert queue_counts(wsettings, dlq=True) == (1, 0)
    assert jobs.get(job.job_id).status == QUEUED

    worker.poll_depth()
    failed = jobs.get(job.job_id)
    assert failed.status == FAILED and "dead-letter queue" in failed.error
    assert queue_counts(wsettings, dlq=True) == (1, 0), "the sweep must leave the message in the DLQ"
    worker.poll_depth()  # a second sweep finds nothing new to do
    assert jobs.get(job.job_id).updated_at == failed.updated_at


def test_heartbeat_keeps_the_message_invisible_past_its_timeout(wsettings):
    sqs = aws.client("sqs")
    url = queue_url(wsettings)
    sqs.send_message(QueueUrl=url, MessageBody="{}")
    visibility = 2
    message = sqs.receive_message(QueueUrl=url, VisibilityTimeout=visibility)["Messages"][0]

    with Heartbeat(sqs, url, message["ReceiptHandle"], visibility, lambda: True, {}) as heartbeat:
        # Twice the visibility timeout: without the heartbeat it would have been redelivered.
        until = time.monotonic() + 2 * visibility
        while time.monotonic() < until:
            assert sqs.receive_message(QueueUrl=url, WaitTimeSeconds=0).get("Messages") is None
            time.sleep(0.2)
    assert heartbeat.extensions >= 3
    wait_for(
        lambda: sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1).get("Messages"),
        visibility + 5,
        "the message to be redelivered once the heartbeat stopped",
    )


def test_a_stalled_export_stops_its_heartbeat(wsettings):
    sqs = aws.client("sqs")
    url = queue_url(wsettings)
    sqs.send_message(QueueUrl=url, MessageBody="{}")
    message = sqs.receive_message(QueueUrl=url, VisibilityTimeout=1)["Messages"][0]
    with Heartbeat(sqs, url, message["ReceiptHandle"], 1, lambda: False, {}) as heartbeat:
        wait_for(
            lambda: sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1).get("Messages"),
            10,
            "a stalled export's message to be redelivered",
        )
    assert heartbeat.extensions == 0


def test_large_files_are_multipart_and_failures_abort_the_upload(wsettings):
    s3 = aws.client("s3")
    line = b"x" * 1023 + b"\n"
    data = [line * 1024] * 12  # 12 MiB in 1 MiB chunks
    sink = upload_chunks(s3, wsettings.exports_bucket, "exports/big.csv", iter(data), 5 * MiB)
    assert [p["PartNumber"] for p in sink.parts] == [1, 2, 3]
    stored = s3.get_object(Bucket=wsettings.exports_bucket, Key="exports/big.csv")
    assert stored["ContentLength"] == 12 * MiB and stored["Body"].read() == b"".join(data)
    assert stored["ContentType"].startswith("text/csv")

    def failing():
        yield from data[:7]
        raise RuntimeError("query failed mid-export")

    with pytest.raises(RuntimeError, match="mid-export"):
        upload_chunks(s3, wsettings.exports_bucket, "exports/broken.csv", failing(), 5 * MiB)
    assert open_multipart_uploads(wsettings) == []
    assert "exports/broken.csv" not in export_objects(wsettings)
