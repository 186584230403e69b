"""Static lists: named sets of people, changed by hand (or by imports), with a kept count.

A membership is a facet item `F#list#<list id>` in the person's partition (gsi1
`T#<t>#F#list#<id>`), so a list's members are one Query and a person's lists come with their
partition (merge and delete move or drop them). The count is kept by `ADD` in the same
transaction as the membership items; members are added in chunks of 49 people per
transaction (membership + timeline entry each, plus the count). A list's create, edit and
delete take their events in the same transaction; a members change, many transactions, is told
by one event written after them.
"""

from __future__ import annotations

from collections.abc import Iterator

from skailan.crm.audiences.models import ListIn, ListOut, ListUpdateIn, MembersResultOut
from skailan.crm.events import build
from skailan.crm.references import existing
from skailan.crm.store import audiences as store
from skailan.crm.store.items import ListItem
from skailan.crm.store.person_reads import batch_people, load_person
from skailan.crm.store.transact import outbox_table
from skailan.crm.values.types import Page
from skailan.platform import outbox
from skailan.platform.auth import Caller
from skailan.platform.clock import iso
from skailan.platform.ids import new_id

CHUNK = 49


def _out(item: ListItem) -> ListOut:
    return ListOut(id=item.list_id, name=item.name, description=item.description, count=max(int(item.count or 0), 0),
                   created_at=item.created_at)


def create_list(caller: Caller | None, tenant_id: str, data: ListIn) -> ListOut:
    list_id = new_id().lower()
    item = store.new_list(tenant_id, list_id, data.name, data.description, iso(), events=[
        build(tenant_id, "list.created", caller=caller, entity_type="list", entity_id=list_id,
              data={"name": data.name})])
    return _out(item)


def load_list(tenant_id: str, list_id: str) -> ListItem:
    return existing(store.find_list(tenant_id, list_id), "Lista no encontrada", "List not found", "list_not_found")


def get_list(tenant_id: str, list_id: str) -> ListOut:
    return _out(load_list(tenant_id, list_id))


def list_lists(tenant_id: str, *, cursor: str | None, limit: int | None) -> Page[ListOut]:
    found = store.lists_page(tenant_id, cursor=cursor, limit=limit)
    return Page[ListOut](items=[_out(i) for i in found.items], next_cursor=found.next_cursor)


def person_lists(tenant_id: str, person_id: str) -> list[ListOut]:
    """The lists a person belongs to: one Query on the person's partition + one BatchGet (the person panel)."""

    load_person(tenant_id, person_id)  # 404 for a missing person or another brand's id
    list_ids = store.person_list_ids(tenant_id, person_id)
    if not list_ids:
        return []
    found = {i.list_id: i for i in store.lists_by_id(tenant_id, list_ids)}
    return sorted((_out(found[lid]) for lid in list_ids if lid in found), key=lambda o: o.name.casefold())


def lists_of_people(tenant_id: str, person_ids: list[str]) -> dict[str, list[str]]:
    """The ids of the existing lists each person is in (ordered by list name), for many people at
    once (the leads worker mirrors 50–100 per import or list event) in a few requests, whatever
    the brand's size. No person is checked here."""
    wanted = list(dict.fromkeys(person_ids))
    if not wanted:
        return {}
    if len(wanted) <= 2:  # one person's event: their memberships, then only those lists
        held = {p: _list_facets(tenant_id, p) for p in wanted}
        brand = store.lists_by_id(tenant_id, dict.fromkeys(v for ids in held.values() for v in ids))
    else:
        brand = store.brand_lists(tenant_id)
        held = _memberships_in(tenant_id, wanted, [i.list_id for i in brand])
    rank = {i.list_id: n for n, i in enumerate(sorted(brand, key=lambda i: (i.name.casefold(), i.list_id)))}
    return {p: sorted((v for v in held[p] if v in rank), key=rank.__getitem__) for p in wanted}


def _list_facets(tenant_id: str, person_id: str) -> list[str]:
    return store.person_list_ids(tenant_id, person_id)


