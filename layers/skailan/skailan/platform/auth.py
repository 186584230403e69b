"""Who is calling, and the permission grammar `<module>:<view|edit|manage>`.

A level implies the ones below it (manage ⊃ edit ⊃ view). The check is `Caller.require`;
route middlewares call it (see `skailan.tenancy.access.requires`), nothing else decides.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Literal

from skailan.platform.errors import Forbidden

MODULES: tuple[str, ...] = (
    "admin",
    "contacts",
    "conversations",
    "leads",
    "campaigns",
    "automations",
    "analytics",
    "content",
)
LEVELS: tuple[str, ...] = ("view", "edit", "manage")


def parse_permission(permission: str) -> tuple[str, int]:
    module, _, level = permission.partition(":")
    if module not in MODULES or level not in LEVELS:
        raise ValueError(f"unknown permission {permission!r}")
    return module, LEVELS.index(level)


def is_valid_permission(permission: str) -> bool:
    try:
        parse_permission(permission)
    except ValueError:
        return False
    return True


def grants(held: frozenset[str] | set[str], needed: str) -> bool:
    module, level = parse_permission(needed)
    return any(f"{module}:{LEVELS[i]}" in held for i in range(level, len(LEVELS)))


def expand(permissions: frozenset[str] | set[str]) -> list[str]:
    """Every permission implied by `permissions`, sorted (what `/v1/me` shows)."""
    implied = {p for p in (f"{m}:{lvl}" for m in MODULES for lvl in LEVELS) if grants(permissions, p)}
    return sorted(implied, key=lambda p: (MODULES.index(p.split(":")[0]), LEVELS.index(p.split(":")[1])))


@dataclass(frozen=True)
class Caller:
    """The verified caller of a request, in the brand it selected."""

    tenant_id: str
    principal_id: str  # Cognito `sub` for users, the key id for API keys
    kind: Literal["user", "api_key", "bot", "system"]
    permissions: frozenset[str] = field(default_factory=frozenset)
    email: str | None = None
    name: str | None = None
    role: str | None = None
    # The brand's super-admin: every permission, sees every conversation, and the only one who
    # may grant the super-admin role or act on another super-admin.
    super_admin: bool = False

    def can(self, permission: str) -> bool:
        return grants(self.permissions, permission)

    def lacks(self, permissions: frozenset[str] | set[str] | list[str]) -> list[str]:
        """The permissions of `permissions` this caller does not hold (sorted): what it may not grant."""
        return sorted(p for p in set(permissions) if not self.can(p))

    def require(self, permission: str) -> None:
        if not self.can(permission):
            raise Forbidden(
                f"No tienes permiso para esta acción ({permission}). / "
                f"You lack the permission this action needs ({permission}).",
                code="permission_denied",
                details={"required": permission},
            )


def system_caller(tenant_id: str, kind: Literal["bot", "system"] = "system") -> Caller:
    """The caller of work no person started (automation steps, the opt-out confirmation): every
    permission of the brand, acting as "Automatización"."""
    return Caller(tenant_id=tenant_id, principal_id="automation", kind=kind,
                  permissions=frozenset(f"{m}:{lvl}" for m in MODULES for lvl in LEVELS), name="Automatización")


_current_caller: ContextVar[Caller | None] = ContextVar("skailan_caller", default=None)


def set_current_caller(caller: Caller | None) -> None:
    _current_caller.set(caller)


def current_caller() -> Caller:
    caller = _current_caller.get()
    if caller is None:  # a route without `requires(...)`: a programming error, not the caller's
        raise RuntimeError("route has no access check")
    return caller
