"""Automations through the local runtime (`make run`): a WhatsApp message with "precio" gets a
tag and a template reply from an automation; its 60-minute wait resumes once the application
clock moves and the waits job fires. Moving the clock is for the whole process, so this module
starts its own runtime instead of sharing the session's."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from infra.local.fake_providers import meta_signature, whatsapp_message_payload
from tests.e2e.conftest import local_runtime, login

pytestmark = pytest.mark.e2e

APP, SECRET = "demo-meta-app", "demo-meta-secret"
DEMO_PHONE, DEMO_WABA = "100000000000001", "200000000000001"


@pytest.fixture(scope="module")
def own_client() -> Iterator[httpx.Client]:
    with local_runtime(".pytest-e2e-automations-runtime.log") as base, httpx.Client(base_url=base,
                                                                                      timeout=30) as http:
        yield http


def eventually(check: Callable[[], Any], *, timeout: float = 60.0, every: float = 0.5) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not true within {timeout}s")
        time.sleep(every)


def test_precio_gets_a_tag_and_a_template_then_a_60_minute_wait_resumes(own_client: httpx.Client) -> None:
    client = own_client
    admin = login(client, "admin@demo.local")
    created = client.post("/v1/automations", headers=admin, json={
        "name": "Pregunta por precio",
        "trigger": {"type": "message_received", "keywords": ["precio"], "channel": "whatsapp"},
        "steps": [
            {"type": "add_tag", "tag": "pregunta-precio"},
            {"type": "send_whatsapp_template", "name": "seguimiento", "language": "es", "parameters": ["{{nombre}}"]},
            {"type": "wait", "minutes": 60},
            {"type": "add_tag", "tag": "seguimiento-60"},
        ],
    })
    assert created.status_code == 201, created.text
    automation_id = created.json()["id"]

    wa_id = "57320" + str(uuid.uuid4().int)[:7]
    payload = whatsapp_message_payload(DEMO_PHONE, DEMO_WABA, wa_id=wa_id, name="Valeria Ríos",
                                       message_id=f"wamid.AUTO{uuid.uuid4().hex[:10]}",
                                       text="Hola, ¿cuál es el PRÉCIO del plan?")
    raw = json.dumps(payload).encode()
    answer = client.post(f"/webhooks/meta/{APP}", content=raw, headers={
        "content-type": "application/json", "x-hub-signature-256": meta_signature(raw, SECRET)})
    assert answer.status_code == 200, answer.text

    def runs() -> list[dict[str, Any]]:
        reply = client.get(f"/v1/automations/{automation_id}/runs", headers=admin)
        assert reply.status_code == 200, reply.text
        return reply.json()["items"]

    run = eventually(lambda: (items := runs()) and items[0]["status"] == "waiting" and items[0])
    person_id = run["person_id"]
    assert [s["type"] for s in run["steps"]] == ["add_tag", "send_whatsapp_template", "wait"]
    tags = client.get(f"/v1/contacts/{person_id}", headers=admin).json()["tags"]
    assert "pregunta-precio" in tags and "seguimiento-60" not in tags

    def template_sent() -> list[dict[str, Any]]:
        items = client.get("/_local/outbox", params={"provider": "whatsapp"}).json()["items"]
        return [c for c in items if (c["body"] or {}).get("to") == wa_id and c["body"].get("type") == "template"]

    sent = eventually(template_sent)
    assert sent[0]["body"]["template"]["name"] == "seguimiento"
    assert sent[0]["body"]["template"]["components"][0]["parameters"][0]["text"] == "Valeria Ríos"

    # the wait is not over: firing the job changes nothing
    assert client.post("/_local/schedules/AutomationWaitsFunction").status_code == 200
    assert runs()[0]["status"] == "waiting"
    moved = client.post("/_local/clock", json={"advance_seconds": 61 * 60})
    assert moved.status_code == 200, moved.text
    assert client.post("/_local/schedules/AutomationWaitsFunction").status_code == 200
    done = eventually(lambda: (items := runs()) and items[0]["status"] == "completed" and items[0])
    assert [s["status"] for s in done["steps"]] == ["completed"] * 4
    assert "seguimiento-60" in client.get(f"/v1/contacts/{person_id}", headers=admin).json()["tags"]


def test_a_run_waits_for_the_customers_reply_and_takes_the_then_arm(own_client: httpx.Client) -> None:
    """wait_event through the runtime: tag → the run waits for a reply; the customer's WhatsApp
    message (webhook → ingest → message.received → bus → automations queue) moves it on."""
    client = own_client
    admin = login(client, "admin@demo.local")
    created = client.post("/v1/automations", headers=admin, json={
        "name": "Esperar respuesta a la cotización",
        "trigger": {"type": "tag_added", "tag": "cotizado"},
        "steps": [{"type": "wait_event", "event": "message_received", "timeout_minutes": 1440,
                   "then": [{"type": "add_tag", "tag": "respondio"}],
                   "timeout": [{"type": "add_tag", "tag": "sin-respuesta"}]}],
    })
    assert created.status_code == 201, created.text
    automation_id = created.json()["id"]
    wa_id = "57321" + str(uuid.uuid4().int)[:7]
    name = f"Rosa Responde {uuid.uuid4().hex[:6]}"

    def customer_writes(text: str) -> None:
        payload = whatsapp_message_payload(DEMO_PHONE, DEMO_WABA, wa_id=wa_id, name=name,
                                           message_id=f"wamid.WAIT{uuid.uuid4().hex[:10]}", text=text)
        raw = json.dumps(payload).encode()
        answer = client.post(f"/webhooks/meta/{APP}", content=raw, headers={
            "content-type": "application/json", "x-hub-signature-256": meta_signature(raw, SECRET)})
        assert answer.status_code == 200, answer.text

    customer_writes("Hola, quiero una cotización")  # the person comes from WhatsApp
    person_id = eventually(lambda: next((p["id"] for p in client.get(
        "/v1/contacts", headers=admin, params={"q": name}).json()["items"]), None))
    tagged = client.patch(f"/v1/contacts/{person_id}", headers=admin, json={"tags": ["cotizado"]})
    assert tagged.status_code == 200, tagged.text

    def run() -> dict[str, Any] | None:
        items = client.get(f"/v1/automations/{automation_id}/runs", headers=admin).json()["items"]
        return items[0] if items else None

    waiting = eventually(lambda: (r := run()) and r["status"] == "waiting" and r)
    assert waiting["person_id"] == person_id and waiting["steps"][0]["type"] == "wait_event"
    customer_writes("Sí, me interesa")
    done = eventually(lambda: (r := run()) and r["status"] == "completed" and r)
    assert done["steps"][0]["output"]["event_type"] == "message.received"
    tags = client.get(f"/v1/contacts/{person_id}", headers=admin).json()["tags"]
    assert "respondio" in tags and "sin-respuesta" not in tags


def test_two_looping_automations_stop_at_the_depth_limit(own_client: httpx.Client) -> None:
    """A: tag a → remove a, add b; B: the reverse. Through the bus each caused event carries the
    causal chain, so the sixth run is stopped with its reason and nothing runs after it."""
    client = own_client
    admin = login(client, "admin@demo.local")
    stamp = uuid.uuid4().hex[:6]
    ids = []
    for this, other in (("a", "b"), ("b", "a")):
        created = client.post("/v1/automations", headers=admin, json={
            "name": f"Bucle {this} {stamp}", "trigger": {"type": "tag_added", "tag": f"bucle-{this}-{stamp}"},
            "steps": [{"type": "remove_tag", "tag": f"bucle-{this}-{stamp}"},
                      {"type": "add_tag", "tag": f"bucle-{other}-{stamp}"}]})
        assert created.status_code == 201, created.text
        ids.append(created.json()["id"])
    person = client.post("/v1/contacts", headers=admin, json={"name": f"Lupe Bucle {stamp}",
                                                              "email": f"lupe.{stamp}@example.com"})
    assert person.status_code == 201, person.text
    tagged = client.patch(f"/v1/contacts/{person.json()['id']}", headers=admin, json={"tags": [f"bucle-a-{stamp}"]})
    assert tagged.status_code == 200, tagged.text

    def runs() -> list[dict[str, Any]]:
        return [r for automation_id in ids
                for r in client.get(f"/v1/automations/{automation_id}/runs", headers=admin).json()["items"]]

    stopped = eventually(lambda: next((r for r in runs() if r["status"] == "stopped"), None), timeout=120)
    assert stopped["depth"] == 6 and "límite de 5" in stopped["reason"]
    assert sorted(r["depth"] for r in runs()) == [1, 2, 3, 4, 5, 6]
