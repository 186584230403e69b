"""WhatsApp, Messenger and Instagram sends: exact request bodies, and error classification."""

from __future__ import annotations

import json

import httpx
import pytest
import respx

from skailan.channels.errors import SendFailure
from skailan.channels.instagram import InstagramSender
from skailan.channels.messenger import MessengerSender
from skailan.channels.models import OutboundMessage
from skailan.channels.whatsapp import WhatsAppSender

GRAPH = "https://graph.facebook.com/v21.0"
PNID = "106540352242922"
WA_URL = f"{GRAPH}/{PNID}/messages"
TOKEN = "EAAG-test-token"


def wa_ok(wamid: str = "wamid.HBgLMTY1MDUxNTEyMzQVAgARGBI5QUNBN0Y4NzE0RkZBNzFEQzIA") -> httpx.Response:
    return httpx.Response(
        200,
        json={
            "messaging_product": "whatsapp",
            "contacts": [{"input": "16505551234", "wa_id": "16505551234"}],
            "messages": [{"id": wamid}],
        },
    )


def graph_error(
    status: int,
    code: int,
    message: str = "(#x) error",
    *,
    subcode: int | None = None,
    details: str | None = None,
    transient: bool | None = None,
    headers: dict | None = None,
) -> httpx.Response:
    error: dict = {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "AbCdEf"}
    if subcode:
        error["error_subcode"] = subcode
    if details:
        error["error_data"] = {"messaging_product": "whatsapp", "details": details}
    if transient is not None:
        error["is_transient"] = transient
    return httpx.Response(status, json={"error": error}, headers=headers)


def body_of(route: respx.Route, index: int = -1) -> dict:
    return json.loads(route.calls[index].request.content)


@pytest.fixture
def wa(client) -> WhatsAppSender:
    return WhatsAppSender(client, phone_number_id=PNID, access_token=TOKEN)


def whatsapp(**fields) -> OutboundMessage:
    return OutboundMessage(**{"channel": "whatsapp", "to": "16505551234"} | fields)


# --------------------------------------------------------------------------- WhatsApp bodies


@respx.mock
def test_whatsapp_text_reply(wa):
    route = respx.post(WA_URL).mock(return_value=wa_ok())
    result = wa.send(
        whatsapp(
            type="text",
            text="Sí, en azul también: https://skailan.example/azul",
            preview_url=True,
            reply_to="wamid.ORIGINAL",
        )
    )
    assert result.provider_message_id == "wamid.HBgLMTY1MDUxNTEyMzQVAgARGBI5QUNBN0Y4NzE0RkZBNzFEQzIA"
    request = route.calls.last.request
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert request.headers["Content-Type"] == "application/json"
    assert body_of(route) == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": "16505551234",
        "type": "text",
        "text": {"preview_url": True, "body": "Sí, en azul también: https://skailan.example/azul"},
        "context": {"message_id": "wamid.ORIGINAL"},
    }


@respx.mock
def test_whatsapp_image_takes_the_text_as_caption(wa):
    route = respx.post(WA_URL).mock(return_value=wa_ok())
    wa.send(
        whatsapp(
            type="image",
            text="Este modelo",
            media={"url": "https://files.skailan.example/a.jpg", "mime_type": "image/jpeg"},
        )
    )
    assert body_of(route) == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": "16505551234",
        "type": "image",
        "image": {"link": "https://files.skailan.example/a.jpg", "caption": "Este modelo"},
    }


@respx.mock
def test_whatsapp_document_keeps_its_filename(wa):
    route = respx.post(WA_URL).mock(return_value=wa_ok())
    wa.send(
        whatsapp(
            type="document",
            media={
                "url": "https://files.skailan.example/q.pdf",
                "filename": "cotizacion.pdf",
                "caption": "Cotización",
            },
        )
    )
    assert body_of(route)["document"] == {
        "link": "https://files.skailan.example/q.pdf",
        "caption": "Cotización",
        "filename": "cotizacion.pdf",
    }


