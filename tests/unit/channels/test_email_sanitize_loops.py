"""The e-mail module's pure parts: the allow-list HTML sanitiser, RFC 3834 loop protection, the
Auto-Submitted header on our automatic replies, and merge fields with fallbacks."""

from __future__ import annotations

from email import message_from_bytes

import pytest

from skailan.channels.email import parse as parse_email
from skailan.channels.email.loops import loop_headers, refusal
from skailan.channels.email.outbound import compose_email
from skailan.channels.email.sanitize import sanitize_html
from skailan.channels.models import OutboundMessage
from skailan.conversations.inbox.mail import fields_in, render_text


@pytest.mark.parametrize(("dirty", "clean"), [
    ('<p onclick="x()">Hola <b>mundo</b></p>', "<p>Hola <b>mundo</b></p>"),
    ("<script>alert(1)</script><p>ok</p>", "<p>ok</p>"),
    ("<style>body{background:url(https://t.example/p)}</style>texto", "texto"),
    ('<a href="javascript:alert(1)">x</a>', "<a>x</a>"),
    ('<a href="java\tscript:alert(1)">x</a>', "<a>x</a>"),
    ('<a href="https://demo.example/x" target="_blank">x</a>',
     '<a href="https://demo.example/x" target="_blank" rel="noopener noreferrer">x</a>'),
    ('<img src="http://t.example/pixel.gif">', ""),
    ('<img src="https://cdn.example/logo.png" alt="Logo" onerror="x()">',
     '<img src="https://cdn.example/logo.png" alt="Logo">'),
    ('<img src="data:image/svg+xml;base64,PHN2Zz4=">', ""),
    ('<div style="color: red; background-image: url(https://t.example/p); position: fixed">a</div>',
     '<div style="color: red">a</div>'),
    ('<iframe src="https://evil.example"></iframe><svg><script>x</script></svg>fin', "fin"),
    ("<!--[if mso]><script>x</script><![endif]--><p>a</p>", "<p>a</p>"),
    ('<meta http-equiv="refresh" content="0;url=https://evil.example"><link rel=stylesheet href=x>ok', "ok"),
    ('<form action="https://evil.example"><input name=a>texto</form>b', "b"),
    ("<p>1 < 2 & 3</p>", "<p>1 &lt; 2 &amp; 3</p>"),
    ("<table><tr><td colspan=2 id=x>c", '<table><tr><td colspan="2">c</td></tr></table>'),
    ('<p title="&quot;><script>">x</p>', '<p title="&quot;&gt;&lt;script&gt;">x</p>'),
])
def test_the_sanitiser_keeps_only_the_allow_list(dirty: str, clean: str) -> None:
    assert sanitize_html(dirty) == clean


@pytest.mark.parametrize(("headers", "sender", "reason"), [
    ({}, "camila@cliente.example", None),
    ({"auto-submitted": "no"}, "camila@cliente.example", None),
    ({"auto-submitted": "auto-replied"}, "camila@cliente.example", "auto_submitted:auto-replied"),
    ({"auto-submitted": "auto-generated; owner-email=x"}, "a@b.example", "auto_submitted:auto-generated"),
    ({"precedence": "bulk"}, "a@b.example", "precedence:bulk"),
    ({"precedence": "List"}, "a@b.example", "precedence:list"),
    ({"precedence": "junk"}, "a@b.example", "precedence:junk"),
    ({"list-id": "<news.example.com>"}, "a@b.example", "list-id"),
    ({"list-unsubscribe": "<mailto:u@x>"}, "a@b.example", "list-unsubscribe"),
    ({"x-auto-response-suppress": "OOF, AutoReply"}, "a@b.example", "x-auto-response-suppress"),
    ({"return-path": "<>"}, "a@b.example", "null_return_path"),
    ({}, "MAILER-DAEMON@mx.example", "robot_sender"),
    ({}, "no-reply@tienda.example", "robot_sender"),
    ({}, "noreply@tienda.example", "robot_sender"),
    ({}, "postmaster@tienda.example", "robot_sender"),
    ({}, "soporte@demo.local", "own_address"),
])
def test_rfc_3834_loop_protection(headers: dict[str, str], sender: str, reason: str | None) -> None:
    assert refusal(headers, sender, own_addresses=["Soporte@demo.local"]) == reason


def test_inbound_mail_keeps_the_loop_headers_and_ours_carry_auto_submitted() -> None:
    raw = (b"From: Oficina <oficina@cliente.example>\r\nTo: soporte@demo.local\r\nSubject: Fuera de la oficina\r\n"
           b"Auto-Submitted: auto-replied\r\nPrecedence: bulk\r\nMessage-ID: <a1@cliente.example>\r\n\r\nVuelvo el lunes\r\n")
    [message] = parse_email(raw)
    assert message.email is not None
    assert message.email.loop_headers == {"auto-submitted": "auto-replied", "precedence": "bulk"}
    assert loop_headers([("X-Loop", "yes"), ("Subject", "x")]) == {"x-loop": "yes"}
    ours = compose_email(OutboundMessage(channel="email", to="camila@cliente.example", type="text", text="Recibido",
                                         email={"subject": "Re: hola", "auto_submitted": "auto-replied"}),
                         from_address="soporte@demo.local")
    parsed = message_from_bytes(ours.raw)
    assert parsed["Auto-Submitted"] == "auto-replied" and parsed["X-Auto-Response-Suppress"] == "All"
    normal = compose_email(OutboundMessage(channel="email", to="c@x.example", type="text", text="hola"),
                           from_address="soporte@demo.local")
    assert message_from_bytes(normal.raw)["Auto-Submitted"] is None


def test_merge_fields_with_fallbacks_escape_values_in_html() -> None:
    text = 'Hola {{contact.first_name | "cliente"}}, soy {{ agent.name|el equipo }} de {{brand.name}}'
    assert fields_in(text) == ["contact.first_name", "agent.name", "brand.name"]
    values = {"contact.first_name": "", "agent.name": "Ana", "brand.name": "Demo"}
    assert render_text(text, values) == "Hola cliente, soy Ana de Demo"
    assert render_text("<p>{{contact.name}}</p>", {"contact.name": "<b>Eve</b>"}, html=True) == \
        "<p>&lt;b&gt;Eve&lt;/b&gt;</p>"
