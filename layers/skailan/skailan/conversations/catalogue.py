"""Every event the conversations context publishes (source `skailan.conversations`) and its payload.

Messages and conversation life cycle come from ingest / outbound (`conversations/events.py`); the
inbox's actions on a conversation publish under this source too (`conversations/inbox/actions.py`,
`conversations/inbox/assignment.py`, bots, CSAT). Consumers: template.yaml rules (Audit, Segments, Assignment,
InboxEvents, Timeline…), checked by tests/contract/test_event_catalogues.py.
"""

from __future__ import annotations

from typing import Any

from skailan.conversations.events import (
    CONVERSATION_CREATED,
    CONVERSATION_RATED,
    CONVERSATION_REOPENED,
    MESSAGE_FAILED,
    MESSAGE_QUEUED,
    MESSAGE_RECEIVED,
    MESSAGE_SENT,
    MESSAGE_STATUS_CHANGED,
    SOURCE,
)
from skailan.platform.catalogue import Catalogue, Payload

# The inbox's actions on a conversation.
CONVERSATION_TAKEN = "conversation.taken"
CONVERSATION_ASSIGNED = "conversation.assigned"  # data.automatic: by auto-assignment
CONVERSATION_UNASSIGNED = "conversation.unassigned"
CONVERSATION_TRANSFERRED = "conversation.transferred"
CONVERSATION_CLOSED = "conversation.closed"
CONVERSATION_STATUS_CHANGED = "conversation.status_changed"
CONVERSATION_SNOOZED = "conversation.snoozed"
CONVERSATION_WOKE = "conversation.woke"
CONVERSATION_PINNED = "conversation.pinned"
CONVERSATION_UNPINNED = "conversation.unpinned"
CONVERSATION_PRIORITY_CHANGED = "conversation.priority_changed"
CONVERSATION_TAGS_CHANGED = "conversation.tags_changed"
CONVERSATION_NOTE_ADDED = "conversation.note_added"
CONVERSATION_READ = "conversation.read"
CONVERSATION_UNREAD = "conversation.unread"
CONVERSATION_QUEUED = "conversation.queued"
CONVERSATION_BOT_REPLIED = "conversation.bot_replied"
CONVERSATION_HANDOFF_REQUESTED = "conversation.handoff_requested"
CONVERSATION_FIRST_RESPONSE = "conversation.first_response"
CONVERSATION_UNASSIGNED_ALERT = "conversation.unassigned_alert"
CONVERSATION_CSAT_REQUESTED = "conversation.csat_requested"
CONVERSATION_CSAT_SKIPPED = "conversation.csat_skipped"
CONVERSATION_NPS_ANSWERED = "conversation.nps_answered"  # a 0–10 NPS answer (analytics counts it)


class ConversationPayload(Payload):
    conversation_id: str
    channel: str | None = None
    account_id: str | None = None


class MessagePayload(ConversationPayload):
    message_id: str


class MessageReceived(MessagePayload):
    person_id: str
    type: str
    text: str | None = None
    provider_message_id: str
    opt_out_keyword: bool = False  # an SMS / WhatsApp text that is an opt-out keyword (platform/opt_out_words.py)


class MessageSent(MessagePayload):
    provider_message_ids: list[str] | None = None
    external: bool | None = None  # sent from another tool (an echo), not through Skailan


class MessageFailed(MessagePayload):
    error: dict[str, Any] | None = None


class MessageStatusChanged(MessagePayload):
    status: str


class ConversationOpened(ConversationPayload):
    person_id: str
    message_id: str


class ConversationRated(ConversationPayload):
    person_id: str
    message_id: str
    rating: int
    rated_at: str
    agent: str | None = None
    team: str | None = None
    closed_at: str | None = None


class NpsAnswered(ConversationPayload):
    person_id: str
    score: int  # 0–10: promoters 9–10, passives 7–8, detractors 0–6
    answered_at: str
    agent: str | None = None
    team: str | None = None


class HolderChanged(ConversationPayload):
    assignee: str | None = None
    assignee_name: str | None = None
    previous_assignee: str | None = None


class Assigned(HolderChanged):
    automatic: bool | None = None
    waited_ms: int | None = None


class Transferred(HolderChanged):
    team_id: str | None = None
    previous_team_id: str | None = None
    note: str | None = None


class Closed(ConversationPayload):
    reason_id: str
    reason_name: str | None = None
    assignee: str | None = None
    team_id: str | None = None
    resolution_ms: int | None = None
    note: str | None = None
    bot_handled: bool = False
    automatic: bool = False


class NoteAdded(ConversationPayload):
    note_id: str
    text: str
    mentions: list[str] = []


CATALOGUE = Catalogue(SOURCE, {
    MESSAGE_RECEIVED: MessageReceived,
    MESSAGE_QUEUED: MessagePayload,
    MESSAGE_SENT: MessageSent,
    MESSAGE_FAILED: MessageFailed,
    MESSAGE_STATUS_CHANGED: MessageStatusChanged,
    CONVERSATION_CREATED: ConversationOpened,
    CONVERSATION_REOPENED: ConversationPayload,  # by the customer (ingest) or an agent (manual: true)
    CONVERSATION_RATED: ConversationRated,
    CONVERSATION_TAKEN: HolderChanged,
    CONVERSATION_ASSIGNED: Assigned,
    CONVERSATION_UNASSIGNED: HolderChanged,
    CONVERSATION_TRANSFERRED: Transferred,
    CONVERSATION_CLOSED: Closed,
    CONVERSATION_STATUS_CHANGED: ConversationPayload,
    CONVERSATION_SNOOZED: ConversationPayload,
    CONVERSATION_WOKE: ConversationPayload,
    CONVERSATION_PINNED: ConversationPayload,
    CONVERSATION_UNPINNED: ConversationPayload,
    CONVERSATION_PRIORITY_CHANGED: ConversationPayload,
    CONVERSATION_TAGS_CHANGED: ConversationPayload,
    CONVERSATION_NOTE_ADDED: NoteAdded,
    CONVERSATION_READ: ConversationPayload,
    CONVERSATION_UNREAD: ConversationPayload,
    CONVERSATION_QUEUED: ConversationPayload,
    CONVERSATION_BOT_REPLIED: ConversationPayload,
    CONVERSATION_HANDOFF_REQUESTED: ConversationPayload,
    CONVERSATION_FIRST_RESPONSE: ConversationPayload,
    CONVERSATION_UNASSIGNED_ALERT: ConversationPayload,
    CONVERSATION_CSAT_REQUESTED: ConversationPayload,
    CONVERSATION_CSAT_SKIPPED: ConversationPayload,
    CONVERSATION_NPS_ANSWERED: NpsAnswered,
})
