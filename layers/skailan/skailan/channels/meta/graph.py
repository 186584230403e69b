"""Graph API plumbing shared by the WhatsApp and Messenger/Instagram senders."""

from __future__ import annotations

from typing import Any, Unpack

import httpx

from skailan.channels.errors import SendFailure
from skailan.channels.reasons import GRAPH, Provider
from skailan.channels.sending import HttpOptions, HttpSender, classify, json_body

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


class GraphSender(HttpSender):
    """A Graph API sender: POST {graph}/{node}/messages with the node's bearer token, where the
    node is the WhatsApp phone number id or the Facebook page id."""

    default_base_url = DEFAULT_GRAPH_URL

    def __init__(
        self, client: httpx.Client, *, node_id: str, access_token: str, **options: Unpack[HttpOptions]
    ) -> None:
        super().__init__(client, **options)
        self.url = f"{self.base_url}/{node_id}/messages"
        self.access_token = access_token

    def _post(self, body: dict[str, Any]) -> tuple[dict[str, Any], httpx.Response]:
        response = self._request("POST", self.url, json=body, headers=bearer(self.access_token))
        return json_body(response), response

    def _failure(self, response: httpx.Response) -> SendFailure:
        return graph_failure(response, provider=self.provider)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _text(value: object) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    return str(value) if isinstance(value, int | str) else None
