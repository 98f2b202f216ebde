"""Export jobs: their state in DynamoDB, their message on SQS, their file in S3.

A job id names exactly one S3 object (`exports/<job_id>.csv`), so a job re-run after a crash
overwrites the same file with the same rows, and duplicate deliveries are harmless.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from airq import aws, tables
from airq.config import Settings
from airq.query import ReadingQuery

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
STATES = (QUEUED, RUNNING, DONE, FAILED)
JOB_RETENTION_DAYS = 7


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def export_key(job_id: str) -> str:
    return f"exports/{job_id}.csv"


@dataclass
class ExportJob:
    job_id: str
    status: str
    query: dict[str, Any]
    created_at: str
    updated_at: str
    rows: int = 0
    size_bytes: int = 0
    progress: float = 0.0
    attempts: int = 0
    error: str | None = None
    s3_key: str | None = None

    @property
    def reading_query(self) -> ReadingQuery:
        return ReadingQuery.from_dict(self.query)


def _to_item(job: ExportJob) -> dict[str, Any]:
    item: dict[str, Any] = {
        tables.JOBS_PK: {"S": job.job_id},
        "status": {"S": job.status},
        "query": {"S": json.dumps(job.query, sort_keys=True)},
        "created_at": {"S": job.created_at},
        "updated_at": {"S": job.updated_at},
        "rows": {"N": str(job.rows)},
        "size_bytes": {"N": str(job.size_bytes)},
        "progress": {"N": repr(job.progress)},
        "attempts": {"N": str(job.attempts)},
        tables.TTL_ATTRIBUTE: {"N": str(int(time.time()) + JOB_RETENTION_DAYS * 86400)},
    }
    if job.error:
        item["error"] = {"S": job.error}
    if job.s3_key:
        item["s3_key"] = {"S": job.s3_key}
    return item


def _from_item(item: dict[str, Any]) -> ExportJob:
    return ExportJob(
        job_id=item[tables.JOBS_PK]["S"],
        status=item["status"]["S"],
        query=json.loads(item["query"]["S"]),
        created_at=item["created_at"]["S"],
        updated_at=item["updated_at"]["S"],
        rows=int(item["rows"]["N"]),
        size_bytes=int(item["size_bytes"]["N"]),
        progress=float(item["progress"]["N"]),
        attempts=int(item["attempts"]["N"]),
        error=item.get("error", {}).get("S"),
        s3_key=item.get("s3_key", {}).get("S"),
    )


class JobStore:
    def __init__(self, settings: Settings, client: Any | None = None) -> None:
        self.settings = settings
        self.client = client if client is not None else aws.client("dynamodb")

    def create(self, query: ReadingQuery, job_id: str | None = None) -> ExportJob:
        now = _now()
        job = ExportJob(
            job_id=job_id or uuid.uuid4().hex,
            status=QUEUED,
            query=query.to_dict(),
            created_at=now,
            updated_at=now,
        )
        self.client.put_item(
            TableName=self.settings.jobs_table,
            Item=_to_item(job),
            ConditionExpression="attribute_not_exists(#id)",
            ExpressionAttributeNames={"#id": tables.JOBS_PK},
        )
        return job

    def get(self, job_id: str) -> ExportJob | None:
        response = self.client.get_item(
            TableName=self.settings.jobs_table, Key={tables.JOBS_PK: {"S": job_id}}, ConsistentRead=True
        )
        return _from_item(response["Item"]) if "Item" in response else None

    def _update(
        self, job_id: str, values: dict[str, Any], only_if_not_done: bool = True, remove: tuple[str, ...] = ()
    ) -> bool:
        """Set (and remove) attributes; a job already done is never changed (returns False then)."""
        values = {**values, "updated_at": {"S": _now()}}
        names = {f"#{k}": k for k in (*values, *remove)}
        expression = "SET " + ", ".join(f"#{k} = :{k}" for k in values)
        if remove:
            expression += " REMOVE " + ", ".join(f"#{k}" for k in remove)
        request: dict[str, Any] = {
            "TableName": self.settings.jobs_table,
            "Key": {tables.JOBS_PK: {"S": job_id}},
            "UpdateExpression": expression,
            "ExpressionAttributeNames": {**names, "#id": tables.JOBS_PK},
            "ExpressionAttributeValues": {f":{k}": v for k, v in values.items()},
            "ConditionExpression": "attribute_exists(#id)",
        }
        if only_if_not_done:
            request["ConditionExpression"] += " AND #status <> :done"
            request["ExpressionAttributeNames"]["#status"] = "status"
            request["ExpressionAttributeValues"][":done"] = {"S": DONE}
        try:
            self.client.update_item(**request)
            return True
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise

    def mark_running(self, job_id: str, attempt: int) -> bool:
        return self._update(
            job_id, {"status": {"S": RUNNING}, "attempts": {"N": str(attempt)}, "progress": {"N": "0.0"}}
        )

    def report_progress(self, job_id: str, rows: int, progress: float) -> bool:
        return self._update(job_id, {"rows": {"N": str(rows)}, "progress": {"N": repr(round(progress, 4))}})

    def mark_done(self, job_id: str, rows: int, size_bytes: int, s3_key: str) -> bool:
        return self._update(
            job_id,
            {
                "status": {"S": DONE},
                "rows": {"N": str(rows)},
                "size_bytes": {"N": str(size_bytes)},
                "progress": {"N": "1.0"},
                "s3_key": {"S": s3_key},
            },
            remove=("error",),  # a job redriven after a failure and then done carries no stale error
        )

    def mark_failed(self, job_id: str, reason: str) -> bool:
        return self._update(job_id, {"status": {"S": FAILED}, "error": {"S": reason[:1000]}})


_queue_urls: dict[tuple[str, str | None], str] = {}


def queue_url(settings: Settings, client: Any | None = None) -> str:
    """The exports queue's URL, asked of SQS once per process and endpoint: a queue's URL never
    changes, so every export submitted need not pay a GetQueueUrl round trip."""
    client = client or aws.client("sqs")
    key = (settings.exports_queue, client.meta.endpoint_url)
    if key not in _queue_urls:
        _queue_urls[key] = client.get_queue_url(QueueName=settings.exports_queue)["QueueUrl"]
    return _queue_urls[key]


def enqueue(settings: Settings, job: ExportJob, client: Any | None = None) -> None:
    client = client or aws.client("sqs")
    client.send_message(
        QueueUrl=queue_url(settings, client),
        MessageBody=json.dumps({"job_id": job.job_id, "query": job.query}, sort_keys=True),
    )


def submit_export(settings: Settings, query: ReadingQuery, jobs: JobStore | None = None) -> ExportJob:
    """Record a queued job, then queue its message. If queueing fails the job is marked failed
    (never left 'queued' forever) and the error propagates for the caller to answer 503."""
    jobs = jobs or JobStore(settings)
    job = jobs.create(query)
    try:
        enqueue(settings, job)
    except Exception as exc:
        jobs.mark_failed(job.job_id, f"could not queue the export: {exc}")
        raise
    return job


def presigned_url(settings: Settings, job: ExportJob, client: Any | None = None) -> str:
    client = client or aws.client("s3")
    return client.generate_presigned_url(
        "get_object",
        Params={
            "Bucket": settings.exports_bucket,
            "Key": job.s3_key or export_key(job.job_id),
            "ResponseContentDisposition": f'attachment; filename="airq-export-{job.job_id}.csv"',
            "ResponseContentType": "text/csv; charset=utf-8",
        },
        ExpiresIn=settings.presign_expiry,
    )
