"""The e-mail module around e-mail conversations (SPEC §3): reusable templates, signatures,
auto-responses per mailbox and scheduled follow-ups. Conversations and sending stay the
channels' (`skailan.conversations`); this adds what agents and the brand configure.

- **Templates** (`T#t#ETPL` / `E#<id>`): HTML written or imported, stored *sanitised*
  (`channels.email.sanitize`, an allow-list), subject and text, merge fields
  `{{contact.first_name}}`, `{{agent.name}}`, … with a fallback: `{{contact.first_name | "cliente"}}`.
  Unknown fields are a 422 naming them. `render` fills them for one conversation (values are
  HTML-escaped in the HTML part); the agent sends the result as a normal reply.
- **Signatures** (`T#t#ESIG` / `BRAND` | `U#<user>`): appended by the outbound worker to every
  e-mail reply (`decorate`): the author's own, else the brand's; automatic replies get the brand's.
- **Auto-responses** (`T#t#EMAIL` / `AUTO#<account>`): on a customer e-mail
  (`message.received`, events worker) the mailbox answers once, unless RFC 3834 says not to
  (`channels.email.loops`), and at most once per sender every N days — a conditional put of
  `T#t#EAR#<account>` / `<sender>` decides exactly once. Ours carry `Auto-Submitted: auto-replied`.
- **Follow-ups**: "if no answer in N days, send …" is an inbox timer (`email_followup`, one per
  conversation; re-scheduling replaces it). A customer message cancels it; when due it is sent only
  if the customer still has not written since it was scheduled and the conversation is not closed.
"""

from __future__ import annotations

import re
from datetime import timedelta
from html import escape
from typing import Any

from skailan.channels.email.sanitize import sanitize_html
from skailan.conversations.domain import templating as merge
from skailan.conversations.inbox.mail_models import (
    AutoResponseIn,
    AutoResponseOut,
    EmailTemplateIn,
    EmailTemplateOut,
    EmailTemplateUpdateIn,
    FollowUpIn,
    FollowUpOut,
    RenderOut,
    SignatureIn,
    SignatureOut,
)
from skailan.conversations.inbox.models import Page
from skailan.conversations.inbox_events import build
from skailan.conversations.signatures import AUTORESPONDER_ID
from skailan.conversations.store import mail as mail_store
from skailan.conversations.store.mail_items import EmailTemplateItem
from skailan.platform.auth import Caller
from skailan.platform.clock import iso, utcnow
from skailan.platform.errors import NotFound, Unprocessable
from skailan.platform.ids import new_id
from skailan.platform.observability import logger

FOLLOW_UP_ID = "email-follow-up"
FOLLOW_UP_KIND = "email_followup"
# {{ name }} or {{ name | "fallback" }} / {{ name | fallback }}
_FIELD = re.compile(r"\{\{\s*([A-Za-z0-9_.-]+)\s*(?:\|\s*(?:\"([^\"{}]*)\"|'([^'{}]*)'|([^{}]*?)))?\s*\}\}")


# ---------------------------------------------------------------- merge fields


def fields_in(*texts: str | None) -> list[str]:
    return list(dict.fromkeys(m.group(1) for text in texts for m in _FIELD.finditer(text or "")))


def _check_fields(**texts: str | None) -> None:
    unknown = [(where, name) for where, text in texts.items() for name in fields_in(text)
               if name not in merge.KNOWN and not merge.CUSTOM.match(name)]
    if unknown:
        names = ", ".join(dict.fromkeys(name for _, name in unknown))
        raise Unprocessable(f"Campos de combinación desconocidos: {names}. / Unknown merge fields: {names}.",
                            code="unknown_merge_fields",
                            details=[{"field": where, "error": "unknown merge field", "merge_field": name,
                                      "known": [*merge.KNOWN, "contact.custom.<key>"]} for where, name in unknown])


def render_text(text: str | None, values: dict[str, str], *, html: bool = False) -> str | None:
    """Fill the merge fields; an empty value takes the field's fallback. In HTML the values are
    escaped (a contact named `<b>` stays text)."""
    if text is None:
        return None

    def replace(match: re.Match[str]) -> str:
        value = values.get(match.group(1), "")
        if not value.strip():
            value = next((g for g in match.groups()[1:] if g is not None), "").strip()
        return escape(value, quote=True) if html else value

    return _FIELD.sub(replace, text)


