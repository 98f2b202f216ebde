"""What a request needs: the app's settings and the stores (clients are lazy and per process)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from flask import current_app, g

from airq.config import Settings
from airq.jobs import JobStore
from airq.store import Store

T = TypeVar("T")
R = TypeVar("R")


def settings() -> Settings:
    return current_app.config["AIRQ_SETTINGS"]


def store() -> Store:
    if "airq_store" not in g:
        # Lives for this request only; day catalogues are shared by the process for a second.
        catalogues = current_app.extensions.get("airq_catalogues")
        g.airq_store = Store(settings(), memo_summaries=True, catalogues=catalogues)
    return g.airq_store


def job_store() -> JobStore:
    if "airq_jobs" not in g:
        g.airq_jobs = JobStore(settings())
    return g.airq_jobs


def map_parallel(function: Callable[[T], R], items: Sequence[T], threads: int = 8) -> list[R]:
    """One small DynamoDB Query per item (e.g. per day), several at a time when there are many."""
    if len(items) <= 2:
        return [function(item) for item in items]
    with ThreadPoolExecutor(max_workers=min(threads, len(items)), thread_name_prefix="api-fanout") as pool:
        return list(pool.map(function, items))
