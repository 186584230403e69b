"""The transactional outbox through `make run`: with EventBridge failing, closing a conversation
answers 200 (its events wait in the outbox) and they reach the consumers once the bus recovers."""

from __future__ import annotations

import httpx
import pytest

from tests.e2e.conftest import login
from tests.e2e.test_inbox import _wa_id, customer_writes, eventually, find

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def people(client: httpx.Client) -> dict[str, dict[str, str]]:
    return {who: login(client, f"{who}@demo.local") for who in ("admin", "supervisor")}


def _audited(client: httpx.Client, admin: dict[str, str], conversation_id: str) -> list[str]:
    page = client.get("/v1/admin/audit-log", headers=admin,
                      params={"entity_type": "conversation", "entity_id": conversation_id})
    assert page.status_code == 200, page.text
    return [e["type"] for e in page.json()["items"]]


def _failed_attempts(client: httpx.Client) -> int:
    return sum(p["failed_attempts"] for p in client.get("/_local/pipes").json()["pipes"])


def test_a_close_answers_200_while_eventbridge_fails_and_its_events_arrive_after(client, people):
    admin, supervisor = people["admin"], people["supervisor"]
    wa_id = _wa_id()
    customer_writes(client, wa_id, "Hola, ¿siguen abiertos?")
    conversation = eventually(lambda: find(client, supervisor, wa_id))
    reasons = client.get("/v1/admin/close-reasons", headers=supervisor).json()["items"]
    failed_before = _failed_attempts(client)

    # EventBridge fails every PutEvents from now on
    fault = client.post("/_local/faults", json={"provider": "eventbridge", "status": 500, "count": 1_000_000})
    assert fault.status_code == 200 and fault.json()["pending"]["eventbridge"] > 0
    try:
        closed = client.post(f"/v1/conversations/{conversation['id']}/close", headers=supervisor,
                             json={"reason_id": reasons[0]["id"]})
        assert closed.status_code == 200, closed.text
        assert closed.json()["status"] == "closed"
        # the Pipe tried and tried again; nothing reached the audit log
        eventually(lambda: _failed_attempts(client) > failed_before + 1, timeout=20)
        assert "conversation.closed" not in _audited(client, admin, conversation["id"])
    finally:
        assert client.delete("/_local/outbox").status_code == 200  # clears the faults: the bus recovers

    # Once EventBridge works again the close arrives, once
    audited = eventually(lambda: (t := _audited(client, admin, conversation["id"])) and
                         "conversation.closed" in t and t, timeout=40)
    assert audited.count("conversation.closed") == 1
    history = client.get(f"/v1/conversations/{conversation['id']}/history", headers=supervisor).json()["items"]
    assert [e["type"] for e in history].count("conversation.closed") == 1
