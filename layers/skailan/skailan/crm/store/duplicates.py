"""The duplicates index: people who share a folded full name (identities are unique, so a
name is what suggests a merge). One group item per name (`T#<t>#DUPS`, a set of person ids) is on
the sparse gsi1 `T#<t>#DUPGROUPS` while it has two or more people; each person's side (`DUPKEY`)
says which group it is counted in. Kept by the segments worker; names of one word are not grouped.
"""

from __future__ import annotations

from pynamodb.exceptions import UpdateError
from pynamodb.expressions.condition import size
from pynamodb.models import BatchWrite

from skailan.crm.store import records
from skailan.crm.store.items import DupKeyItem, DuplicateGroupItem, PersonItem, dups_pk, person_pk
from skailan.crm.store.person_reads import find_person
from skailan.crm.values.text import name_tokens

MAX_GROUP = 200


def duplicate_groups_pk(tenant_id: str) -> str:
    return f"T#{tenant_id}#DUPGROUPS"


def duplicate_groups(tenant_id: str, *, cursor: str | None, limit: int) -> records.Found[DuplicateGroupItem]:
    """The brand's groups of two or more people (one Query on the sparse index)."""
    return records.index_page(DuplicateGroupItem, 1, duplicate_groups_pk(tenant_id), None, cursor=cursor, limit=limit)


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
        group.update(actions=[DuplicateGroupItem.gsi1pk.set(duplicate_groups_pk(tenant_id)),
                              DuplicateGroupItem.gsi1sk.set(key)])
    elif members == 0:
        group.delete()
    else:
        group.update(actions=[DuplicateGroupItem.gsi1pk.remove(), DuplicateGroupItem.gsi1sk.remove()])
