"""What other contexts read of campaigns, as plain values (they never import the campaigns store)."""

from __future__ import annotations

from dataclasses import dataclass

from skailan.campaigns import store


@dataclass(frozen=True)
class CampaignAttention:
    campaign_id: str
    name: str
    channel: str
    status: str
    reason: str | None


def needing_attention(tenant_id: str, *, limit: int = 20) -> list[CampaignAttention]:
    """The brand's failed campaigns and those the send worker paused (the dashboard's alert; one Query)."""
    return [CampaignAttention(campaign_id=i.campaign_id, name=i.name, channel=i.channel, status=i.status,
                              reason=i.reason) for i in store.needing_attention(tenant_id, limit=limit)]


# A sending campaign with this share of its recipients done (sent, failed or skipped) is about to
# finish: the dashboard says so ("campañas a punto de finalizar", seed 000 §3.1).
ENDING_SOON_SHARE = 0.9


@dataclass(frozen=True)
class CampaignProgress:
    campaign_id: str
    name: str
    channel: str
    recipients: int
    done: int

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.recipients) if self.recipients else 0


def ending_soon(tenant_id: str, *, limit: int = 50) -> list[CampaignProgress]:
    """Sending campaigns whose recipients are all written and ≥ 90 % done (one Query)."""
    found = []
    for item in store.running(tenant_id, limit=limit):
        recipients, queued = int(item.recipients or 0), int(item.queued or 0)
        if item.status != "sending" or not item.fanned_out_at or recipients <= 0:
            continue
        done = max(0, recipients - queued)
        if done >= ENDING_SOON_SHARE * recipients:
            found.append(CampaignProgress(campaign_id=item.campaign_id, name=item.name, channel=item.channel,
                                          recipients=recipients, done=done))
    return found


def opted_out(tenant_id: str, channel: str, person_id: str) -> bool:
    """Whether the person's address on the channel is suppressed (opt-out word, unsubscribe,
    bounce, complaint, manual): business-initiated sends respect it as campaigns do."""
    from skailan.crm.store.person_reads import batch_people

    person = batch_people(tenant_id, [person_id]).get(person_id)
    address = (person.email if channel == "email" else person.phone) if person is not None else None
    return bool(address) and bool(store.suppressed(tenant_id, channel, [str(address)]))


def suppressed_addresses(tenant_id: str, channel: str, addresses: list[str]) -> set[str]:
    """Which of the (normalised) addresses are suppressed on the channel: one BatchGetItem."""
    return store.suppressed(tenant_id, channel, addresses)
