"""Forms as stored items (layout in sales_items.py): the form, its global guard (form id → brand,
for the public submit URL), its submissions and the per-IP rate counters. Every write takes its
domain events (`events=`) in the same transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from skailan.crm.store import records
from skailan.crm.store.sales_items import (
    FORM,
    FORM_GUARD_SK,
    SUB,
    FormGuardItem,
    FormItem,
    FormSubmissionItem,
    RateCounterItem,
    form_guard_pk,
    form_rate_pk,
    form_submissions_pk,
    forms_pk,
    rate_counter_sk,
    submission_sk,
)
from skailan.crm.store.transact import outbox_table, save_if
from skailan.platform import outbox
from skailan.platform.events import DomainEvent
from skailan.platform.storage import Action, transaction


def new_form(tenant_id: str, form_id: str, now: str, *, events: Sequence[DomainEvent] = (),
             **attributes: Any) -> FormItem:
    """The form and its guard, both new, and the events in one transaction."""
    item = FormItem(forms_pk(tenant_id), FORM + form_id, tenant_id=tenant_id, form_id=form_id, submissions=0,
                    created_at=now, updated_at=now, **attributes)
    guard = FormGuardItem(form_guard_pk(form_id), FORM_GUARD_SK, tenant_id=tenant_id, form_id=form_id, created_at=now)
    with transaction() as tx:
        tx.save(item, condition=FormItem.pk.does_not_exist())
        tx.save(guard, condition=FormGuardItem.pk.does_not_exist())
        outbox.add(tx, events, outbox_table())
    return item


def find_form(tenant_id: str, form_id: str) -> FormItem | None:
    return records.find(FormItem, forms_pk(tenant_id), FORM + form_id)


def form_tenant(form_id: str) -> str | None:
    """The brand a public form id belongs to (its guard item), or None."""
    guard = records.find(FormGuardItem, form_guard_pk(form_id), FORM_GUARD_SK)
    return guard.tenant_id if guard is not None else None


def forms_page(tenant_id: str, *, cursor: str | None, limit: int | None) -> records.Found[FormItem]:
    return records.page(FormItem, forms_pk(tenant_id), FORM, cursor=cursor, limit=limit, newest_first=True)


def save_form(item: FormItem, *, events: Sequence[DomainEvent] = ()) -> bool:
    """Save an edited form with its events; False, nothing written, when someone else saved it
    since it was read (VersionAttribute)."""
    return save_if(item, events=events)


def delete_form(item: FormItem, *, events: Sequence[DomainEvent] = ()) -> None:
    """The form and its guard (its URL stops working) and the events in one transaction; submissions stay."""
    with transaction() as tx:
        tx.delete(item, add_version_condition=False)
        tx.delete(FormGuardItem(form_guard_pk(item.form_id), FORM_GUARD_SK))
        outbox.add(tx, events, outbox_table())


def submissions_page(tenant_id: str, form_id: str, *, cursor: str | None,
                     limit: int | None) -> records.Found[FormSubmissionItem]:
    return records.page(FormSubmissionItem, form_submissions_pk(tenant_id, form_id), SUB, cursor=cursor, limit=limit,
                        newest_first=True)


def submission_item(form: FormItem, submission_id: str, now: str, **attributes: Any) -> FormSubmissionItem:
    """A submission record, written with the person in `person_writes.commit` (as an extra item)."""
    return FormSubmissionItem(form_submissions_pk(form.tenant_id, form.form_id), submission_sk(now, submission_id),
                              tenant_id=form.tenant_id, form_id=form.form_id, submission_id=submission_id,
                              created_at=now, **attributes)


def submission_counter(form: FormItem) -> tuple[FormItem, list[Action]]:
    """The form's submissions count +1, as an update for the person's transaction."""
    return FormItem(form.pk, form.sk), [FormItem.submissions.add(1)]


def count_hit(tenant_id: str, form_id: str, ip_hash: str, window: int, expires: datetime) -> int:
    """One more submission from an IP in a rate window (atomic ADD); the window's hits so far."""
    counter = RateCounterItem(form_rate_pk(tenant_id, form_id), rate_counter_sk(ip_hash, window))
    counter.update(actions=[RateCounterItem.hits.add(1), RateCounterItem.ttl.set(expires),
                            RateCounterItem.kind.set(RateCounterItem)])
    return int(counter.hits or 0)
