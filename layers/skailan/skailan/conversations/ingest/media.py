"""Inbound media: downloaded from the provider through the one SSRF-safe fetcher, kept in S3.

Each provider has its own way to a file: WhatsApp hands a media id (Graph → short-lived URL,
both with the bearer token), Telegram a file_id (getFile → file path), Messenger/Instagram a
CDN URL, Twilio a media URL (basic auth). Only the provider's hosts are reachable; in
stage=local the fake provider's host is added (`settings.provider_local_hosts`), nowhere else.
Web chat uploads and e-mail attachments are already ours: they go straight to S3.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

from skailan.channels.models import InboundMessage
from skailan.conversations.accounts import Account, credentials
from skailan.platform.errors import Retryable
from skailan.platform.observability import logger
from skailan.platform.settings import get_settings

_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
# Twilio serves media from its API host and redirects to its S3 CDN.
_TWILIO_CDN = ("media.twiliocdn.com", "s3-external-1.amazonaws.com")

def _http() -> Any:
    from skailan.conversations.sending import http_client

    return http_client()  # one client (and connection pool) per container, shared with sending


@dataclass(frozen=True, slots=True)
class Stored:
    key: str
    mime_type: str | None
    size: int


def object_key(tenant_id: str, account_id: str, provider_message_id: str, filename: str | None) -> str:
    digest = hashlib.sha256(provider_message_id.encode()).hexdigest()[:32]
    name = _SAFE_NAME.sub("_", filename or "file").strip("._")[:120] or "file"
    return f"{tenant_id}/{account_id}/{digest}/{name}"


def put_object(key: str, content: bytes, content_type: str | None) -> Stored:
    from skailan.platform.aws import client

    client("s3").put_object(Bucket=get_settings().media_bucket, Key=key, Body=content,
                            ContentType=content_type or "application/octet-stream")
    return Stored(key, content_type, len(content))


def signed_url(key: str, *, expires: int = 3600) -> str:
    from skailan.platform.aws import client

    return str(client("s3").generate_presigned_url(
        "get_object", Params={"Bucket": get_settings().media_bucket, "Key": key}, ExpiresIn=expires))


def _fetch(channel: str, url: str, headers: dict[str, str] | None = None, *, extra_hosts: tuple[str, ...] = ()) -> Any:
    from skailan.channels.fetch import FetchPolicy, fetch_media

    policy = FetchPolicy.for_provider(channel,  # type: ignore[arg-type]
                                      extra_hosts=extra_hosts,
                                      local_hosts=get_settings().provider_local_hosts)
    return fetch_media(_http(), url, policy=policy, headers=headers)


def _json(fetched: Any) -> dict[str, Any]:
    import json

    try:
        value = json.loads(fetched.content)
    except ValueError as err:
        raise Retryable("the provider's media lookup did not answer JSON") from err
    return value if isinstance(value, dict) else {}


def _download(account: Account, message: InboundMessage) -> tuple[bytes, str | None]:
    media = message.media
    assert media is not None
    settings = get_settings()
    channel = message.channel
    if channel == "whatsapp":
        token = str(credentials(account.tenant_id, account.account_id).get("access_token") or "")
        auth = {"Authorization": f"Bearer {token}"}
        url = media.url
        if not url:
            info = _json(_fetch("whatsapp", f"{settings.graph_api_url.rstrip('/')}/{media.provider_media_id}", auth))
            url = str(info.get("url") or "")
        fetched = _fetch("whatsapp", url, auth)
    elif channel == "telegram":
        token = str(credentials(account.tenant_id, account.account_id).get("bot_token") or "")
        base = settings.telegram_api_url.rstrip("/")
        info = _json(_fetch("telegram", f"{base}/bot{token}/getFile?file_id={media.provider_media_id}"))
        path = str((info.get("result") or {}).get("file_path") or "")
        if not path:
            raise ValueError("Telegram getFile returned no file_path")
        fetched = _fetch("telegram", f"{base}/file/bot{token}/{path}")
    elif channel == "sms":
        secrets = credentials(account.tenant_id, account.account_id)
        import base64

        basic = base64.b64encode(f"{secrets.get('account_sid', '')}:{secrets.get('auth_token', '')}".encode()).decode()
        fetched = _fetch("sms", media.url or "", {"Authorization": f"Basic {basic}"}, extra_hosts=_TWILIO_CDN)
    elif channel in ("messenger", "instagram"):
        fetched = _fetch(channel, media.url or "")
    else:
        raise ValueError(f"no media download for {channel}")
    return fetched.content, fetched.content_type


def store_inbound_media(account: Account, message: InboundMessage, *, final: bool = True) -> dict[str, Any]:
    """The message's media as stored: {key, mime_type, size, filename, caption, status}.

    `status` is "stored", "unavailable" (the provider refused, the URL is unsafe, the file is too
    big — with `error`) or, when not `final`, "pending" for a transient failure (timeout, 5xx,
    throttling): the message is stored anyway and the media retried on its own
    (`ingest.retry_media`). Nothing here fails the message."""
    from skailan.channels.fetch import FetchFailed, MediaTooLarge, UnsafeUrl

    media = message.media
    assert media is not None
    info: dict[str, Any] = {"mime_type": media.mime_type, "filename": media.filename, "caption": media.caption,
                            "provider_media_id": media.provider_media_id, "size": media.size}
    if message.channel == "webchat":  # uploaded through the widget API: already in our bucket
        return {**info, "key": media.provider_media_id, "status": "stored"}
    try:
        content, content_type = _download(account, message)
    except (UnsafeUrl, FetchFailed, MediaTooLarge, ValueError) as err:
        logger.warning("media not downloaded", tenant_id=account.tenant_id, account_id=account.account_id,
                       provider_message_id=message.provider_message_id, reason=str(err))
        return {**info, "status": "unavailable", "error": str(err)[:300]}
    except Exception as err:  # transient (Retryable), or anything unexpected: never the text's fate
        logger.warning("media download failed; will retry", tenant_id=account.tenant_id,
                       account_id=account.account_id, provider_message_id=message.provider_message_id,
                       reason=f"{type(err).__name__}: {err}"[:300], final=final)
        return {**info, "status": "unavailable" if final else "pending", "error": str(err)[:300] or type(err).__name__}
    mime = media.mime_type or (content_type.split(";")[0].strip() if content_type else None)
    stored = put_object(object_key(account.tenant_id, account.account_id, message.provider_message_id,
                                   media.filename), content, mime)
    return {**info, "key": stored.key, "mime_type": mime, "size": stored.size, "status": "stored"}
