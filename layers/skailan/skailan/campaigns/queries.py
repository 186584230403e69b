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
