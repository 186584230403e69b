"""E-mail through SES + SNS (signature verified, threaded by Message-ID) and the web-chat widget API."""

from __future__ import annotations

import base64
import json

import httpx
import pytest
import respx

from infra.local.fake_providers import PNG, SnsSigner, compose_mime, ses_received_notification
from tests.integration.channels.conftest import drain, http_request, invoke_http, purge, queued
from tests.integration.inbox.conftest import customer_writes
from tests.support import OutboxWatch, call

API = "api/conversations"
CERT_URL = "http://127.0.0.1:9/sns/cert.pem"
ORIGIN = "http://127.0.0.1:3000"


@pytest.fixture(autouse=True)
def empty_queues(demo):
    for name in ("INBOUND_QUEUE_URL", "OUTBOUND_QUEUE_URL"):
        purge(name)
    yield


@pytest.fixture(scope="module")
def signer() -> SnsSigner:
    return SnsSigner()


@pytest.fixture
def local_sns(signer, monkeypatch):
    """stage=local trusts the fake SNS certificate (and only stage=local does)."""
    from skailan.conversations.ingest import webhooks as ingress
    from skailan.platform.settings import get_settings

    monkeypatch.setenv("LOCAL_SNS_CERTIFICATE_URL", CERT_URL)
    get_settings.cache_clear()
    ingress.reset_certificates()
    with respx.mock(assert_all_called=False) as mock:
        mock.get(CERT_URL).mock(return_value=httpx.Response(200, content=signer.certificate_pem))
        yield signer
    get_settings.cache_clear()
    ingress.reset_certificates()


def _mail(signer: SnsSigner, *, sender: str, to: str, subject: str, text: str, message_id: str,
          in_reply_to: str | None = None, topic: str | None = None, tamper: bool = False,
          cc: list[str] | None = None):
    from skailan.platform.aws import client
    from skailan.platform.settings import get_settings

    settings = get_settings()
    key = f"inbound/{message_id.split('@')[0]}"
    client("s3").put_object(Bucket=settings.inbound_mail_bucket, Key=key, Body=compose_mime(
        sender=sender, to=to, subject=subject, text=text, message_id=message_id, in_reply_to=in_reply_to, cc=cc))
    notification = ses_received_notification(message_id=message_id.split("@")[0], recipients=[to], sender=sender,
                                             bucket=settings.inbound_mail_bucket, key=key, subject=subject)
    envelope = signer.notification(topic or settings.inbound_mail_topic_arn, json.dumps(notification))
    if tamper:
        envelope["Message"] = envelope["Message"].replace(to, "otro@demo.local")
    return invoke_http("webhooks/ses", http_request("POST", "/webhooks/ses", body=json.dumps(envelope).encode(),
                                                    headers={"content-type": "text/plain; charset=UTF-8"}))


def test_sns_signature_and_topic_are_verified(demo, local_sns):
    assert _mail(local_sns, sender="a@example.com", to="soporte@demo.local", subject="x", text="x",
                 message_id="t1@example.com", tamper=True).status == 403
    assert _mail(local_sns, sender="a@example.com", to="soporte@demo.local", subject="x", text="x",
                 message_id="t2@example.com", topic="arn:aws:sns:us-east-1:123456789012:someone-else").status == 403
    assert queued() == []


def test_outside_stage_local_the_local_certificate_is_not_trusted(demo, local_sns, monkeypatch):
    from skailan.conversations.ingest import webhooks as ingress
    from skailan.platform.settings import get_settings

    monkeypatch.setenv("STAGE", "dev")
    get_settings.cache_clear()
    ingress.reset_certificates()
    # the production fetcher only reaches sns.<region>.amazonaws.com over https, through the SSRF guard
    reply = _mail(local_sns, sender="a@example.com", to="soporte@demo.local", subject="x", text="x",
                  message_id="t3@example.com")
    assert reply.status in (403, 503)
    assert queued() == []


