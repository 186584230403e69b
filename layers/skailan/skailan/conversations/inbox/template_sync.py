"""The WhatsApp template registry kept in step with Meta.

- **Submit**: creating a template posts it to `/{waba_id}/message_templates`; Meta's answer
  (`id`, `status` — usually PENDING) is what gets stored. An edit re-submits its components
  (`POST /{template id}`) and the template is pending again; a delete deletes it at Meta too.
- **Webhooks**: `message_template_status_update` / `message_template_quality_update` arrive on
  the Meta webhook. Their only ids are the WABA and Meta's template id, so each template known to
  Meta has a route item `WATR#<template id>` → brand, account, name, language and WABA. An update
  is applied only when the entry's WABA is the one the template was submitted to, and only if it
  is newer than the last one applied (`status_at` / `quality_at` = the entry's `time`): a
  redelivery or a late, older change writes nothing.
- **Sync**: reads every page of the account's templates (`paging.cursors.after`) and reconciles:
  new ones are added, changed ones updated, ones Meta no longer has (and that we had seen at
  Meta) removed. Templates registered without a Meta id (seed data) are reported as `unmatched`.
"""

from __future__ import annotations

import re
from typing import Any

from skailan.channels.errors import SendFailure
from skailan.channels.whatsapp.templates import TemplateClient, TemplateUpdate, body_text, header_parameters
from skailan.conversations import inbox_catalogue as catalogue
from skailan.conversations.inbox_events import build, table
from skailan.conversations.store import templates as store
from skailan.platform import outbox
from skailan.platform.auth import Caller
from skailan.platform.clock import iso
from skailan.platform.errors import SkailanError, Unprocessable
from skailan.platform.events import DomainEvent
from skailan.platform.observability import logger
from skailan.platform.storage import ConditionFailed

_PLACEHOLDER = re.compile(r"\{\{\s*(\d+)\s*\}\}")
# Meta's status events → the registry's status. REINSTATED / UNARCHIVED give the template back.
_EVENTS = {"APPROVED": "approved", "REINSTATED": "approved", "UNARCHIVED": "approved", "PENDING": "pending",
           "REJECTED": "rejected", "PAUSED": "paused", "DISABLED": "disabled", "IN_APPEAL": "in_appeal",
           "FLAGGED": "flagged", "PENDING_DELETION": "pending_deletion", "DELETED": "deleted",
           "ARCHIVED": "archived", "LOCKED": "locked", "UNLOCKED": "approved", "LIMIT_EXCEEDED": "limit_exceeded"}


class ProviderUnavailable(SkailanError):
    status, code = 502, "provider_unavailable"


def status_of(event: str | None) -> str:
    return _EVENTS.get((event or "").upper(), (event or "pending").lower())


def known_status(event: str | None) -> Any:
    """Meta's status as the registry's literal; anything unexpected counts as pending (not sendable)."""
    from typing import get_args

    from skailan.conversations.inbox.models import MetaTemplateStatus

    status = status_of(event)
    return status if status in get_args(MetaTemplateStatus) else "pending"


# ---------------------------------------------------------------- the Graph client of an account


def client_for(tenant_id: str, account_id: str) -> TemplateClient:
    from skailan.conversations import accounts
    from skailan.conversations.sending import http_client
    from skailan.platform.settings import get_settings

    account = accounts.account_of_channel(tenant_id, account_id, "whatsapp",
                                          es="Las plantillas son de cuentas de WhatsApp.",
                                          en="Templates belong to WhatsApp accounts.")
    waba_id = str(account.external.get("waba_id") or "")
    token = str(accounts.credentials(tenant_id, account_id).get("access_token") or "")
    if not waba_id or not token:
        raise Unprocessable("La cuenta de WhatsApp no tiene WABA o token de acceso. / "
                            "The WhatsApp account has no WABA id or access token.",
                            code="account_incomplete", details=[{"field": "account_id", "error": "missing waba_id or token"}])
    return TemplateClient(http_client(), waba_id=waba_id, access_token=token, base_url=get_settings().graph_api_url)


def meta_error(failure: SendFailure) -> SkailanError:
    """Meta refused (a permanent failure: 422 with Meta's own words) or could not be reached (502)."""
    detail = {"provider": "meta", "code": failure.code, "provider_message": failure.provider_message}
    if failure.permanent:
        return Unprocessable(f"Meta rechazó la plantilla: {failure.provider_message or failure.reason_es} / "
                             f"Meta refused the template: {failure.provider_message or failure.reason_en}",
                             code="meta_rejected", details=[detail])
    return ProviderUnavailable("Meta no respondió; inténtalo de nuevo. / Meta did not answer; try again.",
                               details=[detail])


