"""E-mail campaigns through the real handlers on moto SES: each recipient e-mailed once (even with a
redelivered SQS message), the RFC 8058 headers and the tracked links in the raw MIME, signed
click / open / unsubscribe tokens (forged → 404), one-click unsubscribe suppressing the address for
the next campaign with the consent change on the timeline, SES events (delivery, hard bounce,
complaint, open, click) through the signed SNS webhook, SES throttling retried, the sending rate."""

from __future__ import annotations

import json
import re
import uuid
from email import message_from_bytes, policy
from typing import Any

import httpx
import pytest
import respx

from infra.local.fake_providers import SnsSigner, ses_event_record
from tests.integration.campaigns.test_campaigns_api import _drain_sends, _list, _person
from tests.support import call

API = "api/campaigns"
CRM = "api/crm"
INBOX = "api/inbox"
CERT_URL = "http://127.0.0.1:9/sns/cert.pem"
SOURCE = "soporte@demo.local"


@pytest.fixture(autouse=True)
def fast_rate(monkeypatch):
    """moto's quota is 1 message/s: the pacing has its own test; here it does not wait."""
    from skailan.campaigns import mail
    from skailan.platform import clock

    clock.reset()
    monkeypatch.setattr(mail, "max_rate", lambda: 1000.0)
    yield
    clock.reset()


def _sent_raw() -> list[Any]:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    return [(m.id, message_from_bytes(m.raw_data.encode(), policy=policy.default))
            for m in ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages if hasattr(m, "raw_data")]


def _email_campaign(admin: Any, audience: dict[str, Any], tag: str, **content: Any) -> str:
    body = {"subject": "Hola {{contact.first_name|amigo}}, novedades de {{brand.name}} " + tag,
            "html": '<html><body><p>Hola {{contact.first_name}}</p><a href="https://demo.example/oferta?a=1&b=2">'
                    'Ver oferta</a> <a href="https://demo.example/otra">Otra</a></body></html>',
            "from_name": "Ofertas Demo", "reply_to": "ventas@demo.local", **content}
    reply = call(API, "POST", "/v1/campaigns", principal=admin,
                 body={"name": f"Correo {tag}", "channel": "email", "account_id": "demo-email",
                       "audience": audience, "content": body})
    assert reply.status == 201, reply.body
    return reply.body["id"]


def _run(admin: Any, campaign_id: str) -> dict[str, Any]:
    from skailan.campaigns import sending

    assert call(API, "POST", f"/v1/campaigns/{campaign_id}/send", principal=admin).status == 202
    sending.fan_out("demo", campaign_id)
    assert _drain_sends() == []
    return call(API, "GET", f"/v1/campaigns/{campaign_id}", principal=admin).body


def _one_click(token: str, *, multipart: bool = False) -> Any:
    """What a mail client sends for `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058:
    multipart/form-data, or a urlencoded form)."""
    from tests.support import http_event, invoke

    if multipart:
        body = ('--b1\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n'
                "--b1--\r\n")
        content_type = "multipart/form-data; boundary=b1"
    else:
        body, content_type = "List-Unsubscribe=One-Click", "application/x-www-form-urlencoded"
    event = http_event("POST", f"/public/campaigns/u/{token}", body=body)
    event["headers"]["content-type"] = content_type
    return invoke(API, event)


def _token(url: str) -> str:
    return url.rsplit("/", 1)[-1]


