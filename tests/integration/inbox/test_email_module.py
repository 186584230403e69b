"""The e-mail module (SPEC §3) end to end in-process: customer e-mails arrive through the inbound
FIFO and the ingest worker, the inbox events worker answers with the mailbox's auto-response
(RFC 3834 loop protection, once per sender), agents render sanitised templates with merge fields,
replies carry signatures and go out through SES (moto), and follow-ups fire or are cancelled."""

from __future__ import annotations

import base64
import uuid
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from typing import Any

import pytest

from tests.integration.channels.conftest import drain, purge
from tests.integration.inbox.conftest import CONVERSATIONS, INBOX, pump
from tests.support import call


@pytest.fixture(autouse=True)
def empty_queues(demo):
    """No greeting / out-of-hours bot (they depend on the clock); what goes out is the e-mail module's."""
    call(INBOX, "PATCH", "/v1/inbox/settings", principal=demo["supervisor@demo.local"],
         body={"bots": {"greeting": {"enabled": False}, "out_of_hours": {"enabled": False}}})
    for name in ("INBOUND_QUEUE_URL", "OUTBOUND_QUEUE_URL"):
        purge(name)
    yield


def _receive(sender: str, subject: str, text: str, *, headers: dict[str, str] | None = None,
             in_reply_to: str | None = None) -> str:
    """A raw e-mail to soporte@demo.local through the inbound queue and the ingest worker; the
    conversation id."""
    from email.message import EmailMessage

    from skailan.conversations.ingest.inbound_queue import IngestEnvelope, MailRef, enqueue
    from skailan.conversations.store import messages as store

    message_id = f"{uuid.uuid4().hex}@cliente.example"
    mime = EmailMessage()
    mime["From"], mime["To"], mime["Subject"] = sender, "soporte@demo.local", subject
    mime["Message-ID"] = f"<{message_id}>"
    if in_reply_to:
        mime["In-Reply-To"] = f"<{in_reply_to}>"
    for name, value in (headers or {}).items():
        mime[name] = value
    mime.set_content(text)
    enqueue([IngestEnvelope(tenant_id="demo", account_id="demo-email", channel="email",
                            received_at=datetime.now(UTC), via="ses",
                            mail=MailRef(ses_message_id=message_id.split("@")[0], recipient="soporte@demo.local",
                                         content_b64=base64.b64encode(mime.as_bytes()).decode()))])
    assert drain() == []
    ref = store.find_ref("demo", "demo-email", message_id)
    assert ref is not None
    pump()
    return ref.conversation_id


def _sent_raw() -> list[Any]:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    return [message_from_bytes(m.raw_data.encode(), policy=policy.default)
            for m in ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages if hasattr(m, "raw_data")]


def _send_out() -> list[Any]:
    before = len(_sent_raw())
    assert drain("workers/outbound", "OUTBOUND_QUEUE_URL") == []
    return _sent_raw()[before:]


def _plain(message: Any, kind: str = "plain") -> str:
    return message.get_body(preferencelist=(kind,)).get_content().replace("\r\n", "\n")


def _messages(principal, conversation_id):
    return call(CONVERSATIONS, "GET", f"/v1/conversations/{conversation_id}/messages", principal=principal,
                query={"limit": 100}).body["items"]


