"""WhatsApp message templates at Meta (WhatsApp Business Management API).

- Create: `POST {graph}/{waba_id}/message_templates` `{"name", "language", "category",
  "components": [...]}` → `{"id", "status": "PENDING"|"APPROVED"|"REJECTED", "category"}`.
- Edit: `POST {graph}/{template_id}` `{"components"}` (and `category`) → `{"success": true}`;
  the template goes back to review.
- Delete: `DELETE {graph}/{waba_id}/message_templates?name=<name>&hsm_id=<template_id>`.
- List: `GET {graph}/{waba_id}/message_templates?fields=…&limit=…&after=<cursor>` →
  `{"data": [{"id", "name", "language", "status", "category", "components", "quality_score":
  {"score"}, "rejected_reason"}], "paging": {"cursors": {"before", "after"}, "next"?}}`.
- Webhooks on the WABA entry (`object: whatsapp_business_account`, `entry[].id` = WABA id,
  `entry[].time`): field `message_template_status_update` `{"event", "message_template_id",
  "message_template_name", "message_template_language", "reason", "other_info"?}` and field
  `message_template_quality_update` `{"previous_quality_score", "new_quality_score",
  "message_template_id", "message_template_name", "message_template_language"}`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from skailan.channels.errors import SendFailure
from skailan.channels.meta.graph import bearer, graph_failure
from skailan.channels.sending import DEFAULT_TIMEOUT, json_body

TEMPLATE_FIELDS = ("message_template_status_update", "message_template_quality_update")
LIST_FIELDS = "id,name,language,status,category,components,quality_score,rejected_reason"


@dataclass(frozen=True, slots=True)
class TemplateUpdate:
    """One template change from a webhook: a status (`event`) or a quality score."""

    waba_id: str
    template_id: str
    name: str | None
    language: str | None
    at: int  # entry.time (unix seconds): orders changes; a replay or an older change is a no-op
    event: str | None = None  # APPROVED, REJECTED, PAUSED, DISABLED, … (status updates)
    reason: str | None = None
    quality: str | None = None  # GREEN, YELLOW, RED, UNKNOWN (quality updates)
    detail: str | None = None  # other_info.description / title (pauses, locks)


def template_updates(document: Mapping[str, Any]) -> list[TemplateUpdate]:
    """The template changes of a Meta webhook body (empty for anything else). Lenient: a change
    missing its ids is skipped — the rest of the delivery still counts."""
    if document.get("object") != "whatsapp_business_account":
        return []
    updates: list[TemplateUpdate] = []
    for entry in _dicts(document.get("entry")):
        waba_id = _text(entry.get("id"))
        at = entry.get("time")
        at = int(at) if isinstance(at, int | float) and not isinstance(at, bool) else 0
        for change in _dicts(entry.get("changes")):
            field = change.get("field")
            value = change.get("value")
            if field not in TEMPLATE_FIELDS or not isinstance(value, dict) or not waba_id:
                continue
            template_id = _text(value.get("message_template_id"))
            if not template_id:
                continue
            common: dict[str, Any] = {"waba_id": waba_id, "template_id": template_id, "at": at,
                                      "name": _text(value.get("message_template_name")),
                                      "language": _text(value.get("message_template_language"))}
            if field == "message_template_status_update":
                event = _text(value.get("event"))
                if not event:
                    continue
                other = value.get("other_info")
                info: dict[str, Any] = other if isinstance(other, dict) else {}
                detail = _text(info.get("description")) or _text(info.get("title"))
                reason = _text(value.get("reason"))
                updates.append(TemplateUpdate(**common, event=event.upper(),
                                              reason=None if reason in (None, "NONE") else reason, detail=detail))
            else:
                quality = _text(value.get("new_quality_score"))
                if quality:
                    updates.append(TemplateUpdate(**common, quality=quality.upper()))
    return updates


def is_template_change(field: str | None) -> bool:
    return field in TEMPLATE_FIELDS


class TemplateClient:
    """The Graph calls for one WhatsApp Business Account; failures raise SendFailure
    (classified like a send: permanent / transient, Meta's code and message)."""

    def __init__(self, client: httpx.Client, *, waba_id: str, access_token: str, base_url: str,
                 timeout: httpx.Timeout | float = DEFAULT_TIMEOUT) -> None:
        self.client = client
        self.base = base_url.rstrip("/")
        self.waba_id = waba_id
        self.headers = bearer(access_token)
        self.timeout = timeout

    def _call(self, method: str, url: str, **kwargs: Any) -> dict[str, Any]:
        try:
            response = self.client.request(method, url, headers=self.headers, timeout=self.timeout, **kwargs)
        except httpx.HTTPError as error:
            raise SendFailure(permanent=False, code="network", title="network",
                              reason_es="No se pudo contactar a Meta.", reason_en="Meta could not be reached.",
                              provider_message=str(error)[:200]) from error
        if response.status_code >= 300:
            raise graph_failure(response, provider="whatsapp")
        return json_body(response)

    def create(self, *, name: str, language: str, category: str, components: list[dict[str, Any]]) -> dict[str, Any]:
        return self._call("POST", f"{self.base}/{self.waba_id}/message_templates",
                          json={"name": name, "language": language, "category": category.upper(),
                                "components": components})

    def edit(self, template_id: str, *, components: list[dict[str, Any]], category: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"components": components}
        if category:
            body["category"] = category.upper()
        return self._call("POST", f"{self.base}/{template_id}", json=body)

    def delete(self, *, name: str, template_id: str | None) -> dict[str, Any]:
        params = {"name": name, **({"hsm_id": template_id} if template_id else {})}
        return self._call("DELETE", f"{self.base}/{self.waba_id}/message_templates", params=params)

    def pages(self, *, limit: int = 100) -> Iterator[list[dict[str, Any]]]:
        """Every page of the account's templates, following `paging.cursors.after` while Meta
        says there is a next page."""
        after: str | None = None
        for _ in range(1000):  # a safety bound: 100 000 templates
            params: dict[str, Any] = {"fields": LIST_FIELDS, "limit": limit}
            if after:
                params["after"] = after
            body = self._call("GET", f"{self.base}/{self.waba_id}/message_templates", params=params)
            data = [d for d in body.get("data") or [] if isinstance(d, dict)]
            yield data
            raw_paging = body.get("paging")
            paging: dict[str, Any] = raw_paging if isinstance(raw_paging, dict) else {}
            raw_cursors = paging.get("cursors")
            cursors: dict[str, Any] = raw_cursors if isinstance(raw_cursors, dict) else {}
            after = _text(cursors.get("after"))
            if not data or not after or not paging.get("next"):
                return


def body_text(components: list[dict[str, Any]]) -> str | None:
    for component in components:
        if str(component.get("type", "")).upper() == "BODY":
            text = component.get("text")
            return text if isinstance(text, str) else None
    return None


def header_parameters(components: list[dict[str, Any]]) -> int:
    for component in components:
        if str(component.get("type", "")).upper() == "HEADER" and str(component.get("format", "TEXT")).upper() == "TEXT":
            return 1 if "{{1}}" in str(component.get("text") or "") else 0
    return 0


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _text(value: Any) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | str):
        text = str(value).strip()
        return text or None
    return None
