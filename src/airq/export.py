"""Running one export: query → CSV → S3, through the same code the API's synchronous CSV uses.

The rows come from `query.iter_readings` and the text from `formats.csv_chunks`, so an export's file
is byte-for-byte the synchronous `GET /api/readings?format=csv` answer for the same filter. The file
goes to `jobs.export_key(job_id)`: one job id names one object, so a re-run (after a crash or a
duplicate delivery) overwrites the same object with the same bytes.

Small files are one PutObject. Larger ones are streamed as a multipart upload whose parts are at
least 5 MiB (S3's minimum for every part but the last), never holding more than one part in memory;
a failed or cancelled export aborts its multipart upload so no orphaned parts are left to bill.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from airq import aws
from airq.config import Settings
from airq.formats import CSV_CONTENT_TYPE, csv_chunks
from airq.jobs import export_key
from airq.query import ReadingQuery, iter_readings
from airq.readings import Reading
from airq.store import Store

log = logging.getLogger(__name__)

MiB = 1024 * 1024
MIN_PART_SIZE = 5 * MiB  # S3: every part but the last must be at least this big
MAX_PART_SIZE = 5 * 1024 * MiB  # S3: no part may be bigger
MAX_PARTS = 10_000  # S3: parts per upload
DEFAULT_PART_SIZE = 8 * MiB
PARTS_PER_STEP = 1000  # part size doubles every this many parts (see part_size)
DEFAULT_PAGE_ROWS = 1000  # DynamoDB Query Limit per page while exporting
CSV_CHUNK_ROWS = 500  # rows per text chunk from csv_chunks; the progress callback runs per chunk


class ExportCancelled(Exception):
    """The export was asked to stop (worker shutting down); nothing was written to the key."""


@dataclass(frozen=True)
class ExportResult:
    key: str
    rows: int
    size_bytes: int
    parts: int  # 0: written with one PutObject


# ---------------------------------------------------------------------------- pure helpers


def part_size(part_number: int, base: int = DEFAULT_PART_SIZE) -> int:
    """Size of multipart part `part_number` (1-based): `base` for the first 1,000 parts, doubling
    every 1,000 after, within S3's limits. With 8 MiB parts a file can reach 8 TiB (S3's object
    limit is 5 TiB) in 10,000 parts, while ordinary exports use small, cheap-to-retry parts."""
    if part_number < 1 or part_number > MAX_PARTS:
        raise ValueError(f"part number must be 1..{MAX_PARTS}, got {part_number}")
    size = max(base, MIN_PART_SIZE) * 2 ** ((part_number - 1) // PARTS_PER_STEP)
    return min(size, MAX_PART_SIZE)


def progress_fraction(rows: int, estimate: int) -> float:
    """Progress in [0, 0.99] while running (1.0 is written only with `done`)."""
    if rows <= 0:
        return 0.0
    if estimate <= 0:
        return 0.5
    return min(0.99, rows / estimate)


# ---------------------------------------------------------------------------- S3 sink


class S3Sink:
    """Bytes in, one S3 object out: a PutObject if everything fits in the first part, else a
    multipart upload of `part_size(n)`-byte parts (the last part may be smaller)."""

    def __init__(self, s3: Any, bucket: str, key: str, base_part_size: int = DEFAULT_PART_SIZE) -> None:
        if base_part_size < MIN_PART_SIZE:
            raise ValueError(f"parts must be at least {MIN_PART_SIZE} bytes (S3's minimum)")
        self.s3 = s3
        self.bucket = bucket
        self.key = key
        self.base_part_size = base_part_size
        self.size = 0
        self.upload_id: str | None = None
        self.parts: list[dict[str, Any]] = []
        self._buffer = bytearray()

    def _next_part_size(self) -> int:
        return part_size(len(self.parts) + 1, self.base_part_size)

    def write(self, data: bytes) -> None:
        self._buffer += data
        self.size += len(data)
        while len(self._buffer) >= self._next_part_size():
            size = self._next_part_size()
            self._upload_part(bytes(self._buffer[:size]))
            del self._buffer[:size]

    def _upload_part(self, body: bytes) -> None:
        if self.upload_id is None:
            self.upload_id = self.s3.create_multipart_upload(
                Bucket=self.bucket, Key=self.key, ContentType=CSV_CONTENT_TYPE, ChecksumAlgorithm="CRC32"
            )["UploadId"]
        number = len(self.parts) + 1
        response = self.s3.upload_part(
            Bucket=self.bucket,
            Key=self.key,
            UploadId=self.upload_id,
            PartNumber=number,
            Body=body,
            ChecksumAlgorithm="CRC32",
        )
        part = {"PartNumber": number, "ETag": response["ETag"]}
        if response.get("ChecksumCRC32"):
            part["ChecksumCRC32"] = response["ChecksumCRC32"]
        self.parts.append(part)

    def close(self) -> None:
        """Make the object exist with everything written so far."""
        if self.upload_id is None:
            self.s3.put_object(
                Bucket=self.bucket, Key=self.key, Body=bytes(self._buffer), ContentType=CSV_CONTENT_TYPE
            )
            self._buffer.clear()
            return
        if self._buffer:
            self._upload_part(bytes(self._buffer))
            self._buffer.clear()
        self.s3.complete_multipart_upload(
            Bucket=self.bucket,
            Key=self.key,
            UploadId=self.upload_id,
            MultipartUpload={"Parts": self.parts},
        )

    def abort(self) -> None:
        """Drop an unfinished multipart upload (best effort: a lifecycle rule is the backstop)."""
        self._buffer.clear()
        if self.upload_id is None:
            return
        try:
            self.s3.abort_multipart_upload(Bucket=self.bucket, Key=self.key, UploadId=self.upload_id)
        except Exception as exc:
            log.warning(
                "could not abort multipart upload",
                extra={"key": self.key, "upload_id": self.upload_id, "error": str(exc)},
            )


def upload_chunks(
    s3: Any, bucket: str, key: str, chunks: Iterable[bytes], base_part_size: int = DEFAULT_PART_SIZE
) -> S3Sink:
    """Stream `chunks` to one object; on any failure abort the upload and re-raise."""
    sink = S3Sink(s3, bucket, key, base_part_size)
    try:
        for chunk in chunks:
            sink.write(chunk)
        sink.close()
    except BaseException:
        sink.abort()
        raise
    return sink


# ---------------------------------------------------------------------------- the export


def run_export(
    settings: Settings,
    job_id: str,
    query: ReadingQuery,
    *,
    store: Store | None = None,
    s3: Any | None = None,
    page_rows: int = DEFAULT_PAGE_ROWS,
    base_part_size: int = DEFAULT_PART_SIZE,
    on_rows: Callable[[int], None] | None = None,
    cancel: threading.Event | None = None,
) -> ExportResult:
    """Write the CSV of `query` to `export_key(job_id)` and say how many rows and bytes it has.

    `on_rows(rows_so_far)` is called after every CSV chunk (for progress and liveness); `cancel`, when
    set, stops the export between rows with ExportCancelled (the multipart upload is aborted and a
    previously completed object under the key, if any, is left as it was).
    """
    store = store or Store(settings)
    s3 = s3 or aws.client("s3")
    rows = 0

    def readings() -> Iterator[Reading]:
        nonlocal rows
        for reading, _ in iter_readings(store, query, chunk=page_rows):
            if cancel is not None and cancel.is_set():
                raise ExportCancelled(f"export {job_id} cancelled after {rows} rows")
            rows += 1
            yield reading

    def encoded() -> Iterator[bytes]:
        for text in csv_chunks(readings(), rows_per_chunk=CSV_CHUNK_ROWS):
            yield text.encode("utf-8")
            if on_rows is not None:
                on_rows(rows)

    key = export_key(job_id)
    sink = upload_chunks(s3, settings.exports_bucket, key, encoded(), base_part_size)
    return ExportResult(key=key, rows=rows, size_bytes=sink.size, parts=len(sink.parts))
