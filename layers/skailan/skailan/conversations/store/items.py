"""Stored items of the conversations table (single-table design, pynamodb).

Keys (every partition starts with the tenant):
  conversation     pk T#<t>#C#<conversation>           sk C
                   gsi1 T#<t>#INBOX#<status> / <last activity>#<conversation>   (inbox by status)
                   gsi2 T#<t>#INBOX          / <last activity>#<conversation>   (inbox, every status)
                   by_assignee, by_team, by_channel, by_priority, waiting, queue: the inbox's
                   views (see the classes below and docs/inbox.md)
  message          pk T#<t>#C#<conversation>           sk M#<message id (ULID of its time)>
  provider ref     pk T#<t>#P#<account>#<provider id>  sk P
                   one per provider message id: settles inbound idempotency (conditional put in
                   the message's transaction), finds outbound messages for statuses, threads
                   e-mail replies (In-Reply-To / References)
  webchat session  pk T#<t>#W#<session>                sk W     (TTL)
  upload           pk T#<t>#UP#<upload id>             sk U     (TTL; the file is in MediaBucket)

A conversation's id is derived from (channel account, person): one thread per customer and
account, re-opened when they write again (`conversation_id_for`).
"""

from __future__ import annotations

from typing import cast

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    ListAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from skailan.platform.settings import get_settings
from skailan.platform.storage import TableItem

CONVERSATION_SK = "C"
MESSAGE_PREFIX = "M#"
PROVIDER_REF_SK = "P"
SESSION_SK = "W"
UPLOAD_SK = "U"
PROFILE_SK = "PROFILE"


def conversation_pk(tenant_id: str, conversation_id: str) -> str:
    return f"T#{tenant_id}#C#{conversation_id}"


def message_sk(message_id: str) -> str:
    return f"{MESSAGE_PREFIX}{message_id}"


def provider_ref_pk(tenant_id: str, account_id: str, provider_message_id: str) -> str:
    return f"T#{tenant_id}#P#{account_id}#{provider_message_id}"


def session_pk(tenant_id: str, session_id: str) -> str:
    return f"T#{tenant_id}#W#{session_id}"


def inbox_pk(tenant_id: str, status: str | None = None) -> str:
    return f"T#{tenant_id}#INBOX" + (f"#{status}" if status else "")


def activity_sk(last_activity_at: str, conversation_id: str) -> str:
    return f"{last_activity_at}#{conversation_id}"


def upload_pk(tenant_id: str, upload_id: str) -> str:
    return f"T#{tenant_id}#UP#{upload_id}"


def profile_cache_pk(tenant_id: str, account_id: str, user_id: str) -> str:
    """A Messenger/Instagram customer's cached profile name, by account and page-scoped id."""
    return f"T#{tenant_id}#PROFILE#{account_id}#{user_id}"




class ConversationsItem(TableItem):
    class Meta:
        table_name = get_settings().conversations_table

    overloaded_indexes = 2


# ---- the inbox's indexes on conversation items (read by store/listing.py; docs/inbox.md). Hash keys are
# written by the inbox when status/holder/team/priority change; range keys are plain attributes
# (`last_activity_at`, kept by this context), so a new message re-sorts every view for free.


class _InboxView(GlobalSecondaryIndex["ConversationItem"]):
    last_activity_at = UnicodeAttribute(range_key=True)


class ByAssignee(_InboxView):
    class Meta:
        index_name = "by_assignee"
        projection = AllProjection()

    ix_assignee = UnicodeAttribute(hash_key=True)  # T#<t>#S#<inbox status>#A#<user id | ->


class ByTeam(_InboxView):
    class Meta:
        index_name = "by_team"
        projection = AllProjection()

    ix_team = UnicodeAttribute(hash_key=True)  # T#<t>#S#<inbox status>#M#<team id | ->


class ByChannel(_InboxView):
    class Meta:
        index_name = "by_channel"
        projection = AllProjection()

    ix_channel = UnicodeAttribute(hash_key=True)  # T#<t>#S#<inbox status>#H#<channel>


class ByPriority(_InboxView):
    class Meta:
        index_name = "by_priority"
        projection = AllProjection()

    ix_priority = UnicodeAttribute(hash_key=True)  # T#<t>#S#<inbox status>#P#<priority>


