"""Meta webhook authentication: the signed POST and the GET subscription handshake."""

from __future__ import annotations

from collections.abc import Mapping

from skailan.channels.signing import constant_time_equal, hmac_sha256_hex
from skailan.platform.errors import Forbidden, Unauthorized

SIGNATURE_HEADER = "X-Hub-Signature-256"
_PREFIX = "sha256="


def verify_signature(raw_body: bytes, signature_header: str | None, app_secret: str) -> None:
    """Check `X-Hub-Signature-256` = "sha256=" + hex HMAC-SHA256(app secret, exact body bytes).

    Raises Unauthorized when the header is missing or malformed, Forbidden when it does not
    match. The body must be the bytes as received: re-serialised JSON will not match.
    """
    if not app_secret:
        raise Forbidden("no app secret configured for this Meta app", code="signature_unverifiable")
    if not signature_header:
        raise Unauthorized(f"missing {SIGNATURE_HEADER} header", code="signature_missing")
    header = signature_header.strip()
    if not header.lower().startswith(_PREFIX):
        raise Unauthorized(f"{SIGNATURE_HEADER} must start with '{_PREFIX}'", code="signature_malformed")
    expected = hmac_sha256_hex(app_secret, raw_body)
    if not constant_time_equal(header[len(_PREFIX) :].lower(), expected):
        raise Forbidden(f"{SIGNATURE_HEADER} does not match the body", code="signature_mismatch")


def verify_handshake(query: Mapping[str, str], verify_token: str) -> str:
    """Answer Meta's GET verification: return `hub.challenge` when `hub.mode` is "subscribe"
    and `hub.verify_token` matches; otherwise Forbidden."""
    if query.get("hub.mode") != "subscribe":
        raise Forbidden("hub.mode must be 'subscribe'", code="handshake_refused")
    token = query.get("hub.verify_token")
    if not verify_token or token is None or not constant_time_equal(token, verify_token):
        raise Forbidden("hub.verify_token does not match", code="handshake_refused")
    challenge = query.get("hub.challenge")
    if not challenge:
        raise Forbidden("hub.challenge is missing", code="handshake_refused")
    return challenge
