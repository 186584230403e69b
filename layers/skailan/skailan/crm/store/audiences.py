"""Lists, segments and exports as stored items, and the membership facets of lists and segments:
`F#list#<id>` / `F#segment#<id>` in the person's partition (gsi1 `T#<t>#F#<facet>#<id>`), written
with their list's or segment's count in one transaction (see items.py for the key layout). The
writes of lists, segments and exports take their domain events (`events=`) in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from skailan.crm.store import records
from skailan.crm.store.items import (
    EXPORT,
    LIST,
    SEG,
    SEGMENT_REFRESH_SHARDS,
    ExportItem,
    FacetItem,
    ListItem,
    PersonItem,
    SegmentItem,
    exports_pk,
    facet_index_pk,
    facet_member_sk,
    facet_sk,
    lists_pk,
    people_index_pk,
    person_pk,
    segment_refresh_due,
    segment_refresh_pk,
    segment_refresh_shard_pk,
    segment_refresh_sk,
    segment_refreshes_due_by,
    segments_pk,
)
from skailan.crm.store.memberships import remove_membership
from skailan.crm.store.timeline_items import timeline_item
from skailan.crm.store.transact import TransactionFailed, update_if
from skailan.platform.clock import iso
from skailan.platform.events import DomainEvent
from skailan.platform.storage import transaction

SEGMENT_FACET = "segment"

# ---------------------------------------------------------------- lists


def new_list(tenant_id: str, list_id: str, name: str, description: str | None, now: str, *,
             events: Sequence[DomainEvent] = ()) -> ListItem:
    return records.put_new(ListItem(lists_pk(tenant_id), LIST + list_id, tenant_id=tenant_id, list_id=list_id,
                                    name=name, description=description, count=0, created_at=now, updated_at=now),
                           events=events)


def find_list(tenant_id: str, list_id: str) -> ListItem | None:
    return records.find(ListItem, lists_pk(tenant_id), LIST + list_id)


def lists_page(tenant_id: str, *, cursor: str | None, limit: int | None) -> records.Found[ListItem]:
    return records.page(ListItem, lists_pk(tenant_id), LIST, cursor=cursor, limit=limit, newest_first=True)


def brand_lists(tenant_id: str) -> list[ListItem]:
    return records.everything(ListItem, lists_pk(tenant_id), LIST)


def lists_by_id(tenant_id: str, list_ids: Iterable[str]) -> list[ListItem]:
    return records.batch(ListItem, [(lists_pk(tenant_id), LIST + lid) for lid in list_ids])


def set_list_fields(item: ListItem, changes: Mapping[str, Any], *, events: Sequence[DomainEvent] = ()) -> None:
    records.set_fields(item, changes, events=events)


def delete_list(item: ListItem, *, events: Sequence[DomainEvent] = ()) -> None:
    records.remove(item, events=events)


def person_list_ids(tenant_id: str, person_id: str) -> list[str]:
    """The ids of the lists the person is in: one Query on the person's partition."""
    return [f.value for f in FacetItem.query(person_pk(tenant_id, person_id), FacetItem.sk.startswith(facet_sk("list", "")))]


def is_list_member(tenant_id: str, person_id: str, list_id: str) -> bool:
    """One GetItem on the membership."""
    return records.find(FacetItem, person_pk(tenant_id, person_id), facet_sk("list", list_id)) is not None


