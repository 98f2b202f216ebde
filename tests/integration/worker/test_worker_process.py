"""`airq-worker` as a real subprocess: exports end to end, SIGKILL mid-job, SIGTERM (finish or release)."""

from __future__ import annotations

import signal

from airq.jobs import DONE, RUNNING, JobStore, export_key, submit_export
from tests.integration.worker.conftest import (
    download,
    export_objects,
    open_multipart_uploads,
    queue_counts,
)
from tests.support.worker_process import start_worker, wait_for

# A deliberately slow export: 5-row DynamoDB pages make hundreds of Queries, so a test can act while
# the job is running (it is the real page-size knob, not a sleep).
SLOW = {"AIRQ_WORKER_PAGE_ROWS": "5", "AIRQ_WORKER_PROGRESS_INTERVAL": "0.05"}


def job_state(jobs, job_id):
    return jobs.get(job_id)


def wait_running_with_rows(jobs, job_id, worker, timeout=60):
    """Until the job is running and has reported rows: the worker is provably mid-export."""
    return wait_for(
        lambda: (job := jobs.get(job_id)) and job.status == RUNNING and job.rows > 0 and job,
        timeout,
        f"job {job_id} to be running with rows reported",
        diagnostics=worker.log_tail,
    )


def wait_status(jobs, job_id, status, timeout, worker=None):
    return wait_for(
        lambda: (job := jobs.get(job_id)) and job.status == status and job,
        timeout,
        f"job {job_id} to be {status}",
        diagnostics=(lambda: f"{jobs.get(job_id)}\n{worker.log_tail()}") if worker else None,
    )


def test_multi_day_all_country_export_through_the_worker(wsettings, dataset, worker_aws, tmp_path, workers):
    worker = start_worker(worker_aws, wsettings, tmp_path)
    workers.append(worker)
    jobs = JobStore(wsettings)
    job = submit_export(wsettings, dataset.query, jobs)

    done = wait_status(jobs, job.job_id, DONE, 60, worker)
    body = download(wsettings, done)
    assert body == dataset.expected_csv
    assert (done.rows, done.size_bytes) == (dataset.rows, len(body.encode()))
    assert (done.progress, done.attempts, done.s3_key) == (1.0, 1, export_key(job.job_id))
    assert done.error is None
    wait_for(lambda: queue_counts(wsettings) == (0, 0), 10, "the done job's message to be deleted")
    assert export_objects(wsettings) == [export_key(job.job_id)]

    assert worker.metric("airq_worker_jobs_total", state="done") == 1
    assert worker.metric("airq_worker_rows_exported_total") == dataset.rows
    assert worker.metric("airq_worker_job_duration_seconds_count", state="done") == 1
    assert worker.metric("airq_worker_busy") == 0
    wait_for(
        lambda: "airq_worker_queue_depth 0.0" in worker.get("/metrics")[1],
        10,
        "the queue-depth gauge to be polled",
    )
    status, health = worker.get("/healthz")
    assert status == 200 and '"status": "ok"' in health

    # Idle SIGTERM: the worker ends its (1 s) long poll and exits 0.
    worker.send(signal.SIGTERM)
    assert worker.wait(timeout=30) == 0
    assert '"worker stopped"' in worker.log()


def test_worker_killed_mid_job_loses_no_job(wsettings, dataset, worker_aws, tmp_path, workers):
    first = start_worker(worker_aws, wsettings, tmp_path, options=SLOW, metrics=False)
    workers.append(first)
    jobs = JobStore(wsettings)
    job = submit_export(wsettings, dataset.query, jobs)

    wait_running_with_rows(jobs, job.job_id, first)
    first.send(signal.SIGKILL)
    first.wait(timeout=10)
    interrupted = jobs.get(job.job_id)
    assert interrupted.status == RUNNING, "the job finished before the kill: make the slow export slower"
    assert interrupted.rows < dataset.rows
    assert queue_counts(wsettings) == (0, 1), "the message must still be held (in flight), not deleted"

    # The message reappears after the visibility timeout; a second worker completes the same job.
    second = start_worker(worker_aws, wsettings, tmp_path, metrics=False)
    workers.append(second)
    done = wait_status(jobs, job.job_id, DONE, 60, second)
    assert done.attempts == 2
    assert download(wsettings, done) == dataset.expected_csv
    assert done.rows == dataset.rows
    assert export_objects(wsettings) == [export_key(job.job_id)]
    wait_for(lambda: queue_counts(wsettings) == (0, 0), 10, "the message to be deleted")
    assert queue_counts(wsettings, dlq=True) == (0, 0)


def test_sigterm_mid_job_finishes_it_within_the_grace_period(
    wsettings, dataset, worker_aws, tmp_path, workers
):
    worker = start_worker(
        worker_aws, wsettings, tmp_path, options={**SLOW, "AIRQ_WORKER_GRACE_SECONDS": "120"}, metrics=False
    )
    workers.append(worker)
    jobs = JobStore(wsettings)
    job = submit_export(wsettings, dataset.query, jobs)

    wait_running_with_rows(jobs, job.job_id, worker)
    worker.send(signal.SIGTERM)
    assert worker.wait(timeout=120) == 0
    done = jobs.get(job.job_id)
    assert done.status == DONE, worker.log_tail()
    assert done.attempts == 1, "the heartbeat must keep the message from being redelivered meanwhile"
    assert download(wsettings, done) == dataset.expected_csv
    assert queue_counts(wsettings) == (0, 0)


def test_sigterm_past_the_grace_period_releases_the_message(
    wsettings, dataset, worker_aws, tmp_path, workers
):
    worker = start_worker(
        worker_aws, wsettings, tmp_path, options={**SLOW, "AIRQ_WORKER_GRACE_SECONDS": "0"}, metrics=False
    )
    workers.append(worker)
    jobs = JobStore(wsettings)
    job = submit_export(wsettings, dataset.query, jobs)

    wait_running_with_rows(jobs, job.job_id, worker)
    worker.send(signal.SIGTERM)
    assert worker.wait(timeout=30) == 0
    assert "export abandoned at shutdown" in worker.log()
    assert jobs.get(job.job_id).status == RUNNING
    # Released: visible again at once (not after the visibility timeout), nothing half-written.
    assert queue_counts(wsettings) == (1, 0)
    assert open_multipart_uploads(wsettings) == []
    assert export_objects(wsettings) == []

    successor = start_worker(worker_aws, wsettings, tmp_path, metrics=False)
    workers.append(successor)
    done = wait_status(jobs, job.job_id, DONE, 60, successor)
    assert done.attempts == 2
    assert download(wsettings, done) == dataset.expected_csv
    successor.send(signal.SIGINT)  # Ctrl-C (honcho, make run) stops it the same way
    assert successor.wait(timeout=30) == 0
