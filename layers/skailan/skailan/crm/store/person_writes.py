"""The one person-write path: a person and everything its state implies, in one TransactWrite.

`derive(person)` says what a person's state implies in other items (identity claims, name keys,
facets, tag counters, the brand's people count); `operations` turns a `PersonWrite` (the derived
state it was read with → the new item) into exactly those puts, deletes and counter updates.
Two entry points send them:
- `write_person`: one person (an API request, a worker), raising `IdentityTaken` naming the
  field, or `Conflict(concurrent_update)`;
- `commit`: many people (imports, forms) packed whole into transactions of at most 100 items
  (~10 people per request, one shared connection). A cancelled pack is retried person by
  person; those that still fail come back to the caller with the reason.
Each write carries its domain events (`events`): their outbox items go last in the same
transaction (`skailan.platform.outbox`), so a person and its events are written together or not at all.
Identity items are claimed with `attribute_not_exists`, so a phone or e-mail belongs to one person
per brand; the person item carries a VersionAttribute, so two concurrent edits cannot both win.
A transaction cancelled only because another one held a shared counter (the people count, a tag)
is sent again after a jittered backoff. Nothing is half-written.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

from pynamodb.exceptions import TransactWriteError, UpdateError
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from skailan.crm.store.items import (
    BUSINESS_LINK,
    IDENTITY_SK,
    LIST,
    PEOPLE_COUNT_SHARDS,
    PERSON_SK,
    TAG,
    BusinessLinkItem,
    ContactsItem,
    FacetItem,
    IdentityItem,
    ListItem,
    NameKeyItem,
    PeopleCountItem,
    PersonItem,
    TagItem,
    TimelineItem,
    facet_index_pk,
    facet_member_sk,
    facet_sk,
    identity_pk,
    lists_pk,
    name_index_pk,
    people_index_pk,
    person_businesses_pk,
    person_pk,
    stats_pk,
    tags_pk,
)
from skailan.crm.store.memberships import remove_membership
from skailan.crm.store.transact import CONFLICT_RETRIES, only_conflicts, outbox_table, save_if
from skailan.crm.values.text import name_search_keys, tag_key
from skailan.platform import outbox
from skailan.platform.cancellation import conflict_pause
from skailan.platform.clock import iso
from skailan.platform.errors import Conflict
from skailan.platform.i18n import both
from skailan.platform.storage import transaction

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from skailan.platform.events import DomainEvent

MAX_ITEMS = 100  # DynamoDB's TransactWriteItems limit


# ---------------------------------------------------------------- identities and the person item


class Identity(NamedTuple):
    kind: str
    key: str  # what makes it unique (the phone match key, the lower-cased e-mail, the channel id)
    value: str  # what is shown (E.164 for phones)

    def as_json(self) -> dict[str, str]:
        return {"kind": self.kind, "key": self.key, "value": self.value}


def phone_identity(e164: str) -> Identity:
    from skailan.crm.values.phones import phone_match_key  # phonenumbers: imported on first use

    return Identity("phone", phone_match_key(e164), e164)


def email_identity(email: str) -> Identity:
    return Identity("email", email, email)


def identities_of(item: PersonItem) -> dict[tuple[str, str], Identity]:
    return {(i["kind"], i["key"]): Identity(i["kind"], i["key"], i["value"]) for i in item.identities or []}


def set_identity(item: PersonItem, identity: Identity | None, *, kind: str) -> None:
    """Replace the person's identities of `kind` (phone/e-mail: one each) by `identity`."""
    kept = [i for i in item.identities or [] if i["kind"] != kind]
    item.identities = kept + ([identity.as_json()] if identity else [])


def new_person_item(tenant_id: str, person_id: str, name: str, now: str) -> PersonItem:
    return PersonItem(person_pk(tenant_id, person_id), PERSON_SK, tenant_id=tenant_id, person_id=person_id,
                      name=name, gsi1pk=people_index_pk(tenant_id), gsi1sk=f"{now}#{person_id}",
                      gsi2pk=people_index_pk(tenant_id), gsi2sk=f"{now}#{person_id}", created_at=now, updated_at=now,
                      custom={}, tags=[], identities=[])


