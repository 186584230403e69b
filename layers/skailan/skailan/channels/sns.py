"""Amazon SNS message signatures, for the SES inbound-mail notifications SNS posts to us.

Per the SNS developer guide: the signature is RSA over a canonical string of "Name\\nvalue\\n"
pairs in a fixed order (Notification: Message, MessageId, Subject if present, Timestamp,
TopicArn, Type; (Un)SubscriptionConfirmation: Message, MessageId, SubscribeURL, Timestamp,
Token, TopicArn, Type). SignatureVersion 1 is SHA1withRSA, 2 is SHA256withRSA. The
certificate must come over https from an `sns.<region>.amazonaws.com` host; fetching it is
an injected callable (tests and local mode supply their own) and certificates are cached.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from skailan.channels.errors import PayloadError
from skailan.channels.fetch import FetchPolicy, fetch_media
from skailan.channels.payload import Node, load_json
from skailan.platform.clock import parse_iso, utcnow
from skailan.platform.errors import Forbidden, Unauthorized

_SNS_HOST = re.compile(r"^sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$")
_NOTIFICATION_FIELDS = ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type")
_CONFIRMATION_FIELDS = ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type")
_TYPES = {
    "Notification": _NOTIFICATION_FIELDS,
    "SubscriptionConfirmation": _CONFIRMATION_FIELDS,
    "UnsubscribeConfirmation": _CONFIRMATION_FIELDS,
}
_HASHES: dict[str, Callable[[], hashes.HashAlgorithm]] = {"1": hashes.SHA1, "2": hashes.SHA256}

CertificateFetcher = Callable[[str], bytes]


@dataclass(frozen=True, slots=True)
class SnsMessage:
    type: str
    message_id: str
    topic_arn: str
    message: str
    timestamp: datetime
    subject: str | None = None
    subscribe_url: str | None = None  # GET it to confirm a SubscriptionConfirmation
    token: str | None = None


class CertificateCache:
    """Signing keys by certificate URL, kept for the life of the Lambda container."""

    def __init__(self, fetch: CertificateFetcher, *, max_entries: int = 16) -> None:
        self._fetch = fetch
        self._max_entries = max_entries
        self._keys: OrderedDict[str, tuple[rsa.RSAPublicKey, datetime, datetime]] = OrderedDict()

    def public_key(self, url: str, *, now: datetime) -> rsa.RSAPublicKey:
        if url not in self._keys:
            self._keys[url] = self._load(url)
            while len(self._keys) > self._max_entries:
                self._keys.popitem(last=False)
        key, not_before, not_after = self._keys[url]
        if not not_before <= now <= not_after:
            raise Forbidden("the SNS signing certificate is not valid now", code="signature_mismatch")
        return key

    def _load(self, url: str) -> tuple[rsa.RSAPublicKey, datetime, datetime]:
        try:
            certificate = x509.load_pem_x509_certificate(self._fetch(url))
        except ValueError as err:
            raise Forbidden("the SNS signing certificate cannot be read", code="signature_mismatch") from err
        key = certificate.public_key()
        if not isinstance(key, rsa.RSAPublicKey):
            raise Forbidden("the SNS signing certificate has no RSA key", code="signature_mismatch")
        return key, certificate.not_valid_before_utc, certificate.not_valid_after_utc


def check_sns_url(url: str, *, what: str = "SigningCertURL") -> str:
    """Refuse any URL that is not https on an SNS host (the certificate and SubscribeURL)."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as err:
        raise Forbidden(f"{what} is not a valid URL", code="signature_mismatch") from err
    if (
        parsed.scheme != "https"
        or not _SNS_HOST.match(parsed.host)
        or parsed.userinfo
        or parsed.port not in {None, 443}
    ):
        raise Forbidden(f"{what} must be https on sns.<region>.amazonaws.com", code="signature_mismatch")
    return url


def canonical_string(fields: Mapping[str, str]) -> bytes:
    """The bytes SNS signed for this message."""
    names = _TYPES.get(fields.get("Type", ""))
    if names is None:
        raise PayloadError(f"unknown SNS message type {fields.get('Type')!r}", path="$.Type")
    lines = []
    for name in names:
        value = fields.get(name)
        if value is None:
            if name == "Subject":  # the only optional field
                continue
            raise PayloadError("missing", path=f"$.{name}")
        lines.append(f"{name}\n{value}\n")
    return "".join(lines).encode("utf-8")


def verify_sns_message(
    body: bytes | str | Mapping[str, Any],
    *,
    certificates: CertificateCache,
    allowed_topic_arns: set[str] | frozenset[str] | None = None,
    max_age: timedelta | None = None,
    now: datetime | None = None,
) -> SnsMessage:
    """Verify an SNS HTTP(S) delivery and return it. Unauthorized when unsigned, Forbidden
    when the signature, certificate, topic or age is wrong, PayloadError when malformed."""
    node = Node(load_json(body))
    fields: dict[str, str] = {}
    for name in (*_CONFIRMATION_FIELDS, "Subject", "Signature", "SignatureVersion", "SigningCertURL"):
        value = node.string(name)
        if value is not None:
            fields[name] = value
    if not fields.get("Signature") or not fields.get("SigningCertURL"):
        raise Unauthorized("the SNS message is not signed", code="signature_missing")
    signed = canonical_string(fields)
    digest = _HASHES.get(fields.get("SignatureVersion", "1"))
    if digest is None:
        raise Forbidden(
            f"unsupported SNS SignatureVersion {fields.get('SignatureVersion')!r}", code="signature_mismatch"
        )
    now = now or utcnow()
    key = certificates.public_key(check_sns_url(fields["SigningCertURL"]), now=now)
    try:
        signature = base64.b64decode(fields["Signature"], validate=True)
        key.verify(signature, signed, padding.PKCS1v15(), digest())
    except (InvalidSignature, binascii.Error, ValueError) as err:
        raise Forbidden("the SNS signature does not match", code="signature_mismatch") from err
    message = _message(fields)
    if allowed_topic_arns is not None and message.topic_arn not in allowed_topic_arns:
        raise Forbidden(f"unexpected SNS topic {message.topic_arn}", code="unexpected_topic")
    if max_age is not None and now - message.timestamp > max_age:
        raise Forbidden("the SNS message is too old", code="stale_message")
    if message.subscribe_url is not None:
        check_sns_url(message.subscribe_url, what="SubscribeURL")
    return message


def _message(fields: dict[str, str]) -> SnsMessage:
    try:
        timestamp = parse_iso(fields["Timestamp"])
    except ValueError as err:
        raise PayloadError("not an ISO-8601 time", path="$.Timestamp") from err
    return SnsMessage(
        type=fields["Type"],
        message_id=fields["MessageId"],
        topic_arn=fields["TopicArn"],
        message=fields["Message"],
        timestamp=timestamp,
        subject=fields.get("Subject"),
        subscribe_url=fields.get("SubscribeURL"),
        token=fields.get("Token"),
    )


def http_certificate_fetcher(client: httpx.Client, **fetch_options: Any) -> CertificateFetcher:
    """The production fetcher: the certificate URL's own SNS host, through the SSRF-safe fetcher."""

    def fetch(url: str) -> bytes:
        host = httpx.URL(check_sns_url(url)).host
        return fetch_media(
            client, url, policy=FetchPolicy(allowed_hosts=(host,), max_bytes=64 * 1024), **fetch_options
        ).content

    return fetch