def test_an_email_becomes_a_conversation_the_reply_threads_and_the_answer_joins_it(demo, local_sns):
    from infra.local.seed import local_mail

    admin = demo["admin@demo.local"]
    reply = _mail(local_sns, sender="Cliente Uno <cliente@example.com>", to="soporte@demo.local",
                  subject="Pedido 1042", text="¿Dónde está mi pedido?", message_id="pedido1042@example.com")
    assert reply.status == 200 and reply.body == {"type": "notification", "queued": 1, "dropped": 0}
    assert drain() == []
    conversation = next(c for c in call(API, "GET", "/v1/conversations", principal=admin).body["items"]
                        if c["channel"] == "email")
    assert conversation["subject"] == "Pedido 1042" and conversation["contact"]["email"] == "cliente@example.com"
    # the agent answers: SES gets a raw e-mail that threads
    sent = call(API, "POST", f"/v1/conversations/{conversation['id']}/messages", principal=admin,
                body={"text": "Sale mañana."})
    assert sent.status == 202, sent.body
    before = len(local_mail())
    assert drain("workers/outbound", "OUTBOUND_QUEUE_URL") == []
    mail = local_mail()[before:]
    assert len(mail) == 1 and mail[0]["in_reply_to"] == "pedido1042@example.com"
    assert mail[0]["subject"] == "Re: Pedido 1042" and mail[0]["source"] == "soporte@demo.local"
    ours = mail[0]["message_id"]
    messages = call(API, "GET", f"/v1/conversations/{conversation['id']}/messages", principal=admin).body["items"]
    assert messages[0]["provider_message_id"] == ours and messages[0]["status"] == "sent"
    # a colleague answers our e-mail: threaded into the same conversation by In-Reply-To
    assert _mail(local_sns, sender="colega@example.com", to="soporte@demo.local", subject="Re: Pedido 1042",
                 text="Gracias", message_id="gracias@example.com", in_reply_to=ours).status == 200
    assert drain() == []
    again = call(API, "GET", f"/v1/conversations/{conversation['id']}", principal=admin).body
    assert again["message_count"] == 3 and again["last_message"]["text"].startswith("Gracias")


def test_copies_cc_inbound_shown_reply_all_sent_with_the_cc_header_and_refused_when_wrong(demo, local_sns):
    from infra.local.seed import local_mail

    admin, acme = demo["admin@demo.local"], demo["admin@acme.local"]
    assert _mail(local_sns, sender="Compras <compras@cliente.example>", to="soporte@demo.local",
                 cc=["Jefa <jefa@cliente.example>", "soporte@demo.local"], subject="Cotización 9",
                 text="¿Precio?", message_id="cot9@cliente.example").status == 200
    assert drain() == []
    conversation = next(c for c in call(API, "GET", "/v1/conversations", principal=admin).body["items"]
                        if c["subject"] == "Cotización 9")
    cid = conversation["id"]
    # the inbound CC is on the message; the conversation names the brand's mailbox (reply-all leaves it out)
    (inbound,) = call(API, "GET", f"/v1/conversations/{cid}/messages", principal=admin).body["items"]
    assert [c["address"] for c in inbound["details"]["email"]["cc"]] == ["jefa@cliente.example", "soporte@demo.local"]
    assert call(API, "GET", f"/v1/conversations/{cid}", principal=admin).body["mailbox"] == "soporte@demo.local"

    def reply(body, principal=admin, conversation_id=cid):
        return call(API, "POST", f"/v1/conversations/{conversation_id}/messages", principal=principal, body=body)

    # bad input: nothing stored, nothing queued
    for cc in (["no-es-correo"], ["a@x.co", "A@x.co"], [f"p{i}@x.co" for i in range(21)], [None], "a@x.co", [""]):
        refused = reply({"text": "x", "email": {"cc": cc}})
        assert refused.status == 422, (cc, refused.body)
        assert refused.body["error"]["code"] == "validation_error" and " / " in refused.body["error"]["message"]
        assert any(d.get("field", "").startswith("email.cc") for d in refused.body["error"]["details"]), refused.body
    suppressed = call("api/campaigns", "POST", "/v1/suppressions", principal=admin,
                      body={"channel": "email", "address": "rebote@cliente.example"})
    assert suppressed.status == 201, suppressed.body
    refused = reply({"text": "x", "email": {"cc": ["Rebote@Cliente.example", "jefa@cliente.example"]}})
    assert refused.status == 422 and refused.body["error"]["code"] == "cc_suppressed"
    assert refused.body["error"]["details"] == [{"field": "email.cc", "error": "suppressed",
                                                 "address": "rebote@cliente.example"}]
    # another brand's conversation id: 404; a CC on another channel: 422
    assert reply({"text": "x", "email": {"cc": ["jefa@cliente.example"]}}, principal=acme).status == 404
    other = customer_writes("hola", wa_id="573009990011", message_id="wamid.cc-not-mail", run_inbox=False)
    not_mail = reply({"text": "x", "email": {"cc": ["jefa@cliente.example"]}}, conversation_id=other)
    assert not_mail.status == 422 and not_mail.body["error"]["code"] == "cc_not_supported"
    assert queued("OUTBOUND_QUEUE_URL") == []
    assert len(call(API, "GET", f"/v1/conversations/{cid}/messages", principal=admin).body["items"]) == 1
    # reply-all: the customer's and the mailbox's own addresses are dropped, the rest copied
    sent = reply({"text": "Son 100 €.", "email": {"cc": ["jefa@cliente.example", "soporte@demo.local",
                                                          "compras@cliente.example", "conta@cliente.example"]}})
    assert sent.status == 202, sent.body
    assert sent.body["details"]["email"]["cc"] == [{"address": "jefa@cliente.example"},
                                                   {"address": "conta@cliente.example"}]
    before = len(local_mail())
    assert drain("workers/outbound", "OUTBOUND_QUEUE_URL") == []
    (mail,) = local_mail()[before:]
    assert mail["cc"] == ["jefa@cliente.example", "conta@cliente.example"]
    # SendRawEmail's Destinations (moto appends the headers' addresses after them)
    assert mail["to"][:3] == ["compras@cliente.example", "jefa@cliente.example", "conta@cliente.example"]
    stored = call(API, "GET", f"/v1/conversations/{cid}/messages", principal=admin).body["items"][0]
    assert stored["status"] == "sent" and stored["details"]["email"]["cc"] == sent.body["details"]["email"]["cc"]


