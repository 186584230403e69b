"""A brand's inbox settings: auto-assignment, alerts and bots (one item, versioned)."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from skailan.conversations.inbox.models import InboxSettings, InboxSettingsIn
from skailan.conversations.inbox_events import build
from skailan.conversations.store import config as store
from skailan.platform.auth import Caller
from skailan.platform.batch_reads import shared
from skailan.platform.clock import iso
from skailan.platform.errors import Unprocessable
from skailan.platform.patching import deep_merge, lenient_validate, sanitize
from skailan.platform.settings import get_settings
from skailan.platform.storage import changed_meanwhile


def _defaults() -> dict[str, Any]:
    env = get_settings()
    return {
        "assignment": {
            "default_capacity": env.inbox_default_capacity,
            "offline_grace_minutes": max(0, env.inbox_offline_grace_seconds // 60),
        }
    }


def _settings(tenant_id: str, stored: Any) -> InboxSettings:
    """Defaults under what is stored; a stored value that no longer validates falls back to its
    default (logged) — assignment, bots and ingestion must keep working whatever was saved."""
    document = deep_merge(_defaults(), sanitize(InboxSettings, stored, what="inbox", tenant_id=tenant_id))
    return lenient_validate(InboxSettings, document, what="inbox", tenant_id=tenant_id)


def get_config(tenant_id: str) -> InboxSettings:
    # Once per SQS batch: workers read the settings for every record and never write them.
    return shared((tenant_id, "inbox_settings"), lambda: _load_config(tenant_id))


def _load_config(tenant_id: str) -> InboxSettings:
    return _settings(tenant_id, store.stored_settings(tenant_id))


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
    item = store.settings_item(caller.tenant_id)
    # Merged field by field into the settings in effect, validated whole, then written: a
    # partial section never erases its siblings, and nothing invalid reaches the table.
    # Only what brands set is stored (defaults from the environment stay live).
    data = deep_merge(sanitize(InboxSettings, item.data or {}, what="inbox", tenant_id=caller.tenant_id), patch)
    try:
        InboxSettings.model_validate(deep_merge(_defaults(), data))
    except ValidationError as err:
        raise Unprocessable(
            "La configuración resultante no es válida. / The resulting settings are not valid.",
            details=[{"field": ".".join(str(p) for p in e["loc"]), "error": e["msg"], "type": e["type"]}
                     for e in err.errors()],
        ) from err
    item.data = data
    item.updated_at = iso()
    event = build(caller.tenant_id, "inbox.settings_updated", caller=caller, entity_type="inbox_settings",
                  entity_id=caller.tenant_id, data={"changed": sorted(patch)})
    with changed_meanwhile("La configuración cambió; vuelve a intentarlo.", "The settings changed; try again."):
        store.save_settings(item, events=[event])
    return get_config(caller.tenant_id)
