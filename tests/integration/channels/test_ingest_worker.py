"""The ingest worker: idempotent, one transaction per message, monotonic statuses, re-opening,
media to S3, malformed records to the DLQ with their reason while the rest of the batch goes on."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import respx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from infra.local.fake_providers import PNG
from tests.integration.channels.conftest import (
    DEMO_PHONE_ID,
    drain,
    post_meta,
    purge,
    queue_url,
    queued,
    receive_all,
    run_worker,
    whatsapp_status,
    whatsapp_text,
)
from tests.support import call

API = "api/conversations"


@pytest.fixture(autouse=True)
def empty_queues(demo):
    for name in ("INBOUND_QUEUE_URL", "INBOUND_DEAD_LETTER_QUEUE_URL", "OUTBOUND_QUEUE_URL"):
        purge(name)
    yield


@pytest.fixture
def published(demo):
    """The events the conversations context wrote to its table's outbox (read back from the table)."""
    from skailan.platform.settings import get_settings
    from tests.support import OutboxWatch

    return OutboxWatch(get_settings().conversations_table)


@pytest.fixture
def aws_calls(monkeypatch):
    """Every AWS request by (service, operation) — pynamodb and boto3 both go through here."""
    from botocore.client import BaseClient

    calls: list[tuple[str, str]] = []
    original = BaseClient._make_api_call

    def counting(self, operation_name, api_params):
        calls.append((self.meta.service_model.service_name, operation_name))
        return original(self, operation_name, api_params)

    monkeypatch.setattr(BaseClient, "_make_api_call", counting)
    return calls


def _conversation(principal, external_id):
    items = call(API, "GET", "/v1/conversations", principal=principal).body["items"]
    return next(c for c in items if c["contact"].get("external_id") == external_id)


def _messages(principal, conversation_id):
    return call(API, "GET", f"/v1/conversations/{conversation_id}/messages", principal=principal).body["items"]


def test_new_customer_gets_a_person_a_conversation_and_events_in_its_outbox(demo, published):
    post_meta(whatsapp_text("Primera vez", message_id="wamid.NEW1", wa_id="573110000001", name="Nuevo Cliente"))
    assert drain() == []
    events = published.events()
    assert [e.type for e in events] == ["conversation.created", "message.received"]
    event = events[1]
    assert event.tenant_id == "demo" and event.data["provider_message_id"] == "wamid.NEW1"
    conversation = _conversation(demo["admin@demo.local"], "573110000001")
    assert conversation["contact"]["person_id"] == event.data["person_id"]
    # the CRM knows the person by the WhatsApp identity and the phone
    from skailan.crm.store.person_reads import find_by_identity

    assert find_by_identity("demo", "whatsapp", "573110000001").person_id == event.data["person_id"]


def test_the_same_event_processed_twice_stores_one_message(demo):
    # SQS deduplicates within five minutes; later redeliveries meet the conditional put.
    post_meta(whatsapp_text("Duplicado", message_id="wamid.DUP1", wa_id="573110000002", name="Dup"))
    (message,) = queued()
    from skailan.conversations.ingest import worker as ingest

    first = ingest.process_record(message["Body"], message_id="a", group_id="g", receive_count=1)
    second = ingest.process_record(message["Body"], message_id="b", group_id="g", receive_count=1)
    assert (first.result, second.result) == ("stored", "duplicate")
    purge("INBOUND_QUEUE_URL")
    conversation = _conversation(demo["admin@demo.local"], "573110000002")
    assert conversation["message_count"] == 1 and conversation["unread_count"] == 1
    assert len(_messages(demo["admin@demo.local"], conversation["id"])) == 1


def test_a_known_customer_text_costs_three_dynamodb_requests_and_no_put_events(demo, aws_calls, published):
    post_meta(whatsapp_text("uno", message_id="wamid.COST1", wa_id="573110000003", name="Costo"))
    assert drain() == []
    post_meta(whatsapp_text("dos", message_id="wamid.COST2", wa_id="573110000003", name="Costo"))
    messages = receive_all(queue_url("INBOUND_QUEUE_URL"))
    aws_calls.clear()
    run_worker("workers/ingest", queue_url("INBOUND_QUEUE_URL"), messages)
    # the worker's own requests (the test's DeleteMessage comes after)
    worker = [c for c in aws_calls if c != ("sqs", "DeleteMessage")]
    dynamodb = [op for service, op in worker if service == "dynamodb"]
    assert len(dynamodb) <= 4, worker
    assert dynamodb.count("TransactWriteItems") == 1
    # the events are outbox items of that transaction: the Pipe, not the worker, calls PutEvents
    assert [c for c in worker if c[0] == "events"] == []
    assert len(worker) == len(dynamodb)
    assert published.types() == ["conversation.created", "message.received", "message.received"]