def test_auto_responses_answer_people_once_and_never_robots_or_lists(demo):
    supervisor, acme = demo["supervisor@demo.local"], demo["admin@acme.local"]
    settings = {"enabled": True, "subject": "Recibimos tu mensaje",
                "text": "Hola {{contact.first_name | \"cliente\"}}, te respondemos en menos de 24 h.",
                "once_every_days": 3}
    put = call(INBOX, "PUT", "/v1/email/autoresponses/demo-email", principal=supervisor, body=settings)
    assert put.status == 200, put.body
    assert put.body["enabled"] is True and put.body["once_every_days"] == 3
    # Another brand's mailbox, a non-mailbox, bad input
    assert call(INBOX, "PUT", "/v1/email/autoresponses/demo-email", principal=acme, body=settings).status == 404
    assert call(INBOX, "GET", "/v1/email/autoresponses/demo-email", principal=acme).status == 404
    assert call(INBOX, "PUT", "/v1/email/autoresponses/demo-whatsapp", principal=supervisor,
                body=settings).status == 422
    bad = call(INBOX, "PUT", "/v1/email/autoresponses/demo-email", principal=supervisor,
               body={**settings, "text": "Hola {{contacto.nombre}}"})
    assert bad.status == 422 and bad.body["error"]["code"] == "unknown_merge_fields"
    assert call(INBOX, "PUT", "/v1/email/autoresponses/demo-email", principal=supervisor,
                body={"enabled": True}).status == 422

    conversation_id = _receive("Camila Ruiz <camila.auto@cliente.example>", "Pedido 77", "¿Dónde está?")
    [auto] = _send_out()
    assert auto["Auto-Submitted"] == "auto-replied" and auto["X-Auto-Response-Suppress"] == "All"
    assert auto["Subject"] == "Re: Recibimos tu mensaje" and auto["To"] == "camila.auto@cliente.example"
    assert "Hola Camila, te respondemos" in _plain(auto)
    # The same sender again: no second auto-reply within the period
    _receive("Camila Ruiz <camila.auto@cliente.example>", "Re: Pedido 77", "¿Hola?")
    assert _send_out() == []
    # Out-of-office, bulk, lists and robots never get one
    for sender, headers in (("oficina@cliente.example", {"Auto-Submitted": "auto-replied"}),
                            ("news@tienda.example", {"Precedence": "bulk"}),
                            ("lista@grupo.example", {"List-Id": "<clientes.grupo.example>"}),
                            ("MAILER-DAEMON@mx.example", {}),
                            ("no-reply@tienda.example", {})):
        _receive(sender, "Aviso", "automático", headers=headers)
        assert _send_out() == [], sender
    messages = _messages(supervisor, conversation_id)
    assert [m["direction"] for m in messages].count("out") == 1