def _memberships_in(tenant_id: str, people: list[str], list_ids: list[str]) -> dict[str, list[str]]:
    """Whichever takes fewer requests: one Query per person, or BatchGets of every (person, list)
    membership item, 100 keys a request (a brand has a few lists, an event up to 100 people)."""
    if not list_ids:
        return {p: [] for p in people}
    if -(-len(people) * len(list_ids) // 100) >= len(people):
        return {p: _list_facets(tenant_id, p) for p in people}
    held = store.held_memberships(tenant_id, "list", [(p, lid) for p in people for lid in list_ids])
    return {p: held.get(p, []) for p in people}


def update_list(caller: Caller, list_id: str, data: ListUpdateIn) -> ListOut:
    item = load_list(caller.tenant_id, list_id)
    patch = {k: v for k, v in data.model_dump(exclude_unset=True).items() if k == "description" or v is not None}
    store.set_list_fields(item, {**patch, "updated_at": iso()}, events=[
        build(caller.tenant_id, "list.updated", caller=caller, entity_type="list", entity_id=list_id,
              data={"changed": sorted(patch)})])
    return _out(item)


def delete_list(caller: Caller, list_id: str) -> None:
    """The list goes now; its membership items are dropped by the segments worker (`list.deleted`)."""
    item = load_list(caller.tenant_id, list_id)
    store.delete_list(item, events=[build(caller.tenant_id, "list.deleted", caller=caller, entity_type="list",
                                          entity_id=list_id, data={"name": item.name})])


def drop_members_of(tenant_id: str, facet: str, value: str) -> int:
    """Delete every membership item of a deleted list or segment (worker side; paginated Query)."""
    return store.drop_members(tenant_id, facet, value)


def member_ids(tenant_id: str, facet: str, value: str) -> Iterator[str]:
    """Person ids of a list's or segment's members (`facet` "list" | "segment"): a paged Query."""
    return store.member_ids(tenant_id, facet, value)


def add_members(caller: Caller | None, tenant_id: str, list_id: str, person_ids: list[str], *,
                timeline: bool = True) -> MembersResultOut:

    item = load_list(tenant_id, list_id)
    wanted = list(dict.fromkeys(person_ids))
    people = batch_people(tenant_id, wanted)
    active = [p for p in wanted if p in people and not people[p].deleted_at and not people[p].merged_into]
    not_found = [p for p in wanted if p not in active]
    held = store.held_memberships(tenant_id, "list", [(p, list_id) for p in active])
    new = [p for p in active if p not in held]
    changed = 0
    for start in range(0, len(new), CHUNK):
        chunk = new[start:start + CHUNK]
        if store.join_list(tenant_id, item, {pid: people[pid].created_at for pid in chunk}, timeline=timeline):
            changed += len(chunk)
        else:  # one of them joined meanwhile (or the list went): one by one, without timeline entries
            changed += sum(store.join_list(tenant_id, item, {pid: people[pid].created_at}, timeline=False)
                           for pid in chunk)
    if changed:  # one event for the chunks' transactions: written after them
        outbox.write([build(tenant_id, "list.members_added", caller=caller, entity_type="list", entity_id=list_id,
                            data={"person_ids": new[:100], "count": changed})], outbox_table())
    return MembersResultOut(changed=changed, unchanged=len(active) - changed, not_found=not_found)


def remove_members(caller: Caller, list_id: str, person_ids: list[str]) -> MembersResultOut:

    tenant_id = caller.tenant_id
    item = load_list(tenant_id, list_id)
    wanted = list(dict.fromkeys(person_ids))
    members = store.held_memberships(tenant_id, "list", [(p, list_id) for p in wanted])
    changed = sum(store.leave_list(tenant_id, item, pid) for pid in wanted if pid in members)
    if changed:  # one event for one transaction per person: written after them
        outbox.write([build(tenant_id, "list.members_removed", caller=caller, entity_type="list",
                            entity_id=list_id, data={"person_ids": [p for p in wanted if p in members][:100],
                                                     "count": changed})], outbox_table())
    not_found = [p for p in wanted if p not in members]
    return MembersResultOut(changed=changed, unchanged=len(wanted) - changed - len(not_found), not_found=not_found)


