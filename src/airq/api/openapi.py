"""The OpenAPI 3.1 document of the API, as data. A test keeps it true: every route of the app is
here and nothing else is, the document validates, and Schemathesis checks responses against it."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify

from airq import daqi
from airq.api.exports import MAX_BODY_BYTES
from airq.readings import COLUMNS
from airq.validation import FORMATS, MAX_SENSOR_ID, MAX_SPAN_DAYS

bp = Blueprint("openapi", __name__)

JSON = "application/json"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str, headers: bool = True) -> dict[str, Any]:
    response: dict[str, Any] = {"description": description, "content": {JSON: {"schema": schema}}}
    if headers:
        response["headers"] = _RATE_HEADERS
    return response


def _error(description: str) -> dict[str, Any]:
    return _json(_ref("Error"), description)


_RATE_HEADERS = {
    name: {"$ref": f"#/components/headers/{name}"}
    for name in ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")
}
_RETRY = {"Retry-After": {"$ref": "#/components/headers/Retry-After"}}

ERRORS: dict[str, dict[str, Any]] = {
    "400": _error("Invalid input: `error.fields` names every bad parameter or body field"),
    "429": {
        **_error("Rate limit exceeded (per client address); retry after `Retry-After` seconds"),
        "headers": {**_RATE_HEADERS, **_RETRY},
    },
    "503": {
        **_error("Overloaded, or DynamoDB/SQS/S3 unavailable; retry after `Retry-After` seconds"),
        "headers": {**_RATE_HEADERS, **_RETRY},
    },
}
BODY_ERRORS = {
    "413": _error(f"Body larger than {MAX_BODY_BYTES // 1024} KiB"),
    "415": _error("Body is not declared as application/json"),
}


def _query(name: str, description: str, schema: dict[str, Any], example: Any = None) -> dict[str, Any]:
    parameter: dict[str, Any] = {"name": name, "in": "query", "description": description, "schema": schema}
    if example is not None:
        parameter["example"] = example
    return parameter


_TIME_SCHEMA = {"type": "string", "maxLength": 40}
_AQI_SCHEMA = {"type": "integer", "minimum": 0, "maximum": 10}
_BAND_NAMES = [*daqi.BANDS, "Medium"]

PARAMETERS: dict[str, dict[str, Any]] = {
    "start": _query(
        "start",
        "Inclusive start: ISO-8601 date or datetime (`T` or space), UTC unless an offset is given. "
        "Default: the beginning of `end`'s day.",
        _TIME_SCHEMA,
        "2026-12-02",
    ),
    "end": _query(
        "end",
        "Inclusive end; a date alone covers that whole day. Default: the end of today (UTC). "
        f"At most {MAX_SPAN_DAYS} days after start.",
        _TIME_SCHEMA,
        "2026-12-02",
    ),
    "country": _query(
        "country",
        "ISO-3166 alpha-2 code, any case (`XX`: unknown country)",
        {"type": "string", "pattern": "^([A-Za-z]{2})?$"},
        "DE",
    ),
    "min_aqi": _query("min_aqi", "Lowest DAQI index, 1-10 (0: no lower bound)", _AQI_SCHEMA, 0),
    "max_aqi": _query("max_aqi", "Highest DAQI index, 1-10 (0: no upper bound)", _AQI_SCHEMA, 10),
    "band": _query(
        "band",
        "DAQI band, any case; Medium is Moderate",
        {"type": "string", "maxLength": 20, "examples": _BAND_NAMES},
        "Low",
    ),
    "sensor_id": _query(
        "sensor_id", "One sensor's readings", {"type": "integer", "minimum": 1, "maximum": MAX_SENSOR_ID}
    ),
    "bbox": _query(
        "bbox",
        "min_lon,min_lat,max_lon,max_lat in degrees (WGS 84)",
        {"type": "string", "maxLength": 120},
        "5.0,47.0,15.0,55.0",
    ),
    "format": _query(
        "format", "Output format (CSV streams every row)", {"type": "string", "enum": list(FORMATS)}
    ),
    "limit": _query(
        "limit",
        "Rows per page (json, geojson); default from AIRQ_PAGE_LIMIT_DEFAULT",
        {"type": "integer", "minimum": 1, "maximum": 1000},
    ),
    "cursor": _query(
        "cursor",
        "`meta.next_cursor` of the previous page (opaque, base64url)",
        {"type": "string", "pattern": "^[A-Za-z0-9_-]*$", "maxLength": 1024},
    ),
    "day": _query("day", "One UTC day (instead of start/end)", {"type": "string", "format": "date"}),
}


def _params(*names: str) -> list[dict[str, str]]:
    return [{"$ref": f"#/components/parameters/{name}"} for name in names]


_FILTERS = ("start", "end", "country", "min_aqi", "max_aqi", "band", "sensor_id", "bbox")
_PAGE_CONTENT = {
    JSON: {"schema": _ref("ReadingsPage")},
    "application/geo+json": {"schema": _ref("FeatureCollection")},
    "text/csv": {"schema": {"type": "string"}},
}
_PAGE_DESCRIPTION = (
    "json: a page and `meta.next_cursor` (null on the last page; a page may hold fewer than `limit` "
    "rows before the end). geojson: the same page as a FeatureCollection with `meta`. csv: every "
    "matching row, streamed, columns as in json."
)
_JOB_ID = {
    "name": "job_id",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "maxLength": 64},
    "example": "0123456789abcdef0123456789abcdef",
}
_JOB_STATUS = {
    "200": _json(_ref("Job"), "The job"),
    "404": _error("No such job"),
    **ERRORS,
}


def _nullable(kind: str) -> dict[str, Any]:
    return {"type": [kind, "null"]}


_META_PROPERTIES = {
    "units": {"type": "string", "example": daqi.UNITS},
    "averaging_window": {"type": "string", "example": daqi.AVERAGING_WINDOW},
    "timezone": {"type": "string", "example": "UTC"},
    "daqi_version": {"type": "string"},
    "note": {"type": "string", "description": "The DAQI from low-cost sensors is indicative"},
    "source": {"type": "string"},
}
_SUMMARY_PROPERTIES = {
    "readings": {"type": "integer"},
    "daqi_counts": {
        "type": "object",
        "description": "Readings per DAQI index 1-10",
        "additionalProperties": {"type": "integer"},
    },
    "band_counts": {"type": "object", "additionalProperties": {"type": "integer"}},
    "pm25_mean_ugm3": _nullable("number"),
    "pm10_mean_ugm3": _nullable("number"),
}

SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message", "fields"],
                "properties": {
                    "code": {"type": "string"},
                    "message": {"type": "string"},
                    "fields": {"type": "object", "additionalProperties": {"type": "string"}},
                    "export": {
                        "type": "object",
                        "description": "On 422 too_large_for_sync: the request to make instead",
                    },
                },
            }
        },
    },
    "Reading": {
        "type": "object",
        "required": list(COLUMNS),
        "properties": {
            "sensor_id": {"type": "integer"},
            "sensor_type": {"type": "string", "example": "SDS011"},
            "location_id": _nullable("integer"),
            "timestamp": {"type": "string", "description": "ISO-8601 UTC with Z"},
            "country": {"type": "string", "description": "ISO-3166 alpha-2; XX when unknown"},
            "latitude": {"type": "number"},
            "longitude": {"type": "number"},
            "pm25_ugm3": {**_nullable("number"), "description": "PM2.5, 24-hour mean, µg/m³"},
            "pm10_ugm3": {**_nullable("number"), "description": "PM10, 24-hour mean, µg/m³"},
            "pm25_index": _nullable("integer"),
            "pm10_index": _nullable("integer"),
            "daqi": {"type": "integer", "minimum": 1, "maximum": 10},
            "band": {"type": "string", "enum": list(daqi.BANDS)},
        },
    },
    "PageMeta": {
        "type": "object",
        "required": [*_META_PROPERTIES, "count", "limit", "next_cursor", "next", "query"],
        "properties": {
            **_META_PROPERTIES,
            "count": {"type": "integer"},
            "limit": {"type": "integer"},
            "next_cursor": _nullable("string"),
            "next": {**_nullable("string"), "description": "This request with next_cursor"},
            "query": {"type": "object", "description": "The filters as resolved (defaults filled in)"},
        },
    },
    "ReadingsPage": {
        "type": "object",
        "required": ["meta", "data"],
        "properties": {"meta": _ref("PageMeta"), "data": {"type": "array", "items": _ref("Reading")}},
    },
    "FeatureCollection": {
        "type": "object",
        "required": ["type", "meta", "features"],
        "properties": {
            "type": {"const": "FeatureCollection"},
            "meta": _ref("PageMeta"),
            "features": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["type", "geometry", "properties"],
                    "properties": {
                        "type": {"const": "Feature"},
                        "geometry": {
                            "type": "object",
                            "properties": {
                                "type": {"const": "Point"},
                                "coordinates": {"type": "array", "items": {"type": "number"}},
                            },
                        },
                        "properties": {"type": "object"},
                    },
                },
            },
        },
    },
    "ExportRequest": {
        "type": "object",
        "additionalProperties": False,
        "description": "The /api/readings filters; bbox as a string or four numbers",
        "properties": {
            "start": _TIME_SCHEMA,
            "end": _TIME_SCHEMA,
            "country": {"type": "string"},
            "min_aqi": _AQI_SCHEMA,
            "max_aqi": _AQI_SCHEMA,
            "band": {"type": "string"},
            "sensor_id": {"type": "integer", "minimum": 1, "maximum": MAX_SENSOR_ID},
            "bbox": {
                "oneOf": [
                    {"type": "string"},
                    {"type": "array", "items": {"type": "number"}, "minItems": 4, "maxItems": 4},
                ]
            },
        },
        "example": {"start": "2026-12-01", "end": "2026-12-02", "country": "DE", "band": "High"},
    },
    "ClientQuery": {
        "type": "object",
        "additionalProperties": False,
        "description": "The original client's body: an empty country or range is no filter",
        "properties": {
            "startDate": _TIME_SCHEMA,
            "endDate": _TIME_SCHEMA,
            "country": {"type": "string"},
            "minAqi": _AQI_SCHEMA,
            "maxAqi": _AQI_SCHEMA,
            "range": {"type": "string", "description": "DAQI band, or empty for any"},
        },
        "example": {
            "startDate": "2026-12-02",
            "endDate": "2026-12-02",
            "country": "DE",
            "minAqi": 0,
            "maxAqi": 10,
            "range": "",
        },
    },
    "JobAccepted": {
        "type": "object",
        "required": ["job_id", "status", "status_url"],
        "properties": {
            "job_id": {"type": "string"},
            "status": {"type": "string", "enum": ["queued"]},
            "status_url": {"type": "string"},
            "reason": {"type": "string"},
        },
    },
    "Job": {
        "type": "object",
        "required": ["job_id", "status", "progress", "rows", "created_at", "updated_at", "query"],
        "properties": {
            "job_id": {"type": "string"},
            "status": {"type": "string", "enum": ["queued", "running", "done", "failed"]},
            "progress": {"type": "number", "minimum": 0, "maximum": 1},
            "rows": {"type": "integer"},
            "size_bytes": {"type": "integer"},
            "created_at": {"type": "string"},
            "updated_at": {"type": "string"},
            "query": {"type": "object"},
            "download_url": {**_nullable("string"), "description": "Presigned S3 URL when done"},
            "download_expires_in": {**_nullable("integer"), "description": "Seconds"},
            "error": {**_nullable("string"), "description": "Why, when failed"},
        },
    },
    "Countries": {
        "type": "object",
        "required": ["meta", "data"],
        "properties": {
            "meta": {"type": "object", "properties": _META_PROPERTIES},
            "data": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["country", *_SUMMARY_PROPERTIES],
                    "properties": {"country": {"type": "string"}, **_SUMMARY_PROPERTIES},
                },
            },
        },
    },
    "Summary": {
        "type": "object",
        "required": ["meta", "data"],
        "properties": {
            "meta": {
                "type": "object",
                "properties": {
                    **_META_PROPERTIES,
                    "granularity": {"type": "string", "enum": ["day", "hour"]},
                    "window": {"type": "object"},
                },
            },
            "data": {
                "type": "object",
                "required": [*_SUMMARY_PROPERTIES, "by_day"],
                "properties": {
                    **_SUMMARY_PROPERTIES,
                    "by_day": {
                        "type": "array",
                        "items": {"type": "object", "properties": {"day": {"type": "string"}}},
                    },
                },
            },
        },
    },
}


def _operation(summary: str, responses: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"summary": summary, "responses": responses, **extra}


def _body(schema: str) -> dict[str, Any]:
    return {"required": True, "content": {JSON: {"schema": _ref(schema)}}}


_INDEX = {"200": _json({"type": "object"}, "Endpoints"), **ERRORS}
_TEXT = {"text/plain": {"schema": {"type": "string"}}}

PATHS: dict[str, Any] = {
    "/": {"get": _operation("Index of the API", _INDEX)},
    "/api/": {"get": _operation("Index of the API", _INDEX)},
    "/api/readings": {
        "get": _operation(
            "Readings matching the filters",
            {
                "200": {"description": _PAGE_DESCRIPTION, "content": _PAGE_CONTENT, "headers": _RATE_HEADERS},
                "422": _error(
                    "format=csv over more than AIRQ_SYNC_MAX_DAYS days or AIRQ_SYNC_MAX_ROWS rows: "
                    "`error.export` is the POST /api/exports request to make instead"
                ),
                **ERRORS,
            },
            parameters=_params(*_FILTERS, "format", "limit", "cursor"),
        )
    },
    "/api/sensors/{sensor_id}": {
        "get": _operation(
            "One sensor's history (default: the last 7 days up to the end of today, UTC)",
            {
                "200": {"description": _PAGE_DESCRIPTION, "content": _PAGE_CONTENT, "headers": _RATE_HEADERS},
                "404": _error("The sensor has no readings in this time range"),
                **ERRORS,
            },
            parameters=[
                {
                    "name": "sensor_id",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "integer", "minimum": 1, "maximum": MAX_SENSOR_ID},
                    "example": 10_000,
                },
                *_params("start", "end", "min_aqi", "max_aqi", "band", "format", "limit", "cursor"),
            ],
        )
    },
    "/api/countries": {
        "get": _operation(
            "Countries with readings, per-band counts and mean PM (whole UTC days)",
            {"200": _json(_ref("Countries"), "The catalogue"), **ERRORS},
            parameters=_params("day", "start", "end"),
        )
    },
    "/api/summary": {
        "get": _operation(
            "DAQI band distribution and mean PM (hour-granular)",
            {"200": _json(_ref("Summary"), "The distribution"), **ERRORS},
            parameters=_params("start", "end", "country"),
        )
    },
    "/api/exports": {
        "post": _operation(
            "Queue an export of every matching reading as CSV",
            {"202": _json(_ref("JobAccepted"), "Queued; poll status_url"), **BODY_ERRORS, **ERRORS},
            requestBody=_body("ExportRequest"),
        )
    },
    "/api/exports/{job_id}": {"get": _operation("An export job's state", _JOB_STATUS, parameters=[_JOB_ID])},
    "/api/results/{job_id}": {
        "get": _operation("Alias of /api/exports/{job_id}", _JOB_STATUS, parameters=[_JOB_ID])
    },
    "/api/query": {
        "post": _operation(
            "The original client's query: CSV now when small, else an export job",
            {
                "200": {
                    "description": "Every matching row as CSV",
                    "content": {"text/csv": {"schema": {"type": "string"}}},
                    "headers": _RATE_HEADERS,
                },
                "202": _json(_ref("JobAccepted"), "Large query or busy service: queued as an export"),
                **BODY_ERRORS,
                **ERRORS,
            },
            requestBody=_body("ClientQuery"),
        )
    },
    "/api/openapi.json": {
        "get": _operation("This document", {"200": _json({"type": "object"}, "OpenAPI 3.1"), **ERRORS})
    },
    "/healthz": {
        "get": _operation(
            "The process is alive (no dependency is checked)",
            {"200": _json({"type": "object"}, "Alive", headers=False)},
        )
    },
    "/readyz": {
        "get": _operation(
            "DynamoDB, SQS and S3 answer",
            {
                "200": _json(_ref("Readiness"), "Ready", headers=False),
                "503": {
                    **_json(_ref("Readiness"), "Not ready: `failed` names them", headers=False),
                    "headers": _RETRY,
                },
            },
        )
    },
    "/metrics": {
        "get": _operation(
            "Prometheus metrics",
            {"200": {"description": "Text exposition format", "content": _TEXT}},
        )
    },
}

SCHEMAS["Readiness"] = {
    "type": "object",
    "required": ["status", "checks", "failed"],
    "properties": {
        "status": {"type": "string", "enum": ["ready", "unavailable"]},
        "checks": {"type": "object", "additionalProperties": {"type": "string"}},
        "failed": {"type": "array", "items": {"type": "string"}},
    },
}

DOCUMENT: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "airq: sensor.community particulate readings with the UK DAQI",
        "version": "1.0.0",
        "description": (
            "PM2.5 and PM10 24-hour means (µg/m³) from sensor.community, with the UK Daily Air "
            "Quality Index. Times are UTC. "
            + daqi.INDICATIVE_NOTE
            + ' Errors are {"error": {"code", "message", "fields"}}. Every response except '
            "/healthz, /readyz and /metrics carries X-RateLimit-Limit/Remaining/Reset."
        ),
    },
    "paths": PATHS,
    "components": {
        "schemas": SCHEMAS,
        "parameters": PARAMETERS,
        "headers": {
            "X-RateLimit-Limit": {"description": "Requests per minute", "schema": {"type": "integer"}},
            "X-RateLimit-Remaining": {"description": "Requests left now", "schema": {"type": "integer"}},
            "X-RateLimit-Reset": {
                "description": "Seconds until the allowance is full again",
                "schema": {"type": "integer"},
            },
            "Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}},
        },
    },
}


@bp.get("/api/openapi.json")
def document() -> object:
    return jsonify(DOCUMENT)