def test_templates_are_sanitised_rendered_and_replies_carry_signatures(demo):
    supervisor, agent1, acme = demo["supervisor@demo.local"], demo["agent1@demo.local"], demo["admin@acme.local"]
    created = call(INBOX, "POST", "/v1/email/templates", principal=supervisor, body={
        "name": "Seguimiento pedido", "subject": "Tu pedido, {{contact.first_name | \"cliente\"}}",
        "html": '<p onclick="robar()">Hola <b>{{contact.first_name}}</b></p><script>alert(1)</script>'
                '<img src="https://cdn.demo.example/logo.png" onerror="x()"><a href="javascript:x()">ver</a>'})
    assert created.status == 201, created.body
    assert created.body["sanitized"] is True
    html = created.body["html"]
    assert "script" not in html and "onclick" not in html and "onerror" not in html and "javascript" not in html
    assert '<img src="https://cdn.demo.example/logo.png">' in html
    assert set(created.body["merge_fields"]) == {"contact.first_name"}
    template_id = created.body["id"]
    assert call(INBOX, "POST", "/v1/email/templates", principal=supervisor,
                body={"name": "x", "text": "{{cliente.nombre}}"}).status == 422
    assert call(INBOX, "POST", "/v1/email/templates", principal=supervisor,
                body={"name": "x", "html": "<script>x</script>"}).status == 422
    assert call(INBOX, "POST", "/v1/email/templates", principal=agent1, body={"name": "x", "text": "y"}).status == 403
    assert call(INBOX, "POST", "/v1/email/templates", principal=supervisor,
                body={"name": "x", "text": "y", "color": "red"}).status == 422
    assert call(INBOX, "GET", f"/v1/email/templates/{template_id}", principal=acme).status == 404
    assert call(INBOX, "PATCH", f"/v1/email/templates/{template_id}", principal=acme, body={"name": "z"}).status == 404
    assert call(INBOX, "DELETE", f"/v1/email/templates/{template_id}", principal=acme).status == 404
    assert call(INBOX, "PATCH", f"/v1/email/templates/{template_id}", principal=supervisor,
                body={"name": None}).status == 422
    listed = call(INBOX, "GET", "/v1/email/templates", principal=agent1).body["items"]
    assert template_id in [t["id"] for t in listed]

    conversation_id = _receive("María José <mj.firma@cliente.example>", "Consulta", "Hola")
    _send_out()  # whatever the auto-response of another test left configured
    rendered = call(INBOX, "POST", f"/v1/email/templates/{template_id}/render", principal=supervisor,
                    body={"conversation_id": conversation_id})
    assert rendered.status == 200, rendered.body
    assert rendered.body["subject"] == "Tu pedido, María"
    assert "Hola <b>María</b>" in rendered.body["html"] and rendered.body["text"].startswith("Hola María")
    assert call(INBOX, "POST", f"/v1/email/templates/{template_id}/render", principal=acme,
                body={"conversation_id": conversation_id}).status == 404

    # Signatures: the brand's for everyone, the agent's own wins for their replies
    brand = call(INBOX, "PUT", "/v1/email/signatures/brand", principal=supervisor,
                 body={"text": "Equipo Demo\nwww.demo.example", "html": "<p>Equipo <b>Demo</b></p><script>x</script>"})
    assert brand.status == 200 and "script" not in brand.body["html"]
    assert call(INBOX, "PUT", "/v1/email/signatures/brand", principal=agent1, body={"text": "x"}).status == 403
    mine = call(INBOX, "PUT", "/v1/email/signatures/me", principal=supervisor,
                body={"text": "Sofía Supervisora — Demo"})
    assert mine.status == 200 and mine.body["scope"] == "user"
    assert call(INBOX, "GET", "/v1/email/signatures/me", principal=agent1).body["enabled"] is False
    sent = call(CONVERSATIONS, "POST", f"/v1/conversations/{conversation_id}/messages", principal=supervisor, body={
        "text": rendered.body["text"], "email": {"subject": rendered.body["subject"], "html": rendered.body["html"]}})
    assert sent.status == 202, sent.body
    [out] = _send_out()
    text = _plain(out)
    html = _plain(out, "html")
    assert text.rstrip().endswith("-- \nSofía Supervisora — Demo") and "Equipo Demo" not in text
    assert "Sofía Supervisora" in html and out["Auto-Submitted"] is None
    assert out["Subject"] == "Re: Tu pedido, María"  # threaded: the channel adds "Re:"
    # The signature is part of what went out, not of what the agent wrote
    stored = next(m for m in _messages(supervisor, conversation_id) if m["id"] == sent.body["id"])
    assert "Sofía" not in (stored["text"] or "")
    call(INBOX, "PUT", "/v1/email/signatures/me", principal=supervisor, body={"enabled": False})
    assert call(CONVERSATIONS, "POST", f"/v1/conversations/{conversation_id}/messages", principal=supervisor,
                body={"text": "Otra respuesta"}).status == 202
    [out] = _send_out()
    assert _plain(out).rstrip().endswith("Equipo Demo\nwww.demo.example")


