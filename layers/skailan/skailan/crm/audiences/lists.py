"""Static lists: named sets of people, changed by hand (or by imports), with a kept count.

A membership is a facet item `F#list#<list id>` in the person's partition (gsi1
`T#<t>#F#list#<id>`), so a list's members are one Query and a person's lists come with their
partition (merge and delete move or drop them). The count is kept by `ADD` in the same
transaction as the membership items; members are added in chunks of 49 people per
transaction (membership + timeline entry each, plus the count).
"""

from __future__ import annotations

from collections.abc import Iterator

from skailan.crm.audiences.models import ListIn, ListOut, ListUpdateIn, MembersResultOut
from skailan.crm.events import emit
from skailan.crm.store.items import (
    LIST,
    FacetItem,
    ListItem,
    facet_index_pk,
    facet_member_sk,
    facet_sk,
    lists_pk,
    person_pk,
)
from skailan.crm.store.person_reads import batch_people, load_person
from skailan.crm.store.timeline_items import timeline_item
from skailan.crm.store.transact import TransactionFailed
from skailan.crm.values.types import Page
from skailan.platform.auth import Caller
from skailan.platform.clock import iso
from skailan.platform.errors import NotFound
from skailan.platform.i18n import both
from skailan.platform.ids import new_id
from skailan.platform.pagination import clamp_limit, decode_cursor, encode_cursor
from skailan.platform.storage import transaction

CHUNK = 49


def _out(item: ListItem) -> ListOut:
    return ListOut(id=item.list_id, name=item.name, description=item.description, count=max(int(item.count or 0), 0),
                   created_at=item.created_at)


def create_list(caller: Caller | None, tenant_id: str, data: ListIn) -> ListOut:
    list_id = new_id().lower()
    now = iso()
    item = ListItem(lists_pk(tenant_id), LIST + list_id, tenant_id=tenant_id, list_id=list_id, name=data.name,
                    description=data.description, count=0, created_at=now, updated_at=now)
    item.save(condition=ListItem.pk.does_not_exist())
    emit(tenant_id, "list.created", caller=caller, entity_type="list", entity_id=list_id, data={"name": data.name})
    return _out(item)


def load_list(tenant_id: str, list_id: str) -> ListItem:
    try:
        return ListItem.get(lists_pk(tenant_id), LIST + list_id)
    except ListItem.DoesNotExist as err:
        raise NotFound(both("Lista no encontrada", "List not found"), code="list_not_found") from err


def get_list(tenant_id: str, list_id: str) -> ListOut:
    return _out(load_list(tenant_id, list_id))


def list_lists(tenant_id: str, *, cursor: str | None, limit: int | None) -> Page[ListOut]:
    pk = lists_pk(tenant_id)
    results = ListItem.query(pk, ListItem.sk.startswith(LIST), limit=clamp_limit(limit), scan_index_forward=False,
                             last_evaluated_key=decode_cursor(cursor, partition_attr="pk", partition_value=pk))
    return Page[ListOut](items=[_out(i) for i in results], next_cursor=encode_cursor(results.last_evaluated_key))


def person_lists(tenant_id: str, person_id: str) -> list[ListOut]:
    """The lists a person belongs to: one Query on the person's partition + one BatchGet (the person panel)."""

    load_person(tenant_id, person_id)  # 404 for a missing person or another brand's id
    list_ids = [f.value for f in FacetItem.query(person_pk(tenant_id, person_id), FacetItem.sk.startswith(facet_sk("list", "")))]
    if not list_ids:
        return []
    found = {i.list_id: i for i in ListItem.batch_get([(lists_pk(tenant_id), LIST + lid) for lid in list_ids])}
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
        keys = [(lists_pk(tenant_id), LIST + lid) for lid in dict.fromkeys(v for ids in held.values() for v in ids)]
        brand = list(ListItem.batch_get(keys)) if keys else []
    else:
        brand = list(ListItem.query(lists_pk(tenant_id), ListItem.sk.startswith(LIST)))
        held = _memberships_in(tenant_id, wanted, [i.list_id for i in brand])
    rank = {i.list_id: n for n, i in enumerate(sorted(brand, key=lambda i: (i.name.casefold(), i.list_id)))}
    return {p: sorted((v for v in held[p] if v in rank), key=rank.__getitem__) for p in wanted}


def _list_facets(tenant_id: str, person_id: str) -> list[str]:
    return [f.value for f in FacetItem.query(person_pk(tenant_id, person_id), FacetItem.sk.startswith(facet_sk("list", "")))]


