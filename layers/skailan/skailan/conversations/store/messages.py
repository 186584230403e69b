"""Data access for conversations: the only module of this context that speaks pynamodb.

Races are settled by DynamoDB: an inbound message, its provider-id reference and the
conversation summary change in ONE TransactWrite whose conditions make a redelivery a no-op
(`Duplicate`) and make "the conversation is open" a fact checked at write time, not a read
taken earlier. Delivery states move forward only, by a condition on a numeric rank.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from pynamodb.exceptions import TransactWriteError, UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action

from skailan.conversations.store import ops
from skailan.conversations.store.items import (
    CONVERSATION_SK,
    MESSAGE_PREFIX,
    PROVIDER_REF_SK,
    SESSION_SK,
    ConversationItem,
    MessageItem,
    ProviderRefItem,
    WebchatSessionItem,
    activity_sk,
    conversation_pk,
    inbox_pk,
    message_sk,
    provider_ref_pk,
    session_pk,
)
from skailan.platform import outbox
from skailan.platform.cancellation import condition_failed
from skailan.platform.clock import iso, parse_iso
from skailan.platform.events import DomainEvent
from skailan.platform.pagination import clamp_limit, decode_cursor, encode_cursor
from skailan.platform.settings import get_settings
from skailan.platform.storage import transaction

# Delivery states and their order; `failed` is final but never overrides delivered/read.
STATUS_RANK = {"queued": 0, "sending": 0, "sent": 1, "delivered": 2, "read": 3, "failed": 4}
FAILED_ONLY_BELOW = STATUS_RANK["delivered"]


class Duplicate(Exception):
    """The provider message id is already stored (a redelivery)."""


class ConversationNotOpen(Exception):
    """The conversation is missing or closed: the caller takes the create / reopen path."""


class ConversationExists(Exception):
    """Another writer created the conversation first: take the append path."""


class NotQueued(Exception):
    """The outbound message is no longer `queued` (someone else claimed or finished it)."""


def conversation_id_for(account_id: str, person_id: str) -> str:
    """One conversation per channel account and person (re-opened when they write again)."""
    digest = hashlib.sha256(f"{account_id}\x1f{person_id}".encode()).digest()
    return "c" + base64.b32encode(digest).decode().lower().rstrip("=")[:25]


# ---------------------------------------------------------------- reads


def get_conversation(tenant_id: str, conversation_id: str, *, consistent: bool = False) -> ConversationItem | None:
    try:
        return ConversationItem.get(conversation_pk(tenant_id, conversation_id), CONVERSATION_SK,
                                    consistent_read=consistent)
    except ConversationItem.DoesNotExist:
        return None


def get_message(tenant_id: str, conversation_id: str, message_id: str, *,
                consistent: bool = False) -> MessageItem | None:
    try:
        return MessageItem.get(conversation_pk(tenant_id, conversation_id), message_sk(message_id),
                               consistent_read=consistent)
    except MessageItem.DoesNotExist:
        return None


def find_ref(tenant_id: str, account_id: str, provider_message_id: str) -> ProviderRefItem | None:
    try:
        return ProviderRefItem.get(provider_ref_pk(tenant_id, account_id, provider_message_id), PROVIDER_REF_SK)
    except ProviderRefItem.DoesNotExist:
        return None


def find_refs(tenant_id: str, account_id: str, provider_message_ids: Iterable[str]) -> list[ProviderRefItem]:
    keys = [(provider_ref_pk(tenant_id, account_id, pid), PROVIDER_REF_SK)
            for pid in dict.fromkeys(provider_message_ids)]
    if not keys:
        return []
    return list(ProviderRefItem.batch_get(keys[:100]))


def list_conversations(tenant_id: str, *, status: str | None, cursor: str | None,
                       limit: int | None) -> tuple[list[ConversationItem], str | None]:
    """Newest activity first, from the inbox index of one status or of all."""
    pk = inbox_pk(tenant_id, status)
    index = ConversationItem.gsi1 if status else ConversationItem.gsi2
    attr = "gsi1pk" if status else "gsi2pk"
    results = index.query(pk, scan_index_forward=False, limit=clamp_limit(limit),
                          last_evaluated_key=decode_cursor(cursor, partition_attr=attr, partition_value=pk))
    items = [item for item in results if isinstance(item, ConversationItem)]
    return items, encode_cursor(results.last_evaluated_key)


def list_messages(tenant_id: str, conversation_id: str, *, cursor: str | None, limit: int | None,
                  newest_first: bool = True, after_id: str | None = None) -> tuple[list[MessageItem], str | None]:
    pk = conversation_pk(tenant_id, conversation_id)
    condition = MessageItem.sk > message_sk(after_id) if after_id else MessageItem.sk.startswith(MESSAGE_PREFIX)
    results = MessageItem.query(pk, condition, scan_index_forward=not newest_first, limit=clamp_limit(limit),
                                last_evaluated_key=decode_cursor(cursor, partition_attr="pk", partition_value=pk))
    items = [item for item in results if isinstance(item, MessageItem)]
    return items, encode_cursor(results.last_evaluated_key)


# ---------------------------------------------------------------- inbound


@dataclass
class Summary:
    """What a new message changes on its conversation."""

    last_message: dict[str, Any]
    at: str  # last activity
    contact: dict[str, Any] | None = None  # refreshed on every message when set
    initial_contact: dict[str, Any] | None = None  # for a conversation this message creates
    customer_message_at: str | None = None  # provider time of a customer message
    agent_message_at: str | None = None
    unread: int = 0
    email_thread: dict[str, Any] | None = None
    reply_ref: str | None = None


def _summary_actions(conversation_id: str, summary: Summary) -> list[Action]:
    c = ConversationItem
    actions: list[Action] = [
        c.last_message.set(summary.last_message),
        c.last_message_id.set(summary.last_message["id"]),
        c.last_activity_at.set(summary.at),
        c.gsi1sk.set(activity_sk(summary.at, conversation_id)),
        c.gsi2sk.set(activity_sk(summary.at, conversation_id)),
        c.message_count.add(1),
        c.updated_at.set(iso()),
    ]
    if summary.unread:
        actions.append(c.unread_count.add(summary.unread))
    # What this message changes of the rest: set only when given (a None or empty time leaves it).
    optional: list[tuple[Any, Any, bool]] = [
        (c.contact, summary.contact, summary.contact is not None),
        (c.last_customer_message_at, summary.customer_message_at, bool(summary.customer_message_at)),
        (c.last_agent_message_at, summary.agent_message_at, bool(summary.agent_message_at)),
        (c.email_thread, summary.email_thread, summary.email_thread is not None),
        (c.reply_ref, summary.reply_ref, bool(summary.reply_ref)),
    ]
    actions += [attribute.set(value) for attribute, value, given in optional if given]
    return actions


def new_conversation(tenant_id: str, conversation_id: str, *, channel: str, account_id: str,
                     person_id: str, summary: Summary) -> ConversationItem:
    now = iso()
    return ConversationItem(
        conversation_pk(tenant_id, conversation_id), CONVERSATION_SK,
        tenant_id=tenant_id, conversation_id=conversation_id, channel=channel, account_id=account_id,
        person_id=person_id, status="open", contact=summary.contact or summary.initial_contact or {"person_id": person_id},
        reply_ref=summary.reply_ref, last_message=summary.last_message,
        last_message_id=summary.last_message["id"], last_activity_at=summary.at,
        last_customer_message_at=summary.customer_message_at, last_agent_message_at=summary.agent_message_at,
        unread_count=summary.unread, message_count=1, email_thread=summary.email_thread,
        opened_at=now, created_at=now, updated_at=now,
        gsi1pk=inbox_pk(tenant_id, "open"), gsi1sk=activity_sk(summary.at, conversation_id),
        gsi2pk=inbox_pk(tenant_id), gsi2sk=activity_sk(summary.at, conversation_id),
    )


def awaiting_rating(conversation: ConversationItem, now: str) -> bool:
    """Closed, and a rating question still waits for its answer."""
    return conversation.status == "closed" and (conversation.awaiting_rating_until or "") > now


def append_message(message: MessageItem, summary: Summary, *, mode: str,
                   conversation: ConversationItem | None = None,
                   refs: Iterable[ProviderRefItem] = (), rating: int | None = None,
                   events: Iterable[DomainEvent] = (), outbox_table: str | None = None) -> None:
    """Store a message, its conversation's summary and its events' outbox items in one transaction.

    mode "append": the conversation must exist and be open or pending (else ConversationNotOpen);
    "reopen": it must be closed (it becomes open); "create": `conversation` is put and must not
    exist (else ConversationExists); "rate": it must be closed and awaiting a rating (it stays
    closed and records `rating`; else ConversationNotOpen). Each ref must not exist (else Duplicate).
    """
    refs = list(refs)
    tenant_id, conversation_id = message.tenant_id, message.conversation_id
    key = ConversationItem(conversation_pk(tenant_id, conversation_id), CONVERSATION_SK)
    try:
        with transaction() as tx:
            for ref in refs:
                tx.save(ref, condition=ProviderRefItem.pk.does_not_exist())
            tx.save(message, condition=MessageItem.pk.does_not_exist())
            if mode == "create":
                assert conversation is not None
                tx.save(conversation, condition=ConversationItem.pk.does_not_exist())
            elif mode == "reopen":
                actions = [*_summary_actions(conversation_id, summary),
                           ConversationItem.status.set("open"),
                           ConversationItem.gsi1pk.set(inbox_pk(tenant_id, "open")),
                           ConversationItem.reopened_at.set(iso()),
                           ConversationItem.awaiting_rating_until.remove()]
                tx.update(key, actions=actions, condition=ConversationItem.status == "closed")
            elif mode == "rate":
                assert rating is not None
                now = iso()
                actions = [*_summary_actions(conversation_id, replace(summary, unread=0)),
                           ConversationItem.rating.set(rating), ConversationItem.rated_at.set(summary.at),
                           ConversationItem.rating_message_id.set(message.message_id),
                           ConversationItem.awaiting_rating_until.remove()]
                tx.update(key, actions=actions, condition=(ConversationItem.status == "closed")
                          & (ConversationItem.awaiting_rating_until > now))
            else:
                condition: Condition = ConversationItem.pk.exists() & ConversationItem.status.is_in("open", "pending")
                tx.update(key, actions=_summary_actions(conversation_id, summary), condition=condition)
            if outbox_table:
                outbox.add(tx, events, outbox_table)  # last: the reasons are read by position
    except TransactWriteError as err:
        if any(condition_failed(err, position) for position in range(len(refs) + 1)):
            raise Duplicate(message.provider_message_id) from err
        if condition_failed(err, len(refs) + 1):  # refs, message, then the conversation
            if mode == "create":
                raise ConversationExists(conversation_id) from err
            raise ConversationNotOpen(conversation_id) from err
        raise


def _error_code(error: dict[str, Any]) -> Action:
    code = error.get("code")
    return MessageItem.error_code.set(str(code)) if code is not None else MessageItem.error_code.remove()


def update_message_text(tenant_id: str, conversation_id: str, message_id: str, text: str | None,
                        edited_at: str) -> None:
    MessageItem(conversation_pk(tenant_id, conversation_id), message_sk(message_id)).update(
        actions=[MessageItem.text.set(text) if text is not None else MessageItem.text.remove(),
                 MessageItem.edited.set(edited_at)],
        condition=MessageItem.pk.exists(),
    )


def update_message_media(tenant_id: str, conversation_id: str, message_id: str, media: dict[str, Any]) -> None:
    """The media of a stored message, fetched again (it was `pending`)."""
    MessageItem(conversation_pk(tenant_id, conversation_id), message_sk(message_id)).update(
        actions=[MessageItem.media.set(media)], condition=MessageItem.pk.exists())


# ---------------------------------------------------------------- delivery states


def apply_status(tenant_id: str, conversation_id: str, message_id: str, status: str, at: str,
                 error: dict[str, Any] | None = None, *, after_delivery: bool = False,
                 events: Sequence[DomainEvent] = (), current: MessageItem | None = None) -> MessageItem | None:
    """Move a message forward to `status`; None when it is already there or past it (and then
    none of `events` is written either: they go in the same transaction as the change).
    `failed` applies only before `delivered`, unless `after_delivery` (an e-mail bounce or
    complaint, which SES reports after its Delivery event).

    The message as written is returned (its caller shows it in the inbox row): without events the
    update reads it back (ALL_NEW); with them — a transaction reads nothing back — it is read first
    (consistent; or `current`, the message as the caller just listed it: the write's condition
    still decides), which also settles a replay without a write."""
    rank = STATUS_RANK[status]
    item = MessageItem(conversation_pk(tenant_id, conversation_id), message_sk(message_id))
    time_attr = {"sent": MessageItem.sent_at, "delivered": MessageItem.delivered_at,
                 "read": MessageItem.read_at, "failed": MessageItem.failed_at}[status]
    actions: list[Action] = [MessageItem.status.set(status), MessageItem.status_rank.set(rank)]
    if error is not None:
        actions += [MessageItem.error.set(error), _error_code(error)]
    limit = (rank if after_delivery else FAILED_ONLY_BELOW) if status == "failed" else rank
    condition = MessageItem.pk.exists() & (MessageItem.status_rank < limit)
    if events:
        image = current or get_message(tenant_id, conversation_id, message_id, consistent=True)
        return _apply_status_with(image, status, at, error, actions, time_attr, condition, limit, events)
    actions.append(time_attr.set(at))
    try:
        item.update(actions=actions, condition=condition)  # ALL_NEW: `item` now holds every attribute
    except UpdateError as err:
        if condition_failed(err):
            return None
        raise
    # Providers stamp seconds, we stamp `sent` in milliseconds: a delivery reported "at 10:00:05"
    # for a message sent at 10:00:05.300 is shown at the send time, never before it.
    floor = max((t for t in _earlier_times(item, status) if t), key=parse_iso, default=None)
    if floor and status != "failed" and parse_iso(at) < parse_iso(floor):
        item.update(actions=[time_attr.set(floor)])
    return item


def _apply_status_with(item: MessageItem | None, status: str, at: str, error: dict[str, Any] | None,
                       actions: list[Action], time_attr: Any, condition: Condition, limit: int,
                       events: Sequence[DomainEvent]) -> MessageItem | None:
    if item is None or (item.status_rank or 0) >= limit:
        return None
    # The send-time floor of `apply_status`, decided from the image read: one write instead of two.
    floor = max((t for t in _earlier_times(item, status) if t), key=parse_iso, default=None)
    when = floor if floor and status != "failed" and parse_iso(at) < parse_iso(floor) else at
    try:
        with transaction() as tx:
            tx.update(item, actions=[*actions, time_attr.set(when)], condition=condition)
            outbox.add(tx, events, _events_table())
    except TransactWriteError as err:
        if condition_failed(err, 0):
            return None
        raise
    item.status, item.status_rank = status, STATUS_RANK[status]
    setattr(item, f"{status}_at", when)
    if error is not None:
        item.error = error
        item.error_code = str(error["code"]) if error.get("code") is not None else None
    return item


def _earlier_times(item: MessageItem, status: str) -> list[str | None]:
    if status == "delivered":
        return [item.sent_at]
    if status == "read":
        return [item.sent_at, item.delivered_at]
    return []


def refresh_last_message(item: MessageItem, last_message: dict[str, Any]) -> None:
    """Show a new delivery state in the inbox row, if this is still the conversation's last message."""
    key = ConversationItem(conversation_pk(item.tenant_id, item.conversation_id), CONVERSATION_SK)
    try:
        key.update(actions=[ConversationItem.last_message.set(last_message)],
                   condition=ConversationItem.last_message_id == item.message_id)
    except UpdateError as err:
        if not condition_failed(err):
            raise


