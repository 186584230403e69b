"""Webhooks verify first, route every event to its own brand and account, enqueue, answer 200."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest

from infra.local.fake_providers import (
    messenger_message_payload,
    telegram_update,
    twilio_signature,
    twilio_sms_form,
    whatsapp_message_payload,
)
from tests.integration.channels.conftest import (
    ACME_PHONE_ID,
    ACME_WABA,
    DEMO_WABA,
    drain,
    http_request,
    invoke_http,
    post_meta,
    purge,
    queued,
    whatsapp_status,
    whatsapp_text,
)
from tests.support import call

API = "api/conversations"


@pytest.fixture(autouse=True)
def empty_queue(demo):
    purge("INBOUND_QUEUE_URL")
    yield
    purge("INBOUND_QUEUE_URL")


def _bodies() -> list[dict]:
    return [json.loads(m["Body"]) for m in queued()]


# ---------------------------------------------------------------- Meta


def test_meta_handshake_answers_the_challenge_only_with_the_verify_token():
    good = invoke_http("webhooks/meta", http_request("GET", "/webhooks/meta/demo-meta-app", query={
        "hub.mode": "subscribe", "hub.verify_token": "demo-verify-token", "hub.challenge": "1158201444"}))
    assert good.status == 200 and str(good.body) == "1158201444"
    bad = invoke_http("webhooks/meta", http_request("GET", "/webhooks/meta/demo-meta-app", query={
        "hub.mode": "subscribe", "hub.verify_token": "nope", "hub.challenge": "1"}))
    assert bad.status == 403
    unknown_app = invoke_http("webhooks/meta", http_request("GET", "/webhooks/meta/other-app", query={
        "hub.mode": "subscribe", "hub.verify_token": "demo-verify-token", "hub.challenge": "1"}))
    assert unknown_app.status == 403


@pytest.mark.parametrize(("signature", "status"), [
    (None, 401),                                    # no header
    ("", 401),
    ("sha1=abc", 401),                              # malformed
    ("sha256=" + "0" * 64, 403),                    # wrong signature
])
def test_a_badly_signed_meta_delivery_is_refused_and_stores_nothing(signature, status):
    payload = whatsapp_text("hola", message_id="wamid.BAD")
    raw = json.dumps(payload).encode()
    headers = {"content-type": "application/json"}
    if signature is not None:
        headers["x-hub-signature-256"] = signature
    reply = invoke_http("webhooks/meta", http_request("POST", "/webhooks/meta/demo-meta-app", body=raw,
                                                      headers=headers))
    assert reply.status == status
    assert reply.body["error"]["code"].startswith("signature")
    assert queued() == []


def test_a_delivery_signed_with_another_secret_or_for_an_unknown_app_is_refused():
    assert post_meta(whatsapp_text("hola", message_id="wamid.X1"), secret="not-the-secret").status == 403
    assert post_meta(whatsapp_text("hola", message_id="wamid.X2"), app_id="unknown-app").status == 403
    assert queued() == []


def test_every_entry_change_message_and_status_is_enqueued_in_one_batch():
    # Given one delivery with two entries: demo (2 messages + 1 status) and acme (1 message)
    demo = whatsapp_text("uno", message_id="wamid.M1")
    value = demo["entry"][0]["changes"][0]["value"]
    value["messages"].append({**value["messages"][0], "id": "wamid.M2", "text": {"body": "dos"}})
    value["statuses"] = whatsapp_status("wamid.OLD", "delivered")["entry"][0]["changes"][0]["value"]["statuses"]
    acme = whatsapp_text("de acme", message_id="wamid.A1", phone_number_id=ACME_PHONE_ID, waba=ACME_WABA,
                         wa_id="525511112222", name="Ana Acme")
    demo["entry"].append(acme["entry"][0])
    # When Meta posts it
    reply = post_meta(demo)
    # Then all four events are queued, each under its own brand and account
    assert reply.status == 200 and reply.body == {"queued": 4, "dropped": 0}
    bodies = _bodies()
    routed = sorted((b["tenant_id"], b["account_id"], b["event"]["kind"]) for b in bodies)
    assert routed == [("acme", "acme-whatsapp", "message"), ("demo", "demo-whatsapp", "message"),
                      ("demo", "demo-whatsapp", "message"), ("demo", "demo-whatsapp", "status")]


def test_one_webhook_is_one_sqs_request(monkeypatch):
    from skailan.platform.aws import client

    sqs = client("sqs")
    calls = []
    original = sqs.send_message_batch
    monkeypatch.setattr(sqs, "send_message_batch", lambda **kw: calls.append(kw) or original(**kw))
    payload = whatsapp_text("uno", message_id="wamid.ONE1")
    value = payload["entry"][0]["changes"][0]["value"]
    for n in range(2, 8):
        value["messages"].append({**value["messages"][0], "id": f"wamid.ONE{n}"})
    assert post_meta(payload).body["queued"] == 7
    assert len(calls) == 1 and len(calls[0]["Entries"]) == 7
    group = {e["MessageGroupId"] for e in calls[0]["Entries"]}
    assert group == {"demo#demo-whatsapp#573001234567"}


def test_an_unknown_phone_number_id_is_dropped_never_guessed():
    reply = post_meta(whatsapp_message_payload("999999999999999", DEMO_WABA, wa_id="573000000000", name="X",
                                               message_id="wamid.UNKNOWN", text="hola"))
    assert reply.status == 200 and reply.body == {"queued": 0, "dropped": 1}
    assert queued() == []


def test_acme_number_lands_only_in_acme(demo):
    reply = post_meta(whatsapp_text("Hola Acme", message_id="wamid.ACME1", phone_number_id=ACME_PHONE_ID,
                                    waba=ACME_WABA, wa_id="525500001111", name="Beto"))
    assert reply.body == {"queued": 1, "dropped": 0}
    assert drain() == []
    acme = call(API, "GET", "/v1/conversations", principal=demo["admin@acme.local"]).body["items"]
    assert [c["contact"]["external_id"] for c in acme] == ["525500001111"]
    demo_items = call(API, "GET", "/v1/conversations", principal=demo["admin@demo.local"]).body["items"]
    assert "525500001111" not in [c["contact"].get("external_id") for c in demo_items]


def test_the_same_webhook_twice_is_one_message(demo):
    payload = whatsapp_text("¿Precio?", message_id="wamid.TWICE", wa_id="573009998877", name="Dos Veces")
    assert post_meta(payload).status == 200
    assert post_meta(payload).status == 200
    assert drain() == []
    conversation = next(c for c in call(API, "GET", "/v1/conversations", principal=demo["admin@demo.local"]).body["items"]
                        if c["contact"].get("external_id") == "573009998877")
    messages = call(API, "GET", f"/v1/conversations/{conversation['id']}/messages",
                    principal=demo["admin@demo.local"]).body["items"]
    assert [m["provider_message_id"] for m in messages] == ["wamid.TWICE"]
    assert conversation["message_count"] == 1


def test_messenger_and_instagram_messages_reach_their_accounts(demo):
    assert post_meta(messenger_message_payload("300000000000001", psid="6543210987654321", mid="m_FB1",
                                               text="Hola desde Facebook")).body == {"queued": 1, "dropped": 0}
    assert post_meta(messenger_message_payload("400000000000001", psid="17841400000000001", mid="aWdfMID1",
                                               text="Hola desde Instagram", instagram=True)).body["queued"] == 1
    assert drain() == []
    items = call(API, "GET", "/v1/conversations", principal=demo["admin@demo.local"]).body["items"]
    by_ref = {c["contact"].get("external_id"): c for c in items}
    assert by_ref["6543210987654321"]["channel"] == "messenger"
    assert by_ref["17841400000000001"]["channel"] == "instagram"
    assert by_ref["17841400000000001"]["account_id"] == "demo-instagram"


# ---------------------------------------------------------------- Telegram


def _telegram(update: dict, secret: str | None, account: str = "demo-telegram"):
    headers = {"content-type": "application/json"}
    if secret is not None:
        headers["x-telegram-bot-api-secret-token"] = secret
    return invoke_http("webhooks/telegram", http_request("POST", f"/webhooks/telegram/{account}",
                                                         body=json.dumps(update).encode(), headers=headers))


def test_telegram_checks_the_secret_token(demo):
    update = telegram_update(update_id=870000010, chat_id=555000222, message_id=7, text="Hola bot")
    assert _telegram(update, None).status == 401
    assert _telegram(update, "wrong").status == 403
    assert _telegram(update, "demo-telegram-secret", account="no-such-account").status == 403
    assert _telegram(update, "demo-telegram-secret", account="demo-whatsapp").status == 403
    assert queued() == []
    reply = _telegram(update, "demo-telegram-secret")
    assert reply.status == 200 and reply.body == {"queued": 1, "dropped": 0}
    assert drain() == []
    conversation = next(c for c in call(API, "GET", "/v1/conversations", principal=demo["admin@demo.local"]).body["items"]
                        if c["channel"] == "telegram")
    assert conversation["contact"]["name"] == "Tania"
    assert conversation["last_message"]["text"] == "Hola bot"


# ---------------------------------------------------------------- Twilio


def _twilio(form: dict, *, signature: str | None, host: str = "127.0.0.1:3000", proto: str = "http"):
    raw = urlencode(form).encode()
    headers = {"content-type": "application/x-www-form-urlencoded", "host": host, "x-forwarded-proto": proto}
    if signature is not None:
        headers["x-twilio-signature"] = signature
    return invoke_http("webhooks/twilio", http_request("POST", "/webhooks/twilio/demo-twilio", body=raw,
                                                       headers=headers, b64=True))


def test_twilio_signature_is_over_the_exact_public_url(demo):
    form = twilio_sms_form(account_sid="ACdemo00000000000000000000000000", message_sid="SMaaaa1111",
                           from_number="+573001112233", to_number="+15005550006", body="Info por favor")
    url = "http://127.0.0.1:3000/webhooks/twilio/demo-twilio"
    assert _twilio(form, signature=None).status == 401
    assert _twilio(form, signature=twilio_signature(url, form, "wrong-token")).status == 403
    # signed for another URL (https, or another host) does not match this request
    assert _twilio(form, signature=twilio_signature(url.replace("http:", "https:"), form,
                                                    "demo-twilio-token")).status == 403
    assert queued() == []
    ok = _twilio(form, signature=twilio_signature(url, form, "demo-twilio-token"))
    assert ok.status == 200 and "<Response>" in ok.body
    # behind API Gateway: https and the API's host
    gw = "https://abc123.execute-api.us-east-1.amazonaws.com/webhooks/twilio/demo-twilio"
    form2 = {**form, "MessageSid": "SMbbbb2222", "SmsSid": "SMbbbb2222", "SmsMessageSid": "SMbbbb2222"}
    assert _twilio(form2, signature=twilio_signature(gw, form2, "demo-twilio-token"),
                   host="abc123.execute-api.us-east-1.amazonaws.com", proto="https").status == 200
    assert drain() == []
    items = call(API, "GET", "/v1/conversations", principal=demo["admin@demo.local"]).body["items"]
    sms = next(c for c in items if c["channel"] == "sms")
    assert sms["contact"]["external_id"] == "+573001112233" and sms["message_count"] == 2