def touch(item: PersonItem, now: str) -> None:
    item.updated_at = now
    if item.gsi2pk:
        item.gsi2sk = f"{now}#{item.person_id}"


def unindex(item: PersonItem) -> None:
    """Take a deleted or merged person out of the people listings (the indexes are sparse)."""
    item.gsi1pk = item.gsi1sk = item.gsi2pk = item.gsi2sk = None


# ---------------------------------------------------------------- derived state


class Derived:
    """What a person's state implies in other items (plain class: no dataclass cost at import)."""

    __slots__ = ("facets", "identities", "live", "names", "tag_names")

    def __init__(self, identities: dict[tuple[str, str], Identity] | None = None,
                 names: set[str] | None = None, *, live: bool = False) -> None:
        self.live = live  # counted in the brand's people (not deleted, not merged)
        self.identities = identities or {}
        self.names = names or set()
        self.facets: set[tuple[str, str]] = set()
        self.tag_names: dict[str, str] = {}  # tag key → spelling


def derive(item: PersonItem | None) -> Derived:
    """Everything the person's state implies in other items; nothing for a deleted/merged person."""
    if item is None or item.deleted_at or item.merged_into:
        return Derived()
    out = Derived(identities=identities_of(item), names=set(name_search_keys(item.name)), live=True)
    for tag in item.tags or []:
        out.facets.add(("tag", tag_key(tag)))
        out.tag_names.setdefault(tag_key(tag), tag)
    for facet, value in (("journey", item.journey_state), ("owner", item.owner_id), ("role", item.customer_role)):
        if value:
            out.facets.add((facet, value))
    return out


def facet_item(tenant_id: str, person: PersonItem, facet: str, value: str) -> FacetItem:
    """A facet (or list / segment membership) item in the person's partition."""
    return FacetItem(person.pk, facet_sk(facet, value), tenant_id=tenant_id, person_id=person.person_id, facet=facet,
                     value=value, gsi1pk=facet_index_pk(tenant_id, facet, value),
                     gsi1sk=facet_member_sk(person.created_at, person.person_id), created_at=person.created_at)


# ---------------------------------------------------------------- the operations of one person


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
    events: list[DomainEvent] = field(default_factory=list)  # written in the person's transaction


@dataclass
class _Ops:
    saves: list[tuple[ContactsItem, Any]] = field(default_factory=list)
    deletes: list[tuple[ContactsItem, Any]] = field(default_factory=list)
    updates: list[tuple[ContactsItem, list[Any]]] = field(default_factory=list)
    tags: dict[str, tuple[int, str]] = field(default_factory=dict)  # tag key → (delta, spelling)
    claimed: list[Identity] = field(default_factory=list)
    handovers: list[tuple[str, str, str]] = field(default_factory=list)  # (identity pk, from, to person)
    people: int = 0  # change in the brand's live-people count (+1 create, -1 delete)
    events: list[DomainEvent] = field(default_factory=list)

    @property
    def size(self) -> int:
        return len(self.saves) + len(self.deletes) + len(self.updates) + len(self.handovers) + len(self.events)


def _operations(tenant_id: str, write: PersonWrite) -> _Ops:
    old = write.before or Derived()
    after = write.after
    new = derive(after)
    pid = after.person_id
    ops = _Ops()
    # A new person must not exist yet; an edit is guarded by the item's own VersionAttribute.
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
        if facet == "tag":
            ops.tags[value] = (1, new.tag_names.get(value, value))
    for facet, value in old.facets - new.facets:
        ops.deletes.append((FacetItem(after.pk, f"F#{facet}#{value}"), None))
        if facet == "tag":
            ops.tags[value] = (-1, old.tag_names.get(value, value))
    if write.list_id:
        ops.saves.append((facet_item(tenant_id, after, "list", write.list_id), FacetItem.pk.does_not_exist()))
    ops.saves.extend((item, None) for item in write.extra)
    ops.updates.extend(write.updates)
    ops.people = int(new.live) - int(old.live)
    ops.events = list(write.events)
    return ops


