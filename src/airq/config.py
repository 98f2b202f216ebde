"""Configuration: every setting comes from the environment (twelve-factor), `AIRQ_` prefix.

AWS endpoints are deliberately absent: boto3 reads the standard `AWS_ENDPOINT_URL` /
`AWS_ENDPOINT_URL_<SERVICE>` variables itself, so no code knows whether it talks to a stand-in.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any, TypeVar

T = TypeVar("T")

LIVE_FEED_URL = "https://data.sensor.community/static/v2/data.24h.json"


@dataclass(frozen=True)
class Settings:
    """All of the project's own settings. The README's configuration table mirrors this class."""

    readings_table: str = "airq-readings"
    daily_table: str = "airq-daily"
    jobs_table: str = "airq-jobs"
    exports_queue: str = "airq-exports"
    exports_dlq: str = "airq-exports-dlq"
    exports_bucket: str = "airq-exports"
    feed_url: str = LIVE_FEED_URL
    ingest_interval: float = 3600.0
    feed_timeout: float = 60.0
    feed_retries: int = 4
    feed_backoff: float = 1.0  # seconds before the first retry; doubles each time
    retention_days: int = 90
    write_threads: int = 8
    log_level: str = "INFO"
    metrics_port: int = 0  # 0: no separate metrics server (the API serves /metrics itself)
    bind_host: str = "0.0.0.0"  # address the services listen on; make run uses 127.0.0.1
    # CloudWatch namespace for ingest's custom metrics (IngestSucceeded, IngestRowsAccepted,
    # IngestRowsRejected); empty turns them off, as on a laptop.
    cloudwatch_namespace: str = ""
    # API
    sync_max_days: int = 2
    sync_max_rows: int = 50_000
    max_in_flight: int = 32
    rate_limit_per_minute: int = 600
    page_limit_default: int = 100
    page_limit_max: int = 1000
    result_cache_mb: int = 64  # per API process: small CSV answers and pages, keyed by data version
    # Per API process: a day's catalogue (its country summaries, which also version the result
    # cache) is read at most once per this many seconds; new data shows this much later at most.
    catalogue_ttl_seconds: float = 1.0
    # Proxies in front of the API (nginx, ALB) whose X-Forwarded-For may be believed; 0 trusts
    # none. The rate limit keys on the client address this yields.
    trusted_proxy_hops: int = 0
    # Worker
    worker_max_receives: int = 3
    worker_visibility_timeout: int = 60
    presign_expiry: int = 3600

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        return from_environment(cls, "AIRQ_", environ)


def from_environment(
    cls: type[T], prefix: str, environ: Mapping[str, str] | None = None, **overrides: Any
) -> T:
    """A dataclass of settings from `<prefix><FIELD>` variables, each converted to its default's type.

    The one parser of environment settings: Settings and the worker's own options both use it.
    An unset or empty variable keeps the default; a value that does not convert names the variable.
    """
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for field in fields(cls):  # type: ignore[arg-type]
        raw = env.get(prefix + field.name.upper())
        if raw is None or raw == "":
            continue
        kind = type(field.default)
        try:
            values[field.name] = kind(raw)
        except ValueError as exc:
            raise ValueError(f"{prefix}{field.name.upper()}={raw!r} is not a valid {kind.__name__}") from exc
    values.update({k: v for k, v in overrides.items() if v is not None})
    return cls(**values)