def test_follow_ups_fire_when_unanswered_and_are_cancelled_by_an_answer(demo, monkeypatch):
    from skailan.conversations.inbox import workers

    supervisor, acme = demo["supervisor@demo.local"], demo["admin@acme.local"]
    call(INBOX, "PUT", "/v1/email/autoresponses/demo-email", principal=supervisor, body={"enabled": False})
    quiet = _receive("Pedro <pedro.seg@cliente.example>", "Cotización", "¿Precio?")
    answered = _receive("Lucía <lucia.seg@cliente.example>", "Cotización", "¿Precio?")
    _send_out()
    body = {"after_days": 3, "subject": "¿Pudiste revisar la cotización?",
            "text": "Hola {{contact.first_name}}, ¿pudiste revisarla?"}
    scheduled = call(INBOX, "POST", "/v1/email/follow-ups", principal=supervisor,
                     body={**body, "conversation_id": quiet})
    assert scheduled.status == 201, scheduled.body
    assert scheduled.body["text"] == "Hola Pedro, ¿pudiste revisarla?"
    assert call(INBOX, "POST", "/v1/email/follow-ups", principal=supervisor,
                body={**body, "conversation_id": answered}).status == 201
    assert call(INBOX, "GET", f"/v1/email/follow-ups/{quiet}", principal=acme).status == 404
    assert call(INBOX, "POST", "/v1/email/follow-ups", principal=acme,
                body={**body, "conversation_id": quiet}).status == 404
    assert call(INBOX, "POST", "/v1/email/follow-ups", principal=supervisor,
                body={**body, "conversation_id": quiet, "after_hours": 5}).status == 422
    # Lucía answers: her follow-up is cancelled
    _receive("Lucía <lucia.seg@cliente.example>", "Re: Cotización", "Sí, gracias")
    assert call(INBOX, "GET", f"/v1/email/follow-ups/{answered}", principal=supervisor).status == 404
    # Nothing is due yet; three days later only Pedro's goes out, once
    assert _send_out() == []
    workers.run_timers()
    assert _send_out() == []
    later = (datetime.now(UTC) + timedelta(days=3, minutes=1)).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    outcomes = workers.run_timers(later)
    assert outcomes.get("email_followup:sent") == 1, outcomes
    [out] = _send_out()
    assert out["To"] == "pedro.seg@cliente.example" and out["Subject"] == "Re: ¿Pudiste revisar la cotización?"
    assert workers.run_timers(later).get("email_followup:sent") is None
    assert call(INBOX, "GET", f"/v1/email/follow-ups/{quiet}", principal=supervisor).status == 404
    # Cancelled by hand
    call(INBOX, "POST", "/v1/email/follow-ups", principal=supervisor, body={**body, "conversation_id": quiet})
    assert call(INBOX, "DELETE", f"/v1/email/follow-ups/{quiet}", principal=acme).status == 404
    assert call(INBOX, "DELETE", f"/v1/email/follow-ups/{quiet}", principal=supervisor).status == 204
    assert call(INBOX, "DELETE", f"/v1/email/follow-ups/{quiet}", principal=supervisor).status == 404


def test_email_conversations_are_found_by_subject_sender_and_body(demo):
    supervisor, acme = demo["supervisor@demo.local"], demo["admin@acme.local"]
    call(INBOX, "PUT", "/v1/email/autoresponses/demo-email", principal=supervisor, body={"enabled": False})
    conversation_id = _receive("Rocío <rocio.busca@cliente.example>", "Re: Factura duplicada de marzo",
                               "Me cobraron dos veces el plan anual")

    def found(q: str, principal=supervisor) -> list[str]:
        reply = call(CONVERSATIONS, "GET", "/v1/conversations", principal=principal, query={"q": q})
        assert reply.status == 200, reply.body
        return [c["id"] for c in reply.body["items"]]

    assert conversation_id in found("factura duplicada")
    assert conversation_id in found("rocio.busca@cliente.example")
    assert conversation_id in found("cobraron dos veces")
    assert conversation_id not in found("factura duplicada", acme)


