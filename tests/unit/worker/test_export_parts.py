"""The pure parts of an export: part sizing, the S3 sink's calls, the row estimate, progress, options."""

from __future__ import annotations

import pytest

from airq.export import (
    DEFAULT_PART_SIZE,
    MAX_PART_SIZE,
    MAX_PARTS,
    MIN_PART_SIZE,
    MiB,
    S3Sink,
    part_size,
    progress_fraction,
    upload_chunks,
)
from airq.query import ReadingQuery, estimate_rows
from airq.summaries import Summary
from airq.worker.loop import Progress
from airq.worker.options import WorkerOptions, retry_delay

# ---------------------------------------------------------------------------- part sizes


def test_parts_are_at_least_the_s3_minimum_and_grow_to_fit_the_part_limit():
    assert part_size(1) == DEFAULT_PART_SIZE == 8 * MiB
    assert part_size(1000) == 8 * MiB and part_size(1001) == 16 * MiB
    assert part_size(1, base=1) == MIN_PART_SIZE  # never below S3's minimum
    sizes = [part_size(n) for n in range(1, MAX_PARTS + 1)]
    assert all(MIN_PART_SIZE <= s <= MAX_PART_SIZE for s in sizes)
    assert sizes == sorted(sizes)
    assert sum(sizes) >= 5 * 1024**4, "10,000 parts must reach S3's 5 TiB object limit"
    for bad in (0, MAX_PARTS + 1):
        with pytest.raises(ValueError):
            part_size(bad)


class FakeS3:
    def __init__(self, fail_on_part: int | None = None) -> None:
        self.calls: list[tuple[str, dict]] = []
        self.fail_on_part = fail_on_part

    def put_object(self, **kwargs):
        self.calls.append(("put_object", kwargs))

    def create_multipart_upload(self, **kwargs):
        self.calls.append(("create_multipart_upload", kwargs))
        return {"UploadId": "u1"}

    def upload_part(self, **kwargs):
        if kwargs["PartNumber"] == self.fail_on_part:
            raise OSError("connection reset")
        self.calls.append(("upload_part", kwargs))
        return {"ETag": f'"e{kwargs["PartNumber"]}"', "ChecksumCRC32": f"c{kwargs['PartNumber']}"}

    def complete_multipart_upload(self, **kwargs):
        self.calls.append(("complete_multipart_upload", kwargs))

    def abort_multipart_upload(self, **kwargs):
        self.calls.append(("abort_multipart_upload", kwargs))

    def names(self) -> list[str]:
        return [name for name, _ in self.calls]


def test_a_file_smaller_than_one_part_is_a_single_put():
    s3 = FakeS3()
    sink = upload_chunks(s3, "b", "exports/j.csv", [b"a,b\n", b"1,2\n"], MIN_PART_SIZE)
    assert s3.names() == ["put_object"]
    assert s3.calls[0][1]["Body"] == b"a,b\n1,2\n" and s3.calls[0][1]["ContentType"].startswith("text/csv")
    assert (sink.size, sink.parts) == (8, [])


def test_an_empty_export_is_still_a_file():
    s3 = FakeS3()
    upload_chunks(s3, "b", "k", [], MIN_PART_SIZE)
    assert s3.calls == [
        ("put_object", {"Bucket": "b", "Key": "k", "Body": b"", "ContentType": "text/csv; charset=utf-8"})
    ]


def test_large_files_are_cut_into_exact_parts_with_a_smaller_last_one():
    s3 = FakeS3()
    chunk = b"x" * (3 * MiB)
    sink = upload_chunks(s3, "b", "k", [chunk] * 4, MIN_PART_SIZE)  # 12 MiB → 5 + 5 + 2
    assert s3.names() == [
        "create_multipart_upload", "upload_part", "upload_part", "upload_part", "complete_multipart_upload",
    ]  # fmt: skip
    bodies = [kwargs["Body"] for name, kwargs in s3.calls if name == "upload_part"]
    assert [len(b) for b in bodies] == [5 * MiB, 5 * MiB, 2 * MiB]
    assert b"".join(bodies) == chunk * 4
    completed = s3.calls[-1][1]["MultipartUpload"]["Parts"]
    assert completed == [{"PartNumber": n, "ETag": f'"e{n}"', "ChecksumCRC32": f"c{n}"} for n in (1, 2, 3)]
    assert sink.size == 12 * MiB