def test_email_campaign_goes_out_once_with_unsubscribe_headers_and_tracked_links(demo):
    from skailan.campaigns import sending

    admin = demo["admin@demo.local"]
    tag = uuid.uuid4().hex[:8]
    people = [_person(admin, f"Ana{i} Correo") for i in range(3)]
    no_email = _person(admin, "Sin Correo", phone="+573009990001", email=False)
    campaign_id = _email_campaign(admin, {"kind": "list", "id": _list(admin, [*people, no_email])}, tag)
    before = len(_sent_raw())
    assert call(API, "POST", f"/v1/campaigns/{campaign_id}/send", principal=admin).status == 202
    assert sending.fan_out("demo", campaign_id) == {"recipients": 4, "queued": 3, "skipped": 1}

    # a redelivered SQS message for a recipient: the same body twice in the queue
    from skailan.platform.aws import client
    from skailan.platform.settings import get_settings

    client("sqs").send_message(QueueUrl=get_settings().campaign_send_queue_url,
                               MessageBody=json.dumps({"t": "demo", "c": campaign_id, "p": people[0]}))
    assert _drain_sends() == []
    sent = _sent_raw()[before:]
    assert len(sent) == 3  # once each, the duplicate found the recipient already sent
    done = call(API, "GET", f"/v1/campaigns/{campaign_id}", principal=admin).body
    assert done["status"] == "completed"
    assert (done["stats"]["sent"], done["stats"]["skipped"], done["stats"]["skipped_reasons"]) == (
        3, 1, {"no_email": 1})
    recipients = {r["person_id"]: r for r in call(API, "GET", f"/v1/campaigns/{campaign_id}/recipients",
                                                  principal=admin, query={"status": "sent"}).body["items"]}
    assert sorted(recipients) == sorted(people)
    # SES's MessageId is the recipient's provider id
    assert {r["provider_message_id"] for r in recipients.values()} == {ses_id for ses_id, _m in sent}

    ses_id, message = next((i, m) for i, m in sent if "Ana0" in str(m["Subject"]))
    subject = str(message["Subject"])
    assert subject.startswith("Hola Ana0, novedades de ") and subject.endswith(tag) and "{{" not in subject
    assert "Ofertas Demo" in str(message["From"]) and SOURCE in str(message["From"])
    assert str(message["Reply-To"]) == "ventas@demo.local"
    assert str(message["List-Unsubscribe-Post"]) == "List-Unsubscribe=One-Click"
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    raw = next(m.raw_data for m in ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages if m.id == ses_id)
    # the header as mail clients read it: plain URLs, not RFC 2047 encoded words
    assert re.search(r"^List-Unsubscribe: <https://[^>]+/public/campaigns/u/[^>]+>, <mailto:", raw, re.MULTILINE)
    assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n" in raw
    unsubscribe_header = str(message["List-Unsubscribe"])
    https_url, mailto = re.findall(r"<([^>]+)>", unsubscribe_header)
    assert "/public/campaigns/u/" in https_url and https_url.startswith("https://")
    assert mailto.startswith(f"mailto:{SOURCE}?subject=")
    html = message.get_body(preferencelist=("html",)).get_content()
    plain = message.get_body(preferencelist=("plain",)).get_content()
    assert "Hola Ana0" in html and "https://demo.example/oferta" not in html  # links go through the click route
    clicks = re.findall(r'href="([^"]+/public/campaigns/c/[^"]+)"', html)
    assert len(clicks) == 2 and _token(https_url) in html  # the footer's unsubscribe link
    assert "/public/campaigns/o/" in html  # the open pixel
    assert "/public/campaigns/c/" in plain and "Unsubscribe" in plain and "demo.example" not in plain

    # the click: 302 to the stored URL (unescaped), counted once; the open pixel once
    for _ in range(2):
        reply = call(API, "GET", f"/public/campaigns/c/{_token(clicks[0])}")
        assert reply.status == 302 and reply.headers["Location"] == "https://demo.example/oferta?a=1&b=2"
    pixel = re.search(r'src="([^"]+/public/campaigns/o/[^"]+)"', html)
    assert pixel is not None
    for _ in range(2):
        opened = call(API, "GET", f"/public/campaigns/o/{_token(pixel.group(1))}")
        assert opened.status == 200 and opened.headers["Content-Type"] == "image/gif"
    stats = call(API, "GET", f"/v1/campaigns/{campaign_id}", principal=admin).body["stats"]
    assert (stats["clicked"], stats["opened"]) == (1, 1)

    # forged tokens: 404, nothing counted
    from skailan.campaigns import tokens

    click_token = _token(clicks[0])
    payload, _, mac = click_token.partition(".")
    forged = [payload + "." + ("A" if mac[0] != "A" else "B") + mac[1:], payload, "x.y", "%%%",
              tokens.sign("o", "demo", campaign_id, people[0]),  # an open token on the click route
              tokens.sign("c", "acme", campaign_id, people[0], 0)]  # another brand
    for bad in forged:
        assert call(API, "GET", f"/public/campaigns/c/{bad}").status == 404, bad
        assert _one_click(bad).status == 404, bad
    assert call(API, "GET", f"/public/campaigns/o/{click_token}").status == 404
    stats = call(API, "GET", f"/v1/campaigns/{campaign_id}", principal=admin).body["stats"]
    assert (stats["clicked"], stats["opened"], stats["unsubscribed"]) == (1, 1, 0)
    assert ses_id


