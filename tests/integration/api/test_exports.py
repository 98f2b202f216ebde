"""Exports and the original client's route against dynalite (jobs) and moto (SQS, S3)."""

import json

import pytest
import requests

from airq import aws, jobs
from airq.query import ReadingQuery
from tests.integration.api.conftest import DAY1, DAY2
from tests.support.standins import free_port

CLIENT_BODY = {"startDate": DAY2, "endDate": DAY2, "country": "", "minAqi": 0, "maxAqi": 10, "range": ""}


def queued_messages(settings):
    sqs = aws.client("sqs")
    url = jobs.queue_url(settings)
    messages = []
    while True:
        batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get(
            "Messages", []
        )
        if not batch:
            return messages
        for message in batch:
            messages.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


def test_an_export_is_queued_and_its_status_follows_the_job(api, dataset):
    queued_messages(dataset.settings)  # start from an empty queue
    filters = {"start": DAY1, "end": DAY2, "country": "de", "bbox": [5, 47, 15, 55], "band": "Low"}
    response = api.post("/api/exports", json=filters)
    assert response.status_code == 202
    accepted = response.get_json()
    job_id = accepted["job_id"]
    assert accepted == {"job_id": job_id, "status": "queued", "status_url": f"/api/exports/{job_id}"}
    assert response.headers["Location"] == accepted["status_url"]
    query = ReadingQuery(
        start=f"{DAY1}T00:00:00Z",
        end=f"{DAY2}T23:59:59Z",
        country="DE",
        band="Low",
        bbox=(5.0, 47.0, 15.0, 55.0),
    )
    assert queued_messages(dataset.settings) == [
        {"job_id": job_id, "query": json.loads(json.dumps(query.to_dict()))}
    ]

    status = api.get(accepted["status_url"]).get_json()
    assert status["status"] == "queued" and status["download_url"] is None and status["error"] is None
    assert ReadingQuery.from_dict(status["query"]) == query
    assert api.get(f"/api/results/{job_id}").get_json() == status  # the original client's alias

    # What the worker does, by hand: the file, then the job's state.
    store = jobs.JobStore(dataset.settings)
    content = dataset.csv(query)
    aws.client("s3").put_object(
        Bucket=dataset.settings.exports_bucket, Key=jobs.export_key(job_id), Body=content
    )
    store.mark_running(job_id, 1)
    assert api.get(accepted["status_url"]).get_json()["status"] == "running"
    store.mark_done(
        job_id, rows=content.count("\n") - 1, size_bytes=len(content.encode()), s3_key=jobs.export_key(job_id)
    )
    done = api.get(accepted["status_url"]).get_json()
    assert (done["status"], done["progress"], done["rows"]) == ("done", 1.0, content.count("\n") - 1)
    assert done["download_expires_in"] == dataset.settings.presign_expiry
    download = requests.get(done["download_url"], timeout=10)
    assert download.status_code == 200 and download.text == content
    assert "attachment" in download.headers.get("Content-Disposition", "")


def test_a_failed_job_says_why(api, dataset):
    job_id = api.post("/api/exports", json={"start": DAY1, "end": DAY1}).get_json()["job_id"]
    jobs.JobStore(dataset.settings).mark_failed(job_id, "DynamoDB kept throttling after 3 attempts")
    status = api.get(f"/api/exports/{job_id}").get_json()
    assert (status["status"], status["error"], status["download_url"]) == (
        "failed",
        "DynamoDB kept throttling after 3 attempts",
        None,
    )


@pytest.mark.parametrize(
    "job_id", ["0123456789abcdef0123456789abcdef", "nope", "0123456789ABCDEF0123456789ABCDEF"]
)
def test_unknown_and_malformed_job_ids_are_404(api, job_id):
    for path in (f"/api/exports/{job_id}", f"/api/results/{job_id}"):
        response = api.get(path)
        assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"


def test_the_original_client_gets_csv_when_small(api, dataset):
    response = api.post("/api/query", json=CLIENT_BODY)
    assert response.status_code == 200 and response.headers["Content-Type"] == "text/csv; charset=utf-8"
    query = ReadingQuery(start=f"{DAY2}T00:00:00Z", end=f"{DAY2}T23:59:59Z")
    assert response.get_data(as_text=True) == dataset.csv(query)
    filtered = api.post("/api/query", json={**CLIENT_BODY, "country": "pl", "minAqi": 2, "range": "Low"})
    query = ReadingQuery(
        start=f"{DAY2}T00:00:00Z", end=f"{DAY2}T23:59:59Z", country="PL", min_aqi=2, band="Low"
    )
    assert filtered.get_data(as_text=True) == dataset.csv(query) and dataset.expected(query)


def test_the_original_client_gets_a_job_when_large(api, app_for, dataset):
    queued_messages(dataset.settings)
    long = api.post("/api/query", json={**CLIENT_BODY, "startDate": "2026-11-25"})
    assert long.status_code == 202
    body = long.get_json()
    assert body["status_url"] == f"/api/exports/{body['job_id']}" and "8 days" in body["reason"]
    job = api.get(body["status_url"]).get_json()
    assert job["query"] == {"start": "2026-11-25T00:00:00Z", "end": f"{DAY2}T23:59:59Z", "max_aqi": 10}

    many_rows = app_for(sync_max_rows=50).post("/api/query", json=CLIENT_BODY)
    assert many_rows.status_code == 202 and "rows" in many_rows.get_json()["reason"]
    assert [m["job_id"] for m in queued_messages(dataset.settings)] == [
        body["job_id"],
        many_rows.get_json()["job_id"],
    ]


def test_the_original_client_gets_a_job_when_the_service_is_busy(app_for, dataset):
    busy = app_for(max_in_flight=0)
    response = busy.post("/api/query", json=CLIENT_BODY)
    assert response.status_code == 202 and "busy" in response.get_json()["reason"]
    shed = busy.get("/api/readings", query_string={"start": DAY2, "end": DAY2})
    assert shed.status_code == 503 and int(shed.headers["Retry-After"]) > 0


def test_queue_unreachable_is_503_and_the_job_is_not_left_queued(api, dataset):
    before = set(dataset_job_ids(dataset))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{free_port()}")  # SQS and S3; DynamoDB stays
        patch.setenv("AWS_MAX_ATTEMPTS", "1")
        response = api.post("/api/exports", json={"start": DAY1, "end": DAY1})
    assert response.status_code == 503 and int(response.headers["Retry-After"]) > 0
    new = set(dataset_job_ids(dataset)) - before
    assert len(new) == 1
    assert jobs.JobStore(dataset.settings).get(new.pop()).status == "failed"


def dataset_job_ids(dataset):
    """Job ids in the (small, test-only) jobs table. Test code may scan; the service never does."""
    client = aws.client("dynamodb")
    pages = client.get_paginator("scan").paginate(TableName=dataset.settings.jobs_table)
    return [item["job_id"]["S"] for page in pages for item in page["Items"]]