def _memberships_in(tenant_id: str, people: list[str], list_ids: list[str]) -> dict[str, list[str]]:
    """Whichever takes fewer requests: one Query per person, or BatchGets of every (person, list)
    membership item, 100 keys a request (a brand has a few lists, an event up to 100 people)."""
    if not list_ids:
        return {p: [] for p in people}
    if -(-len(people) * len(list_ids) // 100) >= len(people):
        return {p: _list_facets(tenant_id, p) for p in people}
    held: dict[str, list[str]] = {p: [] for p in people}
    for facet in FacetItem.batch_get([(person_pk(tenant_id, p), facet_sk("list", lid)) for p in people for lid in list_ids]):
        held[facet.person_id].append(facet.value)
    return held


def update_list(caller: Caller, list_id: str, data: ListUpdateIn) -> ListOut:
    item = load_list(caller.tenant_id, list_id)
    patch = {k: v for k, v in data.model_dump(exclude_unset=True).items() if k == "description" or v is not None}
    actions = [getattr(ListItem, k).set(v) if v is not None else getattr(ListItem, k).remove()
               for k, v in patch.items()]
    item.update(actions=[*actions, ListItem.updated_at.set(iso())])
    emit(caller.tenant_id, "list.updated", caller=caller, entity_type="list", entity_id=list_id,
         data={"changed": sorted(patch)})
    return _out(item)


def delete_list(caller: Caller, list_id: str) -> None:
    """The list goes now; its membership items are dropped by the segments worker (`list.deleted`)."""
    item = load_list(caller.tenant_id, list_id)
    item.delete()
    emit(caller.tenant_id, "list.deleted", caller=caller, entity_type="list", entity_id=list_id,
         data={"name": item.name})


def drop_members_of(tenant_id: str, facet: str, value: str) -> int:
    """Delete every membership item of a deleted list or segment (worker side; paginated Query)."""
    dropped = 0
    with FacetItem.batch_write() as batch:
        for member in FacetItem.gsi1.query(facet_index_pk(tenant_id, facet, value)):
            batch.delete(FacetItem(member.pk, member.sk))
            dropped += 1
    return dropped


def member_ids(tenant_id: str, facet: str, value: str) -> Iterator[str]:
    """Person ids of a list's or segment's members (`facet` "list" | "segment"): a paged Query."""
    for member in FacetItem.gsi1.query(facet_index_pk(tenant_id, facet, value)):
        yield member.person_id


def _membership(tenant_id: str, list_id: str, person_id: str, created_at: str | None) -> FacetItem:
    return FacetItem(person_pk(tenant_id, person_id), facet_sk("list", list_id), tenant_id=tenant_id, person_id=person_id,
                     facet="list", value=list_id, gsi1pk=facet_index_pk(tenant_id, "list", list_id),
                     gsi1sk=facet_member_sk(created_at, person_id), created_at=created_at)


def add_members(caller: Caller | None, tenant_id: str, list_id: str, person_ids: list[str], *,
                timeline: bool = True) -> MembersResultOut:

    item = load_list(tenant_id, list_id)
    wanted = list(dict.fromkeys(person_ids))
    people = batch_people(tenant_id, wanted)
    active = [p for p in wanted if p in people and not people[p].deleted_at and not people[p].merged_into]
    not_found = [p for p in wanted if p not in active]
    existing = {f.person_id for f in FacetItem.batch_get([(person_pk(tenant_id, p), facet_sk("list", list_id))
                                                          for p in active])} if active else set()
    new = [p for p in active if p not in existing]
    changed = 0
    for start in range(0, len(new), CHUNK):
        chunk = new[start:start + CHUNK]
        try:
            with transaction() as tx:
                for pid in chunk:
                    tx.save(_membership(tenant_id, list_id, pid, people[pid].created_at),
                            condition=FacetItem.pk.does_not_exist())
                    if timeline:
                        tx.save(timeline_item(tenant_id, pid, "list_added", item.name,
                                              ref={"type": "list", "id": list_id}))
                tx.update(ListItem(item.pk, item.sk), actions=[ListItem.count.add(len(chunk))],
                          condition=ListItem.pk.exists())
            changed += len(chunk)
        except TransactionFailed:
            changed += sum(_add_one(tenant_id, item, pid, people[pid].created_at) for pid in chunk)
    if changed:
        emit(tenant_id, "list.members_added", caller=caller, entity_type="list", entity_id=list_id,
             data={"person_ids": new[:100], "count": changed})
    return MembersResultOut(changed=changed, unchanged=len(active) - changed, not_found=not_found)


def _add_one(tenant_id: str, item: ListItem, person_id: str, created_at: str | None) -> int:
    try:
        with transaction() as tx:
            tx.save(_membership(tenant_id, item.list_id, person_id, created_at), condition=FacetItem.pk.does_not_exist())
            tx.update(ListItem(item.pk, item.sk), actions=[ListItem.count.add(1)], condition=ListItem.pk.exists())
    except TransactionFailed:
        return 0
    return 1


def remove_members(caller: Caller, list_id: str, person_ids: list[str]) -> MembersResultOut:

    tenant_id = caller.tenant_id
    item = load_list(tenant_id, list_id)
    wanted = list(dict.fromkeys(person_ids))
    existing = {f.person_id: f for f in FacetItem.batch_get([(person_pk(tenant_id, p), facet_sk("list", list_id))
                                                             for p in wanted])}
    changed = 0
    for pid in wanted:
        if pid not in existing:
            continue
        try:
            with transaction() as tx:
                tx.delete(FacetItem(person_pk(tenant_id, pid), facet_sk("list", list_id)), condition=FacetItem.pk.exists())
                tx.update(ListItem(item.pk, item.sk), actions=[ListItem.count.add(-1)], condition=ListItem.pk.exists())
                tx.save(timeline_item(tenant_id, pid, "list_removed", item.name, ref={"type": "list", "id": list_id}))
            changed += 1
        except TransactionFailed:
            continue
    if changed:
        emit(tenant_id, "list.members_removed", caller=caller, entity_type="list", entity_id=list_id,
             data={"person_ids": [p for p in wanted if p in existing][:100], "count": changed})
    not_found = [p for p in wanted if p not in existing]
    return MembersResultOut(changed=changed, unchanged=len(wanted) - changed - len(not_found), not_found=not_found)


