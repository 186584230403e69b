from __future__ import annotations

from datetime import UTC, datetime

import pytest

from skailan.channels import instagram, messenger, meta
from skailan.channels.errors import PayloadError
from skailan.channels.models import InboundEcho, InboundMessage, InboundStatus

PAGE, PSID = "106345948472917", "6543210987654321"
IG, IGSID = "17841405822304914", "1234567890123456"


def ms(value: int) -> datetime:
    return datetime.fromtimestamp(value / 1000, UTC)


def parse(fixture_json, provider, name):
    return messenger.parse(fixture_json(provider, name))


def test_text_message(fixture_json):
    (event,) = parse(fixture_json, "messenger", "text")
    assert isinstance(event, InboundMessage)
    assert (event.channel, event.account_ref, event.recipient_id) == ("messenger", PAGE, PAGE)
    assert event.sender is not None and event.sender.external_id == PSID
    assert (event.type, event.text) == ("text", "hello, world!")
    assert event.timestamp == ms(1458692752478)
    assert event.provider_message_id.startswith("m_AG5Hz2Uq7tuwNEhX")


def test_quick_reply_is_an_interactive_answer(fixture_json):
    (event,) = parse(fixture_json, "messenger", "quick_reply")
    assert event.type == "interactive"
    assert event.interactive is not None
    assert (event.interactive.id, event.interactive.title) == (
        "DEVELOPER_DEFINED_PAYLOAD_FOR_PICKING_RED",
        "Red",
    )


def test_reply_to(fixture_json):
    (event,) = parse(fixture_json, "messenger", "reply_to")
    assert event.reply_to_provider_id == "m_ORIGINAL"


def test_each_attachment_becomes_a_message(fixture_json):
    first, second = parse(fixture_json, "messenger", "attachments")
    assert (first.provider_message_id, second.provider_message_id) == ("m_ATT", "m_ATT#1")
    assert (first.type, second.type) == ("image", "image")
    assert (first.text, second.text) == ("two pictures", None)
    assert (
        first.media is not None and first.media.url == "https://scontent.xx.fbcdn.net/v/t1.15752-9/first.jpg"
    )
    assert second.media is not None and second.media.url.endswith("second.jpg")


@pytest.mark.parametrize(("name", "kind"), [("file", "document"), ("audio", "audio"), ("sticker", "sticker")])
def test_attachment_kinds(fixture_json, name, kind):
    (event,) = parse(fixture_json, "messenger", name)
    assert event.type == kind
    assert event.media is not None and event.media.url is not None


def test_sticker_keeps_its_id(fixture_json):
    (event,) = parse(fixture_json, "messenger", "sticker")
    assert event.media.provider_media_id == "369239263222822"


def test_location_attachment(fixture_json):
    (event,) = parse(fixture_json, "messenger", "location")
    assert event.type == "location"
    assert (event.location.latitude, event.location.longitude, event.location.name) == (
        19.4326,
        -99.1332,
        "Pin",
    )


def test_fallback_link_reads_as_text(fixture_json):
    (event,) = parse(fixture_json, "messenger", "fallback")
    assert event.type == "text"
    assert event.text == "Skailan\nhttps://skailan.example/"


def test_echo_is_reported_as_an_echo_not_a_customer_message(fixture_json):
    (event,) = parse(fixture_json, "messenger", "echo")
    assert isinstance(event, InboundEcho)
    assert event.dedup_key() == "echo:mid.1457764197618:41d102a3e1ae206a38"
    assert event.message.sender.external_id == PAGE  # the page spoke
    assert event.message.recipient_id == PSID
    assert event.message.text == "hello, world!"


def test_delivery_reports_every_mid(fixture_json):
    events = parse(fixture_json, "messenger", "delivery")
    assert all(isinstance(event, InboundStatus) and event.status == "delivered" for event in events)
    assert [event.provider_message_id for event in events] == [
        "mid.1458668856218:ed81099e15d3f4f233",
        "mid.1458668856218:ed81099e15d3f4f234",
    ]
    assert events[0].watermark == ms(1458668856253)
    assert events[0].timestamp == ms(1458668856253)  # no timestamp in the payload: the watermark stands in
    assert events[0].recipient_id == PSID


def test_delivery_and_read_without_mids_are_watermarks(fixture_json):
    (delivered,) = parse(fixture_json, "messenger", "delivery_watermark_only")
    (read,) = parse(fixture_json, "messenger", "read")
    assert delivered.provider_message_id is None and delivered.watermark == ms(1458668856253)
    assert (read.status, read.provider_message_id, read.watermark) == ("read", None, ms(1458668856253))


