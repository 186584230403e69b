"""Channel accounts against their providers: credentials verified on save, webhooks registered
on connect (faked locally by `infra/local/fake_providers.py`, mocked with respx in tests).

| channel | credentials check | webhook registration |
|---|---|---|
| WhatsApp | `GET /{phone_number_id}?fields=display_phone_number,verified_name` (bearer) | `POST /{waba_id}/subscribed_apps` (the app's callback URL is set once per Meta app) |
| Messenger | `GET /{page_id}?fields=id,name` (page token) | `POST /{page_id}/subscribed_apps?subscribed_fields=…` |
| Instagram | `GET /{instagram_account_id}?fields=id,username` | `POST /{page_id or instagram_account_id}/subscribed_apps?subscribed_fields=…` |
| Telegram | `getMe` | `setWebhook` `{url, secret_token, allowed_updates}` |
| SMS (Twilio) | `GET /2010-04-01/Accounts/{sid}.json` (basic auth) | the number's `SmsUrl` (`IncomingPhoneNumbers` lookup + update) |
| e-mail, web chat | — | — (SES receipt rule / the widget) |

A refused credential is a 422 and nothing is saved; a provider that cannot be reached is a 502
and nothing is saved either. A registration that fails does not undo the save: the account
shows `webhook.status = "failed"` with the provider's words, and `POST …/webhook` retries.
"""

from __future__ import annotations

from typing import Any

from skailan.platform.clock import iso
from skailan.platform.errors import SkailanError, Unprocessable
from skailan.platform.settings import get_settings

TIMEOUT = 10.0
PAGE_FIELDS = "messages,message_deliveries,message_reads,messaging_postbacks,message_echoes"
INSTAGRAM_FIELDS = "messages,messaging_postbacks,message_reactions,messaging_seen"
TELEGRAM_UPDATES = ["message", "edited_message", "channel_post", "edited_channel_post"]


class ProviderUnavailable(SkailanError):
    status, code = 502, "provider_unavailable"


_client: Any = None


def _http() -> Any:
    global _client
    if _client is None:
        import httpx

        _client = httpx.Client(timeout=TIMEOUT)
    return _client


def _call(method: str, url: str, **kwargs: Any) -> Any:
    import httpx

    try:
        return _http().request(method, url, **kwargs)
    except httpx.HTTPError as err:
        raise ProviderUnavailable(
            "No se pudo contactar al proveedor para verificar el canal; inténtalo de nuevo. / "
            "The provider could not be reached to verify the channel; try again.",
            details={"error": type(err).__name__}) from err


def _provider_message(response: Any) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict):
            return str(error.get("message") or error)[:200]
        return str(body.get("description") or body.get("message") or body)[:200]
    return str(body)[:200]


def _check(response: Any, field: str) -> Any:
    if response.status_code >= 500 or response.status_code == 429:
        raise ProviderUnavailable(
            "El proveedor no respondió; inténtalo de nuevo. / The provider did not answer; try again.",
            details={"status": response.status_code})
    if response.status_code >= 400:
        raise Unprocessable(
            "El proveedor rechazó las credenciales del canal. / The provider refused the channel's credentials.",
            code="credentials_invalid",
            details=[{"field": field, "error": "refused by the provider", "provider_status": response.status_code,
                      "provider_message": _provider_message(response)}])
    body = response.json()
    if isinstance(body, dict) and body.get("ok") is False:  # Telegram answers errors in the body too
        raise Unprocessable(
            "El proveedor rechazó las credenciales del canal. / The provider refused the channel's credentials.",
            code="credentials_invalid",
            details=[{"field": field, "error": "refused by the provider",
                      "provider_message": str(body.get("description"))[:200]}])
    return body


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def verify_credentials(channel: str, external: dict[str, Any], credentials: dict[str, Any]) -> dict[str, Any]:
    """Ask the provider whether these credentials work for these ids; what it says about them."""
    settings = get_settings()
    graph = settings.graph_api_url.rstrip("/")
    if channel == "whatsapp":
        body = _check(_call("GET", f"{graph}/{external['phone_number_id']}",
                            params={"fields": "display_phone_number,verified_name,quality_rating"},
                            headers=_bearer(str(credentials.get("access_token") or ""))), "credentials.access_token")
        return {k: body[k] for k in ("display_phone_number", "verified_name", "quality_rating") if body.get(k)}
    if channel == "messenger":
        body = _check(_call("GET", f"{graph}/{external['page_id']}", params={"fields": "id,name"},
                            headers=_bearer(str(credentials.get("page_access_token") or ""))),
                      "credentials.page_access_token")
        return {"page_name": body["name"]} if body.get("name") else {}
    if channel == "instagram":
        body = _check(_call("GET", f"{graph}/{external['instagram_account_id']}", params={"fields": "id,username"},
                            headers=_bearer(str(credentials.get("page_access_token") or ""))),
                      "credentials.page_access_token")
        return {"username": body["username"]} if body.get("username") else {}
    if channel == "telegram":
        token = str(credentials.get("bot_token") or "")
        body = _check(_call("GET", f"{settings.telegram_api_url.rstrip('/')}/bot{token}/getMe"), "credentials.bot_token")
        result = body.get("result") or {}
        return {"bot_username": result["username"]} if result.get("username") else {}
    if channel == "sms":
        sid = str(credentials.get("account_sid") or "")
        _check(_call("GET", f"{settings.twilio_api_url.rstrip('/')}/2010-04-01/Accounts/{sid}.json",
                     auth=(sid, str(credentials.get("auth_token") or ""))), "credentials.auth_token")
        return {}
    return {}


