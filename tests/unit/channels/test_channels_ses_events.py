"""SES event publishing (configuration set → SNS): records as AWS documents them become the
delivery status of the e-mail we sent."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from skailan.channels import email as mail
from skailan.channels.errors import PayloadError
from skailan.channels.reasons import reason_for
from tests.unit.channels.test_channels_parser_fuzz import FUZZ, json_values, mutated

SES_ID = "EXAMPLE7c191be45-e9aedb9a-02f9-4d12-a87d-dd0099a07f8a-000000"


def _mail() -> dict[str, Any]:
    # The `mail` object of an event-publishing record (AWS: "Examples of event data that
    # Amazon SES publishes to Amazon SNS").
    return {
        "timestamp": "2017-08-05T00:40:02.012Z",
        "source": "Sender Name <Sender@Example.com>",
        "sourceArn": "arn:aws:ses:us-east-1:123456789012:identity/sender@example.com",
        "sendingAccountId": "123456789012",
        "messageId": SES_ID,
        "destination": ["recipient@example.com"],
        "headersTruncated": False,
        "headers": [{"name": "Message-ID", "value": f"<{SES_ID}@email.amazonses.com>"}],
        "commonHeaders": {"from": ["Sender Name <sender@example.com>"], "to": ["recipient@example.com"],
                          "messageId": SES_ID, "subject": "Message sent from Amazon SES"},
        "tags": {"ses:configuration-set": ["skailan-local-email"]},
    }


def delivery() -> dict[str, Any]:
    return {"eventType": "Delivery", "mail": _mail(), "delivery": {
        "timestamp": "2016-10-19T23:21:04.133Z", "processingTimeMillis": 11893,
        "recipients": ["recipient@example.com"],
        "smtpResponse": "250 2.6.0 Message received", "reportingMTA": "mta.example.com"}}


def bounce(bounce_type: str = "Permanent", sub_type: str = "General") -> dict[str, Any]:
    return {"eventType": "Bounce", "mail": _mail(), "bounce": {
        "bounceType": bounce_type, "bounceSubType": sub_type,
        "bouncedRecipients": [{"emailAddress": "recipient@example.com", "action": "failed", "status": "5.1.1",
                               "diagnosticCode": "smtp; 550 5.1.1 user unknown"}],
        "timestamp": "2017-08-05T00:41:02.669Z",
        "feedbackId": "01000157c44f053b-61b59c11-9236-11e6-8f96-7be8aexample-000000",
        "reportingMTA": "dsn; mta.example.com"}}


def complaint() -> dict[str, Any]:
    return {"eventType": "Complaint", "mail": _mail(), "complaint": {
        "complainedRecipients": [{"emailAddress": "recipient@example.com"}],
        "timestamp": "2017-08-05T00:41:02.669Z",
        "feedbackId": "01000157c44f053b-61b59c11-9236-11e6-8f96-7be8aexample-000000",
        "userAgent": "Mozilla/5.0", "complaintFeedbackType": "abuse",
        "arrivalDate": "2017-08-05T00:41:02.669Z"}}


def test_delivery_becomes_delivered_named_by_the_ses_message_id():
    event = mail.sending_event(json.dumps(delivery()))
    assert (event.event_type, event.ses_message_id, event.source) == ("Delivery", SES_ID, "sender@example.com")
    status = event.status
    assert status is not None and status.channel == "email" and status.kind == "status"
    assert (status.provider_message_id, status.status, status.provider_status) == (SES_ID, "delivered", "Delivery")
    assert status.timestamp == datetime(2016, 10, 19, 23, 21, 4, 133000, tzinfo=UTC)
    assert status.recipient_id == "recipient@example.com" and status.error is None
    assert not status.after_delivery
    assert "headers" not in status.raw["mail"]  # the bulky part of the record is not queued


def test_a_permanent_bounce_fails_with_the_diagnostic_and_may_follow_delivery():
    status = mail.sending_event(bounce()).status
    assert status is not None and status.status == "failed" and status.after_delivery
    assert status.provider_status == "Bounce:Permanent:General"
    assert status.error is not None and status.error.code == "permanent_bounce"
    assert status.error.title == "Permanent bounce (General)"
    assert status.error.message == "smtp; 550 5.1.1 user unknown"
    reason = reason_for("ses", "permanent_bounce")
    assert reason is not None and "rebotó" in reason.es and "bounced" in reason.en


@pytest.mark.parametrize("sub_type", ["Suppressed", "OnAccountSuppressionList"])
def test_a_suppressed_address_has_its_own_reason(sub_type):
    status = mail.sending_event(bounce("Permanent", sub_type)).status
    assert status is not None and status.error is not None and status.error.code == "suppressed"
    reason = reason_for("ses", "suppressed")
    assert reason is not None and "supresión" in reason.es and "suppression list" in reason.en


@pytest.mark.parametrize("bounce_type", ["Transient", "Undetermined"])
def test_transient_and_undetermined_bounces_do_not_fail_the_message(bounce_type):
    status = mail.sending_event(bounce(bounce_type, "MailboxFull")).status
    assert status is not None and status.status == "other" and status.error is None
    assert status.provider_status == f"Bounce:{bounce_type}:MailboxFull"


def test_a_complaint_fails_the_message_even_after_delivery():
    status = mail.sending_event(complaint()).status
    assert status is not None and status.status == "failed" and status.after_delivery
    assert status.error is not None and status.error.code == "complaint" and status.error.message == "abuse"
    reason = reason_for("ses", "complaint")
    assert reason is not None and "spam" in reason.es and "spam" in reason.en


def test_a_reject_fails_the_message():
    record = {"eventType": "Reject", "mail": _mail(), "reject": {"reason": "Bad content"}}
    status = mail.sending_event(record).status
    assert status is not None and status.status == "failed" and not status.after_delivery
    assert status.error is not None and (status.error.code, status.error.message) == ("rejected", "Bad content")


@pytest.mark.parametrize("event_type", ["Send", "Open", "Click", "DeliveryDelay", "Rendering Failure"])
def test_untracked_event_types_carry_no_status(event_type):
    event = mail.sending_event({"eventType": event_type, "mail": _mail()})
    assert event.status is None and event.ses_message_id == SES_ID


def test_a_redelivered_record_has_the_same_dedup_key():
    first, second = mail.sending_event(delivery()).status, mail.sending_event(delivery()).status
    assert first is not None and second is not None and first.dedup_key() == second.dedup_key()


def test_records_and_receipts_are_told_apart():
    assert mail.is_sending_event(delivery())
    assert not mail.is_sending_event({"notificationType": "Received", "mail": _mail()})
    assert not mail.is_sending_event([1, 2])


@pytest.mark.parametrize("damage", [
    lambda r: r["mail"].pop("messageId"),
    lambda r: r["mail"].update(source="not an address"),
    lambda r: r["mail"].pop("source"),
    lambda r: r["delivery"].update(timestamp="yesterday"),
    lambda r: r.update(mail="nope"),
])
def test_damaged_records_are_payload_errors(damage):
    record = delivery()
    damage(record)
    with pytest.raises(PayloadError):
        mail.sending_event(record)


def test_send_raw_names_the_configuration_set():
    calls: list[dict[str, Any]] = []

    class Ses:
        def send_raw_email(self, **kwargs: Any) -> dict[str, str]:
            calls.append(kwargs)
            return {"MessageId": SES_ID}

    assert mail.send_raw(Ses(), source="a@x.example", recipients=["b@y.example"], raw=b"x",
                         configuration_set="skailan-dev-email") == SES_ID
    assert mail.send_raw(Ses(), source="a@x.example", recipients=["b@y.example"], raw=b"x",
                         configuration_set=None) == SES_ID
    assert calls[0]["ConfigurationSetName"] == "skailan-dev-email"
    assert "ConfigurationSetName" not in calls[1]


def test_the_email_sender_records_both_our_message_id_and_the_ses_id():
    from skailan.channels.models import OutboundMessage

    sender = mail.EmailSender(transport=lambda composed: SES_ID, from_address="ventas@skailan.example")
    result = sender.send(OutboundMessage(channel="email", to="ana@cliente.example", type="text", text="hola"))
    assert result.provider_message_ids == [result.provider_message_id, SES_ID]
    assert result.transport_id == SES_ID


# --------------------------------------------------------------------------- fuzz


def _records() -> list[dict[str, Any]]:
    return [delivery(), bounce(), bounce("Transient", "MailboxFull"), bounce("Permanent", "Suppressed"), complaint(),
            {"eventType": "Reject", "mail": _mail(), "reject": {"reason": "Bad content"}}]


@FUZZ
@given(data=st.data())
def test_damaged_real_records_give_an_event_or_a_payload_error(data):
    from pydantic import TypeAdapter

    from skailan.channels.models import InboundStatus

    document = mutated(data, _records())
    for payload in (document, json.dumps(document)):
        try:
            event = mail.sending_event(payload)
        except PayloadError:
            continue
        assert isinstance(event, mail.SendingEvent)
        if event.status is not None:
            TypeAdapter(InboundStatus).dump_json(event.status)  # serialisable for the queue


@FUZZ
@given(payload=json_values | st.binary(max_size=100))
def test_any_json_gives_an_event_or_a_payload_error(payload):
    try:
        mail.sending_event(payload)
    except PayloadError:
        return
