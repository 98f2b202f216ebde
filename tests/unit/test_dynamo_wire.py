"""airq.dynamo_wire: the hooked client sends and returns exactly what botocore's own path does.

Each case runs the same call through a plain botocore client and a hooked one. A `before-send`
handler stands in for DynamoDB: it records the request body and answers with a canned response,
so both the serialising and the parsing side are compared without a network.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from botocore.config import Config

from airq import dynamo_wire

READING = {
    "country_day": {"S": "DE#2026-12-03"},
    "ts_sensor": {"S": "2026-12-03T10:05:00Z#0000012345"},
    "sensor_id": {"N": "12345"},
    "latitude": {"N": "52.52"},
    "pm25_ugm3": {"N": "7.25"},
    "flags": {"L": [{"BOOL": True}, {"NULL": True}, {"SS": ["a", "b"]}, {"M": {"n": {"NS": ["1", "2.5"]}}}]},
    "note": {"S": 'quotes " and unicode µg/m³ and "B": lookalikes'},
}


class _Raw:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Any:
        yield self._body


def _client(hooked: bool, answer: dict[str, Any] | bytes, status: int = 200) -> tuple[Any, list[bytes]]:
    client = boto3.session.Session().client(
        "dynamodb",
        region_name="eu-west-2",
        endpoint_url="http://127.0.0.1:9",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",  # pragma: allowlist secret (never leaves the process)
        config=Config(parameter_validation=False, retries={"max_attempts": 1, "mode": "standard"}),
    )
    if hooked:
        dynamo_wire.install(client)
    sent: list[bytes] = []
    body = answer if isinstance(answer, bytes) else json.dumps(answer).encode()

    def respond(request: Any, **_: Any) -> AWSResponse:
        sent.append(request.body)
        return AWSResponse(request.url, status, {"x-amzn-requestid": "r1"}, _Raw(body))

    client.meta.events.register("before-send.dynamodb", respond)
    return client, sent


def _both(call: str, answer: dict[str, Any] | bytes, status: int = 200, **params: Any) -> list[Any]:
    results = []
    for hooked in (False, True):
        client, sent = _client(hooked, answer, status)
        try:
            response = getattr(client, call)(**params)
            response.pop("ResponseMetadata")
        except client.exceptions.ClientError as error:
            response = error.response["Error"]
        results.append((json.loads(sent[0]), response))
    return results


def test_batch_write_sends_the_same_body_and_returns_the_same_unprocessed_items():
    items = {"t-readings": [{"PutRequest": {"Item": READING}}, {"DeleteRequest": {"Key": READING}}]}
    answer = {"UnprocessedItems": {"t-readings": [{"PutRequest": {"Item": READING}}]}}
    plain, hooked = _both("batch_write_item", answer, RequestItems=items, ReturnConsumedCapacity="TOTAL")
    assert hooked == plain
    assert hooked[0] == {"RequestItems": items, "ReturnConsumedCapacity": "TOTAL"}
    assert hooked[1]["UnprocessedItems"]["t-readings"][0]["PutRequest"]["Item"] == READING


def test_query_returns_the_same_items_and_keys():
    answer = {"Items": [READING, READING], "Count": 2, "ScannedCount": 2, "LastEvaluatedKey": READING}
    plain, hooked = _both("query", answer, TableName="t", KeyConditionExpression="a = :a")
    assert hooked == plain
    assert hooked[1]["Items"] == [READING, READING] and hooked[1]["Count"] == 2


def test_binary_values_take_botocores_path_both_ways():
    binary = {**READING, "blob": {"B": b"\x00\x01"}}
    items = {"t": [{"PutRequest": {"Item": binary}}]}
    plain, hooked = _both("batch_write_item", {"UnprocessedItems": {}}, RequestItems=items)
    assert hooked == plain
    assert hooked[0]["RequestItems"]["t"][0]["PutRequest"]["Item"]["blob"] == {"B": "AAE="}

    wire = {**READING, "blob": {"B": base64.b64encode(b"\x00\x01").decode()}}
    answer = {"Items": [wire], "Count": 1}
    plain, hooked = _both("query", answer, TableName="t", KeyConditionExpression="a = :a")
    assert hooked == plain and hooked[1]["Items"][0]["blob"] == {"B": b"\x00\x01"}


@pytest.mark.parametrize("status", [400, 500])
def test_errors_are_botocores(status):
    answer = {"__type": "com.amazonaws.dynamodb.v20120810#ValidationException", "message": "bad key"}
    plain, hooked = _both("query", answer, status, TableName="t", KeyConditionExpression="a = :a")
    assert hooked == plain and hooked[1]["Message"] == "bad key"
