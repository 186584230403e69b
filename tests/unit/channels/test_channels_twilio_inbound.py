from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlencode

import pytest

from skailan.channels import twilio
from skailan.channels.errors import PayloadError
from skailan.channels.models import InboundMessage, InboundStatus
from skailan.platform.errors import Forbidden, Unauthorized

RECEIVED = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)
URL = "https://api.skailan.example/webhooks/twilio/acc_01HZX"
TOKEN = "12345"


# --------------------------------------------------------------------------- signature


def test_signature_matches_twilios_documented_example():
    # The example from Twilio's "Validating requests" guide.
    params = {
        "CallSid": "CA1234567890ABCDE",
        "Caller": "+12349013030",
        "Digits": "1234",
        "From": "+12349013030",
        "To": "+18005551212",
    }
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    assert twilio.compute_signature(url, params, "12345") == "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
    twilio.verify_signature(url, params, "0/KCTR6DLpKmkAf8muzZqo1nDgQ=", "12345")


def test_signature_over_the_raw_form_body(fixture_json):
    body = urlencode(fixture_json("twilio", "sms")).encode()
    signature = twilio.compute_signature(URL, body, TOKEN)
    twilio.verify_signature(URL, body, signature, TOKEN)
    twilio.verify_signature(URL, fixture_json("twilio", "sms"), signature, TOKEN)  # a dict gives the same


def test_signature_is_accepted_with_or_without_the_default_port(fixture_json):
    params = fixture_json("twilio", "sms")
    signed_with_port = twilio.compute_signature(
        "https://api.skailan.example:443/webhooks/twilio/acc_01HZX", params, TOKEN
    )
    twilio.verify_signature(URL, params, signed_with_port, TOKEN)


def test_repeated_parameters_are_all_signed():
    pairs = [("MediaUrl", "https://b.example"), ("MediaUrl", "https://a.example"), ("Body", "hi")]
    expected = twilio.compute_signature(URL, pairs, TOKEN)
    assert expected == twilio.compute_signature(URL, list(reversed(pairs)), TOKEN)
    with pytest.raises(Forbidden):
        twilio.verify_signature(URL, pairs[1:], expected, TOKEN)


@pytest.mark.parametrize(
    ("url", "signature", "token", "error"),
    [
        (URL, None, TOKEN, Unauthorized),
        (URL, "", TOKEN, Unauthorized),
        (URL, "bm90IHRoZSBzaWduYXR1cmU=", TOKEN, Forbidden),
        (URL + "?extra=1", "SIGNED", TOKEN, Forbidden),
        ("http://api.skailan.example/webhooks/twilio/acc_01HZX", "SIGNED", TOKEN, Forbidden),
        (URL, "SIGNED", "another-token", Forbidden),
    ],
)
def test_signature_refusals(fixture_json, url, signature, token, error):
    params = fixture_json("twilio", "sms")
    if signature == "SIGNED":
        signature = twilio.compute_signature(URL, params, TOKEN)
    with pytest.raises(error):
        twilio.verify_signature(url, params, signature, token)


# --------------------------------------------------------------------------- parse


def test_inbound_sms(fixture_json):
    body = urlencode(fixture_json("twilio", "sms")).encode()
    (event,) = twilio.parse(body, received_at=RECEIVED)
    assert isinstance(event, InboundMessage)
    assert (event.channel, event.account_ref, event.provider_message_id) == (
        "sms",
        None,
        "SM1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d",
    )
    assert (event.sender.external_id, event.sender.phone, event.recipient_id) == (
        "+5218112345678",
        "+5218112345678",
        "+15017122661",
    )
    assert (event.type, event.text, event.timestamp) == ("text", "Hola, quiero información", RECEIVED)
    assert event.raw["AccountSid"].startswith("AC")


def test_inbound_mms_gives_one_message_per_media(fixture_json):
    image, pdf = twilio.parse(fixture_json("twilio", "mms"), received_at=RECEIVED)
    assert (image.provider_message_id, pdf.provider_message_id) == (
        "MM9f8e7d6c5b4a39281706f5e4d3c2b1a0",
        "MM9f8e7d6c5b4a39281706f5e4d3c2b1a0#1",
    )
    assert (image.type, pdf.type) == ("image", "document")
    assert (image.text, pdf.text) == ("Fotos del producto", None)
    assert image.media.url.endswith("/Media/ME0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a")
    assert (image.media.mime_type, image.media.provider_media_id) == (
        "image/jpeg",
        "ME0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a",
    )


def test_status_callbacks(fixture_json):
    (delivered,) = twilio.parse(fixture_json("twilio", "status_delivered"), received_at=RECEIVED)
    (undelivered,) = twilio.parse(fixture_json("twilio", "status_undelivered"), received_at=RECEIVED)
    (queued,) = twilio.parse(fixture_json("twilio", "status_queued"), received_at=RECEIVED)
    assert isinstance(delivered, InboundStatus)
    assert (delivered.status, delivered.recipient_id) == ("delivered", "+5218112345678")
    assert delivered.timestamp == datetime(2025, 1, 1, 12, 30, tzinfo=UTC)  # RawDlrDoneDate
    assert (undelivered.status, undelivered.provider_status, undelivered.timestamp) == (
        "failed",
        "undelivered",
        RECEIVED,
    )
    assert (undelivered.error.code, undelivered.error.title) == ("30003", "Unreachable destination")
    assert (queued.status, queued.provider_status) == ("pending", "queued")


def test_whatsapp_through_twilio_location_and_button():
    base = {
        "MessageSid": "SMx",
        "From": "whatsapp:+5215512345678",
        "To": "whatsapp:+14155238886",
        "NumMedia": "0",
    }
    (location,) = twilio.parse(base | {"Latitude": "19.43", "Longitude": "-99.13", "Address": "CDMX"})
    (button,) = twilio.parse(base | {"Body": "Sí", "ButtonText": "Sí", "ButtonPayload": "yes"})
    assert (location.type, location.location.latitude, location.location.address) == (
        "location",
        19.43,
        "CDMX",
    )
    assert (button.type, button.interactive.id, button.interactive.title) == ("button", "yes", "Sí")


@pytest.mark.parametrize(
    "form",
    [
        {"From": "+1"},
        {"MessageSid": "SM1"},
        {"MessageSid": "SM1", "From": "+1", "NumMedia": "two"},
        {"MessageSid": "SM1", "From": "+1", "NumMedia": "2", "MediaUrl0": "https://api.twilio.com/x"},
        {"MessageSid": "SM1", "From": "+1", "NumMedia": "5000"},
        {"MessageStatus": "delivered"},
    ],
)
def test_malformed_forms(form):
    with pytest.raises(PayloadError):
        twilio.parse(form)


def test_undecodable_body():
    with pytest.raises(PayloadError):
        twilio.parse(b"Body=\xff\xfe&From=%2B1")
