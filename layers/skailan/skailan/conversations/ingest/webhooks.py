"""What every webhook does: verify, parse, route each event to its brand, enqueue — nothing else.

Verification comes first: a request that fails it raises Unauthorized/Forbidden before
anything is parsed or stored. Routing uses only ids the verified payload (or the URL's
account) names; an id no brand claimed is logged and dropped, never guessed. Storing, people,
conversations and media are the ingest worker's job (`skailan.conversations.ingest.worker`).

Provider modules are imported inside each function so a webhook loads only its own parser.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from skailan.conversations import accounts
from skailan.conversations.ingest.inbound_queue import IngestEnvelope, MailRef, enqueue
from skailan.platform.clock import utcnow
from skailan.platform.errors import Forbidden
from skailan.platform.observability import logger

# Which route guard a Meta event's account_ref is looked up in.
_META_ROUTE_KIND = {"whatsapp": "whatsapp", "messenger": "messenger", "instagram": "instagram"}


@dataclass(frozen=True, slots=True)
class Accepted:
    queued: int
    dropped: int = 0

    def body(self) -> dict[str, int]:
        return {"queued": self.queued, "dropped": self.dropped}


def _unknown_account() -> Forbidden:
    # The same answer for "no such account" and "wrong channel": nothing to enumerate.
    return Forbidden("Cuenta de canal desconocida. / Unknown channel account.", code="unknown_account")


def _account_route(account_id: str, channel: str) -> accounts.Route:
    found = accounts.route("account", account_id)
    if found is None or found.channel != channel:
        raise _unknown_account()
    return found


def _arrival(received_at: datetime, index: int) -> datetime:
    """Events of one delivery are one microsecond apart, in the payload's order: the ingest keeps
    messages the provider stamped with the same second in the order they arrived."""
    return received_at + timedelta(microseconds=index)


def _envelopes(events: Sequence[Any], route: accounts.Route, *, via: str, received_at: datetime) -> list[IngestEnvelope]:
    return [
        IngestEnvelope(tenant_id=route.tenant_id, account_id=route.account_id, channel=event.channel,
                       received_at=_arrival(received_at, index), via=via, event=event)
        for index, event in enumerate(events)
    ]


# --------------------------------------------------------------------------- Meta


def meta_handshake(app_id: str, query: Mapping[str, str]) -> str:
    """The GET subscription handshake: `hub.challenge` back when the verify token matches."""
    from skailan.channels.meta import verify_handshake

    app = accounts.meta_app(app_id)
    return verify_handshake(query, str(app.get("verify_token") or ""))


def receive_meta(app_id: str, body: bytes, signature: str | None) -> Accepted:
    """A signed WhatsApp / Messenger / Instagram delivery: every entry, change, message and
    status is routed by its phone_number_id, page id or Instagram id."""
    from skailan.channels.meta import parse, verify_signature

    app = accounts.meta_app(app_id)
    verify_signature(body, signature, str(app.get("app_secret") or ""))
    _template_updates(body)
    received_at = utcnow()
    envelopes: list[IngestEnvelope] = []
    dropped = 0
    for index, event in enumerate(parse(body, received_at=received_at)):
        ref = event.account_ref
        found = accounts.route(_META_ROUTE_KIND[event.channel], ref) if ref else None
        if found is None or found.channel != event.channel:
            dropped += 1
            logger.warning("event for an unknown account dropped", provider="meta", app_id=app_id,
                           channel=event.channel, account_ref=ref, kind=event.kind)
            continue
        envelopes.append(IngestEnvelope(tenant_id=found.tenant_id, account_id=found.account_id,
                                        channel=event.channel, received_at=_arrival(received_at, index), via="meta",
                                        app_id=app_id, event=event))
    return Accepted(enqueue(envelopes), dropped)


def _template_updates(body: bytes) -> None:
    """Template status / quality changes are not customer events: they go straight to the
    template registry (idempotent conditional writes; a failure answers 5xx and Meta retries)."""
    if b"message_template_" not in body:
        return
    from skailan.channels.payload import load_json
    from skailan.channels.whatsapp.templates import template_updates

    document = load_json(body)
    updates = template_updates(document) if isinstance(document, dict) else []
    if updates:
        from skailan.conversations.inbox.template_sync import apply_updates

        apply_updates(updates)


# --------------------------------------------------------------------------- Telegram


def receive_telegram(account_id: str, body: bytes, secret_token: str | None) -> Accepted:
    from skailan.channels.telegram import parse, verify_secret_token

    route = _account_route(account_id, "telegram")
    secret = str(accounts.credentials(route.tenant_id, account_id).get("secret_token") or "")
    verify_secret_token(secret_token, secret)
    received_at = utcnow()
    events = parse(body, received_at=received_at)
    return Accepted(enqueue(_envelopes(events, route, via="telegram", received_at=received_at)))


# --------------------------------------------------------------------------- Twilio


def public_url(headers: Mapping[str, str], raw_path: str, raw_query: str, *, base_url: str = "") -> str:
    """The exact URL the provider called, as Twilio signs it.

    `base_url` (settings.public_api_url) wins when a proxy or custom domain sits in front;
    otherwise scheme from X-Forwarded-Proto (API Gateway sets it) and the Host header.
    """
    lower = {k.lower(): v for k, v in headers.items()}
    if base_url:
        root = base_url.rstrip("/")
    else:
        proto = (lower.get("x-forwarded-proto") or "https").split(",")[0].strip()
        root = f"{proto}://{lower.get('host', '')}"
    return root + raw_path + (f"?{raw_query}" if raw_query else "")


def receive_twilio(account_id: str, url: str, body: bytes, signature: str | None) -> Accepted:
    from skailan.channels.twilio import form_pairs, parse, verify_signature

    route = _account_route(account_id, "sms")
    token = str(accounts.credentials(route.tenant_id, account_id).get("auth_token") or "")
    pairs = form_pairs(body)
    verify_signature(url, pairs, signature, token)
    received_at = utcnow()
    events = parse(pairs, received_at=received_at)
    return Accepted(enqueue(_envelopes(events, route, via="twilio", received_at=received_at)))


# --------------------------------------------------------------------------- SES via SNS

_INLINE_LIMIT = 150_000


@dataclass(frozen=True, slots=True)
class SnsOutcome:
    kind: str  # notification | subscribed | ignored
    accepted: Accepted | None = None

    def body(self) -> dict[str, Any]:
        return {"type": self.kind, **(self.accepted.body() if self.accepted else {})}


_certificates: Any = None


def _certificate_cache() -> Any:
    """Signing certificates, cached per container. Only stage=local may use the local
    fake-SNS certificate (settings.local_sns_certificate_url); every other stage fetches the
    certificate named by the message from sns.<region>.amazonaws.com."""
    global _certificates
    if _certificates is None:
        import httpx

        from skailan.channels.sns import CertificateCache, http_certificate_fetcher
        from skailan.platform.settings import get_settings

        settings = get_settings()
        client = httpx.Client(timeout=5.0)
        if settings.is_local and settings.local_sns_certificate_url:
            local_url = settings.local_sns_certificate_url

            def fetch(_url: str) -> bytes:
                response = client.get(local_url)
                response.raise_for_status()
                return response.content

            _certificates = CertificateCache(fetch)
        else:
            _certificates = CertificateCache(http_certificate_fetcher(client))
    return _certificates


def reset_certificates() -> None:
    global _certificates
    _certificates = None


def _confirm_subscription(url: str) -> None:
    import httpx

    from skailan.channels.fetch import FetchPolicy, fetch_media
    from skailan.channels.sns import check_sns_url

    host = httpx.URL(check_sns_url(url, what="SubscribeURL")).host
    with httpx.Client() as client:
        fetch_media(client, url, policy=FetchPolicy(allowed_hosts=(host,), max_bytes=64 * 1024))


def receive_ses(body: bytes) -> SnsOutcome:
    """An SNS delivery from SES: signature, topic, then either a receipt (one event per
    recipient address a brand claimed; the MIME itself is read by the worker from S3) or a
    sending event for an e-mail we sent (Delivery, Bounce, Complaint → its status)."""
    from datetime import timedelta

    from skailan.channels.email import is_sending_event
    from skailan.channels.payload import load_json
    from skailan.channels.sns import verify_sns_message
    from skailan.platform.settings import get_settings

    settings = get_settings()
    topics = {arn for arn in (settings.inbound_mail_topic_arn, settings.email_events_topic_arn) if arn} or None
    message = verify_sns_message(body, certificates=_certificate_cache(), allowed_topic_arns=topics,
                                 max_age=timedelta(days=1))
    if message.type == "SubscriptionConfirmation":
        if settings.is_local:
            logger.info("sns subscription confirmation skipped locally", topic=message.topic_arn)
        else:
            _confirm_subscription(message.subscribe_url or "")
            logger.info("sns subscription confirmed", topic=message.topic_arn)
        return SnsOutcome("subscribed")
    if message.type != "Notification":
        return SnsOutcome("ignored")
    notification = load_json(message.message)
    if is_sending_event(notification):
        from skailan.conversations.ingest import claims

        # Campaign e-mail (tagged by the campaigns send worker, which claims these): its recipient's status.
        done = claims.ses_event_claimed(notification) if isinstance(notification, dict) else None
        if done is not None:
            return SnsOutcome("notification", Accepted(1 if done != "unknown" else 0, 1 if done == "unknown" else 0))
        return SnsOutcome("notification", _ses_sending_event(notification))
    return SnsOutcome("notification", _ses_received(notification))


def _ses_sending_event(notification: Mapping[str, Any]) -> Accepted:
    """Routed by the sending address (`mail.source`), which only the brand that claimed it
    sends from; the status then finds the message by SES's MessageId within that brand."""
    from skailan.channels.email import sending_event

    received_at = utcnow()
    event = sending_event(notification, received_at=received_at)
    if event.status is None:
        logger.info("ses event not tracked", event_type=event.event_type, ses_message_id=event.ses_message_id)
        return Accepted(0)
    found = accounts.route("email", event.source)
    if found is None or found.channel != "email":
        logger.warning("ses event for an unknown address dropped", source=event.source,
                       ses_message_id=event.ses_message_id, event_type=event.event_type)
        return Accepted(0, 1)
    envelope = IngestEnvelope(tenant_id=found.tenant_id, account_id=found.account_id, channel="email",
                              received_at=received_at, via="ses", event=event.status)
    return Accepted(enqueue([envelope]))


def _ses_received(notification: Mapping[str, Any]) -> Accepted:
    import base64

    from skailan.channels.email import received_mail

    mail = received_mail(notification)
    received_at = utcnow()
    envelopes: list[IngestEnvelope] = []
    dropped = 0
    inline = None
    if mail.content is not None:
        if len(mail.content) > _INLINE_LIMIT:
            logger.warning("inline e-mail too large for the queue dropped", ses_message_id=mail.ses_message_id)
            return Accepted(0, len(mail.recipients))
        inline = base64.b64encode(mail.content).decode()
    for recipient in dict.fromkeys(r.strip().lower() for r in mail.recipients):
        found = accounts.route("email", recipient)
        if found is None or found.channel != "email":
            dropped += 1
            logger.warning("e-mail for an unknown address dropped", recipient=recipient,
                           ses_message_id=mail.ses_message_id)
            continue
        ref = MailRef(ses_message_id=mail.ses_message_id, recipient=recipient, bucket=mail.bucket,
                      key=mail.key, content_b64=inline)
        envelopes.append(IngestEnvelope(tenant_id=found.tenant_id, account_id=found.account_id,
                                        channel="email", received_at=received_at, via="ses", mail=ref))
    return Accepted(enqueue(envelopes), dropped)
