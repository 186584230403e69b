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
RECIPIENT_DELIVERED = "campaign_recipient.delivered"
RECIPIENT_READ = "campaign_recipient.read"
RECIPIENT_OPENED = "campaign_recipient.opened"
RECIPIENT_CLICKED = "campaign_recipient.clicked"


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
    status: str  # delivered | read | opened | clicked


CATALOGUE = Catalogue(SOURCE, {
    **entity_types("campaign"),
    CAMPAIGN_SCHEDULED: CampaignState,
    CAMPAIGN_STARTED: CampaignState,
    CAMPAIGN_PAUSED: CampaignState,
    CAMPAIGN_RESUMED: CampaignState,
    CAMPAIGN_CANCELLED: CampaignState,
    CAMPAIGN_COMPLETED: CampaignState,
    CONSENT_CHANGED: ConsentChanged,
    RECIPIENT_DELIVERED: RecipientEvent,
    RECIPIENT_READ: RecipientEvent,
    RECIPIENT_OPENED: RecipientEvent,
    RECIPIENT_CLICKED: RecipientEvent,
})
