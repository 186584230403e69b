"""The e-mail module's data access (inbox table): templates, signatures, auto-responses and their
per-sender markers, and the folders and labels of e-mail conversations (`conversations/inbox/mail.py`,
`conversations/inbox/mail_folders.py` and `signatures.py` decide)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from skailan.conversations.inbox_events import table
from skailan.conversations.store import ops
from skailan.conversations.store.inbox_items import EmailSignatureItem, signature_pk, signature_sk
from skailan.conversations.store.mail_items import (
    TEMPLATE_PREFIX,
    AutoReplyMarkerItem,
    AutoResponseItem,
    EmailTemplateItem,
    FolderEntryItem,
    FolderRecordItem,
    autoreply_markers_pk,
    autoresponse_key,
    email_template_sk,
    email_templates_pk,
    filing_key,
    folder_pk,
    label_pk,
)
from skailan.platform import outbox
from skailan.platform.clock import iso
from skailan.platform.events import DomainEvent
from skailan.platform.storage import ConditionFailed, conditional, query_page, transaction

# ---------------------------------------------------------------- templates


def find_template(tenant_id: str, template_id: str) -> EmailTemplateItem | None:
    return ops.get(EmailTemplateItem, email_templates_pk(tenant_id), email_template_sk(template_id))


def new_template(tenant_id: str, template_id: str, **values: Any) -> EmailTemplateItem:
    return EmailTemplateItem(email_templates_pk(tenant_id), email_template_sk(template_id), tenant_id=tenant_id,
                             template_id=template_id, **values)


def insert_template(item: EmailTemplateItem, *, events: Sequence[DomainEvent] = ()) -> None:
    ops.insert(item, events=events)


def save_template(item: EmailTemplateItem, *, events: Sequence[DomainEvent] = ()) -> None:
    ops.save(item, events=events)


def delete_template(item: EmailTemplateItem, *, events: Sequence[DomainEvent] = ()) -> None:
    ops.delete(item, events=events)


def page_of_templates(tenant_id: str, *, cursor: str | None,
                      limit: int | None) -> tuple[list[EmailTemplateItem], str | None]:
    return query_page(EmailTemplateItem, email_templates_pk(tenant_id), TEMPLATE_PREFIX, cursor=cursor, limit=limit)


# ---------------------------------------------------------------- signatures


def find_signature(tenant_id: str, user_id: str | None) -> EmailSignatureItem | None:
    """A user's signature, or (user_id None) the brand's."""
    return ops.get(EmailSignatureItem, signature_pk(tenant_id), signature_sk(user_id))


def put_signature(tenant_id: str, user_id: str | None, *, events: Sequence[DomainEvent] = (), **values: Any) -> None:
    outbox.put_with(EmailSignatureItem(signature_pk(tenant_id), signature_sk(user_id), tenant_id=tenant_id, **values),
                    events, table())


# ---------------------------------------------------------------- auto-responses


def find_autoresponse(tenant_id: str, account_id: str) -> AutoResponseItem | None:
    return ops.get(AutoResponseItem, *autoresponse_key(tenant_id, account_id))


def put_autoresponse(tenant_id: str, account_id: str, *, events: Sequence[DomainEvent] = (), **values: Any) -> None:
    outbox.put_with(AutoResponseItem(*autoresponse_key(tenant_id, account_id), tenant_id=tenant_id,
                                     account_id=account_id, **values), events, table())


def claim_sender(tenant_id: str, account_id: str, sender: str, *, now: datetime, until: datetime,
                 ttl: datetime) -> bool:
    """The sender's marker until `until`, unless one still holds: True for exactly one claimant."""
    marker = AutoReplyMarkerItem(autoreply_markers_pk(tenant_id, account_id), sender, tenant_id=tenant_id,
                                 until=iso(until), ttl=ttl, created_at=iso(now))
    try:
        with conditional():
            marker.save(condition=AutoReplyMarkerItem.pk.does_not_exist() | (AutoReplyMarkerItem.until < iso(now)))
    except ConditionFailed:
        return False
    return True


# ---------------------------------------------------------------- folders and labels


def filing(tenant_id: str, conversation_id: str) -> FolderRecordItem | None:
    return ops.get(FolderRecordItem, *filing_key(tenant_id, conversation_id), consistent=True)


def write_filing(tenant_id: str, conversation_id: str, current: FolderRecordItem | None, folder: str,
                 labels: set[str]) -> FolderRecordItem:
    """The record and the folder / label entries change together, under the record's revision
    (`ConditionFailed` when it changed since `current` was read)."""
    rev = int(current.rev or 0) if current else 0
    now = iso()
    record = FolderRecordItem(*filing_key(tenant_id, conversation_id), tenant_id=tenant_id,
                              conversation_id=conversation_id, folder=folder, labels=labels or None, rev=rev + 1,
                              created_at=current.created_at if current else now, updated_at=now)
    old_folder = current.folder if current else None
    old_labels = set(current.labels or []) if current else set()
    condition = (FolderRecordItem.rev == rev) if current else FolderRecordItem.pk.does_not_exist()

    def entry(pk: str) -> FolderEntryItem:
        return FolderEntryItem(pk, conversation_id, tenant_id=tenant_id, conversation_id=conversation_id,
                               created_at=now)

    with conditional(), transaction() as tx:
        tx.save(record, condition=condition)
        if old_folder != folder:
            if old_folder:
                tx.delete(FolderEntryItem(folder_pk(tenant_id, old_folder), conversation_id))
            tx.save(entry(folder_pk(tenant_id, folder)))
        for label in old_labels - labels:
            tx.delete(FolderEntryItem(label_pk(tenant_id, label), conversation_id))
        for label in labels - old_labels:
            tx.save(entry(label_pk(tenant_id, label)))
    return record


def page_of_filed(tenant_id: str, *, folder: str | None, label: str | None, cursor: str | None,
                  limit: int | None) -> tuple[list[str], str | None]:
    """The conversation ids of a folder (or a label), one page, and the next cursor."""
    pk = folder_pk(tenant_id, folder) if folder else label_pk(tenant_id, str(label))
    entries, next_cursor = query_page(FolderEntryItem, pk, cursor=cursor, limit=limit)
    return [entry.conversation_id for entry in entries], next_cursor
