"""Replies: 202 queued → send worker → provider; retries with backoff, never twice; permanent
failures with reasons in Spanish and English; the WhatsApp window; every provider's adapter."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl

import httpx
import pytest
import respx

from infra.local.fake_providers import (
    messenger_message_payload,
    telegram_update,
    twilio_signature,
    twilio_sms_form,
)
from tests.integration.channels.conftest import (
    DEMO_PHONE_ID,
    drain,
    http_request,
    invoke_http,
    post_meta,
    purge,
    queue_url,
    receive_all,
    run_worker,
    whatsapp_text,
)
from tests.support import call

API = "api/conversations"
WA_URL = f"https://graph.facebook.com/v21.0/{DEMO_PHONE_ID}/messages"


def _wa_ok(wamid: str) -> httpx.Response:
    return httpx.Response(200, json={"messaging_product": "whatsapp", "messages": [{"id": wamid}]})


@pytest.fixture(autouse=True)
def empty_queues(demo):
    for name in ("INBOUND_QUEUE_URL", "OUTBOUND_QUEUE_URL", "OUTBOUND_DEAD_LETTER_QUEUE_URL"):
        purge(name)
    yield


def _whatsapp_conversation(demo, wa_id: str, *, at: datetime | None = None) -> str:
    post_meta(whatsapp_text("hola", message_id=f"wamid.IN-{wa_id}-{(at or datetime.now(UTC)).timestamp()}",
                            wa_id=wa_id, name="Cliente", at=at))
    assert drain() == []
    items = call(API, "GET", "/v1/conversations", principal=demo["admin@demo.local"]).body["items"]
    return next(c["id"] for c in items if c["contact"].get("external_id") == wa_id)


def _send(demo, conversation_id: str, body: dict, principal: str = "agent1@demo.local"):
    reply = call(API, "POST", f"/v1/conversations/{conversation_id}/messages", principal=demo[principal], body=body)
    assert reply.status == 202, reply.body
    return reply.body


def _message(demo, conversation_id: str, message_id: str) -> dict:
    items = call(API, "GET", f"/v1/conversations/{conversation_id}/messages",
                 principal=demo["admin@demo.local"]).body["items"]
    return next(m for m in items if m["id"] == message_id)


def _work(receive_count: int = 1) -> dict:
    """One outbound batch, with ApproximateReceiveCount forced (retries are tested by count);
    failed records are made visible again at once, as if their backoff had passed."""
    from skailan.platform.aws import client

    url = queue_url("OUTBOUND_QUEUE_URL")
    messages = receive_all(url)
    for m in messages:
        m["Attributes"]["ApproximateReceiveCount"] = str(receive_count)
    if not messages:
        return {"batchItemFailures": [], "empty": True}
    result = run_worker("workers/outbound", url, messages)
    failed = {f["itemIdentifier"] for f in result["batchItemFailures"]}
    for m in messages:
        if m["MessageId"] in failed:
            client("sqs").change_message_visibility(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"],
                                                    VisibilityTimeout=0)
    return result


def test_the_api_validates_and_answers_202_with_the_queued_message(demo):
    conversation_id = _whatsapp_conversation(demo, "573220000001")
    empty = call(API, "POST", f"/v1/conversations/{conversation_id}/messages", principal=demo["agent1@demo.local"],
                 body={})
    assert empty.status == 422
    queued = _send(demo, conversation_id, {"text": "Hola"})
    assert queued["status"] == "queued" and queued["author"]["kind"] == "user"
    assert queued["type"] == "text" and queued["provider_message_id"] is None
    conversation = call(API, "GET", f"/v1/conversations/{conversation_id}", principal=demo["admin@demo.local"]).body
    assert conversation["last_message"]["id"] == queued["id"] and conversation["last_agent_message_at"]
    (job,) = receive_all(queue_url("OUTBOUND_QUEUE_URL"))
    assert json.loads(job["Body"]) == {"tenant_id": "demo", "conversation_id": conversation_id,
                                       "message_id": queued["id"]}
    assert job["Attributes"]["MessageGroupId"] == f"demo#{conversation_id}"


def test_another_brands_ids_are_404_and_permissions_apply(demo):
    conversation_id = _whatsapp_conversation(demo, "573220000002")
    acme = demo["admin@acme.local"]
    assert call(API, "GET", f"/v1/conversations/{conversation_id}", principal=acme).status == 404
    assert call(API, "GET", f"/v1/conversations/{conversation_id}/messages", principal=acme).status == 404
    assert call(API, "POST", f"/v1/conversations/{conversation_id}/messages", principal=acme,
                body={"text": "hack"}).status == 404
    assert conversation_id not in [c["id"] for c in call(API, "GET", "/v1/conversations", principal=acme).body["items"]]
    operator = demo["operator@demo.local"]
    assert call(API, "GET", "/v1/conversations", principal=operator).status == 403
    assert call(API, "POST", f"/v1/conversations/{conversation_id}/messages", principal=operator,
                body={"text": "x"}).status == 403


def test_429_is_retried_after_retry_after_and_the_customer_gets_it_once(demo, monkeypatch):
    conversation_id = _whatsapp_conversation(demo, "573220000003")
    queued = _send(demo, conversation_id, {"text": "Un momento"})
    visibility = []
    from skailan.platform.aws import client

    sqs = client("sqs")
    original = sqs.change_message_visibility
    monkeypatch.setattr(sqs, "change_message_visibility",
                        lambda **kw: visibility.append(kw["VisibilityTimeout"]) or original(**kw))
    with respx.mock() as mock:
        route = mock.post(WA_URL).mock(side_effect=[
            httpx.Response(429, headers={"Retry-After": "7"},
                           json={"error": {"message": "(#130429) Rate limit hit", "code": 130429}}),
            _wa_ok("wamid.RETRY1"),
        ])
        first = _work(receive_count=1)
        assert len(first["batchItemFailures"]) == 1
        assert visibility[0] == 7  # then the test releases it (0) as if 7 s had passed
        assert _message(demo, conversation_id, queued["id"])["status"] == "queued"
        second = _work(receive_count=2)
        assert second["batchItemFailures"] == []
        # a redelivery of the same job (SQS is at-least-once) does not call the provider again
        from skailan.conversations.outbound import OutboundJob, enqueue

        enqueue(OutboundJob(tenant_id="demo", conversation_id=conversation_id, message_id=queued["id"]))
        purge("OUTBOUND_QUEUE_URL")
        from skailan.conversations import outbound

        again = outbound.deliver(OutboundJob(tenant_id="demo", conversation_id=conversation_id,
                                             message_id=queued["id"]), receive_count=1)
        assert again.result == "already_done"
    assert route.call_count == 2
    message = _message(demo, conversation_id, queued["id"])
    assert message["status"] == "sent" and message["provider_message_id"] == "wamid.RETRY1"


def test_backoff_has_full_jitter_and_a_cap():
    from skailan.conversations.outbound import BACKOFF_CAP_SECONDS, backoff

    assert backoff(3, retry_after=12) == 12
    values = {backoff(4) for _ in range(50)}
    assert len(values) > 10 and all(1 <= v <= 16 for v in values)
    assert backoff(30) <= BACKOFF_CAP_SECONDS


def test_5xx_until_the_last_receive_marks_it_failed_and_leaves_it_to_the_dlq(demo):
    conversation_id = _whatsapp_conversation(demo, "573220000004")
    queued = _send(demo, conversation_id, {"text": "¿Sigues ahí?"})
    with respx.mock() as mock:
        mock.post(WA_URL).mock(return_value=httpx.Response(503, json={"error": {"message": "down", "code": 2}}))
        assert len(_work(receive_count=5)["batchItemFailures"]) == 1
    message = _message(demo, conversation_id, queued["id"])
    assert message["status"] == "failed" and message["error"]["code"] == "retries_exhausted"
    assert message["error"]["reason_es"] and message["error"]["reason_en"]
    # after the redrive the provider is back: it goes out
    with respx.mock() as mock:
        mock.post(WA_URL).mock(return_value=_wa_ok("wamid.REDRIVEN"))
        assert _work(receive_count=1)["batchItemFailures"] == []
    assert _message(demo, conversation_id, queued["id"])["status"] == "sent"


def test_a_permanent_provider_error_fails_with_reasons_and_is_not_retried(demo):
    conversation_id = _whatsapp_conversation(demo, "573220000005")
    queued = _send(demo, conversation_id, {"text": "Hola"})
    with respx.mock() as mock:
        route = mock.post(WA_URL).mock(return_value=httpx.Response(400, json={"error": {
            "message": "(#131047) Re-engagement message", "type": "OAuthException", "code": 131047,
            "error_data": {"messaging_product": "whatsapp", "details": "More than 24 hours"}}}))
        assert _work()["batchItemFailures"] == []
    assert route.call_count == 1
    message = _message(demo, conversation_id, queued["id"])
    assert message["status"] == "failed" and message["error"]["code"] == "131047"
    assert "24" in message["error"]["reason_es"] and "24" in message["error"]["reason_en"]


def test_outside_the_24_hour_window_only_templates_go(demo):
    from skailan.conversations import outbound
    from skailan.conversations.models import MessageIn
    from skailan.platform.auth import Caller

    long_ago = datetime.now(UTC) - timedelta(hours=30)
    conversation_id = _whatsapp_conversation(demo, "573220000006", at=long_ago)
    # The API refuses free text at once (the inbox's check)…
    refused_now = call(API, "POST", f"/v1/conversations/{conversation_id}/messages",
                       principal=demo["agent1@demo.local"], body={"text": "¿Seguimos?"})
    assert refused_now.status == 422 and refused_now.body["error"]["code"] == "window_closed"
    # …and the send worker checks again at send time (a window can close while a reply waits).
    caller = Caller(tenant_id="demo", principal_id="u1", kind="user", permissions=frozenset({"conversations:edit"}))
    text = outbound.queue_message(caller, conversation_id, MessageIn(text="¿Seguimos?"))
    template = outbound.queue_message(caller, conversation_id, MessageIn.model_validate(
        {"template": {"name": "seguimiento", "language": "es", "parameters": ["Camila"]}}))
    with respx.mock() as mock:
        route = mock.post(WA_URL).mock(return_value=_wa_ok("wamid.TPL1"))
        assert _work()["batchItemFailures"] == []
        assert _work()["batchItemFailures"] == []  # FIFO: the template waits for the text's group turn
    refused = _message(demo, conversation_id, text.id)
    assert refused["status"] == "failed" and refused["error"]["code"] == "window_closed"
    assert "24 horas" in refused["error"]["reason_es"] and "24 hours" in refused["error"]["reason_en"]
    assert _message(demo, conversation_id, template.id)["status"] == "sent"
    assert route.call_count == 1
    sent = json.loads(route.calls.last.request.content)
    assert sent["type"] == "template" and sent["template"]["name"] == "seguimiento"
    assert sent["template"]["components"][0]["parameters"][0]["text"] == "Camila"


def test_a_partial_multi_attachment_send_resends_only_what_is_missing(demo):
    conversation_id = _whatsapp_conversation(demo, "573220000007")
    queued = _send(demo, conversation_id, {"attachments": [
        {"url": "https://cdn.example.com/a.jpg", "mime_type": "image/jpeg"},
        {"url": "https://cdn.example.com/b.pdf", "mime_type": "application/pdf", "filename": "b.pdf"}]})
    with respx.mock() as mock:
        route = mock.post(WA_URL).mock(side_effect=[_wa_ok("wamid.PART1"), httpx.Response(500, json={"error": {"code": 1}}),
                                                    _wa_ok("wamid.PART2")])
        assert len(_work(receive_count=1)["batchItemFailures"]) == 1
        assert _work(receive_count=2)["batchItemFailures"] == []
    kinds = [json.loads(c.request.content)["type"] for c in route.calls]
    assert kinds == ["image", "document", "document"]  # the image went once
    message = _message(demo, conversation_id, queued["id"])
    assert message["status"] == "sent" and message["provider_message_id"] == "wamid.PART1"


def test_an_attempt_that_died_mid_call_is_not_resent(demo):
    from skailan.conversations.outbound import OutboundJob, deliver
    from skailan.conversations.store import messages as store

    conversation_id = _whatsapp_conversation(demo, "573220000008")
    queued = _send(demo, conversation_id, {"text": "hola"})
    purge("OUTBOUND_QUEUE_URL")
    item = store.get_message("demo", conversation_id, queued["id"])
    store.claim_for_sending(item, at=(datetime.now(UTC) - timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M:%S.000Z"))
    with respx.mock(assert_all_called=False) as mock:
        route = mock.post(WA_URL).mock(return_value=_wa_ok("wamid.NEVER"))
        assert deliver(OutboundJob(tenant_id="demo", conversation_id=conversation_id,
                                   message_id=queued["id"])).result == "failed"
    assert route.call_count == 0
    assert _message(demo, conversation_id, queued["id"])["error"]["code"] == "delivery_unknown"


def test_telegram_messenger_and_twilio_replies_use_their_apis(demo):
    # inbound on each channel
    update = telegram_update(update_id=870000099, chat_id=555000999, message_id=3, text="hola")
    assert invoke_http("webhooks/telegram", http_request("POST", "/webhooks/telegram/demo-telegram",
                       body=json.dumps(update).encode(), headers={"content-type": "application/json",
                       "x-telegram-bot-api-secret-token": "demo-telegram-secret"})).status == 200
    post_meta(messenger_message_payload("300000000000001", psid="8000000000000001", mid="m_OUT1", text="hola"))
    form = twilio_sms_form(account_sid="ACdemo00000000000000000000000000", message_sid="SMout1",
                           from_number="+573005556677", to_number="+15005550006", body="hola")
    url = "http://127.0.0.1:3000/webhooks/twilio/demo-twilio"
    from urllib.parse import urlencode

    assert invoke_http("webhooks/twilio", http_request("POST", "/webhooks/twilio/demo-twilio",
                       body=urlencode(form).encode(), b64=True, headers={
                           "content-type": "application/x-www-form-urlencoded",
                           "x-twilio-signature": twilio_signature(url, form, "demo-twilio-token")})).status == 200
    assert drain() == []
    items = call(API, "GET", "/v1/conversations", principal=demo["admin@demo.local"]).body["items"]
    by_ref = {c["contact"].get("external_id"): c["id"] for c in items}
    for ref in ("555000999", "8000000000000001", "+573005556677"):
        _send(demo, by_ref[ref], {"text": f"respuesta a {ref}"})
    with respx.mock(assert_all_called=True) as mock:
        tg = mock.post("https://api.telegram.org/bot123456:demo-telegram-bot-token/sendMessage").mock(
            return_value=httpx.Response(200, json={"ok": True, "result": {"message_id": 77, "chat": {"id": 555000999},
                                                                         "date": 1, "text": "x"}}))
        fb = mock.post("https://graph.facebook.com/v21.0/300000000000001/messages").mock(
            return_value=httpx.Response(200, json={"recipient_id": "8000000000000001", "message_id": "m_REPLY"}))
        tw = mock.post("https://api.twilio.com/2010-04-01/Accounts/ACdemo00000000000000000000000000/Messages.json").mock(
            return_value=httpx.Response(201, json={"sid": "SMreply1", "status": "queued"}))
        assert drain("workers/outbound", "OUTBOUND_QUEUE_URL") == []
    assert json.loads(tg.calls.last.request.content) == {"chat_id": "555000999", "text": "respuesta a 555000999"}
    fb_body = json.loads(fb.calls.last.request.content)
    assert fb_body["recipient"] == {"id": "8000000000000001"} and fb_body["messaging_type"] == "RESPONSE"
    tw_form = dict(parse_qsl(tw.calls.last.request.content.decode()))
    assert tw_form["To"] == "+573005556677" and tw_form["From"] == "+15005550006"
    messages = call(API, "GET", f"/v1/conversations/{by_ref['555000999']}/messages",
                    principal=demo["admin@demo.local"]).body["items"]
    assert messages[0]["provider_message_id"] == "555000999:77" and messages[0]["status"] == "sent"


def test_a_messenger_read_watermark_marks_earlier_replies_read(demo):
    from infra.local.fake_providers import messenger_receipt_payload

    psid = "8100000000000001"
    post_meta(messenger_message_payload("300000000000001", psid=psid, mid="m_WM_IN", text="hola"))
    assert drain() == []
    items = call(API, "GET", "/v1/conversations", principal=demo["admin@demo.local"]).body["items"]
    conversation_id = next(c["id"] for c in items if c["contact"].get("external_id") == psid)
    first = _send(demo, conversation_id, {"text": "uno"})
    second = _send(demo, conversation_id, {"text": "dos"})
    with respx.mock() as mock:
        mock.post("https://graph.facebook.com/v21.0/300000000000001/messages").mock(side_effect=[
            httpx.Response(200, json={"recipient_id": psid, "message_id": "m_WM1"}),
            httpx.Response(200, json={"recipient_id": psid, "message_id": "m_WM2"})])
        assert drain("workers/outbound", "OUTBOUND_QUEUE_URL") == []
    # Messenger reports reads by watermark only (no mids): everything sent before it is read
    from skailan.platform.settings import get_settings
    from tests.support import OutboxWatch, dynamodb_requests

    outbox = OutboxWatch(get_settings().conversations_table)
    post_meta(messenger_receipt_payload("300000000000001", psid=psid, kind="read"))
    with dynamodb_requests() as sent:
        assert drain() == []
    assert _message(demo, conversation_id, first["id"])["status"] == "read"
    assert _message(demo, conversation_id, second["id"])["status"] == "read"
    # each message moved with its event in one transaction, then the inbox row once
    writes = [op for op in sent if op in ("PutItem", "UpdateItem", "BatchWriteItem", "TransactWriteItems")]
    assert writes == ["TransactWriteItems", "TransactWriteItems", "UpdateItem"], writes
    assert sorted((e.type, e.data["message_id"]) for e in outbox.events()) == sorted(
        [("message.status_changed", first["id"]), ("message.status_changed", second["id"])])


@pytest.mark.parametrize(("answer", "status", "event"), [
    (_wa_ok("wamid.TX-SENT"), "sent", "message.sent"),
    (httpx.Response(400, json={"error": {"message": "(#131026) Undeliverable", "code": 131026}}), "failed",
     "message.failed"),
])
def test_the_send_outcome_and_its_event_are_one_write(demo, answer, status, event):
    from skailan.platform.settings import get_settings
    from tests.support import OutboxWatch, dynamodb_requests

    conversation_id = _whatsapp_conversation(demo, "573220000090" if status == "sent" else "573220000091")
    queued = _send(demo, conversation_id, {"text": "Hola"})
    outbox = OutboxWatch(get_settings().conversations_table)
    with respx.mock() as mock, dynamodb_requests() as sent:
        mock.post(WA_URL).mock(return_value=answer)
        assert _work()["batchItemFailures"] == []
    assert _message(demo, conversation_id, queued["id"])["status"] == status
    # claim (UpdateItem), the outcome with its event (one write), the inbox row (UpdateItem): no
    # outbox PutItem / BatchWriteItem after the outcome
    writes = [op for op in sent if op in ("PutItem", "UpdateItem", "BatchWriteItem", "TransactWriteItems")]
    assert "PutItem" not in writes and "BatchWriteItem" not in writes, writes
    events = outbox.events()
    assert [e.type for e in events] == [event] and events[0].data["message_id"] == queued["id"]
