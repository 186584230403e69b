"""Imports of people from CSV / XLSX (Keybe *Conecta → Importaciones*): the API side.

1. `create_import` stores a job (`pending`) and answers a presigned S3 PUT URL for the file.
2. `get_import` shows the job; once the file is there it reads the header row (a ranged read:
   the first 256 KiB of a CSV, or only the parts of an XLSX openpyxl needs) and caches the
   headers and the suggested mapping on the job.
3. `start_import` checks the file (size by HeadObject, headers), completes and validates the
   mapping, creates the custom fields asked for (`custom:<new key>`), creates the new list,
   and queues the job on SQS. Problems found here fail the job at once and answer 422.

The rest lives beside it (docs/imports.md): `files` (S3), `worker` (the run, fed by SQS) and
the job item with the worker's lease in `crm.store.import_jobs`.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Literal, cast

from skailan.crm.capture.imports.files import bucket, head_object, prefix, presigner, read_headers, too_large
from skailan.crm.capture.imports.mapping import CUSTOM_TARGETS
from skailan.crm.capture.imports.reader import ImportFileError
from skailan.crm.capture.imports.worker import as_int, build_job_event, enqueue
from skailan.crm.references import check_member
from skailan.crm.store.import_jobs import (
    error_json,
    fail_unstarted,
    find_job,
    jobs_partition,
    new_job,
    query_jobs,
    queue,
    record_headers,
    unqueue,
)
from skailan.crm.store.sales_items import ImportJobItem
from skailan.crm.store.transact import outbox_table
from skailan.platform import outbox
from skailan.platform.clock import iso
from skailan.platform.errors import Conflict, NotFound, Unprocessable
from skailan.platform.i18n import both
from skailan.platform.ids import is_valid_id, new_id
from skailan.platform.pagination import clamp_limit, decode_cursor, encode_cursor
from skailan.platform.settings import get_settings

if TYPE_CHECKING:  # the worker never builds API models: they are imported where the API needs them
    from skailan.crm.sales.models import ImportCreatedOut, ImportIn, ImportOut, ImportStartIn
    from skailan.crm.values.types import Page
    from skailan.platform.auth import Caller

ImportStatus = Literal["pending", "running", "completed", "failed"]  # ImportOut.status, stored as text


UPLOAD_EXPIRES = 900


DOWNLOAD_EXPIRES = 3600


SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm")


NOT_FOUND = both("Importación no encontrada", "Import not found")


def _out(job: ImportJobItem, *, errors_url: bool = True, uploaded: bool | None = None) -> ImportOut:
    from skailan.crm.sales.models import ImportErrorOut, ImportOut, ImportProgressOut, ImportSummaryOut

    summary = dict(job.summary or {})
    url = None
    if errors_url and job.status == "completed" and job.errors_key and as_int(job.error_rows):
        stem = job.filename.rsplit(".", 1)[0][:80].replace('"', "")
        url = presigner().generate_presigned_url(
            "get_object",
            Params={"Bucket": bucket(), "Key": job.errors_key,
                    "ResponseContentDisposition": f'attachment; filename="errores-{stem}.csv"',
                    "ResponseContentType": "text/csv; charset=utf-8"},
            ExpiresIn=DOWNLOAD_EXPIRES,
        )
    return ImportOut(
        id=job.import_id, status=cast(ImportStatus, job.status), filename=job.filename, target=job.target or {"kind": "none"},
        list_id=job.list_id, owner_id=job.owner_id,
        uploaded=uploaded if uploaded is not None else (job.headers is not None or job.status != "pending"),
        file_size=as_int(job.file_size) if job.file_size is not None else None,
        headers=job.headers, suggested_mapping=job.suggested_mapping, mapping=job.mapping,
        progress=ImportProgressOut(rows_processed=as_int(job.rows_processed),
                                   rows_total=as_int(job.rows_total) if job.rows_total is not None else None),
        update_policy=job.update_policy,  # type: ignore[arg-type]
        summary=ImportSummaryOut(**{**{k: v for k, v in summary.items() if k in ImportSummaryOut.model_fields},
                                    "update_policy": job.update_policy}),
        error_rows=as_int(job.error_rows), errors_url=url,
        error=ImportErrorOut(**job.error) if job.error else None,
        created_at=job.created_at, queued_at=job.queued_at, started_at=job.started_at, finished_at=job.finished_at,
    )


def _load(tenant_id: str, import_id: str, *, consistent: bool = False) -> ImportJobItem:
    if not is_valid_id(import_id):
        raise NotFound(NOT_FOUND, code="import_not_found")
    job = find_job(tenant_id, import_id, consistent=consistent)
    if job is None:
        raise NotFound(NOT_FOUND, code="import_not_found")
    return job


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
    check_member(errors, tenant_id, data.owner_id)
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
    key = f"{prefix(caller.tenant_id, import_id)}/source"
    target = data.target.model_dump(exclude_none=True)
    filename = data.filename.strip()
    new_job(caller.tenant_id, import_id, status="pending", filename=filename, source_key=key,
            target=target, list_id=data.target.list_id if data.target.kind == "existing_list" else None,
            owner_id=data.owner_id, created_by=caller.principal_id, summary={}, created_at=now, updated_at=now,
            events=[build_job_event(caller.tenant_id, "contact_import.created", caller, import_id,
                              {"filename": filename, "target": target})])
    url = presigner().generate_presigned_url("put_object", Params={"Bucket": bucket(), "Key": key},
                                              ExpiresIn=UPLOAD_EXPIRES)
    return ImportCreatedOut(id=import_id, upload_url=url, upload_expires_in=UPLOAD_EXPIRES,
                            max_bytes=get_settings().import_max_bytes)


def list_imports(tenant_id: str, *, cursor: str | None, limit: int | None) -> Page[ImportOut]:
    from skailan.crm.sales.models import ImportOut
    from skailan.crm.values.types import Page

    pk = jobs_partition(tenant_id)
    results = query_jobs(tenant_id, start=decode_cursor(cursor, partition_attr="pk", partition_value=pk),
                         limit=clamp_limit(limit))
    items = [_out(job, errors_url=False) for job in results]
    return Page[ImportOut](items=items, next_cursor=encode_cursor(results.last_evaluated_key))


def get_import(tenant_id: str, import_id: str) -> ImportOut:
    job = _load(tenant_id, import_id)
    if job.status == "pending" and job.headers is None:
        return _out(job, uploaded=_detect_upload(job) is not None)
    return _out(job)


def _detect_upload(job: ImportJobItem, *, strict: bool = False) -> dict[str, Any] | None:
    """Read the uploaded file's headers once and cache them (with the suggestion) on the job.

    `strict` (the start route) raises what the file's problem is; a read (GET) just leaves the
    job as it is, so the problem shows when the user starts."""
    head = head_object(job.source_key)
    if head is None:
        return None
    size, etag = int(head["ContentLength"]), head.get("ETag", "")
    if job.headers is not None and job.source_etag == etag:
        return head
    if size > get_settings().import_max_bytes:
        if strict:
            raise too_large(size)
        job.file_size = size
        return head
    if size == 0:
        if strict:
            raise ImportFileError("empty_file", "El archivo está vacío", "The file is empty")
        return head
    try:
        headers = read_headers(job, size)
    except ImportFileError:
        if strict:
            raise
        return head
    from skailan.crm.capture.imports.mapping import suggest_mapping
    from skailan.crm.vocabulary.definitions import load

    custom_keys = [d.key for d in load(job.tenant_id).fields]
    suggested = suggest_mapping(headers, custom_keys)
    record_headers(job, headers, suggested, size, etag)
    return head


def _fail_now(job: ImportJobItem, err: ImportFileError) -> None:
    """Fail a job that never started (the start route found the file unusable)."""
    error = error_json(err.reason, err.message_es, err.message_en, err.row)
    fail_unstarted(job, error, events=[build_job_event(job.tenant_id, "contact_import.failed", None, job.import_id,
                                                 {"reason": err.reason})])


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
    if not queue(job, mapping=mapping, update_policy=data.update_policy, list_id=list_id or None, now=now):
        raise Conflict(both("La importación ya se inició", "The import has already started"),
                       code="import_already_started")
    try:
        enqueue(tenant_id, import_id)
    except Exception:
        unqueue(job)
        raise
    # After the queue send (a failed send undoes the start): not in `queue`'s write.
    outbox.write([build_job_event(tenant_id, "contact_import.started", caller, import_id,
                            {"list_id": list_id, "fields_created": sorted(new_fields),
                             "update_policy": data.update_policy})], outbox_table())
    return _out(job)


def _create_fields(caller: Caller, new_fields: dict[str, str]) -> None:
    from skailan.crm.vocabulary.definitions import create_field
    from skailan.crm.vocabulary.fields import FieldDefinitionIn, FieldType

    for key, label in new_fields.items():
        try:
            create_field(caller, FieldDefinitionIn(key=key, label=label, type=FieldType.SHORT_TEXT))
        except Conflict:
            continue  # created meanwhile: what we need exists

