"""The import's files in S3: the presigned upload, the header read (ranged GETs, never the whole
file), the worker's download, and the parts it writes (errors CSV segments, checkpoints)."""

from __future__ import annotations

import io
from functools import cache
from typing import IO, TYPE_CHECKING, Any

from skailan.crm.capture.imports.reader import ImportFileError
from skailan.platform.aws import client
from skailan.platform.observability import logger
from skailan.platform.settings import get_settings

if TYPE_CHECKING:
    from skailan.crm.store.sales_items import ImportJobItem

HEADER_BYTES = 256 * 1024


@cache
def presigner() -> Any:
    """An S3 client that signs URLs with SigV4 (the default client may still pick SigV2)."""
    import boto3
    from botocore.config import Config

    return boto3.client("s3", config=Config(signature_version="s3v4"))


def bucket() -> str:
    return get_settings().imports_bucket


def prefix(tenant_id: str, import_id: str) -> str:
    return f"imports/{tenant_id}/{import_id}"


def head_object(key: str) -> dict[str, Any] | None:
    from botocore.exceptions import ClientError

    try:
        return client("s3").head_object(Bucket=bucket(), Key=key)
    except ClientError as err:
        if err.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return None
        raise


def put(key: str, body: bytes, content_type: str = "application/octet-stream") -> None:
    client("s3").put_object(Bucket=bucket(), Key=key, Body=body, ContentType=content_type)


class S3RangeFile(io.RawIOBase):
    """A seekable, read-only view of an S3 object by ranged GETs (for reading an XLSX's headers
    without downloading it: zipfile seeks to the central directory and reads a few members)."""

    def __init__(self, key: str, size: int) -> None:
        self._key, self._size, self._pos = key, size, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._size}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def readinto(self, buffer: Any) -> int:
        wanted = min(len(buffer), self._size - self._pos)
        if wanted <= 0:
            return 0
        end = self._pos + wanted - 1
        data = client("s3").get_object(Bucket=bucket(), Key=self._key, Range=f"bytes={self._pos}-{end}")["Body"].read()
        buffer[: len(data)] = data
        self._pos += len(data)
        return len(data)


def too_large(size: int) -> ImportFileError:
    limit_mb = get_settings().import_max_bytes // (1024 * 1024)
    return ImportFileError(
        "file_too_large",
        f"El archivo pesa {size / 1_048_576:.1f} MB; el máximo es {limit_mb} MB. Divídalo en varios archivos",
        f"The file is {size / 1_048_576:.1f} MB; the limit is {limit_mb} MB. Split it into several files",
    )


def read_headers(job: ImportJobItem, size: int) -> list[str]:
    from skailan.crm.capture.imports.reader import open_import

    s3 = client("s3")
    head = s3.get_object(Bucket=bucket(), Key=job.source_key, Range=f"bytes=0-{min(size, 8) - 1}")["Body"].read()
    if head.startswith(b"PK\x03\x04") or job.filename.lower().endswith((".xlsx", ".xlsm")):
        stream: IO[bytes] = io.BufferedReader(S3RangeFile(job.source_key, size), buffer_size=HEADER_BYTES)
    else:
        stream = io.BytesIO(s3.get_object(Bucket=bucket(), Key=job.source_key,
                                          Range=f"bytes=0-{HEADER_BYTES - 1}")["Body"].read())
    try:
        reader = open_import(stream, job.filename)  # type: ignore[arg-type]
    except ImportFileError:
        raise
    except Exception as err:  # a file no reader expected: say so instead of failing the request
        logger.warning("import file unreadable", error=type(err).__name__)
        raise ImportFileError("unreadable_file", "No se pudo leer el archivo; guárdelo de nuevo como CSV o .xlsx",
                              "The file could not be read; save it again as CSV or .xlsx") from err
    try:
        return list(reader.headers)
    finally:
        reader.close()


def download(job: ImportJobItem, into: IO[bytes]) -> None:
    head = head_object(job.source_key)
    if head is None:
        raise ImportFileError("file_missing", "El archivo ya no está disponible; súbalo de nuevo",
                              "The file is no longer available; upload it again")
    size = int(head["ContentLength"])
    if size > get_settings().import_max_bytes:
        raise too_large(size)
    if job.source_etag not in (None, head.get("ETag")):
        raise ImportFileError("file_changed", "El archivo cambió después de iniciar la importación; créela de nuevo",
                              "The file changed after the import started; create it again")
    client("s3").download_fileobj(bucket(), job.source_key, into)
    into.seek(0)