def test_a_file_of_exactly_one_part_needs_no_empty_last_part():
    s3 = FakeS3()
    upload_chunks(s3, "b", "k", [b"y" * MIN_PART_SIZE], MIN_PART_SIZE)
    assert s3.names() == ["create_multipart_upload", "upload_part", "complete_multipart_upload"]


def test_a_failure_aborts_the_multipart_upload():
    s3 = FakeS3(fail_on_part=2)
    with pytest.raises(OSError):
        upload_chunks(s3, "b", "k", [b"z" * (4 * MiB)] * 3, MIN_PART_SIZE)
    assert s3.names() == ["create_multipart_upload", "upload_part", "abort_multipart_upload"]
    assert s3.calls[-1][1] == {"Bucket": "b", "Key": "k", "UploadId": "u1"}


def test_a_failure_before_any_part_leaves_nothing_to_abort():
    def chunks():
        yield b"header\n"
        raise RuntimeError("query failed")

    s3 = FakeS3()
    with pytest.raises(RuntimeError):
        upload_chunks(s3, "b", "k", chunks(), MIN_PART_SIZE)
    assert s3.calls == []


def test_parts_below_the_s3_minimum_are_refused():
    with pytest.raises(ValueError, match="at least"):
        S3Sink(FakeS3(), "b", "k", base_part_size=MiB)


# ---------------------------------------------------------------------------- estimate and progress


def summary(counts: dict[int, int]) -> Summary:
    s = Summary()
    for index, count in counts.items():
        for _ in range(count):
            s.add(index, 10.0, 20.0)
    return s


class FakeStore:
    def __init__(self, days: dict[str, dict[str, Summary]], hours: dict | None = None) -> None:
        self.days = days
        self.hours = hours or {}
        self.calls: list[str] = []

    def country_summaries(self, day: str) -> dict[str, Summary]:
        self.calls.append(day)
        return self.days.get(day, {})

    def hour_summaries(self, day: str, country: str | None = None) -> list:
        self.calls.append(f"{day} hours")
        return [((c, h), s) for (c, h), s in self.hours.get(day, {}).items() if not country or c == country]


STORE = FakeStore(
    {
        "2026-11-20": {"DE": summary({1: 100, 5: 20, 10: 4}), "NL": summary({2: 30})},
        "2026-11-21": {"DE": summary({1: 50}), "GB": summary({8: 10})},
    },
    hours={
        "2026-11-20": {
            ("DE", 3): summary({1: 60}),
            ("DE", 12): summary({1: 40, 5: 20}),
            ("NL", 14): summary({2: 30}),
        }
    },
)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (ReadingQuery(start="2026-11-20T00:00:00Z", end="2026-11-21T23:59:59Z"), 214),
        (ReadingQuery(start="2026-11-20T00:00:00Z", end="2026-11-21T23:59:59Z", country="DE"), 174),
        (ReadingQuery(start="2026-11-20T00:00:00Z", end="2026-11-20T23:59:59Z", country="FR"), 0),
        (ReadingQuery(start="2026-11-20T00:00:00Z", end="2026-11-21T23:59:59Z", min_aqi=4), 34),
        (ReadingQuery(start="2026-11-20T00:00:00Z", end="2026-11-21T23:59:59Z", band="High"), 10),
        (ReadingQuery(start="2026-11-20T00:00:00Z", end="2026-11-21T23:59:59Z", max_aqi=1), 150),
        # Half of the first day: counted from its hourly summaries (hours 12-23 only).
        (ReadingQuery(start="2026-11-20T12:00:00Z", end="2026-11-20T23:59:59Z"), 90),
        (ReadingQuery(start="2026-11-20T12:00:00Z", end="2026-11-20T12:59:59Z", country="DE"), 60),
        (ReadingQuery(start="2026-11-20T00:00:00Z", end="2026-11-21T23:59:59Z", sensor_id=7), 48),
        (ReadingQuery(start="2026-11-25T00:00:00Z", end="2026-11-25T23:59:59Z"), 0),
    ],
)
def test_the_row_estimate_comes_from_the_daily_catalogue(query, expected):
    assert estimate_rows(STORE, query) == expected


