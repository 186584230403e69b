from __future__ import annotations

from datetime import UTC, datetime

import pytest

from skailan.channels import meta, whatsapp
from skailan.channels.errors import PayloadError
from skailan.channels.models import InboundMessage, InboundProviderError, InboundStatus

PNID, WABA = "106540352242922", "102290129340398"
SENT_AT = datetime.fromtimestamp(1749416383, UTC)


def parse_one(fixture_json, name):
    events = whatsapp.parse(fixture_json("whatsapp", name))
    assert len(events) == 1
    return events[0]


def test_text_message_is_routed_and_attributed(fixture_json):
    event = parse_one(fixture_json, "text")
    assert isinstance(event, InboundMessage)
    assert (event.channel, event.account_ref, event.waba_id) == ("whatsapp", PNID, WABA)
    assert event.provider_message_id == "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBTEXT="
    assert event.sender is not None
    assert (event.sender.external_id, event.sender.display_name, event.sender.phone) == (
        "16505551234",
        "Sheena Nelson",
        "16505551234",
    )
    assert event.timestamp == SENT_AT
    assert (event.type, event.text) == ("text", "Does it come in another color?")
    assert event.raw["text"] == {"body": "Does it come in another color?"}


def test_reply_context_names_the_answered_message(fixture_json):
    event = parse_one(fixture_json, "text_reply")
    assert event.reply_to_provider_id == "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA"


@pytest.mark.parametrize(
    ("name", "media_id", "mime", "caption", "filename"),
    [
        ("image", "2754859441498128", "image/jpeg", "This is a caption", None),
        ("video", "1166845181421013", "video/mp4", None, None),
        ("audio", "1003383421387256", "audio/ogg; codecs=opus", None, None),
        ("document", "1378209223164438", "application/pdf", "Invoice", "invoice-0042.pdf"),
        ("sticker", "1228651278365513", "image/webp", None, None),
    ],
)
def test_media_messages_keep_the_media_reference(fixture_json, name, media_id, mime, caption, filename):
    event = parse_one(fixture_json, name)
    assert event.type == name
    assert event.media is not None
    assert (
        event.media.provider_media_id,
        event.media.mime_type,
        event.media.caption,
        event.media.filename,
    ) == (media_id, mime, caption, filename)
    assert event.media.sha256
    assert event.text == caption


def test_location(fixture_json):
    event = parse_one(fixture_json, "location")
    assert event.type == "location"
    assert event.location is not None
    assert (event.location.latitude, event.location.longitude) == (37.483307, 122.148981)
    assert (event.location.name, event.location.address) == (
        "Philz Coffee",
        "101 Forest Ave, Palo Alto, CA 94301",
    )


def test_shared_contacts(fixture_json):
    event = parse_one(fixture_json, "contacts")
    assert event.type == "contacts"
    (card,) = event.contacts
    assert (card.name, card.phones, card.emails, card.external_id) == (
        "Kerry Fitzgerald",
        ["+1 (650) 555-1234"],
        ["kfitz@example.com"],
        "16505551234",
    )
    assert card.raw["org"] == {"company": "Meta"}


@pytest.mark.parametrize(
    ("name", "reply_id", "title"),
    [
        ("interactive_button_reply", "confirm-yes", "Yes, confirm"),
        ("interactive_list_reply", "priority_express", "Express shipping"),
    ],
)
def test_interactive_replies(fixture_json, name, reply_id, title):
    event = parse_one(fixture_json, name)
    assert event.type == "interactive"
    assert event.interactive is not None
    assert (event.interactive.id, event.interactive.title, event.text) == (reply_id, title, title)
    assert event.reply_to_provider_id is not None


def test_template_quick_reply_button(fixture_json):
    event = parse_one(fixture_json, "button")
    assert event.type == "button"
    assert event.interactive is not None
    assert (event.interactive.id, event.text) == ("Unsubscribe from promos", "Unsubscribe from promos")


def test_reaction_and_its_removal(fixture_json):
    added = parse_one(fixture_json, "reaction")
    removed = parse_one(fixture_json, "reaction_removed")
    assert added.type == removed.type == "reaction"
    assert added.reaction is not None and removed.reaction is not None
    assert added.reaction.emoji == "\U0001f600"
    assert removed.reaction.emoji is None
    assert added.reaction.message_id == "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA"


def test_unsupported_message_keeps_its_errors_and_raw(fixture_json):
    event = parse_one(fixture_json, "unsupported")
    assert event.type == "unsupported"
    assert event.sender is not None and event.sender.external_id == "16505551234"
    (error,) = event.errors
    assert (error.code, error.title, error.details) == (
        "131051",
        "Message type unknown",
        "Message type is currently not supported.",
    )
    assert event.raw["type"] == "unsupported"