@respx.mock
def test_whatsapp_audio_has_no_caption_so_text_follows(wa):
    route = respx.post(WA_URL).mock(side_effect=[wa_ok("wamid.AUDIO"), wa_ok("wamid.TEXT")])
    result = wa.send(
        whatsapp(
            type="audio",
            text="Escucha esto",
            media={"url": "https://files.skailan.example/a.ogg"},
            reply_to="wamid.Q",
        )
    )
    assert [body_of(route, 0)["type"], body_of(route, 1)["type"]] == ["audio", "text"]
    assert body_of(route, 0)["audio"] == {"link": "https://files.skailan.example/a.ogg"}
    assert body_of(route, 0)["context"] == {"message_id": "wamid.Q"} and "context" not in body_of(route, 1)
    assert body_of(route, 1)["text"] == {"preview_url": False, "body": "Escucha esto"}
    assert result.provider_message_ids == ["wamid.AUDIO", "wamid.TEXT"]


@respx.mock
def test_whatsapp_template_with_header_body_and_button_parameters(wa):
    route = respx.post(WA_URL).mock(return_value=wa_ok())
    wa.send(
        whatsapp(
            type="template",
            template={
                "name": "order_shipped",
                "language": "es_MX",
                "parameters": ["Ana", "#1042"],
                "header_parameters": ["Pedido"],
                "buttons": [
                    {"index": 0, "sub_type": "url", "parameter": "1042"},
                    {"index": 1, "sub_type": "quick_reply", "parameter": "STOP_PROMOS"},
                ],
            },
        )
    )
    assert body_of(route) == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": "16505551234",
        "type": "template",
        "template": {
            "name": "order_shipped",
            "language": {"code": "es_MX"},
            "components": [
                {"type": "header", "parameters": [{"type": "text", "text": "Pedido"}]},
                {
                    "type": "body",
                    "parameters": [{"type": "text", "text": "Ana"}, {"type": "text", "text": "#1042"}],
                },
                {
                    "type": "button",
                    "sub_type": "url",
                    "index": "0",
                    "parameters": [{"type": "text", "text": "1042"}],
                },
                {
                    "type": "button",
                    "sub_type": "quick_reply",
                    "index": "1",
                    "parameters": [{"type": "payload", "payload": "STOP_PROMOS"}],
                },
            ],
        },
    }


@respx.mock
def test_whatsapp_template_without_parameters_and_with_a_media_header(wa):
    route = respx.post(WA_URL).mock(side_effect=[wa_ok(), wa_ok()])
    wa.send(whatsapp(type="template", template={"name": "hello_world", "language": "en_US"}))
    wa.send(
        whatsapp(
            type="template",
            template={
                "name": "promo",
                "language": "es",
                "header_media": {"url": "https://files.skailan.example/p.jpg"},
                "header_media_type": "image",
            },
        )
    )
    assert body_of(route, 0)["template"] == {"name": "hello_world", "language": {"code": "en_US"}}
    assert body_of(route, 1)["template"]["components"] == [
        {
            "type": "header",
            "parameters": [{"type": "image", "image": {"link": "https://files.skailan.example/p.jpg"}}],
        }
    ]


@respx.mock
def test_whatsapp_several_attachments_are_several_messages(wa):
    route = respx.post(WA_URL).mock(side_effect=[wa_ok("wamid.1"), wa_ok("wamid.2"), wa_ok("wamid.3")])
    result = wa.send(
        whatsapp(
            type="image",
            text="Catálogo",
            attachments=[{"url": f"https://files.skailan.example/{n}.jpg"} for n in range(3)],
        )
    )
    assert result.provider_message_ids == ["wamid.1", "wamid.2", "wamid.3"]
    assert [body_of(route, n)["image"].get("caption") for n in range(3)] == ["Catálogo", None, None]


@respx.mock
def test_a_failure_midway_reports_what_was_already_sent(wa):
    respx.post(WA_URL).mock(side_effect=[wa_ok("wamid.1"), graph_error(400, 131053, "Media upload error")])
    with pytest.raises(SendFailure) as caught:
        wa.send(
            whatsapp(
                type="image",
                attachments=[
                    {"url": "https://files.skailan.example/1.jpg"},
                    {"url": "https://files.skailan.example/2.exe"},
                ],
            )
        )
    assert caught.value.sent_provider_message_ids == ["wamid.1"]
    assert caught.value.permanent


