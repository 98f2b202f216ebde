"""DynamoDB's hot calls without botocore's model-walking (de)serialiser.

botocore turns a request into JSON, and a response back, by walking the service model value by
value. For a BatchWriteItem of 25 readings that costs ~5 ms of CPU, and for a Query page of 100
readings ~30 ms: ten times what the JSON itself costs, and the largest share of the ingest's and the
API's CPU. Yet for items whose values are S, N, BOOL, NULL, L, M, SS or NS the wire JSON already is
the low-level client's form (numbers stay strings), so botocore's own event hooks can pass the
items through untouched:

- before-parameter-build (BatchWriteItem): encode RequestItems with `json.dumps` and leave botocore
  the table names with empty lists to serialise (endpoint rules read the table names);
- before-call (BatchWriteItem): put the encoded body in place of the serialised one; signing,
  retries and the HTTP exchange come after it and are botocore's;
- before-parse (Query, BatchWriteItem): lift Items (or UnprocessedItems) out of a successful
  response before botocore parses the rest, and hand them back unchanged in the parsed response.

Binary values (B, BS) are the exception, as their wire form is base64 and botocore's is bytes: a
request holding bytes (json.dumps refuses them) and a response whose body mentions a "B" or "BS"
value take botocore's path. Our tables hold no binary attributes; the fallback keeps the hooks
exact for any caller.
"""

from __future__ import annotations

import json
import re
from typing import Any

# Where a response body may hold a binary value (or an attribute named B or BS): parse normally.
_BINARY = re.compile(rb'"BS?"\s*:')
_ENCODED = "airq_encoded_request_items"
_RAW_WRITES = ("BatchWriteItem",)
_RAW_READS = {"Query": "Items", "BatchWriteItem": "UnprocessedItems"}


def _encode_request_items(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
    items = params.get("RequestItems")
    if not isinstance(items, dict):
        return
    try:
        context[_ENCODED] = json.dumps(items, separators=(",", ":"))
    except (TypeError, ValueError):  # bytes (binary values): botocore's serialiser handles them
        return
    params["RequestItems"] = {table: [] for table in items}


def _send_encoded(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
    encoded = context.pop(_ENCODED, None)
    if encoded is None:
        return
    body = json.loads(params["body"])
    body.pop("RequestItems", None)
    # The rest of the body (ReturnConsumedCapacity, ...) as botocore serialised it.
    rest = json.dumps(body, separators=(",", ":"))[1:-1]
    params["body"] = ('{"RequestItems":' + encoded + ("," + rest if rest else "") + "}").encode()


def _lift_items(
    operation_model: Any, response_dict: dict[str, Any], customized_response_dict: dict[str, Any], **_: Any
) -> None:
    member = _RAW_READS.get(operation_model.name)
    body = response_dict.get("body")
    if member is None or response_dict.get("status_code") != 200 or not body or _BINARY.search(body):
        return
    parsed = json.loads(body)
    if member not in parsed:
        return
    customized_response_dict[member] = parsed.pop(member)
    response_dict["body"] = json.dumps(parsed).encode()


def install(client: Any) -> Any:
    """Register the hooks on one DynamoDB client (its own event emitter); returns the client."""
    events = client.meta.events
    for operation in _RAW_WRITES:
        events.register(f"before-parameter-build.dynamodb.{operation}", _encode_request_items)
        events.register(f"before-call.dynamodb.{operation}", _send_encoded)
    for operation in _RAW_READS:
        events.register(f"before-parse.dynamodb.{operation}", _lift_items)
    return client
