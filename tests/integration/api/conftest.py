"""A generated feed ingested once (four snapshots over two days), the app on it, and helpers to
compare what the API answers with a brute-force filter of what was ingested."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from airq.config import Settings
from airq.feed import load_feed
from airq.feedgen import generate, write_feed
from airq.formats import csv_chunks
from airq.ingest.run import ingest_once
from airq.query import ReadingQuery
from airq.readings import Reading
from airq.resources import ensure_all
from tests.conftest import settings_env
from tests.support.api_process import ApiProcess, closing_client, start_api
from tests.support.standins import StandIn, aws_env

SENSORS = 700
SEED = 23
SNAPSHOTS = (  # readings are stamped up to 150 s before the snapshot: these stay on their day
    datetime(2026, 12, 1, 21, 0, tzinfo=UTC),
    datetime(2026, 12, 1, 23, 30, tzinfo=UTC),
    datetime(2026, 12, 2, 0, 5, tzinfo=UTC),
    datetime(2026, 12, 2, 11, 0, tzinfo=UTC),
)
DAY1, DAY2 = "2026-12-01", "2026-12-02"


@dataclass
class Dataset:
    settings: Settings
    aws: dict[str, str]
    readings: list[Reading]

    def env(self, **overrides: str) -> dict[str, str]:
        return {**self.aws, **settings_env(self.settings), **overrides}

    def expected(self, query: ReadingQuery) -> list[Reading]:
        """What a query must return, in the API's order (day, country, time, sensor), by brute force."""
        rows = [r for r in self.readings if query.matches(r)]
        if query.sensor_id is not None:
            return sorted(rows, key=lambda r: r.timestamp)
        return sorted(rows, key=lambda r: (r.day, r.country, r.timestamp, r.sensor_id))

    def csv(self, query: ReadingQuery) -> str:
        return "".join(csv_chunks(self.expected(query)))


@pytest.fixture(scope="session")
def dataset(dynalite: StandIn, moto: StandIn, tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    env = aws_env(dynalite.url, moto.url)
    prefix = f"api{uuid.uuid4().hex[:8]}"
    settings = Settings(
        readings_table=f"{prefix}-readings",
        daily_table=f"{prefix}-daily",
        jobs_table=f"{prefix}-jobs",
        exports_queue=f"{prefix}-exports",
        exports_dlq=f"{prefix}-exports-dlq",
        exports_bucket=f"{prefix}-exports",
        write_threads=4,
    )
    folder = tmp_path_factory.mktemp("api-feeds")
    readings: dict[tuple[int, str], Reading] = {}
    with pytest.MonkeyPatch.context() as patch:
        for key, value in env.items():
            patch.setenv(key, value)
        ensure_all(settings)
        for at in SNAPSHOTS:
            path = folder / f"feed-{at:%Y%m%dT%H%M}.json"
            with path.open("w") as handle:
                write_feed(generate(SENSORS, seed=SEED, at=at), handle)
            ingest_once(str(path), settings)
            readings.update({(r.sensor_id, r.timestamp): r for r in load_feed(str(path)).readings})
    return Dataset(settings, env, list(readings.values()))


@pytest.fixture
def app_for(aws: dict[str, str], dataset: Dataset):
    """A Flask test client of the app on the dataset, with some settings changed."""
    from airq.api.app import create_app

    def make(**overrides: object):
        return closing_client(create_app(replace(dataset.settings, **overrides)))

    return make


@pytest.fixture
def api(app_for):
    return app_for()


@pytest.fixture(scope="session")
def api_logs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("api-logs")


@pytest.fixture(scope="session")
def served(dataset: Dataset, api_logs: Path) -> Iterator[ApiProcess]:
    """The real app under gunicorn (2 workers), rate limit high enough for the fuzzer, and no result
    cache, so every CSV here is the streamed path (the cache has its own tests)."""
    process = start_api(
        dataset.env(AIRQ_RATE_LIMIT_PER_MINUTE="1000000", AIRQ_RESULT_CACHE_MB="0"), api_logs, "served"
    )
    yield process
    process.stop()


def pages(client, path: str, **params: str) -> Iterator[dict]:
    """Every page of a paged answer, following next_cursor to the end."""
    cursor = None
    for _ in range(10_000):
        response = client.get(path, query_string={**params, **({"cursor": cursor} if cursor else {})})
        assert response.status_code == 200, response.get_data(as_text=True)
        body = response.get_json()
        yield body
        cursor = body["meta"]["next_cursor"]
        if cursor is None:
            return
    raise AssertionError("paging never ended")
