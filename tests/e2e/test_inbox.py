"""The inbox over HTTP through the local runtime (`make run`): a WhatsApp message is auto-assigned
to an online agent with room; the agent answers with a quick reply and the fake provider gets
it; a second agent's take gets 409 naming the holder; closing needs a reason; outside the
24-hour window free text is refused and a template goes out; out of hours, the out-of-hours
reply goes out."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from infra.local.fake_providers import meta_signature, whatsapp_message_payload
from tests.e2e.conftest import login

pytestmark = pytest.mark.e2e

APP, SECRET = "demo-meta-app", "demo-meta-secret"
DEMO_PHONE, DEMO_WABA = "100000000000001", "200000000000001"
ALWAYS = {d: [{"start": "00:00", "end": "23:59"}] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
NEVER = {d: [] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


def eventually(check: Callable[[], Any], *, timeout: float = 40.0, every: float = 0.25) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not true within {timeout}s")
        time.sleep(every)


def _wa_id() -> str:
    return "57320" + str(uuid.uuid4().int)[:7]


def customer_writes(client: httpx.Client, wa_id: str, text: str, *, name: str = "Valeria Ríos",
                    at: datetime | None = None) -> None:
    payload = whatsapp_message_payload(DEMO_PHONE, DEMO_WABA, wa_id=wa_id, name=name,
                                       message_id=f"wamid.INBOX{uuid.uuid4().hex[:10]}", text=text, at=at)
    raw = json.dumps(payload).encode()
    answer = client.post(f"/webhooks/meta/{APP}", content=raw, headers={
        "content-type": "application/json", "x-hub-signature-256": meta_signature(raw, SECRET)})
    assert answer.status_code == 200, answer.text


def find(client: httpx.Client, headers: dict[str, str], wa_id: str) -> dict[str, Any] | None:
    page = client.get("/v1/conversations", headers=headers, params={"q": wa_id[-10:], "limit": 25})
    assert page.status_code == 200, page.text
    return next((c for c in page.json()["items"] if c["contact"].get("external_id") == wa_id), None)


def whatsapp_outbox(client: httpx.Client, wa_id: str) -> list[dict[str, Any]]:
    items = client.get("/_local/outbox", params={"provider": "whatsapp"}).json()["items"]
    return [c for c in items if (c["body"] or {}).get("to") == wa_id and c["status"] == 200]


@pytest.fixture(scope="module")
def people(client: httpx.Client) -> dict[str, dict[str, str]]:
    return {who: login(client, f"{who}@demo.local") for who in ("admin", "supervisor", "agent1", "agent2")}


@pytest.fixture(scope="module")
def inbox_on(client: httpx.Client, people: dict[str, dict[str, str]]) -> Iterator[dict[str, str]]:
    """agent1 online with room; brand open all day. Put back afterwards for the other tests."""
    admin, supervisor, agent1 = people["admin"], people["supervisor"], people["agent1"]
    original = client.get("/v1/admin/brand", headers=admin).json()["business_hours"]
    assert client.patch("/v1/admin/brand", headers=admin, json={"business_hours": ALWAYS}).status_code == 200
    me = client.put("/v1/agents/me/presence", headers=agent1, json={"status": "online"})
    assert me.status_code == 200, me.text
    assert client.patch(f"/v1/agents/{me.json()['user_id']}", headers=supervisor, json={"capacity": 100}).status_code == 200
    yield me.json()
    client.put("/v1/agents/me/presence", headers=agent1, json={"status": "offline"})
    client.patch(f"/v1/agents/{me.json()['user_id']}", headers=supervisor, json={"capacity": None})
    client.patch("/v1/admin/brand", headers=admin, json={"business_hours": original})


def test_auto_assignment_quick_reply_take_409_and_close_with_a_reason(client, people, inbox_on):
    agent1, agent2, supervisor = people["agent1"], people["agent2"], people["supervisor"]
    wa_id = _wa_id()
    customer_writes(client, wa_id, "Hola, quiero saber el estado de mi pedido")
    # Auto-assigned to the online agent with room
    conversation = eventually(lambda: (c := find(client, supervisor, wa_id)) and c["assignee"] and c)
    assert conversation["assignee"] == inbox_on["user_id"] and conversation["assignee_name"] == "Andrés Agente"
    assert conversation["window_expires_at"]
    detail = client.get(f"/v1/conversations/{conversation['id']}", headers=agent1).json()
    assert detail["assignee"] == inbox_on["user_id"] and detail["window_expires_at"]

    # The agent answers with the demo quick reply "saludo", merge fields filled in
    replies = client.get("/v1/quick-replies", headers=agent1, params={"q": "saludo"}).json()["items"]
    saludo = next(r for r in replies if r["shortcut"] == "saludo")
    preview = client.post(f"/v1/quick-replies/{saludo['id']}/preview", headers=agent1,
                          json={"conversation_id": conversation["id"]})
    assert preview.status_code == 200, preview.text
    text = preview.json()["text"]
    assert text.startswith("¡Hola Valeria!") and "Andrés Agente" in text and "Demo" in text
    sent = client.post(f"/v1/conversations/{conversation['id']}/messages", headers=agent1, json={"text": text})
    assert sent.status_code == 202, sent.text
    call = eventually(lambda: [c for c in whatsapp_outbox(client, wa_id) if (c["body"].get("text") or {}).get("body")
                               == text])
    assert call[0]["body"]["type"] == "text"

    # A second agent's take: 409 naming the holder
    taken = client.post(f"/v1/conversations/{conversation['id']}/take", headers=agent2, json={})
    assert taken.status_code == 409
    assert taken.json()["error"]["details"]["holder"]["name"] == "Andrés Agente"
    assert "Andrés Agente" in taken.json()["error"]["message"]

    # Closing needs a reason
    no_reason = client.post(f"/v1/conversations/{conversation['id']}/close", headers=agent1, json={})
    assert no_reason.status_code == 422 and no_reason.json()["error"]["code"] == "close_reason_required"
    reasons = client.get("/v1/admin/close-reasons", headers=agent1).json()["items"]
    closed = client.post(f"/v1/conversations/{conversation['id']}/close", headers=agent1,
                         json={"reason_id": reasons[0]["id"]})
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    history = client.get(f"/v1/conversations/{conversation['id']}/history", headers=supervisor).json()["items"]
    assert [e["type"] for e in history if e["type"] in ("conversation.assigned", "conversation.closed")] == [
        "conversation.assigned", "conversation.closed"]


def test_outside_the_window_free_text_is_refused_and_a_template_goes_out(client, people, inbox_on):
    agent1, supervisor = people["agent1"], people["supervisor"]
    wa_id = _wa_id()
    customer_writes(client, wa_id, "¿Me pueden llamar?", at=datetime.now(UTC) - timedelta(hours=26))
    conversation = eventually(lambda: (c := find(client, supervisor, wa_id)) and c["assignee"] and c)
    refused = client.post(f"/v1/conversations/{conversation['id']}/messages", headers=agent1, json={"text": "¡Hola!"})
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "window_closed"
    incomplete = client.post(f"/v1/conversations/{conversation['id']}/messages", headers=agent1,
                             json={"template": {"name": "seguimiento", "language": "es", "parameters": []}})
    assert incomplete.status_code == 422 and "{{1}}" in incomplete.json()["error"]["message"]
    sent = client.post(f"/v1/conversations/{conversation['id']}/messages", headers=agent1,
                       json={"template": {"name": "seguimiento", "language": "es", "parameters": ["Valeria"]}})
    assert sent.status_code == 202, sent.text
    call = eventually(lambda: [c for c in whatsapp_outbox(client, wa_id) if c["body"].get("type") == "template"])
    template = call[0]["body"]["template"]
    assert template["name"] == "seguimiento" and template["components"][0]["parameters"][0]["text"] == "Valeria"


def test_out_of_hours_a_message_gets_the_out_of_hours_reply(client, people, inbox_on):
    admin = people["admin"]
    settings = client.get("/v1/inbox/settings", headers=admin).json()
    assert settings["bots"]["out_of_hours"]["enabled"] is True
    expected = settings["bots"]["out_of_hours"]["text"]
    assert client.patch("/v1/admin/brand", headers=admin, json={"business_hours": NEVER}).status_code == 200
    # Nobody online to take it: an agent assigned (or who answered) keeps the bots quiet.
    assert client.put("/v1/agents/me/presence", headers=people["agent1"], json={"status": "offline"}).status_code == 200
    try:
        wa_id = _wa_id()
        customer_writes(client, wa_id, "Hola, ¿están atendiendo?")
        call = eventually(lambda: [c for c in whatsapp_outbox(client, wa_id)
                                   if (c["body"].get("text") or {}).get("body") == expected])
        assert len(call) == 1
        conversation = eventually(lambda: (c := find(client, admin, wa_id)) and c["bot_handled"] and c)
        assert conversation["bot_handled"] is True
    finally:
        client.patch("/v1/admin/brand", headers=admin, json={"business_hours": ALWAYS})