def _values(caller: Caller | None, tenant_id: str, conversation: Any) -> dict[str, str]:
    from skailan.tenancy import brands

    contact = dict(conversation.contact or {})
    custom: dict[str, Any] = {}
    if conversation.person_id:
        from skailan.crm.store.person_reads import find_person

        person = find_person(tenant_id, conversation.person_id)
        if person is not None:
            custom = dict(person.custom or {})
            contact["name"] = person.name or contact.get("name")
            contact["phone"] = contact.get("phone") or person.phone
            contact["email"] = contact.get("email") or person.email
    agent = {"name": caller.name, "email": caller.email} if caller is not None and caller.kind == "user" else {}
    return merge.context(contact=contact, custom=custom, agent=agent, brand_name=brands.get_brand(tenant_id).name)


# ---------------------------------------------------------------- templates


def _tpl_out(item: EmailTemplateItem, *, sanitized: bool = False) -> EmailTemplateOut:
    return EmailTemplateOut(id=item.template_id, name=item.name, subject=item.subject, html=item.html, text=item.text,
                            merge_fields=fields_in(item.subject, item.html, item.text), sanitized=sanitized,
                            created_at=item.created_at, updated_at=item.updated_at)


def _clean_html(html: str | None) -> tuple[str | None, bool]:
    if html is None:
        return None, False
    clean = sanitize_html(html)
    if not clean.strip():
        raise Unprocessable("El HTML quedó vacío tras limpiarlo (solo se permiten etiquetas seguras). / "
                            "The HTML is empty once cleaned (only safe tags are allowed).",
                            code="empty_html", details=[{"field": "html", "error": "empty after sanitising"}])
    return clean, clean != html


def _load_template(tenant_id: str, template_id: str) -> EmailTemplateItem:
    item = mail_store.find_template(tenant_id, template_id)
    if item is None:
        raise NotFound("Plantilla de correo no encontrada. / E-mail template not found.",
                       code="email_template_not_found")
    return item


def create_template(caller: Caller, data: EmailTemplateIn) -> EmailTemplateOut:
    _check_fields(subject=data.subject, html=data.html, text=data.text)
    html, sanitized = _clean_html(data.html)
    template_id, now = new_id(), iso()
    item = mail_store.new_template(caller.tenant_id, template_id, name=data.name, subject=data.subject, html=html,
                              text=data.text, created_by=caller.principal_id, created_at=now, updated_at=now)
    mail_store.insert_template(item, events=[build(caller.tenant_id, "email_template.created", caller=caller,
                                                   entity_type="email_template", entity_id=template_id)])
    return _tpl_out(item, sanitized=sanitized)


def list_templates(tenant_id: str, *, cursor: str | None, limit: int | None) -> Page[EmailTemplateOut]:
    found, next_cursor = mail_store.page_of_templates(tenant_id, cursor=cursor, limit=limit)
    return Page[EmailTemplateOut](items=[_tpl_out(i) for i in found], next_cursor=next_cursor)


def get_template(tenant_id: str, template_id: str) -> EmailTemplateOut:
    return _tpl_out(_load_template(tenant_id, template_id))


def update_template(caller: Caller, template_id: str, data: EmailTemplateUpdateIn) -> EmailTemplateOut:
    item = _load_template(caller.tenant_id, template_id)
    changes = data.model_dump(exclude_unset=True)
    _check_fields(**{k: v for k, v in changes.items() if k in ("subject", "html", "text")})
    sanitized = False
    if "html" in changes:
        changes["html"], sanitized = _clean_html(changes["html"])
    for key, value in changes.items():
        setattr(item, key, value)
    if not item.html and not item.text:
        raise Unprocessable("La plantilla necesita HTML o texto. / The template needs HTML or text.",
                            code="empty_template", details=[{"field": "text", "error": "html or text required"}])
    item.updated_at = iso()
    mail_store.save_template(item, events=[build(caller.tenant_id, "email_template.updated", caller=caller,
                                                 entity_type="email_template", entity_id=template_id,
                                                 data={"changed": sorted(changes)})])
    return _tpl_out(item, sanitized=sanitized)


