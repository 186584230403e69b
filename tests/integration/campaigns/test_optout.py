"""Opt-out keywords on an inbound WhatsApp message: the sender's number is suppressed for the
channel, one confirmation is queued (not two on a redelivery), and campaigns skip the person."""

from __future__ import annotations

import pytest

from tests.integration.channels.conftest import drain, post_meta, whatsapp_text
from tests.support import call


@pytest.mark.parametrize("text", ["Baja"])
def test_baja_on_whatsapp_suppresses_and_answers_once(demo, text):
    from skailan.campaigns import optout
    from skailan.platform.events import DomainEvent

    admin = demo["admin@demo.local"]
    post_meta(whatsapp_text("  BÁJA ", wa_id="573007770001", name="Olga Optout", message_id="wamid.OPTOUT1"))
    assert drain() == []
    conversation = next(c for c in call("api/conversations", "GET", "/v1/conversations", principal=admin).body["items"]
                        if c["contact"].get("external_id") == "573007770001")
    event = DomainEvent(tenant_id="demo", source="skailan.conversations", type="message.received",
                        entity_type="conversation", entity_id=conversation["id"],
                        data={"conversation_id": conversation["id"], "channel": "whatsapp",
                              "account_id": "demo-whatsapp", "message_id": "m1",
                              "person_id": conversation["contact"]["person_id"], "type": "text", "text": "  BÁJA ",
                              "provider_message_id": "wamid.OPTOUT1"})
    assert optout.on_message_received(event) == {"opt_out": True, "new": True}
    assert optout.on_message_received(event) == {"opt_out": True, "new": False}  # redelivered: no second reply
    suppressions = call("api/campaigns", "GET", "/v1/suppressions", principal=admin,
                        query={"channel": "whatsapp"}).body["items"]
    assert {"address": "+573007770001", "reason": "opt_out"}.items() <= next(
        s for s in suppressions if s["address"] == "+573007770001").items()
    messages = call("api/conversations", "GET", f"/v1/conversations/{conversation['id']}/messages",
                    principal=admin).body["items"]
    replies = [m for m in messages if m.get("direction") == "out"]
    assert len(replies) == 1 and replies[0]["text"] == optout.CONFIRMATION

    # a campaign to that person skips them as suppressed
    created = call("api/campaigns", "POST", "/v1/campaigns", principal=admin,
                   body={"name": "W", "channel": "whatsapp", "account_id": "demo-whatsapp",
                         "audience": {"kind": "people", "person_ids": [conversation["contact"]["person_id"]]},
                         "content": {"template": {"name": "bienvenida", "language": "es", "parameters": ["x"]}}})
    preview = call("api/campaigns", "GET", f"/v1/campaigns/{created.body['id']}/preview", principal=admin).body
    assert preview["recipients"] == 0 and preview["skipped"] == {"suppressed": 1}


def test_keywords_are_folded_and_whole_message_only():
    from skailan.campaigns.optout import is_opt_out

    for text in ("BAJA", "baja", "Bájá!", "alto", "Cancelar.", "STOP", "unsubscribe", " Stop "):
        assert is_opt_out(text), text
    for text in ("no me den de baja", "stopping", "", None, "altos"):
        assert not is_opt_out(text), text