def test_reactions(fixture_json):
    (added,) = parse(fixture_json, "messenger", "reaction")
    (removed,) = parse(fixture_json, "messenger", "unreact")
    assert (
        added.type == "reaction"
        and added.reaction.emoji == "\u2764\ufe0f"
        and added.reaction.message_id == "m_REACTED"
    )
    assert removed.reaction.emoji is None
    assert added.provider_message_id != removed.provider_message_id
    assert parse(fixture_json, "messenger", "reaction")[0].provider_message_id == added.provider_message_id


def test_postback(fixture_json):
    (event,) = parse(fixture_json, "messenger", "postback")
    assert (event.type, event.provider_message_id, event.text) == (
        "interactive",
        "m_POSTBACK",
        "Talk to an agent",
    )
    assert event.interactive.id == "HUMAN_AGENT"


def test_unknown_messaging_events_are_kept(fixture_json):
    (event,) = parse(fixture_json, "messenger", "optin")
    assert event.type == "unsupported"
    assert event.sender.external_id == PSID
    assert event.raw["optin"]["type"] == "notification_messages"


def test_standby_messages_are_read_too(fixture_json):
    (event,) = parse(fixture_json, "messenger", "standby")
    assert (event.provider_message_id, event.text) == ("m_STANDBY", "are you there?")


def test_every_entry_and_messaging_item_is_handled(fixture_json):
    events = parse(fixture_json, "messenger", "multi")
    assert [(event.provider_message_id, event.account_ref) for event in events] == [
        ("m_1", PAGE),
        ("m_2", PAGE),
        ("m_3", "200000000000001"),
    ]


# --------------------------------------------------------------------------- Instagram


def test_instagram_text(fixture_json):
    (event,) = instagram.parse(fixture_json("instagram", "text"))
    assert (event.channel, event.account_ref, event.sender.external_id) == ("instagram", IG, IGSID)
    assert event.text == "Hi! Do you ship to Monterrey?"


def test_instagram_image_from_the_cdn(fixture_json):
    (event,) = instagram.parse(fixture_json("instagram", "image"))
    assert event.type == "image"
    assert event.media.url.startswith("https://lookaside.fbsbx.com/ig_messaging_cdn/")


def test_instagram_story_mention_is_unsupported_with_its_link(fixture_json):
    (event,) = instagram.parse(fixture_json("instagram", "story_mention"))
    assert (event.type, event.provider_message_id) == ("unsupported", "aWdfSTORY")
    assert event.media.url.startswith("https://lookaside.fbsbx.com/")
    assert event.raw["message"]["attachments"][0]["type"] == "story_mention"


def test_instagram_seen_names_the_message(fixture_json):
    (event,) = instagram.parse(fixture_json("instagram", "seen"))
    assert (event.status, event.provider_message_id) == ("read", "aWdfSEEN")


def test_instagram_reaction_echo_and_deleted(fixture_json):
    (reaction,) = instagram.parse(fixture_json("instagram", "reaction"))
    (echo,) = instagram.parse(fixture_json("instagram", "echo"))
    (deleted,) = instagram.parse(fixture_json("instagram", "deleted"))
    assert reaction.reaction.emoji == "\u2764\ufe0f"
    assert isinstance(echo, InboundEcho) and echo.message.text == "Yes we do!"
    assert (deleted.type, deleted.provider_message_id) == ("unsupported", "aWdfDEL")


def test_instagram_comment_changes_are_kept_as_unsupported(fixture_json):
    (event,) = meta.parse(fixture_json("instagram", "comment"))
    assert (event.channel, event.type, event.account_ref) == ("instagram", "unsupported", IG)
    assert event.raw["value"]["text"] == "Price?"


@pytest.mark.parametrize(
    "payload",
    [
        {"object": "page"},
        {"object": "user", "entry": []},
        {"object": "page", "entry": [{"messaging": []}]},
        {
            "object": "page",
            "entry": [
                {
                    "id": "1",
                    "messaging": [{"sender": {"id": "2"}, "timestamp": 1, "message": {"text": "no mid"}}],
                }
            ],
        },
        {
            "object": "page",
            "entry": [
                {"id": "1", "messaging": [{"sender": {"id": "2"}, "timestamp": "x", "message": {"mid": "m"}}]}
            ],
        },
        {
            "object": "page",
            "entry": [
                {
                    "id": "1",
                    "messaging": [{"recipient": {"id": "1"}, "timestamp": 1, "message": {"mid": "m"}}],
                }
            ],
        },
        {"object": "page", "entry": [{"id": "1", "messaging": ["oops"]}]},
    ],
)
def test_malformed_payloads(payload):
    with pytest.raises(PayloadError):
        messenger.parse(payload)
