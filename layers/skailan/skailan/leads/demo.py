"""Lead flow demo data (idempotent), called by the local runtime's seed: the Spanish default note
templates in every brand, and in the demo brand a handful of leads in every state so `make run`
shows a queue (never worked first, some in progress, one closed)."""

from __future__ import annotations

from typing import Any

# (name, e-mail, phone, note by the operator or None, close)
DEMO_LEADS: tuple[tuple[str, str, str, str | None, bool], ...] = (
    ("Camila Rojas", "camila.rojas@demo-leads.local", "+573015550001", None, False),
    ("Julián Herrera", "julian.herrera@demo-leads.local", "+573015550002", None, False),
    ("Valentina Gómez", "valentina.gomez@demo-leads.local", "+573015550003", None, False),
    ("Mateo Castillo", "mateo.castillo@demo-leads.local", "+573015550004", None, False),
    ("Isabella Torres", "isabella.torres@demo-leads.local", "+573015550005",
     "Contestó; pidió que la llamemos el jueves en la tarde.", False),
    ("Santiago Ramírez", "santiago.ramirez@demo-leads.local", "+573015550006", "No contesta, buzón de voz.", False),
    ("Daniela Moreno", "daniela.moreno@demo-leads.local", "+573015550007",
     "Compró el plan anual, pagó con tarjeta.", True),
)


def seed_demo(tenant_ids: tuple[str, ...] = ("demo", "acme"), demo_tenant: str = "demo",
              operator_email: str = "operator@demo.local") -> dict[str, Any]:
    from skailan.crm.people.models import PersonIn
    from skailan.crm.people.service import create_person
    from skailan.crm.store.person_reads import find_by_identity
    from skailan.leads import flow, store, templates
    from skailan.leads.models import LeadNoteIn
    from skailan.platform.auth import Caller
    from skailan.tenancy import cognito

    seeded = {tenant: templates.seed_defaults(tenant) for tenant in tenant_ids}
    operator_sub = cognito.find_user_sub(operator_email)
    operator = Caller(tenant_id=demo_tenant, principal_id=operator_sub or "system", kind="user",
                      email=operator_email, name="Óscar Operador", role="operator",
                      permissions=frozenset({"leads:edit"}))
    leads = 0
    for name, email, phone, note, close in DEMO_LEADS:
        person = find_by_identity(demo_tenant, "email", email)
        person_id = person.person_id if person else create_person(
            None, demo_tenant, PersonIn(name=name, email=email, phone=phone)).id
        lead = flow.mirror_person(demo_tenant, person_id)
        leads += 1
        if note and operator_sub and lead is not None and not lead.notes_count:
            flow.add_note(operator, person_id, LeadNoteIn(text=note, close=close))
    return {"templates": seeded, "leads": leads, "queue": store.queue_pk(demo_tenant)}
