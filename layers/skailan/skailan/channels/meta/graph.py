"""Graph API plumbing shared by the WhatsApp and Messenger/Instagram senders."""

from __future__ import annotations

import httpx

from skailan.channels.errors import SendFailure
from skailan.channels.reasons import GRAPH, Provider
from skailan.channels.sending import classify, json_body

DEFAULT_GRAPH_URL = "https://graph.facebook.com/v21.0"


def graph_failure(response: httpx.Response, *, provider: Provider) -> SendFailure:
    """Classify a Graph API error body: {"error": {"code", "error_subcode", "message",
    "error_data": {"details"}, "is_transient"}}."""
    error = json_body(response).get("error")
    error = error if isinstance(error, dict) else {}
    code = _text(error.get("code"))
    subcode = _text(error.get("error_subcode"))
    if code and subcode and f"{code}/{subcode}" in GRAPH:
        code = f"{code}/{subcode}"
    details = (
        error.get("error_data", {}).get("details") if isinstance(error.get("error_data"), dict) else None
    )
    message = " — ".join(str(part) for part in (error.get("message"), details) if part)
    return classify(
        response,
        provider=provider,
        code=code,
        provider_message=message or None,
        transient=error.get("is_transient") is True,
    )


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _text(value: object) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    return str(value) if isinstance(value, int | str) else None
