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

import contextlib

from pynamodb.exceptions import PutError, TransactWriteError, UpdateError
from pynamodb.expressions.condition import size
from pynamodb.models import BatchWrite

from skailan.crm.events import build, emit_many
from skailan.crm.people.models import DuplicatePairOut, PersonOut
from skailan.crm.people.service import to_out
from skailan.crm.store.items import (
    BusinessLinkItem,
    ContactsItem,
    DupKeyItem,
    DuplicateGroupItem,
    FacetItem,
    PersonItem,
    TimelineItem,
    dups_pk,
    person_pk,
)
from skailan.crm.store.person_reads import find_person, load_person
from skailan.crm.store.person_writes import PersonWrite, derive, facet_item, touch, unindex, write_together
from skailan.crm.store.timeline_items import timeline_item
from skailan.crm.store.transact import TransactionFailed
from skailan.crm.values.text import fold, name_tokens
from skailan.crm.values.types import Page
from skailan.platform.auth import Caller
from skailan.platform.clock import iso
from skailan.platform.errors import Conflict, NotFound, Unprocessable
from skailan.platform.i18n import both
from skailan.platform.pagination import clamp_limit, decode_cursor, encode_cursor
from skailan.platform.storage import transaction

MAX_GROUP = 200


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
    _move_partition(tenant_id, other_id, keep)
    emit_many([
        build(tenant_id, "contact.merged", caller=caller, entity_type="contact", entity_id=keep_id,
              data={"kept_id": keep_id, "merged_id": other_id}),
        build(tenant_id, "contact.updated", caller=caller, entity_type="contact", entity_id=keep_id,
              data={"changed": ["merged"]}),
    ])
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


def _move_partition(tenant_id: str, other_id: str, keep: PersonItem) -> None:
    """Move timeline entries, list memberships and business links of `other` to `keep` (idempotent)."""
    from skailan.crm.audiences.lists import remove_membership

    other_pk = person_pk(tenant_id, other_id)
    for item in ContactsItem.query(other_pk):
        if isinstance(item, TimelineItem):
            copy = TimelineItem(keep.pk, item.sk, **_attrs(item, exclude={"pk", "sk", "person_id"}),
                                person_id=keep.person_id)
            copy.save()
            item.delete()
        elif isinstance(item, FacetItem) and item.facet == "list":
            moved = facet_item(tenant_id, keep, "list", item.value)
            try:
                with transaction() as tx:
                    tx.save(moved, condition=FacetItem.pk.does_not_exist())
                    tx.delete(FacetItem(item.pk, item.sk), condition=FacetItem.pk.exists())
            except TransactWriteError:
                remove_membership(tenant_id, item)  # keep is already in the list: count it once
        elif isinstance(item, FacetItem):
            remove_membership(tenant_id, item)  # segments: the worker re-evaluates the kept person
    for link in BusinessLinkItem.gsi2.query(f"T#{tenant_id}#P#{other_id}#BIZ"):
        moved_link = BusinessLinkItem(link.pk, f"PERSON#{keep.person_id}", tenant_id=tenant_id,
                                      business_id=link.business_id, person_id=keep.person_id, role=link.role,
                                      gsi2pk=f"T#{tenant_id}#P#{keep.person_id}#BIZ", gsi2sk=link.business_id,
                                      created_at=link.created_at)
        with contextlib.suppress(PutError):  # already linked: the kept person's role stays
            moved_link.save(condition=BusinessLinkItem.pk.does_not_exist())
        link.delete()


def _attrs(item: ContactsItem, *, exclude: set[str]) -> dict:
    return {name: getattr(item, name) for name in item.get_attributes()
            if name not in exclude | {"kind"} and getattr(item, name) is not None}


# ---------------------------------------------------------------- duplicates


def duplicate_key(name: str) -> str | None:
    tokens = name_tokens(name)
    return " ".join(tokens)[:200] if len(tokens) >= 2 else None




