"""SES events of campaign e-mail (the campaigns' configuration set → SNS → /webhooks/ses, signature
verified there): Delivery, Bounce, Complaint, Reject, Open, Click.

The message's SES tags name brand and campaign (set by the send worker); the recipient is the
one whose provider id is SES's MessageId in that brand. Statuses only move forward; opens, clicks,
bounces and complaints count once per recipient; a hard bounce or a complaint suppresses the
address for e-mail (with its consent change on the person's timeline).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from skailan.campaigns import service, statuses, store
from skailan.platform.clock import iso, parse_iso
from skailan.platform.observability import logger

TENANT_TAG, CAMPAIGN_TAG = "skailan_tenant", "skailan_campaign"


def _tag(mail: Mapping[str, Any], name: str) -> str | None:
    values = (mail.get("tags") or {}).get(name)
    return str(values[0]) if isinstance(values, list) and values and isinstance(values[0], str) else None


def is_campaign(notification: Mapping[str, Any]) -> bool:
    mail = notification.get("mail")
    return isinstance(mail, Mapping) and bool(_tag(mail, TENANT_TAG) and _tag(mail, CAMPAIGN_TAG))


def _at(detail: Mapping[str, Any], mail: Mapping[str, Any]) -> str:
    for raw in (detail.get("timestamp"), mail.get("timestamp")):
        if isinstance(raw, str):
            try:
                return iso(parse_iso(raw))
            except (ValueError, OverflowError):
                continue
    return iso()


def apply(notification: Mapping[str, Any]) -> str:
    """What the event did (for the log): an unknown message or event type changes nothing."""
    mail = notification.get("mail") or {}
    tenant_id, campaign_id = _tag(mail, TENANT_TAG), _tag(mail, CAMPAIGN_TAG)
    event_type = str(notification.get("eventType") or "")
    ses_id = str(mail.get("messageId") or "")
    recipient = store.recipient_by_provider_id(tenant_id or "", ses_id) if tenant_id and ses_id else None
    if recipient is None or recipient.campaign_id != campaign_id:
        logger.info("ses event for an unknown campaign message", event_type=event_type, ses_message_id=ses_id)
        return "unknown"
    detail = notification.get(event_type.lower()) or {}
    at = _at(detail, mail)
    tenant, campaign, person = recipient.tenant_id, recipient.campaign_id, recipient.person_id
    if event_type == "Delivery":
        statuses.apply(tenant, ses_id, "delivered", at)
    elif event_type == "Open":
        service.count_once(tenant, campaign, person, "opened", at)
    elif event_type == "Click":
        service.count_once(tenant, campaign, person, "clicked", at)
    elif event_type == "Reject":
        statuses.apply(tenant, ses_id, "failed", at, "rejected")
    elif event_type == "Bounce":
        if detail.get("bounceType") != "Permanent":
            return "transient_bounce"  # SES keeps trying: nothing failed yet
        if store.move_recipient(tenant, campaign, person, "failed", expected=["sent", "delivered"], at=at,
                                reason="hard_bounce", error={"code": "hard_bounce",
                                                             "message": str(detail.get("bounceSubType") or "")}):
            store.add_counts(tenant, campaign, {"failed": 1})
        service.count_once(tenant, campaign, person, "bounced", at)
        _suppress(tenant, recipient, "hard_bounce")
    elif event_type == "Complaint":
        service.count_once(tenant, campaign, person, "complained", at)
        _suppress(tenant, recipient, "complaint")
    else:
        return "ignored"
    return event_type.lower()


def _suppress(tenant_id: str, recipient: store.RecipientItem, reason: str) -> None:
    if recipient.address:
        service.suppress(None, tenant_id, "email", recipient.address, reason=reason,
                         source=f"ses:{recipient.campaign_id}")