def test_one_click_unsubscribe_suppresses_and_the_next_campaign_skips_them(demo):
    admin, other = demo["admin@demo.local"], demo["admin@acme.local"]
    tag = uuid.uuid4().hex[:8]
    people = [_person(admin, f"Beto{i} Baja") for i in range(2)]
    audience = {"kind": "list", "id": _list(admin, people)}
    before = len(_sent_raw())
    first = _run(admin, _email_campaign(admin, audience, tag))
    assert first["stats"]["sent"] == 2
    leaving = next(m for _i, m in _sent_raw()[before:] if "Beto0" in m.get_body(preferencelist=("html",)).get_content())
    url = re.findall(r"<([^>]+)>", str(leaving["List-Unsubscribe"]))[0]
    token = _token(url)

    page = call(API, "GET", f"/public/campaigns/u/{token}")
    assert page.status == 200 and "Darte de baja" in page.body and "Unsubscribe" in page.body
    assert call(API, "GET", "/v1/suppressions", principal=admin, query={"channel": "email"}).status == 200
    person = call(CRM, "GET", f"/v1/contacts/{people[0]}", principal=admin).body
    address = person["email"]
    listed = {s["address"] for s in call(API, "GET", "/v1/suppressions", principal=admin,
                                        query={"channel": "email", "limit": 100}).body["items"]}
    assert address not in listed  # GET only shows the page

    for multipart in (True, False):  # one-click POST, twice (both encodings): counted once
        done = _one_click(token, multipart=multipart)
        assert done.status == 200 and "Listo" in done.body
    suppressions = {s["address"]: s for s in call(API, "GET", "/v1/suppressions", principal=admin,
                                                 query={"channel": "email", "limit": 100}).body["items"]}
    assert suppressions[address]["reason"] == "unsubscribe" and suppressions[address]["person_id"] == people[0]
    assert address not in {s["address"] for s in call(API, "GET", "/v1/suppressions", principal=other,
                                                     query={"channel": "email", "limit": 100}).body["items"]}
    assert call(API, "GET", f"/v1/campaigns/{first['id']}", principal=admin).body["stats"]["unsubscribed"] == 1

    # the consent change on the person's timeline (consent.changed → the fan-out worker)
    from skailan.campaigns.optout import on_consent_changed
    from skailan.platform.events import build_event

    event = build_event("skailan.campaigns", "demo", "consent.changed", caller=None, entity_type="contact",
                        entity_id=people[0], data={"channel": "email", "address": address, "person_id": people[0],
                                                   "suppressed": True, "reason": "unsubscribe"})
    assert on_consent_changed(event) == {"timeline": True}
    assert on_consent_changed(event) == {"timeline": True}  # a redelivery rewrites the same entry
    timeline = call(CRM, "GET", f"/v1/contacts/{people[0]}/timeline", principal=admin).body["items"]
    consent = [e for e in timeline if e["kind"] == "consent"]
    assert len(consent) == 1 and "Unsubscribed from e-mails" in consent[0]["summary"]

    # the next campaign to the same list skips the unsubscribed address
    before = len(_sent_raw())
    second = _run(admin, _email_campaign(admin, audience, tag + "b"))
    assert second["stats"]["sent"] == 1 and second["stats"]["skipped_reasons"] == {"suppressed": 1}
    assert [m["To"] for _i, m in _sent_raw()[before:]] != [] and all(
        address not in str(m["To"]) for _i, m in _sent_raw()[before:])


