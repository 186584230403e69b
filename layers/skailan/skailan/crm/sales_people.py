"""Writing people for imports and forms: the same items as `people.write_person`, many people
per TransactWrite, one shared connection.

`people.write_person` applies one person per transaction and opens a new pynamodb
`Connection` (a new botocore client, ~50 ms) each call — right for an API request, too slow
for an import of 100 000 rows. `commit` takes many `PersonWrite`s (a create or an update,
as `before` derived state → `after` item), turns each into exactly the operations
`write_person` would send (person put, identity claims with `attribute_not_exists`, name
keys, facets, tag counters by ADD) and packs whole people into transactions of at most
100 items: ~10 people per request. If a packed transaction is cancelled (an identity
claimed meanwhile, a concurrent edit) the people of that pack are retried one by one, and
those that still fail come back to the caller with the reason. Nothing is half-written: a
person and everything it implies are always in the same transaction.

Keep `_operations` in step with `people.write_person` (same items, same conditions).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from skailan.crm.items import (
    IDENTITY_SK,
    ContactsItem,
    FacetItem,
    IdentityItem,
    ListItem,
    NameKeyItem,
    PersonItem,
    TagItem,
    facet_index_pk,
    identity_pk,
    name_index_pk,
)
from skailan.crm.people import Derived, Identity, derive, only_conflicts
from skailan.platform.clock import iso
from skailan.platform.storage import transaction

if TYPE_CHECKING:
    from collections.abc import Iterable

MAX_ITEMS = 100  # DynamoDB's TransactWriteItems limit
CONFLICT_RETRIES = 3


@dataclass
class PersonWrite:
    """One person to write: `before` is None to create, else the derived state it was read with."""

    after: PersonItem
    before: Derived | None = None
    extra: list[ContactsItem] = field(default_factory=list)  # timeline entries, memberships…
    updates: list[tuple[ContactsItem, list[Any]]] = field(default_factory=list)  # counters (ADD) on other items
    list_id: str | None = None  # a new membership in this list: the list's count goes up by one
    token: Any = None  # the caller's own reference (import candidates, a form submission…)
    failure: str | None = None  # after `commit`: identity_taken | concurrent_update | list_missing
    taken: list[Identity] = field(default_factory=list)  # identities someone else holds


@dataclass
class _Ops:
    saves: list[tuple[ContactsItem, Any]] = field(default_factory=list)
    deletes: list[tuple[ContactsItem, Any]] = field(default_factory=list)
    updates: list[tuple[ContactsItem, list[Any]]] = field(default_factory=list)
    tags: dict[str, tuple[int, str]] = field(default_factory=dict)  # tag key → (delta, spelling)
    claimed: list[Identity] = field(default_factory=list)
    people: int = 0  # change in the brand's live-people count (+1 create, -1 delete)

    @property
    def size(self) -> int:
        return len(self.saves) + len(self.deletes) + len(self.updates)


def facet_item(tenant_id: str, person: PersonItem, facet: str, value: str) -> FacetItem:
    """A facet (or list membership) item, shaped like `people._facet_item` / `lists._membership`."""
    return FacetItem(person.pk, f"F#{facet}#{value}", tenant_id=tenant_id, person_id=person.person_id, facet=facet,
                     value=value, gsi1pk=facet_index_pk(tenant_id, facet, value),
                     gsi1sk=f"{person.created_at}#{person.person_id}", created_at=person.created_at)


def _operations(tenant_id: str, write: PersonWrite) -> _Ops:
    old = write.before or Derived()
    after = write.after
    new = derive(after)
    pid = after.person_id
    ops = _Ops()
    ops.saves.append((after, PersonItem.pk.does_not_exist() if write.before is None else None))
    for key in new.identities.keys() - old.identities.keys():
        ident = new.identities[key]
        ops.claimed.append(ident)
        ops.saves.append((IdentityItem(identity_pk(tenant_id, ident.kind, ident.key), IDENTITY_SK,
                                       tenant_id=tenant_id, person_id=pid, identity_kind=ident.kind,
                                       value=ident.value, created_at=iso()),
                          IdentityItem.pk.does_not_exist()))
    for key in old.identities.keys() - new.identities.keys():
        ident = old.identities[key]
        ops.deletes.append((IdentityItem(identity_pk(tenant_id, ident.kind, ident.key), IDENTITY_SK),
                            IdentityItem.person_id == pid))
    for name_key in new.names - old.names:
        ops.saves.append((NameKeyItem(after.pk, f"N#{name_key}", tenant_id=tenant_id, person_id=pid,
                                      gsi1pk=name_index_pk(tenant_id), gsi1sk=f"{name_key}#{pid}"), None))
    for name_key in old.names - new.names:
        ops.deletes.append((NameKeyItem(after.pk, f"N#{name_key}"), None))
    for facet, value in new.facets - old.facets:
        ops.saves.append((facet_item(tenant_id, after, facet, value), None))
    for facet, value in old.facets - new.facets:
        ops.deletes.append((FacetItem(after.pk, f"F#{facet}#{value}"), None))
    for facet, value in new.facets - old.facets:
        if facet == "tag":
            ops.tags[value] = (1, new.tag_names.get(value, value))
    for facet, value in old.facets - new.facets:
        if facet == "tag":
            ops.tags[value] = (-1, old.tag_names.get(value, value))
    if write.list_id:
        ops.saves.append((facet_item(tenant_id, after, "list", write.list_id), FacetItem.pk.does_not_exist()))
    ops.saves.extend((item, None) for item in write.extra)
    ops.updates.extend(write.updates)
    ops.people = int(new.live) - int(old.live)
    return ops


def _tag_counter(tx: TransactWrite, tenant_id: str, key: str, spelling: str, delta: int) -> None:
    """The tag's people count, as `people._tag_counter` keeps it (created on first use)."""
    from skailan.crm.vocabulary.definitions import TAG, tags_pk

    actions: list[Action] = [TagItem.count.add(delta)]
    if delta > 0:
        actions += [TagItem.name.set(TagItem.name | spelling), TagItem.kind.set(TagItem),
                    TagItem.tenant_id.set(TagItem.tenant_id | tenant_id),
                    TagItem.created_at.set(TagItem.created_at | iso())]
    tx.update(TagItem(tags_pk(tenant_id), TAG + key), actions=actions)


