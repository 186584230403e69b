"""Nothing a provider delivered is dropped after the 200, nothing we send stays stuck:
senders the phone library rejects, media that cannot be fetched, a poison record in a customer's
FIFO group, a corrupted setting, e-mail attachments that are refused or unreachable, the order of
messages stamped in the same second, and delivery times never before the send time."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
import respx

from infra.local.fake_providers import PNG, telegram_update, twilio_signature, twilio_sms_form
from tests.integration.channels.conftest import (
    drain,
    http_request,
    invoke_http,
    post_meta,
    purge,
    queue_url,
    receive_all,
    run_worker,
    whatsapp_status,
    whatsapp_text,
)
from tests.integration.channels.test_email_and_webchat import _mail, local_sns, signer  # noqa: F401
from tests.support import call

API = "api/conversations"
TWILIO_URL = "http://127.0.0.1:3000/webhooks/twilio/demo-twilio"


@pytest.fixture(autouse=True)
def empty_queues(demo):
    for name in ("INBOUND_QUEUE_URL", "INBOUND_DEAD_LETTER_QUEUE_URL", "OUTBOUND_QUEUE_URL",
                 "OUTBOUND_DEAD_LETTER_QUEUE_URL"):
        purge(name)
    yield


def _conversation(demo: Any, external_id: str) -> dict[str, Any]:
    items = call(API, "GET", "/v1/conversations", principal=demo["admin@demo.local"], query={"limit": 100}).body["items"]
    return next(c for c in items if c["contact"].get("external_id") == external_id)


def _messages(demo: Any, conversation_id: str) -> list[dict[str, Any]]:
    return call(API, "GET", f"/v1/conversations/{conversation_id}/messages",
                principal=demo["admin@demo.local"]).body["items"]


def _twilio(form: dict[str, str]) -> Any:
    headers = {"content-type": "application/x-www-form-urlencoded", "host": "127.0.0.1:3000",
               "x-forwarded-proto": "http", "x-twilio-signature": twilio_signature(TWILIO_URL, form, "demo-twilio-token")}
    return invoke_http("webhooks/twilio", http_request("POST", "/webhooks/twilio/demo-twilio",
                                                       body=urlencode(form).encode(), headers=headers, b64=True))


def _dead_letters(queue_env: str = "INBOUND_DEAD_LETTER_QUEUE_URL") -> list[dict[str, Any]]:
    return receive_all(queue_url(queue_env))


# ---------------------------------------------------------------- SMS senders


@pytest.mark.parametrize("sender", ["+19995550123", "87654", "MiBanco", "+999123456789"])
def test_an_sms_from_a_sender_the_phone_library_rejects_is_stored_under_its_raw_address(demo, sender):
    sid = f"SM{abs(hash(sender)) % 10**10:010d}"
    form = twilio_sms_form(account_sid="ACdemo00000000000000000000000000", message_sid=sid,
                           from_number=sender, to_number="+15005550006", body=f"Código de {sender}")
    assert _twilio(form).status == 200
    assert drain() == []
    assert _dead_letters() == []
    conversation = _conversation(demo, sender)
    assert conversation["channel"] == "sms"
    (message,) = _messages(demo, conversation["id"])
    assert message["text"] == f"Código de {sender}"
    from skailan.crm.store.person_reads import find_by_identity

    assert find_by_identity("demo", "sms", sender).person_id == conversation["contact"]["person_id"]


def test_a_readable_sms_sender_is_still_a_phone_identity(demo):
    form = twilio_sms_form(account_sid="ACdemo00000000000000000000000000", message_sid="SMphone0001",
                           from_number="+573001118899", to_number="+15005550006", body="hola")
    assert _twilio(form).status == 200
    assert drain() == []
    from skailan.crm.store.person_reads import find_by_identity

    assert find_by_identity("demo", "phone", "+573001118899") is not None
    assert find_by_identity("demo", "sms", "+573001118899") is None


# ---------------------------------------------------------------- media


def _image(message_id: str, wa_id: str, media_id: str) -> dict[str, Any]:
    payload = whatsapp_text("", message_id=message_id, wa_id=wa_id, name="Foto")
    value = payload["entry"][0]["changes"][0]["value"]
    value["messages"][0] = {**{k: v for k, v in value["messages"][0].items() if k != "text"},
                            "type": "image", "image": {"caption": "mi recibo", "mime_type": "image/png",
                                                       "sha256": "x", "id": media_id}}
    return payload


@pytest.fixture
def local_graph(monkeypatch):
    from skailan.platform.settings import get_settings

    monkeypatch.setenv("GRAPH_API_URL", "http://127.0.0.1:9/graph/v21.0")
    monkeypatch.setenv("LOCAL_PROVIDER_HOSTS", "127.0.0.1:9")
    get_settings.cache_clear()
    yield "http://127.0.0.1:9/graph/v21.0"
    get_settings.cache_clear()


def test_a_failed_media_download_stores_the_text_and_retries_the_media_on_its_own(demo, local_graph):
    from skailan.conversations.ingest import worker as ingest

    post_meta(_image("wamid.MEDIAFAIL1", "573110000301", "9000000001"))
    post_meta(whatsapp_text("¿Lo recibieron?", message_id="wamid.MEDIAFAIL2", wa_id="573110000301", name="Foto"))
    with respx.mock(assert_all_called=False) as mock:
        mock.get(f"{local_graph}/9000000001").mock(return_value=httpx.Response(503, json={"error": {"code": 2}}))
        first = receive_all(queue_url("INBOUND_QUEUE_URL"))
        result = run_worker("workers/ingest", queue_url("INBOUND_QUEUE_URL"), first)
    # Both customer messages stored at the first attempt: the media failure fails nothing.
    assert result["batchItemFailures"] == []
    conversation = _conversation(demo, "573110000301")
    image, text = sorted(_messages(demo, conversation["id"]), key=lambda m: m["id"])
    assert image["text"] == "mi recibo" and image["media"]["status"] == "pending" and image["media"]["url"] is None
    assert text["text"] == "¿Lo recibieron?"
    # The retry is its own record, in its own message group (it holds back nobody).
    (retry,) = receive_all(queue_url("INBOUND_QUEUE_URL"))
    body = json.loads(retry["Body"])
    assert body["media_retry"] == {"conversation_id": conversation["id"], "message_id": image["id"]}
    assert retry["Attributes"]["MessageGroupId"] != first[0]["Attributes"]["MessageGroupId"]
    with respx.mock() as mock:
        mock.get(f"{local_graph}/9000000001").mock(return_value=httpx.Response(
            200, json={"url": "http://127.0.0.1:9/media/9000000001", "mime_type": "image/png"}))
        mock.get("http://127.0.0.1:9/media/9000000001").mock(return_value=httpx.Response(
            200, content=PNG, headers={"Content-Type": "image/png"}))
        outcome = ingest.process_record(retry["Body"], message_id=retry["MessageId"],
                                        group_id=retry["Attributes"]["MessageGroupId"], receive_count=2)
    assert outcome.result == "media_stored"
    (stored,) = [m for m in _messages(demo, conversation["id"]) if m["id"] == image["id"]]
    assert stored["media"]["status"] == "stored" and stored["media"]["url"].startswith("https://")
    assert stored["media"]["size"] == len(PNG)
    # A redelivered retry does nothing more
    assert ingest.process_record(retry["Body"], message_id="again", group_id="g", receive_count=1).result == "duplicate"


def test_media_that_keeps_failing_ends_unavailable_and_the_text_stays(demo, local_graph):
    from skailan.conversations.ingest import worker as ingest

    post_meta(_image("wamid.MEDIAFAIL3", "573110000302", "9000000003"))
    with respx.mock(assert_all_called=False) as mock:
        mock.get(f"{local_graph}/9000000003").mock(side_effect=httpx.ConnectError("unreachable"))
        assert drain(rounds=1) == []
        (retry,) = receive_all(queue_url("INBOUND_QUEUE_URL"))
        with pytest.raises(Exception, match="still unavailable"):
            ingest.process_record(retry["Body"], message_id="r1", group_id="g", receive_count=1)
        last = ingest.process_record(retry["Body"], message_id="r3", group_id="g", receive_count=ingest.MEDIA_ATTEMPTS)
    assert last.result == "media_unavailable"
    (message,) = _messages(demo, _conversation(demo, "573110000302")["id"])
    assert message["text"] == "mi recibo" and message["media"]["status"] == "unavailable"
    assert message["media"]["error"]


# ---------------------------------------------------------------- poison records


def test_a_poison_record_never_takes_the_customers_later_messages_with_it(demo, monkeypatch):
    from skailan.conversations.ingest import worker as ingest
    from skailan.conversations.store import messages as store
    from skailan.platform.aws import client

    original = store.append_message

    def poisoned(message, *args, **kwargs):
        if message.text == "veneno":
            raise RuntimeError("a bug only this record hits")
        return original(message, *args, **kwargs)

    monkeypatch.setattr(store, "append_message", poisoned)
    texts = ["veneno", "uno", "dos", "tres", "cuatro"]
    for index, text in enumerate(texts):
        post_meta(whatsapp_text(text, message_id=f"wamid.POISON{index}", wa_id="573110000303", name="Veneno"))
    url = queue_url("INBOUND_QUEUE_URL")
    rounds = 0
    while (messages := receive_all(url)) and rounds < 10:
        rounds += 1
        result = run_worker("workers/ingest", url, messages)
        failed = {f["itemIdentifier"] for f in result["batchItemFailures"]}
        for m in messages:  # their backoff has passed
            if m["MessageId"] in failed:
                client("sqs").change_message_visibility(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"],
                                                        VisibilityTimeout=0)
    assert rounds == ingest.POISON_AFTER  # held back twice, then parked: the SQS redrive (5) never hits
    stored = sorted(_messages(demo, _conversation(demo, "573110000303")["id"]), key=lambda m: m["id"])
    assert [m["text"] for m in stored] == ["uno", "dos", "tres", "cuatro"]
    (dead,) = _dead_letters()
    assert json.loads(dead["Body"])["event"]["text"] == "veneno"
    assert "RuntimeError" in dead["MessageAttributes"]["reason"]["StringValue"]


# ---------------------------------------------------------------- corrupted settings


def test_a_message_is_stored_whatever_the_brand_and_inbox_settings_hold(demo):
    from skailan.conversations.store.inbox_items import InboxSettingsItem
    from skailan.conversations.store.inbox_items import inbox_settings_pk as settings_pk
    from skailan.crm.people import service as people
    from skailan.tenancy.store.items import BrandItem, tenant_pk

    brand = BrandItem.get(tenant_pk("demo"), "BRAND")
    original = dict(brand.settings or {})
    try:
        existing = InboxSettingsItem.get(settings_pk("demo"), "SETTINGS")
        original_inbox: dict[str, Any] | None = dict(existing.data or {})
    except InboxSettingsItem.DoesNotExist:
        original_inbox = None
    try:
        brand.settings = {"time_zone": None, "default_country": "ZZ", "business_hours": None, "language": None}
        brand.save()
        item = InboxSettingsItem.get(settings_pk("demo"), "SETTINGS") if original_inbox is not None else \
            InboxSettingsItem(settings_pk("demo"), "SETTINGS", tenant_id="demo", created_at="2026-01-01T00:00:00Z")
        item.data = {"assignment": None, "bots": None, "alerts": {"unassigned_after_minutes": "nunca"}}
        item.save()
        people._brand_cache.clear()
        post_meta(whatsapp_text("hola con ajustes rotos", message_id="wamid.BROKEN1", wa_id="573110000304",
                                name="Roto"))
        form = twilio_sms_form(account_sid="ACdemo00000000000000000000000000", message_sid="SMbroken001",
                               from_number="3001234567", to_number="+15005550006", body="sms nacional")
        assert _twilio(form).status == 200
        assert drain() == []
        assert _dead_letters() == []
        (message,) = _messages(demo, _conversation(demo, "573110000304")["id"])
        assert message["text"] == "hola con ajustes rotos"
        (sms,) = _messages(demo, _conversation(demo, "3001234567")["id"])
        assert sms["text"] == "sms nacional"
        # the inbox's reaction to the message (bots, assignment) runs on defaults too
        from skailan.conversations.inbox.config import get_config

        assert get_config("demo").assignment.enabled is True
        assert call(API, "GET", "/v1/conversations", principal=demo["admin@demo.local"]).status == 200
    finally:
        brand = BrandItem.get(tenant_pk("demo"), "BRAND")
        brand.settings = original
        brand.save()
        item = InboxSettingsItem.get(settings_pk("demo"), "SETTINGS")
        if original_inbox is None:
            item.delete()
        else:
            item.data = original_inbox
            item.save()
        people._brand_cache.clear()


# ---------------------------------------------------------------- message order


def test_telegram_messages_of_the_same_second_list_in_message_id_order(demo):
    from tests.integration.channels.test_webhooks import _telegram

    at = datetime.now(UTC).replace(microsecond=0)
    # Delivered out of order (Telegram retries), all stamped with the same second.
    for message_id in (13, 11, 15, 12, 14):
        update = telegram_update(update_id=880000000 + message_id, chat_id=555000301, message_id=message_id,
                                 text=f"parte {message_id}", at=at)
        assert _telegram(update, "demo-telegram-secret").status == 200
    assert drain() == []
    items = _messages(demo, _conversation(demo, "555000301")["id"])  # newest first
    assert [m["text"] for m in items] == [f"parte {n}" for n in (15, 14, 13, 12, 11)]


def test_whatsapp_messages_of_the_same_second_keep_their_arrival_order(demo):
    at = datetime.now(UTC).replace(microsecond=0)
    texts = [f"línea {n}" for n in range(8)]
    # One delivery with several messages, then one more, all in the same provider second.
    payload = whatsapp_text(texts[0], message_id="wamid.ORDER0", wa_id="573110000305", name="Orden", at=at)
    batch = payload["entry"][0]["changes"][0]["value"]["messages"]
    for n in range(1, 7):
        batch.append({**batch[0], "id": f"wamid.ORDER{n}", "text": {"body": texts[n]}})
    post_meta(payload)
    post_meta(whatsapp_text(texts[7], message_id="wamid.ORDER7", wa_id="573110000305", name="Orden", at=at))
    assert drain() == []
    items = _messages(demo, _conversation(demo, "573110000305")["id"])
    assert [m["text"] for m in reversed(items)] == texts


def test_delivered_and_read_never_show_before_sent(demo):
    from tests.integration.channels.test_outbound import WA_URL, _send, _wa_ok, _whatsapp_conversation, _work

    conversation_id = _whatsapp_conversation(demo, "573110000306")
    queued = _send(demo, conversation_id, {"text": "en camino"})
    with respx.mock() as mock:
        mock.post(WA_URL).mock(return_value=_wa_ok("wamid.ORDERSENT"))
        assert _work()["batchItemFailures"] == []
    sent = next(m for m in _messages(demo, conversation_id) if m["id"] == queued["id"])
    sent_at = datetime.fromisoformat(sent["status_times"]["sent"].replace("Z", "+00:00"))
    # WhatsApp stamps whole seconds: its "delivered"/"read" land before our millisecond send time
    earlier = sent_at.replace(microsecond=0) - timedelta(seconds=1)
    post_meta(whatsapp_status("wamid.ORDERSENT", "delivered", recipient="573110000306", at=earlier))
    post_meta(whatsapp_status("wamid.ORDERSENT", "read", recipient="573110000306", at=earlier))
    assert drain() == []
    message = next(m for m in _messages(demo, conversation_id) if m["id"] == queued["id"])
    times = {k: datetime.fromisoformat(v.replace("Z", "+00:00")) for k, v in message["status_times"].items()}
    assert message["status"] == "read"
    assert times["sent"] <= times["delivered"] <= times["read"]


# ---------------------------------------------------------------- outbound final states


def _email_conversation(demo: Any, sns: Any, tag: str) -> str:
    assert _mail(sns, sender="cliente@example.com", to="soporte@demo.local", subject=f"Pedido {tag}",
                 text="Hola", message_id=f"{tag}@example.com").status == 200
    assert drain() == []
    items = call(API, "GET", "/v1/conversations", principal=demo["admin@demo.local"]).body["items"]
    return next(c["id"] for c in items if c["channel"] == "email" and c["subject"] == f"Pedido {tag}")


def _outbound(receive_count: int) -> dict[str, Any]:
    from tests.integration.channels.test_outbound import _work

    return _work(receive_count=receive_count)


def _reply(demo: Any, conversation_id: str, url: str) -> str:
    reply = call(API, "POST", f"/v1/conversations/{conversation_id}/messages", principal=demo["admin@demo.local"],
                 body={"text": "Adjunto la factura", "attachments": [
                     {"url": url, "mime_type": "application/pdf", "filename": "factura.pdf"}]})
    assert reply.status == 202, reply.body
    return str(reply.body["id"])


def test_an_email_reply_with_a_refused_attachment_fails_with_its_reason(demo, local_sns, monkeypatch):  # noqa: F811
    monkeypatch.setenv("LOCAL_PROVIDER_HOSTS", "127.0.0.1:9")
    from skailan.platform.settings import get_settings

    get_settings.cache_clear()
    conversation_id = _email_conversation(demo, local_sns, "adjunto404")
    message_id = _reply(demo, conversation_id, "http://127.0.0.1:9/files/no-existe.pdf")
    with respx.mock() as mock:
        mock.get("http://127.0.0.1:9/files/no-existe.pdf").mock(return_value=httpx.Response(404))
        assert _outbound(1)["batchItemFailures"] == []
    message = next(m for m in _messages(demo, conversation_id) if m["id"] == message_id)
    assert message["status"] == "failed" and message["error"]["code"] == "attachment_unavailable"
    assert message["error"]["reason_es"] and message["error"]["reason_en"]
    get_settings.cache_clear()


def test_an_unreachable_attachment_is_retried_then_fails_never_stuck(demo, local_sns, monkeypatch):  # noqa: F811
    monkeypatch.setenv("LOCAL_PROVIDER_HOSTS", "127.0.0.1:9")
    from skailan.platform.settings import get_settings

    get_settings.cache_clear()
    conversation_id = _email_conversation(demo, local_sns, "adjuntocaido")
    message_id = _reply(demo, conversation_id, "http://127.0.0.1:9/files/caido.pdf")
    with respx.mock() as mock:
        mock.get("http://127.0.0.1:9/files/caido.pdf").mock(side_effect=httpx.ConnectError("down"))
        assert len(_outbound(1)["batchItemFailures"]) == 1
        first = next(m for m in _messages(demo, conversation_id) if m["id"] == message_id)
        assert first["status"] == "queued"  # not `sending`: nothing reached SES
        assert len(_outbound(5)["batchItemFailures"]) == 1  # last receive: to the DLQ, with its final state
    message = next(m for m in _messages(demo, conversation_id) if m["id"] == message_id)
    assert message["status"] == "failed" and message["error"]["code"] == "retries_exhausted"
    get_settings.cache_clear()


def test_an_unexpected_error_on_the_last_receive_leaves_a_final_state(demo, monkeypatch):
    from skailan.conversations import outbound, sending
    from tests.integration.channels.test_outbound import _send, _whatsapp_conversation

    conversation_id = _whatsapp_conversation(demo, "573110000307")
    queued = _send(demo, conversation_id, {"text": "hola"})

    def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise KeyError("a bug before the provider call")

    monkeypatch.setattr(sending, "delivery_for", broken)
    assert len(_outbound(1)["batchItemFailures"]) == 1
    assert next(m for m in _messages(demo, conversation_id) if m["id"] == queued["id"])["status"] == "queued"
    assert len(_outbound(outbound.MAX_RECEIVES)["batchItemFailures"]) == 1
    message = next(m for m in _messages(demo, conversation_id) if m["id"] == queued["id"])
    assert message["status"] == "failed" and message["error"]["code"] == "send_error"


def test_a_message_left_sending_gets_delivery_unknown_on_the_last_receive(demo, monkeypatch):
    from skailan.conversations import outbound
    from skailan.conversations.store import messages as store
    from skailan.platform.clock import iso
    from tests.integration.channels.test_outbound import _send, _whatsapp_conversation

    conversation_id = _whatsapp_conversation(demo, "573110000308")
    queued = _send(demo, conversation_id, {"text": "hola"})
    item = store.get_message("demo", conversation_id, queued["id"])
    store.claim_for_sending(item, at=iso())  # an attempt that died a moment ago, inside its lease
    assert len(_outbound(2)["batchItemFailures"]) == 1  # within the lease: wait
    assert _outbound(outbound.MAX_RECEIVES)["batchItemFailures"] == []
    message = next(m for m in _messages(demo, conversation_id) if m["id"] == queued["id"])
    assert message["status"] == "failed" and message["error"]["code"] == "delivery_unknown"


def test_the_sweeper_settles_a_message_whose_record_was_lost_and_leaves_sent_ones(demo, monkeypatch):
    from skailan.conversations import outbound
    from skailan.conversations.inbox import workers
    from skailan.platform.clock import iso, utcnow
    from skailan.platform.settings import get_settings
    from tests.integration.channels.test_outbound import WA_URL, _send, _wa_ok, _whatsapp_conversation
    from tests.support import OutboxWatch

    conversation_id = _whatsapp_conversation(demo, "573110000309")
    outbox = OutboxWatch(get_settings().conversations_table)  # what the conversations outbox publishes
    lost = _send(demo, conversation_id, {"text": "¿me lees?"})
    purge("OUTBOUND_QUEUE_URL")  # its record is gone (a worker died on the last receive, a lost DLQ)
    went = _send(demo, conversation_id, {"text": "segundo"})
    with respx.mock() as mock:
        mock.post(WA_URL).mock(return_value=_wa_ok("wamid.SWEEP2"))
        assert _outbound(1)["batchItemFailures"] == []
    for event in [e for e in outbox.events() if e.type == "message.queued"]:
        workers.on_inbox_event(event)  # what the inbox's event rule delivers
    assert not [k for k in workers.run_timers(iso(utcnow() + timedelta(minutes=30))) if k.startswith("outbound")]
    outcomes = workers.run_timers(iso(utcnow() + timedelta(minutes=outbound.STUCK_AFTER_MINUTES + 1)))
    assert outcomes.get("outbound:retries_exhausted") == 1 and outcomes.get("outbound:done") == 1
    message = next(m for m in _messages(demo, conversation_id) if m["id"] == lost["id"])
    assert message["status"] == "failed" and message["error"]["code"] == "retries_exhausted"
    assert message["error"]["reason_es"] and message["error"]["reason_en"]
    assert next(m for m in _messages(demo, conversation_id) if m["id"] == went["id"])["status"] == "sent"


def test_an_email_whose_attachment_cannot_be_kept_is_stored_with_its_text(demo, local_sns, monkeypatch):  # noqa: F811
    from email.message import EmailMessage

    from infra.local.fake_providers import ses_received_notification
    from skailan.conversations.ingest import media
    from skailan.conversations.ingest import worker as ingest
    from skailan.platform.aws import client
    from skailan.platform.settings import get_settings

    mime = EmailMessage()
    mime["From"], mime["To"], mime["Subject"] = "s3caido@example.com", "soporte@demo.local", "Contrato"
    mime["Message-ID"] = "<s3caido1@example.com>"
    mime.set_content("Adjunto el contrato firmado")
    mime.add_attachment(b"%PDF-1.4 contrato", maintype="application", subtype="pdf", filename="contrato.pdf")
    settings = get_settings()
    client("s3").put_object(Bucket=settings.inbound_mail_bucket, Key="inbound/s3caido1", Body=mime.as_bytes())
    notification = ses_received_notification(message_id="s3caido1", recipients=["soporte@demo.local"],
                                             sender="s3caido@example.com", bucket=settings.inbound_mail_bucket,
                                             key="inbound/s3caido1", subject="Contrato")
    envelope = local_sns.notification(settings.inbound_mail_topic_arn, json.dumps(notification))
    assert invoke_http("webhooks/ses", http_request("POST", "/webhooks/ses",
                                                    body=json.dumps(envelope).encode())).status == 200
    (record,) = receive_all(queue_url("INBOUND_QUEUE_URL"))

    def s3_down(*_args: Any, **_kwargs: Any) -> Any:
        raise ConnectionError("S3 unreachable")

    monkeypatch.setattr(media, "put_object", s3_down)
    with pytest.raises(ConnectionError):  # a first failure is retried
        ingest.process_record(record["Body"], message_id="m1", group_id="g", receive_count=1)
    outcome = ingest.process_record(record["Body"], message_id="m1", group_id="g", receive_count=ingest.POISON_AFTER)
    assert outcome.result == "stored"
    admin = demo["admin@demo.local"]
    conversation = next(c for c in call(API, "GET", "/v1/conversations", principal=admin).body["items"]
                        if c["contact"].get("email") == "s3caido@example.com")
    (message,) = _messages(demo, conversation["id"])
    assert message["text"].startswith("Adjunto el contrato firmado")
    (attachment,) = message["attachments"]
    assert attachment["filename"] == "contrato.pdf" and attachment["status"] == "unavailable"
    assert "url" not in attachment


def test_a_media_retry_that_was_never_queued_is_queued_by_the_records_own_retry(demo, local_graph, monkeypatch):
    from skailan.conversations.ingest import inbound_queue
    from skailan.conversations.ingest import worker as ingest

    post_meta(_image("wamid.MEDIAFAIL4", "573110000310", "9000000004"))
    (record,) = receive_all(queue_url("INBOUND_QUEUE_URL"))
    original = inbound_queue.enqueue

    def refused(*_args: Any, **_kwargs: Any) -> Any:
        raise ConnectionError("SQS unreachable")

    with respx.mock(assert_all_called=False) as mock:
        mock.get(f"{local_graph}/9000000004").mock(return_value=httpx.Response(503, json={"error": {"code": 2}}))
        monkeypatch.setattr(inbound_queue, "enqueue", refused)
        first = ingest.process_record(record["Body"], message_id=record["MessageId"], group_id="g", receive_count=1)
        assert first.result == "stored"  # the text is kept even though the retry could not be queued
        monkeypatch.setattr(inbound_queue, "enqueue", original)
        again = ingest.process_record(record["Body"], message_id=record["MessageId"], group_id="g", receive_count=2)
    assert again.result == "duplicate"
    visible = [m for m in receive_all(queue_url("INBOUND_QUEUE_URL")) if m["MessageId"] != record["MessageId"]]
    (retry,) = [m for m in visible if json.loads(m["Body"]).get("media_retry")]
    assert json.loads(retry["Body"])["media_retry"]["message_id"] == first.message_id