def test_system_message_is_unsupported_with_its_explanation(fixture_json):
    event = parse_one(fixture_json, "system")
    assert event.type == "unsupported"
    assert event.text == "User A changed from +1 555-0100 to +1 555-0199"


def test_statuses(fixture_json):
    sent = parse_one(fixture_json, "status_sent")
    read = parse_one(fixture_json, "status_read")
    assert isinstance(sent, InboundStatus) and isinstance(read, InboundStatus)
    assert (sent.status, sent.recipient_id, sent.account_ref) == ("sent", "16505551234", PNID)
    assert sent.timestamp == datetime.fromtimestamp(1750263773, UTC)
    assert read.status == "read" and read.error is None


def test_failed_status_carries_the_error(fixture_json):
    failed = parse_one(fixture_json, "status_failed")
    assert isinstance(failed, InboundStatus)
    assert failed.status == "failed"
    assert failed.error is not None
    assert (failed.error.code, failed.error.title) == ("131047", "Re-engagement message")
    assert failed.error.details is not None and "24 hours" in failed.error.details


def test_change_level_errors_become_provider_errors(fixture_json):
    event = parse_one(fixture_json, "value_errors")
    assert isinstance(event, InboundProviderError)
    assert (event.account_ref, event.error.code, event.error.title) == (
        PNID,
        "131000",
        "Something went wrong",
    )


def test_other_webhook_fields_are_kept_as_unsupported(fixture_json):
    payload = fixture_json("whatsapp", "template_status_update")
    payload["entry"][0]["changes"][0] = {"field": "account_update", "value": {"event": "VERIFIED_ACCOUNT"}}
    [event] = whatsapp.parse(payload)
    assert isinstance(event, InboundMessage)
    assert event.type == "unsupported" and event.sender is None
    assert event.raw["field"] == "account_update"
    # A redelivery of the same change gets the same synthetic id, so it deduplicates.
    assert whatsapp.parse(payload)[0].provider_message_id == event.provider_message_id


def test_template_changes_go_to_the_template_registry_not_the_ingest(fixture_json):
    from skailan.channels.whatsapp.templates import template_updates

    payload = fixture_json("whatsapp", "template_status_update")
    assert whatsapp.parse(payload) == []
    [update] = template_updates(payload)
    assert (update.waba_id, update.template_id, update.name, update.language, update.event, update.reason,
            update.at) == (WABA, "594425479261596", "order_shipped", "en_US", "APPROVED", None, 1750263773)


def test_every_entry_change_message_and_status_is_handled(fixture_json):
    events = whatsapp.parse(fixture_json("whatsapp", "multi"))
    assert [(type(e).__name__, getattr(e, "provider_message_id", None), e.account_ref) for e in events] == [
        ("InboundMessage", "wamid.A1", PNID),
        ("InboundMessage", "wamid.A2", PNID),
        ("InboundStatus", "wamid.S1", PNID),
        ("InboundMessage", "wamid.B1", "222333444555666"),
    ]
    assert events[1].sender.display_name == "Kerry"
    assert events[3].waba_id == "999888777666555"


def test_the_meta_dispatcher_reads_raw_bytes(fixture_bytes):
    events = meta.parse(fixture_bytes("whatsapp", "text.json"))
    assert [event.provider_message_id for event in events] == ["wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBTEXT="]


@pytest.mark.parametrize(
    ("payload", "path"),
    [
        (b"not json", None),
        ({"object": "page", "entry": []}, "$.object"),
        ({"object": "whatsapp_business_account"}, "$.entry"),
        ({"object": "whatsapp_business_account", "entry": {"id": "1"}}, "$.entry"),
        (
            {
                "object": "whatsapp_business_account",
                "entry": [
                    {"id": "1", "changes": [{"field": "messages", "value": {"metadata": {}, "messages": []}}]}
                ],
            },
            "$.entry[0].changes[0].value.metadata.phone_number_id",
        ),
        (
            {
                "object": "whatsapp_business_account",
                "entry": [
                    {
                        "id": "1",
                        "changes": [
                            {
                                "field": "messages",
                                "value": {
                                    "metadata": {"phone_number_id": "1"},
                                    "messages": [
                                        {"from": "5", "id": "w", "type": "text", "timestamp": "soon"}
                                    ],
                                },
                            }
                        ],
                    }
                ],
            },
            "$.entry[0].changes[0].value.messages[0].timestamp",
        ),
    ],
)
def test_malformed_payloads_raise_one_payload_error_with_the_path(payload, path):
    with pytest.raises(PayloadError) as caught:
        whatsapp.parse(payload)
    assert caught.value.status == 400
    if path:
        assert caught.value.path == path