@pytest.fixture
def local_sns(monkeypatch):
    from skailan.conversations.ingest import webhooks as ingress
    from skailan.platform.settings import get_settings

    signer = SnsSigner()
    monkeypatch.setenv("LOCAL_SNS_CERTIFICATE_URL", CERT_URL)
    get_settings.cache_clear()
    ingress.reset_certificates()
    with respx.mock(assert_all_called=False) as mock:
        mock.get(CERT_URL).mock(return_value=httpx.Response(200, content=signer.certificate_pem))
        yield signer
    get_settings.cache_clear()
    ingress.reset_certificates()


def _post_event(signer: SnsSigner, record: dict[str, Any]) -> Any:
    from skailan.platform.settings import get_settings
    from tests.integration.channels.conftest import http_request, invoke_http

    envelope = signer.notification(get_settings().email_events_topic_arn, json.dumps(record))
    return invoke_http("webhooks/ses", http_request("POST", "/webhooks/ses", body=json.dumps(envelope).encode(),
                                                    headers={"content-type": "text/plain; charset=UTF-8"}))


def test_ses_events_move_recipients_forward_and_suppress_bounces_and_complaints(demo, local_sns):
    admin = demo["admin@demo.local"]
    tag = uuid.uuid4().hex[:8]
    people = [_person(admin, f"Caro{i} Eventos") for i in range(3)]
    campaign = _run(admin, _email_campaign(admin, {"kind": "people", "person_ids": people}, tag))
    campaign_id = campaign["id"]
    by_person = {r["person_id"]: r for r in call(API, "GET", f"/v1/campaigns/{campaign_id}/recipients",
                                                 principal=admin).body["items"]}
    tags = {"skailan_tenant": "demo", "skailan_campaign": campaign_id}

    def event(kind: str, person: str, **extra: Any) -> None:
        r = by_person[person]
        record = ses_event_record(kind, message_id=r["provider_message_id"], source=f"Ofertas <{SOURCE}>",
                                  to=r["address"], tags=tags, **extra)
        reply = _post_event(local_sns, record)
        assert reply.status == 200, reply.body

    delivered, bounced, complained = people
    for _ in range(2):  # duplicates count once
        event("Delivery", delivered)
        event("Open", delivered)
        event("Click", delivered, link="https://demo.example/otra")
        event("Bounce", bounced, bounce_type="Transient")  # SES keeps trying: nothing failed
    event("Delivery", complained)
    event("Bounce", bounced)
    event("Bounce", bounced)
    event("Complaint", complained)
    event("Delivery", bounced)  # a late, stale delivery: statuses only move forward
    stats = call(API, "GET", f"/v1/campaigns/{campaign_id}", principal=admin).body["stats"]
    assert {k: stats[k] for k in ("sent", "delivered", "opened", "clicked", "bounced", "complained", "failed")} == {
        "sent": 3, "delivered": 2, "opened": 1, "clicked": 1, "bounced": 1, "complained": 1, "failed": 1}
    statuses = {r["person_id"]: r for r in call(API, "GET", f"/v1/campaigns/{campaign_id}/recipients",
                                                principal=admin).body["items"]}
    assert statuses[delivered]["status"] == "delivered" and statuses[delivered]["times"]["opened"]
    assert statuses[bounced]["status"] == "failed" and statuses[bounced]["reason"] == "hard_bounce"
    assert statuses[complained]["status"] == "delivered" and statuses[complained]["times"]["complained"]
    suppressed = {s["address"]: s["reason"] for s in call(API, "GET", "/v1/suppressions", principal=admin,
                                                         query={"channel": "email", "limit": 100}).body["items"]}
    assert suppressed[by_person[bounced]["address"]] == "hard_bounce"
    assert suppressed[by_person[complained]["address"]] == "complaint"
    assert by_person[delivered]["address"] not in suppressed

    # tags naming another brand or campaign: the message is not found there, nothing moves
    record = ses_event_record("Bounce", message_id=by_person[delivered]["provider_message_id"], source=SOURCE,
                              to=by_person[delivered]["address"],
                              tags={"skailan_tenant": "acme", "skailan_campaign": campaign_id})
    assert _post_event(local_sns, record).body["dropped"] == 1
    assert call(API, "GET", f"/v1/campaigns/{campaign_id}", principal=admin).body["stats"]["bounced"] == 1
    # an unsigned (forged) notification is refused before anything is read
    forged = local_sns.notification("arn:aws:sns:us-east-1:123456789012:x", json.dumps(record))
    forged["Message"] = forged["Message"].replace("acme", "demo")
    from tests.integration.channels.conftest import http_request, invoke_http

    refused = invoke_http("webhooks/ses", http_request("POST", "/webhooks/ses", body=json.dumps(forged).encode(),
                                                       headers={"content-type": "text/plain; charset=UTF-8"}))
    assert refused.status in (401, 403)
    assert call(API, "GET", f"/v1/campaigns/{campaign_id}", principal=admin).body["stats"]["bounced"] == 1


