"""The web-chat widget: a public API keyed by the widget id (a `webchat` channel account).

- The widget's `config.allowed_origins` is the CORS allowlist: a browser request from any
  other origin is refused (403) and gets no CORS headers. Requests without an Origin (server
  to server) are served.
- `config.prechat_fields` (name / email / phone) are required when a visitor session starts.
- A session is a random token (`<session id>.<secret>`, only its SHA-256 is stored). The CRM
  person (identities: kind `webchat`, plus the e-mail / phone given) is resolved or created
  only when the visitor first writes, never for a session alone.
- Abuse limits (`skailan.platform.limits`, tenant-first keys): sessions per widget and IP,
  messages per session and per IP, uploads and upload bytes per session, polls per session.
- Sending enqueues a canonical `InboundMessage` on the same inbound FIFO queue the provider
  webhooks use, so web chat is stored by the same ingest worker; replies are read by polling.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Any, Literal, cast

from pydantic import Field, field_validator

from skailan.conversations import accounts
from skailan.platform import limits
from skailan.platform.clock import iso, utcnow
from skailan.platform.errors import BadRequest, Forbidden, NotFound, SkailanError, Unauthorized, Unprocessable
from skailan.platform.ids import ID_MAX_LENGTH, ID_PATTERN, new_id
from skailan.platform.models import EmailAddress, RequestModel, ResponseModel

SESSION_DAYS = 30
MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
ALLOWED_UPLOADS = ("image/", "audio/", "video/", "application/pdf", "text/plain")
WIDGET_NOT_FOUND = "Widget no encontrado. / Widget not found."


class PayloadTooLarge(SkailanError):
    status, code = 413, "payload_too_large"


# ---------------------------------------------------------------- models


class SessionIn(RequestModel):
    name: Annotated[str, Field(min_length=1, max_length=120)] | None = None
    email: EmailAddress | None = None
    phone: Annotated[str, Field(min_length=5, max_length=32, pattern=r"^\+?[0-9 ()-]+$")] | None = None


class SessionOut(ResponseModel):
    session_id: str
    token: str
    expires_at: str
    # Known once the visitor has written (a person and a conversation exist only from then on),
    # or at once for a returning visitor the CRM already knows.
    conversation_id: str | None = None


class WidgetOut(ResponseModel):
    widget_id: str
    name: str
    prechat_fields: list[str]
    snippet: str


class AttachmentRef(RequestModel):
    id: Annotated[str, Field(min_length=3, max_length=200, pattern=r"^[A-Za-z0-9]+/[A-Za-z0-9._-]+$")]
    mime_type: Annotated[str, Field(max_length=127)] | None = None
    filename: Annotated[str, Field(max_length=255)] | None = None


class VisitorMessageIn(RequestModel):
    text: Annotated[str, Field(min_length=1, max_length=4096)] | None = None
    attachment: AttachmentRef | None = None
    # Set by the widget so a retried POST is one message.
    client_message_id: Annotated[str, Field(min_length=1, max_length=ID_MAX_LENGTH, pattern=ID_PATTERN)] | None = None

    @field_validator("text")
    @classmethod
    def _not_blank(cls, value: str | None) -> str | None:
        return value if value is None or value.strip() else None


class AcceptedOut(ResponseModel):
    id: str
    status: Literal["queued"] = "queued"
    conversation_id: str | None = None


class UploadIn(RequestModel):
    filename: Annotated[str, Field(min_length=1, max_length=255)]
    content_type: Annotated[str, Field(min_length=3, max_length=127)]
    data: Annotated[str, Field(min_length=1, description="The file, base64-encoded (5 MB at most).")]


class UploadOut(ResponseModel):
    id: str
    filename: str
    mime_type: str
    size: int


class VisitorMessageOut(ResponseModel):
    id: str
    direction: Literal["in", "out"]
    type: str
    text: str | None = None
    timestamp: str
    status: str | None = None
    media_url: str | None = None
    author_name: str | None = None


class VisitorMessagesOut(ResponseModel):
    items: list[VisitorMessageOut]
    after: str | None = None


# ---------------------------------------------------------------- widget and CORS


@dataclass(frozen=True, slots=True)
class Widget:
    account: accounts.Account

    @property
    def tenant_id(self) -> str:
        return self.account.tenant_id

    @property
    def widget_id(self) -> str:
        return self.account.account_id

    @property
    def allowed_origins(self) -> list[str]:
        return [str(o).rstrip("/") for o in self.account.config.get("allowed_origins") or []]

    @property
    def prechat_fields(self) -> list[str]:
        return [str(f) for f in self.account.config.get("prechat_fields") or [] if f in ("name", "email", "phone")]


def widget(widget_id: str) -> Widget:
    route = accounts.route("account", widget_id)
    found = accounts.account(route.tenant_id, widget_id) if route and route.channel == "webchat" else None
    if found is None or not found.active:
        raise NotFound(WIDGET_NOT_FOUND, code="widget_not_found")
    return Widget(found)


def origin_allowed(found: Widget, origin: str | None) -> bool:
    return origin is None or origin.rstrip("/") in found.allowed_origins


def check_origin(found: Widget, origin: str | None) -> None:
    if not origin_allowed(found, origin):
        raise Forbidden("Origen no permitido para este widget. / Origin not allowed for this widget.",
                        code="origin_not_allowed")


def cors_headers(origin: str) -> dict[str, str]:
    return {
        "Access-Control-Allow-Origin": origin,
        "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
        "Access-Control-Allow-Headers": "authorization, content-type",
        "Access-Control-Max-Age": "600",
        "Vary": "Origin",
    }


def preflight(widget_id: str | None, origin: str | None) -> tuple[int, dict[str, str]]:
    """An OPTIONS preflight: 204 with CORS headers for an allowed origin, 403 otherwise."""
    if not widget_id or not origin:
        return 403, {"Vary": "Origin"}
    try:
        found = widget(widget_id)
    except NotFound:
        return 403, {"Vary": "Origin"}
    if not origin_allowed(found, origin):
        return 403, {"Vary": "Origin"}
    return 204, cors_headers(origin)


def describe(found: Widget, api_url: str) -> WidgetOut:
    import html

    url, widget_id = html.escape(api_url, quote=True), html.escape(found.widget_id, quote=True)
    snippet = (f'<script src="{url}/public/webchat/widget.js" data-widget="{widget_id}" '
               f'data-api="{url}" async></script>')
    return WidgetOut(widget_id=found.widget_id, name=found.account.name, prechat_fields=found.prechat_fields,
                     snippet=snippet)


# ---------------------------------------------------------------- sessions


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def start_session(found: Widget, body: SessionIn, *, origin: str | None, source_ip: str | None = None) -> SessionOut:
    from skailan.conversations.store import messages as store
    from skailan.conversations.store.items import SESSION_SK, WebchatSessionItem, session_pk

    missing = [name for name in found.prechat_fields if not getattr(body, name)]
    if missing:
        raise Unprocessable("Faltan datos del formulario previo al chat. / Pre-chat fields are missing.",
                            details=[{"field": name, "error": "required by this widget"} for name in missing])
    limits.hit_public("webchat-session-ip", limits.tenant_subject(found.tenant_id, found.widget_id, source_ip or ""))
    session_id = "ws" + new_id().lower()
    secret = secrets.token_urlsafe(32)
    expires = utcnow() + timedelta(days=SESSION_DAYS)
    store.save_session(WebchatSessionItem(
        session_pk(found.tenant_id, session_id), SESSION_SK, tenant_id=found.tenant_id, account_id=found.widget_id,
        session_id=session_id, token_hash=_hash(secret), person_id=None, conversation_id=None,
        visitor=body.model_dump(exclude_none=True), origin=origin, created_at=iso(), ttl=expires,
    ))
    conversation_id = None
    return SessionOut(session_id=session_id, token=f"{session_id}.{secret}", expires_at=iso(expires),
                      conversation_id=conversation_id)


def session_of(found: Widget, authorization: str | None) -> Any:
    from skailan.conversations.store import messages as store

    token = (authorization or "").removeprefix("Bearer ").strip()
    session_id, _, secret = token.partition(".")
    invalid = Unauthorized("Sesión de chat no válida. / Invalid chat session.", code="invalid_session")
    if not session_id or not secret:
        raise invalid
    item = store.get_session(found.tenant_id, session_id)
    if item is None or item.account_id != found.widget_id:
        raise invalid
    if not secrets.compare_digest(item.token_hash, _hash(secret)):
        raise invalid
    return item


# ---------------------------------------------------------------- messages


Direction = Literal["in", "out"]  # stored as a plain string
MediaKind = Literal["image", "video", "audio", "document"]


_MEDIA_KINDS: dict[str, MediaKind] = {"image": "image", "video": "video", "audio": "audio"}


def _kind(mime: str | None) -> MediaKind:
    return _MEDIA_KINDS.get((mime or "").split("/", 1)[0], "document")


def _conversation_of(found: Widget, session: Any) -> str:
    """The visitor's person and conversation, created with their first message (the ingest
    worker resolves the same `webchat` identity to the same person and conversation)."""
    from skailan.conversations.store import messages as store
    from skailan.crm.people.identities import resolve_or_create

    if session.conversation_id:
        return str(session.conversation_id)
    visitor = session.visitor or {}
    person = resolve_or_create(found.tenant_id, "webchat", session.session_id, phone=visitor.get("phone"),
                               email=visitor.get("email"), display_name=visitor.get("name"))
    conversation_id = store.conversation_id_for(found.widget_id, person.person_id)
    store.link_session(session, person.person_id, conversation_id)
    return conversation_id


def send(found: Widget, session: Any, body: VisitorMessageIn, *, source_ip: str | None = None) -> AcceptedOut:
    from skailan.channels.models import InboundMedia, InboundMessage, Sender
    from skailan.conversations.ingest.inbound_queue import IngestEnvelope, enqueue

    if body.text is None and body.attachment is None:
        raise Unprocessable("Escribe un mensaje o adjunta un archivo. / Write a message or attach a file.")
    limits.hit_public("webchat-message-session", limits.tenant_subject(found.tenant_id, session.session_id))
    limits.hit_public("webchat-message-ip", limits.tenant_subject(found.tenant_id, source_ip or ""))
    conversation_id = _conversation_of(found, session)
    visitor = session.visitor or {}
    provider_id = f"{session.session_id}:{body.client_message_id or new_id().lower()}"
    media = None
    message_type: Literal["text"] | MediaKind = "text"
    if body.attachment is not None:
        key = f"{_upload_prefix(found, session.session_id)}{body.attachment.id}"
        media = InboundMedia(provider_media_id=key, mime_type=body.attachment.mime_type,
                             filename=body.attachment.filename, caption=body.text)
        message_type = _kind(body.attachment.mime_type)
    now = utcnow()
    message = InboundMessage(
        channel="webchat", provider_message_id=provider_id,
        sender=Sender(external_id=session.session_id, display_name=visitor.get("name"), email=visitor.get("email"),
                      phone=visitor.get("phone")),
        recipient_id=found.widget_id, timestamp=now, type=message_type, text=body.text, media=media,
    )
    enqueue([IngestEnvelope(tenant_id=found.tenant_id, account_id=found.widget_id, channel="webchat",
                            received_at=now, via="webchat", event=message)])
    return AcceptedOut(id=provider_id, conversation_id=conversation_id)


def poll(found: Widget, session: Any, *, after: str | None, limit: int = 50) -> VisitorMessagesOut:
    """The visitor's conversation after message `after`, oldest first; our replies it returns
    become `delivered` (the widget has them), each with its `message.status_changed` in the same
    transaction, as a provider's delivery receipt writes it: a repeated poll moves nothing and
    writes no event again (the write's condition, and the event id derived from the status)."""
    from skailan.conversations import events as ev
    from skailan.conversations.domain.policy import last_message_of
    from skailan.conversations.ingest.media import signed_url
    from skailan.conversations.store import messages as store

    limits.hit_public("webchat-poll-session", limits.tenant_subject(found.tenant_id, session.session_id))
    if not session.conversation_id:
        return VisitorMessagesOut(items=[], after=after)
    items, _ = store.list_messages(found.tenant_id, session.conversation_id, cursor=None, limit=limit,
                                   newest_first=False, after_id=after)
    out = []
    cursor = after
    for item in items:
        if item.direction == "out" and item.status in ("queued", "sending"):
            # Not sent yet: the cursor stays before it, so a later poll returns it once it is.
            break
        cursor = item.message_id
        if item.direction == "out" and item.status == "sent":
            at = iso()
            event = ev.build(found.tenant_id, ev.MESSAGE_STATUS_CHANGED, key=f"{item.message_id}:delivered",
                             entity_type="conversation", entity_id=item.conversation_id, occurred_at=at,
                             data={"conversation_id": item.conversation_id, "message_id": item.message_id,
                                   "status": "delivered"})
            # The listed image stands in for a read: the write's condition still decides.
            updated = store.apply_status(found.tenant_id, item.conversation_id, item.message_id, "delivered", at,
                                         events=[event], current=item)
            if updated is not None:
                item.status = "delivered"
                store.refresh_last_message(updated, last_message_of(updated))
        if item.direction == "out" and item.status == "failed":
            continue  # never delivered to the widget
        media = item.media or {}
        author = item.author or {}
        out.append(VisitorMessageOut(
            id=item.message_id, direction=cast(Direction, item.direction), type=item.type, text=item.text, timestamp=item.timestamp,
            status=item.status, media_url=signed_url(media["key"]) if media.get("key") else None,
            author_name=author.get("name") if item.direction == "out" else None,
        ))
    return VisitorMessagesOut(items=out, after=cursor)


# ---------------------------------------------------------------- uploads


def _upload_prefix(found: Widget, session_id: str) -> str:
    return f"{found.tenant_id}/{found.widget_id}/webchat/{session_id}/"


def upload(found: Widget, session: Any, body: UploadIn) -> UploadOut:
    from skailan.conversations.ingest.media import put_object

    mime = body.content_type.split(";")[0].strip().lower()
    if not mime.startswith(ALLOWED_UPLOADS):
        raise Unprocessable("Tipo de archivo no permitido. / File type not allowed.", code="file_type_not_allowed")
    if len(body.data) > MAX_ATTACHMENT_BYTES * 4 // 3 + 4:
        raise PayloadTooLarge("El archivo supera 5 MB. / The file exceeds 5 MB.")
    try:
        content = base64.b64decode(body.data, validate=True)
    except (binascii.Error, ValueError) as err:
        raise Unprocessable("El archivo no está en base64. / The file is not base64.") from err
    if len(content) > MAX_ATTACHMENT_BYTES:
        raise PayloadTooLarge("El archivo supera 5 MB. / The file exceeds 5 MB.")
    subject = limits.tenant_subject(found.tenant_id, session.session_id)
    limits.hit_public("webchat-upload-session", subject)
    limits.hit_public("webchat-upload-bytes-session", subject, amount=len(content))
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", body.filename).strip("._")[:120] or "file"
    attachment_id = f"{new_id().lower()}/{name}"
    put_object(_upload_prefix(found, session.session_id) + attachment_id, content, mime)
    return UploadOut(id=attachment_id, filename=name, mime_type=mime, size=len(content))


_HOST = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?(?::[0-9]{1,5})?$")


def api_base_url(domain_name: str | None, forwarded_proto: str | None = None) -> str:
    """The widget API's public address for the snippet: the configured one (settings
    `webchat_public_url`, else `public_api_url`), else the API's own domain as API Gateway
    reports it — never a Host header taken as is."""
    from skailan.platform.settings import get_settings

    settings = get_settings()
    configured = settings.webchat_public_url or settings.public_api_url
    if configured:
        return configured.rstrip("/")
    host = (domain_name or "").strip()
    if not _HOST.match(host):
        raise BadRequest("Dirección del servidor no válida. / Invalid host.", code="invalid_host")
    proto = "http" if settings.is_local and (forwarded_proto or "").split(",")[0].strip() == "http" else "https"
    return f"{proto}://{host}"
