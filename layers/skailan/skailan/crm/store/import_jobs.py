"""The import job item: read, create, list, and its conditional updates — the worker's lease
(`lease_owner` / `lease_until`) among them, so two workers never run one import.

Every change to a job after its creation is a conditional UpdateItem: `update_if` answers False
when the condition failed (someone else got there first), `update_leased` raises `LeaseLost`
when the caller no longer holds the lease. The writes that change what the job is (created,
failed, finished) take their domain events (`events=`) in the same transaction.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Mapping, Sequence
from typing import Any

from pynamodb.expressions.update import Action
from pynamodb.pagination import ResultIterator

from skailan.crm.store import transact
from skailan.crm.store.sales_items import IMPORT, ImportJobItem, imports_pk
from skailan.platform import outbox
from skailan.platform.clock import iso
from skailan.platform.events import DomainEvent
from skailan.platform.i18n import both

LEASE_SECONDS = 120


class LeaseLost(Exception):
    """The job's lease is held by another worker now: stop without touching the job."""


def new_job(tenant_id: str, import_id: str, *, events: Sequence[DomainEvent] = (), **attributes: Any) -> ImportJobItem:
    """Store a new job (never over an existing one) with its events."""
    job = ImportJobItem(imports_pk(tenant_id), IMPORT + import_id, tenant_id=tenant_id, import_id=import_id,
                        **attributes)
    outbox.put_with(job, events, transact.outbox_table(), condition=ImportJobItem.pk.does_not_exist())
    return job


def find_job(tenant_id: str, import_id: str, *, consistent: bool = False) -> ImportJobItem | None:
    try:
        return ImportJobItem.get(imports_pk(tenant_id), IMPORT + import_id, consistent_read=consistent)
    except ImportJobItem.DoesNotExist:
        return None


def query_jobs(tenant_id: str, *, start: Any, limit: int) -> ResultIterator[ImportJobItem]:
    """The brand's jobs, newest first (one Query; `start` from `jobs_partition`'s cursor)."""
    return ImportJobItem.query(imports_pk(tenant_id), ImportJobItem.sk.startswith(IMPORT), scan_index_forward=False,
                               limit=limit, last_evaluated_key=start)


def jobs_partition(tenant_id: str) -> str:
    return imports_pk(tenant_id)


def _actions(changes: Mapping[str, Any]) -> list[Action]:
    """SET each attribute (None: REMOVE it)."""
    return [getattr(ImportJobItem, k).set(v) if v is not None else getattr(ImportJobItem, k).remove()
            for k, v in changes.items()]


def update_if(job: ImportJobItem, actions: list[Any], condition: Any, *,
              events: Sequence[DomainEvent] = ()) -> bool:
    """One conditional UpdateItem on the job (with `events`: and them, in one transaction, the job
    then not refreshed); False, nothing written, when the condition failed."""
    return transact.update_if(job, actions, condition, events=events)


def record_headers(job: ImportJobItem, headers: list[str], suggested: dict[str, Any], size: int,
                   etag: str | None) -> None:
    """What the uploaded file's first lines said, kept while the job is pending; a job that moved
    on meanwhile is read again instead (its state is the newer one)."""
    if not update_if(job, [*_actions({"headers": headers, "suggested_mapping": suggested, "file_size": size,
                                      "source_etag": etag}), ImportJobItem.updated_at.set(iso())],
                     ImportJobItem.status == "pending"):
        job.refresh()


def _not_started() -> Any:
    return (ImportJobItem.status == "pending") & ImportJobItem.mapping.does_not_exist()


def fail_unstarted(job: ImportJobItem, error: dict[str, Any], *, events: Sequence[DomainEvent] = ()) -> bool:
    """Fail a job that was never started (with its events); False when it was (or already failed)."""
    now = iso()
    return update_if(job, _actions({"status": "failed", "error": error, "finished_at": now, "updated_at": now}),
                     _not_started(), events=events)


def queue(job: ImportJobItem, *, mapping: dict[str, Any], update_policy: str, list_id: str | None, now: str) -> bool:
    """Start a job (its mapping, policy and target list); False when it was already started."""
    return update_if(job, _actions({"mapping": mapping, "queued_at": now, "update_policy": update_policy,
                                    "list_id": list_id, "updated_at": now}), _not_started())


def unqueue(job: ImportJobItem) -> None:
    """Undo `queue` when the job could not be sent to the worker (it can be started again)."""
    job.update(actions=_actions({"mapping": None, "queued_at": None, "update_policy": None}))


# ---------------------------------------------------------------- the worker's lease


def acquire_lease(job: ImportJobItem, lease: str) -> bool:
    """Take the job for this run (a pending or running job whose lease expired); False if busy."""
    now = int(time.time())
    condition = (ImportJobItem.status.is_in("pending", "running") & ImportJobItem.mapping.exists()
                 & (ImportJobItem.lease_until.does_not_exist() | (ImportJobItem.lease_until < now)))
    return update_if(job, [ImportJobItem.status.set("running"), ImportJobItem.lease_owner.set(lease),
                           ImportJobItem.lease_until.set(now + LEASE_SECONDS),
                           ImportJobItem.started_at.set(ImportJobItem.started_at | iso()),
                           ImportJobItem.updated_at.set(iso())], condition)


def _renewal() -> Action:
    """The action that extends the lease (added to a checkpoint's update)."""
    return ImportJobItem.lease_until.set(int(time.time()) + LEASE_SECONDS)


def update_leased(job: ImportJobItem, lease: str, changes: Mapping[str, Any], *, renew: bool = False) -> None:
    """Set attributes of a job this run holds (`renew`: and extend the lease); `LeaseLost` if it does not."""
    _update_leased(job, lease, [*_actions(changes), *([_renewal()] if renew else [])])


def _update_leased(job: ImportJobItem, lease: str, actions: list[Any], events: Sequence[DomainEvent] = ()) -> None:
    if not update_if(job, [*actions, ImportJobItem.updated_at.set(iso())], ImportJobItem.lease_owner == lease,
                     events=events):
        raise LeaseLost


def release_lease(job: ImportJobItem, lease: str, *, attempts: int | None = None) -> None:
    actions: list[Action] = [ImportJobItem.lease_owner.remove(), ImportJobItem.lease_until.remove()]
    if attempts is not None:
        actions.append(ImportJobItem.attempts.set(attempts))
    with contextlib.suppress(LeaseLost):
        _update_leased(job, lease, actions)


def finish_leased(job: ImportJobItem, lease: str, changes: Mapping[str, Any], *,
                  events: Sequence[DomainEvent] = ()) -> None:
    """The run's last update: the outcome, and the lease given back, with the outcome's events."""
    _update_leased(job, lease, _actions({**changes, "finished_at": iso(), "lease_owner": None, "lease_until": None}),
                   events)


def error_json(code: str, es: str, en: str, row: int | None = None) -> dict[str, Any]:
    """A failed job's stored `error` (ImportOut.error)."""
    return {"code": code, "message": both(es, en), "message_es": es, "message_en": en, "row": row}
