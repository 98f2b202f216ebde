"""The export worker: receive a message, run its export, record the outcome, settle the message.

Delivery is at least once, so everything here is safe to repeat:

- A job's file is `exports/<job_id>.csv`: re-running a job rewrites the same object with the same
  bytes, and a job already `done` is not run again (its message is just deleted).
- The message is deleted only after the job is recorded `done`. Until then a heartbeat thread keeps it
  invisible (every visibility/3 s); if the worker dies, the message reappears after the visibility
  timeout and another worker runs the job again.
- A failed attempt makes the message visible again after a backoff. The attempt that reaches
  `worker_max_receives` (ApproximateReceiveCount) marks the job failed with the reason and leaves the
  message, which the queue's redrive policy moves to the dead-letter queue on its next receive.
- A poison message (not JSON, no usable job id, unknown job, a query that cannot run) fails its job at
  once, when it names one, and is left for the redrive policy to dead-letter the same way.
- A `failed` job whose message comes back with a runnable query (an operator redriving the DLQ after
  a fix) is run again; only `done` is final.
- A job whose message reached the DLQ without its job being failed (a worker killed on the last
  attempt) is failed by the DLQ sweep that runs beside the queue-depth poll.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from airq import aws
from airq.config import Settings
from airq.export import ExportCancelled, ExportResult, MiB, progress_fraction, run_export
from airq.jobs import DONE, FAILED, QUEUED, RUNNING, JobStore
from airq.query import ReadingQuery, estimate_rows
from airq.store import Store
from airq.worker import metrics
from airq.worker.messages import Poison, parse_message, validate_query
from airq.worker.options import WorkerOptions, retry_delay

log = logging.getLogger("airq.worker")

AWS_ERRORS = (BotoCoreError, ClientError)
SWEPT_MEMORY = 10_000  # DLQ message ids remembered, so a sweep does not look the same job up again


class Heartbeat:
    """While open, extends a message's visibility every visibility/3 seconds, as long as `healthy()`
    says the export still makes progress (a stuck export lets its message go to another worker)."""

    def __init__(
        self,
        sqs: Any,
        queue_url: str,
        receipt_handle: str,
        visibility: int,
        healthy: Callable[[], bool],
        context: dict[str, Any],
    ) -> None:
        self.sqs = sqs
        self.queue_url = queue_url
        self.receipt_handle = receipt_handle
        self.visibility = visibility
        self.interval = max(0.2, visibility / 3)
        self.healthy = healthy
        self.context = context
        self.extensions = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="heartbeat", daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            if not self.healthy():
                log.error(
                    "export is stalled: no longer extending its message's visibility", extra=self.context
                )
                return
            try:
                self.sqs.change_message_visibility(
                    QueueUrl=self.queue_url,
                    ReceiptHandle=self.receipt_handle,
                    VisibilityTimeout=self.visibility,
                )
                self.extensions += 1
            except AWS_ERRORS as exc:
                # The job goes on: if another worker now holds the message, both write the same file.
                log.warning("could not extend message visibility", extra={**self.context, "error": str(exc)})

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        # Wait for an extension in flight, so it cannot land after the message is released.
        self._thread.join(timeout=40)


class Progress:
    """Called with the rows written so far; records liveness every call and writes the job's progress
    at most every `interval` seconds (best effort: a failed progress write never fails the export)."""

    def __init__(
        self,
        jobs: JobStore,
        job_id: str,
        estimate: int,
        interval: float,
        touch: Callable[[], None],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.jobs = jobs
        self.job_id = job_id
        self.estimate = estimate
        self.interval = interval
        self.touch = touch
        self.clock = clock
        self.last = clock()
        self.reports = 0

    def __call__(self, rows: int) -> None:
        self.touch()
        now = self.clock()
        if now - self.last < self.interval:
            return
        self.last = now
        try:
            self.jobs.report_progress(self.job_id, rows, progress_fraction(rows, self.estimate))
            self.reports += 1
        except AWS_ERRORS as exc:
            log.warning("could not record progress", extra={"job_id": self.job_id, "error": str(exc)})


class Worker:
    def __init__(
        self,
        settings: Settings,
        options: WorkerOptions | None = None,
        *,
        sqs: Any | None = None,
        s3: Any | None = None,
        dynamodb: Any | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self.options = options or WorkerOptions()
        self.sqs = sqs or aws.client("sqs")
        self.s3 = s3 or aws.client("s3")
        dynamodb = dynamodb or aws.client("dynamodb")
        self.jobs = JobStore(settings, dynamodb)
        self.store = Store(settings, dynamodb)
        self.clock = clock
        self.stopping = threading.Event()  # no more receives
        self.cancel = threading.Event()  # abandon the current export
        self.current_job: str | None = None
        self.last_activity = clock()
        self._queue_url: str | None = None
        self._dlq_url: str | None = None
        self._receive_failures = 0
        self._swept: set[str] = set()

    # ------------------------------------------------------------------ lifecycle

    def touch(self) -> None:
        self.last_activity = self.clock()

    def health(self) -> tuple[bool, dict[str, Any]]:
        idle_for = self.clock() - self.last_activity
        ok = idle_for < self.options.stall_seconds + self.options.wait_seconds
        return ok, {
            "status": "ok" if ok else "stalled",
            "stopping": self.stopping.is_set(),
            "job_id": self.current_job,
            "seconds_since_activity": round(idle_for, 1),
        }

    def request_stop(self, grace: float | None = None) -> None:
        """Stop receiving; let the current export finish within `grace` seconds, else abandon it and
        release its message. A second request abandons it at once. Thread-safe (main.py calls it from
        its signal relay thread, not from the signal handler itself)."""
        if self.stopping.is_set():
            self.cancel.set()
            return
        self.stopping.set()
        grace = self.options.grace_seconds if grace is None else grace
        log.info("stop requested", extra={"grace_seconds": grace, "job_id": self.current_job})
        if grace <= 0:
            self.cancel.set()
        else:
            timer = threading.Timer(grace, self.cancel.set)
            timer.daemon = True
            timer.start()

    def run(self) -> int:
        log.info(
            "worker started",
            extra={
                "queue": self.settings.exports_queue,
                "visibility_timeout": self.settings.worker_visibility_timeout,
                "max_receives": self.settings.worker_max_receives,
            },
        )
        while not self.stopping.is_set():
            self.poll_once()
        log.info("worker stopped")
        return 0

    # ------------------------------------------------------------------ queue plumbing

    def queue_url(self) -> str:
        if self._queue_url is None:
            self._queue_url = self.sqs.get_queue_url(QueueName=self.settings.exports_queue)["QueueUrl"]
        return self._queue_url

    def dlq_url(self) -> str:
        if self._dlq_url is None:
            self._dlq_url = self.sqs.get_queue_url(QueueName=self.settings.exports_dlq)["QueueUrl"]
        return self._dlq_url

    def _set_visibility(self, receipt: str, seconds: int, context: dict[str, Any]) -> None:
        try:
            self.sqs.change_message_visibility(
                QueueUrl=self.queue_url(), ReceiptHandle=receipt, VisibilityTimeout=seconds
            )
        except AWS_ERRORS as exc:  # the visibility timeout will release it anyway
            log.warning("could not change message visibility", extra={**context, "error": str(exc)})

    def _delete(self, receipt: str, context: dict[str, Any]) -> None:
        try:
            self.sqs.delete_message(QueueUrl=self.queue_url(), ReceiptHandle=receipt)
        except AWS_ERRORS as exc:  # it comes back, finds the job done, and is deleted then
            log.warning("could not delete message", extra={**context, "error": str(exc)})

    def poll_once(self) -> int:
        """One long poll; handle what it brings. Returns the number of messages received."""
        try:
            response = self.sqs.receive_message(
                QueueUrl=self.queue_url(),
                MaxNumberOfMessages=1,
                WaitTimeSeconds=self.options.wait_seconds,
                VisibilityTimeout=self.settings.worker_visibility_timeout,
                MessageSystemAttributeNames=["ApproximateReceiveCount"],
            )
        except AWS_ERRORS as exc:
            self._receive_failures += 1
            delay = min(30.0, 0.5 * 2 ** min(self._receive_failures, 6))
            log.warning("could not receive from the queue", extra={"error": str(exc), "retry_in": delay})
            self._queue_url = None
            self.touch()
            self.stopping.wait(delay)
            return 0
        self._receive_failures = 0
        self.touch()
        messages = response.get("Messages", [])
        for message in messages:
            if self.stopping.is_set():
                context = {"message_id": message.get("MessageId")}
                self._set_visibility(message["ReceiptHandle"], 0, context)
                metrics.JOBS.labels(state="released").inc()
                log.info("released a message received while stopping", extra=context)
            else:
                self.handle(message)
        return len(messages)

    # ------------------------------------------------------------------ one message

    def handle(self, message: dict[str, Any]) -> str:
        """Run one message to an outcome (one of metrics.OUTCOMES). Never raises
        for anything a message or a dependency does."""
        receipt = message["ReceiptHandle"]
        attempt = int(message.get("Attributes", {}).get("ApproximateReceiveCount", "1"))
        context: dict[str, Any] = {"message_id": message.get("MessageId"), "attempt": attempt}
        started = self.clock()
        job_id: str | None = None
        metrics.BUSY.set(1)
        try:
            parsed = parse_message(message.get("Body", ""))
            job_id = self.current_job = context["job_id"] = parsed.job_id
            job = self.jobs.get(job_id)
            if job is None:
                raise Poison(f"no export job {job_id} exists", None)
            if job.status == DONE:
                self._delete(receipt, context)
                log.info("job already done: duplicate delivery deleted", extra=context)
                return self._outcome("duplicate", started)
            # A `failed` job runs again if its message comes back with a runnable query: that is an
            # operator redriving the DLQ after a fix (a poison job fails validation again below).
            try:
                query = validate_query(job.query)
            except ValueError as exc:
                raise Poison(f"the job's query cannot run: {exc}", job_id) from None
            if parsed.query is not None and parsed.query != job.query:
                log.warning("message query differs from the job record; running the job's", extra=context)
            if not self.jobs.mark_running(job_id, attempt):
                self._delete(receipt, context)
                return self._outcome("duplicate", started)
            log.info("export started", extra=context)
            result = self._export(job_id, query, receipt, context)
            if not self.jobs.mark_done(job_id, result.rows, result.size_bytes, result.key):
                log.info("job was already recorded done by another delivery", extra=context)
            self._delete(receipt, context)
            metrics.ROWS.inc(result.rows)
            metrics.BYTES.inc(result.size_bytes)
            log.info(
                "export done",
                extra={
                    **context,
                    "rows": result.rows,
                    "size_bytes": result.size_bytes,
                    "parts": result.parts,
                    "key": result.key,
                    "seconds": round(self.clock() - started, 3),
                },
            )
            return self._outcome("done", started)
        except Poison as poison:
            return self._poison(receipt, poison, context, started)
        except ExportCancelled:
            self._set_visibility(receipt, 0, context)
            log.info("export abandoned at shutdown: message released for another worker", extra=context)
            return self._outcome("released", started)
        except Exception as exc:
            return self._failed_attempt(receipt, job_id, attempt, exc, context, started)
        finally:
            self.current_job = None
            metrics.BUSY.set(0)
            self.touch()

    def _outcome(self, state: str, started: float) -> str:
        metrics.JOBS.labels(state=state).inc()
        if state in ("done", "failed", "retried", "released"):
            metrics.DURATION.labels(state=state).observe(max(0.0, self.clock() - started))
        return state

    def _export(
        self, job_id: str, query: ReadingQuery, receipt: str, context: dict[str, Any]
    ) -> ExportResult:
        estimate = estimate_rows(self.store, query)
        progress = Progress(
            self.jobs, job_id, estimate, self.options.progress_interval, self.touch, self.clock
        )

        def healthy() -> bool:
            return self.clock() - self.last_activity < self.options.stall_seconds

        visibility = self.settings.worker_visibility_timeout
        with Heartbeat(self.sqs, self.queue_url(), receipt, visibility, healthy, context):
            return run_export(
                self.settings,
                job_id,
                query,
                store=self.store,
                s3=self.s3,
                page_rows=self.options.page_rows,
                base_part_size=self.options.part_size_mib * MiB,
                on_rows=progress,
                cancel=self.cancel,
            )

    def _mark_failed(self, job_id: str, reason: str, context: dict[str, Any]) -> bool:
        try:
            return self.jobs.mark_failed(job_id, reason)
        except AWS_ERRORS as exc:  # the DLQ sweep fails it later
            log.error("could not mark job failed", extra={**context, "error": str(exc)})
            return False

    def _poison(self, receipt: str, poison: Poison, context: dict[str, Any], started: float) -> str:
        """Fail the job now (if one is named) and leave the message to be dead-lettered by the redrive
        policy: made visible at once, it comes back until its receive count reaches the limit."""
        log.error("poison message: it can never run", extra={**context, "reason": poison.reason})
        self._set_visibility(receipt, 0, context)
        if poison.job_id:
            try:
                job = self.jobs.get(poison.job_id)
            except AWS_ERRORS as exc:
                log.warning("could not read the poison message's job", extra={**context, "error": str(exc)})
                job = None
            # Failed once, on its first delivery; the redeliveries until the DLQ change nothing.
            if job is not None and job.status not in (DONE, FAILED):
                reason = f"invalid export request: {poison.reason}"
                if self._mark_failed(poison.job_id, reason, context):
                    return self._outcome("failed", started)
        return self._outcome("dead_letter", started)

    def _failed_attempt(
        self,
        receipt: str,
        job_id: str | None,
        attempt: int,
        exc: Exception,
        context: dict[str, Any],
        started: float,
    ) -> str:
        reason = f"{type(exc).__name__}: {exc}"
        if attempt >= self.settings.worker_max_receives:
            log.error("export failed on its last attempt", extra={**context, "error": reason}, exc_info=exc)
            if job_id:
                self._mark_failed(job_id, f"export failed {attempt} times; last error: {reason}", context)
            self._set_visibility(receipt, 0, context)  # its next receive moves it to the DLQ
            return self._outcome("failed", started)
        delay = retry_delay(attempt, self.options.retry_backoff, self.settings.worker_visibility_timeout)
        log.warning(
            "export attempt failed; will retry", extra={**context, "error": reason, "retry_in": delay}
        )
        self._set_visibility(receipt, delay, context)
        return self._outcome("retried", started)

    # ------------------------------------------------------------------ monitoring

    def poll_depth(self) -> None:
        """Update the queue-depth gauges; sweep the DLQ when it holds anything."""
        try:
            attributes = self.sqs.get_queue_attributes(
                QueueUrl=self.queue_url(),
                AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
            )["Attributes"]
            metrics.QUEUE_DEPTH.set(int(attributes.get("ApproximateNumberOfMessages", 0)))
            metrics.QUEUE_IN_FLIGHT.set(int(attributes.get("ApproximateNumberOfMessagesNotVisible", 0)))
            dead = int(
                self.sqs.get_queue_attributes(
                    QueueUrl=self.dlq_url(), AttributeNames=["ApproximateNumberOfMessages"]
                )["Attributes"].get("ApproximateNumberOfMessages", 0)
            )
            metrics.DLQ_DEPTH.set(dead)
            if dead:
                self.sweep_dlq()
        except AWS_ERRORS as exc:
            log.warning("could not read queue depth", extra={"error": str(exc)})

    def sweep_dlq(self) -> int:
        """Fail the jobs whose messages are in the DLQ but that are still queued or running (a worker
        died on the last attempt). Messages stay where they are (received with visibility 0)."""
        response = self.sqs.receive_message(
            QueueUrl=self.dlq_url(), MaxNumberOfMessages=10, WaitTimeSeconds=0, VisibilityTimeout=0
        )
        failed = 0
        for message in response.get("Messages", []):
            if message["MessageId"] in self._swept:
                continue
            if len(self._swept) >= SWEPT_MEMORY:
                self._swept.clear()
            self._swept.add(message["MessageId"])
            try:
                job_id = parse_message(message.get("Body", "")).job_id
            except Poison:
                continue
            job = self.jobs.get(job_id)
            if job is None or job.status not in (QUEUED, RUNNING):
                continue
            reason = (
                f"the export's message reached the dead-letter queue after "
                f"{self.settings.worker_max_receives} deliveries without finishing "
                "(the worker on its last attempt stopped or stalled)"
            )
            if self._mark_failed(job_id, reason, {"job_id": job_id, "message_id": message["MessageId"]}):
                failed += 1
                metrics.DLQ_SWEPT.inc()
                log.warning("job failed: its message is in the dead-letter queue", extra={"job_id": job_id})
        return failed

    def monitor(self, stop: threading.Event) -> None:
        """Body of the monitor thread: poll_depth every monitor_interval until `stop`."""
        interval = self.options.monitor_interval
        if interval <= 0:
            return
        while True:
            self.poll_depth()
            if stop.wait(interval):
                return
