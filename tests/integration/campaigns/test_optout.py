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
    routed_before = set(_routed())
    post_meta(whatsapp_text("  BÁJA ", wa_id="573007770001", name="Olga Optout", message_id="wamid.OPTOUT1"))
    post_meta(whatsapp_text("no me den de baja", wa_id="573007770001", name="Olga Optout",
                            message_id="wamid.OPTOUT0"))
    assert drain() == []
    # Both reach the fan-out (either may be a reply to a campaign); ingest flags only the keyword.
    routed = {pid: flag for pid, flag in _routed().items() if pid not in routed_before}
    assert routed == {"wamid.OPTOUT1": True, "wamid.OPTOUT0": False}
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


def _routed() -> dict[str, bool]:
    """The message.received events waiting on the campaign fan-out's queue (peeked): provider id →
    the opt-out flag ingest set."""
    import json

    from skailan.platform.aws import client

    sqs = client("sqs")
    url = sqs.get_queue_url(QueueName="skailan-local-campaign-events")["QueueUrl"]
    messages = []
    while batch := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=30).get("Messages", []):
        messages += batch
    for message in messages:
        sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0)
    details = [json.loads(m["Body"])["detail"] for m in messages]
    return {d["data"]["provider_message_id"]: bool(d["data"].get("opt_out_keyword"))
            for d in details if d.get("type") == "message.received"}


def test_keywords_are_folded_and_whole_message_only():
    from skailan.campaigns.optout import is_opt_out

    for text in ("BAJA", "baja", "Bájá!", "alto", "Cancelar.", "STOP", "unsubscribe", " Stop "):
        assert is_opt_out(text), text
    for text in ("no me den de baja", "stopping", "", None, "altos"):
        assert not is_opt_out(text), text
