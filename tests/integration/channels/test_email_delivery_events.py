"""SES delivery events for the e-mail we send: configuration set → SNS (signature verified) →
/webhooks/ses → ingest → the reply's status (delivered / failed), monotonic and idempotent."""

from __future__ import annotations

import contextlib
import json
import uuid
from typing import Any

import httpx
import pytest
import respx

from infra.local.fake_providers import SnsSigner, compose_mime, ses_received_notification
from tests.integration.channels.conftest import drain, http_request, invoke_http, purge, queued
from tests.support import call

API = "api/conversations"
CERT_URL = "http://127.0.0.1:9/sns/cert.pem"
DEMO_ADDRESS = "soporte@demo.local"
ACME_ADDRESS = "ventas@acme.local"


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


@pytest.fixture
def acme_email(demo):
    """Acme claims an e-mail address of its own (once per module's moto)."""
    from skailan.conversations import accounts
    from skailan.platform.errors import Conflict
    from skailan.tenancy import channel_accounts
    from skailan.tenancy.models import ChannelAccountIn

    with contextlib.suppress(Conflict):
        channel_accounts.create_account(None, "acme", ChannelAccountIn.model_validate(
            {"id": "acme-email", "channel": "email", "name": "Ventas Acme", "external": {"address": ACME_ADDRESS}}))
    accounts.clear_cache()
    return ACME_ADDRESS


# ---------------------------------------------------------------- helpers


def _post(envelope: dict[str, Any]):
    return invoke_http("webhooks/ses", http_request("POST", "/webhooks/ses", body=json.dumps(envelope).encode(),
                                                    headers={"content-type": "text/plain; charset=UTF-8"}))


def _reply(demo, signer: SnsSigner) -> tuple[str, str, str]:
    """A customer writes to the demo brand, an agent answers: (conversation, message, SES id)."""
    from infra.local.seed import local_mail
    from skailan.platform.aws import client
    from skailan.platform.settings import get_settings

    admin = demo["admin@demo.local"]
    settings = get_settings()
    token = uuid.uuid4().hex[:12]
    customer = f"cliente-{token}@example.com"
    key = f"inbound/{token}"
    client("s3").put_object(Bucket=settings.inbound_mail_bucket, Key=key, Body=compose_mime(
        sender=customer, to=DEMO_ADDRESS, subject=f"Pedido {token}", text="¿Y mi pedido?",
        message_id=f"{token}@example.com"))
    receipt = ses_received_notification(message_id=token, recipients=[DEMO_ADDRESS], sender=customer,
                                        bucket=settings.inbound_mail_bucket, key=key, subject=f"Pedido {token}")
    assert _post(signer.notification(settings.inbound_mail_topic_arn, json.dumps(receipt))).status == 200
    assert drain() == []
    conversation = next(c for c in call(API, "GET", "/v1/conversations", principal=admin).body["items"]
                        if c["contact"].get("email") == customer)
    sent = call(API, "POST", f"/v1/conversations/{conversation['id']}/messages", principal=admin,
                body={"text": "Sale mañana."})
    assert sent.status == 202, sent.body
    before = len(local_mail())
    assert drain("workers/outbound", "OUTBOUND_QUEUE_URL") == []
    (mail,) = local_mail()[before:]
    assert _message(demo, conversation["id"], sent.body["id"])["status"] == "sent"
    return conversation["id"], sent.body["id"], mail["id"]


def _message(demo, conversation_id: str, message_id: str) -> dict[str, Any]:
    items = call(API, "GET", f"/v1/conversations/{conversation_id}/messages",
                 principal=demo["admin@demo.local"]).body["items"]
    return next(m for m in items if m["id"] == message_id)


def _record(event_type: str, ses_id: str, *, source: str = DEMO_ADDRESS, **detail: Any) -> dict[str, Any]:
    """An event-publishing record as SES publishes it to SNS (AWS's documented shape)."""
    mail = {"timestamp": "2026-11-23T16:15:47.768Z", "source": f"Soporte Demo <{source}>",
            "sourceArn": f"arn:aws:ses:us-east-1:123456789012:identity/{source.split('@')[1]}",
            "sendingAccountId": "123456789012", "messageId": ses_id, "destination": ["cliente@example.com"],
            "headersTruncated": False, "headers": [], "commonHeaders": {"messageId": ses_id},
            "tags": {"ses:configuration-set": ["skailan-local-email"]}}
    record: dict[str, Any] = {"eventType": event_type, "mail": mail}
    if event_type == "Delivery":
        record["delivery"] = {"timestamp": "2026-11-23T16:15:49.101Z", "processingTimeMillis": 1333,
                              "recipients": ["cliente@example.com"], "smtpResponse": "250 2.6.0 Message received",
                              "reportingMTA": "a8-50.smtp-out.amazonses.com"}
    elif event_type == "Bounce":
        record["bounce"] = {"bounceType": detail.get("bounce_type", "Permanent"),
                            "bounceSubType": detail.get("sub_type", "General"),
                            "bouncedRecipients": [{"emailAddress": "cliente@example.com", "action": "failed",
                                                   "status": "5.1.1", "diagnosticCode": "smtp; 550 5.1.1 user unknown"}],
                            "timestamp": "2026-11-23T16:15:50.000Z", "feedbackId": f"fb-{uuid.uuid4()}",
                            "reportingMTA": "dsn; a8-50.smtp-out.amazonses.com"}
    elif event_type == "Complaint":
        record["complaint"] = {"complainedRecipients": [{"emailAddress": "cliente@example.com"}],
                               "timestamp": "2026-11-23T16:20:00.000Z", "feedbackId": f"fb-{uuid.uuid4()}",
                               "complaintFeedbackType": "abuse"}
    return record


