"""Delivery statuses of campaign messages, fed by the channels' existing delivery webhooks: a
recipient only moves forward (sent → delivered → read; failed after sent), each step counted once."""

from __future__ import annotations

from skailan.campaigns import store


def apply(tenant_id: str, provider_message_id: str, status: str, at: str, error_code: str | None = None) -> bool:
    """True when the id is a campaign message (whatever the outcome: stale statuses are ignored)."""
    recipient = store.recipient_by_provider_id(tenant_id, provider_message_id)
    if recipient is None:
        return False
    tenant, campaign, person = recipient.tenant_id, recipient.campaign_id, recipient.person_id
    if status == "failed":
        if store.move_recipient(tenant, campaign, person, "failed", expected=["sent", "delivered"], at=at,
                                reason=error_code or "undelivered", error={"code": error_code or "undelivered"}):
            store.add_counts(tenant, campaign, {"failed": 1})
        return True
    if status == "read":
        # Read implies delivered (that webhook may come late or never): from sent both count, from
        # delivered only read; two conditional moves so a race never counts delivered twice.
        if store.move_recipient(tenant, campaign, person, "read", expected=["sent"], at=at):
            store.add_counts(tenant, campaign, {"delivered": 1, "read": 1})
        elif store.move_recipient(tenant, campaign, person, "read", expected=["delivered"], at=at):
            store.add_counts(tenant, campaign, {"read": 1})
        return True
    if status == "delivered" and store.move_recipient(tenant, campaign, person, "delivered", expected=["sent"], at=at):
        store.add_counts(tenant, campaign, {"delivered": 1})
    return True