def held_memberships(tenant_id: str, facet: str, pairs: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    """Of the (person, list or segment id) pairs, those that are memberships: person → ids (BatchGets)."""
    held: dict[str, list[str]] = {}
    for item in records.batch(FacetItem, [(person_pk(tenant_id, p), facet_sk(facet, v)) for p, v in pairs]):
        held.setdefault(item.person_id, []).append(item.value)
    return held


def _list_membership(tenant_id: str, list_id: str, person_id: str, created_at: str | None) -> FacetItem:
    return FacetItem(person_pk(tenant_id, person_id), facet_sk("list", list_id), tenant_id=tenant_id, person_id=person_id,
                     facet="list", value=list_id, gsi1pk=facet_index_pk(tenant_id, "list", list_id),
                     gsi1sk=facet_member_sk(created_at, person_id), created_at=created_at)


def join_list(tenant_id: str, item: ListItem, joining: Mapping[str, str | None], *, timeline: bool) -> bool:
    """Add the people (id → their created_at) to the list and its count in one transaction, each
    with a timeline entry when `timeline`; False (nothing written) when one is already in or the
    list is gone."""
    try:
        with transaction() as tx:
            for pid, created_at in joining.items():
                tx.save(_list_membership(tenant_id, item.list_id, pid, created_at),
                        condition=FacetItem.pk.does_not_exist())
                if timeline:
                    tx.save(timeline_item(tenant_id, pid, "list_added", item.name,
                                          ref={"type": "list", "id": item.list_id}))
            tx.update(ListItem(item.pk, item.sk), actions=[ListItem.count.add(len(joining))],
                      condition=ListItem.pk.exists())
    except TransactionFailed:
        return False
    return True


def leave_list(tenant_id: str, item: ListItem, person_id: str) -> bool:
    """Drop one membership, its count and a timeline entry together; False when it was not there."""
    try:
        with transaction() as tx:
            tx.delete(FacetItem(person_pk(tenant_id, person_id), facet_sk("list", item.list_id)),
                      condition=FacetItem.pk.exists())
            tx.update(ListItem(item.pk, item.sk), actions=[ListItem.count.add(-1)], condition=ListItem.pk.exists())
            tx.save(timeline_item(tenant_id, person_id, "list_removed", item.name,
                                  ref={"type": "list", "id": item.list_id}))
    except TransactionFailed:
        return False
    return True


def drop_members(tenant_id: str, facet: str, value: str) -> int:
    """Delete every membership item of a deleted list or segment (paginated Query, batch deletes)."""
    dropped = 0
    with FacetItem.batch_write() as writer:
        for member in FacetItem.gsi1.query(facet_index_pk(tenant_id, facet, value)):
            writer.delete(FacetItem(member.pk, member.sk))
            dropped += 1
    return dropped


def member_ids(tenant_id: str, facet: str, value: str) -> Iterator[str]:
    """Person ids of a list's or segment's members (`facet` "list" | "segment"): a paged Query."""
    for member in FacetItem.gsi1.query(facet_index_pk(tenant_id, facet, value)):
        yield member.person_id


# ---------------------------------------------------------------- segments


def new_segment(tenant_id: str, segment_id: str, *, name: str, description: str | None, rule: dict[str, Any],
                refresh_due: str | None, now: str, events: Sequence[DomainEvent] = ()) -> SegmentItem:
    item = SegmentItem(segments_pk(tenant_id), SEG + segment_id, tenant_id=tenant_id, segment_id=segment_id,
                       name=name, description=description, rule=rule, count=0, status="computing", rule_version=1,
                       created_at=now, updated_at=now)
    _refresh_keys(item, refresh_due)
    return records.put_new(item, events=events)


def _refresh_keys(item: SegmentItem, due: str | None) -> None:
    """On the refresh index (sparse gsi2) while the rule has relative dates (`due` its next refresh)."""
    item.gsi2pk = segment_refresh_pk(item.tenant_id) if due else None
    item.gsi2sk = segment_refresh_sk(due, item.tenant_id, item.segment_id) if due else None


def find_segment(tenant_id: str, segment_id: str, *, consistent: bool = False) -> SegmentItem | None:
    return records.find(SegmentItem, segments_pk(tenant_id), SEG + segment_id, consistent=consistent)


def segments_page(tenant_id: str, *, cursor: str | None, limit: int | None) -> records.Found[SegmentItem]:
    return records.page(SegmentItem, segments_pk(tenant_id), SEG, cursor=cursor, limit=limit, newest_first=True)


def brand_segments(tenant_id: str) -> list[SegmentItem]:
    return records.everything(SegmentItem, segments_pk(tenant_id), SEG)


def change_segment(item: SegmentItem, changes: Mapping[str, Any], *, rule: dict[str, Any] | None = None,
                   refresh_due: str | None = None) -> None:
    """Set name / description (None removes it) and, with a new `rule`, recompute from scratch:
    status computing, rule_version + 1, the refresh index per `refresh_due`. One UpdateItem."""
    actions: list[Any] = [SegmentItem.updated_at.set(changes["updated_at"])]
    actions += [getattr(SegmentItem, k).set(v) if v is not None else getattr(SegmentItem, k).remove()
                for k, v in changes.items() if k != "updated_at"]
    if rule is not None:
        actions += [SegmentItem.rule.set(rule), SegmentItem.status.set("computing"), SegmentItem.rule_version.add(1)]
        _refresh_keys(item, refresh_due)
        if refresh_due:
            actions += [SegmentItem.gsi2pk.set(item.gsi2pk), SegmentItem.gsi2sk.set(item.gsi2sk)]
        else:
            actions += [SegmentItem.gsi2pk.remove(), SegmentItem.gsi2sk.remove()]
    item.update(actions=actions)


def rewrite_segment_rule(item: SegmentItem, rule: dict[str, Any], refresh_due: str | None, now: str, *,
                         events: Sequence[DomainEvent] = ()) -> bool:
    """A rule rewritten by the system (a tag renamed): the same as a saved rule (computing,
    rule_version + 1) with its events, in one transaction, only if the rule is still the one read.
    False, nothing written, when it was saved meanwhile (read again and retry)."""
    _refresh_keys(item, refresh_due)
    actions: list[Any] = [SegmentItem.rule.set(rule), SegmentItem.status.set("computing"),
                          SegmentItem.rule_version.add(1), SegmentItem.updated_at.set(now)]
    if refresh_due:
        actions += [SegmentItem.gsi2pk.set(item.gsi2pk), SegmentItem.gsi2sk.set(item.gsi2sk)]
    else:
        actions += [SegmentItem.gsi2pk.remove(), SegmentItem.gsi2sk.remove()]
    return update_if(item, actions, SegmentItem.rule_version == item.rule_version, events=events)


def delete_segment(item: SegmentItem, *, events: Sequence[DomainEvent] = ()) -> None:
    records.remove(item, events=events)


def refreshes_due(stamp: str) -> Iterator[tuple[SegmentItem, str]]:
    """Segments whose refresh is due at or before `stamp`, with the due time: one Query per shard."""
    for shard in range(SEGMENT_REFRESH_SHARDS):
        for item in SegmentItem.gsi2.query(segment_refresh_shard_pk(shard),
                                           SegmentItem.gsi2sk <= segment_refreshes_due_by(stamp)):
            if isinstance(item, SegmentItem):
                yield item, segment_refresh_due(item.gsi2sk)


def reschedule_refresh(item: SegmentItem, due: str, *, events: Sequence[DomainEvent] = ()) -> bool:
    """Move the segment's refresh to `due` with its events; False, nothing written, when the rule
    was saved meanwhile (its own time)."""
    return update_if(item, [SegmentItem.gsi2sk.set(segment_refresh_sk(due, item.tenant_id, item.segment_id))],
                     SegmentItem.gsi2sk == item.gsi2sk, events=events)


def set_segment_count(item: SegmentItem, count: int) -> bool:
    """The backfill's exact count and `ready`; False when the rule changed since it was read."""
    return update_if(item, [SegmentItem.count.set(count), SegmentItem.status.set("ready")],
                     SegmentItem.rule_version == item.rule_version)


def raw_people_pages(tenant_id: str, attributes: list[str]) -> Iterator[list[dict[str, Any]]]:
    """The people index's pages as raw DynamoDB items with only `attributes` (no model decoding)."""
    connection = PersonItem._get_connection()
    start: dict[str, Any] | None = None
    while True:
        page = connection.query(people_index_pk(tenant_id), index_name="gsi1", exclusive_start_key=start,
                                attributes_to_get=attributes)
        yield page.get("Items", [])
        start = page.get("LastEvaluatedKey")
        if not start:
            return


def person_segment_ids(tenant_id: str, person_id: str) -> set[str]:
    return {f.value for f in FacetItem.query(person_pk(tenant_id, person_id),
                                             FacetItem.sk.startswith(facet_sk(SEGMENT_FACET, "")))}


def _segment_membership(tenant_id: str, segment_id: str, person: PersonItem) -> FacetItem:
    return FacetItem(person.pk, facet_sk(SEGMENT_FACET, segment_id), tenant_id=tenant_id, person_id=person.person_id,
                     facet=SEGMENT_FACET, value=segment_id,
                     gsi1pk=facet_index_pk(tenant_id, SEGMENT_FACET, segment_id),
                     gsi1sk=facet_member_sk(person.created_at, person.person_id), created_at=person.created_at)


def join_segment(tenant_id: str, segment: SegmentItem, person: PersonItem) -> bool:
    """The membership and its count in one transaction; False: already a member, or the segment is gone."""
    try:
        with transaction() as tx:
            tx.save(_segment_membership(tenant_id, segment.segment_id, person), condition=FacetItem.pk.does_not_exist())
            tx.update(SegmentItem(segment.pk, segment.sk), actions=[SegmentItem.count.add(1)],
                      condition=SegmentItem.pk.exists())
    except TransactionFailed:
        return False
    return True


def leave_segment(tenant_id: str, segment_id: str, person_id: str) -> None:
    remove_membership(tenant_id, FacetItem(person_pk(tenant_id, person_id), facet_sk(SEGMENT_FACET, segment_id),
                                           facet=SEGMENT_FACET, value=segment_id))


def segment_member_ids(tenant_id: str, segment_id: str) -> set[str]:
    return set(member_ids(tenant_id, SEGMENT_FACET, segment_id))


def replace_segment_members(tenant_id: str, segment_id: str, matching: Iterable[PersonItem],
                            members: set[str]) -> set[str]:
    """The backfill's writes: a membership for each matching person not yet in, the members who
    no longer match dropped (batch writes; the exact count is set after). Returns who is inside."""
    inside: set[str] = set()
    with FacetItem.batch_write() as writer:
        for person in matching:
            inside.add(person.person_id)
            if person.person_id not in members:
                writer.save(_segment_membership(tenant_id, segment_id, person))
        for gone in members - inside:
            writer.delete(FacetItem(person_pk(tenant_id, gone), facet_sk(SEGMENT_FACET, segment_id)))
    return inside


# ---------------------------------------------------------------- exports


def new_export(tenant_id: str, export_id: str, *, filters: dict[str, Any], requested_by: str | None,
               now: datetime, expires: datetime, events: Sequence[DomainEvent] = ()) -> ExportItem:
    return records.put_new(ExportItem(exports_pk(tenant_id), EXPORT + export_id, tenant_id=tenant_id,
                                      export_id=export_id, status="pending", filters=filters,
                                      requested_by=requested_by, created_at=iso(now), updated_at=iso(now), ttl=expires),
                           events=events)


def find_export(tenant_id: str, export_id: str) -> ExportItem | None:
    return records.find(ExportItem, exports_pk(tenant_id), EXPORT + export_id)


def set_export_fields(item: ExportItem, changes: Mapping[str, Any]) -> None:
    records.set_fields(item, changes)
