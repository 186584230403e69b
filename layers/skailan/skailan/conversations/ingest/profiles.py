"""Customer names on Messenger and Instagram: their webhooks carry only a page-scoped id, so a
new customer's name comes from Meta's user profile APIs (else they would be "messenger 123…"):

- Messenger: `GET /{PSID}?fields=first_name,last_name` with the page access token;
- Instagram: `GET /{IGSID}?fields=name,username` with the same token.

Cached: in the container (a day; a failure for an hour, so a refused permission does not cost a
call per message) and in the conversations table (`T#<t>#PROFILE#<account>#<id>`, 7 days TTL),
so a cold container asks DynamoDB, not Meta. A failure never blocks the message: the name is
then None and the CRM falls back to its default.
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from typing import Any

from skailan.conversations.accounts import Account, credentials
from skailan.platform.observability import logger

FIELDS = {"messenger": "first_name,last_name", "instagram": "name,username"}
HIT_SECONDS = 86_400.0
MISS_SECONDS = 3_600.0
STORE_DAYS = 7
MAX_ENTRIES = 10_000
TIMEOUT = 3.0

_cache: dict[tuple[str, str, str], tuple[float, str | None]] = {}
_lock = threading.Lock()
_client: Any = None


def clear_cache() -> None:
    with _lock:
        _cache.clear()


def _http() -> Any:
    global _client
    if _client is None:
        import httpx

        _client = httpx.Client(timeout=TIMEOUT)
    return _client


def _remember(key: tuple[str, str, str], name: str | None) -> None:
    with _lock:
        if len(_cache) >= MAX_ENTRIES:
            _cache.clear()  # bounded; a refill costs one GetItem per customer
        _cache[key] = (time.monotonic() + (HIT_SECONDS if name else MISS_SECONDS), name)


def name_from_profile(channel: str, body: dict[str, Any]) -> str | None:
    if channel == "messenger":
        name = " ".join(str(body.get(k) or "").strip() for k in ("first_name", "last_name")).strip()
    else:
        name = str(body.get("name") or "").strip() or str(body.get("username") or "").strip()
    return " ".join(name.split())[:200] or None


def profile_name(account: Account, channel: str, user_id: str) -> str | None:
    """The customer's profile name, or None (not a Meta channel, no permission, Meta down)."""
    if channel not in FIELDS or not user_id:
        return None
    key = (account.tenant_id, account.account_id, user_id)
    with _lock:
        hit = _cache.get(key)
    if hit is not None and hit[0] > time.monotonic():
        return hit[1]
    stored = _stored(key)
    if stored is not None:
        _remember(key, stored)
        return stored
    name = _fetch(account, channel, user_id)
    _remember(key, name)
    if name:
        _store(key, name)
    return name


def _stored(key: tuple[str, str, str]) -> str | None:
    from skailan.conversations.store import uploads

    try:
        return uploads.cached_profile_name(*key)
    except Exception as err:  # a cache: never the reason a message is not stored
        logger.warning("profile cache unreadable", error=type(err).__name__)
        return None


def _store(key: tuple[str, str, str], name: str) -> None:
    from skailan.conversations.store import uploads
    from skailan.platform.clock import utcnow

    try:
        uploads.cache_profile_name(*key, name, expires=utcnow() + timedelta(days=STORE_DAYS))
    except Exception as err:
        logger.warning("profile cache not written", error=type(err).__name__)


def _fetch(account: Account, channel: str, user_id: str) -> str | None:
    import httpx

    from skailan.platform.settings import get_settings

    token = str(credentials(account.tenant_id, account.account_id).get("page_access_token") or "")
    url = f"{get_settings().graph_api_url.rstrip('/')}/{user_id}"
    try:
        reply = _http().get(url, params={"fields": FIELDS[channel]}, headers={"Authorization": f"Bearer {token}"})
    except httpx.HTTPError as err:
        logger.info("profile not fetched", channel=channel, error=type(err).__name__)
        return None
    if reply.status_code != 200:
        logger.info("profile refused", channel=channel, status=reply.status_code)
        return None
    try:
        body = reply.json()
    except ValueError:
        return None
    return name_from_profile(channel, body) if isinstance(body, dict) else None
