from __future__ import annotations

import base64
import json
from urllib.parse import parse_qsl

import httpx
import pytest
import respx

from skailan.channels.errors import SendFailure
from skailan.channels.models import OutboundMessage
from skailan.channels.telegram import TelegramSender
from skailan.channels.twilio import TwilioSender

BOT = "123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11"
TG = f"https://api.telegram.org/bot{BOT}"


def tg_ok(chat_id: int, message_id: int) -> httpx.Response:
    return httpx.Response(
        200,
        json={
            "ok": True,
            "result": {
                "message_id": message_id,
                "date": 1735689600,
                "chat": {"id": chat_id, "type": "private"},
                "text": "x",
            },
        },
    )


def telegram(**fields) -> OutboundMessage:
    return OutboundMessage(**{"channel": "telegram", "to": "111222333"} | fields)


@pytest.fixture
def tg(client) -> TelegramSender:
    return TelegramSender(client, bot_token=BOT)


@respx.mock
def test_telegram_text_reply(tg):
    route = respx.post(f"{TG}/sendMessage").mock(return_value=tg_ok(111222333, 43))
    result = tg.send(telegram(type="text", text="Claro, te ayudo", reply_to="111222333:42"))
    assert result.provider_message_id == "111222333:43"
    assert json.loads(route.calls.last.request.content) == {
        "chat_id": "111222333",
        "text": "Claro, te ayudo",
        "reply_parameters": {"message_id": 42, "allow_sending_without_reply": True},
    }


@pytest.mark.parametrize(
    ("kind", "method", "field"),
    [
        ("image", "sendPhoto", "photo"),
        ("video", "sendVideo", "video"),
        ("audio", "sendAudio", "audio"),
        ("document", "sendDocument", "document"),
    ],
)
@respx.mock
def test_telegram_files_by_url_with_caption(tg, kind, method, field):
    route = respx.post(f"{TG}/{method}").mock(return_value=tg_ok(111222333, 44))
    tg.send(telegram(type=kind, text="Mira", media={"url": "https://files.skailan.example/f"}))
    assert json.loads(route.calls.last.request.content) == {
        "chat_id": "111222333",
        field: "https://files.skailan.example/f",
        "caption": "Mira",
    }


@respx.mock
def test_telegram_reply_into_another_chat_names_it(tg):
    route = respx.post(f"{TG}/sendMessage").mock(return_value=tg_ok(-987654321, 5))
    tg.send(telegram(to="-987654321", type="text", text="hola", reply_to="111222333:42"))
    assert json.loads(route.calls.last.request.content)["reply_parameters"] == {
        "message_id": 42,
        "allow_sending_without_reply": True,
        "chat_id": "111222333",
    }


@respx.mock
def test_telegram_429_uses_retry_after_from_the_body(tg):
    respx.post(f"{TG}/sendMessage").mock(
        return_value=httpx.Response(
            429,
            json={
                "ok": False,
                "error_code": 429,
                "description": "Too Many Requests: retry after 7",
                "parameters": {"retry_after": 7},
            },
        )
    )
    with pytest.raises(SendFailure) as caught:
        tg.send(telegram(type="text", text="hola"))
    assert (caught.value.retryable, caught.value.code, caught.value.retry_after) == (True, "429", 7.0)


@pytest.mark.parametrize(
    ("status", "description"),
    [
        (403, "Forbidden: bot was blocked by the user"),
        (400, "Bad Request: chat not found"),
        (401, "Unauthorized"),
    ],
)
@respx.mock
def test_telegram_permanent_errors(tg, status, description):
    respx.post(f"{TG}/sendMessage").mock(
        return_value=httpx.Response(
            status, json={"ok": False, "error_code": status, "description": description}
        )
    )
    with pytest.raises(SendFailure) as caught:
        tg.send(telegram(type="text", text="hola"))
    assert (caught.value.permanent, caught.value.code, caught.value.provider_message) == (
        True,
        str(status),
        description,
    )


def test_telegram_refuses_templates(tg):
    with pytest.raises(SendFailure) as caught:
        tg.send(telegram(type="template", template={"name": "x", "language": "es"}))
    assert (caught.value.permanent, caught.value.code) == (True, "unsupported_type")


# --------------------------------------------------------------------------- Twilio

SID = "AC11111111111111111111111111111111"
TWILIO_URL = f"https://api.twilio.com/2010-04-01/Accounts/{SID}/Messages.json"


def twilio_ok() -> httpx.Response:
    return httpx.Response(
        201, json={"sid": "SM9f8e7d6c5b4a39281706f5e4d3c2b1a0", "status": "queued", "account_sid": SID}
    )


def sms(**fields) -> OutboundMessage:
    return OutboundMessage(**{"channel": "sms", "to": "+5218112345678"} | fields)


@pytest.fixture
def twilio_sender(client) -> TwilioSender:
    return TwilioSender(
        client,
        account_sid=SID,
        auth_token="secret-token",
        from_number="+15017122661",
        status_callback="https://api.skailan.example/webhooks/twilio/acc_01HZX",
    )


