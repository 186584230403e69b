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
TEMPLATE_STATUS_CHANGED = "whatsapp_template.status_changed"
TEMPLATE_QUALITY_CHANGED = "whatsapp_template.quality_changed"
TEMPLATES_SYNCED = "whatsapp_template.synced"
EMAIL_SIGNATURE_UPDATED = "email_signature.updated"
EMAIL_AUTORESPONSE_UPDATED = "email_autoresponse.updated"
EMAIL_FOLLOW_UP_SCHEDULED = "email.follow_up_scheduled"
EMAIL_FOLLOW_UP_CANCELLED = "email.follow_up_cancelled"


class PresenceChanged(Payload):
    status: str


class NotificationCreated(Payload):
    user_id: str
    type: str
    conversation_id: str | None = None


class TemplateStatusChanged(Payload):
    """Meta reviewed a template (approved, rejected with its reason, paused…)."""

    status: str
    reason: str | None = None


class TemplateQualityChanged(Payload):
    quality: str


class TemplatesSynced(Payload):
    """A manual sync of one account's templates with Meta."""

    seen: int
    created: int
    updated: int
    removed: int


CATALOGUE = Catalogue(SOURCE, {
    AGENT_PRESENCE_CHANGED: PresenceChanged,
    AGENT_UPDATED: EntityPayload,
    INBOX_SETTINGS_UPDATED: EntityPayload,
    NOTIFICATION_CREATED: NotificationCreated,
    TEMPLATE_STATUS_CHANGED: TemplateStatusChanged,
    TEMPLATE_QUALITY_CHANGED: TemplateQualityChanged,
    TEMPLATES_SYNCED: TemplatesSynced,
    EMAIL_SIGNATURE_UPDATED: EntityPayload,
    EMAIL_AUTORESPONSE_UPDATED: EntityPayload,
    EMAIL_FOLLOW_UP_SCHEDULED: EntityPayload,
    EMAIL_FOLLOW_UP_CANCELLED: EntityPayload,
    **entity_types("team", "quick_reply", "whatsapp_template", "email_template"),
})
