"""DynamoDB table definitions: the one place that names keys, indexes and TTL attributes.

Tests, `make run`, the worker and (by a test that compares them) Terraform all use these.

readings  pk `country_day` = "DE#2026-12-03", sk `ts_sensor` = "2026-12-03T10:00:00Z#0000012345".
          One country-day is one partition, so a country-day query reads only its own items and a
          time range inside the day is a key condition. The key depends only on the reading's own
          sensor id, timestamp and country: re-ingesting a snapshot overwrites, never duplicates.
          GSI `by_sensor` (sensor_id, timestamp) answers one sensor's history with one Query.
daily     pk `day` = "2026-12-03", sk `scope` = "C#DE" (country-day summary; the set of them is
          the day's catalogue) or "H#DE#10" (one UTC hour of that country-day, from which the
          country-day item is rolled up). A day's catalogue and chart data are one small Query.
jobs      pk `job_id`: export job state written by the API and the worker.
"""

from __future__ import annotations

from typing import Any

from airq.config import Settings

TTL_ATTRIBUTE = "expires_at"

READINGS_PK = "country_day"
READINGS_SK = "ts_sensor"
BY_SENSOR_INDEX = "by_sensor"
BY_SENSOR_PK = "sensor_id"
BY_SENSOR_SK = "timestamp"

DAILY_PK = "day"
DAILY_SK = "scope"

JOBS_PK = "job_id"


def readings_key(country: str, timestamp: str, sensor_id: int) -> dict[str, str]:
    return {READINGS_PK: f"{country}#{timestamp[:10]}", READINGS_SK: f"{timestamp}#{sensor_id:010d}"}


def country_scope(country: str) -> str:
    return f"C#{country}"


def hour_scope(country: str, hour: int) -> str:
    return f"H#{country}#{hour:02d}"


def table_definitions(settings: Settings) -> list[dict[str, Any]]:
    """CreateTable requests (on-demand billing) for every table."""
    return [
        {
            "TableName": settings.readings_table,
            "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [
                {"AttributeName": READINGS_PK, "AttributeType": "S"},
                {"AttributeName": READINGS_SK, "AttributeType": "S"},
                {"AttributeName": BY_SENSOR_PK, "AttributeType": "N"},
                {"AttributeName": BY_SENSOR_SK, "AttributeType": "S"},
            ],
            "KeySchema": [
                {"AttributeName": READINGS_PK, "KeyType": "HASH"},
                {"AttributeName": READINGS_SK, "KeyType": "RANGE"},
            ],
            "GlobalSecondaryIndexes": [
                {
                    "IndexName": BY_SENSOR_INDEX,
                    "KeySchema": [
                        {"AttributeName": BY_SENSOR_PK, "KeyType": "HASH"},
                        {"AttributeName": BY_SENSOR_SK, "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "ALL"},
                }
            ],
        },
        {
            "TableName": settings.daily_table,
            "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [
                {"AttributeName": DAILY_PK, "AttributeType": "S"},
                {"AttributeName": DAILY_SK, "AttributeType": "S"},
            ],
            "KeySchema": [
                {"AttributeName": DAILY_PK, "KeyType": "HASH"},
                {"AttributeName": DAILY_SK, "KeyType": "RANGE"},
            ],
        },
        {
            "TableName": settings.jobs_table,
            "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [{"AttributeName": JOBS_PK, "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": JOBS_PK, "KeyType": "HASH"}],
        },
    ]
