"""Business-initiated conversations (`POST /v1/conversations`): an agent writes first to a CRM
person on one of the brand's channel accounts.

What each channel allows a business to send first:
- WhatsApp: an approved template (with exactly its parameters), unless the customer wrote in
  the last 24 hours (then free text, as a reply would);
- SMS and e-mail: free text (no reply window);
- Telegram: free text, but only in a chat the person already opened with this bot — a bot
  cannot start a chat, so there must be a conversation with them on that account;
- Messenger, Instagram and web chat: refused — the customer has to write first (Meta's
  messaging window; a web-chat visitor has no address outside their session).

The thread is the one an inbound message would join (`store.conversation_id_for(account,
person)`): created when there is none, re-opened when closed, appended to when open. The
message and the conversation are written in ONE transaction, so a refusal (4xx) or a race
leaves nothing half-written; then the message goes out through the normal outbound queue.
The caller, when they handle conversations, takes the conversation before its events go out
(the customer's answer comes back to them; automatic assignment then finds it held);
otherwise automatic assignment decides, as for a customer's message.
"""

from __future__ import annotations

from typing import Any

from skailan.conversations import events as ev
from skailan.conversations import opt_outs
from skailan.conversations.domain.policy import last_message_of, window_open
from skailan.conversations.models import MessageIn, NewConversationIn
from skailan.conversations.outbound import outbound_item, send_queued
from skailan.conversations.store import messages as store
from skailan.conversations.store.items import ConversationItem, MessageItem
from skailan.platform.auth import Caller
from skailan.platform.errors import Conflict, NotFound, SkailanError, Unprocessable
from skailan.platform.events import Actor, DomainEvent
from skailan.platform.observability import logger

CANNOT_START = {
    "messenger": ("Messenger", "el cliente debe escribir primero a la página", "the customer must message the page first"),
    "instagram": ("Instagram", "el cliente debe escribir primero a la cuenta",
                  "the customer must message the account first"),
    "webchat": ("el chat web", "el visitante inicia la conversación desde el sitio",
                "the visitor starts the conversation from the website"),
}
_ATTEMPTS = 4


def _unprocessable(es: str, en: str, code: str, field: str, error: str, **extra: Any) -> Unprocessable:
    return Unprocessable(f"{es} / {en}", code=code, details=[{"field": field, "error": error, **extra}])


def _account(tenant_id: str, account_id: str) -> Any:
    from skailan.tenancy.channel_accounts import get_account

    account = get_account(tenant_id, account_id)  # 404 channel_account_not_found (other brands' too)
    if account.status != "active":
        raise Conflict("Ese canal está desactivado. / That channel account is disabled.", code="channel_disabled",
                       details={"account_id": account_id})
    return account


def _person(tenant_id: str, person_id: str) -> Any:
    from skailan.crm.store.person_reads import load_person

    person = load_person(tenant_id, person_id)  # 404 contact_not_found (other brands' and deleted too)
    if person.merged_into:  # the survivor holds the identities now
        person = load_person(tenant_id, person.merged_into)
    return person


def _identity(person: Any, kind: str) -> str | None:
    for identity in person.identities or []:
        if identity.get("kind") == kind and identity.get("value"):
            return str(identity["value"])
    return None


def _recipient(channel: str, person: Any, existing: ConversationItem | None) -> str:
    """Where the provider delivers it: the open thread's address, else the person's."""
    if existing is not None and existing.reply_ref:
        return str(existing.reply_ref)
    if channel == "whatsapp":
        value = _identity(person, "whatsapp") or person.phone or _identity(person, "phone")
        if value:
            return "".join(ch for ch in str(value) if ch.isdigit())  # a wa_id is the number's digits
        raise _unprocessable("La persona no tiene un número de WhatsApp o teléfono.",
                             "The person has no WhatsApp number or phone.", "no_recipient", "person_id",
                             "no phone")
    if channel == "sms":
        value = person.phone or _identity(person, "phone")
        if value:
            return str(value)
        raise _unprocessable("La persona no tiene teléfono.", "The person has no phone.", "no_recipient",
                             "person_id", "no phone")
    if channel == "email":
        value = person.email or _identity(person, "email")
        if value:
            return str(value)
        raise _unprocessable("La persona no tiene correo electrónico.", "The person has no e-mail address.",
                             "no_recipient", "person_id", "no e-mail")
    if channel == "telegram":
        raise _unprocessable(
            "Telegram no deja que un bot inicie un chat: la persona debe escribirle primero a este bot.",
            "Telegram does not let a bot start a chat: the person must message this bot first.",
            "telegram_chat_required", "person_id", "no Telegram chat with this bot")
    raise _unprocessable("Este canal no permite iniciar conversaciones.", "This channel cannot start conversations.",
                         "channel_cannot_start", "account_id", channel)


def _check_content(caller: Caller, body: NewConversationIn, channel: str, account_id: str, person_id: str,
                   existing: ConversationItem | None) -> str | None:
    """The channel's rule for a first message; a template's rendered text."""
    if channel in CANNOT_START:
        name, es, en = CANNOT_START[channel]
        raise _unprocessable(f"No se puede iniciar una conversación por {name}: {es}.",
                             f"A conversation cannot be started on {name.replace('el chat web', 'web chat')}: {en}.",
                             "channel_cannot_start", "account_id", channel)
    if channel != "whatsapp":
        if body.template is not None:
            raise _unprocessable("Las plantillas solo existen en WhatsApp.", "Templates exist on WhatsApp only.",
                                 "template_not_supported", "template", "WhatsApp only")
        return None
    if body.template is None:
        if existing is not None and window_open(existing.last_customer_message_at):
            return None  # the customer wrote in the last 24 hours: free text, as a reply
        raise _unprocessable(
            "En WhatsApp una conversación nueva empieza con una plantilla aprobada (envía `template` con su nombre, "
            "idioma y parámetros).",
            "On WhatsApp a new conversation starts with an approved template (send `template` with its name, "
            "language and parameters).", "template_required", "template", "required on WhatsApp",
            templates=f"/v1/whatsapp-templates?account_id={account_id}&status=approved")
    from skailan.conversations.inbox import templates

    template = body.template
    if templates.find(caller.tenant_id, account_id, template.name, template.language) is None:
        raise NotFound("Plantilla no encontrada para este número. / Template not found for this number.",
                       code="template_not_found", details={"field": "template.name", "name": template.name,
                                                           "language": template.language})
    found = templates.check_send(caller.tenant_id, account_id, template.name, template.language,
                                 list(template.parameters))
    opt_outs.refuse_opted_out(caller.tenant_id, channel, person_id)
    return templates.render(found.body, list(template.parameters))