def test_ses_throttling_is_retried_and_rejections_fail_with_a_reason(demo, monkeypatch):
    from botocore.exceptions import ClientError

    from skailan.campaigns import mail, sending

    admin = demo["admin@demo.local"]
    people = [_person(admin, f"Dani{i} Lento") for i in range(2)]
    campaign_id = _email_campaign(admin, {"kind": "people", "person_ids": people}, uuid.uuid4().hex[:8])
    assert call(API, "POST", f"/v1/campaigns/{campaign_id}/send", principal=admin).status == 202
    sending.fan_out("demo", campaign_id)

    from skailan.platform.aws import client

    ses = client("sesv2")
    real = ses.send_email
    answers = ["TooManyRequestsException"] * 4 + ["MessageRejected"]  # 3 throttled tries, then SQS; one rejected
    waits: list[float] = []

    def flaky(**params: Any) -> Any:
        if answers:
            code = answers.pop(0)
            raise ClientError({"Error": {"Code": code, "Message": "Maximum sending rate exceeded."
                                         if code.startswith("TooMany") else "Email address is not verified."},
                               "ResponseMetadata": {"HTTPStatusCode": 400}}, "SendEmail")
        return real(**params)

    monkeypatch.setattr(ses, "send_email", flaky)
    monkeypatch.setattr(mail, "_sleep", waits.append)
    before = len(_sent_raw())
    failed = _drain_sends()
    assert len(failed) == 1 and waits == [0.25, 0.5, 0.25]  # backoff in-process, then the queue's
    done = call(API, "GET", f"/v1/campaigns/{campaign_id}", principal=admin).body
    assert done["status"] == "completed" and (done["stats"]["sent"], done["stats"]["failed"]) == (1, 1)
    assert len(_sent_raw()) - before == 1
    (rejected,) = call(API, "GET", f"/v1/campaigns/{campaign_id}/recipients", principal=admin,
                       query={"status": "failed"}).body["items"]
    assert rejected["reason"] == "ses_MessageRejected"


def test_the_ses_rate_is_shared_and_never_exceeded(demo, monkeypatch):
    from skailan.campaigns import mail, store
    from skailan.platform import clock

    monkeypatch.setattr(mail, "max_rate", lambda: 2.0)
    waited: list[float] = []
    monkeypatch.setattr(mail, "_sleep", lambda s: (waited.append(s), clock.advance(s)))
    now = clock.utcnow().timestamp()
    clock.advance(int(now) + 1.01 - now + 10)  # the start of a fresh second: the two slots fall in it
    second = int(clock.utcnow().timestamp())
    mail.take_slot()
    mail.take_slot()
    assert waited == []
    mail.take_slot()  # the third in a second waits for the next one
    assert len(waited) == 1 and int(clock.utcnow().timestamp()) > second
    # a second that stays full: the record goes back to the queue
    monkeypatch.setattr(mail, "_sleep", lambda s: None)
    now = int(clock.utcnow().timestamp())
    while store.take_rate_slot("ses", now, 2):
        pass
    from skailan.channels.errors import SendFailure

    with pytest.raises(SendFailure):
        mail.take_slot()


