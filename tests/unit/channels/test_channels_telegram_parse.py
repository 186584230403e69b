from __future__ import annotations

from datetime import UTC, datetime

import pytest

from skailan.channels import telegram
from skailan.channels.errors import PayloadError
from skailan.channels.models import InboundMessage

RECEIVED = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)


def parse_one(fixture_json, name) -> InboundMessage:
    (event,) = telegram.parse(fixture_json("telegram", name), received_at=RECEIVED)
    assert isinstance(event, InboundMessage)
    assert event.channel == "telegram" and event.account_ref is None
    return event


def test_text_message_ids_are_unique_per_bot(fixture_json):
    event = parse_one(fixture_json, "text")
    assert event.provider_message_id == "111222333:42"
    assert event.provider_event_id == "815361001"
    assert event.conversation_ref == "111222333"
    assert (event.sender.external_id, event.sender.display_name, event.sender.username) == (
        "111222333",
        "Ana López",
        "analopez",
    )
    assert event.timestamp == datetime.fromtimestamp(1735689600, UTC)
    assert (event.type, event.text) == ("text", "Hola, ¿tienen envío a Monterrey?")


def test_photo_takes_the_largest_size(fixture_json):
    event = parse_one(fixture_json, "photo")
    assert event.type == "image"
    assert (event.media.provider_media_id, event.media.size, event.text) == (
        "AgACAgEAAxkBAAIBZ2_large",
        89120,
        "Este modelo",
    )


@pytest.mark.parametrize(
    ("name", "kind", "file_id", "mime"),
    [
        ("document", "document", "BQACAgEAAxkBAAIBaGdoc", "application/pdf"),
        ("voice", "audio", "AwACAgEAAxkBAAIBaWvoice", "audio/ogg"),
        ("audio", "audio", "CQACAgEAAxkBAAIBaudio", "audio/mpeg"),
        ("video", "video", "BAACAgEAAxkBAAIBavideo", "video/mp4"),
        ("video_note", "video", "DQACAgEAAxkBAAIBvnote", None),
        ("animation", "video", "CgACAgEAAxkBanim", "video/mp4"),
        ("sticker", "sticker", "CAACAgIAAxkBAAIBsticker", "image/webp"),
    ],
)
def test_files(fixture_json, name, kind, file_id, mime):
    event = parse_one(fixture_json, name)
    assert (event.type, event.media.provider_media_id, event.media.mime_type) == (kind, file_id, mime)


def test_document_keeps_its_name(fixture_json):
    assert parse_one(fixture_json, "document").media.filename == "cotizacion.pdf"


def test_location_and_venue(fixture_json):
    location = parse_one(fixture_json, "location").location
    venue = parse_one(fixture_json, "venue").location
    assert (location.latitude, location.longitude, location.name) == (25.686614, -100.316113, None)
    assert (venue.name, venue.address) == ("Zócalo", "Plaza de la Constitución, CDMX")


def test_contact(fixture_json):
    event = parse_one(fixture_json, "contact")
    (card,) = event.contacts
    assert (card.name, card.phones, card.external_id) == ("Luis Pérez", ["+5215512345678"], "444555666")


def test_reply_points_to_the_message_in_the_same_chat(fixture_json):
    assert parse_one(fixture_json, "reply").reply_to_provider_id == "111222333:40"


def test_edited_message_keeps_its_id_and_dedups_separately(fixture_json):
    event = parse_one(fixture_json, "edited_message")
    assert event.edited and event.provider_message_id == "111222333:42"
    assert event.timestamp == datetime.fromtimestamp(1735689660, UTC)
    assert event.dedup_key() == "111222333:42:edit:815361014"


def test_channel_post_is_spoken_by_the_channel(fixture_json):
    event = parse_one(fixture_json, "channel_post")
    assert (event.sender.external_id, event.sender.display_name, event.provider_message_id) == (
        "-1001234567890",
        "Skailan News",
        "-1001234567890:7",
    )


def test_group_message_replies_go_to_the_group(fixture_json):
    event = parse_one(fixture_json, "group_message")
    assert (event.conversation_ref, event.sender.external_id) == ("-987654321", "111222333")


def test_callback_query_finds_the_button_label(fixture_json):
    event = parse_one(fixture_json, "callback_query")
    assert (event.type, event.provider_message_id) == ("interactive", "callback:4382bfdwdsb323b2d9")
    assert (event.interactive.id, event.interactive.title) == ("order:confirm", "Sí, confirmar")
    assert event.reply_to_provider_id == "111222333:40"
    assert event.timestamp == RECEIVED


def test_message_reaction(fixture_json):
    event = parse_one(fixture_json, "message_reaction")
    assert (event.type, event.provider_message_id) == ("reaction", "reaction:815361018")
    assert (event.reaction.emoji, event.reaction.message_id) == ("\U0001f44d", "111222333:40")


@pytest.mark.parametrize("name", ["poll", "my_chat_member"])
def test_unknown_content_and_update_kinds_are_kept(fixture_json, name):
    event = parse_one(fixture_json, name)
    assert event.type == "unsupported" and event.raw


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"update_id": "abc"},
        {"update_id": 1, "message": {"chat": {"id": 1}, "date": 1}},
        {"update_id": 1, "message": {"message_id": 1, "chat": {}, "date": 1}},
        {"update_id": 1, "message": {"message_id": 1, "chat": {"id": 1}, "from": {"id": 2}, "date": -5}},
        {
            "update_id": 1,
            "message": {
                "message_id": 1,
                "chat": {"id": 1},
                "from": {"id": 2},
                "date": 1,
                "photo": [{"width": 1}],
            },
        },
        [],
    ],
)
def test_malformed_updates(payload):
    with pytest.raises(PayloadError):
        telegram.parse(payload)