def _list_counter(tx: TransactWrite, tenant_id: str, list_id: str, delta: int) -> None:
    from skailan.crm.lists import LIST, lists_pk

    tx.update(ListItem(lists_pk(tenant_id), LIST + list_id), actions=[ListItem.count.add(delta)],
              condition=ListItem.pk.exists())


def _send(tenant_id: str, pack: list[tuple[PersonWrite, _Ops]]) -> None:
    from skailan.crm.people import people_count_change

    tags: dict[str, list[Any]] = {}
    lists: dict[str, int] = {}
    with transaction() as tx:
        for write, ops in pack:
            for item, condition in ops.saves:
                tx.save(item, condition=condition)
            for item, condition in ops.deletes:
                tx.delete(item, condition=condition)
            for item, actions in ops.updates:
                tx.update(item, actions=actions, add_version_condition=False)
            for key, (delta, spelling) in ops.tags.items():
                entry = tags.setdefault(key, [0, spelling])
                entry[0] += delta
            if write.list_id:
                lists[write.list_id] = lists.get(write.list_id, 0) + 1
        for key, (delta, spelling) in tags.items():
            if delta:
                _tag_counter(tx, tenant_id, key, spelling, delta)
        for list_id, delta in lists.items():
            _list_counter(tx, tenant_id, list_id, delta)
        people_count_change(tx, tenant_id, sum(ops.people for _, ops in pack))


def _counters(pack: list[tuple[PersonWrite, _Ops]], ops: _Ops | None = None) -> int:
    keys = {k for _, o in pack for k in o.tags} | (set(ops.tags) if ops else set())
    lists = {w.list_id for w, _ in pack if w.list_id}
    return len(keys) + len(lists) + 1  # + the people count shard


def _send_with_retries(tenant_id: str, pack: list[tuple[PersonWrite, _Ops]]) -> TransactWriteError | None:
    err: TransactWriteError | None = None
    for attempt in range(CONFLICT_RETRIES):
        try:
            _send(tenant_id, pack)
            return None
        except TransactWriteError as err:
            # Only a conflict with another transaction on the same items (a tag counter, say) is
            # worth repeating as is; a failed condition will fail again.
            if not only_conflicts(err):
                return err
            time.sleep(0.05 * (2**attempt))
    return err


def _explain(tenant_id: str, write: PersonWrite, ops: _Ops) -> None:
    from skailan.crm.lists import LIST, lists_pk
    from skailan.crm.people import owners_of

    owners = owners_of(tenant_id, ops.claimed)
    write.taken = [i for i in ops.claimed if owners.get((i.kind, i.key)) not in (None, write.after.person_id)]
    if write.taken:
        write.failure = "identity_taken"
    elif write.list_id and not _exists(ListItem, lists_pk(tenant_id), LIST + write.list_id):
        write.failure = "list_missing"
    else:
        write.failure = "concurrent_update"


def _exists(model: type[ContactsItem], pk: str, sk: str) -> bool:
    try:
        model.get(pk, sk, consistent_read=True)
    except model.DoesNotExist:
        return False
    return True


def commit(tenant_id: str, writes: Iterable[PersonWrite]) -> list[PersonWrite]:
    """Write every person (see module doc); return the writes that failed, each with `failure`."""
    failed: list[PersonWrite] = []
    pack: list[tuple[PersonWrite, _Ops]] = []
    size = 0

    def flush() -> None:
        nonlocal pack, size
        if not pack:
            return
        err = _send_with_retries(tenant_id, pack)
        if err is not None:
            for write, ops in pack:
                if len(pack) == 1 or _send_with_retries(tenant_id, [(write, ops)]) is not None:
                    _explain(tenant_id, write, ops)
                    failed.append(write)
        pack, size = [], 0

    for write in writes:
        ops = _operations(tenant_id, write)
        alone = ops.size + _counters([], ops) + (1 if write.list_id else 0)
        if alone > MAX_ITEMS:
            raise ValueError(f"one person needs {alone} items, more than a transaction holds")
        if pack and size + ops.size + _counters(pack, ops) + (1 if write.list_id else 0) > MAX_ITEMS:
            flush()
        pack.append((write, ops))
        size += ops.size
    flush()
    return failed


def lookup_owners(tenant_id: str, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """Who holds each (kind, key) identity: one BatchGetItem per 100 keys."""
    wanted = list(dict.fromkeys(keys))
    if not wanted:
        return {}
    found = IdentityItem.batch_get([(identity_pk(tenant_id, kind, key), IDENTITY_SK) for kind, key in wanted])
    prefix = f"T#{tenant_id}#ID#"
    out: dict[tuple[str, str], str] = {}
    for item in found:
        kind, _, key = item.pk[len(prefix):].partition("#")
        out[(kind, key)] = item.person_id
    return out