def test_the_estimate_costs_one_catalogue_read_per_day():
    store = FakeStore({})
    estimate_rows(store, ReadingQuery(start="2026-11-01T00:00:00Z", end="2026-11-07T23:59:59Z", country="DE"))
    assert store.calls == [f"2026-11-0{d}" for d in range(1, 8)]


def test_progress_stays_below_one_until_done():
    assert progress_fraction(0, 100) == 0.0
    assert progress_fraction(25, 100) == 0.25
    assert progress_fraction(100, 100) == 0.99
    assert progress_fraction(150, 100) == 0.99  # an under-estimate never shows more than 99 %
    assert progress_fraction(10, 0) == 0.5  # rows but no estimate: somewhere in between
    assert progress_fraction(0, 0) == 0.0


class FakeJobs:
    def __init__(self) -> None:
        self.reports: list[tuple[str, int, float]] = []

    def report_progress(self, job_id, rows, progress):
        self.reports.append((job_id, rows, progress))
        return True


def test_progress_is_written_at_most_once_per_interval_but_liveness_every_call():
    now = [100.0]
    touched: list[float] = []
    jobs = FakeJobs()
    progress = Progress(jobs, "j", 1000, 2.0, lambda: touched.append(now[0]), clock=lambda: now[0])
    for rows, at in [(500, 100.5), (1000, 101.9), (1500, 102.0), (2000, 103.0), (2500, 104.5)]:
        now[0] = at
        progress(rows)
    assert jobs.reports == [("j", 1500, 0.99), ("j", 2500, 0.99)]
    assert touched == [100.5, 101.9, 102.0, 103.0, 104.5]


# ---------------------------------------------------------------------------- options


def test_options_come_from_the_environment_and_command_line_wins():
    env = {
        "AIRQ_WORKER_GRACE_SECONDS": "12.5",
        "AIRQ_WORKER_PAGE_ROWS": "200",
        "AIRQ_WORKER_WAIT_SECONDS": "",
    }
    options = WorkerOptions.from_env(env, page_rows=50, wait_seconds=None)
    assert (options.grace_seconds, options.page_rows, options.wait_seconds) == (12.5, 50, 20)
    assert WorkerOptions.from_env({}) == WorkerOptions()


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"AIRQ_WORKER_WAIT_SECONDS": "21"}, "0-20"),
        ({"AIRQ_WORKER_PART_SIZE_MIB": "4"}, "at least 5"),
        ({"AIRQ_WORKER_PAGE_ROWS": "many"}, "is not a valid int"),
        ({"AIRQ_WORKER_GRACE_SECONDS": "-1"}, "must not be negative"),
        ({"AIRQ_WORKER_STALL_SECONDS": "0"}, "must be positive"),
    ],
)
def test_bad_options_are_named(env, message):
    with pytest.raises(ValueError, match=message):
        WorkerOptions.from_env(env)


def test_retry_delay_doubles_and_is_capped_by_the_visibility_timeout():
    assert [retry_delay(n, 5, 60) for n in (1, 2, 3, 4, 5)] == [5, 10, 20, 40, 60]
    assert retry_delay(1, 0, 60) == 0
    assert retry_delay(30, 5, 100_000) == 43200
