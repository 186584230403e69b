"""The ingest service: one routed inbound event (from the FIFO queue) into the conversation store.

Per customer message, in the steady state (known person, open conversation):
  resolve_or_create (the CRM's identity + person GetItems) → ONE TransactWrite (provider-id
  reference put if absent, message put, conversation summary update if open, and the events'
  outbox items — `skailan.platform.outbox`; the table's Pipe puts them on the bus).
No read of the conversation first: the transaction's condition is the check. Only when it
fails (new customer, closed conversation) is the conversation read, then created or
re-opened — again with a condition, so two racing workers cannot create it twice.

Idempotency: the reference item `T#<t>#P#<account>#<provider message id>` is put with
`attribute_not_exists` in the same transaction, so a redelivered webhook (same id, same
brand and account) stores nothing new — and its events, written with the message, are not
written again. A delivery status is one conditional update with its event in the same
transaction (ids derived from the status, so a retry rewrites the same item); a Messenger /
Instagram read watermark moves each of the messages it covers that way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from skailan.channels.models import InboundEcho, InboundMessage, InboundProviderError, InboundStatus
from skailan.conversations import accounts
from skailan.conversations import events as ev
from skailan.conversations.domain.policy import last_message_of, parse_answer, preview
from skailan.conversations.ingest.inbound_queue import IngestEnvelope, MailRef
from skailan.conversations.reasons import provider_error
from skailan.conversations.store import messages as store
from skailan.conversations.store.items import (
    MessageItem,
    ProviderRefItem,
    conversation_pk,
    message_sk,
    provider_ref_pk,
)
from skailan.platform.clock import iso
from skailan.platform.errors import Retryable
from skailan.platform.events import Actor, DomainEvent
from skailan.platform.ids import ordered_id_at
from skailan.platform.observability import logger
from skailan.platform.settings import get_settings

# A status can overtake the send worker's write of the provider id: retry it this many times.
STATUS_RETRIES = 3
# A record failing this many receives goes to the DLQ (with its reason) and is acknowledged, so
# the customer's later messages, held back behind it in its FIFO group, go on (the queue's own
# maxReceiveCount, 5, would take them to the DLQ with it: held-back records are received too).
POISON_AFTER = 3
# Media downloads retried on their own (a media-only message group) this many times.
MEDIA_ATTEMPTS = 3
_PROVIDERS = {"whatsapp": "whatsapp", "messenger": "meta", "instagram": "meta", "telegram": "telegram",
              "sms": "twilio", "email": "ses"}
_HTML_LIMIT = 64_000
_RAW_LIMIT = 16_000


class Dropped(Exception):
    """Nothing to store, on purpose (unknown or disabled account, foreign app…): not an error."""


@dataclass
class Outcome:
    result: str  # stored | duplicate | status | stale | dropped | logged
    conversation_id: str | None = None
    message_id: str | None = None
    events: list[DomainEvent] = field(default_factory=list)


def _time(value: datetime | None) -> str:
    return iso(value) if value else iso()


def _check_account(envelope: IngestEnvelope) -> accounts.Account:
    account = accounts.account(envelope.tenant_id, envelope.account_id)
    if account is None or not account.active or account.channel != envelope.channel:
        raise Dropped("unknown, disabled or mismatched channel account")
    if envelope.via == "meta":
        app = account.external.get("meta_app_id")
        if app and app != envelope.app_id:
            raise Dropped("the account belongs to another Meta app")
        event = envelope.event
        waba = account.external.get("waba_id")
        if event is not None and event.waba_id and waba and event.waba_id != waba:
            raise Dropped("the WABA id does not match the account's")
    return account


def handle(envelope: IngestEnvelope, *, receive_count: int = 1) -> Outcome:
    try:
        account = _check_account(envelope)
    except Dropped as why:
        logger.warning("inbound event dropped", tenant_id=envelope.tenant_id, account_id=envelope.account_id,
                       reason=str(why))
        return Outcome("dropped")
    if envelope.media_retry is not None:
        return retry_media(account, envelope, receive_count)
    if envelope.mail is not None:
        return _mail(account, envelope, envelope.mail, receive_count)
    event = envelope.event
    if isinstance(event, InboundMessage):
        return _message(account, envelope, event, receive_count=receive_count)
    if isinstance(event, InboundEcho):
        return _echo(account, envelope, event, receive_count)
    if isinstance(event, InboundStatus):
        return _status(account, event, receive_count)
    if isinstance(event, InboundProviderError):
        logger.warning("provider reported an error", tenant_id=account.tenant_id, account_id=account.account_id,
                       code=event.error.code, title=event.error.title, details=event.error.details)
        return Outcome("logged")
    return Outcome("dropped")


# ---------------------------------------------------------------- messages


def _details(message: InboundMessage) -> dict[str, Any] | None:
    details: dict[str, Any] = {}
    if message.location:
        details["location"] = message.location.model_dump(mode="json")
    if message.contacts:
        details["contacts"] = [c.model_dump(mode="json", exclude={"raw"}) for c in message.contacts]
    if message.interactive:
        details["interactive"] = message.interactive.model_dump(mode="json")
    if message.reaction:
        details["reaction"] = message.reaction.model_dump(mode="json")
    if message.email:
        email = message.email.model_dump(mode="json", exclude={"attachments"})
        if email.get("html") and len(email["html"]) > _HTML_LIMIT:
            email["html"] = None
            email["html_truncated"] = True
        details["email"] = email
    if message.errors:
        details["errors"] = [e.model_dump(mode="json") for e in message.errors]
    return details or None


def _raw(message: InboundMessage) -> dict[str, Any] | None:
    if message.type != "unsupported":
        return None
    import json

    text = json.dumps(message.raw, default=str)
    return message.raw if len(text) <= _RAW_LIMIT else {"truncated": True}


def _email_attachments(account: accounts.Account, message: InboundMessage, receive_count: int = 1,
                       ) -> list[dict[str, Any]]:
    from skailan.conversations.ingest.media import object_key, put_object

    stored = []
    for index, attachment in enumerate(message.email.attachments if message.email else []):
        if attachment.content is None:
            continue
        key = object_key(account.tenant_id, account.account_id, f"{message.provider_message_id}#{index}",
                         attachment.filename)
        entry = {"mime_type": attachment.content_type, "filename": attachment.filename, "size": attachment.size,
                 "inline": attachment.inline, "content_id": attachment.content_id}
        try:
            put_object(key, attachment.content, attachment.content_type)
        except Exception as err:
            if receive_count < POISON_AFTER:
                raise  # S3 hiccup: the record is retried
            # Last try: the e-mail and its text are stored, this attachment marked unavailable.
            logger.error("e-mail attachment not stored", tenant_id=account.tenant_id,
                         provider_message_id=message.provider_message_id, reason=f"{type(err).__name__}: {err}"[:300])
            stored.append({**entry, "status": "unavailable", "error": type(err).__name__})
            continue
        stored.append({"key": key, **entry})
    return stored


def _thread(account: accounts.Account, message: InboundMessage, person_id: str) -> str:
    """The conversation a message belongs to: an e-mail reply joins the conversation of the
    message it answers; a Telegram group is one conversation; otherwise one per person."""
    if message.email and (message.email.in_reply_to or message.email.references):
        wanted = [message.email.in_reply_to, *reversed(message.email.references)]
        # SES sends our replies with its own Message-ID, `<SES MessageId>@<region>.amazonses.com`:
        # the customer's In-Reply-To names that, and the reply is also stored under its MessageId.
        wanted += [w.partition("@")[0] for w in wanted if w and w.partition("@")[2].endswith("amazonses.com")]
        refs = store.find_refs(account.tenant_id, account.account_id, [w for w in wanted if w])
        if refs:
            by_id = {ref.pk: ref for ref in refs}
            for pid in wanted:
                ref = by_id.get(provider_ref_pk(account.tenant_id, account.account_id, pid or ""))
                if ref is not None:
                    return ref.conversation_id
    sender = message.sender.external_id if message.sender else ""
    if message.conversation_ref and message.conversation_ref != sender:
        return store.conversation_id_for(account.account_id, f"chat:{message.conversation_ref}")
    return store.conversation_id_for(account.account_id, person_id)


def _resolve(account: accounts.Account, channel: str, external_id: str, *, phone: str | None = None,
             email: str | None = None, name: str | None = None) -> Any:
    from skailan.crm.people.identities import resolve_or_create

    return resolve_or_create(account.tenant_id, channel, external_id, phone=phone, email=email, display_name=name)


def _email_thread(message: InboundMessage, previous: dict[str, Any] | None = None) -> dict[str, Any] | None:
    if not message.email:
        return None
    references = [*message.email.references]
    if message.email.message_id and message.email.message_id not in references:
        references.append(message.email.message_id)
    return {"subject": message.email.subject or (previous or {}).get("subject"),
            "last_message_id": message.email.message_id, "references": references[-20:]}


def _message(account: accounts.Account, envelope: IngestEnvelope, message: InboundMessage, *,
             receive_count: int, direction: str = "in", author_kind: str = "customer",
             customer_id: str | None = None) -> Outcome:
    tenant_id = account.tenant_id
    customer = message.sender if direction == "in" else None
    external_id = customer.external_id if customer else customer_id
    if not external_id:
        logger.info("message without a sender kept out", tenant_id=tenant_id, account_id=account.account_id,
                    provider_message_id=message.provider_message_id, type=message.type)
        return Outcome("dropped")
    if message.edited:
        return _edit(account, message)
    media = None
    attachments: list[dict[str, Any]] = []
    if message.media is not None or (message.email and message.email.attachments):
        # Downloads are slow: skip them for a redelivery already stored.
        ref = store.find_ref(tenant_id, account.account_id, message.provider_message_id)
        if ref is not None:
            if receive_count > 1 and message.media is not None:
                # Our own retry: the attempt that stored it may have died before queuing the media retry.
                stored = store.get_message(tenant_id, ref.conversation_id, ref.message_id)
                if stored is not None and (stored.media or {}).get("status") == "pending":
                    _queue_media_retry(envelope, message, ref.conversation_id, ref.message_id)
            return Outcome("duplicate", ref.conversation_id, ref.message_id)
        if message.media is not None:
            from skailan.conversations.ingest.media import store_inbound_media

            media = store_inbound_media(account, message, final=False)
        attachments = _email_attachments(account, message, receive_count)
    name = (customer.display_name or customer.username) if customer else None
    if customer is not None and not name and message.channel in ("messenger", "instagram"):
        from skailan.conversations.ingest.profiles import profile_name

        name = profile_name(account, message.channel, external_id)  # Graph user profile, cached
    person = _resolve(account, message.channel, external_id,
                      phone=customer.phone if customer else None, email=customer.email if customer else None,
                      name=name)
    conversation_id = _thread(account, message, person.person_id)
    own = conversation_id == store.conversation_id_for(account.account_id, person.person_id)
    message_id = _ordered_id(envelope, message)
    at = _time(message.timestamp)
    item = MessageItem(
        conversation_pk(tenant_id, conversation_id), message_sk(message_id),
        tenant_id=tenant_id, conversation_id=conversation_id, message_id=message_id, account_id=account.account_id,
        channel=message.channel, direction=direction, type=message.type, text=message.text,
        status=None if direction == "in" else "sent",
        status_rank=0 if direction == "in" else store.STATUS_RANK["sent"],
        provider_message_id=message.provider_message_id, provider_message_ids=[message.provider_message_id],
        author={"kind": author_kind, "id": person.person_id if direction == "in" else None,
                "name": (customer.display_name if customer else None) or (person.name if direction == "in" else None)},
        timestamp=at, media=media, attachments=attachments or None, details=_details(message),
        reply_to_provider_id=message.reply_to_provider_id, raw=_raw(message),
        sent_at=at if direction == "out" else None, created_at=iso(),
    )
    ref = ProviderRefItem(provider_ref_pk(tenant_id, account.account_id, message.provider_message_id),
                          "P", tenant_id=tenant_id, account_id=account.account_id, conversation_id=conversation_id,
                          message_id=message_id, direction=direction, created_at=iso())
    contact = {"person_id": person.person_id, "name": person.name, "external_id": external_id,
               "phone": customer.phone if customer else None, "email": customer.email if customer else None,
               "username": customer.username if customer else None}
    summary = store.Summary(
        last_message=last_message_of(item), at=_time(envelope.received_at),
        # The snapshot follows the conversation's own customer: not a business echo, not a
        # colleague answering an e-mail thread, not one member of a Telegram group.
        contact=contact if direction == "in" and own else None, initial_contact=contact,
        customer_message_at=at if direction == "in" else None,
        agent_message_at=at if direction == "out" else None,
        unread=1 if direction == "in" else 0,
        email_thread=_email_thread(message), reply_ref=message.conversation_ref or external_id,
    )
    def events_for(opened: str | None, read: Any) -> list[DomainEvent]:
        """What this message publishes, once the path (append / create / reopen / rate) is known."""
        if opened == "rated":
            # Stored on the closed conversation as its rating: it stays closed (no created/reopened).
            events = _message_events(account, conversation_id, message_id, message, person.person_id, None,
                                     direction)
            answer = parse_answer(message.text, read.rating_kind) or 0
            events.append(_rating_event(account, read, message_id, message, person.person_id, answer=answer,
                                        at=summary.at))
            return events
        return _message_events(account, conversation_id, message_id, message, person.person_id, opened, direction)

    try:
        opened, events = _append(item, summary, ref, channel=message.channel, person_id=person.person_id,
                                       events_for=events_for)
    except store.Duplicate:
        # Stored before, with its events (same transaction): nothing to write or publish again.
        return Outcome("duplicate", conversation_id, message_id)
    if opened == "rated":
        if media is not None and media.get("status") == "pending":
            _queue_media_retry(envelope, message, conversation_id, message_id)
        logger.info("rating stored", tenant_id=tenant_id, conversation_id=conversation_id, message_id=message_id)
        return Outcome("stored", conversation_id, message_id, events)
    if media is not None and media.get("status") == "pending":
        _queue_media_retry(envelope, message, conversation_id, message_id)
    logger.info("message stored", tenant_id=tenant_id, conversation_id=conversation_id, message_id=message_id,
                channel=message.channel, direction=direction, opened=opened)
    return Outcome("stored", conversation_id, message_id, events)


# ---------------------------------------------------------------- media retried on their own


def _queue_media_retry(envelope: IngestEnvelope, message: InboundMessage, conversation_id: str,
                       message_id: str) -> None:
    """The message is stored; its media is fetched again by a record of its own."""
    from skailan.conversations.ingest.inbound_queue import MediaRetry, enqueue

    retry = IngestEnvelope(tenant_id=envelope.tenant_id, account_id=envelope.account_id, channel=message.channel,
                           received_at=envelope.received_at, via=envelope.via, app_id=envelope.app_id, event=message,
                           media_retry=MediaRetry(conversation_id=conversation_id, message_id=message_id))
    try:
        enqueue([retry])
    except Exception as err:  # the text is stored; the media stays pending (visible as such)
        logger.error("media retry not queued", tenant_id=envelope.tenant_id, message_id=message_id,
                     reason=f"{type(err).__name__}: {err}"[:300])


def retry_media(account: accounts.Account, envelope: IngestEnvelope, receive_count: int) -> Outcome:
    """Fetch the media of a stored message again; after MEDIA_ATTEMPTS it is marked unavailable."""
    from skailan.conversations.ingest.media import store_inbound_media

    retry, message = envelope.media_retry, envelope.event
    assert retry is not None
    if not isinstance(message, InboundMessage) or message.media is None:
        return Outcome("dropped")
    current = store.get_message(account.tenant_id, retry.conversation_id, retry.message_id, consistent=True)
    if current is None or (current.media or {}).get("status") != "pending":
        return Outcome("duplicate", retry.conversation_id, retry.message_id)  # gone, or already settled
    final = receive_count >= MEDIA_ATTEMPTS
    media = store_inbound_media(account, message, final=final)
    if media.get("status") == "pending":
        raise Retryable(f"media of {retry.message_id} still unavailable: {media.get('error')}")
    store.update_message_media(account.tenant_id, retry.conversation_id, retry.message_id, media)
    logger.info("media retried", tenant_id=account.tenant_id, message_id=retry.message_id, status=media.get("status"),
                attempt=receive_count)
    return Outcome("media_" + str(media.get("status")), retry.conversation_id, retry.message_id)


def _ordered_id(envelope: IngestEnvelope, message: InboundMessage) -> str:
    """The message's id: sorts by the provider's time, and within the same second (providers
    stamp seconds) by the provider's own order — Telegram's per-chat `message_id` — or else by
    arrival (the webhook's receive time, one microsecond apart per event of a delivery)."""
    order: int | None = None
    if message.channel == "telegram":
        tail = message.provider_message_id.rpartition(":")[2]
        order = int(tail) if tail.isdigit() else None
    if order is None:
        received = envelope.received_at or message.timestamp
        # Integer microseconds: a float of seconds times 10**6 can round two neighbours to one order.
        order = (received - message.timestamp) // timedelta(microseconds=1) if received else 0
    return ordered_id_at(message.timestamp, order)


def _append(item: MessageItem, summary: store.Summary, ref: ProviderRefItem, *, channel: str,
            person_id: str, events_for: Callable[[str | None, Any], list[DomainEvent]],
            ) -> tuple[str | None, list[DomainEvent]]:
    """Append to the open conversation, or create / reopen it — or, when a closed conversation
    awaits a rating and the message is one (1–5), record it there without re-opening.
    The events of the path taken are written in the same transaction (`events_for(opened, read)`).
    Returns ("created" | "reopened" | "rated" | None, the events written)."""
    mode = "append"
    current = None
    answers = item.direction == "in" and item.type == "text"
    rating: int | None = None
    for _ in range(4):
        conversation = None
        if mode == "create":
            conversation = store.new_conversation(item.tenant_id, item.conversation_id, channel=channel,
                                                  account_id=item.account_id, person_id=person_id, summary=summary)
        opened = {"append": None, "create": "created", "reopen": "reopened", "rate": "rated"}[mode]
        events = events_for(opened, current)
        try:
            store.append_message(item, summary, mode=mode, conversation=conversation, refs=[ref], rating=rating,
                                 events=events, outbox_table=_outbox_table())
            return opened, events
        except store.ConversationExists:
            mode = "append"
        except store.ConversationNotOpen:
            current = store.get_conversation(item.tenant_id, item.conversation_id)
            if current is None:
                mode = "create"
            elif current.status != "closed":
                mode = "append"
            else:
                # CSAT 1–5 or NPS 0–10, whichever question the conversation awaits.
                rating = parse_answer(item.text, current.rating_kind) if answers else None
                mode = "rate" if rating is not None and store.awaiting_rating(current, iso()) else "reopen"
    raise Retryable("the conversation kept changing under the ingest; retry")


def _outbox_table() -> str:
    return get_settings().conversations_table


def _rating_event(account: accounts.Account, conversation: Any, message_id: str, message: InboundMessage,
                  person_id: str, *, answer: int, at: str) -> DomainEvent:
    """The customer answered the closed conversation's rating question: NPS (`score`,
    `answered_at`) or CSAT (`rating`, `rated_at`); who is rated is what the question recorded.
    Analytics counts it."""
    nps = conversation.rating_kind == "nps"
    type_, value, when = ((ev.CONVERSATION_NPS_ANSWERED, "score", "answered_at") if nps
                          else (ev.CONVERSATION_RATED, "rating", "rated_at"))
    return ev.build(account.tenant_id, type_, key=f"{conversation.conversation_id}:{message_id}",
                    entity_type="conversation", entity_id=conversation.conversation_id,
                    actor=Actor(kind="customer", id=person_id), occurred_at=at,
                    data={"conversation_id": conversation.conversation_id, "channel": message.channel,
                          "account_id": account.account_id, "person_id": person_id, "message_id": message_id,
                          value: answer, when: at, "agent": conversation.rating_agent,
                          "team": conversation.rating_team, "closed_at": conversation.closed_at})


def _message_events(account: accounts.Account, conversation_id: str, message_id: str, message: InboundMessage,
                    person_id: str, opened: str | None, direction: str) -> list[DomainEvent]:
    tenant_id = account.tenant_id
    actor = Actor(kind="customer", id=person_id) if direction == "in" else Actor(kind="system")
    out: list[DomainEvent] = []
    if opened:
        type_ = ev.CONVERSATION_CREATED if opened == "created" else ev.CONVERSATION_REOPENED
        out.append(ev.build(tenant_id, type_, key=f"{conversation_id}:{message_id}", entity_type="conversation",
                            entity_id=conversation_id, actor=actor,
                            data={"conversation_id": conversation_id, "channel": message.channel,
                                  "account_id": account.account_id, "person_id": person_id,
                                  "message_id": message_id}))
    if direction == "in":
        from skailan.platform.opt_out_words import is_opt_out

        out.append(ev.build(tenant_id, ev.MESSAGE_RECEIVED, key=message_id, entity_type="conversation",
                            entity_id=conversation_id, actor=actor, occurred_at=_time(message.timestamp),
                            data={"conversation_id": conversation_id, "message_id": message_id,
                                  "channel": message.channel, "account_id": account.account_id,
                                  "person_id": person_id, "type": message.type, "text": preview(message.text),
                                  "provider_message_id": message.provider_message_id,
                                  # The bus routes only these to the campaigns' opt-out check (template.yaml
                                  # CampaignEventsRule): the others cost it a receive and a delete each.
                                  "opt_out_keyword": message.channel in ("sms", "whatsapp")
                                  and is_opt_out(message.text)}))
    else:
        out.append(ev.build(tenant_id, ev.MESSAGE_SENT, key=message_id, entity_type="conversation",
                            entity_id=conversation_id, actor=actor,
                            data={"conversation_id": conversation_id, "message_id": message_id,
                                  "channel": message.channel, "external": True}))
    return out


def _edit(account: accounts.Account, message: InboundMessage) -> Outcome:
    ref = store.find_ref(account.tenant_id, account.account_id, message.provider_message_id)
    if ref is None:
        # The original never reached us: store the edited text as the message.
        return _message(account, _fake_envelope(account, message), message.model_copy(update={"edited": False}),
                        receive_count=1)
    store.update_message_text(account.tenant_id, ref.conversation_id, ref.message_id, message.text,
                              _time(message.timestamp))
    return Outcome("stored", ref.conversation_id, ref.message_id)


def _fake_envelope(account: accounts.Account, message: InboundMessage) -> IngestEnvelope:
    return IngestEnvelope(tenant_id=account.tenant_id, account_id=account.account_id, channel=message.channel,
                          received_at=message.timestamp, via="edit", event=message)


def _echo(account: accounts.Account, envelope: IngestEnvelope, echo: InboundEcho, receive_count: int) -> Outcome:
    """A copy of a business message: ours (already stored) is skipped, another tool's is kept."""
    message = echo.message
    if store.find_ref(account.tenant_id, account.account_id, message.provider_message_id) is not None:
        return Outcome("duplicate")
    return _message(account, envelope, message, receive_count=receive_count, direction="out",
                    author_kind="external", customer_id=message.recipient_id)


# ---------------------------------------------------------------- statuses


def _campaign_status(account: accounts.Account, status: InboundStatus) -> bool:
    """A campaign's message (campaigns send outside conversations; they claim its statuses): its
    recipient's status moves."""
    from skailan.conversations.ingest import claims

    code = status.error.code if status.error else None
    return claims.status_claimed(account.tenant_id, str(status.provider_message_id), status.status,
                                 _time(status.timestamp), str(code) if code is not None else None)


def _status(account: accounts.Account, status: InboundStatus, receive_count: int) -> Outcome:
    if status.provider_message_id is None:
        return _watermark(account, status)
    if status.status not in ("sent", "delivered", "read", "failed"):
        return Outcome("logged")
    ref = store.find_ref(account.tenant_id, account.account_id, status.provider_message_id)
    if ref is None and _campaign_status(account, status):
        return Outcome("logged")
    if ref is None or ref.direction != "out":
        if ref is None and receive_count < STATUS_RETRIES:
            raise Retryable("status for a message not recorded yet")
        logger.info("status for an unknown message ignored", tenant_id=account.tenant_id,
                    account_id=account.account_id, provider_message_id=status.provider_message_id)
        return Outcome("logged")
    error = None
    if status.status == "failed":
        detail = status.error
        error = provider_error(_PROVIDERS.get(status.channel, "local"),  # type: ignore[arg-type]
                               detail.code if detail else None, title=detail.title if detail else None,
                               message=(detail.details or detail.message) if detail else status.provider_status)
    type_ = ev.MESSAGE_FAILED if status.status == "failed" else ev.MESSAGE_STATUS_CHANGED
    events = [ev.build(account.tenant_id, type_, key=f"{ref.message_id}:{status.status}", entity_type="conversation",
                       entity_id=ref.conversation_id, occurred_at=_time(status.timestamp),
                       data={"conversation_id": ref.conversation_id, "message_id": ref.message_id,
                             "status": status.status, "error": error})]
    item = store.apply_status(account.tenant_id, ref.conversation_id, ref.message_id, status.status,
                              _time(status.timestamp), error, after_delivery=status.after_delivery, events=events)
    if item is None:
        logger.info("stale status ignored", tenant_id=account.tenant_id, message_id=ref.message_id,
                    status=status.status)
        return Outcome("stale", ref.conversation_id, ref.message_id)
    store.refresh_last_message(item, last_message_of(item))
    return Outcome("status", ref.conversation_id, ref.message_id, events)


WATERMARK_WINDOW = 25  # a receipt moves at most this many recent replies


def _watermark(account: accounts.Account, status: InboundStatus) -> Outcome:
    """Messenger / Instagram receipts without mids: every reply to that customer sent up to the
    watermark has reached `status`."""
    from skailan.crm.people.identities import channel_identity
    from skailan.crm.store.person_reads import find_by_identity

    if status.status not in ("delivered", "read") or not status.recipient_id or status.watermark is None:
        return Outcome("logged")
    identity = channel_identity(account.tenant_id, status.channel, status.recipient_id)
    person = find_by_identity(account.tenant_id, identity.kind, identity.key)
    if person is None:
        return Outcome("logged")
    conversation_id = store.conversation_id_for(account.account_id, person.person_id)
    items, _ = store.list_messages(account.tenant_id, conversation_id, cursor=None, limit=WATERMARK_WINDOW)
    until = _time(status.watermark)
    rank = store.STATUS_RANK[status.status]
    moved, events = [], []
    for item in items:
        if item.direction != "out" or item.status not in ("sent", "delivered") or (item.status_rank or 0) >= rank:
            continue
        if item.timestamp > until:
            continue
        event = ev.build(account.tenant_id, ev.MESSAGE_STATUS_CHANGED, key=f"{item.message_id}:{status.status}",
                         entity_type="conversation", entity_id=conversation_id, occurred_at=until,
                         data={"conversation_id": conversation_id, "message_id": item.message_id,
                               "status": status.status})
        # Each message with its event, one transaction each (the listed image stands in for a read).
        updated = store.apply_status(account.tenant_id, conversation_id, item.message_id, status.status, until,
                                     events=[event], current=item)
        if updated is not None:
            moved.append(updated)
            events.append(event)
    if not moved:
        return Outcome("stale", conversation_id)
    newest = max(moved, key=lambda m: m.message_id)
    store.refresh_last_message(newest, last_message_of(newest))
    return Outcome("status", conversation_id, newest.message_id, events)


# ---------------------------------------------------------------- e-mail


def _mail(account: accounts.Account, envelope: IngestEnvelope, mail: MailRef, receive_count: int) -> Outcome:
    import base64

    from skailan.channels.email import parse

    if mail.content_b64 is not None:
        raw = base64.b64decode(mail.content_b64)
    else:
        from skailan.platform.aws import client

        raw = client("s3").get_object(Bucket=mail.bucket, Key=mail.key)["Body"].read()
    outcome = Outcome("dropped")
    for message in parse(raw, received_at=envelope.received_at):
        assert isinstance(message, InboundMessage)
        outcome = _message(account, envelope, message, receive_count=receive_count)
    return outcome



# ---------------------------------------------------------------- the worker's record


def process_record(body: str, *, message_id: str, group_id: str | None, receive_count: int) -> Outcome:
    """One SQS record of the inbound queue. Malformed records go to the DLQ with their reason."""
    from pydantic import ValidationError

    from skailan.channels.errors import PayloadError
    from skailan.conversations.records import to_dead_letter
    from skailan.platform.errors import SkailanError
    from skailan.platform.settings import get_settings

    try:
        envelope = IngestEnvelope.model_validate_json(body)
        return handle(envelope, receive_count=receive_count)
    except (ValidationError, PayloadError, ValueError, SkailanError) as err:
        retry = isinstance(err, SkailanError) and (err.status >= 500 or err.status == 409)  # 409: retry
        if retry and receive_count < POISON_AFTER:
            raise
        reason = f"{type(err).__name__}: {err}"
    except Exception as err:
        if receive_count < POISON_AFTER:
            raise  # transient (throttling, a race): SQS delivers it again
        reason = f"failed {receive_count} times: {type(err).__name__}: {err}"
    to_dead_letter(get_settings().inbound_dead_letter_queue_url, body, reason=reason, message_id=message_id,
                   group_id=group_id, source="inbound")
    return Outcome("dead_letter")
