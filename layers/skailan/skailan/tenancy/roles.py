"""Roles: six built-in ones (in code, not editable) plus custom roles per brand.

Nobody grants what they do not hold: a role created or edited, a role given to a member, an
API key — each carries only permissions the caller holds, and nobody edits the role they have
themselves or acts on a member (or role) that holds more than they do. Only a super-admin makes
or touches super-admins.
"""

from __future__ import annotations

from typing import cast

from skailan.platform.auth import Caller
from skailan.platform.clock import iso
from skailan.platform.errors import Conflict, Forbidden, NotFound, Unprocessable
from skailan.platform.storage import ConditionFailed
from skailan.tenancy.defaults import BUILTIN_ROLES, SUPER_ADMIN
from skailan.tenancy.events import build
from skailan.tenancy.models import RoleIn, RoleOut, RoleUpdateIn
from skailan.tenancy.store import members as member_store
from skailan.tenancy.store import roles as store
from skailan.tenancy.store.items import RoleItem


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
    item = store.find_role(tenant_id, role_key)
    return frozenset(item.permissions or ()) if item is not None else frozenset()


def escalation(permissions: list[str]) -> Forbidden:
    return Forbidden("No puedes otorgar permisos que no tienes. / You cannot grant permissions you lack.",
                     code="permission_escalation", details={"permissions": permissions})


def check_grantable(caller: Caller, permissions: frozenset[str] | set[str] | list[str]) -> None:
    beyond = caller.lacks(permissions)
    if beyond:
        raise escalation(beyond)


def check_assignable(caller: Caller, role_key: str, *, acting_on: str = "role") -> None:
    """The caller may give this role to someone (or act on a member who has it)."""
    if role_key == SUPER_ADMIN and not caller.super_admin:
        what = ("gestionar a un superadministrador", "manage a super-admin") if acting_on == "member" else (
            "otorgar el rol de superadministrador", "grant the super-admin role")
        raise Forbidden(f"Solo un superadministrador puede {what[0]}. / Only a super-admin can {what[1]}.",
                        code="super_admin_required", details={"role": role_key})
    check_grantable(caller, role_permissions(caller.tenant_id, role_key))


def _refuse_own(caller: Caller, key: str) -> None:
    if caller.kind == "user" and caller.role == key:
        raise Forbidden("No puedes modificar tu propio rol. / You cannot change your own role.", code="own_role")


def ensure_role_exists(tenant_id: str, role_key: str) -> None:
    if role_key in BUILTIN_ROLES:
        return
    if not store.role_exists(tenant_id, role_key):
        raise Unprocessable(
            f"El rol '{role_key}' no existe. / Role '{role_key}' does not exist.",
            code="unknown_role",
            details=[{"field": "role", "error": "unknown role"}],
        )


def list_roles(tenant_id: str) -> list[RoleOut]:
    custom = [_out(i) for i in store.list_roles(tenant_id)]
    return [_builtin_out(k) for k in BUILTIN_ROLES] + sorted(custom, key=lambda r: r.key)


def get_role(tenant_id: str, key: str) -> RoleOut:
    if key in BUILTIN_ROLES:
        return _builtin_out(key)
    return _out(_load(tenant_id, key))


def _load(tenant_id: str, key: str) -> RoleItem:
    item = store.find_role(tenant_id, key)
    if item is None:
        raise NotFound("Rol no encontrado. / Role not found.", code="role_not_found")
    return item


def _refuse_builtin(key: str) -> None:
    if key in BUILTIN_ROLES:
        raise Conflict(
            "Los roles predefinidos no se pueden modificar. / Built-in roles cannot be changed.",
            code="builtin_role",
        )


def create_role(caller: Caller, data: RoleIn) -> RoleOut:
    _refuse_builtin(data.key)
    check_grantable(caller, data.permissions)
    created = build(caller.tenant_id, "role.created", caller=caller, entity_type="role", entity_id=data.key,
                    data={"permissions": data.permissions})
    try:
        item = store.create_role(caller.tenant_id, data.key, name=data.name, description=data.description,
                                 permissions=set(data.permissions), events=[created])
    except ConditionFailed as err:
        raise Conflict("Ya existe un rol con esa clave. / A role with that key exists.", code="role_exists") from err
    return _out(item)


def update_role(caller: Caller, key: str, data: RoleUpdateIn) -> RoleOut:
    _refuse_builtin(key)
    item = _load(caller.tenant_id, key)
    _refuse_own(caller, key)
    check_grantable(caller, item.permissions or set())  # not a role stronger than oneself
    changes = data.model_dump(exclude_unset=True)
    for attr in ("name", "permissions"):
        if attr in changes and changes[attr] is None:
            raise Unprocessable(f"'{attr}' no puede ser nulo. / '{attr}' must not be null.", code="validation_error",
                                details=[{"field": attr, "error": "must not be null"}])
    if "permissions" in changes:
        check_grantable(caller, changes["permissions"])
        item.permissions = set(changes["permissions"])
    for attr in ("name", "description"):
        if attr in changes:
            setattr(item, attr, changes[attr])
    item.updated_at = iso()
    updated = build(caller.tenant_id, "role.updated", caller=caller, entity_type="role", entity_id=key,
                    data={"changed": sorted(changes)})
    try:
        store.save_role(item, events=[updated])
    except ConditionFailed as err:
        raise _changed() from err
    return _out(item)


def _changed() -> Conflict:
    return Conflict("El rol cambió; vuelve a intentarlo. / The role changed; try again.", code="concurrent_update")


def delete_role(caller: Caller, key: str) -> None:
    _refuse_builtin(key)
    item = _load(caller.tenant_id, key)
    _refuse_own(caller, key)
    check_grantable(caller, item.permissions or set())
    if member_store.role_in_use(caller.tenant_id, key):
        raise Conflict("El rol está asignado a usuarios. / The role is assigned to users.", code="role_in_use")
    try:
        store.delete_role(item, events=[build(caller.tenant_id, "role.deleted", caller=caller, entity_type="role",
                                              entity_id=key)])
    except ConditionFailed as err:  # edited or deleted since it was read
        raise _changed() from err