def test_bad_input_and_another_brand(demo):
    admin, other = demo["admin@demo.local"], demo["admin@acme.local"]
    person = _person(admin, "Eva Mala")
    people = {"kind": "people", "person_ids": [person]}
    cases = [({"html": "<p>x</p>"}, "content.subject"),
             ({"subject": "", "html": "<p>x</p>"}, "content.subject"),
             ({"subject": "Hola", "html": "<p>x</p><script>alert(1)</script>"}, "content.html"),
             ({"subject": "Hola", "html": '<a href="javascript:alert(1)">x</a>'}, "content.html"),
             ({"subject": "Hola", "html": "<p>x</p>", "reply_to": "no-es-correo"}, "content.reply_to"),
             ({"subject": "Hola {{contact.unknown}}", "html": "<p>x</p>"}, "content.subject"),
             ({"subject": "Hola", "html": "<p>x</p>", "bcc": "x@y.z"}, "content.bcc")]
    for content, field in cases:
        reply = call(API, "POST", "/v1/campaigns", principal=admin,
                     body={"name": "E", "channel": "email", "account_id": "demo-email", "audience": people,
                           "content": content})
        assert reply.status == 422, (content, reply.body)
        assert any(d["field"].startswith(field) for d in reply.body["error"]["details"]), reply.body
    # without a sending account: created, but sending or scheduling asks for one
    draft = call(API, "POST", "/v1/campaigns", principal=admin,
                 body={"name": "E", "channel": "email", "audience": people,
                       "content": {"subject": "Hola", "html": "<p>x</p>"}}).body
    refused = call(API, "POST", f"/v1/campaigns/{draft['id']}/send", principal=admin)
    assert refused.status == 422 and refused.body["error"]["details"][0]["field"] == "account_id"
    assert call(API, "GET", f"/v1/campaigns/{draft['id']}", principal=admin).body["status"] == "draft"
    # another brand's e-mail campaign: 404; acme cannot send from demo's account
    campaign_id = _email_campaign(admin, people, "x")
    assert call(API, "POST", f"/v1/campaigns/{campaign_id}/send", principal=other).status == 404
    assert call(API, "GET", f"/v1/campaigns/{campaign_id}/preview", principal=other).status == 404
    stolen = call(API, "POST", "/v1/campaigns", principal=other,
                  body={"name": "E", "channel": "email", "account_id": "demo-email",
                        "audience": {"kind": "people", "person_ids": [person]},
                        "content": {"subject": "Hola", "html": "<p>x</p>"}})
    assert stolen.status == 422


def _upload(admin: Any, filename: str, content_type: str, data: bytes | None, *, declared: int | None = None) -> str:
    """POST /v1/campaigns/attachments, then the PUT the browser would make (straight to moto's S3)."""
    from skailan.campaigns import store
    from skailan.platform.aws import client
    from skailan.platform.settings import get_settings

    reply = call(API, "POST", "/v1/campaigns/attachments", principal=admin,
                 body={"filename": filename, "content_type": content_type, "size": declared or len(data or b"x")})
    assert reply.status == 201, reply.body
    assert reply.body["method"] == "PUT" and reply.body["upload_url"].startswith("http")
    upload_id = reply.body["id"]
    if data is not None:
        item = store.get_attachment(admin.tenant, upload_id)
        assert item is not None and item.key.startswith(f"{admin.tenant}/")
        client("s3").put_object(Bucket=get_settings().media_bucket, Key=item.key, Body=data)
    return upload_id


PDF = b"%PDF-1.4\n" + b"0" * 2000 + b"\n%%EOF\n"


