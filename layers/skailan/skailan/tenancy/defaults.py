"""What every brand starts with: built-in roles and Spanish close reasons (English alongside)."""

from __future__ import annotations

from skailan.platform.auth import MODULES

SUPER_ADMIN = "super_admin"

BUILTIN_ROLES: dict[str, dict[str, object]] = {
    "admin": {
        "name": "Administrador / Admin",
        "permissions": frozenset(f"{m}:manage" for m in MODULES),
    },
    "supervisor": {
        "name": "Supervisor",
        "permissions": frozenset(
            {
                "admin:view",
                "contacts:manage",
                "conversations:manage",
                "leads:manage",
                "campaigns:view",
                "automations:manage",
                "analytics:view",
                "content:view",
            }
        ),
    },
    "agent": {
        "name": "Agente / Agent",
        "permissions": frozenset({"contacts:edit", "conversations:edit", "leads:view"}),
    },
    "marketing": {
        "name": "Mercadeo / Marketing",
        "permissions": frozenset(
            {
                "contacts:edit",
                "campaigns:manage",
                "automations:manage",
                "analytics:view",
                "content:manage",
            }
        ),
    },
    "operator": {
        "name": "Operador / Operator",
        "permissions": frozenset({"contacts:view", "leads:edit"}),
    },
    # SPEC §1: sees every conversation of the brand and manages everything, admins included.
    SUPER_ADMIN: {
        "name": "Superadministrador / Super-admin",
        "permissions": frozenset(f"{m}:manage" for m in MODULES),
    },
}

# (id, Spanish name, English name) — ids are stable so seeds and imports can refer to them.
DEFAULT_CLOSE_REASONS: tuple[tuple[str, str, str], ...] = (
    ("resolved", "Consulta resuelta", "Question resolved"),
    ("sale", "Venta realizada", "Sale made"),
    ("no-reply", "Sin respuesta del cliente", "No reply from the customer"),
    ("spam", "Spam", "Spam"),
    ("not-interested", "Cliente no interesado", "Customer not interested"),
    ("transferred", "Remitido a otra área", "Referred to another department"),
)

DEFAULT_BUSINESS_HOURS: dict[str, list[dict[str, str]]] = {
    day: [{"start": "08:00", "end": "18:00"}] for day in ("mon", "tue", "wed", "thu", "fri")
} | {"sat": [{"start": "09:00", "end": "13:00"}], "sun": []}
