"""Fixtures shared by every test tier: stand-ins on free ports, per-test resource names."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from airq.config import Settings
from tests.support.standins import StandIn, aws_env, start_dynalite, start_moto

REAL_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "real"


@pytest.fixture(scope="session")
def real_data() -> Path:
    """../shared/data/real, read in place; absent in a user's clone, where these tests skip."""
    if not REAL_DATA.is_dir():
        pytest.skip(f"real sensor.community samples not found at {REAL_DATA} (../shared is absent)")
    return REAL_DATA


@pytest.fixture(scope="session")
def standin_logs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("standin-logs")


@pytest.fixture(scope="session")
def moto(standin_logs: Path) -> Iterator[StandIn]:
    standin = start_moto(standin_logs)
    yield standin
    standin.stop()


@pytest.fixture(scope="session")
def dynalite(standin_logs: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[StandIn]:
    standin = start_dynalite(tmp_path_factory.mktemp("dynalite-data"), standin_logs)
    yield standin
    standin.stop()


@pytest.fixture
def aws(dynalite: StandIn, moto: StandIn, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Point the SDK at the stand-ins (DynamoDB: dynalite; SQS, S3, CloudWatch: moto)."""
    env = aws_env(dynalite.url, moto.url)
    for key in [k for k in os.environ if k.startswith("AIRQ_")]:
        monkeypatch.delenv(key)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env


@pytest.fixture
def settings(aws: dict[str, str]) -> Settings:
    """Unique resource names per test, so tests never see each other's data."""
    prefix = f"t{uuid.uuid4().hex[:10]}"
    return Settings(
        readings_table=f"{prefix}-readings",
        daily_table=f"{prefix}-daily",
        jobs_table=f"{prefix}-jobs",
        exports_queue=f"{prefix}-exports",
        exports_dlq=f"{prefix}-exports-dlq",
        exports_bucket=f"{prefix}-exports",
        feed_retries=1,
        write_threads=4,
    )


def settings_env(settings: Settings) -> dict[str, str]:
    """The AIRQ_* variables that reproduce `settings` in a subprocess."""
    return {f"AIRQ_{name.upper()}": str(value) for name, value in settings.__dict__.items()}
