"""Live updates through the local runtime (`make run`): a real WebSocket as agent1, a signed
WhatsApp webhook → the frame on the socket; after a reconnect, what was missed comes from
GET /v1/changes. Another brand's socket hears nothing of it; bad tokens and other brands are
refused at the handshake."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import ClientConnection, connect

from infra.local.fake_providers import meta_signature, whatsapp_message_payload
from tests.e2e.conftest import login

pytestmark = pytest.mark.e2e

APP, SECRET = "demo-meta-app", "demo-meta-secret"
DEMO_PHONE, DEMO_WABA = "100000000000001", "200000000000001"


def ws_url(client: httpx.Client, token: str, brand: str) -> str:
    config = client.get("/config.json").json()
    assert config["apiUrl"] == "" and config["wsUrl"].startswith("ws://127.0.0.1:")
    return f"{config['wsUrl']}/?{urlencode({'token': token, 'brand': brand})}"


def bearer(headers: dict[str, str]) -> str:
    return headers["authorization"].removeprefix("Bearer ")


@pytest.fixture
def sockets() -> Iterator[list[ClientConnection]]:
    opened: list[ClientConnection] = []
    yield opened
    for socket in opened:
        socket.close()


def open_socket(client: httpx.Client, headers: dict[str, str], brand: str, opened: list[ClientConnection]) -> ClientConnection:
    socket = connect(ws_url(client, bearer(headers), brand), open_timeout=10)
    opened.append(socket)
    socket.send(json.dumps({"action": "ping"}))
    # A live frame may come first: a socket gets every push from the moment it is connected (after
    # a reconnect, the missed conversation's frames race the pong).
    frames_until(socket, lambda frame: frame == {"type": "pong"}, timeout=10)
    return socket


def frames_until(socket: ClientConnection, match: Any, timeout: float = 30) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    seen: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            frame = json.loads(socket.recv(timeout=max(0.1, deadline - time.monotonic())))
        except TimeoutError:
            break
        seen.append(frame)
        if match(frame):
            return frame, seen
    raise AssertionError(f"no matching frame within {timeout}s; got {[f.get('type') for f in seen]}")


def post_whatsapp(client: httpx.Client, *, wa_id: str, text: str) -> None:
    payload = whatsapp_message_payload(DEMO_PHONE, DEMO_WABA, wa_id=wa_id, name="Lucía Live",
                                       message_id=f"wamid.{uuid.uuid4().hex}", text=text)
    raw = json.dumps(payload).encode()
    reply = client.post(f"/webhooks/meta/{APP}", content=raw, headers={
        "content-type": "application/json", "x-hub-signature-256": meta_signature(raw, SECRET)})
    assert reply.status_code == 200, reply.text


def test_handshake_refuses_bad_tokens_and_other_brands(client: httpx.Client):
    agent1 = login(client, "agent1@demo.local")
    for token, brand, status in ((bearer(agent1), "acme", 403), ("not.a.token", "demo", 401)):
        with pytest.raises(InvalidStatus) as refused:
            connect(ws_url(client, token, brand), open_timeout=10)
        assert refused.value.response.status_code == status
    base = client.get("/config.json").json()["wsUrl"]
    with pytest.raises(InvalidStatus) as missing:
        connect(f"{base}/?brand=demo", open_timeout=10)
    assert missing.value.response.status_code == 401


def test_a_webhook_reaches_agent1_live_and_a_reconnect_catches_up(client: httpx.Client, sockets):
    agent1, agent2, acme = login(client, "agent1@demo.local"), login(client, "agent2@demo.local"), login(
        client, "admin@acme.local")
    demo = {**agent1, "x-tenant-id": "demo"}
    # Only agent1 is online, so the new conversation comes to them
    assert client.put("/v1/agents/me/presence", json={"status": "offline"}, headers=agent2).status_code == 200
    assert client.put("/v1/agents/me/presence", json={"status": "online"}, headers=agent1).status_code == 200
    start = client.get("/v1/changes", headers=demo)
    assert start.status_code == 200 and start.json()["items"] == []
    live = open_socket(client, agent1, "demo", sockets)
    other_brand = open_socket(client, acme, "acme", sockets)
    wa_id, first, second = "57300" + str(uuid.uuid4().int)[:7], f"Hola en vivo {uuid.uuid4().hex[:6]}", \
        f"¿Siguen ahí? {uuid.uuid4().hex[:6]}"

    # When a customer writes, agent1's socket gets the message frame
    post_whatsapp(client, wa_id=wa_id, text=first)
    frame, _ = frames_until(live, lambda f: f["type"] == "message.received" and f["data"].get("text") == first)
    conversation_id = frame["conversation_id"]
    assert frame["entity_type"] == "conversation" and frame["entity_id"] == conversation_id
    assert set(frame) == {"cursor", "type", "entity_type", "entity_id", "conversation_id", "data"}
    # Auto-assignment gives it to agent1 — unless earlier tests of this session filled agent1's
    # capacity, in which case it waits in the queue and agent1 takes it: a frame either way.
    holder_changed = {"conversation.assigned", "conversation.taken"}
    try:
        assigned, _ = frames_until(live, lambda f: f["type"] in holder_changed
                                   and f["conversation_id"] == conversation_id, timeout=15)
    except AssertionError:
        taken = client.post(f"/v1/conversations/{conversation_id}/take", headers=demo)
        assert taken.status_code == 200, taken.text
        assigned, _ = frames_until(live, lambda f: f["type"] in holder_changed
                                   and f["conversation_id"] == conversation_id)
    assert assigned["data"]["assignee"]
    last_cursor = assigned["cursor"]

    # The socket drops; the customer writes again meanwhile; agent1 reconnects and catches up
    live.close()
    post_whatsapp(client, wa_id=wa_id, text=second)
    open_socket(client, agent1, "demo", sockets)
    deadline, missed = time.monotonic() + 30, []
    while time.monotonic() < deadline:
        page = client.get("/v1/changes", params={"since": last_cursor}, headers=demo)
        assert page.status_code == 200, page.text
        missed += page.json()["items"]
        last_cursor = page.json()["cursor"]
        if any(f["type"] == "message.received" and f["data"].get("text") == second for f in missed):
            break
        time.sleep(0.3)
    caught = [f for f in missed if f["conversation_id"] == conversation_id and f["type"] == "message.received"]
    assert [f["data"]["text"] for f in caught] == [second]
    assert [f["cursor"] for f in missed] == sorted(f["cursor"] for f in missed)

    # acme's socket heard nothing of demo's conversation, and acme's feed has none of it
    with pytest.raises(TimeoutError):
        while True:
            leaked = json.loads(other_brand.recv(timeout=0.5))
            assert leaked.get("conversation_id") != conversation_id
    acme_feed = client.get("/v1/changes", params={"since": start.json()["cursor"]}, headers=acme).json()["items"]
    assert all(f["conversation_id"] != conversation_id for f in acme_feed)
