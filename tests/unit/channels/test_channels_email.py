from __future__ import annotations

from datetime import UTC, datetime
from email import policy
from email.parser import BytesParser

import pytest

from skailan.channels import email as mail
from skailan.channels.errors import PayloadError, SendFailure
from skailan.channels.models import OutboundMessage

# --------------------------------------------------------------------------- inbound


def parse_one(fixture_bytes, name):
    (event,) = mail.parse(fixture_bytes("email", name))
    return event


def test_plain_message(fixture_bytes):
    event = parse_one(fixture_bytes, "plain.eml")
    assert (event.channel, event.type, event.provider_message_id) == (
        "email",
        "text",
        "CAF=abc123@mail.cliente.example",
    )
    assert (event.sender.external_id, event.sender.email, event.sender.display_name) == (
        "ana@cliente.example",
        "ana@cliente.example",
        "Ana López",
    )
    assert event.recipient_id == "ventas@skailan.example"
    assert event.timestamp == datetime(2025, 1, 1, 18, 30, tzinfo=UTC)
    assert event.text.startswith("Hola, ¿me pueden enviar la lista de precios?")
    assert event.email.subject == "Consulta de precios"
    assert [(a.address, a.name) for a in event.email.to] == [("ventas@skailan.example", "Ventas")]
    assert ["From", "Ana López <ana@cliente.example>"] in event.raw["headers"]


def test_html_only_message_gets_a_text_version(fixture_bytes):
    event = parse_one(fixture_bytes, "html_only.eml")
    assert event.text == "Necesitamos 50 piezas & envío hoy.\n\nSaludos"
    assert "<b>50 piezas</b>" in event.email.html
    assert "alert" not in event.text and "color" not in event.text


def test_multipart_with_inline_image_and_attachment(fixture_bytes):
    event = parse_one(fixture_bytes, "multipart_attachment.eml")
    assert event.text == "Adjunto la cotización.\n"
    assert "<b>cotización</b>" in event.email.html
    assert [a.address for a in event.email.to] == ["ventas@skailan.example", "soporte@skailan.example"]
    assert [a.address for a in event.email.cc] == ["jefe@empresa.example"]
    logo, pdf = event.email.attachments
    assert (logo.content_type, logo.inline, logo.content_id, logo.filename) == (
        "image/png",
        True,
        "logo@empresa.example",
        None,
    )
    assert (pdf.filename, pdf.content_type, pdf.inline) == ("cotizacion.pdf", "application/pdf", False)
    assert pdf.content.startswith(b"%PDF-1.4") and pdf.size == len(pdf.content)
    assert event.timestamp == datetime(2025, 1, 3, 14, 45, 10, tzinfo=UTC)


def test_attachment_bytes_can_be_left_out(fixture_bytes):
    (event,) = mail.parse(fixture_bytes("email", "multipart_attachment.eml"), include_content=False)
    assert all(attachment.content is None and attachment.size > 0 for attachment in event.email.attachments)


def test_encoded_headers_and_latin1_body(fixture_bytes):
    event = parse_one(fixture_bytes, "encoded_headers.eml")
    assert event.sender.display_name == "José Márquez"
    assert event.email.subject == "Cotización para señor José"
    assert event.text == "Quisiera información del año pasado.\n"
    assert event.timestamp == datetime(2025, 1, 4, 8, 0, tzinfo=UTC)  # "-0000": unknown zone, read as UTC


def test_reply_threading_headers(fixture_bytes):
    event = parse_one(fixture_bytes, "reply.eml")
    assert event.email.in_reply_to == event.reply_to_provider_id == "01000194-reply-target@skailan.example"
    assert event.email.references == [
        "CAF=abc123@mail.cliente.example",
        "01000194-reply-target@skailan.example",
    ]


def test_message_without_message_id_gets_a_stable_one():
    raw = b"From: a@b.example\r\nTo: c@d.example\r\nSubject: x\r\n\r\nhi\r\n"
    (first,) = mail.parse(raw)
    (second,) = mail.parse(raw)
    assert first.provider_message_id == second.provider_message_id
    assert first.provider_message_id.startswith("email:")


@pytest.mark.parametrize("raw", [b"", b"   ", b"Subject: no sender\r\n\r\nbody", b"\x00\x01\x02"])
def test_unreadable_mail(raw):
    with pytest.raises(PayloadError):
        mail.parse(raw)


