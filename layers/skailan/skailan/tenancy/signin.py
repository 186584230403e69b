"""Sign-in against Cognito (USER_PASSWORD_AUTH), the same code locally and in AWS.

Wrong passwords are limited per source address and per account by `skailan.platform.limits`
(the per-account limit ignores addresses the account signed in from before, so nobody can lock
the owner out); the local runtime gets the same guard as AWS, on top of Cognito's own.

Sign-in succeeds for people with at least one active brand: a brand disables its membership,
never the login (other brands of the person are unaffected). Sign-out revokes the refresh
token (Cognito RevokeToken), and everywhere (GlobalSignOut) when asked.

Password recovery uses the application's own single-use code, e-mailed with a link to the web
app (`APP_URL/reset-password?email=…&code=…`) and checked here, then set with
AdminSetUserPassword: identical locally (where moto's ForgotPassword accepts any code) and in AWS.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from datetime import timedelta
from typing import Any

from skailan.platform import limits
from skailan.platform.clock import parse_iso, utcnow
from skailan.platform.errors import BadRequest, Forbidden, Unauthorized
from skailan.platform.settings import get_settings
from skailan.tenancy import cognito
from skailan.tenancy.models import TokensOut
from skailan.tenancy.store import password_resets

RESET_VALIDITY = timedelta(hours=1)
INVALID_CODE = "El código no es válido o expiró. / The code is invalid or expired."
SESSION_ENDED = ("La sesión terminó; inicia sesión de nuevo. / The session has ended; sign in again.")


def _tokens(result: dict[str, object], refresh_token: str | None = None) -> TokensOut:
    auth = result.get("AuthenticationResult")
    if not isinstance(auth, dict):  # a challenge (e.g. NEW_PASSWORD_REQUIRED) — not for this flow
        raise Unauthorized("Debes activar tu cuenta con la invitación. / Activate your account with the invitation.",
                           code="challenge_required", details={"challenge": result.get("ChallengeName")})
    return TokensOut(id_token=auth["IdToken"], access_token=auth["AccessToken"],
                     refresh_token=auth.get("RefreshToken", refresh_token), expires_in=int(auth["ExpiresIn"]))


def _authenticate(email: str, password: str, source_ip: str | None = None) -> dict[str, Any]:
    email = email.lower()
    check = limits.check_signin(email, source_ip)
    try:
        result = cognito.call(
            "initiate_auth", ClientId=get_settings().user_pool_client_id, AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": email, "PASSWORD": password},
        )
    except Unauthorized:
        limits.signin_failed(check)
        raise
    limits.signin_succeeded(check)
    return result


def verify_password(email: str, password: str, source_ip: str | None = None) -> None:
    """Prove the password of an existing login (401 when wrong, limited like a sign-in)."""
    _authenticate(email, password, source_ip)


def _claims(token: str) -> dict[str, Any]:
    """Claims of a token Cognito just handed us over TLS (no need to verify our own source)."""
    try:
        payload = token.split(".")[1]
        value = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def _require_an_active_brand(result: dict[str, Any]) -> None:
    from skailan.tenancy import member_reads

    auth = result.get("AuthenticationResult")
    sub = _claims(str(auth.get("IdToken", ""))).get("sub") if isinstance(auth, dict) else None
    if not sub:
        return
    if not any(m.status == "active" for m in member_reads.memberships_of(str(sub))):
        raise Forbidden("Tu usuario no está activo en ninguna marca. / Your user is not active in any brand.",
                        code="user_disabled")


def login(email: str, password: str, source_ip: str | None = None) -> TokensOut:
    result = _authenticate(email, password, source_ip)
    _require_an_active_brand(result)
    return _tokens(result)


def refresh(refresh_token: str) -> TokensOut:
    try:
        result = cognito.call(
            "initiate_auth", ClientId=get_settings().user_pool_client_id, AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": refresh_token},
        )
    except Unauthorized as err:  # revoked (signed out), expired or unknown
        raise Unauthorized(SESSION_ENDED, code="invalid_refresh_token") from err
    return _tokens(result, refresh_token)


def logout(refresh_token: str, *, everywhere: bool = False) -> None:
    """Revoke the refresh token; `everywhere` also signs the person out of every device."""
    client_id = get_settings().user_pool_client_id
    if everywhere:
        # GlobalSignOut takes an access token: the refresh token proves the session and gets one.
        tokens = refresh(refresh_token)
        cognito.call("global_sign_out", AccessToken=tokens.access_token)
    from botocore.exceptions import ClientError

    try:
        cognito.call("revoke_token", Token=refresh_token, ClientId=client_id)
    except Unauthorized:
        return  # a token Cognito does not know (or already revoked): nothing left to revoke
    except ClientError as err:
        if err.response.get("Error", {}).get("Code") in ("UnauthorizedException", "InvalidParameterException"):
            return  # not a refresh token of ours: nothing to revoke (RFC 7009 §2.2)
        raise


def forgot_password(email: str, source_ip: str | None = None) -> None:
    """E-mail a single-use code and a link to set a new password.

    Always answers the same, whether or not the e-mail exists (no account enumeration); limited
    per address and per e-mail whether or not it exists, so a 429 reveals nothing either.
    """
    limits.hit_public("forgot-password-ip", limits.ip_subject(source_ip))
    limits.hit_public("forgot-password-account", "A#" + limits.digest(email))
    email = email.lower()
    if cognito.find_user_sub(email) is None:
        return
    code = secrets.token_urlsafe(24)
    expires = utcnow() + RESET_VALIDITY
    # One code per person: a new request replaces the previous one.
    password_resets.save_code(email, _hash(code), expires)
    from skailan.platform.mail import send_system_email
    from skailan.tenancy.links import app_link

    link = app_link("/reset-password", email=email, code=code)
    send_system_email(
        email,
        "Restablece tu contraseña de Skailan / Reset your Skailan password",
        f"Para elegir una contraseña nueva abre este enlace (válido 1 hora): {link}\n"
        f"Si no lo pediste, ignora este mensaje.\n\n"
        f"To choose a new password open this link (valid for 1 hour): {link}\n"
        f"If you did not ask for it, ignore this message.\n\n"
        f"code: {code}\n",
    )


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def confirm_password(email: str, code: str, password: str, source_ip: str | None = None) -> None:
    limits.hit_public("confirm-password-ip", limits.ip_subject(source_ip))
    email = email.lower()
    item = password_resets.find_code(email)
    if item is None:
        raise BadRequest(INVALID_CODE, code="invalid_code")
    if not hmac.compare_digest(item.code_hash, _hash(code)) or parse_iso(item.expires_at) < utcnow():
        raise BadRequest(INVALID_CODE, code="invalid_code")
    cognito.set_password(email, password)  # a weak password is a 422 here and the code stays usable
    # Single use; a concurrent use of the same code set the password either way.
    password_resets.use_code(item)
    limits.clear_account(email)
