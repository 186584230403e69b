"""Merging two people, and the duplicates index that suggests whom to merge.

`merge_people(keep, other)`:
1. ONE transaction: every identity item of `other` is re-pointed to `keep` (conditional on
   still pointing to `other`), `keep` gets the union of tags, custom values (keep wins on
   conflict), missing phone/e-mail/owner/journey/role and the identities; `other` is marked
   `merged_into` and loses its index, name and facet items; a timeline entry records it.
2. Then the rest of `other`'s partition moves: timeline entries and notes, list memberships
   (kept once), business links. This part is idempotent — calling merge again with the same
   pair resumes it — so a crash between the two steps loses nothing.
3. `contact.merged` is emitted (conversations re-point their person id on it); the segments
   worker re-evaluates both people.

Duplicates: people can never share a phone or e-mail (identities are unique), so suggestions
come from the folded full name. The segments worker keeps one group item per name
(`T#<t>#DUPS`, set of person ids) and puts it on the sparse gsi1 `T#<t>#DUPGROUPS` while it
has two or more people; `GET /v1/contacts/duplicates` is one Query on it. Names of a single
word ("Ana") are not grouped: too common to mean anything.
"""

from __future__ import annotations

from skailan.crm.events import build
from skailan.crm.people.models import DuplicatePairOut, PersonOut
from skailan.crm.people.service import to_out
from skailan.crm.store.duplicates import duplicate_groups
from skailan.crm.store.items import (
    PersonItem,
)
from skailan.crm.store.person_reads import find_person, load_person
from skailan.crm.store.person_writes import (
    PersonWrite,
    derive,
    move_partition,
    touch,
    unindex,
    write_together,
)
from skailan.crm.store.timeline_items import timeline_item
from skailan.crm.store.transact import TransactionFailed, outbox_table
from skailan.crm.values.text import fold
from skailan.crm.values.types import Page
from skailan.platform import outbox
from skailan.platform.auth import Caller
from skailan.platform.clock import iso
from skailan.platform.errors import Conflict, NotFound, Unprocessable
from skailan.platform.i18n import both
from skailan.platform.pagination import clamp_limit


def merge_people(caller: Caller, keep_id: str, other_id: str) -> PersonOut:
    tenant_id = caller.tenant_id
    if keep_id == other_id:
        raise Unprocessable(both("No se puede fusionar una persona consigo misma", "Cannot merge a person into itself"),
                            details=[{"field": "other_id", "error": "same_person"}])
    keep = load_person(tenant_id, keep_id, writable=True)
    other = find_person(tenant_id, other_id, consistent=True)
    if other is None or other.deleted_at:
        raise NotFound(both("Persona no encontrada", "Person not found"), code="contact_not_found",
                       details=[{"field": "other_id", "error": "not_found"}])
    if other.merged_into and other.merged_into != keep_id:
        raise Conflict(both("La otra persona ya fue fusionada", "The other person was already merged"),
                       code="contact_merged", details={"merged_into": other.merged_into})
    if not other.merged_into:
        _merge_core(caller, keep, other)
    move_partition(tenant_id, other_id, keep)
    # Not in the merge's transaction: consumers (leads mirror, segments) read the kept person's
    # moved memberships, so the events follow the partition move (many requests).
    outbox.write([
        build(tenant_id, "contact.merged", caller=caller, entity_type="contact", entity_id=keep_id,
              data={"kept_id": keep_id, "merged_id": other_id}),
        build(tenant_id, "contact.updated", caller=caller, entity_type="contact", entity_id=keep_id,
              data={"changed": ["merged"]}),
    ], outbox_table())
    return to_out(load_person(tenant_id, keep_id))


def _merge_core(caller: Caller, keep: PersonItem, other: PersonItem) -> None:
    tenant_id = caller.tenant_id
    keep_before, other_before = derive(keep), derive(other)
    now = iso()
    moved = [i for i in other.identities or [] if (i["kind"], i["key"]) not in keep_before.identities]
    keep.custom = {**(other.custom or {}), **(keep.custom or {})}
    keep.tags = list({fold(t): t for t in [*(other.tags or []), *(keep.tags or [])]}.values())
    for attr in ("phone", "email", "owner_id", "journey_state", "customer_role", "lead_status",
                 "last_interaction_at"):
        if not getattr(keep, attr) and getattr(other, attr):
            setattr(keep, attr, getattr(other, attr))
    if other.last_interaction_at and (keep.last_interaction_at or "") < other.last_interaction_at:
        keep.last_interaction_at = other.last_interaction_at
    keep.identities = list(keep.identities or []) + moved
    touch(keep, now)
    other.merged_into = keep.person_id
    other.updated_at = now
    unindex(other)
    entry = timeline_item(tenant_id, keep.person_id, "merged", other.name,
                          ref={"type": "contact", "id": other.person_id}, occurred_at=now,
                          author={"kind": caller.kind, "id": caller.principal_id, "email": caller.email})
    try:
        write_together(tenant_id, [PersonWrite(after=keep, before=keep_before, extra=[entry]),
                                   PersonWrite(after=other, before=other_before)])
    except TransactionFailed as err:
        raise Conflict(both("Una de las personas cambió durante la fusión; vuelve a intentarlo",
                            "One of the people changed during the merge; try again"),
                       code="concurrent_update") from err


# ---------------------------------------------------------------- duplicates


def list_duplicates(tenant_id: str, *, cursor: str | None, limit: int | None) -> Page[DuplicatePairOut]:
    found = duplicate_groups(tenant_id, cursor=cursor, limit=clamp_limit(limit))
    items = [DuplicatePairOut(reason="same_name", key=g.name or g.sk, person_ids=sorted(g.person_ids or ())[:20])
             for g in found.items]
    return Page[DuplicatePairOut](items=items, next_cursor=found.next_cursor)