def test_attachments_are_checked_and_go_out_with_the_email(demo):
    admin, other = demo["admin@demo.local"], demo["admin@acme.local"]
    person = _person(admin, "Fede Adjunto")
    people = {"kind": "people", "person_ids": [person]}

    # the upload request: passive types only, each under 5 MB
    for body, field in (({"filename": "x.exe", "content_type": "application/x-msdownload", "size": 10}, "content_type"),
                        ({"filename": "x.pdf", "content_type": "application/pdf", "size": 5 * 1024 * 1024}, "size"),
                        ({"filename": "x.pdf", "content_type": "application/pdf", "size": 10, "key": "a/b"}, "key")):
        reply = call(API, "POST", "/v1/campaigns/attachments", principal=admin, body=body)
        assert reply.status == 422, reply.body
    good = _upload(admin, "catálogo.pdf", "application/pdf", PDF)
    missing = _upload(admin, "tarde.pdf", "application/pdf", None)
    fake_png = _upload(admin, "foto.png", "image/png", PDF)
    theirs = _upload(other, "acme.pdf", "application/pdf", PDF)

    def create(refs: list[str]) -> Any:
        return call(API, "POST", "/v1/campaigns", principal=admin, body={
            "name": "Adjuntos", "channel": "email", "account_id": "demo-email", "audience": people,
            "content": {"subject": "Catálogo", "html": "<p>Adjunto el catálogo</p>",
                        "attachments": [{"upload_id": r} for r in refs]}})

    for refs, error in (([missing], "upload_missing"), ([fake_png], "upload_content_mismatch"),
                        ([theirs], "not_found")):
        refused = create(refs)
        assert refused.status == 422 and refused.body["error"]["details"][0]["error"] == error, refused.body
    big = [_upload(admin, f"grande{i}.pdf", "application/pdf", PDF + b"0" * 5_100_000) for i in range(5)]
    refused = create(big)  # 5 × 5.1 million bytes: each under 5 MiB, together over 24 MiB
    assert refused.status == 422 and refused.body["error"]["details"][0]["error"] == "attachments_too_large"

    created = create([good])
    assert created.status == 201, created.body
    (stored,) = created.body["content"]["attachments"]
    assert stored["filename"] == "catálogo.pdf" and stored["size"] == len(PDF)
    # what GET returns can be sent back unchanged
    again = call(API, "PATCH", f"/v1/campaigns/{created.body['id']}", principal=admin,
                 body={"content": created.body["content"]})
    assert again.status == 200, again.body
    before = len(_sent_raw())
    _run(admin, created.body["id"])
    (_ses_id, message), = _sent_raw()[before:]
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_filename() == "catálogo.pdf" and attachment.get_content_type() == "application/pdf"
    assert attachment.get_content() == PDF
    assert "Adjunto el catálogo" in message.get_body(preferencelist=("html",)).get_content()


def test_a_campaign_uses_a_reusable_email_template(demo):
    """The e-mail module's templates (/v1/email/templates): a campaign naming one takes its subject
    and HTML (its own fields win), keeps a copy, and another brand's template is not found."""
    admin, other = demo["admin@demo.local"], demo["admin@acme.local"]
    path = "/v1/email/templates"
    created = call(INBOX, "POST", path, principal=admin, body={
        "name": f"Bienvenida {uuid.uuid4().hex[:6]}", "subject": 'Bienvenido {{contact.first_name | "amigo"}}',
        "html": '<p>Hola</p><a href="https://demo.example/inicio">Inicio</a>'})
    assert created.status == 201, created.body
    template_id = created.body["id"]
    person = _person(admin, "Gabi Plantilla")
    audience = {"kind": "people", "person_ids": [person]}
    campaign = call(API, "POST", "/v1/campaigns", principal=admin, body={
        "name": "Desde plantilla", "channel": "email", "account_id": "demo-email", "audience": audience,
        "content": {"template_id": template_id, "from_name": "Equipo Demo"}})
    assert campaign.status == 201, campaign.body
    content = campaign.body["content"]
    assert content["subject"].startswith("Bienvenido") and content["links"] == ["https://demo.example/inicio"]
    assert content["template_id"] == template_id and content["from_name"] == "Equipo Demo"
    overridden = call(API, "POST", "/v1/campaigns", principal=admin, body={
        "name": "Otra", "channel": "email", "account_id": "demo-email", "audience": audience,
        "content": {"template_id": template_id, "subject": "Asunto propio"}}).body
    assert overridden["content"]["subject"] == "Asunto propio" and "Hola" in overridden["content"]["html"]
    acme_template = call(INBOX, "POST", path, principal=other,
                         body={"name": "A", "subject": "A", "html": "<p>A</p>"}).body["id"]
    for bad in (acme_template, "01ZZZZZZZZZZZZZZZZZZZZZZZZ"):
        reply = call(API, "POST", "/v1/campaigns", principal=admin, body={
            "name": "x", "channel": "email", "account_id": "demo-email", "audience": audience,
            "content": {"template_id": bad}})
        assert reply.status == 422 and reply.body["error"]["details"][0]["field"] == "content.template_id"

    # editing the template changes no campaign made from it
    edited = call(INBOX, "PATCH", f"{path}/{template_id}", principal=admin, body={"subject": "Nuevo asunto"})
    assert edited.status == 200, edited.body
    assert call(API, "GET", f"/v1/campaigns/{campaign.body['id']}", principal=admin).body["content"][
        "subject"].startswith("Bienvenido")
    before = len(_sent_raw())
    _run(admin, campaign.body["id"])
    (_ses_id, message), = _sent_raw()[before:]
    assert str(message["Subject"]) == "Bienvenido Gabi"