def _event(signer: SnsSigner, record: dict[str, Any], *, topic: str | None = None) -> dict[str, str]:
    from skailan.platform.settings import get_settings

    return signer.notification(topic or get_settings().email_events_topic_arn, json.dumps(record))


# ---------------------------------------------------------------- tests


def test_the_template_gives_the_webhook_its_events_topic_and_the_sender_its_configuration_set():
    from skailan.platform.settings import get_settings

    settings = get_settings()
    assert settings.email_events_topic_arn.endswith("skailan-local-email-events")
    assert settings.email_events_topic_arn != settings.inbound_mail_topic_arn
    assert settings.ses_configuration_set  # a name locally (moto has no configuration sets)


def test_the_reply_is_sent_with_the_configuration_set(demo, local_sns):
    from unittest import mock

    import botocore.client

    from skailan.platform.settings import get_settings

    seen: list[dict[str, Any]] = []
    real_call = botocore.client.BaseClient._make_api_call

    def record_call(self, operation, params):  # moto accepts and drops ConfigurationSetName
        if operation == "SendRawEmail":
            seen.append(params)
        return real_call(self, operation, params)

    with mock.patch.object(botocore.client.BaseClient, "_make_api_call", record_call):
        _reply(demo, local_sns)
    (params,) = seen
    assert params["ConfigurationSetName"] == get_settings().ses_configuration_set


def test_delivery_moves_a_sent_email_to_delivered_and_a_replay_changes_nothing(demo, local_sns):
    from skailan.conversations.ingest import worker as ingest

    conversation_id, message_id, ses_id = _reply(demo, local_sns)
    envelope = _event(local_sns, _record("Delivery", ses_id))
    reply = _post(envelope)
    assert reply.status == 200 and reply.body == {"type": "notification", "queued": 1, "dropped": 0}
    (record,) = queued()
    assert drain() == []
    delivered = _message(demo, conversation_id, message_id)
    assert delivered["status"] == "delivered" and delivered["error"] is None
    # The sample's delivery time (2026-11-23) is older than this run's send: never shown before it.
    assert delivered["status_times"]["delivered"] == delivered["status_times"]["sent"]
    # SNS redelivers the same notification: accepted, and nothing changes a second time
    assert _post(envelope).status == 200
    assert drain() == []
    outcome = ingest.process_record(record["Body"], message_id="replay", group_id="g", receive_count=1)
    assert outcome.result == "stale" and outcome.events == []
    assert _message(demo, conversation_id, message_id) == delivered
    conversation = call(API, "GET", f"/v1/conversations/{conversation_id}", principal=demo["admin@demo.local"]).body
    assert conversation["last_message"]["status"] == "delivered"


def test_a_permanent_bounce_fails_the_message_with_the_reason(demo, local_sns):
    conversation_id, message_id, ses_id = _reply(demo, local_sns)
    assert _post(_event(local_sns, _record("Bounce", ses_id))).body["queued"] == 1
    assert drain() == []
    failed = _message(demo, conversation_id, message_id)
    assert failed["status"] == "failed"
    error = failed["error"]
    assert error["code"] == "permanent_bounce" and error["title"] == "Permanent bounce (General)"
    assert error["message"] == "smtp; 550 5.1.1 user unknown"
    assert "rebotó" in error["reason_es"] and "bounced" in error["reason_en"]
    # a late Delivery does not undo the failure
    assert _post(_event(local_sns, _record("Delivery", ses_id))).body["queued"] == 1
    assert drain() == []
    assert _message(demo, conversation_id, message_id)["status"] == "failed"


def test_a_bounce_or_complaint_after_delivery_still_fails_the_message(demo, local_sns):
    conversation_id, message_id, ses_id = _reply(demo, local_sns)
    assert _post(_event(local_sns, _record("Delivery", ses_id))).status == 200
    assert drain() == []
    assert _message(demo, conversation_id, message_id)["status"] == "delivered"
    assert _post(_event(local_sns, _record("Complaint", ses_id))).body["queued"] == 1
    assert drain() == []
    failed = _message(demo, conversation_id, message_id)
    assert failed["status"] == "failed" and failed["error"]["code"] == "complaint"
    assert "spam" in failed["error"]["reason_es"] and "spam" in failed["error"]["reason_en"]
    # the same complaint again (SNS retries) changes nothing
    assert _post(_event(local_sns, _record("Complaint", ses_id))).status == 200
    assert drain() == []
    assert _message(demo, conversation_id, message_id) == failed