def test_an_email_to_an_address_nobody_owns_is_dropped(demo, local_sns):
    reply = _mail(local_sns, sender="a@example.com", to="nadie@demo.local", subject="x", text="x",
                  message_id="nadie1@example.com")
    assert reply.status == 200 and reply.body["dropped"] == 1
    assert queued() == []


# ---------------------------------------------------------------- web chat


def _widget(method: str, path: str, *, body=None, origin: str | None = ORIGIN, token: str | None = None, query=None):
    headers = {"content-type": "application/json"}
    if origin:
        headers["origin"] = origin
    if token:
        headers["authorization"] = f"Bearer {token}"
    event = http_request(method, f"/public/webchat/widgets/demo-widget{path}", headers=headers, query=query,
                         body=json.dumps(body).encode() if body is not None else None)
    return invoke_http("api/webchat", event)


def test_widget_cors_is_limited_to_the_brands_origins(demo):
    ok = _widget("GET", "")
    assert ok.status == 200 and ok.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert ok.body["prechat_fields"] == ["name", "email"] and "demo-widget" in ok.body["snippet"]
    foreign = _widget("GET", "", origin="https://evil.example")
    assert foreign.status == 403 and "Access-Control-Allow-Origin" not in foreign.headers
    preflight = invoke_http("api/webchat", http_request("OPTIONS", "/public/webchat/widgets/demo-widget/messages",
                            headers={"origin": ORIGIN, "access-control-request-method": "POST"}))
    assert preflight.status == 204 and preflight.headers["Access-Control-Allow-Origin"] == ORIGIN
    refused = invoke_http("api/webchat", http_request("OPTIONS", "/public/webchat/widgets/demo-widget/messages",
                          headers={"origin": "https://evil.example", "access-control-request-method": "POST"}))
    assert refused.status == 403 and "Access-Control-Allow-Origin" not in refused.headers
    assert _widget("GET", "", origin=None).status == 200  # no browser, no CORS
    unknown = invoke_http("api/webchat", http_request("GET", "/public/webchat/widgets/nope",
                                                      headers={"origin": ORIGIN}))
    assert unknown.status == 404