class Waiting(GlobalSecondaryIndex["ConversationItem"]):
    """Sparse: conversations whose customer waits for an answer, longest wait first."""

    class Meta:
        index_name = "waiting"
        projection = AllProjection()

    ix_waiting = UnicodeAttribute(hash_key=True)  # T#<t>#W
    waiting_since = UnicodeAttribute(range_key=True)


class AssignmentQueue(GlobalSecondaryIndex["ConversationItem"]):
    """Sparse: open conversations no agent could take yet, per channel account, oldest first."""

    class Meta:
        index_name = "queue"
        projection = AllProjection()

    ix_queue = UnicodeAttribute(hash_key=True)  # T#<t>#Q#<channel account>
    queued_at = UnicodeAttribute(range_key=True)


class ConversationItem(ConversationsItem, discriminator="conversation"):
    tenant_id = UnicodeAttribute()
    conversation_id = UnicodeAttribute()
    channel = UnicodeAttribute()
    account_id = UnicodeAttribute()
    person_id = UnicodeAttribute()
    status = UnicodeAttribute()  # open | pending | closed
    # Snapshot of who the customer is on this channel: person_id, name, external_id, phone, email.
    contact = JSONAttribute(default=dict)
    # Where replies go when it is not the contact's external id (a Telegram group chat).
    reply_ref = UnicodeAttribute(null=True)
    last_message = JSONAttribute(null=True)
    last_message_id = UnicodeAttribute(null=True)
    last_activity_at = UnicodeAttribute()
    # The provider's own time of the customer's last message (WhatsApp 24-hour window).
    last_customer_message_at = UnicodeAttribute(null=True)
    last_agent_message_at = UnicodeAttribute(null=True)
    unread_count = NumberAttribute(default=0)
    message_count = NumberAttribute(default=0)
    # E-mail threading: subject, last inbound Message-ID, References.
    email_thread = JSONAttribute(null=True)
    opened_at = UnicodeAttribute(null=True)
    reopened_at = UnicodeAttribute(null=True)
    closed_at = UnicodeAttribute(null=True)
    # Rating question (CSAT): while `awaiting_rating_until` is in the future, a closed
    # conversation takes a customer's 1–5 answer as its rating instead of re-opening
    # (`store.append_message` mode "rate"); whoever asked sets who is rated (`rating_agent`, `rating_team`).
    awaiting_rating_until = UnicodeAttribute(null=True)
    rating = NumberAttribute(null=True)
    rated_at = UnicodeAttribute(null=True)
    rating_message_id = UnicodeAttribute(null=True)
    rating_agent = UnicodeAttribute(null=True)
    rating_team = UnicodeAttribute(null=True)
    rating_kind = UnicodeAttribute(null=True)  # None: CSAT (1–5); "nps": the NPS question (0–10)
    # ---- inbox (skailan.inbox): holder, routing, triage, bots, and the views above.
    assignee = UnicodeAttribute(null=True)  # the one holder; set only under attribute_not_exists
    assignee_name = UnicodeAttribute(null=True)
    assigned_at = UnicodeAttribute(null=True)
    last_assignee = UnicodeAttribute(null=True)  # who held it when it was closed
    team_id = UnicodeAttribute(null=True)
    priority = UnicodeAttribute(null=True)  # low | normal | high | urgent (none: normal)
    pinned = BooleanAttribute(null=True)
    tags = UnicodeSetAttribute(null=True)
    snoozed_until = UnicodeAttribute(null=True)  # set: the inbox shows it as "snoozed"
    close_reason_id = UnicodeAttribute(null=True)
    closed_by = UnicodeAttribute(null=True)
    bot_handled = BooleanAttribute(null=True)
    first_response_at = UnicodeAttribute(null=True)
    csat_for = UnicodeAttribute(null=True)  # the close (closed_at) whose CSAT survey was decided: sent | skipped
    csat_status = UnicodeAttribute(null=True)
    waiting_since = UnicodeAttribute(null=True)  # first unanswered customer message
    queued_at = UnicodeAttribute(null=True)
    inbox_rev = NumberAttribute(null=True)  # optimistic lock of the inbox's own writes
    ix_assignee = UnicodeAttribute(null=True)
    ix_team = UnicodeAttribute(null=True)
    ix_channel = UnicodeAttribute(null=True)
    ix_priority = UnicodeAttribute(null=True)
    ix_waiting = UnicodeAttribute(null=True)
    ix_queue = UnicodeAttribute(null=True)
    by_assignee = ByAssignee()
    by_team = ByTeam()
    by_channel = ByChannel()
    by_priority = ByPriority()
    waiting = Waiting()
    queue = AssignmentQueue()


