"""Why an outbound message failed, in Spanish and English: the provider's own codes come from
`skailan.channels.reasons`; these are the ones the send worker decides itself."""

from __future__ import annotations

from typing import Any

from skailan.channels.reasons import Provider, Reason, reason_for

OWN: dict[str, Reason] = {
    "window_closed": Reason(
        "Outside the 24-hour window",
        "Pasaron más de 24 horas desde el último mensaje del cliente: solo se puede enviar una plantilla aprobada.",
        "More than 24 hours passed since the customer's last message: only an approved template can be sent.",
    ),
    "channel_disabled": Reason(
        "Channel disabled",
        "El canal está deshabilitado o ya no existe.",
        "The channel is disabled or no longer exists.",
    ),
    "retries_exhausted": Reason(
        "Retries exhausted",
        "El proveedor siguió fallando después de varios intentos; el mensaje quedó en la cola de errores.",
        "The provider kept failing after several attempts; the message is in the dead-letter queue.",
    ),
    "delivery_unknown": Reason(
        "Delivery unknown",
        "Se perdió la respuesta del proveedor: no se reenvía para no duplicar. Revisa antes de reenviar.",
        "The provider's answer was lost: not resent to avoid a duplicate. Check before sending again.",
    ),
    "not_queued": Reason(
        "Could not queue",
        "No se pudo poner el mensaje en la cola de envío; inténtalo de nuevo.",
        "The message could not be queued for sending; try again.",
    ),
    "no_recipient": Reason(
        "No recipient",
        "La conversación no tiene a quién responder en este canal.",
        "The conversation has nobody to reply to on this channel.",
    ),
    "attachment_unavailable": Reason(
        "Attachment unavailable",
        "No se pudo obtener un archivo adjunto (enlace rechazado, inaccesible o demasiado grande); no se envió.",
        "An attachment could not be fetched (link refused, unreachable or too large); nothing was sent.",
    ),
    "send_error": Reason(
        "Send error",
        "El envío falló por un error interno antes de llegar al proveedor; no se envió.",
        "Sending failed with an internal error before reaching the provider; nothing was sent.",
    ),
}


def own_error(code: str, *, message: str | None = None) -> dict[str, Any]:
    reason = OWN[code]
    return {"code": code, "title": reason.title, "message": message, "reason_es": reason.es,
            "reason_en": reason.en}


def provider_error(provider: Provider, code: str | None, *, title: str | None = None,
                   message: str | None = None) -> dict[str, Any]:
    """A failure the provider reported (a `failed` status): its code and title kept, our words added."""
    known = reason_for(provider, code) if code else None
    return {
        "code": code,
        "title": title or (known.title if known else None),
        "message": message,
        "reason_es": known.es if known else "El proveedor no pudo entregar el mensaje.",
        "reason_en": known.en if known else "The provider could not deliver the message.",
    }
