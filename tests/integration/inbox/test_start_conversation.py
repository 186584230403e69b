"""Business-initiated conversations (`POST /v1/conversations`, issue 11 item 2): a WhatsApp
template with its parameters (rendered text stored and shown), free text on SMS / e-mail /
Telegram chats that exist, channel rules, another brand's ids, bad input writing nothing, and
the message going out through the normal outbound worker to the provider."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl

import httpx
import pytest
import respx

from infra.local.fake_providers import telegram_update
from tests.integration.channels.conftest import DEMO_PHONE_ID, drain, http_request, invoke_http, purge
from tests.integration.inbox.conftest import CONVERSATIONS, customer_writes, pump
from tests.support import call

CRM = "api/crm"
WA_URL = f"https://graph.facebook.com/v21.0/{DEMO_PHONE_ID}/messages"
TW_URL = "https://api.twilio.com/2010-04-01/Accounts/ACdemo00000000000000000000000000/Messages.json"
TG_URL = "https://api.telegram.org/bot123456:demo-telegram-bot-token/sendMessage"


@pytest.fixture(autouse=True)
def empty_queues(demo):
    for name in ("INBOUND_QUEUE_URL", "OUTBOUND_QUEUE_URL"):
        purge(name)
    yield


def _person(admin, name: str, **fields) -> str:
    reply = call(CRM, "POST", "/v1/contacts", principal=admin, body={"name": name, **fields})
    assert reply.status == 201, reply.body
    return reply.body["id"]


def _start(principal, body):
    return call(CONVERSATIONS, "POST", "/v1/conversations", principal=principal, body=body)


def _messages(principal, conversation_id):
    return call(CONVERSATIONS, "GET", f"/v1/conversations/{conversation_id}/messages", principal=principal).body["items"]


def _conversation_count(admin) -> int:
    return len(call(CONVERSATIONS, "GET", "/v1/conversations", principal=admin, query={"limit": 100}).body["items"])


def test_a_whatsapp_template_starts_the_conversation_and_goes_out_rendered(demo):
    admin, agent1 = demo["admin@demo.local"], demo["agent1@demo.local"]
    person_id = _person(admin, "Lucía Prospecto", phone="+57 310 555 0101")
    started = _start(agent1, {"person_id": person_id, "account_id": "demo-whatsapp",
                              "template": {"name": "seguimiento", "language": "es", "parameters": ["Lucía"]}})
    assert started.status == 201, started.body
    body = started.body
    assert body["channel"] == "whatsapp" and body["account_id"] == "demo-whatsapp" and body["status"] == "open"
    assert body["contact"]["person_id"] == person_id and body["contact"]["external_id"] == "573105550101"
    assert body["assignee"] == agent1.sub  # the agent who writes first holds it
    message = body["message"]
    assert message["type"] == "template" and message["status"] == "queued"
    assert message["details"]["template"] == {"name": "seguimiento", "language": "es", "parameters": ["Lucía"]}
    assert "Lucía" in message["text"] and "{{1}}" not in message["text"]  # the rendered text is stored
    assert body["last_message"]["text"] == message["text"]
    # shown in the conversation
    assert [m["text"] for m in _messages(agent1, body["id"])] == [message["text"]]
    pump()  # conversation.created → the assignment worker finds it held
    assert call(CONVERSATIONS, "GET", f"/v1/conversations/{body['id']}", principal=agent1).body["assignee"] == agent1.sub
    # the outbound worker sends it to WhatsApp as a template message
    with respx.mock(assert_all_called=True) as mock:
        route = mock.post(WA_URL).mock(return_value=httpx.Response(
            200, json={"messaging_product": "whatsapp", "contacts": [{"input": "573105550101", "wa_id": "573105550101"}],
                       "messages": [{"id": "wamid.START1"}]}))
        assert drain("workers/outbound", "OUTBOUND_QUEUE_URL") == []
    sent = json.loads(route.calls.last.request.content)
    assert sent["to"] == "573105550101" and sent["type"] == "template"
    assert sent["template"]["name"] == "seguimiento" and sent["template"]["language"]["code"] == "es"
    assert sent["template"]["components"][0]["parameters"] == [{"type": "text", "text": "Lucía"}]
    (stored,) = _messages(agent1, body["id"])
    assert stored["status"] == "sent" and stored["provider_message_id"] == "wamid.START1"
    # the customer's answer joins the same conversation (wa_id → the person's phone)
    joined = customer_writes("¡Hola! Sí me interesa", wa_id="573105550101", message_id="wamid.START-ANSWER")
    assert joined == body["id"]


def test_whatsapp_requires_an_approved_complete_template_outside_the_window(demo):
    admin = demo["admin@demo.local"]
    person_id = _person(admin, "Mario Sin Ventana", phone="+57 310 555 0102")
    before = _conversation_count(admin)
    cases = [
        ({"text": "Hola Mario"}, 422, "template_required"),
        ({"template": {"name": "seguimiento", "language": "es", "parameters": []}}, 422, "template_parameters"),
        ({"template": {"name": "promo_navidad", "language": "es", "parameters": ["x"]}}, 422, "template_not_approved"),
        ({"template": {"name": "no_existe", "language": "es", "parameters": []}}, 404, "template_not_found"),
        ({"template": {"name": "seguimiento", "language": "es", "parameters": ["x"]}, "text": "y"}, 422, None),
    ]
    for extra, status, code in cases:
        reply = _start(admin, {"person_id": person_id, "account_id": "demo-whatsapp", **extra})
        assert reply.status == status, (extra, reply.body)
        assert "/" in reply.body["error"]["message"]  # Spanish / English
        if code:
            assert reply.body["error"]["code"] == code, reply.body
    assert _conversation_count(admin) == before  # nothing half-written
    assert drain("workers/outbound", "OUTBOUND_QUEUE_URL") == []


def test_a_template_to_a_person_who_opted_out_of_whatsapp_starts_nothing(demo):
    admin = demo["admin@demo.local"]
    person_id = _person(admin, "Olga Baja", phone="+57 310 555 0109")
    assert call("api/campaigns", "POST", "/v1/suppressions", principal=admin,
                body={"channel": "whatsapp", "address": "+573105550109"}).status == 201
    before = _conversation_count(admin)
    reply = _start(admin, {"person_id": person_id, "account_id": "demo-whatsapp",
                           "template": {"name": "seguimiento", "language": "es", "parameters": ["Olga"]}})
    assert reply.status == 422 and reply.body["error"]["code"] == "recipient_opted_out", reply.body
    assert reply.body["error"]["details"][0]["person_id"] == person_id
    assert _conversation_count(admin) == before
    assert drain("workers/outbound", "OUTBOUND_QUEUE_URL") == []


def test_inside_the_window_free_text_continues_the_customers_conversation(demo):
    agent2 = demo["agent2@demo.local"]
    conversation_id = customer_writes("Hola", wa_id="573105550103", message_id="wamid.START-WIN",
                                      at=datetime.now(UTC) - timedelta(hours=1))
    person_id = call(CONVERSATIONS, "GET", f"/v1/conversations/{conversation_id}",
                     principal=demo["admin@demo.local"]).body["contact"]["person_id"]
    reply = _start(demo["supervisor@demo.local"], {"person_id": person_id, "account_id": "demo-whatsapp",
                                                   "text": "¿Te ayudo con algo más?"})
    assert reply.status == 201, reply.body
    assert reply.body["id"] == conversation_id and reply.body["message_count"] == 2
    assert reply.body["message"]["type"] == "text"
    assert agent2  # the fixture's agents exist; the holder rule is tested below


def test_sms_and_email_take_free_text(demo):
    from infra.local.seed import local_mail

    admin = demo["admin@demo.local"]
    person_id = _person(admin, "Rosa Mensajes", phone="+57 311 555 0104", email="rosa@example.com")
    sms = _start(admin, {"person_id": person_id, "account_id": "demo-twilio", "text": "Su pedido está listo."})
    assert sms.status == 201, sms.body
    assert sms.body["channel"] == "sms" and sms.body["contact"]["external_id"] == "+573115550104"
    not_mail = _start(admin, {"person_id": person_id, "account_id": "demo-twilio", "text": "x",
                              "email": {"cc": ["conta@example.com"]}})
    assert not_mail.status == 422 and not_mail.body["error"]["code"] == "cc_not_supported"
    mail = _start(admin, {"person_id": person_id, "account_id": "demo-email", "text": "Adjuntamos la factura.",
                          "email": {"subject": "Factura 77", "cc": ["Conta@Example.com", "rosa@example.com"]}})
    assert mail.status == 201, mail.body
    # the person's own address is the To, not a copy; the rest is normalised and kept on the message
    assert mail.body["message"]["details"]["email"]["cc"] == [{"address": "conta@example.com"}]
    assert mail.body["subject"] == "Factura 77"
    assert sms.body["id"] != mail.body["id"]  # one thread per account and person
    before = len(local_mail())
    with respx.mock(assert_all_called=True) as mock:
        tw = mock.post(TW_URL).mock(return_value=httpx.Response(201, json={"sid": "SMstart1", "status": "queued"}))
        assert drain("workers/outbound", "OUTBOUND_QUEUE_URL") == []
    form = dict(parse_qsl(tw.calls.last.request.content.decode()))
    assert form["To"] == "+573115550104" and form["Body"] == "Su pedido está listo."
    (sent_mail,) = local_mail()[before:]
    assert sent_mail["subject"] == "Factura 77" and sent_mail["to"][:2] == ["rosa@example.com", "conta@example.com"]
    assert sent_mail["cc"] == ["conta@example.com"]
    assert "Adjuntamos la factura." in sent_mail["body"]
    assert _messages(admin, mail.body["id"])[0]["status"] == "sent"


def test_telegram_only_in_a_chat_the_person_opened_and_meta_channels_refuse(demo):
    admin = demo["admin@demo.local"]
    stranger = _person(admin, "Sin Chat", phone="+57 311 555 0105")
    refused = _start(admin, {"person_id": stranger, "account_id": "demo-telegram", "text": "Hola"})
    assert refused.status == 422 and refused.body["error"]["code"] == "telegram_chat_required"
    for account in ("demo-messenger", "demo-instagram", "demo-widget"):
        reply = _start(admin, {"person_id": stranger, "account_id": account, "text": "Hola"})
        assert reply.status == 422 and reply.body["error"]["code"] == "channel_cannot_start", (account, reply.body)
    not_wa = _start(admin, {"person_id": stranger, "account_id": "demo-twilio",
                            "template": {"name": "seguimiento", "language": "es", "parameters": ["x"]}})
    assert not_wa.status == 422 and not_wa.body["error"]["code"] == "template_not_supported"
    # a person who wrote to the bot: the bot may write to that chat again, even after it was closed
    update = telegram_update(update_id=870001001, chat_id=555001001, message_id=9, text="hola bot")
    assert invoke_http("webhooks/telegram", http_request("POST", "/webhooks/telegram/demo-telegram",
                       body=json.dumps(update).encode(), headers={"content-type": "application/json",
                       "x-telegram-bot-api-secret-token": "demo-telegram-secret"})).status == 200
    assert drain() == []
    conversation = next(c for c in call(CONVERSATIONS, "GET", "/v1/conversations", principal=admin).body["items"]
                        if c["contact"].get("external_id") == "555001001")
    closed = call(CONVERSATIONS, "POST", f"/v1/conversations/{conversation['id']}/close", principal=admin,
                  body={"reason_id": "resolved"})
    assert closed.status == 200, closed.body
    again = _start(admin, {"person_id": conversation["contact"]["person_id"], "account_id": "demo-telegram",
                           "text": "¿Seguimos?"})
    assert again.status == 201, again.body
    assert again.body["id"] == conversation["id"] and again.body["status"] == "open"
    with respx.mock(assert_all_called=True) as mock:
        tg = mock.post(TG_URL).mock(return_value=httpx.Response(200, json={
            "ok": True, "result": {"message_id": 10, "chat": {"id": 555001001}, "date": 1, "text": "x"}}))
        assert drain("workers/outbound", "OUTBOUND_QUEUE_URL") == []
    assert json.loads(tg.calls.last.request.content) == {"chat_id": "555001001", "text": "¿Seguimos?"}


def test_another_brands_ids_permissions_and_bad_input(demo):
    admin, acme, operator = demo["admin@demo.local"], demo["admin@acme.local"], demo["operator@demo.local"]
    person_id = _person(admin, "Privada Demo", phone="+57 311 555 0106")
    acme_person = _person(acme, "Privada Acme", phone="+52 55 1234 5678")
    template = {"name": "seguimiento", "language": "es", "parameters": ["x"]}
    before = _conversation_count(admin)
    # another brand's person, account and template: 404, and nothing is written in either brand
    assert _start(acme, {"person_id": person_id, "account_id": "acme-whatsapp", "template": template}).status == 404
    assert _start(acme, {"person_id": person_id, "account_id": "demo-email", "text": "x",
                         "email": {"cc": ["conta@example.com"]}}).status == 404
    assert _start(admin, {"person_id": acme_person, "account_id": "demo-whatsapp", "template": template}).status == 404
    foreign_account = _start(admin, {"person_id": person_id, "account_id": "acme-whatsapp", "template": template})
    assert foreign_account.status == 404 and foreign_account.body["error"]["code"] == "channel_account_not_found"
    # demo's template does not exist for acme's number
    foreign_template = _start(acme, {"person_id": acme_person, "account_id": "acme-whatsapp", "template": template})
    assert foreign_template.status == 404 and foreign_template.body["error"]["code"] == "template_not_found"
    # permissions
    assert _start(operator, {"person_id": person_id, "account_id": "demo-twilio", "text": "x"}).status == 403
    # bad input: a clear 4xx naming the field
    for body in ({}, {"person_id": person_id}, {"person_id": person_id, "account_id": "demo-twilio"},
                 {"person_id": person_id, "account_id": "demo-twilio", "text": None},
                 {"person_id": person_id, "account_id": "demo-twilio", "text": "x", "tenant_id": "acme"},
                 {"person_id": "a b", "account_id": "demo-twilio", "text": "x"},
                 {"person_id": person_id, "account_id": "demo-twilio", "text": "x" * 5000},
                 {"person_id": person_id, "account_id": "demo-email", "text": "x", "email": {"cc": ["sin-arroba"]}},
                 {"person_id": person_id, "account_id": "demo-email", "text": "x", "email": {"cc": ["a@x.co"] * 2}},
                 {"person_id": person_id, "account_id": "demo-email", "text": "x",
                  "email": {"cc": [f"c{i}@x.co" for i in range(21)]}},
                 {"person_id": person_id, "account_id": "demo-email", "text": "x", "email": {"cc": None, "bcc": []}}):
        reply = _start(admin, body)
        assert reply.status == 422, (body, reply.body)
        assert reply.body["error"]["code"] and "details" in reply.body["error"]
    no_phone = _person(admin, "Sin Teléfono", email="sin@example.com")
    missing = _start(admin, {"person_id": no_phone, "account_id": "demo-twilio", "text": "x"})
    assert missing.status == 422 and missing.body["error"]["code"] == "no_recipient"
    assert _conversation_count(admin) == before
    assert _conversation_count(acme) == 0 or all(
        c["contact"]["person_id"] != person_id
        for c in call(CONVERSATIONS, "GET", "/v1/conversations", principal=acme).body["items"])


def test_an_agent_cannot_write_into_a_colleagues_open_conversation(demo):
    agent1, agent2 = demo["agent1@demo.local"], demo["agent2@demo.local"]
    person_id = _person(demo["admin@demo.local"], "Cliente de Andrés", phone="+57 311 555 0107")
    first = _start(agent1, {"person_id": person_id, "account_id": "demo-twilio", "text": "Hola, soy Andrés"})
    assert first.status == 201 and first.body["assignee"] == agent1.sub
    other = _start(agent2, {"person_id": person_id, "account_id": "demo-twilio", "text": "Hola, soy Alejandra"})
    assert other.status == 409 and other.body["error"]["code"] == "conversation_taken"
    assert len(_messages(agent1, first.body["id"])) == 1