class MessageItem(ConversationsItem, discriminator="message"):
    tenant_id = UnicodeAttribute()
    conversation_id = UnicodeAttribute()
    message_id = UnicodeAttribute()
    account_id = UnicodeAttribute()
    channel = UnicodeAttribute()
    direction = UnicodeAttribute()  # in | out
    type = UnicodeAttribute()
    text = UnicodeAttribute(null=True)
    # Outbound delivery: queued < sent < delivered < read (status_rank), or failed.
    status = UnicodeAttribute(null=True)
    status_rank = NumberAttribute(default=0)
    provider_message_id = UnicodeAttribute(null=True)
    # Strings (pynamodb's stubs would type a list `of=UnicodeAttribute` as a list of attributes).
    provider_message_ids = cast("ListAttribute[str]", ListAttribute(of=UnicodeAttribute, null=True))
    author = JSONAttribute(default=dict)  # {kind: customer|user|system|external, id, name}
    timestamp = UnicodeAttribute()  # the provider's time (inbound) or ours (outbound)
    media = JSONAttribute(null=True)
    attachments = JSONAttribute(null=True)
    details = JSONAttribute(null=True)  # location, contacts, interactive, reaction, email, template
    reply_to_provider_id = UnicodeAttribute(null=True)
    error = JSONAttribute(null=True)
    error_code = UnicodeAttribute(null=True)
    # When each delivery state was reported (the provider's time when it gives one).
    sent_at = UnicodeAttribute(null=True)
    delivered_at = UnicodeAttribute(null=True)
    read_at = UnicodeAttribute(null=True)
    failed_at = UnicodeAttribute(null=True)
    attempts = NumberAttribute(default=0)
    sending_at = UnicodeAttribute(null=True)
    edited = UnicodeAttribute(null=True)  # time of the last edit
    raw = JSONAttribute(null=True)  # the provider's part, kept for unsupported messages


class ProviderRefItem(ConversationsItem, discriminator="provider_ref"):
    tenant_id = UnicodeAttribute()
    account_id = UnicodeAttribute()
    conversation_id = UnicodeAttribute()
    message_id = UnicodeAttribute()
    direction = UnicodeAttribute()


class WebchatSessionItem(ConversationsItem, discriminator="webchat_session"):
    tenant_id = UnicodeAttribute()
    account_id = UnicodeAttribute()
    session_id = UnicodeAttribute()
    token_hash = UnicodeAttribute()
    person_id = UnicodeAttribute(null=True)
    conversation_id = UnicodeAttribute(null=True)
    visitor = JSONAttribute(default=dict)
    origin = UnicodeAttribute(null=True)
    ttl = TTLAttribute(null=True)


class UploadItem(ConversationsItem, discriminator="upload"):
    """An agent's file (`skailan.conversations.uploads`): pk T#<t>#UP#<upload id>, sk U (TTL)."""

    tenant_id = UnicodeAttribute()
    upload_id = UnicodeAttribute()
    conversation_id = UnicodeAttribute()
    channel = UnicodeAttribute()
    key = UnicodeAttribute()
    filename = UnicodeAttribute()
    content_type = UnicodeAttribute()
    declared_size = NumberAttribute()
    max_bytes = NumberAttribute()
    created_by = UnicodeAttribute(null=True)
    ttl = TTLAttribute(null=True)


class ProfileCacheItem(ConversationsItem, discriminator="profile_cache"):
    """A Messenger/Instagram customer's profile name (`skailan.conversations.ingest.profiles`), 7 days TTL:
    pk T#<t>#PROFILE#<account>#<page-scoped id>, sk PROFILE."""

    name = UnicodeAttribute()
    ttl = TTLAttribute(null=True)