def webhook_url(base_url: str, channel: str, account_id: str, external: dict[str, Any]) -> str | None:
    base = base_url.rstrip("/")
    if channel == "telegram":
        return f"{base}/webhooks/telegram/{account_id}"
    if channel == "sms":
        return f"{base}/webhooks/twilio/{account_id}"
    if channel in ("whatsapp", "messenger", "instagram"):
        return f"{base}/webhooks/meta/{external.get('meta_app_id')}"
    return None


def register_webhook(channel: str, account_id: str, external: dict[str, Any], credentials: dict[str, Any],
                     base_url: str) -> dict[str, Any]:
    """Point the provider's webhooks at us; the state to show on the account (never raises)."""
    url = webhook_url(base_url, channel, account_id, external)
    if url is None:
        return {"status": "not_applicable", "at": iso()}
    try:
        _register(channel, account_id, external, credentials, url)
    except (SkailanError, KeyError, ValueError) as err:
        message = str(err)
        details = getattr(err, "details", None)
        if isinstance(details, list) and details and details[0].get("provider_message"):
            message = details[0]["provider_message"]
        return {"status": "failed", "url": url, "error": message[:300], "at": iso()}
    return {"status": "registered", "url": url, "at": iso()}


def _register(channel: str, account_id: str, external: dict[str, Any], credentials: dict[str, Any],
              url: str) -> None:
    settings = get_settings()
    graph = settings.graph_api_url.rstrip("/")
    if channel == "telegram":
        token = str(credentials.get("bot_token") or "")
        _check(_call("POST", f"{settings.telegram_api_url.rstrip('/')}/bot{token}/setWebhook",
                     json={"url": url, "secret_token": credentials.get("secret_token"),
                           "allowed_updates": TELEGRAM_UPDATES}), "credentials.bot_token")
    elif channel == "whatsapp":
        _check(_call("POST", f"{graph}/{external['waba_id']}/subscribed_apps",
                     headers=_bearer(str(credentials.get("access_token") or ""))), "external.waba_id")
    elif channel in ("messenger", "instagram"):
        page = external.get("page_id") or external.get("instagram_account_id")
        fields = PAGE_FIELDS if channel == "messenger" else INSTAGRAM_FIELDS
        _check(_call("POST", f"{graph}/{page}/subscribed_apps", params={"subscribed_fields": fields},
                     headers=_bearer(str(credentials.get("page_access_token") or ""))), "external.page_id")
    elif channel == "sms":
        sid = str(credentials.get("account_sid") or "")
        auth = (sid, str(credentials.get("auth_token") or ""))
        base = f"{settings.twilio_api_url.rstrip('/')}/2010-04-01/Accounts/{sid}/IncomingPhoneNumbers"
        found = _check(_call("GET", f"{base}.json", params={"PhoneNumber": external.get("phone_number")}, auth=auth),
                       "external.phone_number")
        numbers = found.get("incoming_phone_numbers") or []
        if not numbers:
            raise ValueError(f"the number {external.get('phone_number')} is not in this Twilio account")
        _check(_call("POST", f"{base}/{numbers[0]['sid']}.json", data={"SmsUrl": url, "SmsMethod": "POST"}, auth=auth),
               "external.phone_number")