@respx.mock
def test_the_base_url_is_a_parameter_for_the_local_fake_provider(client):
    route = respx.post(f"http://127.0.0.1:4010/graph/{PNID}/messages").mock(return_value=wa_ok())
    sender = WhatsAppSender(
        client,
        phone_number_id=PNID,
        access_token=TOKEN,
        base_url="http://127.0.0.1:4010/graph/",
        allow_http_media=True,
    )
    sender.send(whatsapp(type="image", media={"url": "http://127.0.0.1:4010/files/a.jpg"}))
    assert route.called


# --------------------------------------------------------------------------- WhatsApp classification

PERMANENT = [
    (
        400,
        131047,
        "Han pasado más de 24 horas desde el último mensaje del cliente; solo se pueden enviar plantillas aprobadas.",
        "More than 24 hours have passed since the customer last replied; only approved templates can be sent.",
    ),
    (400, 131026, None, None),
    (400, 131051, None, None),
    (400, 132000, None, None),
    (404, 132001, None, None),
    (400, 100, None, None),
    (401, 190, None, None),
    (403, 10, None, None),
    (400, 131048, None, None),
]


@pytest.mark.parametrize(("status", "code", "es", "en"), PERMANENT)
@respx.mock
def test_permanent_whatsapp_errors(wa, status, code, es, en):
    respx.post(WA_URL).mock(return_value=graph_error(status, code, details="details from Meta"))
    with pytest.raises(SendFailure) as caught:
        wa.send(whatsapp(type="text", text="hola"))
    failure = caught.value
    assert (failure.permanent, failure.code, failure.http_status, failure.retry_after) == (
        True,
        str(code),
        status,
        None,
    )
    assert failure.reason_es and failure.reason_en and failure.title
    assert "details from Meta" in failure.provider_message
    if es:
        assert (failure.reason_es, failure.reason_en) == (es, en)


@pytest.mark.parametrize(
    ("status", "code"),
    [(400, 130429), (400, 131056), (500, 131000), (503, 131016), (400, 4), (400, 80007), (400, 131057)],
)
@respx.mock
def test_retryable_whatsapp_errors(wa, status, code):
    respx.post(WA_URL).mock(return_value=graph_error(status, code))
    with pytest.raises(SendFailure) as caught:
        wa.send(whatsapp(type="text", text="hola"))
    assert caught.value.retryable and caught.value.code == str(code)


@respx.mock
def test_http_429_honours_retry_after(wa):
    respx.post(WA_URL).mock(return_value=httpx.Response(429, headers={"Retry-After": "30"}))
    with pytest.raises(SendFailure) as caught:
        wa.send(whatsapp(type="text", text="hola"))
    assert (caught.value.retryable, caught.value.code, caught.value.retry_after) == (True, "http_429", 30.0)


@pytest.mark.parametrize(
    ("status", "retryable"), [(500, True), (502, True), (503, True), (400, False), (404, False)]
)
@respx.mock
def test_unknown_codes_fall_back_to_the_http_status(wa, status, retryable):
    respx.post(WA_URL).mock(return_value=httpx.Response(status, text="<html>oops</html>"))
    with pytest.raises(SendFailure) as caught:
        wa.send(whatsapp(type="text", text="hola"))
    assert (caught.value.retryable, caught.value.code) == (retryable, f"http_{status}")


@respx.mock
def test_meta_transient_flag_makes_an_unknown_code_retryable(wa):
    respx.post(WA_URL).mock(return_value=graph_error(400, 999999, transient=True))
    with pytest.raises(SendFailure) as caught:
        wa.send(whatsapp(type="text", text="hola"))
    assert caught.value.retryable and caught.value.code == "999999"


@pytest.mark.parametrize(
    ("exception", "code"),
    [(httpx.ReadTimeout("slow"), "timeout"), (httpx.ConnectError("refused"), "network_error")],
)
@respx.mock
def test_transport_errors_are_retryable(wa, exception, code):
    respx.post(WA_URL).mock(side_effect=exception)
    with pytest.raises(SendFailure) as caught:
        wa.send(whatsapp(type="text", text="hola"))
    assert (caught.value.retryable, caught.value.code) == (True, code)


