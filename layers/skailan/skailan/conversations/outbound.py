"""Outbound messages: queued by the API, sent by the send worker, exactly once.

API: the message is stored `queued` with the conversation's summary (one transaction), then
put on the outbound FIFO queue (group = tenant + conversation, so one conversation's replies
go out in order; deduplication id = message id) → 202.

Worker, per record:
1. read the message (consistent); already sent / failed → acknowledge (a redelivery);
   `sending` for longer than the lease → the previous attempt died mid-call: we cannot know
   whether the provider got it, so it is marked failed `delivery_unknown` rather than risk a
   duplicate;
2. shared checks (outgoing, channel active, WhatsApp window or template) → permanent failure;
3. claim it (queued → sending, conditional), call the provider;
4. success: provider ids recorded with `sent` and `message.sent` (one transaction) before the
   record is acknowledged; a partial multi-part send records the parts that went out, and a retry sends
   only the rest;
5. retryable failure (429, 5xx, timeout): back to `queued`, the record's visibility is set to
   the provider's Retry-After or exponential backoff with full jitter, and the record fails so
   SQS redelivers it then; on the last receive it is marked failed `retries_exhausted` and
   left to the DLQ (a redrive sends it again);
6. permanent failure: `failed` with the provider's code and the reason in Spanish and English,
   and `message.failed` in the same write.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict

from skailan.channels.errors import SendFailure
from skailan.conversations import accounts
from skailan.conversations import events as ev
from skailan.conversations.domain.policy import last_message_of
from skailan.conversations.models import MessageIn, MessageOut
from skailan.conversations.reasons import own_error
from skailan.conversations.store import messages as store
from skailan.conversations.store.items import MessageItem, conversation_pk, message_sk
from skailan.conversations.views import message_out
from skailan.platform import outbox
from skailan.platform.auth import Caller
from skailan.platform.clock import iso, parse_iso, utcnow
from skailan.platform.errors import Conflict, NotFound, Retryable, SkailanError
from skailan.platform.events import Actor, DomainEvent
from skailan.platform.ids import new_id
from skailan.platform.observability import logger
from skailan.platform.settings import get_settings

MAX_RECEIVES = 5  # the outbound queue's maxReceiveCount (template.yaml)
# Beyond every retry the queue can make (5 receives, backoff capped at 10 min): a message still
# queued or sending this long after it was queued is stuck (a worker died on its last receive, a
# record was lost) and is settled by the inbox's timer (`settle_if_stuck`).
STUCK_AFTER_MINUTES = 60
SENDING_LEASE_SECONDS = 120  # longer than one attempt can take (HTTP timeouts + Lambda timeout)
BACKOFF_BASE_SECONDS = 2.0
BACKOFF_CAP_SECONDS = 600.0
_MIME_KINDS = {"image": "image", "video": "video", "audio": "audio"}

CONVERSATION_NOT_FOUND = "Conversación no encontrada. / Conversation not found."


class QueueUnavailable(SkailanError):
    status, code = 503, "queue_unavailable"


class OutboundJob(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    tenant_id: str
    conversation_id: str
    message_id: str


# ---------------------------------------------------------------- API side


def _type_of(body: MessageIn, attachments: list[dict[str, Any]]) -> str:
    if body.template is not None:
        return "template"
    if attachments:
        mime = (attachments[0].get("mime_type") or "").split("/", 1)[0].lower()
        return _MIME_KINDS.get(mime, "document")
    return "text"


def queue_message(caller: Caller, conversation_id: str, body: MessageIn, *,
                  rendered_text: str | None = None) -> MessageOut:
    """Store the reply `queued` with the conversation's summary, put it on the outbound queue.
    `rendered_text`: a template's text as the customer reads it (stored and shown)."""
    tenant_id = caller.tenant_id
    from skailan.platform.media_refs import check_url

    for index, attachment in enumerate(body.attachments):  # never another brand's stored file
        if attachment.url is not None:  # an upload id is checked where it is resolved
            check_url(tenant_id, attachment.url, field=f"attachments[{index}].url")
    conversation = store.get_conversation(tenant_id, conversation_id)
    if conversation is None:
        raise NotFound(CONVERSATION_NOT_FOUND, code="conversation_not_found")
    reply_to = None
    if body.reply_to_message_id:
        answered = store.get_message(tenant_id, conversation_id, body.reply_to_message_id)
        if answered is None:
            raise NotFound("Mensaje no encontrado. / Message not found.", code="message_not_found")
        reply_to = answered.provider_message_id
    attachments = None
    if body.attachments:
        from skailan.conversations.uploads import resolve_attachments

        # uploads: the brand's, this conversation's, present, within the limit, the declared type (4xx)
        attachments = resolve_attachments(tenant_id, conversation_id, conversation.channel, body.attachments)
    item = outbound_item(caller, conversation_id, account_id=conversation.account_id, channel=conversation.channel,
                         body=body, rendered_text=rendered_text, reply_to=reply_to, attachments=attachments)
    summary = store.Summary(last_message=last_message_of(item), at=item.timestamp, agent_message_at=item.timestamp)
    store.save_outbound(item, summary)
    send_queued(caller, item)
    return message_out(item)