def test_a_visitor_chats_through_the_widget_and_gets_the_reply(demo):
    from skailan.platform.settings import get_settings

    admin = demo["admin@demo.local"]
    missing = _widget("POST", "/sessions", body={"name": "Valeria"})
    assert missing.status == 422 and missing.body["error"]["details"][0]["field"] == "email"
    session = _widget("POST", "/sessions", body={"name": "Valeria Gómez", "email": "valeria@example.com"})
    assert session.status == 201, session.body
    token = session.body["token"]
    assert _widget("POST", "/messages", body={"text": "hola"}, token="ws1.nope").status == 401
    assert _widget("POST", "/messages", body={"text": "hola"}).status == 401
    sent = _widget("POST", "/messages", body={"text": "Hola, ¿me ayudan?", "client_message_id": "c1"}, token=token)
    assert sent.status == 202 and sent.headers["Access-Control-Allow-Origin"] == ORIGIN
    upload = _widget("POST", "/attachments", token=token, body={"filename": "foto.png", "content_type": "image/png",
                                                               "data": base64.b64encode(PNG).decode()})
    assert upload.status == 201, upload.body
    assert _widget("POST", "/messages", token=token, body={"attachment": {
        "id": upload.body["id"], "mime_type": "image/png", "filename": "foto.png"}}).status == 202
    assert drain() == []
    conversation = next(c for c in call(API, "GET", "/v1/conversations", principal=admin).body["items"]
                        if c["channel"] == "webchat")
    assert conversation["id"] == sent.body["conversation_id"]
    assert conversation["contact"]["name"] == "Valeria Gómez" and conversation["message_count"] == 2
    messages = call(API, "GET", f"/v1/conversations/{conversation['id']}/messages", principal=admin).body["items"]
    assert messages[0]["type"] == "image" and messages[0]["media"]["url"]
    # the agent answers; the widget's poll gets it and it becomes delivered
    assert call(API, "POST", f"/v1/conversations/{conversation['id']}/messages", principal=admin,
                body={"text": "¡Claro, Valeria!"}).status == 202
    assert drain("workers/outbound", "OUTBOUND_QUEUE_URL") == []
    watch = OutboxWatch(get_settings().conversations_table)
    polled = _widget("GET", "/messages", token=token)
    assert polled.status == 200
    texts = [(m["direction"], m["text"]) for m in polled.body["items"]]
    assert texts[0] == ("in", "Hola, ¿me ayudan?") and texts[-1] == ("out", "¡Claro, Valeria!")
    later = _widget("GET", "/messages", token=token, query={"after": polled.body["after"]})
    assert later.body["items"] == []
    messages = call(API, "GET", f"/v1/conversations/{conversation['id']}/messages", principal=admin).body["items"]
    assert messages[0]["direction"] == "out" and messages[0]["status"] == "delivered"
    # the delivery writes its event, as a provider's receipt does: once, whatever the polls
    delivered = [e for e in watch.events() if e.type == "message.status_changed"]
    assert [(e.entity_id, e.data["message_id"], e.data["status"]) for e in delivered] == [
        (conversation["id"], messages[0]["id"], "delivered")]
    watch.mark()
    again = _widget("GET", "/messages", token=token)
    assert again.status == 200 and again.body["items"][-1]["status"] == "delivered"
    assert watch.events() == []
    # a reply not sent yet when the widget polls is not skipped: the cursor stays before it
    assert call(API, "POST", f"/v1/conversations/{conversation['id']}/messages", principal=admin,
                body={"text": "¿Algo más?"}).status == 202
    pending = _widget("GET", "/messages", token=token, query={"after": polled.body["after"]})
    assert pending.body["items"] == [] and pending.body["after"] == polled.body["after"]
    assert drain("workers/outbound", "OUTBOUND_QUEUE_URL") == []
    sent_now = _widget("GET", "/messages", token=token, query={"after": pending.body["after"]})
    assert [(m["text"], m["status"]) for m in sent_now.body["items"]] == [("¿Algo más?", "delivered")]


def test_email_attachments_are_stored_and_served_by_signed_url(demo, local_sns):
    from email.message import EmailMessage

    from skailan.platform.aws import client
    from skailan.platform.settings import get_settings

    mime = EmailMessage()
    mime["From"], mime["To"], mime["Subject"] = "adjunto@example.com", "soporte@demo.local", "Factura"
    mime["Message-ID"] = "<adjunto1@example.com>"
    mime.set_content("Va la factura")
    mime.add_alternative("<p>Va la <b>factura</b></p>", subtype="html")
    mime.add_attachment(b"%PDF-1.4 fake", maintype="application", subtype="pdf", filename="factura.pdf")
    settings = get_settings()
    client("s3").put_object(Bucket=settings.inbound_mail_bucket, Key="inbound/adjunto1", Body=mime.as_bytes())
    notification = ses_received_notification(message_id="adjunto1", recipients=["soporte@demo.local"],
                                             sender="adjunto@example.com", bucket=settings.inbound_mail_bucket,
                                             key="inbound/adjunto1", subject="Factura")
    envelope = local_sns.notification(settings.inbound_mail_topic_arn, json.dumps(notification))
    assert invoke_http("webhooks/ses", http_request("POST", "/webhooks/ses",
                                                    body=json.dumps(envelope).encode())).status == 200
    assert drain() == []
    admin = demo["admin@demo.local"]
    conversation = next(c for c in call(API, "GET", "/v1/conversations", principal=admin).body["items"]
                        if c["contact"].get("email") == "adjunto@example.com")
    (message,) = call(API, "GET", f"/v1/conversations/{conversation['id']}/messages", principal=admin).body["items"]
    assert message["text"].startswith("Va la factura")
    assert message["details"]["email"]["html"].startswith("<p>")
    (attachment,) = message["attachments"]
    assert attachment["filename"] == "factura.pdf" and attachment["mime_type"] == "application/pdf"
    assert attachment["url"].startswith("https://")
