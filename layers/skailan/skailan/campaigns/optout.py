"""Opt-out keywords on inbound SMS and WhatsApp: BAJA, ALTO, CANCELAR, STOP, UNSUBSCRIBE (accent-
and case-insensitive, the whole message) suppress that channel for the sender and answer once."""

from __future__ import annotations

from typing import Any

from skailan.platform.events import DomainEvent
from skailan.platform.observability import logger
from skailan.platform.opt_out_words import KEYWORDS, fold, is_opt_out

__all__ = ["CONFIRMATION", "KEYWORDS", "fold", "is_opt_out", "on_message_received"]

CONFIRMATION = ("Listo: no te enviaremos más mensajes promocionales por este canal. "
                "/ Done: you will not get promotional messages on this channel anymore.")


def on_message_received(event: DomainEvent) -> dict[str, Any]:
    data = event.data
    channel = data.get("channel")
    if channel not in ("sms", "whatsapp") or not is_opt_out(data.get("text")):
        return {"opt_out": False}
    from skailan.campaigns import service
    from skailan.crm.store.person_reads import batch_people

    person = batch_people(event.tenant_id, [str(data["person_id"])]).get(str(data["person_id"]))
    if person is None or not person.phone:
        logger.warning("opt-out from a person without a phone", tenant_id=event.tenant_id)
        return {"opt_out": False}
    added = service.suppress(None, event.tenant_id, str(channel), person.phone, reason="opt_out", source="keyword")
    if added:  # the first time only: a redelivered event does not answer twice
        from skailan.conversations import outbound
        from skailan.conversations.models import MessageIn
        from skailan.platform.auth import system_caller

        outbound.queue_message(system_caller(event.tenant_id, "bot"), str(data["conversation_id"]),
                               MessageIn(text=CONFIRMATION))
    return {"opt_out": True, "new": added}


REASONS = {"opt_out": ("Se dio de baja por palabra clave", "Opted out by keyword"),
           "unsubscribe": ("Se dio de baja de los correos", "Unsubscribed from e-mails"),
           "hard_bounce": ("Correo rebotado: dirección suprimida", "E-mail bounced: address suppressed"),
           "complaint": ("Marcó un correo como spam: dirección suprimida", "Marked an e-mail as spam: address suppressed"),
           "manual": ("Supresión manual", "Manual suppression")}


def on_consent_changed(event: DomainEvent) -> dict[str, Any]:
    """A consent change on the person's timeline (the event id as the entry id: a redelivery
    rewrites the same entry)."""
    data = event.data
    person_id = data.get("person_id")
    if not person_id:
        return {"timeline": False}
    from skailan.crm.people.timeline import append_timeline

    es, en = REASONS.get(str(data.get("reason")), ("Cambio de consentimiento", "Consent changed"))
    if not data.get("suppressed"):
        es, en = "Vuelve a recibir mensajes", "Receives messages again"
    append_timeline(event.tenant_id, str(person_id), "consent", f"{es} ({data.get('channel')}) / {en}",
                    ref={"type": "consent", "channel": data.get("channel"), "address": data.get("address"),
                         "suppressed": bool(data.get("suppressed")), "reason": data.get("reason")},
                    occurred_at=event.occurred_at,
                    entry_id=event.id)
    return {"timeline": True}
