"""The leads worker's dispatch (EventBridge → LeadsQueue → LeadsWorkerFunction).

- CRM people and lists (`contact.*`, `list.members_*`, `list.deleted`): the person's lead is
  created, refreshed or removed (`flow.mirror_person`), so the queue follows the flow's lists.
- `lead.note_added`: report counters (once per event id), and the note on the person's timeline
  (entry id = note id, so a redelivery rewrites the same entry).
- `lead.status_changed`: the person's `lead_status` in the CRM (segments read it).
- `lead.outcome_classified`: the outcome counters.
- `lead_settings.updated` with `flow_changed`: every lead's flow membership again.
- `brand.created` (tenancy): the brand's Spanish default note templates.
Every step is idempotent: SQS may deliver twice.
"""

from __future__ import annotations

from typing import Any

from skailan.leads import catalogue as lc
from skailan.leads import flow, reports, store
from skailan.platform.events import DomainEvent

PEOPLE_EVENTS = ("contact.created", "contact.updated", "contact.deleted")
# contact.updated fields no lead copies (lead_status is our own write, from lead.status_changed)
NOT_MIRRORED = frozenset({"lead_status", "customer_role"})


def on_event(event: DomainEvent) -> dict[str, Any]:
    tenant_id, data = event.tenant_id, event.data or {}
    if event.source == lc.SOURCE:
        return _lead_event(event)
    if event.type == "brand.created":  # every brand starts with the Spanish default note templates
        from skailan.leads.templates import seed_defaults

        return {"templates": seed_defaults(tenant_id)}
    if event.type in PEOPLE_EVENTS and event.entity_id:
        if event.type == "contact.updated" and set(data.get("changed") or ["?"]) <= NOT_MIRRORED:
            return {}  # e.g. our own lead_status write: nothing the lead copies changed
        return _mirror(tenant_id, [event.entity_id])
    if event.type == "contact.merged":
        return _mirror(tenant_id, [str(p) for p in (data.get("merged_id"), data.get("kept_id")) if p])
    if event.type == "contact.imported":
        return _mirror(tenant_id, [str(p) for p in [*data.get("created", []), *data.get("updated", [])]])
    if event.type in ("list.members_added", "list.members_removed"):
        return _mirror(tenant_id, [str(p) for p in data.get("person_ids") or []])
    if event.type == "tag.renamed" and data.get("from") and data.get("to"):
        from skailan.leads.templates import rename_tag

        return {"templates": rename_tag(tenant_id, str(data["from"]), str(data["to"]))}
    if event.type == "list.deleted" and event.entity_id:
        return _mirror(tenant_id, store.leads_in_list(tenant_id, event.entity_id))
    return {}


def _mirror(tenant_id: str, person_ids: list[str]) -> dict[str, str]:
    """The people's leads from the CRM, in batches (a fixed number of requests per 100 people)."""
    mirrored = flow.mirror_people(tenant_id, person_ids)
    return {p: "kept" if mirrored.get(p) is not None else "absent" for p in dict.fromkeys(person_ids)}


def _lead_event(event: DomainEvent) -> dict[str, Any]:
    data = event.data or {}
    if event.type == lc.LEAD_NOTE_ADDED:
        counted = reports.count_note(event)
        _timeline(event)
        return {"counted": counted}
    if event.type == lc.LEAD_STATUS_CHANGED:
        from skailan.crm.people.service import record_lead_status

        return {"lead_status": record_lead_status(event.tenant_id, str(data["person_id"]), str(data["to_status"]))}
    if event.type == lc.LEAD_OUTCOME_CLASSIFIED:
        return {"counted": reports.count_outcome(event)}
    if event.type == lc.LEAD_SETTINGS_UPDATED and data.get("flow_changed"):
        return {"changed": flow.refresh_flow(event.tenant_id)}
    return {}


def _timeline(event: DomainEvent) -> None:
    from skailan.crm.people.timeline import append_timeline
    from skailan.crm.store.person_reads import find_person

    data = event.data
    person_id = str(data["person_id"])
    person = find_person(event.tenant_id, person_id)
    if person is None or person.deleted_at or person.merged_into:
        return
    text = str(data.get("text") or "")
    summary = "Nota de lead: " + " ".join(text.split())[:120]
    append_timeline(event.tenant_id, person_id, "lead_note", summary,
                    ref={"type": "lead_note", "id": data["note_id"], "closed": bool(data.get("closed"))},
                    occurred_at=str(data["created_at"]), body=text,
                    author={"kind": "user", "id": data.get("author_id"), "name": data.get("author_name")},
                    entry_id=str(data["note_id"]))
