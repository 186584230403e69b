"""Every event the campaigns context publishes (source `skailan.campaigns`) and its payload."""

from __future__ import annotations

from skailan.platform.catalogue import Catalogue, Payload, entity_types

SOURCE = "skailan.campaigns"

CAMPAIGN_SCHEDULED = "campaign.scheduled"
CAMPAIGN_STARTED = "campaign.started"
CAMPAIGN_PAUSED = "campaign.paused"
CAMPAIGN_RESUMED = "campaign.resumed"
CAMPAIGN_CANCELLED = "campaign.cancelled"
CAMPAIGN_COMPLETED = "campaign.completed"
CONSENT_CHANGED = "consent.changed"
# A recipient's message moved on (once each; automations trigger on them).
# `sent`: the provider accepted it (analytics counts it in usage and charges WhatsApp credits).
RECIPIENT_SENT = "campaign_recipient.sent"
RECIPIENT_DELIVERED = "campaign_recipient.delivered"
RECIPIENT_READ = "campaign_recipient.read"
RECIPIENT_OPENED = "campaign_recipient.opened"
RECIPIENT_CLICKED = "campaign_recipient.clicked"
# The person wrote on the campaign's channel within the reply window of its send (store.REPLY_WINDOW).
RECIPIENT_REPLIED = "campaign_recipient.replied"


class CampaignState(Payload):
    campaign_id: str
    name: str
    channel: str
    status: str
    at: str | None = None  # when a scheduled campaign starts (UTC ISO)


class ConsentChanged(Payload):
    channel: str
    address: str
    person_id: str | None = None
    suppressed: bool
    reason: str


class RecipientEvent(Payload):
    campaign_id: str
    person_id: str
    status: str  # sent | delivered | read | opened | clicked | replied


class RecipientSent(RecipientEvent):
    """What a message costs is known when it is sent: the channel, the template (its category is
    the registry's) and the country of the number (by calling code; the number itself is not sent)."""

    channel: str
    account_id: str | None = None
    template: dict[str, str] | None = None  # {"name", "language"} of a WhatsApp template
    country: str | None = None  # ISO alpha-2, or * (unknown)
    nps: bool = False  # the campaign asks the NPS question (its answer is recorded)


CATALOGUE = Catalogue(SOURCE, {
    **entity_types("campaign"),
    CAMPAIGN_SCHEDULED: CampaignState,
    CAMPAIGN_STARTED: CampaignState,
    CAMPAIGN_PAUSED: CampaignState,
    CAMPAIGN_RESUMED: CampaignState,
    CAMPAIGN_CANCELLED: CampaignState,
    CAMPAIGN_COMPLETED: CampaignState,
    CONSENT_CHANGED: ConsentChanged,
    RECIPIENT_SENT: RecipientSent,
    RECIPIENT_DELIVERED: RecipientEvent,
    RECIPIENT_READ: RecipientEvent,
    RECIPIENT_OPENED: RecipientEvent,
    RECIPIENT_CLICKED: RecipientEvent,
    RECIPIENT_REPLIED: RecipientEvent,
})
