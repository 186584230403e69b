"""Channel accounts as webhooks and workers see them: routes, accounts, secrets — cached.

A warm webhook container answers from memory: the route guard (which brand and account a
provider id belongs to), the Meta app secret and the account's credentials are kept for
`channel_cache_seconds` (unknown ids for a shorter time), so the only AWS call on a signed
webhook's path is the enqueue. The tenancy context owns the data; this module only reads it,
and imports it lazily (pynamodb and Secrets Manager cost cold-start time).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeVar

from skailan.platform.ttl_cache import TtlCache

T = TypeVar("T")

_MISSING_SECONDS = 30.0  # an unknown id is asked again after this long


@dataclass(frozen=True, slots=True)
class Route:
    tenant_id: str
    account_id: str
    channel: str


@dataclass(frozen=True, slots=True)
class Account:
    tenant_id: str
    account_id: str
    channel: str
    name: str
    active: bool
    external: dict[str, Any] = field(default_factory=dict)
    config: dict[str, Any] = field(default_factory=dict)
    has_credentials: bool = False


_cache = TtlCache(missing_seconds=_MISSING_SECONDS)


def _ttl() -> float:
    from skailan.platform.settings import get_settings

    return float(get_settings().channel_cache_seconds)


def clear_cache() -> None:
    """Forget everything (tests; an account changed and must be seen at once)."""
    _cache.clear()


def route(kind: str, external_id: str) -> Route | None:
    """The brand and account a provider id routes to (kind: whatsapp, messenger, instagram,
    sms, email, or account for per-account URLs), or None when nobody claimed it."""

    def load() -> Route | None:
        from skailan.tenancy.channel_accounts import route as guard

        item = guard(kind, external_id)
        return Route(item.tenant_id, item.account_id, item.channel) if item else None

    return _cache.get(("route", kind, external_id.lower() if kind == "email" else external_id), load, ttl=_ttl())


def account(tenant_id: str, account_id: str) -> Account | None:
    def load() -> Account | None:
        from skailan.platform.errors import NotFound
        from skailan.tenancy.channel_accounts import get_account

        try:
            out = get_account(tenant_id, account_id)
        except NotFound:
            return None
        return Account(
            tenant_id=tenant_id,
            account_id=out.id,
            channel=out.channel,
            name=out.name,
            active=out.status == "active",
            external=dict(out.external),
            config=dict(out.config),
            has_credentials=out.has_credentials,
        )

    return _cache.get(("account", tenant_id, account_id), load, ttl=_ttl())


def account_of_channel(tenant_id: str, account_id: str, channel: str, *, es: str, en: str) -> Account:
    """The brand's account, which must be of `channel`: else a 404 (no such account in the brand)
    or a 422 saying, in `es` / `en`, what that feature belongs to."""
    from skailan.platform.errors import NotFound, Unprocessable

    found = account(tenant_id, account_id)
    if found is None:
        raise NotFound("Cuenta de canal no encontrada. / Channel account not found.", code="channel_account_not_found")
    if found.channel != channel:
        error = {"email": "not an e-mail account", "whatsapp": "not a WhatsApp account"}.get(
            channel, f"not a {channel} account")
        raise Unprocessable(f"{es} / {en}", code=f"not_{channel}", details=[{"field": "account_id", "error": error}])
    return found


def _secret(name: str) -> dict[str, Any]:
    from aws_lambda_powertools.utilities import parameters
    from aws_lambda_powertools.utilities.parameters.exceptions import GetParameterError

    try:
        value = parameters.get_secret(name, transform="json", max_age=int(_ttl()))
    except GetParameterError:
        return {}
    return value if isinstance(value, dict) else {}


def credentials(tenant_id: str, account_id: str) -> dict[str, Any]:
    """The account's secrets (tokens); {} when it has none. For verifiers and senders only."""

    def load() -> dict[str, Any]:
        from skailan.tenancy.channel_accounts import secret_name

        found = account(tenant_id, account_id)
        if found is None or not found.has_credentials:
            return {}
        return _secret(secret_name(tenant_id, account_id))

    return _cache.get(("credentials", tenant_id, account_id), load, ttl=_ttl())


def meta_app(app_id: str) -> dict[str, Any]:
    """{app_secret, verify_token} of a Meta app (Secrets Manager `<prefix>/meta-apps/<app id>`)."""

    def load() -> dict[str, Any]:
        from skailan.platform.settings import get_settings

        return _secret(f"{get_settings().secrets_prefix}/meta-apps/{app_id}")

    return _cache.get(("meta_app", app_id), load, ttl=_ttl())