def test_last_customer_message_at_is_the_providers_time(demo):
    sent_at = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=3)
    post_meta(whatsapp_text("antes", message_id="wamid.TIME1", wa_id="573110000004", name="Tiempo", at=sent_at))
    assert drain() == []
    conversation = _conversation(demo["admin@demo.local"], "573110000004")
    assert conversation["last_customer_message_at"] == sent_at.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    expires = datetime.fromisoformat(conversation["reply_window_expires_at"].replace("Z", "+00:00"))
    assert expires == sent_at + timedelta(hours=24)


def test_a_closed_conversation_reopens_when_the_customer_writes(demo, published):
    from skailan.conversations.store.items import CONVERSATION_SK, ConversationItem, conversation_pk, inbox_pk

    post_meta(whatsapp_text("hola", message_id="wamid.RE1", wa_id="573110000005", name="Reabre"))
    assert drain() == []
    conversation = _conversation(demo["admin@demo.local"], "573110000005")
    # the inbox closes it
    ConversationItem(conversation_pk("demo", conversation["id"]), CONVERSATION_SK).update(actions=[
        ConversationItem.status.set("closed"), ConversationItem.gsi1pk.set(inbox_pk("demo", "closed"))])
    published.mark()
    post_meta(whatsapp_text("otra pregunta", message_id="wamid.RE2", wa_id="573110000005", name="Reabre"))
    assert drain() == []
    assert published.types() == ["conversation.reopened", "message.received"]
    again = _conversation(demo["admin@demo.local"], "573110000005")
    assert again["id"] == conversation["id"] and again["status"] == "open" and again["message_count"] == 2
    open_ids = [c["id"] for c in call(API, "GET", "/v1/conversations", principal=demo["admin@demo.local"],
                                      query={"status": "open"}).body["items"]]
    assert conversation["id"] in open_ids


def _outbound(demo, external_id: str, wamid: str) -> tuple[str, str]:
    """A stored reply to `external_id` whose provider id is `wamid`."""
    post_meta(whatsapp_text("hola", message_id=f"wamid.IN-{wamid}", wa_id=external_id, name="Estado"))
    assert drain() == []
    conversation = _conversation(demo["admin@demo.local"], external_id)
    sent = call(API, "POST", f"/v1/conversations/{conversation['id']}/messages", principal=demo["admin@demo.local"],
                body={"text": "respuesta"})
    with respx.mock() as mock:
        mock.post(f"https://graph.facebook.com/v21.0/{DEMO_PHONE_ID}/messages").mock(return_value=httpx.Response(
            200, json={"messaging_product": "whatsapp", "messages": [{"id": wamid}]}))
        assert drain("workers/outbound", "OUTBOUND_QUEUE_URL") == []
    return conversation["id"], sent.body["id"]


