"""Folders and labels of e-mail conversations (SPEC §3 "organise").

Every e-mail conversation is in exactly one folder — `inbox` (a customer wrote), `sent` (the
business wrote first), `archived`, or a custom one — and has any number of labels. One record per
conversation (`T#t#EMC#<conv>` / `FILE`: folder, labels, `rev`) and one index item per folder and
per label (`T#t#EMF#<folder>` / `<conv>`, `T#t#EML#<label>` / `<conv>`), written in one
transaction under the record's `rev`: a conversation is never listed in two folders, and two
moves at once cannot leave a stale entry. A customer writing again brings an `archived` or `sent`
conversation back to `inbox`. Listing a folder or label is one Query plus one BatchGet of the
conversations (the agent's visibility applied), paginated by an opaque cursor.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from skailan.conversations.store.mail_items import (
    FolderEntryItem,
    FolderRecordItem,
    filing_key,
    folder_pk,
    label_pk,
)
from skailan.platform.auth import Caller
from skailan.platform.clock import iso
from skailan.platform.errors import Conflict, Unprocessable
from skailan.platform.models import RequestModel, ResponseModel
from skailan.platform.pagination import clamp_limit, decode_cursor, encode_cursor

SYSTEM_FOLDERS = ("inbox", "sent", "archived")
NAME = r"^[a-z0-9][a-z0-9_-]{0,39}$"
FolderName = Annotated[str, Field(min_length=1, max_length=40, pattern=NAME)]


class FolderIn(RequestModel):
    folder: FolderName


class LabelsIn(RequestModel):
    add: Annotated[list[FolderName], Field(max_length=20)] = Field(default_factory=list)
    remove: Annotated[list[FolderName], Field(max_length=20)] = Field(default_factory=list)


class FilingOut(ResponseModel):
    conversation_id: str
    folder: str
    labels: list[str] = Field(default_factory=list)


def _record(tenant_id: str, conversation_id: str) -> FolderRecordItem | None:
    try:
        return FolderRecordItem.get(*filing_key(tenant_id, conversation_id), consistent_read=True)
    except FolderRecordItem.DoesNotExist:
        return None


def _out(record: FolderRecordItem) -> FilingOut:
    return FilingOut(conversation_id=record.conversation_id, folder=record.folder, labels=sorted(record.labels or []))


def _write(tenant_id: str, conversation_id: str, current: FolderRecordItem | None, folder: str,
           labels: set[str]) -> FolderRecordItem:
    """The record and the index items change together, under the record's revision."""
    from skailan.platform.storage import ConditionFailed, conditional, transaction

    rev = int(current.rev or 0) if current else 0
    now = iso()
    record = FolderRecordItem(*filing_key(tenant_id, conversation_id), tenant_id=tenant_id,
                              conversation_id=conversation_id, folder=folder, labels=labels or None, rev=rev + 1,
                              created_at=current.created_at if current else now, updated_at=now)
    old_folder = current.folder if current else None
    old_labels = set(current.labels or []) if current else set()
    condition = (FolderRecordItem.rev == rev) if current else FolderRecordItem.pk.does_not_exist()
    try:
        with conditional(), transaction() as tx:
            tx.save(record, condition=condition)
            if old_folder != folder:
                if old_folder:
                    tx.delete(FolderEntryItem(folder_pk(tenant_id, old_folder), conversation_id))
                tx.save(FolderEntryItem(folder_pk(tenant_id, folder), conversation_id, tenant_id=tenant_id,
                                        conversation_id=conversation_id, created_at=now))
            for label in old_labels - labels:
                tx.delete(FolderEntryItem(label_pk(tenant_id, label), conversation_id))
            for label in labels - old_labels:
                tx.save(FolderEntryItem(label_pk(tenant_id, label), conversation_id, tenant_id=tenant_id,
                                        conversation_id=conversation_id, created_at=now))
    except ConditionFailed as err:
        raise Conflict("La conversación cambió mientras tanto; inténtalo de nuevo. / The conversation changed "
                       "meanwhile; try again.", code="conflict") from err
    return record


def _email_conversation(caller: Caller, conversation_id: str) -> Any:
    from skailan.conversations.inbox.mail import _email_conversation as check

    return check(caller, conversation_id)