@pytest.mark.parametrize("bounce_type", ["Transient", "Undetermined"])
def test_a_transient_bounce_changes_nothing(demo, local_sns, bounce_type):
    conversation_id, message_id, ses_id = _reply(demo, local_sns)
    before = _message(demo, conversation_id, message_id)
    reply = _post(_event(local_sns, _record("Bounce", ses_id, bounce_type=bounce_type, sub_type="MailboxFull")))
    assert reply.status == 200
    assert drain() == []
    assert _message(demo, conversation_id, message_id) == before
    assert before["status"] == "sent"


def test_a_forged_or_unsigned_event_is_refused_and_changes_nothing(demo, local_sns):
    conversation_id, message_id, ses_id = _reply(demo, local_sns)
    forged = _event(local_sns, _record("Delivery", "someone-elses-id"))
    forged["Message"] = json.dumps(_record("Bounce", ses_id))  # signed for another message
    assert _post(forged).status == 403
    unsigned = _event(local_sns, _record("Bounce", ses_id))
    del unsigned["Signature"]
    assert _post(unsigned).status == 401
    other_topic = _event(local_sns, _record("Bounce", ses_id), topic="arn:aws:sns:us-east-1:123456789012:elsewhere")
    assert _post(other_topic).status == 403
    foreign_signer = SnsSigner()  # a valid-looking signature from a key SNS never used
    assert _post(_event(foreign_signer, _record("Bounce", ses_id))).status == 403
    assert queued() == []
    assert _message(demo, conversation_id, message_id)["status"] == "sent"


def test_an_event_for_another_brand_or_an_unknown_message_changes_nothing(demo, local_sns, acme_email):
    from skailan.conversations.ingest import worker as ingest
    from skailan.platform.errors import Retryable

    conversation_id, message_id, ses_id = _reply(demo, local_sns)
    # an address nobody claimed: dropped at the webhook
    reply = _post(_event(local_sns, _record("Bounce", ses_id, source="nadie@nowhere.example")))
    assert reply.status == 200 and reply.body == {"type": "notification", "queued": 0, "dropped": 1}
    assert queued() == []
    # sent from Acme's address but naming demo's message: routed to Acme, found nowhere there
    assert _post(_event(local_sns, _record("Bounce", ses_id, source=acme_email))).body["queued"] == 1
    (foreign,) = queued()
    purge("INBOUND_QUEUE_URL")
    with pytest.raises(Retryable):  # it may have overtaken Acme's send worker: retried, then dropped
        ingest.process_record(foreign["Body"], message_id="m", group_id="g", receive_count=1)
    assert ingest.process_record(foreign["Body"], message_id="m", group_id="g", receive_count=3).result == "logged"
    # demo's own address, a message id demo never sent
    assert _post(_event(local_sns, _record("Bounce", "0100018f-unknown-000000"))).body["queued"] == 1
    (unknown,) = queued()
    purge("INBOUND_QUEUE_URL")
    assert ingest.process_record(unknown["Body"], message_id="u", group_id="g", receive_count=3).result == "logged"
    assert _message(demo, conversation_id, message_id)["status"] == "sent"


def test_untracked_event_types_are_accepted_and_ignored(demo, local_sns):
    conversation_id, message_id, ses_id = _reply(demo, local_sns)
    for event_type in ("Send", "Open", "DeliveryDelay"):
        reply = _post(_event(local_sns, _record(event_type, ses_id)))
        assert reply.status == 200 and reply.body == {"type": "notification", "queued": 0, "dropped": 0}
    assert queued() == []
    assert _message(demo, conversation_id, message_id)["status"] == "sent"


def test_a_customer_reply_to_our_ses_message_id_joins_the_conversation(demo, local_sns):
    """SES rewrites Message-ID to `<MessageId>@email.amazonses.com`; replies name that one."""
    from skailan.platform.aws import client
    from skailan.platform.settings import get_settings

    conversation_id, _message_id, ses_id = _reply(demo, local_sns)
    settings = get_settings()
    token = uuid.uuid4().hex[:12]
    key = f"inbound/{token}"
    client("s3").put_object(Bucket=settings.inbound_mail_bucket, Key=key, Body=compose_mime(
        sender="otra.persona@example.com", to=DEMO_ADDRESS, subject="Re: Pedido", text="Perfecto, gracias",
        message_id=f"{token}@example.com", in_reply_to=f"{ses_id}@email.amazonses.com"))
    receipt = ses_received_notification(message_id=token, recipients=[DEMO_ADDRESS], sender="otra.persona@example.com",
                                        bucket=settings.inbound_mail_bucket, key=key, subject="Re: Pedido")
    assert _post(local_sns.notification(settings.inbound_mail_topic_arn, json.dumps(receipt))).status == 200
    assert drain() == []
    again = call(API, "GET", f"/v1/conversations/{conversation_id}", principal=demo["admin@demo.local"]).body
    assert again["message_count"] == 3 and again["last_message"]["text"].startswith("Perfecto")
