"""Every event the inbox publishes under its own source `skailan.inbox` (people and configuration
around conversations) and its payload. What it does to a conversation is published under
`skailan.conversations`: `skailan.conversations.catalogue`."""

from __future__ import annotations

from skailan.platform.catalogue import Catalogue, EntityPayload, Payload, entity_types

SOURCE = "skailan.inbox"

AGENT_PRESENCE_CHANGED = "agent.presence_changed"
AGENT_UPDATED = "agent.updated"
INBOX_SETTINGS_UPDATED = "inbox.settings_updated"
NOTIFICATION_CREATED = "notification.created"


class PresenceChanged(Payload):
    status: str


class NotificationCreated(Payload):
    user_id: str
    type: str
    conversation_id: str | None = None


CATALOGUE = Catalogue(SOURCE, {
    AGENT_PRESENCE_CHANGED: PresenceChanged,
    AGENT_UPDATED: EntityPayload,
    INBOX_SETTINGS_UPDATED: EntityPayload,
    NOTIFICATION_CREATED: NotificationCreated,
    **entity_types("team", "quick_reply", "whatsapp_template"),
})