def delete_template(caller: Caller, template_id: str) -> None:
    item = _load_template(caller.tenant_id, template_id)
    mail_store.delete_template(item, events=[build(caller.tenant_id, "email_template.deleted", caller=caller,
                                                   entity_type="email_template", entity_id=template_id)])


def _email_conversation(caller: Caller, conversation_id: str) -> Any:
    from skailan.conversations.store import state

    conversation = state.load_visible(caller, conversation_id)
    if conversation.channel != "email":
        raise Unprocessable("Esa conversación no es de correo. / That conversation is not an e-mail one.",
                            code="not_email", details=[{"field": "conversation_id", "error": "not an e-mail conversation"}])
    return conversation


def render(caller: Caller, template_id: str, conversation_id: str) -> RenderOut:
    """The template filled in for one conversation, ready to send as a reply (`text`, `email.subject`,
    `email.html`); the signature is added when it goes out."""
    item = _load_template(caller.tenant_id, template_id)
    conversation = _email_conversation(caller, conversation_id)
    values = _values(caller, caller.tenant_id, conversation)
    html = render_text(item.html, values, html=True)
    text = render_text(item.text, values)
    if text is None and html is not None:
        from skailan.channels.email.html_text import html_to_text

        text = html_to_text(html)
    return RenderOut(template_id=template_id, conversation_id=conversation_id,
                     subject=render_text(item.subject, values), html=html, text=text)


# ---------------------------------------------------------------- signatures


def get_signature(tenant_id: str, user_id: str | None) -> SignatureOut:
    scope = "user" if user_id else "brand"
    item = mail_store.find_signature(tenant_id, user_id)
    if item is None:
        return SignatureOut(scope=scope)
    return SignatureOut(scope=scope, html=item.html, text=item.text, enabled=bool(item.enabled),
                        updated_at=item.updated_at)


def put_signature(caller: Caller, user_id: str | None, data: SignatureIn) -> SignatureOut:
    _check_fields(html=data.html, text=data.text)
    html = sanitize_html(data.html) if data.html else None
    if data.enabled and not (html and html.strip()) and not (data.text and data.text.strip()):
        raise Unprocessable("La firma necesita texto o HTML. / The signature needs text or HTML.",
                            code="empty_signature", details=[{"field": "text", "error": "text or html required"}])
    now = iso()
    event = build(caller.tenant_id, "email_signature.updated", caller=caller, entity_type="email_signature",
                  entity_id=user_id or "brand")
    mail_store.put_signature(caller.tenant_id, user_id, html=html or None, text=data.text or None,
                             enabled=data.enabled, updated_at=now, created_at=now, events=[event])
    return get_signature(caller.tenant_id, user_id)


# ---------------------------------------------------------------- auto-responses


def _email_account(tenant_id: str, account_id: str) -> Any:
    from skailan.conversations import accounts

    return accounts.account_of_channel(tenant_id, account_id, "email",
                                       es="Las respuestas automáticas son de buzones de correo.",
                                       en="Auto-responses belong to mailboxes.")


def get_autoresponse(tenant_id: str, account_id: str) -> AutoResponseOut:
    _email_account(tenant_id, account_id)
    item = mail_store.find_autoresponse(tenant_id, account_id)
    if item is None:
        return AutoResponseOut(account_id=account_id)
    return AutoResponseOut(account_id=account_id, enabled=bool(item.enabled), subject=item.subject, text=item.text,
                           html=item.html, once_every_days=int(item.once_every_days or 4), updated_at=item.updated_at)


def put_autoresponse(caller: Caller, account_id: str, data: AutoResponseIn) -> AutoResponseOut:
    _email_account(caller.tenant_id, account_id)
    _check_fields(subject=data.subject, html=data.html, text=data.text)
    html, _ = _clean_html(data.html)
    now = iso()
    event = build(caller.tenant_id, "email_autoresponse.updated", caller=caller, entity_type="channel_account",
                  entity_id=account_id, data={"enabled": data.enabled})
    mail_store.put_autoresponse(caller.tenant_id, account_id, enabled=data.enabled, subject=data.subject, text=data.text,
                                html=html, once_every_days=data.once_every_days, created_at=now, updated_at=now,
                                events=[event])
    return get_autoresponse(caller.tenant_id, account_id)