def test_file_audience_targets_the_people_the_import_brought_in(demo):
    from tests.integration.crm_sales import importing

    admin, other = demo["admin@demo.local"], demo["admin@acme.local"]
    tag = uuid.uuid4().hex[:8]
    rows = [["nombre", "correo"], *[[f"Importada{i} {tag}", f"imp{i}-{tag}@example.com"] for i in range(3)]]
    importing.purge()
    created = importing.create(admin, f"clientes-{tag}.csv", target={"kind": "new_list", "name": f"Archivo {tag}"})
    assert created.status == 201, created.body
    import_id = created.body["id"]
    audience = {"kind": "file", "import_id": import_id}
    campaign = call(API, "POST", "/v1/campaigns", principal=admin, body={
        "name": "Archivo", "channel": "email", "account_id": "demo-email", "audience": audience,
        "content": {"subject": "Hola " + tag, "html": "<p>Hola {{contact.first_name}}</p>"}})
    assert campaign.status == 201, campaign.body
    # not imported yet: nobody to send to
    refused = call(API, "POST", f"/v1/campaigns/{campaign.body['id']}/send", principal=admin)
    assert refused.status == 409 and refused.body["error"]["code"] == "import_not_completed"

    importing.upload(created.body["upload_url"], importing.csv_bytes(rows))
    assert importing.start(admin, import_id).status == 202
    importing.drain()
    assert importing.get(admin, import_id).body["status"] == "completed"
    preview = call(API, "GET", f"/v1/campaigns/{campaign.body['id']}/preview", principal=admin).body
    assert preview["recipients"] == 3
    before = len(_sent_raw())
    done = _run(admin, campaign.body["id"])
    assert done["status"] == "completed" and done["stats"]["sent"] == 3
    sent_to = sorted(str(m["To"]) for _i, m in _sent_raw()[before:])
    assert sent_to == sorted(f"imp{i}-{tag}@example.com" for i in range(3))

    # bad file audiences: another brand's import, an import that made no list, shapes
    no_list = importing.create(admin, "sin-lista.csv", target={"kind": "none"}).body["id"]
    theirs = importing.create(other, "acme.csv", target={"kind": "new_list", "name": "Acme"}).body["id"]
    for bad, field in (({"kind": "file", "import_id": theirs}, "audience.import_id"),
                       ({"kind": "file", "import_id": no_list}, "audience.import_id"),
                       ({"kind": "file"}, "audience"),
                       ({"kind": "list", "import_id": import_id, "id": import_id}, "audience")):
        reply = call(API, "POST", "/v1/campaigns", principal=admin, body={
            "name": "x", "channel": "email", "account_id": "demo-email", "audience": bad,
            "content": {"subject": "x", "html": "<p>x</p>"}})
        assert reply.status == 422, (bad, reply.body)
        assert any(d.get("field", "").startswith(field) for d in reply.body["error"]["details"]), reply.body
