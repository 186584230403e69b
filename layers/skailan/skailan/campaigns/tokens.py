"""Signed tokens of the public campaign routes (tracked click, open pixel, unsubscribe).

A token is `<payload>.<mac>`: the payload names kind × brand × campaign × recipient (× link), the
mac is HMAC-SHA256 over it with the campaigns' link secret (CampaignLinkSecret in Secrets Manager,
its ARN in settings), truncated to 128 bits. A forged or altered token is simply not found.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from dataclasses import dataclass
from functools import lru_cache

from skailan.platform.settings import get_settings

KINDS = frozenset({"c", "o", "u"})  # click, open, unsubscribe
_LOCAL_KEY = b"skailan-local-campaign-links"  # stage=local without the provisioned secret only


@dataclass(frozen=True, slots=True)
class Token:
    kind: str
    tenant_id: str
    campaign_id: str
    person_id: str
    index: int = 0


@lru_cache(maxsize=1)
def _key() -> bytes:
    settings = get_settings()
    if settings.campaign_link_secret_arn:
        from skailan.platform.aws import client

        value = client("secretsmanager").get_secret_value(SecretId=settings.campaign_link_secret_arn)
        return str(value["SecretString"]).encode()
    if settings.is_local:
        return _LOCAL_KEY
    raise RuntimeError("CAMPAIGN_LINK_SECRET_ARN is not set")  # never sign with a guessable key


def reset() -> None:
    _key.cache_clear()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _mac(payload: str) -> str:
    return _b64(hmac.new(_key(), payload.encode(), hashlib.sha256).digest()[:16])


def sign(kind: str, tenant_id: str, campaign_id: str, person_id: str, index: int = 0) -> str:
    payload = _b64(f"{kind}|{tenant_id}|{campaign_id}|{person_id}|{index}".encode())
    return f"{payload}.{_mac(payload)}"


def verify(token: str, kind: str) -> Token | None:
    """The token's fields, or None when it is malformed, of another kind, or its mac is wrong."""
    payload, _, mac = (token or "").partition(".")
    if not payload or not mac or len(token) > 400 or not hmac.compare_digest(mac.encode(), _mac(payload).encode()):
        return None
    try:
        fields = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode().split("|")
        found_kind, tenant_id, campaign_id, person_id, index = fields
        parsed = Token(found_kind, tenant_id, campaign_id, person_id, int(index))
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    return parsed if parsed.kind == kind and parsed.kind in KINDS else None