def _claim_sender(tenant_id: str, account_id: str, sender: str, days: int) -> bool:
    """True once per sender per `days`: the marker's conditional put decides (redelivered events
    and concurrent workers included)."""
    now = utcnow()
    until = now + timedelta(days=days)
    return mail_store.claim_sender(tenant_id, account_id, sender, now=now, until=until, ttl=until + timedelta(days=1))


def auto_caller(tenant_id: str, principal_id: str = AUTORESPONDER_ID) -> Caller:
    return Caller(tenant_id=tenant_id, principal_id=principal_id, kind="system",
                  name="Respuesta automática" if principal_id == AUTORESPONDER_ID else "Seguimiento")


def loop_refusal(tenant_id: str, conversation: Any, data: dict[str, Any]) -> str | None:
    """Why no automatic message (auto-response, bot) may answer this customer e-mail, or None."""
    from skailan.channels.email.loops import refusal
    from skailan.conversations import accounts
    from skailan.conversations.store import messages as store

    message = store.get_message(tenant_id, conversation.conversation_id, str(data.get("message_id") or ""))
    if message is None:
        return "gone"
    headers = ((message.details or {}).get("email") or {}).get("loop_headers") or {}
    contact = conversation.contact or {}
    sender = str(contact.get("email") or contact.get("external_id") or "")
    account = accounts.account(tenant_id, str(data.get("account_id") or conversation.account_id or ""))
    own = [str(account.external.get("address") or "")] if account else []
    return refusal(headers, sender, own_addresses=own)


def index_subject(tenant_id: str, conversation_id: str, data: dict[str, Any]) -> int:
    """The e-mail's subject joins the inbox search keys (`GET /v1/conversations?q=`), next to the
    sender's address and the message text the events worker already indexes."""
    from skailan.conversations.store import messages as store
    from skailan.conversations.store import search_index as search

    message = store.get_message(tenant_id, conversation_id, str(data.get("message_id") or ""))
    subject = ((message.details or {}).get("email") or {}).get("subject") if message else None
    if not subject:
        return 0
    subject = re.sub(r"^\s*((re|fwd?|rv|reenviar)\s*:\s*)+", "", str(subject), flags=re.IGNORECASE)
    return search.index_text(tenant_id, conversation_id, subject)


def on_email_received(tenant_id: str, conversation_id: str, data: dict[str, Any]) -> str:
    """The mailbox's auto-response to a customer e-mail, when allowed; returns what was decided."""
    from skailan.conversations import outbound
    from skailan.conversations.models import EmailOptionsIn, MessageIn
    from skailan.conversations.store import messages as store

    account_id = str(data.get("account_id") or "")
    settings = mail_store.find_autoresponse(tenant_id, account_id)
    if settings is None or not settings.enabled:
        return "off"
    conversation = store.get_conversation(tenant_id, conversation_id)
    if conversation is None:
        return "gone"
    why = loop_refusal(tenant_id, conversation, data)
    if why:
        logger.info("auto-response withheld", tenant_id=tenant_id, conversation_id=conversation_id, reason=why)
        return f"withheld:{why}"
    contact = conversation.contact or {}
    sender = str(contact.get("email") or contact.get("external_id") or "")
    if not _claim_sender(tenant_id, account_id, sender.lower(), int(settings.once_every_days or 4)):
        return "withheld:recently_answered"
    values = _values(None, tenant_id, conversation)
    html = render_text(settings.html, values, html=True)
    text = render_text(settings.text, values)
    if text is None and html:
        from skailan.channels.email.html_text import html_to_text

        text = html_to_text(html)
    subject = render_text(settings.subject, values)
    email = EmailOptionsIn(subject=subject, html=html) if (subject or html) else None
    outbound.queue_message(auto_caller(tenant_id), conversation_id, MessageIn(text=text, email=email))
    return "sent"


# ---------------------------------------------------------------- follow-ups


def _follow_out(conversation_id: str, timer: Any) -> FollowUpOut:
    data = dict(timer.data or {})
    return FollowUpOut(conversation_id=conversation_id, due_at=timer.due_at, subject=data.get("subject"),
                       text=data.get("text"), html=data.get("html"), scheduled_by=data.get("scheduled_by"),
                       scheduled_at=data.get("scheduled_at"))


