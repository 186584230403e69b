"""Agent attachments (issue 11 item 3): presigned upload with per-provider type and size
limits, the content checked against the declared type, the brand's upload sent by id (never a
client-named S3 key), and the provider receiving it as media through the normal outbound path."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import requests
import respx

from tests.integration.channels.conftest import (
    ACME_PHONE_ID,
    ACME_WABA,
    DEMO_PHONE_ID,
    drain,
    post_meta,
    purge,
    whatsapp_text,
)
from tests.integration.inbox.conftest import CONVERSATIONS, customer_writes
from tests.support import call

WA_URL = f"https://graph.facebook.com/v21.0/{DEMO_PHONE_ID}/messages"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
CURL_TYPE = {"content-type": "application/x-www-form-urlencoded"}  # what `curl --data-binary` sends


@pytest.fixture(autouse=True)
def empty_queues(demo):
    for name in ("INBOUND_QUEUE_URL", "OUTBOUND_QUEUE_URL"):
        purge(name)
    yield


def _upload(principal, conversation_id, **body):
    return call(CONVERSATIONS, "POST", f"/v1/conversations/{conversation_id}/uploads", principal=principal, body=body)


def _send(principal, conversation_id, body):
    return call(CONVERSATIONS, "POST", f"/v1/conversations/{conversation_id}/messages", principal=principal, body=body)


def _count(principal, conversation_id) -> int:
    return call(CONVERSATIONS, "GET", f"/v1/conversations/{conversation_id}", principal=principal).body["message_count"]


def test_an_uploaded_image_goes_to_whatsapp_as_media(demo):
    agent1 = demo["agent1@demo.local"]
    conversation_id = customer_writes("¿Me mandas la foto?", wa_id="573107770001", message_id="wamid.UP1")
    created = _upload(agent1, conversation_id, filename="catálogo 2027.png", content_type="image/png", size=len(PNG))
    assert created.status == 201, created.body
    upload = created.body
    assert upload["method"] == "PUT" and upload["content_type"] == "image/png"
    assert upload["max_bytes"] == 5 * 1024 * 1024 and upload["expires_in"] == 900
    assert "X-Amz-Signature" in upload["upload_url"]
    # a plain `curl --data-binary` PUT (form content type) stores every byte
    assert requests.put(upload["upload_url"], data=PNG, headers=CURL_TYPE, timeout=10).status_code == 200

    sent = _send(agent1, conversation_id, {"attachments": [{"upload_id": upload["id"], "caption": "Catálogo"}]})
    assert sent.status == 202, sent.body
    message = sent.body
    assert message["type"] == "image"
    (attachment,) = message["attachments"]
    assert attachment["upload_id"] == upload["id"] and attachment["mime_type"] == "image/png"
    assert attachment["size"] == len(PNG) and attachment["caption"] == "Catálogo"
    assert "key" not in attachment and "Signature=" in attachment["url"]  # shown by signed URL
    with respx.mock(assert_all_called=True) as mock:
        route = mock.post(WA_URL).mock(return_value=httpx.Response(
            200, json={"messaging_product": "whatsapp", "messages": [{"id": "wamid.MEDIA1"}]}))
        assert drain("workers/outbound", "OUTBOUND_QUEUE_URL") == []
    body = json.loads(route.calls.last.request.content)
    assert body["type"] == "image" and body["image"]["caption"] == "Catálogo"
    link = body["image"]["link"]
    query = parse_qs(urlsplit(link).query)
    assert query["response-content-type"] == ["image/png"]  # the provider sees the declared type
    assert "X-Amz-Signature" in query and upload["id"] in urlsplit(link).path
    # the provider can fetch exactly the bytes that were uploaded
    assert requests.get(link, timeout=10).content == PNG


def test_types_sizes_and_content_are_checked_before_anything_is_stored(demo):
    agent1 = demo["agent1@demo.local"]
    conversation_id = customer_writes("Hola", wa_id="573107770002", message_id="wamid.UP2")
    for content_type in ("application/x-msdownload", "text/html", "image/svg+xml", "application/zip",
                         "application/msword", "application/javascript"):
        refused = _upload(agent1, conversation_id, filename="x", content_type=content_type, size=10)
        assert refused.status == 422, (content_type, refused.body)
        assert refused.body["error"]["code"] == "upload_type_not_allowed"
        assert "image/png" in refused.body["error"]["details"][0]["allowed"]
    big = _upload(agent1, conversation_id, filename="foto.jpg", content_type="image/jpeg", size=6 * 1024 * 1024)
    assert big.status == 422 and big.body["error"]["code"] == "upload_too_large"
    assert big.body["error"]["details"][0]["max_bytes"] == 5 * 1024 * 1024
    # a 20 MB PDF is fine on WhatsApp (documents up to 100 MB)
    assert _upload(agent1, conversation_id, filename="a.pdf", content_type="application/pdf",
                   size=20 * 1024 * 1024).status == 201
    for body in ({}, {"filename": "a.png", "content_type": "image/png"},
                 {"filename": "a.png", "content_type": "image/png", "size": 0},
                 {"filename": "a.png", "content_type": "image/png", "size": 10, "key": "demo/x"}):
        assert _upload(agent1, conversation_id, **body).status == 422, body

    before = _count(agent1, conversation_id)
    pending = _upload(agent1, conversation_id, filename="f.pdf", content_type="application/pdf", size=100).body
    missing = _send(agent1, conversation_id, {"attachments": [{"upload_id": pending["id"]}]})
    assert missing.status == 422 and missing.body["error"]["code"] == "upload_missing"
    # an executable renamed .pdf: the first bytes are not a PDF
    requests.put(pending["upload_url"], data=b"MZ\x90\x00" + b"\x00" * 200, timeout=10)
    disguised = _send(agent1, conversation_id, {"attachments": [{"upload_id": pending["id"]}]})
    assert disguised.status == 422 and disguised.body["error"]["code"] == "upload_content_mismatch"
    assert disguised.body["error"]["details"][0]["field"] == "attachments[0].upload_id"
    # larger than declared and than the limit: refused on use
    small = _upload(agent1, conversation_id, filename="p.png", content_type="image/png", size=10).body
    requests.put(small["upload_url"], data=PNG + b"\x00" * (5 * 1024 * 1024), timeout=30)
    too_big = _send(agent1, conversation_id, {"attachments": [{"upload_id": small["id"]}]})
    assert too_big.status == 422 and too_big.body["error"]["code"] == "upload_too_large"
    # never an S3 key from the client, never both a url and an upload
    assert _send(agent1, conversation_id, {"attachments": [{"key": "demo/uploads/x/y.png"}]}).status == 422
    assert _send(agent1, conversation_id, {"attachments": [{"upload_id": small["id"],
                                                            "url": "https://example.com/a.png"}]}).status == 422
    assert _count(agent1, conversation_id) == before  # nothing half-written


def test_uploads_belong_to_their_brand_and_conversation(demo):
    agent1, acme = demo["agent1@demo.local"], demo["admin@acme.local"]
    ours = customer_writes("Hola", wa_id="573107770003", message_id="wamid.UP3")
    other = customer_writes("Hola", wa_id="573107770004", message_id="wamid.UP4")
    upload = _upload(agent1, ours, filename="a.png", content_type="image/png", size=len(PNG)).body
    requests.put(upload["upload_url"], data=PNG, timeout=10)
    # another conversation of the brand
    moved = _send(agent1, other, {"attachments": [{"upload_id": upload["id"]}]})
    assert moved.status == 422 and moved.body["error"]["code"] == "upload_other_conversation"
    # another brand: its conversation is 404 to us, our upload id is 404 to them
    assert _upload(acme, ours, filename="a.png", content_type="image/png", size=10).status == 404
    post_meta(whatsapp_text("hola acme", wa_id="525500007777", message_id="wamid.UP-ACME",
                            phone_number_id=ACME_PHONE_ID, waba=ACME_WABA))
    assert drain() == []
    acme_conversation = call(CONVERSATIONS, "GET", "/v1/conversations", principal=acme).body["items"][0]["id"]
    stolen = _send(acme, acme_conversation, {"attachments": [{"upload_id": upload["id"]}]})
    assert stolen.status == 404 and stolen.body["error"]["code"] == "upload_not_found"
    # permissions: an operator cannot upload
    assert _upload(demo["operator@demo.local"], ours, filename="a.png", content_type="image/png",
                   size=10).status == 403


def test_channel_limits_follow_the_provider(demo):
    """Telegram by URL: photos 5 MB, other files 20 MB; Twilio MMS: images, 5 MB; e-mail 7 MB."""
    from skailan.conversations import uploads

    assert uploads.check_declared("telegram", "application/pdf", 20 * 1024 * 1024) == 20 * 1024 * 1024
    assert uploads.check_declared("sms", "image/gif", 100) == 5 * 1024 * 1024
    assert uploads.check_declared("instagram", "image/png", 100) == 8 * 1024 * 1024
    assert uploads.check_declared("messenger", "video/mp4", 100) == 25 * 1024 * 1024
    assert uploads.check_declared("email", DOCX := uploads.DOCX, 100) == 7 * 1024 * 1024 and DOCX
    for channel, mime in (("sms", "application/pdf"), ("instagram", uploads.DOCX), ("telegram", "text/plain")):
        with pytest.raises(Exception) as err:
            uploads.check_declared(channel, mime, 10)
        assert getattr(err.value, "code", None) == "upload_type_not_allowed"


def test_an_uploaded_pdf_is_attached_to_an_email(demo):
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    admin = demo["admin@demo.local"]
    person = call("api/crm", "POST", "/v1/contacts", principal=admin,
                  body={"name": "Factura Cliente", "email": "factura@example.com"}).body
    started = call(CONVERSATIONS, "POST", "/v1/conversations", principal=admin,
                   body={"person_id": person["id"], "account_id": "demo-email", "text": "Le escribiremos pronto.",
                         "email": {"subject": "Su factura"}})
    assert started.status == 201, started.body
    conversation_id = started.body["id"]
    upload = _upload(admin, conversation_id, filename="factura.pdf", content_type="application/pdf",
                     size=len(PDF)).body
    requests.put(upload["upload_url"], data=PDF, headers=CURL_TYPE, timeout=10)
    sent = _send(admin, conversation_id, {"text": "Adjunto su factura.",
                                          "attachments": [{"upload_id": upload["id"]}]})
    assert sent.status == 202 and sent.body["type"] == "document"
    backend = ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"]
    before = len(backend.sent_messages)
    assert drain("workers/outbound", "OUTBOUND_QUEUE_URL") == []
    raw = [m.raw_data for m in backend.sent_messages[before:] if hasattr(m, "raw_data")]
    attached = [r for r in raw if 'filename="factura.pdf"' in r]
    assert len(attached) == 1 and "application/pdf" in attached[0]