# ---------------------------------------------------------------- outbound


def claim_for_sending(item: MessageItem, *, at: str, allow_failed_code: str | None = None) -> None:
    """queued → sending, so one worker (one attempt) owns the provider call.

    `allow_failed_code`: a message failed with that code (retries exhausted) may be claimed
    again — that is what a DLQ redrive asks for.
    """
    condition = MessageItem.status == "queued"
    if allow_failed_code:
        condition = condition | ((MessageItem.status == "failed") & (MessageItem.error_code == allow_failed_code))
    try:
        item.update(actions=[MessageItem.status.set("sending"), MessageItem.sending_at.set(at),
                             MessageItem.attempts.add(1)],
                    condition=condition)
    except UpdateError as err:
        if condition_failed(err):
            raise NotQueued(item.message_id) from err
        raise


def record_sent(item: MessageItem, provider_ids: list[str], *, at: str, events: Sequence[DomainEvent] = ()) -> None:
    """The provider accepted it: ids first (statuses find the message through them), then sent,
    and its events — one transaction."""
    with transaction() as tx:
        for pid in provider_ids:
            tx.save(ProviderRefItem(provider_ref_pk(item.tenant_id, item.account_id, pid), PROVIDER_REF_SK,
                                    tenant_id=item.tenant_id, account_id=item.account_id,
                                    conversation_id=item.conversation_id, message_id=item.message_id,
                                    direction="out", created_at=at))
        tx.update(item, actions=[MessageItem.status.set("sent"), MessageItem.status_rank.set(STATUS_RANK["sent"]),
                                 MessageItem.sent_at.set(at), MessageItem.provider_message_id.set(provider_ids[0]),
                                 MessageItem.provider_message_ids.set(provider_ids),
                                 MessageItem.error.remove(), MessageItem.error_code.remove()],
                  condition=MessageItem.status == "sending")
        outbox.add(tx, events, _events_table())


