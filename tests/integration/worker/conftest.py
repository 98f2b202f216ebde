"""Worker tests share one ingested dataset (two days, every country, four snapshots, in dynalite);
each test gets its own jobs table, exports queue + DLQ (real redrive policy, short visibility) and
bucket, so tests never see each other's messages or files."""

from __future__ import annotations

import dataclasses
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from airq import aws
from airq.config import Settings
from airq.feedgen import generate, write_feed
from airq.formats import csv_chunks
from airq.ingest.run import ingest_once
from airq.jobs import ExportJob, presigned_url, queue_url
from airq.query import ReadingQuery, iter_readings
from airq.resources import ensure_bucket, ensure_queues, ensure_tables
from airq.store import Store
from tests.support.standins import StandIn, aws_env
from tests.support.worker_process import WorkerProcess

SNAPSHOTS = (
    datetime(2026, 11, 20, 9, 0, tzinfo=UTC),
    datetime(2026, 11, 20, 21, 0, tzinfo=UTC),
    datetime(2026, 11, 21, 3, 0, tzinfo=UTC),
    datetime(2026, 11, 21, 15, 0, tzinfo=UTC),
)
SENSORS = 1500  # entries per snapshot (about half are PM sensors that pass QA)
VISIBILITY = 3  # seconds: short, so redelivery after a crash is quick


@dataclass(frozen=True)
class Dataset:
    settings: Settings
    query: ReadingQuery  # multi-day, all countries
    expected_csv: str  # the synchronous CSV for `query`: what every export of it must equal
    rows: int


@pytest.fixture(scope="session")
def worker_aws(dynalite: StandIn, moto: StandIn) -> dict[str, str]:
    return aws_env(dynalite.url, moto.url)


@pytest.fixture(scope="session")
def dataset(worker_aws: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    prefix = f"wd{uuid.uuid4().hex[:8]}"
    settings = Settings(readings_table=f"{prefix}-readings", daily_table=f"{prefix}-daily", write_threads=4)
    feeds = tmp_path_factory.mktemp("worker-feeds")
    with pytest.MonkeyPatch.context() as env:
        for key, value in worker_aws.items():
            env.setenv(key, value)
        ensure_tables(settings)
        store = Store(settings)
        for at in SNAPSHOTS:
            path = feeds / f"feed-{at:%Y%m%d%H}.json"
            with path.open("w") as handle:
                write_feed(generate(SENSORS, seed=7, at=at), handle)
            ingest_once(str(path), settings, store)
        query = ReadingQuery(start="2026-11-20T00:00:00Z", end="2026-11-21T23:59:59Z")
        readings = [r for r, _ in iter_readings(store, query)]
    assert len({r.day for r in readings}) == 2 and len({r.country for r in readings}) > 20
    return Dataset(settings, query, "".join(csv_chunks(readings)), len(readings))


@pytest.fixture
def wsettings(dataset: Dataset, aws: dict[str, str]) -> Settings:
    """The dataset's tables plus this test's own jobs table, queues and bucket."""
    prefix = f"w{uuid.uuid4().hex[:10]}"
    settings = dataclasses.replace(
        dataset.settings,
        jobs_table=f"{prefix}-jobs",
        exports_queue=f"{prefix}-exports",
        exports_dlq=f"{prefix}-exports-dlq",
        exports_bucket=f"{prefix}-exports",
        worker_visibility_timeout=VISIBILITY,
        worker_max_receives=3,
        bind_host="127.0.0.1",
    )
    ensure_tables(settings)
    ensure_queues(settings)
    ensure_bucket(settings)
    return settings


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[list[WorkerProcess]]:
    """Worker subprocesses a test starts; whatever is left running is stopped afterwards."""
    started: list[WorkerProcess] = []
    yield started
    for worker in started:
        worker.stop()


def download(settings: Settings, job: ExportJob) -> str:
    """The export's file, fetched as a client would: through its presigned URL."""
    url = presigned_url(settings, job)
    assert url.startswith("http://127.0.0.1:"), url
    with urllib.request.urlopen(url, timeout=30) as response:
        assert response.status == 200
        return response.read().decode("utf-8")


def queue_counts(settings: Settings, dlq: bool = False) -> tuple[int, int]:
    """(visible, in flight) messages of the exports queue or its DLQ."""
    sqs = aws.client("sqs")
    url = sqs.get_queue_url(QueueName=settings.exports_dlq)["QueueUrl"] if dlq else queue_url(settings)
    attributes = sqs.get_queue_attributes(
        QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]), int(
        attributes["ApproximateNumberOfMessagesNotVisible"]
    )


def dlq_bodies(settings: Settings) -> list[str]:
    """Bodies of every message in the DLQ (read with visibility 0: they stay there)."""
    sqs = aws.client("sqs")
    url = sqs.get_queue_url(QueueName=settings.exports_dlq)["QueueUrl"]
    bodies: dict[str, str] = {}
    for _ in range(5):
        for message in sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0, WaitTimeSeconds=0
        ).get("Messages", []):
            bodies[message["MessageId"]] = message["Body"]
    return sorted(bodies.values())


def export_objects(settings: Settings) -> list[str]:
    listing = aws.client("s3").list_objects_v2(Bucket=settings.exports_bucket, Prefix="exports/")
    return [item["Key"] for item in listing.get("Contents", [])]


def open_multipart_uploads(settings: Settings) -> list[str]:
    listing = aws.client("s3").list_multipart_uploads(Bucket=settings.exports_bucket)
    return [upload["Key"] for upload in listing.get("Uploads", [])]
