"""Export of a filtered people list to CSV, written by a worker, downloaded by presigned URL.

`POST /v1/contacts/exports` stores a job (`T#<t>#EXPORTS`, `EXPORT#<id>`, kept 7 days by TTL)
and emits `contact_export.requested`; the exports worker (EventBridge rule → SQS) walks the
same Queries the list endpoint uses, page by page, into a temporary file (bounded memory),
uploads it to the exports bucket under `exports/<tenant>/<id>.csv` (the bucket expires
objects after 7 days) and marks the job completed. `GET /v1/contacts/exports/{id}` answers
the status and, once completed, a presigned GET URL valid for 15 minutes.

The CSV is UTF-8 with a BOM (Excel opens it right); cells that a spreadsheet would read as a
formula (`=`, `+`, `-`, `@` at the start of free text) are prefixed with `'`. Phones are
E.164 and are written as they are.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from skailan.crm.audiences.models import ExportCreatedOut, ExportIn, ExportOut
from skailan.crm.events import build
from skailan.crm.references import existing
from skailan.crm.store import audiences as store
from skailan.crm.store.items import ExportItem
from skailan.platform.auth import Caller
from skailan.platform.clock import iso, utcnow
from skailan.platform.csv_cells import safe_cell
from skailan.platform.ids import new_id
from skailan.platform.settings import get_settings

KEEP_DAYS = 7
URL_SECONDS = 900
BASE_COLUMNS = ("id", "name", "phone", "email", "tags", "owner_id", "journey_state", "customer_role",
                "created_at", "updated_at")


def _out(item: ExportItem, url: str | None = None) -> ExportOut:
    return ExportOut(id=item.export_id, status=item.status, rows=int(item.rows or 0), download_url=url,
                     error=item.error, created_at=item.created_at)


def request_export(caller: Caller, filters: ExportIn) -> ExportCreatedOut:
    if filters.owner_id == "me":  # as the people list: the caller's own people
        filters = filters.model_copy(update={"owner_id": caller.principal_id})
    export_id = new_id()
    now = utcnow()
    stored = filters.model_dump(exclude_none=True)
    store.new_export(caller.tenant_id, export_id, filters=stored, requested_by=caller.principal_id, now=now,
                     expires=now + timedelta(days=KEEP_DAYS),
                     events=[build(caller.tenant_id, "contact_export.requested", caller=caller,
                                   entity_type="contact_export", entity_id=export_id, data={"filters": stored})])
    return ExportCreatedOut(id=export_id, status="pending")


def _load(tenant_id: str, export_id: str) -> ExportItem:
    return existing(store.find_export(tenant_id, export_id), "Exportación no encontrada", "Export not found",
                    "export_not_found")


def get_export(tenant_id: str, export_id: str) -> ExportOut:
    item = _load(tenant_id, export_id)
    url = None
    if item.status == "completed" and item.s3_key:
        from skailan.platform.aws import client

        url = client("s3").generate_presigned_url(
            "get_object", Params={"Bucket": get_settings().exports_bucket, "Key": item.s3_key,
                                  "ResponseContentDisposition": f'attachment; filename="contacts-{export_id}.csv"'},
            ExpiresIn=URL_SECONDS)
    return _out(item, url)


def _safe(value: Any) -> str:
    return safe_cell("" if value is None else str(value))


def _row(person: Any, custom_keys: list[str]) -> list[str]:
    custom = person.custom or {}
    values = [person.id, _safe(person.name), person.phone or "", _safe(person.email), _safe(";".join(person.tags)),
              person.owner_id or "", person.journey_state or "", person.customer_role or "", person.created_at or "",
              person.updated_at or ""]
    for key in custom_keys:
        value = custom.get(key)
        values.append(_safe(";".join(map(str, value)) if isinstance(value, list) else value))
    return values


def run_export(tenant_id: str, export_id: str) -> int:
    """Worker side: write the CSV and mark the job; returns the rows written. Safe to redo."""
    import csv
    import io
    import tempfile

    from skailan.crm.people.service import PeopleFilter, list_people
    from skailan.crm.vocabulary.definitions import load
    from skailan.platform.aws import client

    item = _load(tenant_id, export_id)
    if item.status == "completed":
        return int(item.rows or 0)
    store.set_export_fields(item, {"status": "running", "updated_at": iso()})
    filters = PeopleFilter(**item.filters)
    custom_keys = [d.key for d in load(tenant_id).fields]
    key = f"exports/{tenant_id}/{export_id}.csv"
    rows = 0
    try:
        with tempfile.TemporaryFile() as raw:
            text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
            writer = csv.writer(text)
            writer.writerow([*BASE_COLUMNS, *(f"custom.{k}" for k in custom_keys)])
            cursor: str | None = None
            while True:
                page = list_people(tenant_id, filters, cursor=cursor, limit=100)
                for person in page.items:
                    writer.writerow(_row(person, custom_keys))
                    rows += 1
                cursor = page.next_cursor
                if not cursor:
                    break
            text.flush()
            text.detach()  # keep `raw` open: the wrapper would close it when collected
            raw.seek(0)
            client("s3").upload_fileobj(raw, get_settings().exports_bucket, key,
                                        ExtraArgs={"ContentType": "text/csv; charset=utf-8"})
    except Exception as err:
        store.set_export_fields(item, {"status": "failed", "error": type(err).__name__, "updated_at": iso()})
        raise
    store.set_export_fields(item, {"status": "completed", "s3_key": key, "rows": rows, "updated_at": iso()})
    return rows
