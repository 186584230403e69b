"""Sign-in against Cognito (USER_PASSWORD_AUTH), the same code locally and in AWS.

Wrong passwords are throttled per e-mail by our own counter (conditional ADD with a TTL), so
the local runtime behaves like Cognito's lockout and AWS gets a second, predictable guard.
"""

from __future__ import annotations

import contextlib
import hashlib
from datetime import timedelta

from pynamodb.exceptions import DoesNotExist

from skailan.platform.clock import iso, parse_iso, utcnow
from skailan.platform.errors import TooManyRequests, Unauthorized
from skailan.platform.settings import get_settings
from skailan.tenancy import cognito
from skailan.tenancy.items import LoginThrottleItem
from skailan.tenancy.models import TokensOut


def _throttle_key(email: str) -> str:
    return "LOGIN#" + hashlib.sha256(email.lower().encode()).hexdigest()


def _check_not_locked(email: str) -> LoginThrottleItem | None:
    try:
        item = LoginThrottleItem.get(_throttle_key(email), "LOGIN")
    except DoesNotExist:
        return None
    if item.locked_until and parse_iso(item.locked_until) > utcnow():
        seconds = int((parse_iso(item.locked_until) - utcnow()).total_seconds()) + 1
        raise TooManyRequests(
            "Demasiados intentos fallidos; espera unos minutos. / Too many failed attempts; wait a few minutes.",
            code="too_many_attempts", details={"retry_after": seconds},
        )
    return item


def _record_failure(email: str) -> None:
    settings = get_settings()
    lockout = timedelta(seconds=settings.login_lockout_seconds)
    item = LoginThrottleItem(_throttle_key(email), "LOGIN")
    item.update(actions=[
        LoginThrottleItem.failures.add(1),
        LoginThrottleItem.ttl.set(utcnow() + lockout),
    ])
    if item.failures >= settings.login_max_failures:
        item.update(actions=[
            LoginThrottleItem.locked_until.set(iso(utcnow() + lockout)),
            LoginThrottleItem.failures.set(0),
        ])


def _tokens(result: dict[str, object], refresh_token: str | None = None) -> TokensOut:
    auth = result.get("AuthenticationResult")
    if not isinstance(auth, dict):  # a challenge (e.g. NEW_PASSWORD_REQUIRED) — not for this flow
        raise Unauthorized("Debes activar tu cuenta con la invitación. / Activate your account with the invitation.",
                           code="challenge_required", details={"challenge": result.get("ChallengeName")})
    return TokensOut(id_token=auth["IdToken"], access_token=auth["AccessToken"],
                     refresh_token=auth.get("RefreshToken", refresh_token), expires_in=int(auth["ExpiresIn"]))


def login(email: str, password: str) -> TokensOut:
    email = email.lower()
    throttle = _check_not_locked(email)
    try:
        result = cognito.call(
            "initiate_auth", ClientId=get_settings().user_pool_client_id, AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": email, "PASSWORD": password},
        )
    except Unauthorized:
        _record_failure(email)
        raise
    if throttle is not None:
        throttle.delete()
    return _tokens(result)


def refresh(refresh_token: str) -> TokensOut:
    result = cognito.call(
        "initiate_auth", ClientId=get_settings().user_pool_client_id, AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": refresh_token},
    )
    return _tokens(result, refresh_token)


def forgot_password(email: str) -> None:
    """Always answers the same, whether or not the e-mail exists (no account enumeration)."""
    try:
        cognito.call("forgot_password", ClientId=get_settings().user_pool_client_id, Username=email.lower())
    except Unauthorized:
        return


def confirm_password(email: str, code: str, password: str) -> None:
    cognito.call("confirm_forgot_password", ClientId=get_settings().user_pool_client_id, Username=email.lower(),
                 ConfirmationCode=code, Password=password)
    with contextlib.suppress(DoesNotExist):
        LoginThrottleItem.get(_throttle_key(email), "LOGIN").delete()
