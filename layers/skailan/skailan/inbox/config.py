"""A brand's inbox settings: auto-assignment, alerts and bots (one item, versioned)."""

from __future__ import annotations

from typing import Any

from pynamodb.exceptions import PutError

from skailan.inbox.events import emit
from skailan.inbox.items import InboxSettingsItem
from skailan.inbox.models import InboxSettings, InboxSettingsIn
from skailan.platform.auth import Caller
from skailan.platform.clock import iso
from skailan.platform.errors import Conflict, Unprocessable
from skailan.platform.settings import get_settings

SK = "SETTINGS"


def settings_pk(tenant_id: str) -> str:
    return f"T#{tenant_id}#INBOX"


def _defaults() -> dict[str, Any]:
    env = get_settings()
    return {
        "assignment": {
            "default_capacity": env.inbox_default_capacity,
            "offline_grace_minutes": max(0, env.inbox_offline_grace_seconds // 60),
        }
    }


def _merge(base: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in patch.items():
        out[key] = _merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def get_config(tenant_id: str) -> InboxSettings:
    try:
        stored = InboxSettingsItem.get(settings_pk(tenant_id), SK).data or {}
    except InboxSettingsItem.DoesNotExist:
        stored = {}
    return InboxSettings.model_validate(_merge(_defaults(), stored))


def _check_merged(data: dict[str, Any]) -> None:
    """The settings as they would be read back must be valid, or nothing is written (a null
    section would stop agents, bots and assignment)."""
    from pydantic import ValidationError

    try:
        InboxSettings.model_validate(_merge(_defaults(), data))
    except ValidationError as err:
        raise Unprocessable("La configuración no es válida. / The settings are not valid.",
                            details=[{"field": ".".join(str(p) for p in e["loc"]), "error": e["msg"]}
                                     for e in err.errors()]) from err


def update_config(caller: Caller, changes: InboxSettingsIn) -> InboxSettings:
    patch = changes.model_dump(mode="json", exclude_unset=True)
    if not patch:
        return get_config(caller.tenant_id)
    bots = patch.get("bots") or {}
    reason_id = (bots.get("inactivity") or {}).get("reason_id")
    if reason_id:
        from skailan.tenancy import close_reasons

        known = {r.id for r in close_reasons.list_reasons(caller.tenant_id)}
        if reason_id not in known:
            raise Unprocessable(
                f"El motivo de cierre '{reason_id}' no existe. / Close reason '{reason_id}' does not exist.",
                code="unknown_close_reason",
                details=[{"field": "bots.inactivity.reason_id", "error": "unknown close reason",
                          "allowed": sorted(known)}],
            )
    try:
        item = InboxSettingsItem.get(settings_pk(caller.tenant_id), SK)
    except InboxSettingsItem.DoesNotExist:
        item = InboxSettingsItem(settings_pk(caller.tenant_id), SK, tenant_id=caller.tenant_id, data={},
                                 created_at=iso())
    # Sections are replaced whole: what the caller sends for a section is that section.
    data = {**(item.data or {}), **patch}
    _check_merged(data)
    item.data = data
    item.updated_at = iso()
    try:
        item.save()
    except PutError as err:
        if err.cause_response_code == "ConditionalCheckFailedException":
            raise Conflict("La configuración cambió; vuelve a intentarlo. / The settings changed; try again.",
                           code="concurrent_update") from err
        raise
    emit(caller.tenant_id, "inbox.settings_updated", caller=caller, entity_type="inbox_settings",
         entity_id=caller.tenant_id, data={"changed": sorted(patch)})
    return get_config(caller.tenant_id)
