"""Abuse limits: counters in DynamoDB, one atomic ADD each, expiring by TTL.

A counter item is `pk = <limit>#<subject>#<window number>`. The subject is tenant-first
(`T#<tenant>#...`) for a brand's public surfaces (web chat, forms) and ip-first (`IP#<hash>`)
for sign-in; IPs and e-mails are stored hashed. Windows are fixed; a `sliding` limit also
weighs the previous window by how much of it still overlaps (the usual two-window estimate).
Time comes from `skailan.platform.clock` so tests can move it.

Sign-in (`check_signin` / `signin_failed` / `signin_succeeded`) counts failures only:
- per IP, sliding: anyone guessing across many accounts from one address is slowed down;
- per account, but only failures from an address that never signed in to it successfully:
  an attacker can make the account refuse *unknown* addresses for a while, never its owner's
  usual ones. The pre-check is ONE BatchGetItem; a failure adds one or two UpdateItems.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

from skailan.platform import clock
from skailan.platform import limit_counters as counters
from skailan.platform.errors import TooManyRequests
from skailan.platform.settings import get_settings
from skailan.platform.storage import ConditionFailed, tenant_pk

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2

KNOWN_DEVICE_DAYS = 90
_MESSAGE = "Demasiadas solicitudes; inténtalo más tarde. / Too many requests; try again later."


@dataclass(frozen=True, slots=True)
class Limit:
    name: str
    max: int
    window: int  # seconds
    sliding: bool = False
    message: str = _MESSAGE


def digest(value: str) -> str:
    """Subjects are stored hashed: no raw IP or e-mail in the limits table."""
    return hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]


def ip_subject(source_ip: str | None) -> str:
    return "IP#" + digest(source_ip or "unknown")


def source_ip(event: Any) -> str | None:
    """The caller's address on an HTTP API (payload 2.0) request, as API Gateway saw it."""
    return cast("APIGatewayProxyEventV2", event).request_context.http.source_ip


def tenant_subject(tenant_id: str, *parts: str) -> str:
    return "#".join([tenant_pk(tenant_id), *(digest(p) for p in parts)])


