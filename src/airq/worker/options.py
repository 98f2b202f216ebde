"""The worker's own tuning knobs, `AIRQ_WORKER_*` environment variables (twelve-factor).

The settings every service shares (table, queue and bucket names, `AIRQ_WORKER_MAX_RECEIVES`,
`AIRQ_WORKER_VISIBILITY_TIMEOUT`, `AIRQ_METRICS_PORT`, ...) stay in `airq.config.Settings`; these are
read by the worker alone. `airq-worker --help` shows the command-line overrides.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from airq.config import from_environment

PREFIX = "AIRQ_WORKER_"


@dataclass(frozen=True)
class WorkerOptions:
    # SQS long-poll wait (0-20 s). An idle worker notices SIGTERM at the end of the current poll.
    wait_seconds: int = 20
    # After SIGTERM, how long the current export may run on before it is abandoned and its message
    # released for another worker. Keep it below the orchestrator's kill timeout minus wait_seconds.
    grace_seconds: float = 25.0
    # DynamoDB Query page size while exporting (smaller pages: smaller read bursts, more requests).
    page_rows: int = 1000
    # Multipart part size in MiB (minimum 5, S3's limit); files smaller than one part are a PutObject.
    part_size_mib: int = 8
    # Seconds between progress writes to the job record.
    progress_interval: float = 2.0
    # Backoff before a failed attempt is retried: base × 2^(attempt-1) seconds, at most the
    # visibility timeout (the message is made visible again after it).
    retry_backoff: float = 5.0
    # Seconds between queue-depth polls (and dead-letter-queue sweeps when the DLQ is not empty).
    monitor_interval: float = 15.0
    # An export that makes no progress for this long is considered stuck: the worker stops extending
    # its message's visibility (so another worker takes it over) and /healthz answers 503.
    stall_seconds: float = 300.0

    def __post_init__(self) -> None:
        if not 0 <= self.wait_seconds <= 20:
            raise ValueError(f"{PREFIX}WAIT_SECONDS must be 0-20 (SQS's limit), got {self.wait_seconds}")
        if self.part_size_mib < 5:
            raise ValueError(
                f"{PREFIX}PART_SIZE_MIB must be at least 5 (S3's limit), got {self.part_size_mib}"
            )
        if self.page_rows < 1:
            raise ValueError(f"{PREFIX}PAGE_ROWS must be positive, got {self.page_rows}")
        for name in ("grace_seconds", "progress_interval", "retry_backoff", "monitor_interval"):
            if getattr(self, name) < 0:
                raise ValueError(f"{PREFIX}{name.upper()} must not be negative")
        if self.stall_seconds <= 0:
            raise ValueError(f"{PREFIX}STALL_SECONDS must be positive")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: object) -> WorkerOptions:
        return from_environment(cls, PREFIX, environ, **overrides)


def retry_delay(attempt: int, base: float, visibility_timeout: int) -> int:
    """Seconds before attempt `attempt + 1` may start (SQS visibility is whole seconds, ≤ 12 h)."""
    delay = base * 2 ** max(0, attempt - 1)
    return int(min(delay, visibility_timeout, 43200))
