"""The demo brand's automation (`make run`): the tag "Llamar nuevamente" — what the lead note
template adds — creates a follow-up task for whoever caused it (the operator who wrote the note).
Seeded once: a second seed finds it by name and leaves it."""

from __future__ import annotations

from skailan.automations import service, store
from skailan.automations.models import AutomationIn
from skailan.platform.auth import LEVELS, MODULES, Caller

NAME = "Llamar nuevamente → tarea de seguimiento"


def seed_demo(tenant_id: str = "demo") -> None:
    items, _ = store.list_automations(tenant_id, None, 100)
    if any(item.name == NAME for item in items):
        return
    seeder = Caller(tenant_id=tenant_id, principal_id="seed", kind="system",
                    permissions=frozenset(f"{m}:{lvl}" for m in MODULES for lvl in LEVELS))
    service.create(seeder, AutomationIn.model_validate({
        "name": NAME,
        "description": "La nota «Llamar nuevamente» agrega la etiqueta; el operador recibe una tarea para mañana.",
        "trigger": {"type": "tag_added", "tag": "Llamar nuevamente"},
        "steps": [{"type": "create_task", "title": "Volver a llamar a {{nombre}}", "due_in_minutes": 1440,
                   "type_id": "follow_up"}],
    }))