def ensure_channel(tenant_id: str, conversation_id: str) -> None:
    """An agent's reply needs its channel account connected and active (read fresh: the channel
    cache could still hold an account an admin just disabled or deleted). Bots and the CSAT
    survey skip this: their messages fail in the send worker (`channel_disabled`) instead."""
    conversation = store.get_conversation(tenant_id, conversation_id)
    if conversation is None:
        raise NotFound(CONVERSATION_NOT_FOUND, code="conversation_not_found")
    account_id = conversation.account_id
    from skailan.tenancy.channel_accounts import get_account

    try:
        active = get_account(tenant_id, account_id).status == "active"
    except NotFound:
        active = False
    if not active:
        raise Conflict("El canal de esta conversación está desactivado o fue eliminado; no se puede responder. / "
                       "This conversation's channel account is disabled or was deleted; replies cannot be sent.",
                       code="channel_unavailable", details={"account_id": account_id})


def outbound_item(caller: Caller, conversation_id: str, *, account_id: str, channel: str, body: MessageIn,
                  rendered_text: str | None = None, reply_to: str | None = None,
                  attachments: list[dict[str, Any]] | None = None) -> MessageItem:
    """The agent's message as it is stored, `queued` (not yet written)."""
    tenant_id = caller.tenant_id
    if attachments is None:
        attachments = [a.model_dump(mode="json", exclude_none=True) for a in body.attachments]
    details: dict[str, Any] = {}
    if body.template is not None:
        details["template"] = body.template.model_dump(mode="json")
    if body.email is not None:
        details["email"] = body.email.model_dump(mode="json", exclude_none=True)
        cc = details["email"].pop("cc", None)
        if cc:  # the inbound e-mail's shape ({address, name}): the thread shows both the same way
            details["email"]["cc"] = [{"address": a} for a in cc]
    message_id = new_id()
    now = iso()
    return MessageItem(
        conversation_pk(tenant_id, conversation_id), message_sk(message_id),
        tenant_id=tenant_id, conversation_id=conversation_id, message_id=message_id,
        account_id=account_id, channel=channel, direction="out", type=_type_of(body, attachments),
        text=rendered_text if body.template is not None else body.text, status="queued", status_rank=0,
        author={"kind": caller.kind if caller.kind != "api_key" else "api_key", "id": caller.principal_id,
                "name": caller.name},
        timestamp=now, attachments=attachments or None,
        details=details or None, reply_to_provider_id=reply_to, created_at=now,
    )


def send_queued(caller: Caller, item: MessageItem, *, extra_events: list[DomainEvent] | None = None) -> None:
    """Put a stored `queued` message on the outbound queue, then publish `message.queued`
    (after `extra_events`, e.g. the conversation it created). A queue that refuses marks the
    message failed and answers 503: the stored message says what happened."""
    try:
        enqueue(OutboundJob(tenant_id=item.tenant_id, conversation_id=item.conversation_id,
                            message_id=item.message_id))
    except Exception as err:
        store.record_failure(item, own_error("not_queued", message=type(err).__name__), at=iso(), final=True)
        raise QueueUnavailable("No se pudo encolar el mensaje; inténtalo de nuevo. / "
                               "The message could not be queued; try again.") from err
    actor = Actor(kind=caller.kind, id=caller.principal_id, email=caller.email)
    # After the queue send (which no transaction spans): `message.queued` only once it is queued.
    outbox.write([*(extra_events or []), _event(item, ev.MESSAGE_QUEUED, actor=actor)],
                 get_settings().conversations_table)
    logger.info("message queued", tenant_id=item.tenant_id, conversation_id=item.conversation_id,
                message_id=item.message_id)