@respx.mock
def test_a_success_without_an_id_is_not_retried(wa):
    respx.post(WA_URL).mock(return_value=httpx.Response(200, json={"messages": []}))
    with pytest.raises(SendFailure) as caught:
        wa.send(whatsapp(type="text", text="hola"))
    assert (caught.value.permanent, caught.value.code) == (True, "invalid_response")


# --------------------------------------------------------------------------- Messenger and Instagram

PAGE = "106345948472917"


@respx.mock
def test_messenger_text_and_attachment(client):
    route = respx.post(f"{GRAPH}/{PAGE}/messages").mock(
        side_effect=[
            httpx.Response(200, json={"recipient_id": "6543210987654321", "message_id": "m_FILE"}),
            httpx.Response(200, json={"recipient_id": "6543210987654321", "message_id": "m_TEXT"}),
        ]
    )
    sender = MessengerSender(client, page_id=PAGE, access_token=TOKEN)
    result = sender.send(
        OutboundMessage(
            channel="messenger",
            to="6543210987654321",
            type="document",
            text="Aquí va",
            media={"url": "https://files.skailan.example/q.pdf", "mime_type": "application/pdf"},
        )
    )
    assert result.provider_message_ids == ["m_FILE", "m_TEXT"]
    assert route.calls[0].request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert body_of(route, 0) == {
        "recipient": {"id": "6543210987654321"},
        "messaging_type": "RESPONSE",
        "message": {
            "attachment": {
                "type": "file",
                "payload": {"url": "https://files.skailan.example/q.pdf", "is_reusable": True},
            }
        },
    }
    assert body_of(route, 1) == {
        "recipient": {"id": "6543210987654321"},
        "messaging_type": "RESPONSE",
        "message": {"text": "Aquí va"},
    }


@respx.mock
def test_instagram_text_and_its_shorter_limit(client):
    route = respx.post(f"{GRAPH}/{PAGE}/messages").mock(
        return_value=httpx.Response(200, json={"recipient_id": "1", "message_id": "aWdf"})
    )
    sender = InstagramSender(client, page_id=PAGE, access_token=TOKEN)
    assert (
        sender.send(
            OutboundMessage(channel="instagram", to="1234567890123456", type="text", text="¡Sí!")
        ).provider_message_id
        == "aWdf"
    )
    assert body_of(route)["message"] == {"text": "¡Sí!"}
    with pytest.raises(SendFailure) as caught:
        sender.send(OutboundMessage(channel="instagram", to="1", type="text", text="x" * 1001))
    assert caught.value.code == "text_too_long" and route.call_count == 1


@pytest.mark.parametrize(
    ("code", "subcode", "retryable", "expected_code"),
    [
        (10, 2018278, False, "10/2018278"),
        (551, None, False, "551"),
        (613, None, True, "613"),
        (190, None, False, "190"),
    ],
)
@respx.mock
def test_messenger_error_classification(client, code, subcode, retryable, expected_code):
    respx.post(f"{GRAPH}/{PAGE}/messages").mock(return_value=graph_error(400, code, subcode=subcode))
    with pytest.raises(SendFailure) as caught:
        MessengerSender(client, page_id=PAGE, access_token=TOKEN).send(
            OutboundMessage(channel="messenger", to="1", type="text", text="hola")
        )
    assert (caught.value.retryable, caught.value.code) == (retryable, expected_code)


@respx.mock
def test_a_caption_whatsapp_cannot_attach_follows_as_text(wa):
    route = respx.post(WA_URL).mock(side_effect=[wa_ok("wamid.A"), wa_ok("wamid.C")])
    wa.send(
        whatsapp(
            type="audio",
            attachments=[{"url": "https://files.skailan.example/a.ogg", "caption": "Nota de voz"}],
        )
    )
    assert [body_of(route, n)["type"] for n in range(2)] == ["audio", "text"]
    assert body_of(route, 1)["text"]["body"] == "Nota de voz"