@respx.mock
def test_twilio_sms_form_and_basic_auth(twilio_sender):
    route = respx.post(TWILIO_URL).mock(return_value=twilio_ok())
    result = twilio_sender.send(sms(type="text", text="Hola Ana"))
    assert (result.provider_message_id, result.status) == ("SM9f8e7d6c5b4a39281706f5e4d3c2b1a0", "queued")
    request = route.calls.last.request
    assert (
        request.headers["Authorization"]
        == "Basic " + base64.b64encode(f"{SID}:secret-token".encode()).decode()
    )
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert parse_qsl(request.content.decode()) == [
        ("To", "+5218112345678"),
        ("From", "+15017122661"),
        ("Body", "Hola Ana"),
        ("StatusCallback", "https://api.skailan.example/webhooks/twilio/acc_01HZX"),
    ]


@respx.mock
def test_twilio_mms_sends_every_media_url_in_one_request(client):
    route = respx.post(TWILIO_URL).mock(return_value=twilio_ok())
    sender = TwilioSender(
        client, account_sid=SID, auth_token="t", messaging_service_sid="MG11111111111111111111111111111111"
    )
    sender.send(
        sms(
            type="image",
            text="Fotos",
            attachments=[
                {"url": "https://files.skailan.example/1.jpg"},
                {"url": "https://files.skailan.example/2.jpg"},
            ],
        )
    )
    assert parse_qsl(route.calls.last.request.content.decode()) == [
        ("To", "+5218112345678"),
        ("MessagingServiceSid", "MG11111111111111111111111111111111"),
        ("Body", "Fotos"),
        ("MediaUrl", "https://files.skailan.example/1.jpg"),
        ("MediaUrl", "https://files.skailan.example/2.jpg"),
    ]


@pytest.mark.parametrize(
    ("status", "code", "retryable"),
    [(400, 21211, False), (400, 21610, False), (400, 21408, False), (429, 20429, True), (401, 20003, False)],
)
@respx.mock
def test_twilio_error_classification(twilio_sender, status, code, retryable):
    respx.post(TWILIO_URL).mock(
        return_value=httpx.Response(
            status,
            json={
                "code": code,
                "message": "The 'To' number +521 is not a valid phone number.",
                "more_info": f"https://www.twilio.com/docs/errors/{code}",
                "status": status,
            },
        )
    )
    with pytest.raises(SendFailure) as caught:
        twilio_sender.send(sms(type="text", text="hola"))
    assert (caught.value.retryable, caught.value.code) == (retryable, str(code))
    assert caught.value.reason_es and caught.value.reason_en


def test_twilio_needs_a_sender(client):
    with pytest.raises(SendFailure) as caught:
        TwilioSender(client, account_sid=SID, auth_token="t").send(sms(type="text", text="hola"))
    assert caught.value.code == "missing_sender"


# --------------------------------------------------------------------------- shared checks, before any call


@pytest.mark.parametrize(
    ("message", "code"),
    [
        (sms(type="text", text="x" * 1601), "text_too_long"),
        (sms(type="text", text="   "), "empty_message"),
        (sms(type="image", text="no media"), "empty_message"),
        (
            sms(type="image", attachments=[{"url": f"https://f.example/{n}"} for n in range(11)]),
            "too_many_attachments",
        ),
        (sms(type="image", media={"url": "http://files.skailan.example/a.jpg"}), "invalid_media_url"),
        (sms(type="image", media={"url": "file:///etc/passwd"}), "invalid_media_url"),
        (sms(type="template", template={"name": "x", "language": "es"}), "unsupported_type"),
        (OutboundMessage(channel="whatsapp", to="1", type="text", text="hola"), "wrong_channel"),
    ],
)
@pytest.mark.respx(assert_all_called=False)
def test_shared_checks_refuse_before_calling_the_provider(twilio_sender, respx_mock, message, code):
    route = respx_mock.post(TWILIO_URL).mock(return_value=twilio_ok())
    with pytest.raises(SendFailure) as caught:
        twilio_sender.send(message)
    assert (caught.value.permanent, caught.value.code) == (True, code)
    assert caught.value.reason_es and caught.value.reason_en
    assert not route.called


@pytest.mark.respx(assert_all_called=False)
def test_whatsapp_limits(client, respx_mock):
    from skailan.channels.whatsapp import WhatsAppSender

    sender = WhatsAppSender(client, phone_number_id="1", access_token="t")
    route = respx_mock.post("https://graph.facebook.com/v21.0/1/messages")
    cases = [
        (OutboundMessage(channel="whatsapp", to="1", type="text", text="x" * 4097), "text_too_long"),
        (
            OutboundMessage(
                channel="whatsapp",
                to="1",
                type="image",
                attachments=[{"url": f"https://f.example/{n}"} for n in range(6)],
            ),
            "too_many_attachments",
        ),
        (
            OutboundMessage(
                channel="whatsapp",
                to="1",
                type="image",
                text="c" * 1025,
                media={"url": "https://f.example/a"},
            ),
            "caption_too_long",
        ),
    ]
    for message, code in cases:
        with pytest.raises(SendFailure) as caught:
            sender.send(message)
        assert caught.value.code == code
    assert not route.called


@pytest.mark.respx(assert_all_called=False)
def test_telegram_text_limit(tg, respx_mock):
    route = respx_mock.post(f"{TG}/sendMessage")
    with pytest.raises(SendFailure) as caught:
        tg.send(telegram(type="text", text="x" * 4097))
    assert caught.value.code == "text_too_long" and not route.called
