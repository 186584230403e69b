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

from skailan.conversations.store import mail as store
from skailan.conversations.store.mail_items import FolderRecordItem
from skailan.platform.auth import Caller
from skailan.platform.errors import Conflict, Unprocessable
from skailan.platform.models import RequestModel, ResponseModel
from skailan.platform.storage import ConditionFailed

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
    return store.filing(tenant_id, conversation_id)


def _out(record: FolderRecordItem) -> FilingOut:
    return FilingOut(conversation_id=record.conversation_id, folder=record.folder, labels=sorted(record.labels or []))


def _write(tenant_id: str, conversation_id: str, current: FolderRecordItem | None, folder: str,
           labels: set[str]) -> FolderRecordItem:
    """The record and the index items change together, under the record's revision."""
    try:
        return store.write_filing(tenant_id, conversation_id, current, folder, labels)
    except ConditionFailed as err:
        raise Conflict("La conversación cambió mientras tanto; inténtalo de nuevo. / The conversation changed "
                       "meanwhile; try again.", code="conflict") from err


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
    from skailan.conversations.store import messages, state

    if (folder is None) == (label_name is None):
        raise Unprocessable("Indica `folder` o `label`. / Give `folder` or `label`.", code="validation_error",
                            details=[{"field": "folder", "error": "exactly one of folder or label"}])
    ids, next_cursor = store.page_of_filed(caller.tenant_id, folder=folder, label=label_name, cursor=cursor,
                                           limit=limit)
    found = messages.conversations_by_id(caller.tenant_id, ids)
    items = [found[cid] for cid in ids if cid in found and state.visible_to(caller, found[cid])]
    return items, next_cursor
