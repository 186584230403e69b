"""The brand's lead flow settings: which lists form the flow, what the queue shows of each lead,
for which roles the first note reserves the lead, and AI classification.

The OpenAI key is write-only: `PUT /v1/lead-flow/settings` accepts `ai.openai_api_key`, which is
stored in Secrets Manager under `<secrets_prefix>/leads/<brand>/openai` and never returned (GET
shows `ai.openai_key_set`). Settings are replaced as a whole by PUT; the stored key stays unless a
new one is sent.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from skailan.leads import store
from skailan.leads.catalogue import LEAD_SETTINGS_UPDATED
from skailan.leads.events import build
from skailan.leads.models import (
    DEFAULT_RESERVE_ROLES,
    LeadAiSettingsOut,
    LeadSettingsIn,
    LeadSettingsOut,
    LeadSettingsPatchIn,
)
from skailan.platform.auth import Caller
from skailan.platform.clock import iso
from skailan.platform.errors import Unprocessable
from skailan.platform.i18n import both
from skailan.platform.settings import get_settings

DEFAULTS: dict[str, Any] = {"list_ids": [], "display_fields": ["tags", "lists"],
                            "reserve_roles": list(DEFAULT_RESERVE_ROLES),
                            "ai": {"enabled": False, "provider": "local", "model_id": None, "openai_key_set": False}}


def load(tenant_id: str) -> dict[str, Any]:
    """The stored settings over the defaults (a brand that never saved any gets the defaults)."""
    data = store.get_settings_data(tenant_id) or {}
    merged = {**DEFAULTS, **{k: v for k, v in data.items() if k in DEFAULTS}}
    merged["ai"] = {**DEFAULTS["ai"], **(data.get("ai") or {})}
    merged["updated_at"] = data.get("updated_at")
    return merged


def to_out(data: dict[str, Any]) -> LeadSettingsOut:
    ai = data["ai"]
    return LeadSettingsOut(list_ids=list(data["list_ids"]), display_fields=list(data["display_fields"]),
                       reserve_roles=list(data["reserve_roles"]),
                       ai=LeadAiSettingsOut(enabled=bool(ai.get("enabled")), provider=ai.get("provider") or "local",
                                        model_id=ai.get("model_id"), openai_key_set=bool(ai.get("openai_key_set"))),
                       updated_at=data.get("updated_at"))


def get(tenant_id: str) -> LeadSettingsOut:
    return to_out(load(tenant_id))


def secret_name(tenant_id: str) -> str:
    return f"{get_settings().secrets_prefix}/leads/{tenant_id}/openai"


def _store_key(tenant_id: str, key: str) -> None:
    from botocore.exceptions import ClientError

    from skailan.platform.aws import client

    secrets = client("secretsmanager")
    body = json.dumps({"api_key": key})
    try:
        secrets.create_secret(Name=secret_name(tenant_id), SecretString=body)
    except ClientError as err:
        if err.response["Error"]["Code"] != "ResourceExistsException":
            raise
        secrets.put_secret_value(SecretId=secret_name(tenant_id), SecretString=body)


def openai_key(tenant_id: str) -> str | None:
    """For the classifier job only; never for an API response."""
    from botocore.exceptions import ClientError

    from skailan.platform.aws import client

    try:
        raw = client("secretsmanager").get_secret_value(SecretId=secret_name(tenant_id))["SecretString"]
    except ClientError:
        return None
    return str(json.loads(raw).get("api_key") or "") or None


def _validate(tenant_id: str, body: LeadSettingsIn) -> None:
    from skailan.crm.audiences.lists import load_list
    from skailan.platform.errors import NotFound
    from skailan.tenancy.roles import ensure_role_exists

    # (field, its ids, the check, what the check raises for an unknown id, error code, Spanish, English)
    references: list[tuple[str, list[str], Callable[[str, str], object], type[Exception], str, str, str]] = [
        ("list_ids", body.list_ids, load_list, NotFound, "unknown_list", "Lista desconocida", "Unknown list"),
        ("reserve_roles", body.reserve_roles, ensure_role_exists, Unprocessable, "unknown_role", "Rol desconocido",
         "Unknown role"),
    ]
    errors: list[dict[str, Any]] = []
    for field, ids, check, missing, code, spanish, english in references:
        for index, value in enumerate(ids):
            try:
                check(tenant_id, value)
            except missing:
                errors.append({"field": f"{field}.{index}", "error": code, "message": both(spanish, english)})
    if errors:
        raise Unprocessable(both("La configuración no es válida", "The settings are not valid"), details=errors)


def put(caller: Caller, body: LeadSettingsIn) -> LeadSettingsOut:
    tenant_id = caller.tenant_id
    _validate(tenant_id, body)
    before = load(tenant_id)
    key_set = bool(before["ai"].get("openai_key_set"))
    if body.ai.openai_api_key:
        _store_key(tenant_id, body.ai.openai_api_key)  # before the settings say a key is there
        key_set = True
    now = iso()
    data = {"list_ids": list(dict.fromkeys(body.list_ids)), "display_fields": list(dict.fromkeys(body.display_fields)),
            "reserve_roles": list(dict.fromkeys(body.reserve_roles)),
            "ai": {"enabled": body.ai.enabled, "provider": body.ai.provider, "model_id": body.ai.model_id,
                   "openai_key_set": key_set},
            "updated_at": now}
    flow_changed = sorted(before["list_ids"]) != sorted(data["list_ids"])
    event = build(tenant_id, LEAD_SETTINGS_UPDATED, caller=caller, entity_type="lead_settings", entity_id=tenant_id,
                  data={"flow_changed": flow_changed})
    store.save_settings_data(tenant_id, data, now, [event])
    return to_out(load(tenant_id))


def patch(caller: Caller, body: LeadSettingsPatchIn) -> LeadSettingsOut:
    """PATCH: the sent parts deep-merged into the stored settings, validated as a whole, then put."""
    from pydantic import ValidationError

    from skailan.platform.patching import deep_merge

    current = load(caller.tenant_id)
    base = {"list_ids": current["list_ids"], "display_fields": current["display_fields"],
            "reserve_roles": current["reserve_roles"],
            "ai": {k: current["ai"].get(k) for k in ("enabled", "provider", "model_id")}}
    merged = deep_merge(base, body.model_dump(exclude_unset=True))
    try:
        validated = LeadSettingsIn.model_validate(merged)
    except ValidationError as err:
        details = [{"field": ".".join(str(p) for p in e["loc"]), "error": e["msg"]} for e in err.errors()]
        raise Unprocessable(both("La configuración no es válida", "The settings are not valid"),
                            details=details) from err
    return put(caller, validated)
