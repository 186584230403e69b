"""Quick replies: the brand's predefined answers (text, image, PDF, video) with merge fields."""

from __future__ import annotations

from typing import Any

from skailan.conversations.domain import templating as merge
from skailan.conversations.inbox.models import (
    Page,
    PreviewOut,
    QuickReplyIn,
    QuickReplyOut,
    QuickReplyUpdateIn,
)
from skailan.conversations.inbox_events import build
from skailan.conversations.store import quick_replies as store
from skailan.conversations.store.inbox_items import QuickReplyItem
from skailan.platform.auth import Caller
from skailan.platform.clock import iso
from skailan.platform.errors import NotFound, Unprocessable
from skailan.platform.ids import new_id
from skailan.platform.storage import refused_as


def _out(item: QuickReplyItem) -> QuickReplyOut:
    return QuickReplyOut(id=item.reply_id, shortcut=item.shortcut, title=item.title, text=item.text,
                         attachments=list(item.attachments or []), merge_fields=merge.fields_in(item.text),
                         created_at=item.created_at, updated_at=item.updated_at)


def _check_fields(text: str | None) -> None:
    unknown = merge.unknown_fields(text)
    if unknown:
        raise Unprocessable(
            f"Campos de combinación desconocidos: {', '.join(unknown)}. / Unknown merge fields: {', '.join(unknown)}.",
            code="unknown_merge_fields",
            details=[{"field": "text", "error": "unknown merge field", "merge_field": f,
                      "known": [*merge.KNOWN, "contact.custom.<key>"]} for f in unknown],
        )


def _not_found() -> NotFound:
    return NotFound("Respuesta rápida no encontrada. / Quick reply not found.", code="quick_reply_not_found")


def _load(tenant_id: str, reply_id: str) -> QuickReplyItem:
    item = store.find_reply(tenant_id, reply_id)
    if item is None:
        raise _not_found()
    return item


def list_replies(tenant_id: str, *, cursor: str | None, limit: int | None, q: str | None = None) -> Page[QuickReplyOut]:
    items, next_cursor = store.page_of_replies(tenant_id, cursor=cursor, limit=limit, q=q)
    return Page[QuickReplyOut](items=[_out(i) for i in items], next_cursor=next_cursor)


def get_reply(tenant_id: str, reply_id: str) -> QuickReplyOut:
    return _out(_load(tenant_id, reply_id))


def _check_attachments(tenant_id: str, attachments: list[Any] | None) -> None:
    """Attachments name only this brand's files (a key under its prefix; no URL into another's)."""
    from skailan.platform import media_refs

    for index, attachment in enumerate(attachments or []):
        if attachment.s3_key is not None:
            media_refs.check_key(tenant_id, attachment.s3_key, field=f"attachments[{index}].s3_key")
        if attachment.url is not None:
            media_refs.check_url(tenant_id, attachment.url, field=f"attachments[{index}].url")


def create_reply(caller: Caller, data: QuickReplyIn) -> QuickReplyOut:
    _check_fields(data.text)
    _check_attachments(caller.tenant_id, data.attachments)
    reply_id = new_id()
    now = iso()
    item = store.new_reply(caller.tenant_id, reply_id, shortcut=data.shortcut.lower(), title=data.title,
                           text=data.text, attachments=[a.model_dump(exclude_none=True) for a in data.attachments],
                           created_by=caller.principal_id, created_at=now, updated_at=now)
    store.insert_reply(item, events=[build(caller.tenant_id, "quick_reply.created", caller=caller,
                                           entity_type="quick_reply", entity_id=reply_id,
                                           data={"shortcut": item.shortcut})])
    return _out(item)


def update_reply(caller: Caller, reply_id: str, data: QuickReplyUpdateIn) -> QuickReplyOut:
    item = _load(caller.tenant_id, reply_id)
    changes = data.model_dump(exclude_unset=True)
    if "text" in changes:
        _check_fields(changes["text"])
        item.text = changes["text"]
    if changes.get("shortcut"):
        item.shortcut = changes["shortcut"].lower()
    if "title" in changes:
        item.title = changes["title"]
    if changes.get("attachments") is not None:
        _check_attachments(caller.tenant_id, data.attachments)
        item.attachments = [a.model_dump(exclude_none=True) for a in data.attachments or []]
    if not (item.text or "").strip() and not item.attachments:
        raise Unprocessable("Una respuesta rápida necesita texto o adjuntos. / A quick reply needs text or attachments.",
                            code="validation_error", details=[{"field": "text", "error": "text or attachments"}])
    item.updated_at = iso()
    event = build(caller.tenant_id, "quick_reply.updated", caller=caller, entity_type="quick_reply",
                  entity_id=reply_id, data={"changed": sorted(changes)})
    with refused_as(_not_found()):  # deleted meanwhile
        store.replace_reply(item, events=[event])
    return _out(item)


def delete_reply(caller: Caller, reply_id: str) -> None:
    item = _load(caller.tenant_id, reply_id)
    store.delete_reply(item, events=[build(caller.tenant_id, "quick_reply.deleted", caller=caller,
                                           entity_type="quick_reply", entity_id=reply_id,
                                           data={"shortcut": item.shortcut})])


def _attachment_url(tenant_id: str, attachment: dict[str, Any]) -> str | None:
    from skailan.platform import media_refs

    if attachment.get("url"):
        found = media_refs.bucket_key(attachment["url"])
        return attachment["url"] if found is None or media_refs.owns_key(tenant_id, found[1]) else None
    key = attachment.get("s3_key")
    if not key or not media_refs.owns_key(tenant_id, key):  # stored before keys were checked: never presign
        return None
    from skailan.platform.aws import client
    from skailan.platform.settings import get_settings

    return client("s3").generate_presigned_url(
        "get_object", Params={"Bucket": get_settings().media_bucket, "Key": key}, ExpiresIn=3600)


def preview(caller: Caller, reply_id: str, conversation_id: str) -> PreviewOut:
    """The quick reply as it would go out in this conversation: merge fields filled in."""
    from skailan.conversations.store import state
    from skailan.tenancy import brands

    reply = _load(caller.tenant_id, reply_id)
    _check_fields(reply.text)
    conversation = state.load_visible(caller, conversation_id)
    contact = dict(conversation.contact or {})
    custom: dict[str, Any] = {}
    if conversation.person_id and merge.fields_in(reply.text):
        from skailan.crm.store.person_reads import find_person

        person = find_person(caller.tenant_id, conversation.person_id)
        if person is not None:
            custom = dict(person.custom or {})
            contact["name"] = person.name or contact.get("name")
            contact["phone"] = contact.get("phone") or person.phone
            contact["email"] = contact.get("email") or person.email
    values = merge.context(contact=contact, custom=custom,
                           agent={"name": caller.name, "email": caller.email},
                           brand_name=brands.get_brand(caller.tenant_id).name)
    attachments = [{"type": a.get("type"), "url": _attachment_url(caller.tenant_id, a), "filename": a.get("filename"),
                    "mime_type": a.get("mime_type")} for a in reply.attachments or []]
    return PreviewOut(quick_reply_id=reply_id, conversation_id=conversation_id, text=merge.render(reply.text, values),
                      attachments=attachments)
