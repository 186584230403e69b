"""WhatsApp end to end in process: signed webhook → FIFO → ingest → API → reply → provider → statuses."""

from __future__ import annotations

import json

import httpx
import respx

from tests.integration.channels.conftest import (
    drain,
    post_meta,
    queued,
    whatsapp_status,
    whatsapp_text,
)
from tests.support import call

API = "api/conversations"
GRAPH = "https://graph.facebook.com/v21.0"


def _conversations(principal, **query):
    reply = call(API, "GET", "/v1/conversations", principal=principal, query=query or None)
    assert reply.status == 200, reply.body
    return reply.body["items"]


def test_a_signed_whatsapp_text_becomes_a_conversation_and_a_reply_comes_back_delivered(demo):
    admin = demo["admin@demo.local"]
    # Given a customer writes on the demo number
    reply = post_meta(whatsapp_text("Hola, ¿tienen envíos a Medellín?", message_id="wamid.FLOW1"))
    assert reply.status == 200 and reply.body == {"queued": 1, "dropped": 0}
    # When the ingest worker runs
    assert drain() == []
    # Then the brand sees one open conversation with the person and the message
    items = [c for c in _conversations(admin) if c["contact"].get("external_id") == "573001234567"]
    assert len(items) == 1
    conversation = items[0]
    assert conversation["channel"] == "whatsapp" and conversation["status"] == "open"
    assert conversation["contact"]["name"] == "Camila Ruiz"
    assert conversation["last_message"]["text"] == "Hola, ¿tienen envíos a Medellín?"
    assert conversation["unread_count"] >= 1
    assert conversation["reply_window_expires_at"]
    messages = call(API, "GET", f"/v1/conversations/{conversation['id']}/messages", principal=admin).body["items"]
    assert messages[0]["direction"] == "in" and messages[0]["provider_message_id"] == "wamid.FLOW1"

    # When an agent replies
    sent = call(API, "POST", f"/v1/conversations/{conversation['id']}/messages", principal=admin,
                body={"text": "¡Hola Camila! Sí, enviamos."})
    assert sent.status == 202, sent.body
    assert sent.body["status"] == "queued" and sent.body["direction"] == "out"
    with respx.mock(assert_all_called=True) as mock:
        route = mock.post(f"{GRAPH}/100000000000001/messages").mock(return_value=httpx.Response(
            200, json={"messaging_product": "whatsapp", "contacts": [{"input": "573001234567", "wa_id": "573001234567"}],
                       "messages": [{"id": "wamid.REPLY1"}]}))
        assert drain("workers/outbound", "OUTBOUND_QUEUE_URL") == []
    body = json.loads(route.calls.last.request.content)
    assert body["to"] == "573001234567" and body["text"]["body"] == "¡Hola Camila! Sí, enviamos."
    assert route.calls.last.request.headers["authorization"] == "Bearer demo-whatsapp-token"

    # And the provider's statuses move it forward; a late "delivered" after "read" changes nothing
    for status in ("sent", "delivered", "read"):
        assert post_meta(whatsapp_status("wamid.REPLY1", status)).status == 200
    assert drain() == []
    assert post_meta(whatsapp_status("wamid.REPLY1", "delivered")).status == 200
    assert drain() == []
    messages = call(API, "GET", f"/v1/conversations/{conversation['id']}/messages", principal=admin).body["items"]
    out = next(m for m in messages if m["id"] == sent.body["id"])
    assert out["status"] == "read" and out["provider_message_id"] == "wamid.REPLY1"
    assert set(out["status_times"]) >= {"sent", "delivered", "read"}
    assert queued() == []