def refresh_duplicates(tenant_id: str, person_id: str) -> None:
    """Worker side: count the person in the group of their current name (or in none)."""
    person = find_person(tenant_id, person_id, consistent=True)
    try:
        current = DupKeyItem.get(person_pk(tenant_id, person_id), "DUPKEY", consistent_read=True).name
    except DupKeyItem.DoesNotExist:
        current = None
    _refresh_duplicates(tenant_id, person_id, person, current)


def refresh_duplicates_of(tenant_id: str, people: dict[str, PersonItem | None]) -> None:
    """`refresh_duplicates` for a batch (an import's people, read together by the caller): their
    current keys come in strongly consistent BatchGets, 100 a request."""
    keys = [(person_pk(tenant_id, p), "DUPKEY") for p in people]
    current = {i.pk: i.name for i in DupKeyItem.batch_get(keys, consistent_read=True)} if keys else {}
    # The people's keys are written 25 a request once every group has changed: a redelivery
    # after a crash in between finds the old keys and repeats the (idempotent) set changes.
    with DupKeyItem.batch_write() as keys_batch:
        for person_id, person in people.items():
            _refresh_duplicates(tenant_id, person_id, person, current.get(person_pk(tenant_id, person_id)), keys_batch)


def _refresh_duplicates(tenant_id: str, person_id: str, person: PersonItem | None, current: str | None,
                        keys_batch: BatchWrite[DupKeyItem] | None = None) -> None:
    active = person is not None and not person.deleted_at and not person.merged_into
    desired = duplicate_key(person.name) if active and person is not None else None
    if desired == current:
        return
    if current:
        _group_change(tenant_id, current, person_id, add=False)
    if desired:
        _group_change(tenant_id, desired, person_id, add=True)
    key = DupKeyItem(person_pk(tenant_id, person_id), "DUPKEY")
    if desired:
        key.name = desired
    if keys_batch is not None:
        (keys_batch.save if desired else keys_batch.delete)(key)
    elif desired:
        key.save()
    else:
        key.delete()


def _group_change(tenant_id: str, key: str, person_id: str, *, add: bool) -> None:
    group = DuplicateGroupItem(dups_pk(tenant_id), key)
    try:
        if add:
            group.update(actions=[DuplicateGroupItem.person_ids.add({person_id}),
                                  DuplicateGroupItem.kind.set(DuplicateGroupItem),
                                  DuplicateGroupItem.tenant_id.set(tenant_id),
                                  DuplicateGroupItem.name.set(key)],
                         condition=DuplicateGroupItem.person_ids.does_not_exist()
                         | (size(DuplicateGroupItem.person_ids) < MAX_GROUP))
        else:
            group.update(actions=[DuplicateGroupItem.person_ids.delete({person_id})],
                         condition=DuplicateGroupItem.pk.exists())
    except UpdateError:
        return  # a huge group stops growing; a missing one has nothing to remove
    members = len(group.person_ids or ())
    if members >= 2:
        group.update(actions=[DuplicateGroupItem.gsi1pk.set(f"T#{tenant_id}#DUPGROUPS"),
                              DuplicateGroupItem.gsi1sk.set(key)])
    elif members == 0:
        group.delete()
    else:
        group.update(actions=[DuplicateGroupItem.gsi1pk.remove(), DuplicateGroupItem.gsi1sk.remove()])


def list_duplicates(tenant_id: str, *, cursor: str | None, limit: int | None) -> Page[DuplicatePairOut]:
    partition = f"T#{tenant_id}#DUPGROUPS"
    results = DuplicateGroupItem.gsi1.query(partition, limit=clamp_limit(limit),
                                            last_evaluated_key=decode_cursor(cursor, partition_attr="gsi1pk",
                                                                             partition_value=partition))
    items = [DuplicatePairOut(reason="same_name", key=g.name or g.sk, person_ids=sorted(g.person_ids or ())[:20])
             for g in results]
    return Page[DuplicatePairOut](items=items, next_cursor=encode_cursor(results.last_evaluated_key))