def _window(limit: Limit, now: datetime) -> tuple[int, float]:
    """(window number, seconds elapsed in it)."""
    seconds = now.timestamp()
    return int(seconds // limit.window), seconds % limit.window


def _key(limit: Limit, subject: str, window: int) -> str:
    return counters.counter_key(limit.name, subject, window)


def _expires(limit: Limit, now: datetime) -> datetime:
    """A counter outlives its window and the next (a sliding limit reads the previous one)."""
    return now + timedelta(seconds=2 * limit.window + 60)


def _retry_after(limit: Limit, elapsed: float) -> int:
    return max(1, math.ceil(limit.window - elapsed))


def too_many(limit: Limit, retry_after: int) -> TooManyRequests:
    return TooManyRequests(limit.message, code="rate_limited",
                           details={"retry_after": retry_after, "limit": limit.name})


def _estimate(limit: Limit, current: int, previous: int, elapsed: float) -> float:
    if not limit.sliding:
        return current
    return current + previous * (limit.window - elapsed) / limit.window


def hit(limit: Limit, subject: str, *, amount: int = 1) -> int:
    """Count `amount` against `subject` and refuse (429) past the limit; returns the count.

    One conditional UpdateItem (ADD is atomic under concurrency, and refused requests are not
    counted); a sliding limit adds unconditionally and reads the previous window too, only
    while the current one alone is still under the limit.
    """
    now = clock.utcnow()
    window, elapsed = _window(limit, now)
    key, expires = _key(limit, subject, window), _expires(limit, now)
    if limit.sliding:
        current = counters.add(key, amount, expires=expires)
    else:
        # Conditional: a refused request is not counted, so the counter never runs past the limit.
        try:
            current = counters.add(key, amount, expires=expires, at_most=limit.max)
        except ConditionFailed as err:
            raise too_many(limit, _retry_after(limit, elapsed)) from err
    previous = 0
    if limit.sliding and current <= limit.max:
        previous = counters.count(_key(limit, subject, window - 1))
    if _estimate(limit, current, previous, elapsed) > limit.max:
        raise too_many(limit, _retry_after(limit, elapsed))
    return current


# ---------------------------------------------------------------- sign-in


def signin_ip_limit() -> Limit:
    s = get_settings()
    return Limit("signin-ip", s.signin_ip_max_failures, s.signin_ip_window_seconds, sliding=True)


def signin_account_limit() -> Limit:
    s = get_settings()
    return Limit("signin-acct", s.login_max_failures, s.login_lockout_seconds,
                 message="Demasiados intentos fallidos; espera unos minutos o restablece tu contraseña. / "
                         "Too many failed attempts; wait a few minutes or reset your password.")


def _known_key(email: str, source_ip: str | None) -> str:
    return counters.known_device_key(digest(email), digest(source_ip or "unknown"))


@dataclass(frozen=True, slots=True)
class SigninCheck:
    email: str
    source_ip: str | None
    known_device: bool


def check_signin(email: str, source_ip: str | None) -> SigninCheck:
    """Before asking Cognito: refuse an address that failed too often, and an account under
    attack to addresses it has never been used from. One BatchGetItem."""
    ip_limit, account_limit = signin_ip_limit(), signin_account_limit()
    now = clock.utcnow()
    ip_window, ip_elapsed = _window(ip_limit, now)
    account_window, account_elapsed = _window(account_limit, now)
    ip = ip_subject(source_ip)
    account = "A#" + digest(email)
    keys = {
        "ip": _key(ip_limit, ip, ip_window),
        "ip_prev": _key(ip_limit, ip, ip_window - 1),
        "account": _key(account_limit, account, account_window),
        "known": _known_key(email, source_ip),
    }
    found = counters.counts(list(keys.values()))
    known = keys["known"] in found
    if _estimate(ip_limit, found.get(keys["ip"], 0), found.get(keys["ip_prev"], 0), ip_elapsed) >= ip_limit.max:
        raise too_many(ip_limit, _retry_after(ip_limit, ip_elapsed))
    if not known and found.get(keys["account"], 0) >= account_limit.max:
        raise too_many(account_limit, _retry_after(account_limit, account_elapsed))
    return SigninCheck(email, source_ip, known)


def signin_failed(check: SigninCheck) -> None:
    """A wrong password: counts for the address, and for the account unless the address is the
    owner's (it succeeded before)."""
    ip_limit = signin_ip_limit()
    _add(ip_limit, ip_subject(check.source_ip))
    if not check.known_device:
        _add(signin_account_limit(), "A#" + digest(check.email))


def signin_succeeded(check: SigninCheck) -> None:
    """Remember the address as the owner's (one PutItem, only the first time)."""
    if check.known_device:
        return
    counters.put(_known_key(check.email, check.source_ip), 1,
                 expires=clock.utcnow() + timedelta(days=KNOWN_DEVICE_DAYS))


def clear_account(email: str) -> None:
    """After a password reset the account starts clean (the current window's failures go)."""
    limit = signin_account_limit()
    window, _ = _window(limit, clock.utcnow())
    counters.delete(_key(limit, "A#" + digest(email), window))


def _add(limit: Limit, subject: str) -> None:
    now = clock.utcnow()
    window, _ = _window(limit, now)
    counters.add(_key(limit, subject, window), 1, expires=_expires(limit, now))


# ---------------------------------------------------------------- public routes


def public_limit(name: str) -> Limit:
    """The configured limit of a public route (settings `limit_<name>` = "<max>/<seconds>")."""
    spec = getattr(get_settings(), "limit_" + name.replace("-", "_"))
    count, _, seconds = str(spec).partition("/")
    return Limit(name, int(count), int(seconds or 60))


def hit_public(name: str, subject: str, *, amount: int = 1) -> int:
    return hit(public_limit(name), subject, amount=amount)
