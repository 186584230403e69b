"""Imports of people from CSV / XLSX (Keybe *Conecta → Importaciones*): the API side and the worker.

API (docs/imports.md):
1. `create_import` stores a job (`pending`) and answers a presigned S3 PUT URL for the file.
2. `get_import` shows the job; once the file is there it reads the header row (a ranged read:
   the first 256 KiB of a CSV, or only the parts of an XLSX openpyxl needs) and caches the
   headers and the suggested mapping on the job.
3. `start_import` checks the file (size by HeadObject, headers), completes and validates the
   mapping, creates the custom fields asked for (`custom:<new key>`), creates the new list,
   and queues the job on SQS. Problems found here fail the job at once and answer 422.

Worker (`run_import`, fed by SQS):
- a conditional *lease* on the job item (`lease_owner`, `lease_until`) so two workers never
  run one import; renewed at every checkpoint; a worker that loses it stops;
- the file is downloaded to /tmp and streamed (`reader.rows`): memory is bounded by the
  accumulator (~16–24 bytes per person key) and one batch of rows;
- the first run counts the rows (a full pass with every check: encoding, formulas) before
  writing anything, so a broken file fails with no people created;
- rows go through `build_candidate` → `ImportAccumulator`; unique candidates are matched in
  batches of 50 (one BatchGetItem on the identity items) and written with
  `sales_people.commit` (~10 people per TransactWriteItems);
- every `import_checkpoint_rows` rows: the errors CSV part of the segment and the
  accumulator state go to S3, then position, counts and the state's key to the job item
  (conditional on the lease). A crashed run resumes from the last checkpoint;
- a person created by this import gets a deterministic id (the import id and row number), so
  a row replayed after a crash finds "its" person through the identity it claimed and is
  counted as created, not updated — and never created twice (identities are conditional puts);
- near the Lambda time limit it checkpoints, releases the lease and queues its continuation.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import json
import re
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import IO, TYPE_CHECKING, Any, Literal, cast

from pynamodb.exceptions import UpdateError
from pynamodb.expressions.update import Action

from skailan.crm.capture.imports.reader import ImportFileError
from skailan.crm.store.sales_items import ImportJobItem, imports_pk
from skailan.platform.aws import client
from skailan.platform.clock import iso
from skailan.platform.errors import Conflict, NotFound, Unprocessable
from skailan.platform.i18n import both
from skailan.platform.ids import is_valid_id, new_id
from skailan.platform.observability import logger
from skailan.platform.pagination import clamp_limit, decode_cursor, encode_cursor
from skailan.platform.settings import get_settings

ImportStatus = Literal["pending", "running", "completed", "failed"]  # ImportOut.status, stored as text

if TYPE_CHECKING:  # the worker never builds API models: they are imported where the API needs them
    from skailan.crm.sales.models import ImportCreatedOut, ImportIn, ImportOut, ImportStartIn
    from skailan.crm.values.types import Page
    from skailan.platform.auth import Caller

IMPORT = "IMPORT#"
UPLOAD_EXPIRES = 900
DOWNLOAD_EXPIRES = 3600
HEADER_BYTES = 256 * 1024
LEASE_SECONDS = 120
TIME_MARGIN_MS = 60_000
MAX_ATTEMPTS = 3
RETRY_DELAY_SECONDS = 60
FLUSH_SIZE = 50
SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm")
NOT_FOUND = both("Importación no encontrada", "Import not found")
# Standard mapping targets a person item has no attribute for: kept as custom fields.
CUSTOM_TARGETS = {"city": ("city", "Ciudad"), "company": ("company", "Empresa")}


# ---------------------------------------------------------------- storage helpers


@cache
def _presigner() -> Any:
    """An S3 client that signs URLs with SigV4 (the default client may still pick SigV2)."""
    import boto3
    from botocore.config import Config

    return boto3.client("s3", config=Config(signature_version="s3v4"))


def _bucket() -> str:
    return get_settings().imports_bucket


def _prefix(tenant_id: str, import_id: str) -> str:
    return f"imports/{tenant_id}/{import_id}"


def _head(key: str) -> dict[str, Any] | None:
    from botocore.exceptions import ClientError

    try:
        return client("s3").head_object(Bucket=_bucket(), Key=key)
    except ClientError as err:
        if err.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return None
        raise


def _put(key: str, body: bytes, content_type: str = "application/octet-stream") -> None:
    client("s3").put_object(Bucket=_bucket(), Key=key, Body=body, ContentType=content_type)


class _S3RangeFile(io.RawIOBase):
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
        data = client("s3").get_object(Bucket=_bucket(), Key=self._key, Range=f"bytes={self._pos}-{end}")["Body"].read()
        buffer[: len(data)] = data
        self._pos += len(data)
        return len(data)


# ---------------------------------------------------------------- output


def _int(value: Any) -> int:
    return int(value or 0)


def _out(job: ImportJobItem, *, errors_url: bool = True, uploaded: bool | None = None) -> ImportOut:
    from skailan.crm.sales.models import ImportErrorOut, ImportOut, ImportProgressOut, ImportSummaryOut

    summary = dict(job.summary or {})
    url = None
    if errors_url and job.status == "completed" and job.errors_key and _int(job.error_rows):
        stem = job.filename.rsplit(".", 1)[0][:80].replace('"', "")
        url = _presigner().generate_presigned_url(
            "get_object",
            Params={"Bucket": _bucket(), "Key": job.errors_key,
                    "ResponseContentDisposition": f'attachment; filename="errores-{stem}.csv"',
                    "ResponseContentType": "text/csv; charset=utf-8"},
            ExpiresIn=DOWNLOAD_EXPIRES,
        )
    return ImportOut(
        id=job.import_id, status=cast(ImportStatus, job.status), filename=job.filename, target=job.target or {"kind": "none"},
        list_id=job.list_id, owner_id=job.owner_id,
        uploaded=uploaded if uploaded is not None else (job.headers is not None or job.status != "pending"),
        file_size=_int(job.file_size) if job.file_size is not None else None,
        headers=job.headers, suggested_mapping=job.suggested_mapping, mapping=job.mapping,
        progress=ImportProgressOut(rows_processed=_int(job.rows_processed),
                                   rows_total=_int(job.rows_total) if job.rows_total is not None else None),
        update_policy=job.update_policy,  # type: ignore[arg-type]
        summary=ImportSummaryOut(**{**{k: v for k, v in summary.items() if k in ImportSummaryOut.model_fields},
                                    "update_policy": job.update_policy}),
        error_rows=_int(job.error_rows), errors_url=url,
        error=ImportErrorOut(**job.error) if job.error else None,
        created_at=job.created_at, queued_at=job.queued_at, started_at=job.started_at, finished_at=job.finished_at,
    )


def _load(tenant_id: str, import_id: str, *, consistent: bool = False) -> ImportJobItem:
    if not is_valid_id(import_id):
        raise NotFound(NOT_FOUND, code="import_not_found")
    try:
        return ImportJobItem.get(imports_pk(tenant_id), IMPORT + import_id, consistent_read=consistent)
    except ImportJobItem.DoesNotExist as err:
        raise NotFound(NOT_FOUND, code="import_not_found") from err


# ---------------------------------------------------------------- API: create, read, list


def _check_target(tenant_id: str, data: ImportIn) -> list[dict[str, str]]:
    errors: list[dict[str, str]] = []
    target = data.target
    if target.kind == "existing_list":
        from skailan.crm.audiences.lists import load_list

        if not target.list_id:
            errors.append({"field": "target.list_id", "error": "required",
                           "message": both("Elige la lista", "Choose the list")})
        else:
            try:
                load_list(tenant_id, target.list_id)
            except NotFound:
                errors.append({"field": "target.list_id", "error": "unknown",
                               "message": both("Lista no encontrada", "List not found")})
    elif target.kind == "new_list" and not (target.name or "").strip():
        errors.append({"field": "target.name", "error": "required",
                       "message": both("Escribe el nombre de la nueva lista", "Name the new list")})
    if target.kind != "existing_list" and target.list_id:
        errors.append({"field": "target.list_id", "error": "not_allowed",
                       "message": both("Solo para una lista existente", "Only for an existing list")})
    if data.owner_id:
        from skailan.tenancy.member_reads import find_member

        member = find_member(tenant_id, data.owner_id)
        if member is None or member.status == "disabled":
            errors.append({"field": "owner_id", "error": "unknown",
                           "message": both("Responsable desconocido", "Unknown owner")})
    name = data.filename.strip().lower()
    if name.endswith(".xls"):
        errors.append({"field": "filename", "error": "xls_not_supported",
                       "message": both("El formato .xls no es compatible: guárdelo como .xlsx o CSV",
                                       "The .xls format is not supported: save it as .xlsx or CSV")})
    elif not name.endswith(SUFFIXES):
        errors.append({"field": "filename", "error": "unsupported_type",
                       "message": both("Sube un archivo CSV o Excel (.xlsx)", "Upload a CSV or Excel (.xlsx) file")})
    return errors


def create_import(caller: Caller, data: ImportIn) -> ImportCreatedOut:
    from skailan.crm.sales.models import ImportCreatedOut

    errors = _check_target(caller.tenant_id, data)
    if errors:
        raise Unprocessable(both("La importación no es válida", "The import is not valid"), details=errors)
    import_id = new_id()
    now = iso()
    key = f"{_prefix(caller.tenant_id, import_id)}/source"
    target = data.target.model_dump(exclude_none=True)
    job = ImportJobItem(imports_pk(caller.tenant_id), IMPORT + import_id, tenant_id=caller.tenant_id,
                        import_id=import_id, status="pending", filename=data.filename.strip(), source_key=key,
                        target=target, list_id=data.target.list_id if data.target.kind == "existing_list" else None,
                        owner_id=data.owner_id, created_by=caller.principal_id, summary={}, created_at=now,
                        updated_at=now)
    job.save(condition=ImportJobItem.pk.does_not_exist())
    url = _presigner().generate_presigned_url("put_object", Params={"Bucket": _bucket(), "Key": key},
                                              ExpiresIn=UPLOAD_EXPIRES)
    _emit(caller.tenant_id, "contact_import.created", caller, import_id, {"filename": job.filename, "target": target})
    return ImportCreatedOut(id=import_id, upload_url=url, upload_expires_in=UPLOAD_EXPIRES,
                            max_bytes=get_settings().import_max_bytes)


def list_imports(tenant_id: str, *, cursor: str | None, limit: int | None) -> Page[ImportOut]:
    from skailan.crm.sales.models import ImportOut
    from skailan.crm.values.types import Page

    pk = imports_pk(tenant_id)
    results = ImportJobItem.query(pk, ImportJobItem.sk.startswith(IMPORT), scan_index_forward=False,
                                  limit=clamp_limit(limit),
                                  last_evaluated_key=decode_cursor(cursor, partition_attr="pk", partition_value=pk))
    items = [_out(job, errors_url=False) for job in results]
    return Page[ImportOut](items=items, next_cursor=encode_cursor(results.last_evaluated_key))


def get_import(tenant_id: str, import_id: str) -> ImportOut:
    job = _load(tenant_id, import_id)
    if job.status == "pending" and job.headers is None:
        return _out(job, uploaded=_detect_upload(job) is not None)
    return _out(job)


def _too_large(size: int) -> ImportFileError:
    limit_mb = get_settings().import_max_bytes // (1024 * 1024)
    return ImportFileError(
        "file_too_large",
        f"El archivo pesa {size / 1_048_576:.1f} MB; el máximo es {limit_mb} MB. Divídalo en varios archivos",
        f"The file is {size / 1_048_576:.1f} MB; the limit is {limit_mb} MB. Split it into several files",
    )


def _read_headers(job: ImportJobItem, size: int) -> list[str]:
    from skailan.crm.capture.imports.reader import open_import

    s3 = client("s3")
    head = s3.get_object(Bucket=_bucket(), Key=job.source_key, Range=f"bytes=0-{min(size, 8) - 1}")["Body"].read()
    if head.startswith(b"PK\x03\x04") or job.filename.lower().endswith((".xlsx", ".xlsm")):
        stream: IO[bytes] = io.BufferedReader(_S3RangeFile(job.source_key, size), buffer_size=HEADER_BYTES)
    else:
        stream = io.BytesIO(s3.get_object(Bucket=_bucket(), Key=job.source_key,
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


def _detect_upload(job: ImportJobItem, *, strict: bool = False) -> dict[str, Any] | None:
    """Read the uploaded file's headers once and cache them (with the suggestion) on the job.

    `strict` (the start route) raises what the file's problem is; a read (GET) just leaves the
    job as it is, so the problem shows when the user starts."""
    head = _head(job.source_key)
    if head is None:
        return None
    size, etag = int(head["ContentLength"]), head.get("ETag", "")
    if job.headers is not None and job.source_etag == etag:
        return head
    if size > get_settings().import_max_bytes:
        if strict:
            raise _too_large(size)
        job.file_size = size
        return head
    if size == 0:
        if strict:
            raise ImportFileError("empty_file", "El archivo está vacío", "The file is empty")
        return head
    try:
        headers = _read_headers(job, size)
    except ImportFileError:
        if strict:
            raise
        return head
    from skailan.crm.capture.imports.mapping import suggest_mapping
    from skailan.crm.vocabulary.definitions import load

    custom_keys = [d.key for d in load(job.tenant_id).fields]
    suggested = suggest_mapping(headers, custom_keys)
    try:
        job.update(actions=[ImportJobItem.headers.set(headers), ImportJobItem.suggested_mapping.set(suggested),
                            ImportJobItem.file_size.set(size), ImportJobItem.source_etag.set(etag),
                            ImportJobItem.updated_at.set(iso())],
                   condition=ImportJobItem.status == "pending")
    except UpdateError as err:
        if err.cause_response_code != "ConditionalCheckFailedException":
            raise
        job.refresh()
    return head


# ---------------------------------------------------------------- API: start


def _fail_now(job: ImportJobItem, err: ImportFileError) -> None:
    """Fail a job that never started (the start route found the file unusable)."""
    error = _error_json(err.reason, err.message_es, err.message_en, err.row)
    try:
        job.update(actions=[ImportJobItem.status.set("failed"), ImportJobItem.error.set(error),
                            ImportJobItem.finished_at.set(iso()), ImportJobItem.updated_at.set(iso())],
                   condition=(ImportJobItem.status == "pending") & ImportJobItem.mapping.does_not_exist())
    except UpdateError as update_err:
        if update_err.cause_response_code != "ConditionalCheckFailedException":
            raise
        return
    _emit(job.tenant_id, "contact_import.failed", None, job.import_id, {"reason": err.reason})


def _error_json(code: str, es: str, en: str, row: int | None = None) -> dict[str, Any]:
    return {"code": code, "message": both(es, en), "message_es": es, "message_en": en, "row": row}


def _prepare_mapping(mapping: dict[str, str | None], headers: list[str],
                     custom_keys: set[str]) -> tuple[dict[str, str | None], dict[str, str]]:
    """Resolve `custom:<new key>` and the standard targets kept as custom fields.

    Returns the mapping to validate and the custom fields to create (key → label)."""
    from skailan.crm.capture.imports.mapping import CUSTOM_PREFIX
    from skailan.crm.vocabulary.fields import KEY_PATTERN

    out: dict[str, str | None] = {}
    new_fields: dict[str, str] = {}
    errors: list[dict[str, Any]] = []
    for header, target in mapping.items():
        if target in CUSTOM_TARGETS:
            key, label = CUSTOM_TARGETS[target]
            target = CUSTOM_PREFIX + key
            if key not in custom_keys:
                new_fields.setdefault(key, label)
        elif target and target.startswith(CUSTOM_PREFIX):
            key = target[len(CUSTOM_PREFIX):]
            if not re.fullmatch(KEY_PATTERN, key):
                errors.append({"field": "mapping", "header": header, "error": "invalid_custom_key",
                               "message": both("Clave de campo no válida (minúsculas, números y _; empieza con letra)",
                                               "Invalid field key (lower-case letters, digits and _; starts with a letter)")})
                continue
            if key not in custom_keys and header in headers:
                new_fields.setdefault(key, " ".join(header.split())[:80] or key)
        out[header] = target
    if errors:
        raise Unprocessable(both("La asignación de columnas no es válida", "The column mapping is not valid"),
                            details=errors)
    return out, new_fields


def start_import(caller: Caller, import_id: str, data: ImportStartIn) -> ImportOut:
    from skailan.crm.capture.imports.mapping import validate_mapping
    from skailan.crm.vocabulary.definitions import load

    tenant_id = caller.tenant_id
    job = _load(tenant_id, import_id, consistent=True)
    if job.status != "pending" or job.mapping is not None:
        raise Conflict(both("La importación ya se inició", "The import has already started"),
                       code="import_already_started", details={"status": job.status})
    try:
        head = _detect_upload(job, strict=True)
    except ImportFileError as err:
        _fail_now(job, err)
        raise
    if head is None:
        raise Conflict(both("Primero sube el archivo a upload_url", "Upload the file to upload_url first"),
                       code="file_not_uploaded")
    headers = list(job.headers or [])
    custom_keys = {d.key for d in load(tenant_id).fields}
    requested = data.mapping if data.mapping is not None else dict(job.suggested_mapping or {})
    mapping, new_fields = _prepare_mapping(requested, headers, custom_keys)
    mapping = validate_mapping(mapping, headers, custom_keys | set(new_fields))
    _create_fields(caller, new_fields)
    list_id = job.list_id
    target = job.target or {}
    if target.get("kind") == "new_list" and not list_id:
        from skailan.crm.audiences import lists

        list_id = lists.create_list(caller, tenant_id, lists.ListIn(name=target["name"])).id
    now = iso()
    try:
        job.update(actions=[ImportJobItem.mapping.set(mapping), ImportJobItem.queued_at.set(now),
                            ImportJobItem.update_policy.set(data.update_policy),
                            ImportJobItem.list_id.set(list_id) if list_id else ImportJobItem.list_id.remove(),
                            ImportJobItem.updated_at.set(now)],
                   condition=(ImportJobItem.status == "pending") & ImportJobItem.mapping.does_not_exist())
    except UpdateError as err:
        if err.cause_response_code == "ConditionalCheckFailedException":
            raise Conflict(both("La importación ya se inició", "The import has already started"),
                           code="import_already_started") from err
        raise
    try:
        enqueue(tenant_id, import_id)
    except Exception:
        job.update(actions=[ImportJobItem.mapping.remove(), ImportJobItem.queued_at.remove(),
                            ImportJobItem.update_policy.remove()])
        raise
    _emit(tenant_id, "contact_import.started", caller, import_id,
          {"list_id": list_id, "fields_created": sorted(new_fields), "update_policy": data.update_policy})
    return _out(job)


def _create_fields(caller: Caller, new_fields: dict[str, str]) -> None:
    from skailan.crm.vocabulary.definitions import create_field
    from skailan.crm.vocabulary.fields import FieldDefinitionIn, FieldType

    for key, label in new_fields.items():
        try:
            create_field(caller, FieldDefinitionIn(key=key, label=label, type=FieldType.SHORT_TEXT))
        except Conflict:
            continue  # created meanwhile: what we need exists


def enqueue(tenant_id: str, import_id: str) -> None:
    client("sqs").send_message(QueueUrl=get_settings().imports_queue_url,
                               MessageBody=json.dumps({"tenant_id": tenant_id, "import_id": import_id}))


def _emit(tenant_id: str, type_: str, caller: Caller | None, import_id: str, data: dict[str, Any]) -> None:
    from skailan.crm.events import emit

    emit(tenant_id, type_, caller=caller, entity_type="contact_import", entity_id=import_id, data=data)


# ================================================================ worker


class _LeaseLost(Exception):
    pass


class SimulatedCrash(Exception):
    """Raised by `run_import(crash_after_rows=…)`: stops like a killed process (no cleanup)."""


def row_person_id(job: ImportJobItem, row_number: int) -> str:
    """The id a person created from `row_number` gets: the same on every run of this import."""
    from datetime import datetime

    from skailan.platform.ids import ulid

    created = datetime.fromisoformat((job.created_at or "1970-01-01T00:00:00Z").replace("Z", "+00:00"))
    millis = int(created.timestamp() * 1000) + row_number
    digest = hashlib.blake2b(f"{job.tenant_id}:{job.import_id}:{row_number}".encode(), digest_size=10).digest()
    return ulid(millis, digest)


@dataclass
class _Run:
    job: ImportJobItem
    lease: str
    headers: list[str]
    mapping: dict[str, str | None]
    definitions: dict[str, Any]
    country: str | None
    default_state: str | None
    acc: Any
    segments: list[str] = field(default_factory=list)
    error_rows: int = 0
    segment_start: int = 1
    pending: list[Any] = field(default_factory=list)  # invalid rows and warned candidates of the segment

    @property
    def tenant_id(self) -> str:
        return self.job.tenant_id


def run_import(tenant_id: str, import_id: str, *, remaining_ms: Callable[[], int] | None = None,
               checkpoint_rows: int | None = None, crash_after_rows: int | None = None) -> str:
    """Run (or resume) one import; returns completed | failed | continued | busy | skipped | lost."""
    try:
        job = _load(tenant_id, import_id, consistent=True)
    except NotFound:
        logger.warning("import job not found", tenant_id=tenant_id, import_id=import_id)
        return "skipped"
    if job.status in ("completed", "failed") or job.mapping is None:
        return "skipped"
    lease = new_id()
    if not _acquire(job, lease):
        logger.info("import busy elsewhere", tenant_id=tenant_id, import_id=import_id)
        return "busy"
    logger.append_keys(tenant_id=tenant_id, import_id=import_id)
    try:
        return _run(job, lease, remaining_ms or (lambda: 10**12), checkpoint_rows or get_settings().import_checkpoint_rows,
                    crash_after_rows)
    except SimulatedCrash:
        raise
    except _LeaseLost:
        logger.warning("import lease lost; another worker continues")
        return "lost"
    except ImportFileError as err:
        _finish_failed(job, lease, _error_json(err.reason, err.message_es, err.message_en, err.row))
        return "failed"
    except Exception:
        logger.exception("import run failed")
        attempts = _int(job.attempts) + 1
        if attempts >= MAX_ATTEMPTS:
            _finish_failed(job, lease, _error_json(
                "internal_error", "La importación falló por un error interno; inténtelo de nuevo",
                "The import failed because of an internal error; try again"))
            return "failed"
        _release(job, lease, attempts=attempts)
        raise


def _acquire(job: ImportJobItem, lease: str) -> bool:
    now = int(time.time())
    condition = (ImportJobItem.status.is_in("pending", "running") & ImportJobItem.mapping.exists()
                 & (ImportJobItem.lease_until.does_not_exist() | (ImportJobItem.lease_until < now)))
    try:
        job.update(actions=[ImportJobItem.status.set("running"), ImportJobItem.lease_owner.set(lease),
                            ImportJobItem.lease_until.set(now + LEASE_SECONDS),
                            ImportJobItem.started_at.set(ImportJobItem.started_at | iso()),
                            ImportJobItem.updated_at.set(iso())],
                   condition=condition)
    except UpdateError as err:
        if err.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def _update_leased(job: ImportJobItem, lease: str, actions: list[Any]) -> None:
    try:
        job.update(actions=[*actions, ImportJobItem.updated_at.set(iso())], condition=ImportJobItem.lease_owner == lease)
    except UpdateError as err:
        if err.cause_response_code == "ConditionalCheckFailedException":
            raise _LeaseLost from err
        raise


def _release(job: ImportJobItem, lease: str, *, attempts: int | None = None) -> None:
    actions: list[Action] = [ImportJobItem.lease_owner.remove(), ImportJobItem.lease_until.remove()]
    if attempts is not None:
        actions.append(ImportJobItem.attempts.set(attempts))
    with contextlib.suppress(_LeaseLost):
        _update_leased(job, lease, actions)


def _finish_failed(job: ImportJobItem, lease: str, error: dict[str, Any]) -> None:
    try:
        _update_leased(job, lease, [ImportJobItem.status.set("failed"), ImportJobItem.error.set(error),
                                    ImportJobItem.finished_at.set(iso()), ImportJobItem.lease_owner.remove(),
                                    ImportJobItem.lease_until.remove()])
    except _LeaseLost:
        return
    _emit(job.tenant_id, "contact_import.failed", None, job.import_id, {"reason": error["code"]})
    logger.info("import failed", reason=error["code"])


def _download(job: ImportJobItem, into: IO[bytes]) -> None:
    head = _head(job.source_key)
    if head is None:
        raise ImportFileError("file_missing", "El archivo ya no está disponible; súbalo de nuevo",
                              "The file is no longer available; upload it again")
    size = int(head["ContentLength"])
    if size > get_settings().import_max_bytes:
        raise _too_large(size)
    if job.source_etag not in (None, head.get("ETag")):
        raise ImportFileError("file_changed", "El archivo cambió después de iniciar la importación; créela de nuevo",
                              "The file changed after the import started; create it again")
    client("s3").download_fileobj(_bucket(), job.source_key, into)
    into.seek(0)


def _run(job: ImportJobItem, lease: str, remaining_ms: Callable[[], int], checkpoint_rows: int,
         crash_after_rows: int | None) -> str:
    from skailan.crm.capture.imports.reader import open_import
    from skailan.crm.capture.imports.rows import ImportAccumulator
    from skailan.crm.people.service import default_country
    from skailan.crm.vocabulary.definitions import load

    started = time.monotonic()
    with tempfile.TemporaryFile() as file:
        _download(job, file)
        reader = open_import(file, job.filename)  # type: ignore[arg-type]
        try:
            if list(reader.headers) != list(job.headers or reader.headers):
                raise ImportFileError("file_changed", "Los encabezados del archivo cambiaron; cree la importación de nuevo",
                                      "The file's headers changed; create the import again")
            state = _load_state(job)
            if state is None:
                total = reader.count_rows()  # every check before the first write
                _update_leased(job, lease, [ImportJobItem.rows_total.set(total),
                                            ImportJobItem.lease_until.set(int(time.time()) + LEASE_SECONDS)])
                acc, segments, error_rows = ImportAccumulator(), [], 0
            else:
                acc = ImportAccumulator.from_state(state["accumulator"])
                segments, error_rows = list(state["segments"]), int(state["error_rows"])
            definitions = load(job.tenant_id)
            run = _Run(job=job, lease=lease, headers=list(reader.headers), mapping=dict(job.mapping or {}),
                       definitions={d.key: d for d in definitions.fields}, country=default_country(job.tenant_id),
                       default_state=definitions.default_state, acc=acc, segments=segments, error_rows=error_rows,
                       segment_start=acc.next_row)
            outcome = _process(run, reader.rows(start_row=acc.next_row), remaining_ms, checkpoint_rows,
                               crash_after_rows)
        finally:
            reader.close()
    if outcome == "continued":
        logger.info("import continues in a new invocation", rows=run.acc.rows)
        return outcome
    _complete(run)
    logger.info("import completed", seconds=round(time.monotonic() - started, 2), summary=run.acc.summary())
    return "completed"


def _process(run: _Run, rows: Iterator[tuple[int, dict[str, str]]], remaining_ms: Callable[[], int],
             checkpoint_rows: int, crash_after_rows: int | None) -> str:
    from skailan.crm.capture.imports.rows import build_candidate

    batch: list[Any] = []
    since_checkpoint = 0
    for seen, (row_number, row) in enumerate(rows, start=1):
        candidate = build_candidate(row_number, row, run.mapping, run.country, run.definitions)
        problem = run.acc.add(candidate)
        if problem is not None:
            run.pending.append(problem)
        else:
            batch.append(candidate)
        since_checkpoint += 1
        if len(batch) >= FLUSH_SIZE:
            _flush(run, batch)
            batch = []
        if crash_after_rows is not None and seen >= crash_after_rows:
            _flush(run, batch)  # written, but no checkpoint: exactly what a killed worker leaves
            raise SimulatedCrash(f"stopped after {seen} rows")
        if since_checkpoint >= checkpoint_rows:
            _flush(run, batch)
            batch = []
            _checkpoint(run)
            since_checkpoint = 0
            if remaining_ms() < TIME_MARGIN_MS:
                _release(run.job, run.lease)
                enqueue(run.tenant_id, run.job.import_id)
                return "continued"
    _flush(run, batch)
    _checkpoint(run)
    return "done"


def _state_key(run: _Run) -> str:
    return f"{_prefix(run.tenant_id, run.job.import_id)}/state-{run.lease}.json"


def _load_state(job: ImportJobItem) -> dict[str, Any] | None:
    if not job.checkpoint_key:
        return None
    body = client("s3").get_object(Bucket=_bucket(), Key=job.checkpoint_key)["Body"].read()
    return json.loads(body)


def _checkpoint(run: _Run) -> None:
    """Errors part of the segment, then the state, then the job item (conditional on the lease)."""
    from skailan.crm.capture.imports.errors_csv import errors_csv_rows

    if run.pending:
        run.pending.sort(key=lambda item: item.row_number)
        key = f"{_prefix(run.tenant_id, run.job.import_id)}/errors/{run.segment_start:010d}-{run.lease}.csv"
        _put(key, errors_csv_rows(run.pending, run.headers), "text/csv")
        run.segments.append(key)
        run.error_rows += len(run.pending)
        run.pending = []
    run.segment_start = run.acc.next_row
    state = {"accumulator": run.acc.state(), "segments": run.segments, "error_rows": run.error_rows}
    key = _state_key(run)
    _put(key, json.dumps(state, separators=(",", ":")).encode(), "application/json")
    summary = run.acc.summary()
    _update_leased(run.job, run.lease, [
        ImportJobItem.rows_processed.set(run.acc.rows), ImportJobItem.summary.set(summary),
        ImportJobItem.error_rows.set(run.error_rows), ImportJobItem.checkpoint_key.set(key),
        ImportJobItem.lease_until.set(int(time.time()) + LEASE_SECONDS)])


def _join_errors(run: _Run) -> str | None:
    from skailan.crm.capture.imports.errors_csv import errors_csv_header

    if not run.error_rows:
        return None
    s3 = client("s3")
    key = f"{_prefix(run.tenant_id, run.job.import_id)}/errors.csv"
    with tempfile.TemporaryFile() as out:
        out.write(errors_csv_header(run.headers))
        for part in run.segments:
            body = s3.get_object(Bucket=_bucket(), Key=part)["Body"]
            for chunk in iter(functools.partial(body.read, 1 << 20), b""):
                out.write(chunk)
        out.seek(0)
        s3.upload_fileobj(out, _bucket(), key, ExtraArgs={"ContentType": "text/csv; charset=utf-8"})
    return key


def _complete(run: _Run) -> None:
    errors_key = _join_errors(run)
    from skailan.crm.store.person_reads import people_total

    summary = {**run.acc.summary(), "people_total": people_total(run.tenant_id)}
    _update_leased(run.job, run.lease, [
        ImportJobItem.status.set("completed"), ImportJobItem.summary.set(summary),
        ImportJobItem.rows_processed.set(run.acc.rows), ImportJobItem.error_rows.set(run.error_rows),
        ImportJobItem.finished_at.set(iso()), ImportJobItem.lease_owner.remove(), ImportJobItem.lease_until.remove(),
        *([ImportJobItem.errors_key.set(errors_key)] if errors_key else [])])
    _emit(run.tenant_id, "contact_import.completed", None, run.job.import_id,
          {"summary": summary, "list_id": run.job.list_id, "filename": run.job.filename})


# ---------------------------------------------------------------- matching and writing a batch


def _warn(candidate: Any, field_name: str, code: str, es: str, en: str) -> None:
    from skailan.crm.capture.imports.rows import RowWarning

    candidate.warnings.append(RowWarning(field=field_name, error=code, reason_es=es, reason_en=en))


def _flush(run: _Run, batch: list[Any]) -> None:
    """Match a batch of unique candidates, create or update their people, report the outcomes."""
    from skailan.crm.store.person_writes import lookup_owners

    if not batch:
        return
    owners = lookup_owners(run.tenant_id, (k for c in batch for k in c.match_keys()))
    creates: list[Any] = []
    replayed = 0
    by_person: dict[str, list[Any]] = {}
    for candidate in batch:
        matched = [owners[k] for k in candidate.match_keys() if k in owners]
        if not matched:
            creates.append(candidate)
        elif matched[0] == row_person_id(run.job, candidate.row_number):
            replayed += 1  # created by an earlier run of this import that crashed before its checkpoint
        else:
            by_person.setdefault(matched[0], []).append(candidate)
    created_ids, retry = _create(run, creates)
    if retry:  # an identity was claimed meanwhile (another request, a form): those rows update
        more = lookup_owners(run.tenant_id, (k for c in retry for k in c.match_keys()))
        owners.update(more)
        for candidate in retry:
            matched = [more[k] for k in candidate.match_keys() if k in more]
            by_person.setdefault(matched[0], []).append(candidate)
    matched_rows = sum(len(v) for v in by_person.values())
    if _policy(run) == "skip":  # matched people stay exactly as they are (no list, no timeline)
        updated_ids: list[str] = []
        run.acc.record_created(len(created_ids) + replayed)
        run.acc.record_skipped(matched_rows)
    else:
        updated_ids = _update(run, by_person, owners)
        run.acc.record_created(len(created_ids) + replayed)
        run.acc.record_updated(matched_rows)
    if updated_ids and run.job.list_id:
        from skailan.crm.audiences.lists import add_members

        for start in range(0, len(updated_ids), 100):
            add_members(None, run.tenant_id, run.job.list_id, updated_ids[start:start + 100], timeline=True)
    run.pending.extend(c for c in batch if c.warnings)
    if created_ids or updated_ids:
        from skailan.crm.events import build, emit_many

        emit_many([build(run.tenant_id, "contact.imported", entity_type="contact_import",
                         entity_id=run.job.import_id,
                         data={"import_id": run.job.import_id, "created": created_ids, "updated": updated_ids})])


def _new_person(run: _Run, candidate: Any, now: str) -> Any:
    from skailan.crm.store.person_writes import email_identity, new_person_item, phone_identity, set_identity

    item = new_person_item(run.tenant_id, row_person_id(run.job, candidate.row_number), candidate.name, now)
    item.phone, item.email = candidate.phone, candidate.email
    set_identity(item, phone_identity(candidate.phone) if candidate.phone else None, kind="phone")
    set_identity(item, email_identity(candidate.email) if candidate.email else None, kind="email")
    item.custom = _custom_of(candidate)
    item.tags = list(candidate.tags)
    item.owner_id = run.job.owner_id
    item.journey_state = run.default_state
    return item


def _custom_of(candidate: Any) -> dict[str, Any]:
    custom = dict(candidate.custom)
    for target, (key, _label) in CUSTOM_TARGETS.items():
        value = getattr(candidate, target, None)
        if value:
            custom[key] = value
    return custom


def _timeline(run: _Run, person_id: str, candidate: Any, now: str, created: bool) -> list[Any]:
    from skailan.crm.store.timeline_items import timeline_item

    ref = {"type": "import", "id": run.job.import_id, "row": candidate.row_number}
    summary = (f"Importado desde {run.job.filename}" if created else f"Actualizado desde {run.job.filename}")
    entries = [timeline_item(run.tenant_id, person_id, "imported", summary, ref=ref, occurred_at=now,
                             entry_id=f"{run.job.import_id}-{candidate.row_number}")]
    if candidate.notes:
        entries.append(timeline_item(run.tenant_id, person_id, "note", " ".join(candidate.notes.split())[:140],
                                     ref={"type": "note", "import_id": run.job.import_id}, body=candidate.notes,
                                     occurred_at=now, entry_id=f"{run.job.import_id}-{candidate.row_number}-note"))
    return entries


def _create(run: _Run, candidates: list[Any]) -> tuple[list[str], list[Any]]:
    from skailan.crm.store.person_writes import PersonWrite, commit

    if not candidates:
        return [], []
    now = iso()
    writes = []
    for candidate in candidates:
        item = _new_person(run, candidate, now)
        writes.append(PersonWrite(after=item, extra=_timeline(run, item.person_id, candidate, now, True),
                                  list_id=run.job.list_id, token=candidate))
    failed = commit(run.tenant_id, writes)
    if any(w.failure == "list_missing" for w in failed):
        raise ImportFileError("list_missing", "La lista de destino ya no existe", "The target list no longer exists")
    retry = [w.token for w in failed if w.failure == "identity_taken"]
    if len(retry) != len(failed):
        raise RuntimeError(f"{len(failed) - len(retry)} people could not be created")
    failed_ids = {id(w) for w in failed}
    return [w.after.person_id for w in writes if id(w) not in failed_ids], retry


def _policy(run: _Run) -> str:
    return run.job.update_policy or "fill_empty"  # jobs started before the policy existed: the safe one


def _apply(run: _Run, person: Any, candidate: Any, owners: dict[tuple[str, str], str]) -> None:
    """Update a matched person by the import's policy: `overwrite` — the file's values win;
    `fill_empty` — only fields the person lacks are filled (never a rename, never a replaced
    e-mail, phone or custom value). Either way blank cells never erase, tags are added and the
    owner is set only when there is none."""
    from skailan.crm.store.person_writes import email_identity, phone_identity, set_identity
    from skailan.crm.values.text import tag_key

    overwrite = _policy(run) == "overwrite"
    if overwrite or not (person.name or "").strip():
        person.name = candidate.name
    if candidate.email and candidate.email != person.email and (overwrite or not person.email):
        holder = owners.get(("email", candidate.email))
        if holder and holder != person.person_id:
            _warn(candidate, "email", "email_taken", "El correo pertenece a otra persona; no se cambió",
                  "The e-mail belongs to another person; not changed")
        else:
            person.email = candidate.email
            set_identity(person, email_identity(candidate.email), kind="email")
    if candidate.phone and (overwrite or not person.phone):
        ident = phone_identity(candidate.phone)
        if not person.phone or phone_identity(person.phone).key != ident.key:
            holder = owners.get(("phone", ident.key))
            if holder and holder != person.person_id:
                _warn(candidate, "phone", "phone_taken", "El celular pertenece a otra persona; no se cambió",
                      "The phone belongs to another person; not changed")
            else:
                person.phone = candidate.phone
                set_identity(person, ident, kind="phone")
    custom = _custom_of(candidate)
    if custom:
        current = dict(person.custom or {})
        if not overwrite:
            custom = {k: v for k, v in custom.items() if current.get(k) in (None, "", [])}
        person.custom = {**current, **custom}
    have = {tag_key(t) for t in person.tags or []}
    person.tags = list(person.tags or []) + [t for t in candidate.tags if tag_key(t) not in have]
    if run.job.owner_id and not person.owner_id:
        person.owner_id = run.job.owner_id


def _follow_merges(tenant_id: str, pending: dict[str, list[Any]], people: dict[str, Any]) -> dict[str, list[Any]]:
    """Rows matched to a person merged into another one update the kept person."""
    from skailan.crm.store.person_reads import find_person

    out: dict[str, list[Any]] = {}
    for pid, candidates in pending.items():
        person = people.get(pid)
        if person is not None and person.merged_into and not person.deleted_at:
            kept = find_person(tenant_id, person.merged_into, consistent=True)
            if kept is not None and not kept.deleted_at and not kept.merged_into:
                people[kept.person_id] = kept
                pid = kept.person_id
        out.setdefault(pid, []).extend(candidates)
    for candidates in out.values():
        candidates.sort(key=lambda c: c.row_number)
    return out


def _update(run: _Run, by_person: dict[str, list[Any]], owners: dict[tuple[str, str], str]) -> list[str]:
    from skailan.crm.store.person_reads import batch_people
    from skailan.crm.store.person_writes import PersonWrite, commit, derive, touch

    pending = dict(by_person)
    done: list[str] = []
    for _attempt in range(3):
        if not pending:
            return done
        people = batch_people(run.tenant_id, list(pending))
        pending = _follow_merges(run.tenant_id, pending, people)
        now = iso()
        writes = []
        for pid, candidates in pending.items():
            person = people.get(pid)
            if person is None or person.deleted_at or person.merged_into:
                raise RuntimeError("matched person vanished")  # the retry of the whole batch re-matches
            before = derive(person)
            extra = []
            for candidate in candidates:
                _apply(run, person, candidate, owners)
                extra += _timeline(run, pid, candidate, now, False)
            touch(person, now)
            writes.append(PersonWrite(after=person, before=before, extra=extra, token=pid))
        failed = commit(run.tenant_id, writes)
        failed_ids = {id(w) for w in failed}
        done += [w.after.person_id for w in writes if id(w) not in failed_ids]
        pending = {w.token: pending[w.token] for w in failed}
        for write in failed:  # somebody else took a phone/e-mail meanwhile: re-read the owners
            for ident in write.taken:
                owners[(ident.kind, ident.key)] = "someone-else"
    if pending:
        raise RuntimeError(f"{len(pending)} people kept changing during the import")
    return done


# ---------------------------------------------------------------- SQS entry point


def handle_message(body: str, remaining_ms: Callable[[], int], receipt_handle: str | None = None) -> str:
    """One SQS message. On an error the message comes back after `RETRY_DELAY_SECONDS` instead of
    the queue's whole visibility timeout (which is sized for a run that dies mid-way)."""
    message = json.loads(body)
    try:
        return run_import(str(message["tenant_id"]), str(message["import_id"]), remaining_ms=remaining_ms)
    except Exception:
        if receipt_handle:
            with contextlib.suppress(Exception):
                client("sqs").change_message_visibility(QueueUrl=get_settings().imports_queue_url,
                                                        ReceiptHandle=receipt_handle,
                                                        VisibilityTimeout=RETRY_DELAY_SECONDS)
        raise