def schedule_follow_up(caller: Caller, data: FollowUpIn) -> FollowUpOut:
    from skailan.conversations.store import timers

    conversation = _email_conversation(caller, data.conversation_id)
    if conversation.status == "closed":
        raise Unprocessable("La conversación está cerrada. / The conversation is closed.", code="conversation_closed",
                            details=[{"field": "conversation_id", "error": "closed"}])
    subject, html, text = data.subject, data.html, data.text
    if data.template_id:
        rendered = render(caller, data.template_id, data.conversation_id)
        subject, html, text = subject or rendered.subject, html or rendered.html, text or rendered.text
    else:
        _check_fields(subject=subject, html=html, text=text)
        values = _values(caller, caller.tenant_id, conversation)
        html, _ = _clean_html(html)
        subject, html, text = render_text(subject, values), render_text(html, values, html=True), render_text(text, values)
    now = utcnow()
    delta = timedelta(days=data.after_days) if data.after_days else timedelta(hours=data.after_hours or 0)
    due_at = iso(now + delta)
    event = build(caller.tenant_id, "email.follow_up_scheduled", caller=caller, entity_type="conversation",
                  entity_id=data.conversation_id, data={"due_at": due_at})
    timer = timers.schedule(caller.tenant_id, FOLLOW_UP_KIND, data.conversation_id, due_at, data={
        "subject": subject, "html": html, "text": text, "scheduled_by": caller.principal_id, "scheduled_at": iso(now)},
        events=[event])
    return _follow_out(data.conversation_id, timer)


def get_follow_up(caller: Caller, conversation_id: str) -> FollowUpOut:
    from skailan.conversations.store import timers

    _email_conversation(caller, conversation_id)
    timer = timers.get(caller.tenant_id, FOLLOW_UP_KIND, conversation_id)
    if timer is None:
        raise NotFound("No hay seguimiento programado. / No follow-up is scheduled.", code="follow_up_not_found")
    return _follow_out(conversation_id, timer)


def cancel_follow_up(caller: Caller, conversation_id: str) -> None:
    from skailan.conversations.store import timers

    get_follow_up(caller, conversation_id)
    timers.cancel(caller.tenant_id, FOLLOW_UP_KIND, conversation_id,
                  events=[build(caller.tenant_id, "email.follow_up_cancelled", caller=caller,
                                entity_type="conversation", entity_id=conversation_id, data={"reason": "cancelled"})])


def on_customer_message(tenant_id: str, conversation_id: str) -> bool:
    """The customer answered: a scheduled follow-up is not needed any more."""
    from skailan.conversations.store import timers

    if timers.get(tenant_id, FOLLOW_UP_KIND, conversation_id) is None:
        return False
    timers.cancel(tenant_id, FOLLOW_UP_KIND, conversation_id,
                  events=[build(tenant_id, "email.follow_up_cancelled", entity_type="conversation",
                                entity_id=conversation_id, data={"reason": "customer_answered"})])
    return True


def fire_follow_up(tenant_id: str, conversation_id: str, data: dict[str, Any]) -> str:
    """A due follow-up: sent only if the customer has not written since it was scheduled."""
    from skailan.conversations import outbound
    from skailan.conversations.models import EmailOptionsIn, MessageIn
    from skailan.conversations.store import messages as store

    conversation = store.get_conversation(tenant_id, conversation_id)
    if conversation is None:
        return "gone"
    if conversation.status == "closed":
        return "closed"
    scheduled_at = str(data.get("scheduled_at") or "")
    if conversation.last_customer_message_at and conversation.last_customer_message_at > scheduled_at:
        return "answered"
    text, html, subject = data.get("text"), data.get("html"), data.get("subject")
    if not text and html:
        from skailan.channels.email.html_text import html_to_text

        text = html_to_text(html)
    email = EmailOptionsIn(subject=subject, html=html) if (subject or html) else None
    outbound.queue_message(auto_caller(tenant_id, FOLLOW_UP_ID), conversation_id, MessageIn(text=text, email=email))
    return "sent"
