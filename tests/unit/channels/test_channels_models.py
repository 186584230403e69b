from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic import TypeAdapter, ValidationError

from skailan.channels.models import (
    ErrorDetail,
    InboundEcho,
    InboundEvent,
    InboundMessage,
    InboundProviderError,
    InboundStatus,
    OutboundMedia,
    OutboundMessage,
    Sender,
    SendResult,
)

EVENTS = TypeAdapter(list[InboundEvent])
T0 = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)


def _message(**overrides):
    fields = {
        "channel": "whatsapp",
        "provider_message_id": "wamid.1",
        "sender": Sender(external_id="521"),
        "timestamp": T0,
        "type": "text",
        "text": "hola",
    }
    return InboundMessage(**fields | overrides)


def test_events_round_trip_through_json_by_their_kind():
    # Given one event of each kind
    events = [
        _message(),
        InboundEcho(channel="messenger", account_ref="page", message=_message(channel="messenger")),
        InboundStatus(
            channel="whatsapp",
            provider_message_id="wamid.2",
            status="read",
            provider_status="read",
            timestamp=T0,
        ),
        InboundProviderError(channel="whatsapp", account_ref="pn", error=ErrorDetail(code="131000")),
    ]
    # When they travel as JSON (the queue) and come back
    restored = EVENTS.validate_json(EVENTS.dump_json(events))
    # Then each comes back as its own class, equal to the original
    assert [type(event) for event in restored] == [
        InboundMessage,
        InboundEcho,
        InboundStatus,
        InboundProviderError,
    ]
    assert restored == events


def test_timestamps_are_aware_and_utc():
    event = _message(timestamp=datetime(2025, 1, 1, 6, 0, tzinfo=timezone(timedelta(hours=-6))))
    assert event.timestamp == T0 and event.timestamp.tzinfo == UTC
    with pytest.raises(ValidationError):
        _message(timestamp=datetime(2025, 1, 1, 12, 0))  # naive


def test_only_unsupported_messages_may_lack_a_sender():
    with pytest.raises(ValidationError, match="needs a sender"):
        _message(sender=None)
    assert _message(sender=None, type="unsupported").sender is None


def test_dedup_keys_distinguish_edits_and_statuses():
    assert _message().dedup_key() == "wamid.1"
    edited = _message(edited=True, provider_event_id="815")
    assert edited.dedup_key() == "wamid.1:edit:815"
    status = InboundStatus(
        channel="whatsapp", provider_message_id="wamid.1", status="sent", provider_status="sent", timestamp=T0
    )
    assert status.dedup_key() == "status:wamid.1:sent"


def test_outbound_accepts_a_single_media_as_shorthand():
    message = OutboundMessage(
        channel="whatsapp", to="521", type="image", media={"url": "https://cdn.example/a.jpg"}
    )
    assert message.attachments == [OutboundMedia(url="https://cdn.example/a.jpg")]
    assert message.media == OutboundMedia(url="https://cdn.example/a.jpg")


def test_models_are_frozen_and_strict():
    with pytest.raises(ValidationError):
        _message().text = "other"  # type: ignore[misc]
    with pytest.raises(ValidationError):
        _message(unknown_field=1)


def test_send_result_lists_its_first_id():
    assert SendResult(provider_message_id="a").provider_message_ids == ["a"]
