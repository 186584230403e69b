"""Channels over HTTP through the local runtime (`make run`): signed real-format webhooks from
every provider → people, conversations and messages in the right brand; duplicates, bad
signatures and out-of-order statuses; replies reach the fake providers and their delivery
states come back; injected provider failures end in delivery or a readable failure."""

from __future__ import annotations

import base64
import json
import re
import time
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest

from infra.local.fake_providers import (
    PNG,
    messenger_message_payload,
    meta_signature,
    telegram_update,
    twilio_signature,
    twilio_sms_form,
    whatsapp_message_payload,
    whatsapp_status_payload,
)
from tests.e2e.conftest import login

pytestmark = pytest.mark.e2e

APP, SECRET = "demo-meta-app", "demo-meta-secret"
DEMO_PHONE, DEMO_WABA = "100000000000001", "200000000000001"
ACME_PHONE, ACME_WABA = "100000000000002", "200000000000002"
TWILIO_SID, TWILIO_TOKEN = "ACdemo00000000000000000000000000", "demo-twilio-token"
ORIGIN = "http://127.0.0.1:3000"


def eventually(check: Callable[[], Any], *, timeout: float = 30.0, every: float = 0.2) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not true within {timeout}s: {check}")
        time.sleep(every)


def _uid() -> str:
    return uuid.uuid4().hex[:10]


def _wa_id() -> str:
    return "57300" + str(uuid.uuid4().int)[:7]


@pytest.fixture(scope="module")
def admin(client: httpx.Client) -> dict[str, str]:
    return login(client, "admin@demo.local")


@pytest.fixture(scope="module")
def acme(client: httpx.Client) -> dict[str, str]:
    return login(client, "admin@acme.local")


def post_meta(client: httpx.Client, payload: dict[str, Any], *, secret: str = SECRET) -> httpx.Response:
    raw = json.dumps(payload).encode()
    return client.post(f"/webhooks/meta/{APP}", content=raw, headers={
        "content-type": "application/json", "x-hub-signature-256": meta_signature(raw, secret)})


def find_conversation(client: httpx.Client, headers: dict[str, str], external_id: str) -> dict[str, Any] | None:
    cursor = None
    while True:
        params = {"limit": 100, **({"cursor": cursor} if cursor else {})}
        page = client.get("/v1/conversations", headers=headers, params=params)
        assert page.status_code == 200, page.text
        for item in page.json()["items"]:
            if item["contact"].get("external_id") == external_id:
                return item
        cursor = page.json().get("next_cursor")
        if not cursor:
            return None


def wait_conversation(client: httpx.Client, headers: dict[str, str], external_id: str,
                      check: Callable[[dict[str, Any]], bool] = lambda _: True) -> dict[str, Any]:
    def found() -> dict[str, Any] | None:
        item = find_conversation(client, headers, external_id)
        return item if item and check(item) else None

    return eventually(found)


def messages(client: httpx.Client, headers: dict[str, str], conversation_id: str) -> list[dict[str, Any]]:
    reply = client.get(f"/v1/conversations/{conversation_id}/messages", headers=headers, params={"limit": 100})
    assert reply.status_code == 200, reply.text
    return reply.json()["items"]


def message_state(client: httpx.Client, headers: dict[str, str], conversation_id: str, message_id: str,
                  wanted: set[str]) -> dict[str, Any]:
    def reached() -> dict[str, Any] | None:
        found = next(m for m in messages(client, headers, conversation_id) if m["id"] == message_id)
        return found if found["status"] in wanted else None

    return eventually(reached)


def settled(client: httpx.Client, headers: dict[str, str], conversation_id: str) -> list[dict[str, Any]]:
    """Wait until nothing of the conversation is still on its way out (the inbox's bots answer too)."""
    def done() -> list[dict[str, Any]] | None:
        items = messages(client, headers, conversation_id)
        return None if any(m["status"] in ("queued", "sending") for m in items) else items or None

    return eventually(done)


