"""Roles: five built-in ones (in code, not editable) plus custom roles per brand."""

from __future__ import annotations

from typing import cast

from pynamodb.exceptions import PutError

from skailan.platform.auth import Caller
from skailan.platform.clock import iso
from skailan.platform.errors import Conflict, NotFound, Unprocessable
from skailan.tenancy.defaults import BUILTIN_ROLES
from skailan.tenancy.events import emit
from skailan.tenancy.items import MemberItem, RoleItem, tenant_pk
from skailan.tenancy.models import RoleIn, RoleOut, RoleUpdateIn

PREFIX = "ROLE#"


def _builtin_out(key: str) -> RoleOut:
    spec = BUILTIN_ROLES[key]
    permissions = cast("frozenset[str]", spec["permissions"])
    return RoleOut(key=key, name=str(spec["name"]), permissions=sorted(permissions), builtin=True)


def _out(item: RoleItem) -> RoleOut:
    return RoleOut(
        key=item.key, name=item.name, description=item.description,
        permissions=sorted(item.permissions or ()), builtin=False,
    )


def role_permissions(tenant_id: str, role_key: str) -> frozenset[str]:
    """Permissions of a role; an unknown role grants nothing."""
    if role_key in BUILTIN_ROLES:
        return BUILTIN_ROLES[role_key]["permissions"]  # type: ignore[return-value]
    try:
        return frozenset(RoleItem.get(tenant_pk(tenant_id), PREFIX + role_key).permissions or ())
    except RoleItem.DoesNotExist:
        return frozenset()


def ensure_role_exists(tenant_id: str, role_key: str) -> None:
    if role_key in BUILTIN_ROLES:
        return
    if RoleItem.count(tenant_pk(tenant_id), RoleItem.sk == PREFIX + role_key) == 0:
        raise Unprocessable(
            f"El rol '{role_key}' no existe. / Role '{role_key}' does not exist.",
            code="unknown_role",
            details=[{"field": "role", "error": "unknown role"}],
        )


def list_roles(tenant_id: str) -> list[RoleOut]:
    custom = [_out(i) for i in RoleItem.query(tenant_pk(tenant_id), RoleItem.sk.startswith(PREFIX))]
    return [_builtin_out(k) for k in BUILTIN_ROLES] + sorted(custom, key=lambda r: r.key)


def get_role(tenant_id: str, key: str) -> RoleOut:
    if key in BUILTIN_ROLES:
        return _builtin_out(key)
    return _out(_load(tenant_id, key))


def _load(tenant_id: str, key: str) -> RoleItem:
    try:
        return RoleItem.get(tenant_pk(tenant_id), PREFIX + key)
    except RoleItem.DoesNotExist as err:
        raise NotFound("Rol no encontrado. / Role not found.", code="role_not_found") from err


def _refuse_builtin(key: str) -> None:
    if key in BUILTIN_ROLES:
        raise Conflict(
            "Los roles predefinidos no se pueden modificar. / Built-in roles cannot be changed.",
            code="builtin_role",
        )


def create_role(caller: Caller, data: RoleIn) -> RoleOut:
    _refuse_builtin(data.key)
    now = iso()
    item = RoleItem(
        tenant_pk(caller.tenant_id), PREFIX + data.key, tenant_id=caller.tenant_id, key=data.key,
        name=data.name, description=data.description, permissions=set(data.permissions),
        created_at=now, updated_at=now,
    )
    try:
        item.save(condition=RoleItem.pk.does_not_exist())
    except PutError as err:
        if err.cause_response_code == "ConditionalCheckFailedException":
            raise Conflict("Ya existe un rol con esa clave. / A role with that key exists.", code="role_exists") from err
        raise
    emit(caller.tenant_id, "role.created", caller=caller, entity_type="role", entity_id=data.key,
         data={"permissions": data.permissions})
    return _out(item)


def update_role(caller: Caller, key: str, data: RoleUpdateIn) -> RoleOut:
    _refuse_builtin(key)
    item = _load(caller.tenant_id, key)
    changes = data.model_dump(exclude_unset=True)
    if "permissions" in changes:
        item.permissions = set(changes["permissions"])
    for attr in ("name", "description"):
        if attr in changes:
            setattr(item, attr, changes[attr])
    item.updated_at = iso()
    try:
        item.save()
    except PutError as err:
        if err.cause_response_code == "ConditionalCheckFailedException":
            raise Conflict("El rol cambió; vuelve a intentarlo. / The role changed; try again.",
                           code="concurrent_update") from err
        raise
    emit(caller.tenant_id, "role.updated", caller=caller, entity_type="role", entity_id=key,
         data={"changed": sorted(changes)})
    return _out(item)


def delete_role(caller: Caller, key: str) -> None:
    _refuse_builtin(key)
    item = _load(caller.tenant_id, key)
    # Members live in the brand's partition: a Query with a filter, bounded to this brand.
    in_use = MemberItem.query(
        tenant_pk(caller.tenant_id), MemberItem.sk.startswith("MEMBER#"),
        filter_condition=MemberItem.role == key, limit=1, page_size=200,
    )
    if next(iter(in_use), None) is not None:
        raise Conflict("El rol está asignado a usuarios. / The role is assigned to users.", code="role_in_use")
    item.delete()
    emit(caller.tenant_id, "role.deleted", caller=caller, entity_type="role", entity_id=key)