# ---------------------------------------------------------------- counters


def _tag_counter(tx: TransactWrite, tenant_id: str, key: str, spelling: str, delta: int) -> None:
    """The tag's people count (the tag item is created on first use)."""
    actions: list[Action] = [TagItem.count.add(delta)]
    if delta > 0:
        actions += [TagItem.name.set(TagItem.name | spelling), TagItem.kind.set(TagItem),
                    TagItem.tenant_id.set(TagItem.tenant_id | tenant_id),
                    TagItem.created_at.set(TagItem.created_at | iso())]
    tx.update(TagItem(tags_pk(tenant_id), TAG + key), actions=actions)


def _list_counter(tx: TransactWrite, tenant_id: str, list_id: str, delta: int) -> None:
    tx.update(ListItem(lists_pk(tenant_id), LIST + list_id), actions=[ListItem.count.add(delta)],
              condition=ListItem.pk.exists())


def people_count_change(tx: TransactWrite, tenant_id: str, delta: int) -> None:
    """Add `delta` to one random shard of the brand's people count, inside the person's transaction."""
    if delta:
        shard = f"PEOPLE#{random.randrange(PEOPLE_COUNT_SHARDS):02d}"  # load spreading, not security
        tx.update(PeopleCountItem(stats_pk(tenant_id), shard),
                  actions=[PeopleCountItem.count.add(delta), PeopleCountItem.kind.set(PeopleCountItem)])


def _counters(pack: list[tuple[PersonWrite, _Ops]], ops: _Ops | None = None) -> int:
    keys = {k for _, o in pack for k in o.tags} | (set(ops.tags) if ops else set())
    lists = {w.list_id for w, _ in pack if w.list_id}
    return len(keys) + len(lists) + 1  # + the people count shard


# ---------------------------------------------------------------- sending


def _tag_totals(pack: list[tuple[PersonWrite, _Ops]]) -> dict[str, tuple[int, str]]:
    """Each tag's count change over the pack (the first spelling met names a new tag)."""
    totals: dict[str, tuple[int, str]] = {}
    for _, ops in pack:
        for key, (delta, spelling) in ops.tags.items():
            before, name = totals.get(key, (0, spelling))
            totals[key] = (before + delta, name)
    return {key: total for key, total in totals.items() if total[0]}


def _send(tenant_id: str, pack: list[tuple[PersonWrite, _Ops]], *, tag_counters: bool = True) -> None:
    lists: dict[str, int] = {}
    with transaction() as tx:
        for write, ops in pack:
            for item, condition in ops.saves:
                tx.save(item, condition=condition)
            for item, condition in ops.deletes:
                tx.delete(item, condition=condition)
            for item, actions in ops.updates:
                tx.update(item, actions=actions, add_version_condition=False)
            for pk, from_id, to_id in ops.handovers:
                tx.update(IdentityItem(pk, IDENTITY_SK),
                          actions=[IdentityItem.person_id.set(to_id), IdentityItem.updated_at.set(iso())],
                          condition=IdentityItem.person_id == from_id)
            if write.list_id:
                lists[write.list_id] = lists.get(write.list_id, 0) + 1
        if tag_counters:
            for key, (delta, spelling) in _tag_totals(pack).items():
                _tag_counter(tx, tenant_id, key, spelling, delta)
        for list_id, delta in lists.items():
            _list_counter(tx, tenant_id, list_id, delta)
        people_count_change(tx, tenant_id, sum(ops.people for _, ops in pack))
        outbox.add(tx, [event for _, ops in pack for event in ops.events], outbox_table())  # last: see outbox.add


