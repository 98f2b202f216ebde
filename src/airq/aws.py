"""boto3 clients. Endpoints come from the SDK's own AWS_ENDPOINT_URL* variables, never from code.

Clients are created lazily (never at import time, which would break gunicorn --preload) and are
cached per process and thread-safe, as boto3's low-level clients are.
"""

from __future__ import annotations

import os
import threading
from functools import cache
from typing import Any

import boto3
from botocore.config import Config

from airq import dynamo_wire

_lock = threading.Lock()


@cache
def _client(service: str, pid: int, max_pool: int, endpoint: str | None, attempts: int) -> Any:
    config = Config(
        # Requests are built by our own code, and the service validates them anyway: skipping
        # botocore's client-side validation saves ~10 % CPU per BatchWriteItem on the ingest path.
        parameter_validation=False,
        retries={"mode": "standard", "max_attempts": attempts},
        max_pool_connections=max_pool,
        connect_timeout=5,
        read_timeout=30,
    )
    made = boto3.session.Session().client(service, config=config)
    return dynamo_wire.install(made) if service == "dynamodb" else made


def client(service: str, max_pool: int = 32) -> Any:
    # Keyed by pid so a forked worker never reuses its parent's connections, and by the SDK's
    # endpoint variables so a changed environment (tests) gets a matching client.
    endpoint = os.environ.get(f"AWS_ENDPOINT_URL_{service.upper()}") or os.environ.get("AWS_ENDPOINT_URL")
    with _lock:
        return _client(service, os.getpid(), max_pool, endpoint, _max_attempts())


def _max_attempts() -> int:
    """The SDK's own AWS_MAX_ATTEMPTS when set (an explicit Config would otherwise override it):
    a service that answers users, like the API, sets it low so an outage becomes a quick 503."""
    raw = os.environ.get("AWS_MAX_ATTEMPTS", "")
    return int(raw) if raw.isdigit() and int(raw) > 0 else 8