def enqueue(job: OutboundJob) -> None:
    from skailan.platform.aws import client

    client("sqs").send_message(
        QueueUrl=get_settings().outbound_queue_url, MessageBody=job.model_dump_json(),
        MessageGroupId=f"{job.tenant_id}#{job.conversation_id}", MessageDeduplicationId=job.message_id,
    )


def _event(item: MessageItem, type_: str, *, actor: Actor | None = None, **data: Any) -> DomainEvent:
    return ev.build(item.tenant_id, type_, key=f"{item.message_id}:{type_}", entity_type="conversation",
                    entity_id=item.conversation_id, actor=actor,
                    data={"conversation_id": item.conversation_id, "message_id": item.message_id,
                          "channel": item.channel, "account_id": item.account_id, **data})


# ---------------------------------------------------------------- worker side


@dataclass
class Attempt:
    result: str  # sent | failed | already_done | retry
    retry_after: float | None = None
    provider_message_ids: list[str] = field(default_factory=list)


def backoff(attempt: int, *, retry_after: float | None = None) -> float:
    """Seconds until the next try: the provider's Retry-After when it gave one, else
    exponential backoff with full jitter (capped)."""
    if retry_after is not None:
        return min(max(retry_after, 1.0), BACKOFF_CAP_SECONDS)
    ceiling = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** max(0, attempt - 1))
    return max(1.0, random.uniform(0, ceiling))


def _fail(item: MessageItem, error: dict[str, Any], *, sent_ids: list[str] | None = None) -> Attempt:
    store.record_failure(item, error, at=iso(), final=True, sent_ids=sent_ids,
                         events=[_event(item, ev.MESSAGE_FAILED, error=error)])
    item.status, item.error = "failed", error
    store.refresh_last_message(item, last_message_of(item))
    logger.warning("message failed", tenant_id=item.tenant_id, message_id=item.message_id, code=error.get("code"))
    return Attempt("failed")


def _failure_dict(failure: SendFailure) -> dict[str, Any]:
    return {"code": failure.code, "title": failure.title, "message": failure.provider_message,
            "reason_es": failure.reason_es, "reason_en": failure.reason_en, "http_status": failure.http_status}


def deliver(job: OutboundJob, *, receive_count: int = 1) -> Attempt:
    item = store.get_message(job.tenant_id, job.conversation_id, job.message_id, consistent=True)
    if item is None:
        if receive_count < 3:
            raise Retryable("message not visible yet")
        logger.error("outbound job for a missing message dropped", **job.model_dump())
        return Attempt("already_done")
    redrive_code = "retries_exhausted"
    if item.status in ("sent", "delivered", "read"):
        return Attempt("already_done")
    if item.status == "failed" and item.error_code != redrive_code:
        return Attempt("already_done")
    if item.status == "sending":
        started = parse_iso(item.sending_at) if item.sending_at else utcnow()
        if (utcnow() - started).total_seconds() < SENDING_LEASE_SECONDS and receive_count < MAX_RECEIVES:
            raise Retryable("another attempt is sending this message")
        # The lease ran out, or this is the record's last receive: it must not stay `sending`.
        return _fail(item, own_error("delivery_unknown"))
    try:
        conversation = store.get_conversation(job.tenant_id, job.conversation_id)
        account = accounts.account(item.tenant_id, item.account_id)
        if conversation is None or account is None or not account.active:
            return _fail(item, own_error("channel_disabled"))
        from skailan.conversations.sending import delivery_for

        delivery = delivery_for(account, conversation)
        try:
            delivery.check(item)
        except SendFailure as failure:
            return _fail(item, _failure_dict(failure))
    except (Retryable, SendFailure):
        raise
    except Exception as err:
        # Nothing reached the provider: retried, and on the last receive failed with the reason.
        if receive_count >= MAX_RECEIVES:
            _fail(item, own_error("send_error", message=f"{type(err).__name__}: {err}"[:300]))
        raise
    already = list(item.provider_message_ids or [])
    try:
        store.claim_for_sending(item, at=iso(), allow_failed_code=redrive_code)
    except store.NotQueued:
        return Attempt("already_done")
    try:
        result = delivery.send(item, skip_parts=len(already))
    except SendFailure as failure:
        sent = already + list(failure.sent_provider_message_ids)
        if failure.permanent:
            return _fail(item, _failure_dict(failure), sent_ids=sent or None)
        if receive_count >= MAX_RECEIVES:
            error = {**own_error("retries_exhausted", message=failure.provider_message), "provider_code": failure.code}
            _fail(item, error, sent_ids=sent or None)
            raise Retryable("retries exhausted; the record goes to the DLQ") from failure
        store.record_failure(item, _failure_dict(failure), at=iso(), final=False, sent_ids=sent or None)
        logger.warning("send will be retried", tenant_id=item.tenant_id, message_id=item.message_id,
                       code=failure.code, attempt=receive_count)
        return Attempt("retry", retry_after=backoff(receive_count, retry_after=failure.retry_after))
    # Any other exception leaves the message `sending`: the outcome is unknown, the lease decides.
    ids = already + list(result.provider_message_ids)
    at = iso()
    store.record_sent(item, ids, at=at, events=[_event(item, ev.MESSAGE_SENT, provider_message_ids=ids)])
    item.status, item.provider_message_id = "sent", ids[0]
    store.refresh_last_message(item, last_message_of(item))
    logger.info("message sent", tenant_id=item.tenant_id, message_id=item.message_id, channel=item.channel)
    return Attempt("sent", provider_message_ids=ids)


