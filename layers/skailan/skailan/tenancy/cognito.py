"""The few Cognito calls tenancy makes, with Cognito's errors turned into domain errors."""

from __future__ import annotations

from typing import Any

from skailan.platform.aws import client
from skailan.platform.errors import (
    BadRequest,
    Conflict,
    Forbidden,
    SkailanError,
    TooManyRequests,
    Unauthorized,
    Unprocessable,
)
from skailan.platform.settings import get_settings

INVALID_CREDENTIALS = "Correo o contraseña incorrectos. / Wrong e-mail or password."


def _idp() -> Any:
    return client("cognito-idp")


def error_from(err: Exception) -> SkailanError | None:
    """Map a botocore ClientError from Cognito to what the caller should see."""
    code = getattr(err, "response", {}).get("Error", {}).get("Code")
    message = getattr(err, "response", {}).get("Error", {}).get("Message", "")
    match code:
        case "NotAuthorizedException" | "UserNotFoundException":
            if "disabled" in message.lower():
                return Forbidden("La cuenta está deshabilitada. / The account is disabled.", code="user_disabled")
            return Unauthorized(INVALID_CREDENTIALS, code="invalid_credentials")
        case "InvalidPasswordException":
            return Unprocessable(
                "La contraseña no cumple la política (10+ caracteres, mayúsculas, minúsculas y números). / "
                "The password does not meet the policy (10+ characters, upper and lower case, digits).",
                code="weak_password", details=[{"field": "password", "error": message}],
            )
        case "CodeMismatchException" | "ExpiredCodeException":
            return BadRequest("El código no es válido o expiró. / The code is invalid or expired.", code="invalid_code")
        case "TooManyRequestsException" | "LimitExceededException" | "TooManyFailedAttemptsException":
            return TooManyRequests("Demasiados intentos; espera unos minutos. / Too many attempts; wait a few minutes.")
        case "PasswordResetRequiredException":
            return Forbidden("Debes restablecer tu contraseña. / You must reset your password.", code="password_reset_required")
        case "UsernameExistsException":
            return Conflict("Ese usuario ya existe. / That user already exists.", code="user_exists")
        case "UserNotConfirmedException":
            return Forbidden("La cuenta no está confirmada. / The account is not confirmed.", code="user_not_confirmed")
    return None


def call(method: str, **kwargs: Any) -> dict[str, Any]:
    from botocore.exceptions import ClientError

    try:
        return getattr(_idp(), method)(**kwargs)
    except ClientError as err:
        mapped = error_from(err)
        if mapped:
            raise mapped from err
        raise


def find_user_sub(email: str) -> str | None:
    from botocore.exceptions import ClientError

    try:
        user = _idp().admin_get_user(UserPoolId=get_settings().user_pool_id, Username=email)
    except ClientError as err:
        if err.response["Error"]["Code"] == "UserNotFoundException":
            return None
        raise
    attrs = {a["Name"]: a["Value"] for a in user.get("UserAttributes", [])}
    return attrs.get("sub")


def create_user(email: str, name: str | None) -> str:
    """Create a Cognito user with no usable password yet; returns its `sub`.

    Cognito's own invitation mail is suppressed: our invitation carries the link to set a password.
    """
    attributes = [{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}]
    if name:
        attributes.append({"Name": "name", "Value": name})
    response = call(
        "admin_create_user",
        UserPoolId=get_settings().user_pool_id,
        Username=email,
        UserAttributes=attributes,
        MessageAction="SUPPRESS",
    )
    attrs = {a["Name"]: a["Value"] for a in response["User"].get("Attributes", [])}
    return attrs["sub"]


def set_password(email: str, password: str) -> None:
    call("admin_set_user_password", UserPoolId=get_settings().user_pool_id, Username=email,
         Password=password, Permanent=True)


def set_enabled(email: str, enabled: bool) -> None:
    method = "admin_enable_user" if enabled else "admin_disable_user"
    call(method, UserPoolId=get_settings().user_pool_id, Username=email)


def delete_user(email: str) -> None:
    from botocore.exceptions import ClientError

    try:
        _idp().admin_delete_user(UserPoolId=get_settings().user_pool_id, Username=email)
    except ClientError as err:
        if err.response["Error"]["Code"] != "UserNotFoundException":
            raise