def _send_with_retries(tenant_id: str, pack: list[tuple[PersonWrite, _Ops]], *,
                       tag_counters: bool = True) -> TransactWriteError | None:
    """Send; a conflict with another transaction on the same items (a shared counter) is sent again
    as is, after a jittered backoff. A failed condition would fail again: returned at once."""
    for attempt in range(CONFLICT_RETRIES):
        try:
            _send(tenant_id, pack, tag_counters=tag_counters)
            return None
        except TransactWriteError as err:
            if attempt + 1 == CONFLICT_RETRIES or not only_conflicts(err):
                return err
        conflict_pause(attempt)
    return None  # unreachable: the last attempt returns above


def _condition_failed(err: TransactWriteError) -> bool:
    reasons = [r.code for r in (getattr(err, "cancellation_reasons", None) or []) if r is not None]
    return err.cause_response_code == "TransactionCanceledException" and "ConditionalCheckFailed" in reasons


# ---------------------------------------------------------------- one attribute, one UpdateItem


def mark_interaction(person: PersonItem, at: str) -> PersonItem | None:
    """Move `last_interaction_at` forward to `at`, never back; None when it is already later or the
    person went away, else the person as the update left it (ALL_NEW: the segments worker evaluates
    it without reading it again). Bumps the version, so a concurrent full save (VersionAttribute)
    cannot silently put the old value back."""
    condition = (PersonItem.last_interaction_at.does_not_exist() | (PersonItem.last_interaction_at < at))
    return _update_live_item(person, [PersonItem.last_interaction_at.set(at)], condition)


def mark_lead_status(person: PersonItem, status: str, *, events: Sequence[DomainEvent] = ()) -> bool:
    """Set the lead flow's `lead_status` (version bumped too) with its events in one transaction;
    False, nothing written, when the person went away."""
    try:
        with transaction() as tx:  # pynamodb adds the version's +1 (no version condition: last write wins)
            tx.update(person, actions=[PersonItem.lead_status.set(status)], condition=_LIVE,
                      add_version_condition=False)
            outbox.add(tx, events, outbox_table())
    except TransactWriteError as err:
        if _condition_failed(err):
            return False
        raise
    return True


_LIVE = PersonItem.pk.exists() & PersonItem.deleted_at.does_not_exist() & PersonItem.merged_into.does_not_exist()


def _update_live_item(person: PersonItem, actions: list[Action], extra: Any) -> PersonItem | None:
    condition = _LIVE
    if extra is not None:
        condition = condition & extra
    try:
        updated = PersonItem._get_connection().update_item(person.pk, PERSON_SK, condition=condition,
                                                           actions=[*actions, PersonItem.version.add(1)],
                                                           return_values="ALL_NEW")
    except UpdateError as err:
        if err.cause_response_code == "ConditionalCheckFailedException":
            return None
        raise
    return PersonItem.from_raw_data(updated["Attributes"])


# ---------------------------------------------------------------- one person


class IdentityTaken(Conflict):
    code = "contact_exists"


def _field_of(kind: str) -> str:
    return kind if kind in ("phone", "email") else "identities"


def write_person(tenant_id: str, before: Derived | None, after: PersonItem, *,
                 extra: list[Any] | None = None, events: Sequence[DomainEvent] = ()) -> None:
    """Apply `after` (and everything it implies, and `events`) in one transaction; `before=None` creates.

    Raises `IdentityTaken` naming the field when a phone/e-mail/channel id belongs to someone
    else, `Conflict(concurrent_update)` when the person changed meanwhile.
    """
    write = PersonWrite(after=after, before=before, extra=list(extra or ()), events=list(events))
    ops = _operations(tenant_id, write)
    inline = ops.size + _counters([], ops) <= MAX_ITEMS
    err = _send_with_retries(tenant_id, [(write, ops)], tag_counters=inline)
    if err is not None:
        if _condition_failed(err):
            _raise_failure(tenant_id, write, ops, err)
        raise err
    if not inline:  # a huge tag change: the counts follow right after (not in the transaction)
        for key, (delta, spelling) in ops.tags.items():
            with transaction() as tx:
                _tag_counter(tx, tenant_id, key, spelling, delta)