def process_record(body: str, *, message_id: str, group_id: str | None, receive_count: int,
                   receipt_handle: str | None, queue_url: str | None) -> Attempt:
    """One record of the outbound queue; a retry sets the record's visibility, then raises."""
    from pydantic import ValidationError

    from skailan.conversations.records import to_dead_letter
    from skailan.platform.settings import get_settings

    try:
        job = OutboundJob.model_validate_json(body)
    except (ValidationError, ValueError) as err:
        to_dead_letter(get_settings().outbound_dead_letter_queue_url, body, reason=f"{type(err).__name__}: {err}",
                       message_id=message_id, group_id=group_id, source="outbound")
        return Attempt("failed")
    try:
        attempt = deliver(job, receive_count=receive_count)
    except Exception:
        if receive_count >= MAX_RECEIVES:
            settle(job)  # the record goes to the DLQ: the message gets its final state first
        raise
    if attempt.result == "retry":
        if receipt_handle and queue_url:
            _delay(queue_url, receipt_handle, int(attempt.retry_after or 1))
        raise Retryable(f"retry in {attempt.retry_after:.0f}s", retry_after=attempt.retry_after)
    return attempt


def settle(job: OutboundJob) -> str | None:
    """A message whose record is leaving the queue for good gets a final state: `queued` →
    failed `retries_exhausted` (nothing was sent; a DLQ redrive sends it again), `sending` →
    failed `delivery_unknown` (the provider may have it). Returns the status set, if any."""
    try:
        item = store.get_message(job.tenant_id, job.conversation_id, job.message_id, consistent=True)
        if item is None or item.status not in ("queued", "sending"):
            return None
        code = "retries_exhausted" if item.status == "queued" else "delivery_unknown"
        _fail(item, own_error(code))
        return code
    except Exception:
        logger.exception("outbound message not settled", **job.model_dump())
        return None


def settle_if_stuck(tenant_id: str, conversation_id: str, message_id: str, now: datetime) -> str:
    """The sweeper's check of one outbound message: "done" (it reached a final state), "waiting"
    (an attempt holds its lease right now: look again later), or the failure code it was given."""
    item = store.get_message(tenant_id, conversation_id, message_id, consistent=True)
    if item is None or item.status not in ("queued", "sending"):
        return "done"
    if item.status == "sending" and item.sending_at and \
            (now - parse_iso(item.sending_at)).total_seconds() < SENDING_LEASE_SECONDS:
        return "waiting"
    queued_at = parse_iso(item.created_at or item.timestamp)
    if now - queued_at < timedelta(minutes=STUCK_AFTER_MINUTES):
        return "waiting"
    code = "retries_exhausted" if item.status == "queued" else "delivery_unknown"
    _fail(item, own_error(code, message=f"still {item.status} after {STUCK_AFTER_MINUTES} min"))
    logger.error("stuck outbound message settled", tenant_id=tenant_id, message_id=message_id, code=code)
    return code


def _delay(queue_url: str, receipt_handle: str, seconds: int) -> None:
    """Backoff by visibility: SQS redelivers the record after `seconds`. A stale receipt handle
    only means the record comes back at the queue's own visibility timeout."""
    from botocore.exceptions import ClientError

    from skailan.platform.aws import client

    try:
        client("sqs").change_message_visibility(QueueUrl=queue_url, ReceiptHandle=receipt_handle,
                                                VisibilityTimeout=seconds)
    except ClientError as err:
        logger.warning("backoff not applied", reason=str(err))
