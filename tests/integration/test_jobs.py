"""Export job state transitions in the jobs table (dynalite)."""

from airq import jobs
from airq.query import ReadingQuery
from airq.resources import ensure_tables

QUERY = ReadingQuery(start="2026-12-01T00:00:00Z", end="2026-12-02T23:59:59Z", country="DE")


def test_lifecycle_and_done_is_final(settings):
    ensure_tables(settings)
    store = jobs.JobStore(settings)
    job = store.create(QUERY)
    assert store.get(job.job_id).status == jobs.QUEUED
    assert store.get(job.job_id).reading_query == QUERY

    assert store.mark_running(job.job_id, attempt=1)
    assert store.mark_failed(job.job_id, "S3 unavailable")
    assert store.get(job.job_id).error == "S3 unavailable"

    assert store.mark_running(job.job_id, attempt=2)  # redriven from the DLQ: runs again
    assert store.report_progress(job.job_id, rows=10, progress=0.5)
    assert store.mark_done(job.job_id, rows=20, size_bytes=2048, s3_key=jobs.export_key(job.job_id))
    done = store.get(job.job_id)
    assert (done.status, done.rows, done.size_bytes, done.progress, done.attempts) == (
        jobs.DONE,
        20,
        2048,
        1.0,
        2,
    )
    assert done.error is None, "a job that ended done keeps no stale error"

    assert not store.mark_failed(job.job_id, "late duplicate")  # done is final
    assert not store.mark_running(job.job_id, attempt=3)
    assert store.get(job.job_id).status == jobs.DONE


def test_unknown_job(settings):
    ensure_tables(settings)
    store = jobs.JobStore(settings)
    assert store.get("0" * 32) is None
    assert not store.mark_running("0" * 32, attempt=1)