def test_statuses_only_move_forward_and_failed_keeps_the_providers_code(demo, published):
    from tests.support import dynamodb_requests

    admin = demo["admin@demo.local"]
    conversation_id, message_id = _outbound(demo, "573110000006", "wamid.ST1")
    published.mark()
    # read arrives before delivered; then a late delivered
    post_meta(whatsapp_status("wamid.ST1", "read", recipient="573110000006"))
    post_meta(whatsapp_status("wamid.ST1", "delivered", recipient="573110000006"))
    with dynamodb_requests() as sent:
        assert drain() == []
    # read: the message and its event in one transaction, then the inbox row; the late delivered writes nothing
    writes = [op for op in sent if op in ("PutItem", "UpdateItem", "BatchWriteItem", "TransactWriteItems")]
    assert writes == ["TransactWriteItems", "UpdateItem"], writes
    assert [(e.type, e.data["status"]) for e in published.events()] == [("message.status_changed", "read")]
    message = next(m for m in _messages(admin, conversation_id) if m["id"] == message_id)
    assert message["status"] == "read" and "delivered" not in message["status_times"]
    conversation = call(API, "GET", f"/v1/conversations/{conversation_id}", principal=admin).body
    assert conversation["last_message"]["status"] == "read"
    # a failure after read is ignored too
    post_meta(whatsapp_status("wamid.ST1", "failed", recipient="573110000006"))
    assert drain() == []
    assert next(m for m in _messages(admin, conversation_id) if m["id"] == message_id)["status"] == "read"
    assert [e.type for e in published.events()] == ["message.status_changed"]

    # failed on a sent message keeps the provider's code and title, with reasons in es and en
    conversation_id, message_id = _outbound(demo, "573110000007", "wamid.ST2")
    post_meta(whatsapp_status("wamid.ST2", "failed", recipient="573110000007", error={
        "code": 131047, "title": "Re-engagement message", "message": "Re-engagement message",
        "error_data": {"details": "Message failed to send because more than 24 hours have passed."}}))
    assert drain() == []
    message = next(m for m in _messages(admin, conversation_id) if m["id"] == message_id)
    assert message["status"] == "failed"
    assert message["error"]["code"] == "131047" and message["error"]["title"] == "Re-engagement message"
    assert "24 horas" in message["error"]["reason_es"] and "24 hours" in message["error"]["reason_en"]
    assert published.types()[-1] == "message.failed"
    post_meta(whatsapp_status("wamid.ST2", "delivered", recipient="573110000007"))
    assert drain() == []
    assert next(m for m in _messages(admin, conversation_id) if m["id"] == message_id)["status"] == "failed"


def test_a_status_for_a_message_not_recorded_yet_is_retried_then_dropped(demo):
    from skailan.conversations.ingest import worker as ingest

    post_meta(whatsapp_status("wamid.NOBODY", "delivered", recipient="573110000008"))
    (message,) = queued()
    purge("INBOUND_QUEUE_URL")
    from skailan.platform.errors import Retryable

    with pytest.raises(Retryable):
        ingest.process_record(message["Body"], message_id="m", group_id="g", receive_count=1)
    assert ingest.process_record(message["Body"], message_id="m", group_id="g", receive_count=3).result == "logged"


def test_whatsapp_media_is_downloaded_to_s3_through_the_provider(demo, monkeypatch):
    from skailan.platform.settings import get_settings

    monkeypatch.setenv("GRAPH_API_URL", "http://127.0.0.1:9/graph/v21.0")
    monkeypatch.setenv("LOCAL_PROVIDER_HOSTS", "127.0.0.1:9")
    get_settings.cache_clear()
    try:
        image = {"type": "image", "image": {"caption": "mi factura", "mime_type": "image/png",
                                            "sha256": "x", "id": "1479537139650973"}}
        payload = whatsapp_text("", message_id="wamid.IMG1", wa_id="573110000009", name="Foto")
        payload["entry"][0]["changes"][0]["value"]["messages"][0] = {
            **{k: v for k, v in payload["entry"][0]["changes"][0]["value"]["messages"][0].items() if k != "text"},
            **image}
        post_meta(payload)
        with respx.mock(assert_all_called=True) as mock:
            lookup = mock.get("http://127.0.0.1:9/graph/v21.0/1479537139650973").mock(return_value=httpx.Response(
                200, json={"url": "http://127.0.0.1:9/media/1479537139650973", "mime_type": "image/png"}))
            mock.get("http://127.0.0.1:9/media/1479537139650973").mock(return_value=httpx.Response(
                200, content=PNG, headers={"Content-Type": "image/png"}))
            assert drain() == []
        assert lookup.calls.last.request.headers["authorization"] == "Bearer demo-whatsapp-token"
    finally:
        get_settings.cache_clear()
    conversation = _conversation(demo["admin@demo.local"], "573110000009")
    (message,) = _messages(demo["admin@demo.local"], conversation["id"])
    assert message["type"] == "image" and message["text"] == "mi factura"
    assert message["media"]["mime_type"] == "image/png" and message["media"]["size"] == len(PNG)
    assert message["media"]["url"].startswith("https://")  # signed S3 URL
    from skailan.platform.aws import client

    listed = client("s3").list_objects_v2(Bucket=get_settings().media_bucket, Prefix="demo/demo-whatsapp/")
    assert any(o["Size"] == len(PNG) for o in listed.get("Contents", []))