def test_ses_notification_locations():
    s3 = {
        "notificationType": "Received",
        "mail": {"messageId": "d6iitobk75ur44p8kdnnp7g2n800"},
        "receipt": {
            "recipients": ["ventas@skailan.example"],
            "action": {
                "type": "S3",
                "bucketName": "skailan-mail",
                "objectKey": "inbound/d6iitobk75ur44p8kdnnp7g2n800",
            },
        },
    }
    inline = {
        "notificationType": "Received",
        "mail": {"messageId": "m2"},
        "content": "RnJvbTogYUBiLmV4YW1wbGUKCmhp",
        "receipt": {
            "recipients": [],
            "action": {"type": "SNS", "topicArn": "arn:aws:sns:us-east-1:1:t", "encoding": "BASE64"},
        },
    }
    located = mail.received_mail(s3)
    assert (located.bucket, located.key, located.recipients) == (
        "skailan-mail",
        "inbound/d6iitobk75ur44p8kdnnp7g2n800",
        ["ventas@skailan.example"],
    )
    assert mail.received_mail(inline).content == b"From: a@b.example\n\nhi"
    with pytest.raises(PayloadError):
        mail.received_mail({"notificationType": "Bounce"})


# --------------------------------------------------------------------------- outbound


def reply_message(**overrides) -> OutboundMessage:
    fields = {
        "channel": "email",
        "to": "ana@cliente.example",
        "type": "text",
        "text": "Le enviamos la lista.",
        "email": {
            "subject": "Re: Consulta de precios",
            "html": "<p>Le enviamos la <b>lista</b>.</p>",
            "in_reply_to": "<CAF=abc123@mail.cliente.example>",
            "references": ["older@x.example"],
        },
    }
    return OutboundMessage(**fields | overrides)


def read_mime(raw: bytes):
    return BytesParser(policy=policy.default).parsebytes(raw)


def test_composed_mime_threads_and_alternates():
    composed = mail.compose_email(
        reply_message(),
        from_address="ventas@skailan.example",
        from_name="Ventas Skailan Ñ",
        date=datetime(2025, 1, 1, 20, 0, tzinfo=UTC),
    )
    parsed = read_mime(composed.raw)
    assert b"\r\n" in composed.raw  # SMTP line endings for SES
    assert parsed["From"].addresses[0].display_name == "Ventas Skailan Ñ"
    assert parsed["From"].addresses[0].addr_spec == "ventas@skailan.example"
    assert parsed["To"] == "ana@cliente.example"
    assert parsed["Subject"] == "Re: Consulta de precios"
    assert parsed["Message-ID"] == f"<{composed.message_id}>"
    assert composed.message_id.endswith("@skailan.example")
    assert parsed["In-Reply-To"] == "<CAF=abc123@mail.cliente.example>"
    assert parsed["References"] == "<older@x.example> <CAF=abc123@mail.cliente.example>"
    assert parsed.get_body(("plain",)).get_content() == "Le enviamos la lista.\r\n"
    assert "<b>lista</b>" in parsed.get_body(("html",)).get_content()


def test_composed_mime_carries_attachments():
    pdf = mail.AttachmentContent(
        filename="lista.pdf", content_type="application/pdf", content=b"%PDF-1.4 tiny"
    )
    composed = mail.compose_email(reply_message(), from_address="ventas@skailan.example", attachments=[pdf])
    (attachment,) = list(read_mime(composed.raw).iter_attachments())
    assert (attachment.get_filename(), attachment.get_content_type(), attachment.get_content()) == (
        "lista.pdf",
        "application/pdf",
        b"%PDF-1.4 tiny",
    )


def test_the_email_sender_hands_the_mime_to_the_transport():
    handed = []
    sender = mail.EmailSender(
        transport=lambda composed: handed.append(composed) or "ses-0100018f",
        from_address="ventas@skailan.example",
    )
    result = sender.send(reply_message())
    (composed,) = handed
    assert result.provider_message_id == composed.message_id
    assert result.transport_id == "ses-0100018f"
    assert composed.recipients == ["ana@cliente.example"]


def test_the_email_sender_loads_attachments_through_the_loader():
    handed = []
    sender = mail.EmailSender(
        transport=lambda composed: handed.append(composed) or "id",
        from_address="ventas@skailan.example",
        load_attachment=lambda media: mail.AttachmentContent("foto.jpg", "image/jpeg", b"\xff\xd8jpeg"),
    )
    sender.send(reply_message(type="image", media={"url": "https://files.skailan.example/foto.jpg"}))
    assert [part.get_filename() for part in read_mime(handed[0].raw).iter_attachments()] == ["foto.jpg"]


def test_header_injection_is_a_permanent_failure():
    sender = mail.EmailSender(transport=lambda composed: "id", from_address="ventas@skailan.example")
    with pytest.raises(SendFailure) as caught:
        sender.send(reply_message(to="ana@cliente.example\r\nBcc: everyone@example.com"))
    assert caught.value.permanent and caught.value.code == "invalid_email"


def test_html_only_email_is_not_empty():
    handed = []
    sender = mail.EmailSender(
        transport=lambda composed: handed.append(composed) or "id", from_address="ventas@skailan.example"
    )
    sender.send(reply_message(text=None))
    assert read_mime(handed[0].raw).get_body(("plain",)).get_content().strip() == "Le enviamos la lista."