def get_filing(caller: Caller, conversation_id: str) -> FilingOut:
    _email_conversation(caller, conversation_id)
    record = _record(caller.tenant_id, conversation_id)
    return _out(record) if record else FilingOut(conversation_id=conversation_id, folder="inbox")


def move(caller: Caller, conversation_id: str, data: FolderIn) -> FilingOut:
    _email_conversation(caller, conversation_id)
    for _ in range(3):
        current = _record(caller.tenant_id, conversation_id)
        try:
            record = _write(caller.tenant_id, conversation_id, current, data.folder,
                            set(current.labels or []) if current else set())
            return _out(record)
        except Conflict:
            continue
    raise Conflict("La conversación cambió mientras tanto; inténtalo de nuevo. / The conversation changed meanwhile; "
                   "try again.", code="conflict")


def label(caller: Caller, conversation_id: str, data: LabelsIn) -> FilingOut:
    _email_conversation(caller, conversation_id)
    both = set(data.add) & set(data.remove)
    if both:
        raise Unprocessable(f"Etiquetas a la vez en add y remove: {', '.join(sorted(both))}. / "
                            f"Labels both added and removed: {', '.join(sorted(both))}.", code="validation_error",
                            details=[{"field": "add", "error": "also in remove", "labels": sorted(both)}])
    for _ in range(3):
        current = _record(caller.tenant_id, conversation_id)
        labels = (set(current.labels or []) if current else set()) | set(data.add)
        labels -= set(data.remove)
        if len(labels) > 50:
            raise Unprocessable("Máximo 50 etiquetas por conversación. / At most 50 labels per conversation.",
                                code="validation_error", details=[{"field": "add", "error": "at most 50 labels"}])
        try:
            return _out(_write(caller.tenant_id, conversation_id, current, current.folder if current else "inbox",
                               labels))
        except Conflict:
            continue
    raise Conflict("La conversación cambió mientras tanto; inténtalo de nuevo. / The conversation changed meanwhile; "
                   "try again.", code="conflict")


def on_message(tenant_id: str, conversation_id: str, *, inbound: bool) -> str | None:
    """File a new e-mail conversation (`inbox` when the customer wrote, `sent` when we did); a
    customer writing again brings it back to `inbox` from `archived` or `sent`."""
    for _ in range(3):
        current = _record(tenant_id, conversation_id)
        if current is None:
            folder = "inbox" if inbound else "sent"
        elif inbound and current.folder in ("archived", "sent"):
            folder = "inbox"
        else:
            return None
        try:
            _write(tenant_id, conversation_id, current, folder, set(current.labels or []) if current else set())
            return folder
        except Conflict:
            continue
    return None


def list_filed(caller: Caller, *, folder: str | None, label_name: str | None, cursor: str | None,
               limit: int | None) -> tuple[list[Any], str | None]:
    """The conversations of a folder or a label (newest filed last), as the caller may see them."""
    from skailan.conversations.store import state
    from skailan.conversations.store.items import CONVERSATION_SK, ConversationItem, conversation_pk

    if (folder is None) == (label_name is None):
        raise Unprocessable("Indica `folder` o `label`. / Give `folder` or `label`.", code="validation_error",
                            details=[{"field": "folder", "error": "exactly one of folder or label"}])
    pk = folder_pk(caller.tenant_id, folder) if folder else label_pk(caller.tenant_id, str(label_name))
    results = FolderEntryItem.query(pk, limit=clamp_limit(limit),
                                    last_evaluated_key=decode_cursor(cursor, partition_attr="pk", partition_value=pk))
    ids = [entry.conversation_id for entry in results]
    found: dict[str, ConversationItem] = {}
    keys = [(conversation_pk(caller.tenant_id, cid), CONVERSATION_SK) for cid in ids]
    for start in range(0, len(keys), 100):
        for item in ConversationItem.batch_get(keys[start:start + 100]):
            found[item.conversation_id] = item
    items = [found[cid] for cid in ids if cid in found and state.visible_to(caller, found[cid])]
    return items, encode_cursor(results.last_evaluated_key)