def test_media_on_an_unsafe_host_is_not_fetched_and_the_message_is_kept(demo):
    from infra.local.fake_providers import messenger_message_payload

    payload = messenger_message_payload("300000000000001", psid="7000000000000001", mid="m_UNSAFE", text="x")
    payload["entry"][0]["messaging"][0]["message"] = {"mid": "m_UNSAFE", "attachments": [
        {"type": "image", "payload": {"url": "http://169.254.169.254/latest/meta-data/iam"}}]}
    post_meta(payload)
    with respx.mock(assert_all_mocked=True, assert_all_called=False):
        assert drain() == []
    conversation = _conversation(demo["admin@demo.local"], "7000000000000001")
    (message,) = _messages(demo["admin@demo.local"], conversation["id"])
    assert message["type"] == "image" and message["media"]["url"] is None
    assert "https only" in message["media"]["error"] or "not allowed" in message["media"]["error"]


def test_a_malformed_record_goes_to_the_dlq_with_its_reason_and_the_batch_goes_on(demo):
    from skailan.platform.aws import client

    sqs = client("sqs")
    url = queue_url("INBOUND_QUEUE_URL")
    sqs.send_message(QueueUrl=url, MessageBody="{not json", MessageGroupId="bad", MessageDeduplicationId="bad-1")
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"v": 1, "tenant_id": "demo"}), MessageGroupId="bad2",
                     MessageDeduplicationId="bad-2")
    post_meta(whatsapp_text("sigo aquí", message_id="wamid.GOOD1", wa_id="573110000010", name="Bueno"))
    assert drain() == []
    dead = receive_all(queue_url("INBOUND_DEAD_LETTER_QUEUE_URL"))
    reasons = sorted(m["MessageAttributes"]["reason"]["StringValue"].split(":")[0] for m in dead)
    assert reasons == ["ValidationError", "ValidationError"]
    assert _conversation(demo["admin@demo.local"], "573110000010")["last_message"]["text"] == "sigo aquí"


_noise = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(junk=st.one_of(st.text(max_size=200), _noise.map(json.dumps)),
       event_junk=_noise)
def test_fuzzed_records_fail_alone(demo, junk, event_junk):
    """Garbage bodies and damaged envelopes go to the DLQ; the good record in the batch is stored."""
    from skailan.conversations.ingest import worker as ingest
    from skailan.platform.aws import client

    good = post_meta(whatsapp_text("ok", message_id=f"wamid.FZ{abs(hash(junk)) % 10**9}", wa_id="573110000011",
                                   name="Fuzz"))
    assert good.status == 200
    (message,) = receive_all(queue_url("INBOUND_QUEUE_URL"))
    envelope = json.loads(message["Body"])
    damaged = {**envelope, "event": {**envelope["event"], "sender": event_junk}}
    records = [
        {"MessageId": "junk", "ReceiptHandle": "r1", "Body": junk, "Attributes": {"MessageGroupId": "j1",
                                                                                 "ApproximateReceiveCount": "1"}},
        {"MessageId": "damaged", "ReceiptHandle": "r2", "Body": json.dumps(damaged),
         "Attributes": {"MessageGroupId": "j2", "ApproximateReceiveCount": "1"}},
        message,
    ]
    from infra.local.pollers import sqs_record
    from tests.support import FakeContext, handler_of

    arn = "arn:aws:sqs:us-east-1:123456789012:skailan-local-inbound.fifo"
    result = handler_of("workers/ingest")({"Records": [sqs_record(r, arn, "us-east-1") for r in records]},
                                          FakeContext())
    failed = {f["itemIdentifier"] for f in result["batchItemFailures"]}
    assert message["MessageId"] not in failed
    client("sqs").delete_message(QueueUrl=queue_url("INBOUND_QUEUE_URL"), ReceiptHandle=message["ReceiptHandle"])
    assert failed <= {"damaged"}  # a damaged sender that still validates is simply stored or dropped
    assert ingest  # imported for the side effect of a warm module
