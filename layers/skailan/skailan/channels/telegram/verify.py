"""Telegram webhook authentication: the secret token set with setWebhook(secret_token=…)."""

from __future__ import annotations

from skailan.channels.signing import constant_time_equal
from skailan.platform.errors import Forbidden, Unauthorized

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def verify_secret_token(header_value: str | None, expected: str) -> None:
    """Raise Unauthorized when the header is missing, Forbidden when it does not match."""
    if not expected:
        raise Forbidden(
            "no webhook secret configured for this Telegram account", code="signature_unverifiable"
        )
    if not header_value:
        raise Unauthorized(f"missing {SECRET_HEADER} header", code="signature_missing")
    if not constant_time_equal(header_value, expected):
        raise Forbidden(f"{SECRET_HEADER} does not match", code="signature_mismatch")