def _held_elsewhere(caller: Caller, existing: ConversationItem) -> None:
    from skailan.conversations.store import state

    if existing.status == "closed" or state.visible_to(caller, existing):
        return
    if existing.assignee and existing.assignee != caller.principal_id:
        raise Conflict("Esta persona ya tiene una conversación abierta en este canal con otro agente. / "
                       "This person already has an open conversation on this channel with another agent.",
                       code="conversation_taken", details={"conversation_id": existing.conversation_id})


def _write(item: MessageItem, summary: store.Summary, *, person_id: str,
           existing: ConversationItem | None) -> str | None:
    """Message + conversation in one transaction; "created" | "reopened" | None (appended)."""
    tenant_id, conversation_id = item.tenant_id, item.conversation_id
    current = existing
    for _ in range(_ATTEMPTS):
        if current is None:
            mode = "create"
        elif current.status == "closed":
            mode = "reopen"
        else:
            mode = "append"
        conversation = None
        if mode == "create":
            conversation = store.new_conversation(tenant_id, conversation_id, channel=item.channel,
                                                  account_id=item.account_id, person_id=person_id, summary=summary)
        try:
            store.append_message(item, summary, mode=mode, conversation=conversation)
            return {"create": "created", "reopen": "reopened", "append": None}[mode]
        except (store.ConversationExists, store.ConversationNotOpen):
            current = store.get_conversation(tenant_id, conversation_id, consistent=True)
    raise Conflict("La conversación cambió mientras la iniciabas; vuelve a intentarlo. / "
                   "The conversation changed while you started it; try again.", code="concurrent_update")


def _take(caller: Caller, conversation_id: str) -> bool:
    """The agent who writes first holds the conversation (best effort: else auto-assignment)."""
    if caller.kind != "user":
        return False
    from skailan.conversations.inbox import actions, handlers

    if handlers.handler_member(caller.tenant_id, caller.principal_id) is None:
        return False
    try:
        actions.take(caller, conversation_id)
    except SkailanError as err:  # held meanwhile, closed meanwhile…: the inbox's rules decide
        logger.info("started conversation not taken", conversation_id=conversation_id, code=err.code)
        return False
    return True


def start_conversation(caller: Caller, body: NewConversationIn) -> tuple[str, MessageItem]:
    """Start (or continue) the thread with the person and queue the first message.
    Returns the conversation id and the stored message."""
    tenant_id = caller.tenant_id
    account = _account(tenant_id, body.account_id)
    person = _person(tenant_id, body.person_id)
    conversation_id = store.conversation_id_for(account.id, person.person_id)
    existing = store.get_conversation(tenant_id, conversation_id, consistent=True)
    if existing is not None:
        _held_elsewhere(caller, existing)
    rendered = _check_content(caller, body, account.channel, account.id, person.person_id, existing)
    recipient = _recipient(account.channel, person, existing)
    from skailan.conversations import mail_cc

    email = mail_cc.resolve(tenant_id, channel=account.channel, to=recipient,
                            mailbox=account.external.get("address"), email=body.email)
    message = MessageIn(text=body.text, template=body.template, email=email)
    item = outbound_item(caller, conversation_id, account_id=account.id, channel=account.channel, body=message,
                         rendered_text=rendered)
    contact = {"person_id": person.person_id, "name": person.name, "external_id": recipient,
               "phone": person.phone, "email": person.email, "username": None}
    email_thread: dict[str, Any] | None = None
    if account.channel == "email" and existing is None:
        email_thread = {"subject": (body.email.subject if body.email else None), "last_message_id": None,
                        "references": []}
    summary = store.Summary(last_message=last_message_of(item), at=item.timestamp, agent_message_at=item.timestamp,
                            initial_contact=contact, reply_ref=recipient if existing is None else None,
                            email_thread=email_thread)
    opened = _write(item, summary, person_id=person.person_id, existing=existing)
    taken = _take(caller, conversation_id) if opened or not (existing and existing.assignee) else False
    events: list[DomainEvent] = []
    if opened:
        type_ = ev.CONVERSATION_CREATED if opened == "created" else ev.CONVERSATION_REOPENED
        events.append(ev.build(tenant_id, type_, key=f"{conversation_id}:{item.message_id}",
                               entity_type="conversation", entity_id=conversation_id,
                               actor=Actor(kind=caller.kind, id=caller.principal_id, email=caller.email),
                               data={"conversation_id": conversation_id, "channel": account.channel,
                                     "account_id": account.id, "person_id": person.person_id,
                                     "message_id": item.message_id, "initiated_by": "business",
                                     "taken_by": caller.principal_id if taken else None}))
    send_queued(caller, item, extra_events=events)
    logger.info("conversation started", tenant_id=tenant_id, conversation_id=conversation_id,
                channel=account.channel, opened=opened)
    return conversation_id, item

