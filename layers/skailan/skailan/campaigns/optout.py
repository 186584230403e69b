"""Opt-out keywords on inbound SMS and WhatsApp: BAJA, ALTO, CANCELAR, STOP, UNSUBSCRIBE (accent-
and case-insensitive, the whole message) suppress that channel for the sender and answer once."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from skailan.platform.events import DomainEvent
from skailan.platform.observability import logger

KEYWORDS = frozenset({"baja", "alto", "cancelar", "stop", "unsubscribe"})
CONFIRMATION = ("Listo: no te enviaremos más mensajes promocionales por este canal. "
                "/ Done: you will not get promotional messages on this channel anymore.")


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    return re.sub(r"[^a-z]+", " ", plain).strip()


def is_opt_out(text: str | None) -> bool:
    return bool(text) and fold(text or "") in KEYWORDS


def on_message_received(event: DomainEvent) -> dict[str, Any]:
    data = event.data
    channel = data.get("channel")
    if channel not in ("sms", "whatsapp") or not is_opt_out(data.get("text")):
        return {"opt_out": False}
    from skailan.campaigns import service
    from skailan.crm.people import batch_people

    person = batch_people(event.tenant_id, [str(data["person_id"])]).get(str(data["person_id"]))
    if person is None or not person.phone:
        logger.warning("opt-out from a person without a phone", tenant_id=event.tenant_id)
        return {"opt_out": False}
    added = service.suppress(None, event.tenant_id, str(channel), person.phone, reason="opt_out", source="keyword")
    if added:  # the first time only: a redelivered event does not answer twice
        from skailan.automations.engine import system_caller
        from skailan.conversations import outbound
        from skailan.conversations.models import MessageIn

        outbound.queue_message(system_caller(event.tenant_id, "bot"), str(data["conversation_id"]),
                               MessageIn(text=CONFIRMATION))
    return {"opt_out": True, "new": added}
