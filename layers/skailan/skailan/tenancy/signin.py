"""Sign-in against Cognito (USER_PASSWORD_AUTH), the same code locally and in AWS.

Wrong passwords are limited per source address and per account by `skailan.platform.limits`
(the per-account limit ignores addresses the account signed in from before, so nobody can lock
the owner out); the local runtime gets the same guard as AWS, on top of Cognito's own.
"""

from __future__ import annotations

from skailan.platform import limits
from skailan.platform.errors import Unauthorized
from skailan.platform.settings import get_settings
from skailan.tenancy import cognito
from skailan.tenancy.models import TokensOut


def _tokens(result: dict[str, object], refresh_token: str | None = None) -> TokensOut:
    auth = result.get("AuthenticationResult")
    if not isinstance(auth, dict):  # a challenge (e.g. NEW_PASSWORD_REQUIRED) — not for this flow
        raise Unauthorized("Debes activar tu cuenta con la invitación. / Activate your account with the invitation.",
                           code="challenge_required", details={"challenge": result.get("ChallengeName")})
    return TokensOut(id_token=auth["IdToken"], access_token=auth["AccessToken"],
                     refresh_token=auth.get("RefreshToken", refresh_token), expires_in=int(auth["ExpiresIn"]))


def login(email: str, password: str, source_ip: str | None = None) -> TokensOut:
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
    return _tokens(result)


def refresh(refresh_token: str) -> TokensOut:
    result = cognito.call(
        "initiate_auth", ClientId=get_settings().user_pool_client_id, AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": refresh_token},
    )
    return _tokens(result, refresh_token)


def forgot_password(email: str, source_ip: str | None = None) -> None:
    """Always answers the same, whether or not the e-mail exists (no account enumeration); limited
    per address and per e-mail whether or not it exists, so a 429 reveals nothing either."""
    limits.hit_public("forgot-password-ip", limits.ip_subject(source_ip))
    limits.hit_public("forgot-password-account", "A#" + limits.digest(email))
    try:
        cognito.call("forgot_password", ClientId=get_settings().user_pool_client_id, Username=email.lower())
    except Unauthorized:
        return


def confirm_password(email: str, code: str, password: str, source_ip: str | None = None) -> None:
    limits.hit_public("confirm-password-ip", limits.ip_subject(source_ip))
    cognito.call("confirm_forgot_password", ClientId=get_settings().user_pool_client_id, Username=email.lower(),
                 ConfirmationCode=code, Password=password)
    limits.clear_account(email.lower())