def test_folders_and_labels_file_each_conversation_once(demo):
    supervisor, acme = demo["supervisor@demo.local"], demo["admin@acme.local"]
    call(INBOX, "PUT", "/v1/email/autoresponses/demo-email", principal=supervisor, body={"enabled": False})
    conversation_id = _receive("Tomás <tomas.carpeta@cliente.example>", "Garantía", "Se dañó")

    def listed(principal=supervisor, **query) -> list[str]:
        reply = call(INBOX, "GET", "/v1/email/conversations", principal=principal, query=query)
        assert reply.status == 200, reply.body
        return [c["id"] for c in reply.body["items"]]

    assert conversation_id in listed(folder="inbox")
    moved = call(INBOX, "PUT", f"/v1/email/conversations/{conversation_id}/folder", principal=supervisor,
                 body={"folder": "garantias"})
    assert moved.status == 200 and moved.body["folder"] == "garantias"
    assert conversation_id in listed(folder="garantias") and conversation_id not in listed(folder="inbox")
    labelled = call(INBOX, "POST", f"/v1/email/conversations/{conversation_id}/labels", principal=supervisor,
                    body={"add": ["urgente", "vip"]})
    assert labelled.body["labels"] == ["urgente", "vip"]
    assert conversation_id in listed(label="urgente")
    call(INBOX, "POST", f"/v1/email/conversations/{conversation_id}/labels", principal=supervisor,
         body={"remove": ["urgente"]})
    assert conversation_id not in listed(label="urgente") and conversation_id in listed(label="vip")
    # Archived, then the customer writes again: back in the inbox, labels kept
    call(INBOX, "PUT", f"/v1/email/conversations/{conversation_id}/folder", principal=supervisor,
         body={"folder": "archived"})
    assert conversation_id in listed(folder="archived")
    _receive("Tomás <tomas.carpeta@cliente.example>", "Re: Garantía", "¿Novedades?")
    filing = call(INBOX, "GET", f"/v1/email/conversations/{conversation_id}/filing", principal=supervisor).body
    assert filing == {"conversation_id": conversation_id, "folder": "inbox", "labels": ["vip"]}
    assert conversation_id in listed(folder="inbox") and conversation_id not in listed(folder="archived")
    # Another brand, bad input, both filters or none
    assert conversation_id not in listed(acme, folder="inbox")
    assert call(INBOX, "PUT", f"/v1/email/conversations/{conversation_id}/folder", principal=acme,
                body={"folder": "x"}).status == 404
    assert call(INBOX, "POST", f"/v1/email/conversations/{conversation_id}/labels", principal=acme,
                body={"add": ["x"]}).status == 404
    assert call(INBOX, "GET", f"/v1/email/conversations/{conversation_id}/filing", principal=acme).status == 404
    assert call(INBOX, "PUT", f"/v1/email/conversations/{conversation_id}/folder", principal=supervisor,
                body={"folder": "Con Espacios"}).status == 422
    assert call(INBOX, "GET", "/v1/email/conversations", principal=supervisor).status == 422
    assert call(INBOX, "GET", "/v1/email/conversations", principal=supervisor,
                query={"folder": "inbox", "label": "vip"}).status == 422
    assert call(INBOX, "POST", f"/v1/email/conversations/{conversation_id}/labels", principal=supervisor,
                body={"add": ["a"], "remove": ["a"]}).status == 422


def test_the_bots_never_answer_automatic_or_bulk_mail_and_mark_their_own(demo, monkeypatch):
    from skailan.conversations.inbox import bots

    supervisor = demo["supervisor@demo.local"]
    call(INBOX, "PUT", "/v1/email/autoresponses/demo-email", principal=supervisor, body={"enabled": False})
    reply = call(INBOX, "PATCH", "/v1/inbox/settings", principal=supervisor, body={"bots": {
        "out_of_hours": {"enabled": True, "text": "Estamos fuera de horario."}}})
    assert reply.status == 200, reply.body
    monkeypatch.setattr(bots, "attending", lambda *_args, **_kwargs: False)  # always out of hours
    _receive("Oficina <fuera.oficina@cliente.example>", "Fuera de la oficina", "Vuelvo el lunes",
             headers={"Auto-Submitted": "auto-replied"})
    _receive("Boletín <boletin@tienda.example>", "Ofertas", "50 % menos", headers={"List-Unsubscribe": "<mailto:x@y>"})
    assert _send_out() == []
    _receive("Valentina <valentina.bot@cliente.example>", "Consulta", "¿Abren mañana?")
    [out] = _send_out()
    assert "fuera de horario" in _plain(out) and out["Auto-Submitted"] == "auto-replied"