def record_failure(item: MessageItem, error: dict[str, Any], *, at: str, final: bool,
                   sent_ids: list[str] | None = None, events: Sequence[DomainEvent] = ()) -> None:
    """A failed attempt: back to `queued` for a retry, or `failed` for good (with `events`, in one
    transaction: `item` is then not read back, the caller sets what it shows)."""
    actions: list[Action] = [MessageItem.error.set(error), _error_code(error)]
    if final:
        actions += [MessageItem.status.set("failed"), MessageItem.status_rank.set(STATUS_RANK["failed"]),
                    MessageItem.failed_at.set(at)]
    else:
        actions.append(MessageItem.status.set("queued"))
    if sent_ids:
        actions.append(MessageItem.provider_message_ids.set(sent_ids))
    outbox.update_with(item, actions, events, _events_table())


def _events_table() -> str:
    """The table whose outbox carries the conversations' events."""
    return get_settings().conversations_table


def save_outbound(message: MessageItem, summary: Summary) -> None:
    """An agent's message, queued, and the conversation's summary — one transaction."""
    key = ConversationItem(conversation_pk(message.tenant_id, message.conversation_id), CONVERSATION_SK)
    with transaction() as tx:
        tx.save(message, condition=MessageItem.pk.does_not_exist())
        tx.update(key, actions=_summary_actions(message.conversation_id, summary),
                  condition=ConversationItem.pk.exists())


# ---------------------------------------------------------------- web chat sessions


def save_session(item: WebchatSessionItem) -> None:
    item.save(condition=WebchatSessionItem.pk.does_not_exist())


def link_session(session: WebchatSessionItem, person_id: str, conversation_id: str) -> None:
    """The visitor's session now names their person and conversation."""
    session.update(actions=[WebchatSessionItem.person_id.set(person_id),
                            WebchatSessionItem.conversation_id.set(conversation_id)])


def get_session(tenant_id: str, session_id: str) -> WebchatSessionItem | None:
    try:
        return WebchatSessionItem.get(session_pk(tenant_id, session_id), SESSION_SK)
    except WebchatSessionItem.DoesNotExist:
        return None


def conversations_by_id(tenant_id: str, conversation_ids: list[str]) -> dict[str, ConversationItem]:
    """The conversations of those ids that exist (BatchGetItem, 100 keys a call)."""
    keys = [(conversation_pk(tenant_id, cid), CONVERSATION_SK) for cid in conversation_ids]
    return {item.conversation_id: item for item in ops.batch_get(ConversationItem, keys)}
