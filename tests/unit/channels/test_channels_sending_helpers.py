from __future__ import annotations

from datetime import UTC, datetime

import pytest

from skailan.channels.models import OutboundMedia
from skailan.channels.reasons import GRAPH, LOCAL, TELEGRAM, TWILIO, WHATSAPP
from skailan.channels.sending import media_kind, parse_retry_after

NOW = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("30", 30.0),
        ("0", 0.0),
        (" 2.5 ", 2.5),
        ("Wed, 01 Jan 2025 12:01:00 GMT", 60.0),
        ("Wed, 01 Jan 2025 11:00:00 GMT", 0.0),
        (None, None),
        ("", None),
        ("soon", None),
    ],
)
def test_retry_after_in_seconds_or_as_a_date(value, seconds):
    assert parse_retry_after(value, now=NOW) == seconds


@pytest.mark.parametrize(
    ("mime", "declared", "kind"),
    [
        ("image/png", "document", "image"),
        ("video/mp4", "image", "video"),
        ("audio/ogg", "image", "audio"),
        ("application/pdf", "image", "document"),
        (None, "video", "video"),
        (None, "text", "document"),
    ],
)
def test_attachment_kind_prefers_the_mime_type(mime, declared, kind):
    assert media_kind(OutboundMedia(url="https://f.example/x", mime_type=mime), declared) == kind


@pytest.mark.parametrize("catalog", [GRAPH, WHATSAPP, TELEGRAM, TWILIO, LOCAL])
def test_every_reason_reads_in_spanish_and_english(catalog):
    for code, reason in catalog.items():
        assert reason.title and reason.es and reason.en, code
        assert reason.es != reason.en, code