def inbound(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [m for m in items if m["direction"] == "in"]


def reply(client: httpx.Client, headers: dict[str, str], conversation_id: str, body: dict[str, Any]) -> dict[str, Any]:
    answer = client.post(f"/v1/conversations/{conversation_id}/messages", headers=headers, json=body)
    assert answer.status_code == 202, answer.text
    assert answer.json()["status"] == "queued"
    return answer.json()


def outbox(client: httpx.Client, provider: str) -> list[dict[str, Any]]:
    # GETs (media, profiles, template lists) carry no body: {} keeps the filters simple
    return [{**c, "body": c.get("body") or {}}
            for c in client.get("/_local/outbox", params={"provider": provider}).json()["items"]]


# ---------------------------------------------------------------- WhatsApp: the whole loop


def test_whatsapp_inbound_reply_and_delivery_states_come_back(client, admin):
    wa_id, wamid = _wa_id(), f"wamid.E2E{_uid()}"
    started = time.monotonic()
    answer = post_meta(client, whatsapp_message_payload(DEMO_PHONE, DEMO_WABA, wa_id=wa_id, name="Camila E2E",
                                                        message_id=wamid, text="Hola, ¿envían a Cali?"))
    assert answer.status_code == 200 and answer.json() == {"queued": 1, "dropped": 0}
    conversation = wait_conversation(client, admin, wa_id)
    assert time.monotonic() - started < 30
    assert conversation["channel"] == "whatsapp" and conversation["contact"]["name"] == "Camila E2E"
    assert conversation["last_message"]["text"] == "Hola, ¿envían a Cali?"
    (first,) = inbound(messages(client, admin, conversation["id"]))
    assert first["provider_message_id"] == wamid

    sent = reply(client, admin, conversation["id"], {"text": "¡Sí! Envío en 2 días."})
    read = message_state(client, admin, conversation["id"], sent["id"], {"read"})
    assert set(read["status_times"]) >= {"sent", "delivered", "read"}
    call = next(c for c in outbox(client, "whatsapp") if c["body"].get("to") == wa_id
                and (c["body"].get("text") or {}).get("body") == "¡Sí! Envío en 2 días.")
    assert call["response"]["messages"][0]["id"] == read["provider_message_id"]

    # a late "delivered" after "read", signed and real-format, changes nothing
    late = whatsapp_status_payload(DEMO_PHONE, DEMO_WABA, wamid=read["provider_message_id"], status="delivered",
                                   recipient=wa_id)
    assert post_meta(client, late).status_code == 200
    time.sleep(2)
    assert next(m for m in messages(client, admin, conversation["id"]) if m["id"] == sent["id"])["status"] == "read"


def test_bad_signatures_are_refused_and_store_nothing(client, admin):
    wa_id = _wa_id()
    payload = whatsapp_message_payload(DEMO_PHONE, DEMO_WABA, wa_id=wa_id, name="Intruso",
                                       message_id=f"wamid.BAD{_uid()}", text="hola")
    assert post_meta(client, payload, secret="wrong-secret").status_code == 403
    raw = json.dumps(payload).encode()
    assert client.post(f"/webhooks/meta/{APP}", content=raw,
                       headers={"content-type": "application/json"}).status_code == 401
    handshake = client.get(f"/webhooks/meta/{APP}", params={"hub.mode": "subscribe",
                                                            "hub.verify_token": "wrong", "hub.challenge": "42"})
    assert handshake.status_code == 403
    ok = client.get(f"/webhooks/meta/{APP}", params={"hub.mode": "subscribe",
                                                     "hub.verify_token": "demo-verify-token", "hub.challenge": "42"})
    assert ok.status_code == 200 and ok.text == "42"
    time.sleep(2)
    assert find_conversation(client, admin, wa_id) is None


def test_duplicates_make_one_message_and_acme_numbers_stay_in_acme(client, admin, acme):
    wa_id, wamid = _wa_id(), f"wamid.DUP{_uid()}"
    payload = whatsapp_message_payload(DEMO_PHONE, DEMO_WABA, wa_id=wa_id, name="Dos", message_id=wamid, text="hola")
    assert post_meta(client, payload).status_code == 200
    assert post_meta(client, payload).status_code == 200
    acme_wa = _wa_id()
    assert post_meta(client, whatsapp_message_payload(ACME_PHONE, ACME_WABA, wa_id=acme_wa, name="Acme",
                                                      message_id=f"wamid.ACME{_uid()}", text="hola acme")).json() \
        == {"queued": 1, "dropped": 0}
    conversation = wait_conversation(client, admin, wa_id)
    wait_conversation(client, acme, acme_wa)
    time.sleep(1.5)
    assert [m["provider_message_id"] for m in inbound(messages(client, admin, conversation["id"]))] == [wamid]
    assert find_conversation(client, admin, acme_wa) is None
    assert find_conversation(client, acme, wa_id) is None
    assert client.get(f"/v1/conversations/{conversation['id']}", headers=acme).status_code == 404


def test_a_provider_failure_is_retried_and_the_customer_gets_it_once(client, admin):
    wa_id = _wa_id()
    post_meta(client, whatsapp_message_payload(DEMO_PHONE, DEMO_WABA, wa_id=wa_id, name="Reintento",
                                               message_id=f"wamid.F{_uid()}", text="hola"))
    conversation = wait_conversation(client, admin, wa_id)
    settled(client, admin, conversation["id"])  # the inbox's bots have answered
    # (the fault names its recipient, so no other test's call can take it)
    assert client.post("/_local/faults", json={"provider": "whatsapp", "status": 503, "count": 1,
                                               "to": wa_id}).status_code == 200
    text = "después del 503"
    sent = reply(client, admin, conversation["id"], {"text": text})
    message_state(client, admin, conversation["id"], sent["id"], {"sent", "delivered", "read"})
    calls = [c for c in outbox(client, "whatsapp") if (c["body"] or {}).get("to") == wa_id
             and ((c["body"] or {}).get("text") or {}).get("body") == text]
    assert [c["status"] for c in calls] == [503, 200]  # retried once, sent once

    # a permanent error (131047) fails with the reason in Spanish and English
    settled(client, admin, conversation["id"])
    client.post("/_local/faults", json={"provider": "whatsapp", "status": 400, "count": 1, "code": 131047, "to": wa_id})
    refused = reply(client, admin, conversation["id"], {"text": "esto no sale"})
    failed = message_state(client, admin, conversation["id"], refused["id"], {"failed"})
    assert failed["status"] == "failed"
    assert failed["error"]["code"] == "131047"
    assert failed["error"]["reason_es"] and failed["error"]["reason_en"]


# ---------------------------------------------------------------- the other channels


def test_telegram_inbound_and_reply(client, admin):
    chat_id = int(str(uuid.uuid4().int)[:9])
    update = telegram_update(update_id=chat_id, chat_id=chat_id, message_id=1, text="Hola bot", first_name="Tomás")
    raw = json.dumps(update).encode()
    assert client.post("/webhooks/telegram/demo-telegram", content=raw, headers={
        "content-type": "application/json", "x-telegram-bot-api-secret-token": "wrong"}).status_code == 403
    assert client.post("/webhooks/telegram/demo-telegram", content=raw, headers={
        "content-type": "application/json", "x-telegram-bot-api-secret-token": "demo-telegram-secret"}).status_code == 200
    conversation = wait_conversation(client, admin, str(chat_id))
    assert conversation["channel"] == "telegram" and conversation["contact"]["name"] == "Tomás"
    sent = reply(client, admin, conversation["id"], {"text": "¡Hola Tomás!"})
    done = message_state(client, admin, conversation["id"], sent["id"], {"sent"})
    assert done["provider_message_id"].startswith(f"{chat_id}:")
    call = next(c for c in outbox(client, "telegram") if c["body"].get("chat_id") in (chat_id, str(chat_id))
                and c["body"].get("text") == "¡Hola Tomás!")
    assert call["path"].endswith("/sendMessage") and "bot<token>" in call["path"]


def test_twilio_sms_inbound_reply_and_status_callbacks(client, admin, runtime):
    number = "+57311" + str(uuid.uuid4().int)[:7]
    form = twilio_sms_form(account_sid=TWILIO_SID, message_sid="SM" + uuid.uuid4().hex, from_number=number,
                           to_number="+15005550006", body="Quiero info")
    url = f"{runtime}/webhooks/twilio/demo-twilio"
    headers = {"content-type": "application/x-www-form-urlencoded"}
    assert client.post("/webhooks/twilio/demo-twilio", content=urlencode(form), headers={
        **headers, "x-twilio-signature": twilio_signature(url, form, "wrong")}).status_code == 403
    assert client.post("/webhooks/twilio/demo-twilio", content=urlencode(form), headers={
        **headers, "x-twilio-signature": twilio_signature(url, form, TWILIO_TOKEN)}).status_code == 200
    conversation = wait_conversation(client, admin, number)
    assert conversation["channel"] == "sms"
    sent = reply(client, admin, conversation["id"], {"text": "Con gusto"})
    delivered = message_state(client, admin, conversation["id"], sent["id"], {"delivered"})
    assert delivered["provider_message_id"].startswith("SM")
    call = next(c for c in outbox(client, "twilio") if c["body"].get("To") == number
                and c["body"].get("Body") == "Con gusto")
    assert call["body"]["From"] == "+15005550006" and call["body"]["Body"] == "Con gusto"


def test_messenger_and_instagram_inbound_and_a_delivered_messenger_reply(client, admin):
    psid, igsid = "69" + str(uuid.uuid4().int)[:14], "178" + str(uuid.uuid4().int)[:14]
    assert post_meta(client, messenger_message_payload("300000000000001", psid=psid, mid=f"m_{_uid()}",
                                                       text="Hola FB")).status_code == 200
    assert post_meta(client, messenger_message_payload("400000000000001", psid=igsid, mid=f"aWdf{_uid()}",
                                                       text="Hola IG", instagram=True)).status_code == 200
    fb = wait_conversation(client, admin, psid)
    ig = wait_conversation(client, admin, igsid)
    assert (fb["channel"], ig["channel"]) == ("messenger", "instagram")
    sent = reply(client, admin, fb["id"], {"text": "Hola desde la página"})
    message_state(client, admin, fb["id"], sent["id"], {"delivered", "read"})
    # (the outbox also holds the profile look-ups, GETs without a body)
    assert any((c["body"] or {}).get("recipient") == {"id": psid} for c in outbox(client, "messenger"))


def test_email_inbound_threaded_reply(client, admin):
    sender = f"cliente.{_uid()}@example.com"
    received = client.post("/_local/email", json={"from": sender, "to": "soporte@demo.local",
                                                  "subject": "Factura 77", "text": "¿Me reenvían la factura?"})
    assert received.status_code == 200 and received.json()["webhook_status"] == 200, received.text
    conversation = wait_conversation(client, admin, sender)
    assert conversation["channel"] == "email" and conversation["subject"] == "Factura 77"
    sent = reply(client, admin, conversation["id"], {"text": "Adjunta va."})
    done = message_state(client, admin, conversation["id"], sent["id"], {"sent"})
    (mail,) = eventually(lambda: [m for m in client.get("/_local/mail").json()["items"]
                                  if m.get("message_id") == done["provider_message_id"]])
    assert sender in mail["to"] and mail["source"] == "soporte@demo.local"
    assert mail["in_reply_to"] == received.json()["message_id"] and mail["subject"] == "Re: Factura 77"
    # the customer answers our e-mail: the same conversation
    client.post("/_local/email", json={"from": sender, "to": "soporte@demo.local", "subject": "Re: Factura 77",
                                       "text": "Gracias", "in_reply_to": done["provider_message_id"]})
    wait_conversation(client, admin, sender, lambda c: len(inbound(messages(client, admin, c["id"]))) == 2)


def test_webchat_visitor_and_agent_talk_through_the_widget(client, admin):
    base = "/public/webchat/widgets/demo-widget"
    assert client.get(base, headers={"origin": "https://evil.example"}).status_code == 403
    preflight = client.options(f"{base}/messages", headers={"origin": ORIGIN, "access-control-request-method": "POST"})
    assert preflight.status_code == 204 and preflight.headers["access-control-allow-origin"] == ORIGIN
    assert client.post(f"{base}/sessions", json={"name": "Sin correo"}, headers={"origin": ORIGIN}).status_code == 422
    email = f"visita.{_uid()}@example.com"
    session = client.post(f"{base}/sessions", json={"name": "Visita", "email": email}, headers={"origin": ORIGIN})
    assert session.status_code == 201, session.text
    auth = {"origin": ORIGIN, "authorization": f"Bearer {session.json()['token']}"}
    assert client.post(f"{base}/messages", json={"text": "¿Horario?"}, headers=auth).status_code == 202
    upload = client.post(f"{base}/attachments", headers=auth, json={
        "filename": "mapa.png", "content_type": "image/png", "data": base64.b64encode(PNG).decode()})
    assert upload.status_code == 201
    conversation = wait_conversation(client, admin, session.json()["session_id"])
    assert conversation["channel"] == "webchat" and conversation["contact"]["email"] == email
    reply(client, admin, conversation["id"], {"text": "De 8 a 18."})

    def agent_reply_polled() -> list[dict[str, Any]]:
        items = client.get(f"{base}/messages", headers=auth).json()["items"]
        return [m for m in items if m["direction"] == "out"]

    assert "De 8 a 18." in [m["text"] for m in eventually(agent_reply_polled)]


def test_the_embed_snippet_loads_a_real_widget_script(client):
    widget = client.get("/public/webchat/widgets/demo-widget", headers={"origin": ORIGIN})
    assert widget.status_code == 200, widget.text
    src = re.search(r'src="[^"]*?(/public/webchat/widget\.js)"', widget.json()["snippet"]).group(1)
    script = client.get(src)
    assert script.status_code == 200
    assert script.headers["content-type"].startswith("application/javascript")
    # The script speaks the widget API: describe, sessions, messages with client ids, polling.
    for part in ("/public/webchat/widgets/", '"/sessions"', "client_message_id", "?after="):
        assert part in script.text


def test_the_probes_broken_brand_and_dropped_sms_cases_no_longer_happen(client, admin, runtime):
    # A careless admin: nulls and unknown values are a 4xx in the one shape; nothing is written.
    for path, body in (("/v1/admin/brand", {"time_zone": None}), ("/v1/admin/brand", {"default_country": "ZZ"}),
                       ("/v1/inbox/settings", {"assignment": None})):
        answer = client.patch(path, json=body, headers=admin)
        assert answer.status_code == 422, answer.text
        assert set(answer.json()["error"]) == {"code", "message", "details"}
    assert client.get("/v1/admin/brand", headers=admin).json()["time_zone"] == "America/Bogota"
    # Customers the phone library rejects still reach the inbox, and so does WhatsApp after it.
    url = f"{runtime}/webhooks/twilio/demo-twilio"
    headers = {"content-type": "application/x-www-form-urlencoded"}
    senders = ["MiBanco" + _uid()[:4], "8" + str(uuid.uuid4().int)[:4]]
    for sender in senders:
        form = twilio_sms_form(account_sid=TWILIO_SID, message_sid="SM" + uuid.uuid4().hex, from_number=sender,
                               to_number="+15005550006", body=f"Hola de {sender}")
        assert client.post("/webhooks/twilio/demo-twilio", content=urlencode(form), headers={
            **headers, "x-twilio-signature": twilio_signature(url, form, TWILIO_TOKEN)}).status_code == 200
    for sender in senders:
        conversation = wait_conversation(client, admin, sender)
        assert conversation["last_message"]["text"] == f"Hola de {sender}"
    wa_id = _wa_id()
    assert post_meta(client, whatsapp_message_payload(DEMO_PHONE, DEMO_WABA, wa_id=wa_id, name="Tras la sonda",
                                                      message_id=f"wamid.E2E{_uid()}", text="sigo aquí")).status_code == 200
    assert wait_conversation(client, admin, wa_id)["last_message"]["text"] == "sigo aquí"