def _raise_failure(tenant_id: str, write: PersonWrite, ops: _Ops, err: TransactWriteError) -> None:
    pid = write.after.person_id
    owners = owners_of(tenant_id, ops.claimed)
    taken = [{"field": _field_of(i.kind), "error": "taken", "kind": i.kind, "value": i.value, "person_id": owner}
             for i in ops.claimed if (owner := owners.get((i.kind, i.key))) and owner != pid]
    if taken:
        raise IdentityTaken(
            both("Ya existe una persona con ese teléfono o correo", "A person with that phone or e-mail exists"),
            details=taken) from err
    if write.before is not None:
        raise Conflict(both("La persona cambió mientras la editabas; vuelve a intentarlo",
                            "The person changed while you edited it; try again"), code="concurrent_update") from err


def owners_of(tenant_id: str, identities: list[Identity]) -> dict[tuple[str, str], str]:
    """Who holds each identity now (strongly consistent reads)."""
    out: dict[tuple[str, str], str] = {}
    for ident in identities:
        try:
            item = IdentityItem.get(identity_pk(tenant_id, ident.kind, ident.key), IDENTITY_SK, consistent_read=True)
        except IdentityItem.DoesNotExist:
            continue
        out[(ident.kind, ident.key)] = item.person_id
    return out


# ---------------------------------------------------------------- people written together


def write_together(tenant_id: str, writes: list[PersonWrite]) -> None:
    """Several people (and their writes' events) in ONE transaction (a merge: the kept person and
    the merged one). An identity one of them releases and another claims is handed over — one
    conditional update on the identity item, since a transaction cannot delete and claim the
    same item. Raises
    `TransactionFailed` when a condition failed (someone changed meanwhile)."""
    pack = [(write, _operations(tenant_id, write)) for write in writes]
    _hand_over(pack)
    inline = sum(ops.size for _, ops in pack) + _counters(pack) <= MAX_ITEMS
    err = _send_with_retries(tenant_id, pack, tag_counters=inline)
    if err is not None:
        raise err
    if not inline:  # a huge tag change: the counts follow right after (not in the transaction)
        for key, (delta, spelling) in _tag_totals(pack).items():
            with transaction() as tx:
                _tag_counter(tx, tenant_id, key, spelling, delta)


def _hand_over(pack: list[tuple[PersonWrite, _Ops]]) -> None:
    released: dict[str, tuple[_Ops, ContactsItem, str]] = {}
    for write, ops in pack:
        for item, _condition in ops.deletes:
            if isinstance(item, IdentityItem):
                released[item.pk] = (ops, item, write.after.person_id)
    for write, ops in pack:
        kept: list[tuple[ContactsItem, Any]] = []
        for item, condition in ops.saves:
            if isinstance(item, IdentityItem) and item.pk in released:
                source, old, from_id = released.pop(item.pk)
                source.deletes = [(i, c) for i, c in source.deletes if i is not old]
                ops.handovers.append((item.pk, from_id, write.after.person_id))
            else:
                kept.append((item, condition))
        ops.saves = kept


# ---------------------------------------------------------------- many people


def _explain(tenant_id: str, write: PersonWrite, ops: _Ops) -> None:
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


# ---------------------------------------------------------------- a merge's second step


def move_partition(tenant_id: str, other_id: str, keep: PersonItem) -> None:
    """Move timeline entries, list memberships and business links of `other` to `keep` (idempotent)."""
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
    for link in BusinessLinkItem.gsi2.query(person_businesses_pk(tenant_id, other_id)):
        moved_link = BusinessLinkItem(link.pk, BUSINESS_LINK + keep.person_id, tenant_id=tenant_id,
                                      business_id=link.business_id, person_id=keep.person_id, role=link.role,
                                      gsi2pk=person_businesses_pk(tenant_id, keep.person_id), gsi2sk=link.business_id,
                                      created_at=link.created_at)
        save_if(moved_link, BusinessLinkItem.pk.does_not_exist())  # False: already linked, their role stays
        link.delete()


def _attrs(item: ContactsItem, *, exclude: set[str]) -> dict:
    return {name: getattr(item, name) for name in item.get_attributes()
            if name not in exclude | {"kind"} and getattr(item, name) is not None}
