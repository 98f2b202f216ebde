"""Resource creation against the stand-ins: idempotent, with the redrive policy DESIGN §6 asks for."""

import json

from airq import aws, tables
from airq.resources import ensure_all


def test_ensure_all_is_idempotent_and_wires_the_dlq(settings):
    ensure_all(settings, wait_seconds=10)
    ensure_all(settings, wait_seconds=10)
    dynamodb = aws.client("dynamodb")
    names = set(dynamodb.list_tables()["TableNames"])
    assert {settings.readings_table, settings.daily_table, settings.jobs_table} <= names
    for definition in tables.table_definitions(settings):
        described = dynamodb.describe_table(TableName=definition["TableName"])["Table"]
        assert described["KeySchema"] == definition["KeySchema"]

    sqs = aws.client("sqs")
    url = sqs.get_queue_url(QueueName=settings.exports_queue)["QueueUrl"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    redrive = json.loads(attributes["RedrivePolicy"])
    assert int(redrive["maxReceiveCount"]) == settings.worker_max_receives
    assert redrive["deadLetterTargetArn"].endswith(settings.exports_dlq)
    assert attributes["VisibilityTimeout"] == str(settings.worker_visibility_timeout)
    aws.client("s3").head_bucket(Bucket=settings.exports_bucket)
