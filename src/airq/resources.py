"""Create the tables, queues and bucket the services need (idempotent): `airq-setup`.

Used by `make run`, the compose stack's one-shot job and the tests. On AWS, Terraform owns these.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from airq import aws, tables
from airq.config import Settings
from airq.logs import setup_logging

log = logging.getLogger(__name__)


def ensure_tables(settings: Settings, client: Any | None = None) -> list[str]:
    client = client or aws.client("dynamodb")
    existing = set(client.list_tables().get("TableNames", []))
    created = []
    for definition in tables.table_definitions(settings):
        name = definition["TableName"]
        if name not in existing:
            try:
                client.create_table(**definition)
                created.append(name)
            except ClientError as exc:
                if exc.response["Error"]["Code"] != "ResourceInUseException":
                    raise
        client.get_waiter("table_exists").wait(
            TableName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 150}
        )
        try:
            client.update_time_to_live(
                TableName=name,
                TimeToLiveSpecification={"Enabled": True, "AttributeName": tables.TTL_ATTRIBUTE},
            )
        except ClientError as exc:
            # dynalite has no UpdateTimeToLive and AWS refuses to enable TTL twice; neither matters.
            log.debug("TTL not set", extra={"table": name, "error": str(exc)})
    return created


def ensure_queues(settings: Settings, client: Any | None = None) -> str:
    """Create the exports queue and its dead-letter queue; return the exports queue URL."""
    client = client or aws.client("sqs")
    dlq_url = client.create_queue(
        QueueName=settings.exports_dlq, Attributes={"MessageRetentionPeriod": "1209600"}
    )["QueueUrl"]
    dlq_arn = client.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    redrive = json.dumps(
        {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": str(settings.worker_max_receives)}
    )
    attributes = {"VisibilityTimeout": str(settings.worker_visibility_timeout), "RedrivePolicy": redrive}
    try:
        url = client.create_queue(QueueName=settings.exports_queue, Attributes=attributes)["QueueUrl"]
    except ClientError as exc:
        if exc.response["Error"]["Code"] not in ("QueueAlreadyExists", "QueueNameExists"):
            raise
        url = client.get_queue_url(QueueName=settings.exports_queue)["QueueUrl"]
        client.set_queue_attributes(QueueUrl=url, Attributes=attributes)
    return url


def ensure_bucket(settings: Settings, client: Any | None = None) -> None:
    client = client or aws.client("s3")
    try:
        client.head_bucket(Bucket=settings.exports_bucket)
    except ClientError:
        region = client.meta.region_name
        params: dict[str, Any] = {"Bucket": settings.exports_bucket}
        if region and region != "us-east-1":
            params["CreateBucketConfiguration"] = {"LocationConstraint": region}
        client.create_bucket(**params)


def ensure_all(settings: Settings, wait_seconds: float = 0.0) -> None:
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            ensure_tables(settings)
            ensure_queues(settings)
            ensure_bucket(settings)
            return
        except (BotoCoreError, ClientError) as exc:
            if time.monotonic() >= deadline:
                raise
            log.info("stand-ins not ready yet, retrying", extra={"error": str(exc)})
            time.sleep(0.5)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Create the airq DynamoDB tables, SQS queues and S3 bucket.")
    parser.add_argument(
        "--wait", type=float, default=30.0, help="seconds to wait for the endpoints to answer"
    )
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    setup_logging(settings.log_level, "setup")
    try:
        ensure_all(settings, wait_seconds=args.wait)
    except (BotoCoreError, ClientError) as exc:
        print(f"airq-setup: could not create resources: {exc}", file=sys.stderr)
        return 1
    print(
        f"airq-setup: tables {settings.readings_table}, {settings.daily_table}, {settings.jobs_table}; "
        f"queue {settings.exports_queue} (+DLQ); bucket {settings.exports_bucket}: ready"
    )
    return 0
