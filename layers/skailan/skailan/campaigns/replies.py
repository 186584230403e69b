"""Replies to campaigns: a person's inbound message on the channel of the latest campaign message
sent to them, within `store.REPLY_WINDOW` of its send, is that campaign's reply — counted once per
recipient (`replied`) and published once (`campaign_recipient.replied`: the automations'
`campaign_replied` trigger). One GetItem per inbound message (the person's marker, written with
the send); the marker is dropped once the reply is counted, so later messages find none.
An opt-out word (BAJA, STOP…) is no reply: opting out earns no "replied" points."""

from __future__ import annotations

from typing import Any

from skailan.campaigns import store
from skailan.campaigns.optout import is_opt_out
from skailan.platform.clock import iso
from skailan.platform.events import DomainEvent


def on_message_received(event: DomainEvent) -> dict[str, Any]:
    data = event.data or {}
    person_id, channel = data.get("person_id"), data.get("channel")
    if not person_id or not channel or is_opt_out(data.get("text")):
        return {"replied": False}
    marker = store.last_sent(event.tenant_id, str(person_id))
    now = iso()
    if marker is None or marker.channel != channel or marker.reply_until < now:
        return {"replied": False}
    from skailan.campaigns.service import count_once

    first = count_once(event.tenant_id, marker.campaign_id, str(person_id), "replied", now)
    store.drop_last_sent(event.tenant_id, str(person_id), marker.campaign_id)
    return {"replied": True, "new": first, "campaign_id": marker.campaign_id}