def components_for(body: str | None, components: list[dict[str, Any]] | None,
                   examples: list[str] | None) -> list[dict[str, Any]]:
    """The components to submit: the caller's, or one BODY built from `body` (Meta requires an
    example value per {{n}} of a body)."""
    if components:
        for index, part in enumerate(components):
            if not isinstance(part.get("type"), str):
                raise Unprocessable("Cada componente necesita su tipo (HEADER, BODY, FOOTER, BUTTONS). / "
                                    "Every component needs its type (HEADER, BODY, FOOTER, BUTTONS).",
                                    code="invalid_components",
                                    details=[{"field": f"components[{index}].type", "error": "required"}])
        if body_text(components) is None:
            raise Unprocessable("Falta el componente BODY con su texto. / The BODY component with its text is missing.",
                                code="invalid_components", details=[{"field": "components", "error": "BODY required"}])
        return components
    if not body:
        raise Unprocessable("Envía `body` o `components`. / Send `body` or `components`.", code="invalid_components",
                            details=[{"field": "body", "error": "required"}])
    count = max((int(n) for n in _PLACEHOLDER.findall(body)), default=0)
    component: dict[str, Any] = {"type": "BODY", "text": body}
    if count:
        values = list(examples or [])
        if len(values) < count:
            values += [f"ejemplo{n}" for n in range(len(values) + 1, count + 1)]
        component["example"] = {"body_text": [values[:count]]}
    return [component]


def write_route(tenant_id: str, account_id: str, waba_id: str, meta_template_id: str, name: str, language: str) -> None:
    store.write_route(tenant_id, account_id, waba_id, meta_template_id, name, language)


# ---------------------------------------------------------------- webhooks


def apply_updates(updates: list[TemplateUpdate]) -> int:
    """Apply a delivery's template changes; returns how many changed a template."""
    return sum(1 for update in updates if apply_update(update))


def apply_update(update: TemplateUpdate) -> bool:
    route = store.find_route(update.template_id)
    if route is None:
        logger.warning("template update for an unknown template dropped", template_id=update.template_id,
                       waba_id=update.waba_id)
        return False
    if route.waba_id != update.waba_id:  # another WABA naming our template id: not its to change
        logger.warning("template update from another WABA dropped", template_id=update.template_id)
        return False
    def event(kind: str, data: dict[str, Any]) -> DomainEvent:
        return build(route.tenant_id, kind, entity_type="whatsapp_template",
                     entity_id=f"{route.account_id}.{route.name}.{route.language}", data=data)

    # Not applied (a replay, an older change, or a template deleted meanwhile): no event either.
    if update.event is not None:
        status = status_of(update.event)
        return store.apply_status(route, update.template_id, status=status, at=update.at, reason=update.reason,
                                  detail=update.detail, events=[event(catalogue.TEMPLATE_STATUS_CHANGED,
                                                                      {"status": status, "reason": update.reason})])
    quality = (update.quality or "unknown").lower()
    return store.apply_quality(route, update.template_id, quality=quality, at=update.at,
                               events=[event(catalogue.TEMPLATE_QUALITY_CHANGED, {"quality": quality})])


# ---------------------------------------------------------------- sync


def sync_account(caller: Caller, account_id: str) -> dict[str, Any]:
    client = client_for(caller.tenant_id, account_id)
    tenant_id = caller.tenant_id
    existing = {(i.name, i.language): i for i in store.list_templates(tenant_id, account_id=account_id)}
    seen: set[tuple[str, str]] = set()
    created = updated = 0
    try:
        for page in client.pages():
            for remote in page:
                name, language, meta_id = str(remote.get("name") or ""), str(remote.get("language") or ""), remote.get("id")
                if not name or not language or not meta_id:
                    continue
                seen.add((name, language))
                components = [c for c in remote.get("components") or [] if isinstance(c, dict)]
                body = body_text(components)
                score = remote.get("quality_score")
                quality: dict[str, Any] = score if isinstance(score, dict) else {}
                status = status_of(str(remote.get("status") or "PENDING"))
                rejected = remote.get("rejected_reason")
                values: dict[str, Any] = {
                    "meta_template_id": str(meta_id), "status": status,
                    "category": str(remote.get("category") or "utility").lower(), "components": components,
                    "body": body, "parameters": max((int(n) for n in _PLACEHOLDER.findall(body or "")), default=0),
                    "header_parameters": header_parameters(components),
                    "quality": str(quality.get("score")).lower() if quality.get("score") else None,
                    "rejected_reason": rejected if status == "rejected" and rejected not in (None, "NONE") else None,
                }
                item = existing.get((name, language))
                now = iso()
                if item is None:
                    item = store.new_template(tenant_id, account_id, name, language, created_at=now, updated_at=now,
                                              **values)
                    try:
                        store.insert_template(item)
                        created += 1
                    except ConditionFailed:  # created meanwhile by a webhook or another sync
                        pass
                else:
                    if any(getattr(item, key) != value for key, value in values.items()):
                        for key, value in values.items():
                            setattr(item, key, value)
                        item.updated_at = now
                        store.save_template(item)
                        updated += 1
                write_route(tenant_id, account_id, client.waba_id, str(meta_id), name, language)
    except SendFailure as failure:
        raise meta_error(failure) from failure
    removed, unmatched = 0, []
    for name_language, item in existing.items():
        if name_language in seen:
            continue
        if item.meta_template_id:  # Meta had it and no longer does
            store.delete_template(item)  # with its route
            removed += 1
        else:
            unmatched.append(item.template_id)
    # A summary of many writes (and Meta's pages between them): no one transaction holds it.
    outbox.write([build(tenant_id, catalogue.TEMPLATES_SYNCED, caller=caller, entity_type="channel_account",
                        entity_id=account_id,
                        data={"seen": len(seen), "created": created, "updated": updated, "removed": removed})],
                 table())
    return {"account_id": account_id, "seen": len(seen), "created": created, "updated": updated, "removed": removed,
            "unmatched": sorted(unmatched)}
