"""What each provider error code means, for agents (Spanish first, English alongside) and for
the worker (retry or give up).

Codes come from the providers' published references: WhatsApp Cloud API error codes, Graph
API error handling (shared by WhatsApp, Messenger and Instagram), Telegram Bot API
(`error_code` is the HTTP status), Twilio's error dictionary and Amazon SES's bounce and
complaint events. Unknown codes fall back to the HTTP status (see `channels.sending.classify`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Provider = Literal["meta", "whatsapp", "telegram", "twilio", "ses", "local"]


@dataclass(frozen=True, slots=True)
class Reason:
    title: str
    es: str
    en: str
    permanent: bool = True


def _retry(title: str, es: str, en: str) -> Reason:
    return Reason(title, es, en, permanent=False)


_RATE_LIMIT_ES = "El proveedor limitó temporalmente los envíos; se reintentará automáticamente."
_RATE_LIMIT_EN = "The provider is throttling sends for now; it will be retried automatically."

# Graph API codes: the same numbers on WhatsApp, Messenger and Instagram.
GRAPH: dict[str, Reason] = {
    "1": _retry(
        "API unknown",
        "Error desconocido o temporal del proveedor; se reintentará.",
        "Unknown or temporary provider error; it will be retried.",
    ),
    "2": _retry(
        "API service",
        "El servicio del proveedor no está disponible por ahora; se reintentará.",
        "The provider service is temporarily unavailable; it will be retried.",
    ),
    "4": _retry("API too many calls", _RATE_LIMIT_ES, _RATE_LIMIT_EN),
    "10": Reason(
        "Permission denied",
        "La aplicación no tiene permiso para esta acción o la persona no lo autorizó.",
        "The app lacks permission for this action or the person has not granted it.",
    ),
    "10/2018278": Reason(
        "Outside the messaging window",
        "El mensaje está fuera de la ventana de 24 horas permitida para responder.",
        "The message is outside the 24-hour window allowed for replies.",
    ),
    "17": _retry("User request limit reached", _RATE_LIMIT_ES, _RATE_LIMIT_EN),
    "32": _retry("Page request limit reached", _RATE_LIMIT_ES, _RATE_LIMIT_EN),
    "100": Reason(
        "Invalid parameter",
        "La solicitud tiene un parámetro inválido o no admitido.",
        "The request has an invalid or unsupported parameter.",
    ),
    "190": Reason(
        "Access token expired",
        "El token de acceso caducó o fue revocado; vuelve a conectar el canal.",
        "The access token expired or was revoked; reconnect the channel.",
    ),
    "200": Reason(
        "Permission error",
        "Falta un permiso de la aplicación para enviar este mensaje.",
        "An app permission needed to send this message is missing.",
    ),
    "368": Reason(
        "Temporarily blocked for policy violations",
        "La cuenta está bloqueada temporalmente por infringir políticas de Meta.",
        "The account is temporarily blocked for violating Meta policies.",
    ),
    "551": Reason(
        "Person unavailable",
        "Esta persona no está disponible para recibir mensajes en este momento.",
        "This person is not available to receive messages right now.",
    ),
    "613": _retry("Calls exceeded rate limit", _RATE_LIMIT_ES, _RATE_LIMIT_EN),
    "80002": _retry("Instagram rate limit", _RATE_LIMIT_ES, _RATE_LIMIT_EN),
    "80006": _retry("Messenger rate limit", _RATE_LIMIT_ES, _RATE_LIMIT_EN),
    "80007": _retry("WhatsApp rate limit", _RATE_LIMIT_ES, _RATE_LIMIT_EN),
}

WHATSAPP: dict[str, Reason] = {
    "130429": _retry(
        "Rate limit hit",
        "Se alcanzó el límite de mensajes por segundo del número; se reintentará.",
        "The number's message throughput limit was reached; it will be retried.",
    ),
    "130472": Reason(
        "User's number is part of an experiment",
        "Meta no entregó el mensaje porque el número participa en un experimento.",
        "Meta did not deliver the message because the number is part of an experiment.",
    ),
    "131000": _retry(
        "Something went wrong",
        "Error temporal de WhatsApp; se reintentará.",
        "Temporary WhatsApp error; it will be retried.",
    ),
    "131005": Reason(
        "Access denied",
        "Permiso denegado para enviar con este número.",
        "Permission denied to send from this number.",
    ),
    "131008": Reason(
        "Required parameter is missing",
        "Falta un parámetro obligatorio en el mensaje.",
        "A required parameter is missing from the message.",
    ),
    "131009": Reason(
        "Parameter value is not valid",
        "Un valor del mensaje no es válido (por ejemplo, el número o el enlace).",
        "A value in the message is not valid (for example the number or the link).",
    ),
    "131016": _retry(
        "Service unavailable",
        "WhatsApp no está disponible por ahora; se reintentará.",
        "WhatsApp is unavailable right now; it will be retried.",
    ),
    "131021": Reason(
        "Recipient cannot be sender",
        "No se puede enviar un mensaje al mismo número que lo envía.",
        "A message cannot be sent to the sending number itself.",
    ),
    "131026": Reason(
        "Message undeliverable",
        "No se pudo entregar: el número no usa WhatsApp, no aceptó los términos recientes o usa una versión antigua.",
        "Undeliverable: the number is not on WhatsApp, has not accepted the latest terms, or runs an old version.",
    ),
    "131031": Reason(
        "Account has been locked",
        "La cuenta de WhatsApp Business está bloqueada.",
        "The WhatsApp Business account is locked.",
    ),
    "131042": Reason(
        "Business eligibility payment issue",
        "Hay un problema con el método de pago de la cuenta de WhatsApp Business.",
        "There is a problem with the WhatsApp Business account's payment method.",
    ),
    "131045": Reason(
        "Incorrect certificate",
        "El número de teléfono no está registrado correctamente (certificado).",
        "The phone number is not registered correctly (certificate).",
    ),
    "131047": Reason(
        "Re-engagement message",
        "Han pasado más de 24 horas desde el último mensaje del cliente; solo se pueden enviar plantillas aprobadas.",
        "More than 24 hours have passed since the customer last replied; only approved templates can be sent.",
    ),
    "131048": Reason(
        "Spam rate limit hit",
        "WhatsApp limitó los envíos de este número por baja calidad o reportes de spam.",
        "WhatsApp restricted this number's sends because of low quality or spam reports.",
    ),
    "131049": Reason(
        "Meta chose not to deliver",
        "Meta no entregó el mensaje para cuidar la experiencia del usuario (límite de mensajes de marketing).",
        "Meta chose not to deliver the message to protect user experience (marketing message limit).",
    ),
    "131050": Reason(
        "User stopped marketing messages",
        "El cliente pidió no recibir mensajes de marketing de este negocio.",
        "The customer opted out of marketing messages from this business.",
    ),
    "131051": Reason(
        "Unsupported message type",
        "WhatsApp no admite este tipo de mensaje.",
        "WhatsApp does not support this message type.",
    ),
    "131052": Reason(
        "Media download error",
        "WhatsApp no pudo descargar el archivo adjunto del enlace indicado.",
        "WhatsApp could not download the attachment from the given link.",
    ),
    "131053": Reason(
        "Media upload error",
        "WhatsApp no pudo procesar el archivo adjunto (tipo o tamaño no admitido).",
        "WhatsApp could not process the attachment (unsupported type or size).",
    ),
    "131056": _retry(
        "Pair rate limit hit",
        "Se enviaron demasiados mensajes a este cliente en poco tiempo; se reintentará.",
        "Too many messages were sent to this customer in a short time; it will be retried.",
    ),
    "131057": _retry(
        "Account in maintenance mode",
        "La cuenta de WhatsApp Business está en mantenimiento; se reintentará.",
        "The WhatsApp Business account is in maintenance mode; it will be retried.",
    ),
    "132000": Reason(
        "Template param count mismatch",
        "La cantidad de variables no coincide con la plantilla.",
        "The number of variables does not match the template.",
    ),
    "132001": Reason(
        "Template does not exist",
        "La plantilla no existe, no está aprobada o no existe en ese idioma.",
        "The template does not exist, is not approved, or does not exist in that language.",
    ),
    "132005": Reason(
        "Template hydrated text too long",
        "El texto de la plantilla con sus variables es demasiado largo.",
        "The template text with its variables is too long.",
    ),
    "132007": Reason(
        "Template format character policy violated",
        "El contenido de la plantilla infringe las reglas de formato de WhatsApp.",
        "The template content breaks WhatsApp formatting rules.",
    ),
    "132012": Reason(
        "Template parameter format mismatch",
        "Una variable no tiene el formato que espera la plantilla.",
        "A variable does not have the format the template expects.",
    ),
    "132015": Reason(
        "Template is paused",
        "La plantilla está en pausa por baja calidad.",
        "The template is paused because of low quality.",
    ),
    "132016": Reason(
        "Template is disabled",
        "La plantilla fue desactivada por baja calidad.",
        "The template was disabled because of low quality.",
    ),
    "133010": Reason(
        "Phone number not registered",
        "El número de WhatsApp Business no está registrado en la Cloud API.",
        "The WhatsApp Business number is not registered on the Cloud API.",
    ),
}

# Telegram reports the HTTP status as `error_code`; `description` says more.
TELEGRAM: dict[str, Reason] = {
    "400": Reason(
        "Bad request",
        "Telegram rechazó el mensaje (chat inexistente, mensaje vacío o formato inválido).",
        "Telegram rejected the message (unknown chat, empty message or invalid format).",
    ),
    "401": Reason(
        "Unauthorized",
        "El token del bot no es válido; vuelve a conectar el canal.",
        "The bot token is invalid; reconnect the channel.",
    ),
    "403": Reason(
        "Forbidden",
        "El usuario bloqueó al bot o el bot ya no puede escribir en este chat.",
        "The user blocked the bot or the bot can no longer write to this chat.",
    ),
    "404": Reason(
        "Not found",
        "Telegram no reconoce el bot; revisa el token.",
        "Telegram does not recognise the bot; check the token.",
    ),
    "429": _retry("Too many requests", _RATE_LIMIT_ES, _RATE_LIMIT_EN),
}

TWILIO: dict[str, Reason] = {
    "20003": Reason(
        "Authentication error",
        "Las credenciales de Twilio no son válidas; vuelve a conectar el canal.",
        "The Twilio credentials are invalid; reconnect the channel.",
    ),
    "20404": Reason(
        "Resource not found",
        "Twilio no encontró la cuenta o el recurso indicado.",
        "Twilio could not find the account or resource.",
    ),
    "20429": _retry("Too many requests", _RATE_LIMIT_ES, _RATE_LIMIT_EN),
    "21211": Reason(
        "Invalid 'To' phone number",
        "El número de destino no es válido.",
        "The destination number is not valid.",
    ),
    "21408": Reason(
        "Region not enabled",
        "El envío de SMS a la región de este número no está habilitado en la cuenta.",
        "Sending SMS to this number's region is not enabled on the account.",
    ),
    "21602": Reason(
        "Message body is required",
        "El mensaje no tiene texto ni archivos.",
        "The message has no text and no media.",
    ),
    "21606": Reason(
        "Invalid 'From' phone number",
        "El número de origen no puede enviar mensajes desde esta cuenta.",
        "The sending number cannot send messages from this account.",
    ),
    "21610": Reason(
        "Unsubscribed recipient",
        "El destinatario se dio de baja (respondió STOP); no se le pueden enviar mensajes.",
        "The recipient unsubscribed (replied STOP); messages cannot be sent to them.",
    ),
    "21612": Reason(
        "Cannot route message",
        "Twilio no puede enrutar mensajes entre estos dos números.",
        "Twilio cannot route messages between these two numbers.",
    ),
    "21614": Reason(
        "'To' number is not mobile",
        "El número de destino no es un celular capaz de recibir SMS.",
        "The destination is not a mobile number able to receive SMS.",
    ),
    "21617": Reason(
        "Body exceeds 1600 characters",
        "El mensaje supera los 1600 caracteres.",
        "The message exceeds 1600 characters.",
    ),
    "21620": Reason(
        "Invalid media URL", "Un enlace de archivo adjunto no es válido.", "An attachment link is not valid."
    ),
    "21623": Reason(
        "Too many media",
        "El mensaje supera la cantidad máxima de archivos adjuntos.",
        "The message exceeds the maximum number of attachments.",
    ),
    "30001": _retry("Queue overflow", _RATE_LIMIT_ES, _RATE_LIMIT_EN),
    "30002": Reason(
        "Account suspended", "La cuenta de Twilio está suspendida.", "The Twilio account is suspended."
    ),
    "30003": Reason(
        "Unreachable destination",
        "El teléfono de destino está apagado o fuera de cobertura.",
        "The destination handset is off or unreachable.",
    ),
    "30005": Reason(
        "Unknown destination", "El número de destino no existe.", "The destination number does not exist."
    ),
    "30006": Reason(
        "Landline or unreachable carrier",
        "El número de destino es fijo o su operador no recibe SMS.",
        "The destination is a landline or its carrier cannot receive SMS.",
    ),
    "30007": Reason(
        "Message filtered",
        "El operador filtró el mensaje como spam.",
        "The carrier filtered the message as spam.",
    ),
    "30008": Reason(
        "Unknown error",
        "El operador no entregó el mensaje por un error desconocido.",
        "The carrier did not deliver the message for an unknown reason.",
    ),
}

# Amazon SES delivery events (event publishing): codes are ours, the SES bounce type and
# subtype stay in the failure's title and the receiving server's diagnostic in its message.
SES: dict[str, Reason] = {
    "permanent_bounce": Reason(
        "Permanent bounce",
        "El correo rebotó: el servidor del destinatario lo rechazó de forma permanente (la dirección no existe "
        "o no acepta correo). Verifica la dirección antes de volver a escribir.",
        "The e-mail bounced: the recipient's server refused it permanently (the address does not exist or "
        "does not accept mail). Check the address before writing again.",
    ),
    "suppressed": Reason(
        "Address suppressed",
        "El correo no se envió: la dirección está en la lista de supresión de Amazon SES por rebotes o quejas "
        "anteriores.",
        "The e-mail was not sent: the address is on the Amazon SES suppression list after earlier bounces or "
        "complaints.",
    ),
    "complaint": Reason(
        "Marked as spam",
        "El destinatario marcó el correo como spam. No le vuelvas a escribir por correo sin su consentimiento.",
        "The recipient marked the e-mail as spam. Do not e-mail them again without their consent.",
    ),
    "rejected": Reason(
        "Rejected by SES",
        "Amazon SES rechazó el correo (por ejemplo, un adjunto con virus) y no intentó entregarlo.",
        "Amazon SES rejected the e-mail (for example, an attachment with a virus) and did not try to deliver it.",
    ),
}

# Failures found before or around the provider call, the same on every channel.
LOCAL: dict[str, Reason] = {
    "timeout": _retry(
        "Timeout",
        "El proveedor no respondió a tiempo; se reintentará.",
        "The provider did not answer in time; it will be retried.",
    ),
    "network_error": _retry(
        "Network error",
        "No se pudo conectar con el proveedor; se reintentará.",
        "Could not connect to the provider; it will be retried.",
    ),
    "http_429": _retry("Too many requests", _RATE_LIMIT_ES, _RATE_LIMIT_EN),
    "http_5xx": _retry(
        "Provider error",
        "Error temporal del proveedor; se reintentará.",
        "Temporary provider error; it will be retried.",
    ),
    "http_4xx": Reason(
        "Rejected by provider", "El proveedor rechazó el mensaje.", "The provider rejected the message."
    ),
    # Not retried: the provider accepted the request, so a retry could deliver it twice.
    "invalid_response": Reason(
        "Unreadable response",
        "El proveedor aceptó la solicitud pero su respuesta no se pudo leer; revisa si el mensaje llegó.",
        "The provider accepted the request but its answer could not be read; check whether the message arrived.",
    ),
    "wrong_channel": Reason(
        "Wrong channel", "El mensaje es de otro canal.", "The message belongs to another channel."
    ),
    "empty_message": Reason("Empty message", "El mensaje está vacío.", "The message is empty."),
    "text_too_long": Reason(
        "Text too long",
        "El texto supera el largo máximo que permite el canal.",
        "The text exceeds the channel's maximum length.",
    ),
    "caption_too_long": Reason(
        "Caption too long",
        "La descripción del archivo supera el largo máximo del canal.",
        "The attachment caption exceeds the channel's maximum length.",
    ),
    "too_many_attachments": Reason(
        "Too many attachments",
        "El mensaje tiene más archivos adjuntos de los que permite el canal.",
        "The message has more attachments than the channel allows.",
    ),
    "unsupported_type": Reason(
        "Unsupported type",
        "Este canal no admite este tipo de mensaje.",
        "This channel does not support this message type.",
    ),
    "invalid_media_url": Reason(
        "Invalid attachment link",
        "Los archivos adjuntos deben ser enlaces https públicos.",
        "Attachments must be public https links.",
    ),
    "invalid_recipient": Reason(
        "Invalid recipient",
        "El destinatario no es válido para este canal.",
        "The recipient is not valid for this channel.",
    ),
    "invalid_email": Reason(
        "Invalid e-mail",
        "No se pudo armar el correo: revisa las direcciones, el asunto y los adjuntos.",
        "The e-mail could not be built: check the addresses, the subject and the attachments.",
    ),
    "missing_sender": Reason(
        "Missing sender",
        "Falta el remitente configurado para este canal.",
        "The channel's sender is not configured.",
    ),
}

_CATALOGS: dict[str, dict[str, Reason]] = {
    "meta": GRAPH,
    "whatsapp": WHATSAPP,
    "telegram": TELEGRAM,
    "twilio": TWILIO,
    "ses": SES,
    "local": LOCAL,
}


def reason_for(provider: Provider, code: str) -> Reason | None:
    """The known meaning of a provider code; WhatsApp falls back to the Graph API codes."""
    found = _CATALOGS[provider].get(code)
    if found is None and provider == "whatsapp":
        found = GRAPH.get(code)
    return found
