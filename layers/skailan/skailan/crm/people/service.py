"""People: create, read, update, soft-delete, list and search — never a Scan.

Every write goes through `write_person(before, after)`: it diffs what the person's state implies
(identity items, name keys, facet items, tag counts) and applies the person item and all of
those in ONE transaction, with the change's domain events. Identity items are claimed with `attribute_not_exists`, so a phone
or e-mail can belong to one person per brand; the person item carries a VersionAttribute, so
two concurrent edits cannot both win. Nothing is half-written.

Reads: `get_person` is a GetItem; `list_people` is one Query on the key that fits the filters
(see items.py) plus one BatchGet of the page's people — constant requests per page, however
large the brand. Filters the driving key cannot express are applied to the page, so a page can
come back shorter than `limit` with a `next_cursor` to continue.
"""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING, Any

from skailan.crm.events import build
from skailan.crm.people.models import IdentityOut, PersonIn, PersonOut, PersonPatchIn
from skailan.crm.references import check_member
from skailan.crm.store import person_reads
from skailan.crm.store.items import PersonItem
from skailan.crm.store.person_reads import NOT_FOUND, batch_people, find_by_identity, find_person, load_person
from skailan.crm.store.person_writes import (
    derive,
    email_identity,
    mark_interaction,
    mark_lead_status,
    new_person_item,
    phone_identity,
    set_identity,
    touch,
    unindex,
    write_person,
)
from skailan.crm.store.timeline_items import timeline_item
from skailan.crm.values.text import tag_key
from skailan.crm.values.types import Page
from skailan.platform.auth import Caller
from skailan.platform.clock import iso
from skailan.platform.errors import Conflict, NotFound, Unprocessable
from skailan.platform.i18n import both
from skailan.platform.ids import new_id
from skailan.platform.pagination import clamp_limit

if TYPE_CHECKING:
    from skailan.crm.vocabulary.definitions import Definitions

CONFLICT_RETRIES = 3
_PHONE_LIKE = re.compile(r"^\+?[\d\s().\-/]{6,}$")
_BRAND_TTL_SECONDS = 60.0
_brand_cache: dict[str, tuple[float, str, str]] = {}


# ---------------------------------------------------------------- brand locale


def brand_locale(tenant_id: str) -> tuple[str, str]:
    """(default country, time zone) of the brand, cached for a minute per container."""
    cached = _brand_cache.get(tenant_id)
    now = time.monotonic()
    if cached and now - cached[0] < _BRAND_TTL_SECONDS:
        return cached[1], cached[2]
    from skailan.platform.errors import NotFound
    from skailan.tenancy.brands import get_brand

    try:
        brand = get_brand(tenant_id)  # invalid stored values already fall back to defaults
    except NotFound:
        # No brand item (a half-provisioned tenant): people and messages are still stored.
        from skailan.platform.observability import logger

        logger.warning("brand not found; default locale used", tenant_id=tenant_id)
        return "CO", "UTC"
    _brand_cache[tenant_id] = (now, brand.default_country, brand.time_zone)
    return brand.default_country, brand.time_zone


def default_country(tenant_id: str) -> str:
    return brand_locale(tenant_id)[0]


# ---------------------------------------------------------------- identities (values)


def normalize_phone(raw: str, country: str | None, *, field_name: str = "phone") -> str:
    from skailan.crm.values.phones import normalize_phone as _normalize  # phonenumbers: imported on first use

    return _normalize(raw, country, field=field_name)


def normalize_email(raw: str, *, field_name: str = "email") -> str:
    from skailan.crm.values.emails import normalize_email as _normalize

    return _normalize(raw, field=field_name)


# ---------------------------------------------------------------- derived state and the one write


# ---------------------------------------------------------------- output


def to_out(item: PersonItem) -> PersonOut:
    return PersonOut(
        id=item.person_id, name=item.name, phone=item.phone, email=item.email, custom=item.custom or {},
        tags=list(item.tags or []), owner_id=item.owner_id, journey_state=item.journey_state,
        customer_role=item.customer_role, lead_status=item.lead_status, last_interaction_at=item.last_interaction_at,
        identities=[IdentityOut(kind=i["kind"], value=i["value"]) for i in item.identities or []],
        merged_into=item.merged_into, created_at=item.created_at, updated_at=item.updated_at,
    )


def as_segment_person(item: PersonItem) -> dict[str, Any]:
    """The person dict `crm.segments.matches` evaluates (see its module doc)."""
    channels = sorted({i["kind"] for i in item.identities or []} - {"phone"})
    return {
        "id": item.person_id, "name": item.name, "email": item.email, "phone": item.phone,
        "tags": list(item.tags or []), "journey_state": item.journey_state, "customer_role": item.customer_role,
        "owner_id": item.owner_id, "lead_status": item.lead_status, "last_interaction_at": item.last_interaction_at,
        "created_at": item.created_at, "channels": channels, "custom": item.custom or {},
    }


# ---------------------------------------------------------------- reads


def get_person(tenant_id: str, person_id: str) -> PersonOut:
    return to_out(load_person(tenant_id, person_id))


# ---------------------------------------------------------------- validation


def _validate_refs(tenant_id: str, definitions: Definitions, values: dict[str, Any], errors: list[dict]) -> None:
    state = values.get("journey_state")
    if state and state not in definitions.state_ids:
        errors.append({"field": "journey_state", "error": "unknown",
                       "message": both("Estado de recorrido desconocido", "Unknown journey state")})
    role = values.get("customer_role")
    if role and role not in definitions.roles:
        errors.append({"field": "customer_role", "error": "unknown",
                       "message": both("Rol de cliente desconocido", "Unknown customer role")})
    check_member(errors, tenant_id, values.get("owner_id"))


def _collect(errors: list[dict], fn: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return fn(*args, **kwargs)
    except Unprocessable as err:
        errors.extend(err.details or [])
        return None


def _clean_tags(tags: list[str]) -> list[str]:
    out: dict[str, str] = {}
    for tag in tags:
        spelling = " ".join(tag.split())
        if spelling:
            out.setdefault(tag_key(spelling), spelling)
    return list(out.values())


def _raise(errors: list[dict]) -> None:
    if errors:
        raise Unprocessable(both("Los datos de la persona no son válidos", "The person's data is not valid"),
                            details=errors)


# ---------------------------------------------------------------- writes


def create_person(caller: Caller | None, tenant_id: str, data: PersonIn) -> PersonOut:
    from skailan.crm.vocabulary.definitions import load
    from skailan.crm.vocabulary.fields import validate_values

    country = default_country(tenant_id)
    definitions = load(tenant_id)
    errors: list[dict] = []
    phone = _collect(errors, normalize_phone, data.phone, country) if data.phone else None
    email = _collect(errors, normalize_email, data.email) if data.email else None
    if not data.phone and not data.email:
        message = both("Indica un teléfono o un correo", "Give a phone or an e-mail")
        errors += [{"field": "phone", "error": "phone_or_email_required", "message": message},
                   {"field": "email", "error": "phone_or_email_required", "message": message}]
    custom = _collect(errors, validate_values, definitions.fields, data.custom, country, partial=False) or {}
    _validate_refs(tenant_id, definitions, data.model_dump(), errors)
    _raise(errors)

    now = iso()
    person_id = new_id()
    item = new_person_item(tenant_id, person_id, " ".join(data.name.split()), now)
    item.phone, item.email = phone, email
    item.custom = {k: v for k, v in custom.items() if v is not None}
    item.tags = _clean_tags(data.tags)
    item.owner_id, item.customer_role = data.owner_id, data.customer_role
    item.journey_state = data.journey_state or definitions.default_state
    set_identity(item, phone_identity(phone) if phone else None, kind="phone")
    set_identity(item, email_identity(email) if email else None, kind="email")
    write_person(tenant_id, None, item, events=[build(tenant_id, "contact.created", caller=caller,
                                                      entity_type="contact", entity_id=person_id,
                                                      data=created_data(item))])
    return to_out(item)


def created_data(item: PersonItem) -> dict[str, Any]:
    return {"name": item.name, "phone": item.phone, "email": item.email, "tags": item.tags,
            "journey_state": item.journey_state, "owner_id": item.owner_id, "customer_role": item.customer_role,
            "referenceable": bool((item.custom or {}).get("referenceable"))}


def update_person(caller: Caller, person_id: str, data: PersonPatchIn) -> PersonOut:
    from skailan.crm.vocabulary.definitions import journey_of_state, load
    from skailan.crm.vocabulary.fields import validate_values

    tenant_id = caller.tenant_id
    item = load_person(tenant_id, person_id, writable=True)
    sent = data.model_fields_set
    if not sent:
        return to_out(item)
    country = default_country(tenant_id)
    definitions = load(tenant_id)
    errors: list[dict] = []
    if "name" in sent and data.name is None:
        errors.append({"field": "name", "error": "required", "message": both("El nombre es obligatorio",
                                                                             "The name is required")})
    phone: str | None = item.phone
    if "phone" in sent:
        phone = _collect(errors, normalize_phone, data.phone, country) if data.phone else None
    email: str | None = item.email
    if "email" in sent:
        email = _collect(errors, normalize_email, data.email) if data.email else None
    if ("phone" in sent or "email" in sent) and not phone and not email and not any(
            e["field"] in ("phone", "email") for e in errors):
        message = both("La persona necesita un teléfono o un correo", "The person needs a phone or an e-mail")
        errors.append({"field": "phone" if "phone" in sent else "email", "error": "phone_or_email_required",
                       "message": message})
    custom_changes: dict[str, Any] = {}
    if "custom" in sent and data.custom:
        custom_changes = _collect(errors, validate_values, definitions.fields, data.custom, country,
                                  partial=True) or {}
    _validate_refs(tenant_id, definitions, {k: getattr(data, k) for k in sent}, errors)
    _raise(errors)

    before = derive(item)
    old_state = item.journey_state
    old_tags = list(item.tags or [])
    now = iso()
    if data.name:
        item.name = " ".join(data.name.split())
    item.phone, item.email = phone, email
    set_identity(item, phone_identity(phone) if phone else None, kind="phone")
    set_identity(item, email_identity(email) if email else None, kind="email")
    if custom_changes:
        merged = dict(item.custom or {})
        for key, value in custom_changes.items():
            if value is None:
                merged.pop(key, None)
            else:
                merged[key] = value
        item.custom = merged
    if "tags" in sent:
        item.tags = _clean_tags(data.tags or [])
    for key in ("owner_id", "journey_state", "customer_role"):
        if key in sent:
            setattr(item, key, getattr(data, key))
    touch(item, now)
    extra = []
    journey_changed = item.journey_state != old_state
    if journey_changed:
        journey_id, state_name = journey_of_state(definitions, item.journey_state)
        _, old_name = journey_of_state(definitions, old_state)
        extra.append(timeline_item(tenant_id, person_id, "journey_changed",
                                   f"{old_name or old_state or '—'} → {state_name or item.journey_state or '—'}",
                                   ref={"type": "journey", "id": journey_id, "from": old_state,
                                        "to": item.journey_state}, occurred_at=now))
    changed: dict[str, Any] = {"changed": sorted(sent)}
    if "referenceable" in (data.custom or {}):  # the KAM report's referenceable customers (additive key)
        changed["referenceable"] = bool((item.custom or {}).get("referenceable"))
    if "tags" in sent:  # automations trigger on a tag added / removed (additive payload keys)
        old_keys, new_keys = {tag_key(t) for t in old_tags}, {tag_key(t) for t in item.tags or []}
        changed["tags_added"] = [t for t in item.tags or [] if tag_key(t) not in old_keys]
        changed["tags_removed"] = [t for t in old_tags if tag_key(t) not in new_keys]
    events = [build(tenant_id, "contact.updated", caller=caller, entity_type="contact", entity_id=person_id,
                    data=changed)]
    if journey_changed:
        events.append(build(tenant_id, "contact.journey_changed", caller=caller, entity_type="contact",
                            entity_id=person_id, data={"from": old_state, "to": item.journey_state}))
    write_person(tenant_id, before, item, extra=extra, events=events)
    return to_out(item)


def delete_person(caller: Caller, person_id: str) -> None:
    """Soft delete: the person item stays (deleted_at) for history; identities are released, so the
    phone or e-mail can start a new person, and every index/facet item goes. `contact.deleted` is
    written with the person's deletion; a retried DELETE only finishes the memberships' cleanup."""
    tenant_id = caller.tenant_id
    item = find_person(tenant_id, person_id, consistent=True)
    if item is None or (item.deleted_at and not _has_memberships(tenant_id, person_id)):
        raise NotFound(NOT_FOUND, code="contact_not_found")
    if not item.deleted_at:
        before = derive(item)
        now = iso()
        item.deleted_at = now
        item.updated_at = now
        unindex(item)
        item.identities = []
        write_person(tenant_id, before, item, events=[build(tenant_id, "contact.deleted", caller=caller,
                                                            entity_type="contact", entity_id=person_id,
                                                            data={"name": item.name})])
    remove_memberships(tenant_id, person_id)  # idempotent: a retried DELETE finishes the cleanup


def record_interaction(tenant_id: str, person_id: str, at: str) -> str | None:
    """`record_interaction_item`'s person id (see there)."""
    person = record_interaction_item(tenant_id, person_id, at)
    return person.person_id if person is not None else None


def record_interaction_item(tenant_id: str, person_id: str, at: str) -> PersonItem | None:
    """Move the person's `last_interaction_at` forward to `at` (a message from them); never back.

    Follows a merge to the kept person. One conditional UpdateItem that also bumps the version, so
    a concurrent full save of the person (VersionAttribute) cannot silently put the old value back.
    Returns the person that changed as the update left it (ALL_NEW: the segments worker evaluates
    it without reading it again), or None (unknown, deleted, or already later).
    """
    person = find_person(tenant_id, person_id)
    if person is not None and person.merged_into:
        person = find_person(tenant_id, person.merged_into)
    if person is None or person.deleted_at or person.merged_into:
        return None
    if person.last_interaction_at and person.last_interaction_at >= at:
        return None
    return mark_interaction(person, at)  # None when a later message got there first, or the person went away


LEAD_STATUSES = ("none", "in_progress", "completed")


def record_lead_status(tenant_id: str, person_id: str, status: str) -> str | None:
    """Set the person's `lead_status` (the lead flow's, for segments); emits `contact.updated`
    (changed: lead_status) so segments and automations see it. One conditional UpdateItem that
    bumps the version, like `record_interaction`. Returns the person changed, or None."""
    if status not in LEAD_STATUSES:
        raise ValueError(f"unknown lead status {status!r}")
    person = find_person(tenant_id, person_id)
    if person is None or person.deleted_at or person.merged_into or (person.lead_status or "none") == status:
        return None
    if not mark_lead_status(person, status, events=[build(tenant_id, "contact.updated", entity_type="contact",
                                                          entity_id=person.person_id,
                                                          data={"changed": ["lead_status"]})]):
        return None
    return person.person_id


def strip_field_values(tenant_id: str, key: str) -> int:
    """Remove a deleted custom field's values from every person holding one; returns how many.

    Run by the segments worker on `field.deleted` (a walk of the people index, off the request
    path), so a field later re-created with the same key but another type never meets stale
    values. Idempotent; skipped if the field exists again by the time it runs.
    """
    from skailan.crm.vocabulary.definitions import load

    if any(field.key == key for field in load(tenant_id).fields):
        return 0
    stripped = 0
    for person in person_reads.brand_people(tenant_id):
        if key not in (person.custom or {}):
            continue
        for _attempt in range(CONFLICT_RETRIES):
            before = derive(person)
            person.custom = {k: v for k, v in (person.custom or {}).items() if k != key}
            try:
                write_person(tenant_id, before, person)
                stripped += 1
                break
            except Conflict:  # edited meanwhile: read it again
                fresh = find_person(tenant_id, person.person_id, consistent=True)
                if fresh is None or fresh.deleted_at or key not in (fresh.custom or {}):
                    break
                person = fresh
    return stripped


def _renamed_tags(tags: list[str], old_key: str, new_name: str) -> list[str]:
    """The person's tags with the old tag's spelling replaced by the new name in place; a person
    who already had the new tag keeps it once (merged)."""
    out: list[str] = []
    seen: set[str] = set()
    for tag in tags:
        spelling = new_name if tag_key(tag) == old_key else tag
        if tag_key(spelling) not in seen:
            seen.add(tag_key(spelling))
            out.append(spelling)
    return out


def retag_person(tenant_id: str, person_id: str, old_key: str, new_name: str) -> bool:
    """Move one person from a renamed tag to its new name: the person's tags, facet items and both
    tags' counts in one conditional transaction (the person's version), with a `contact.updated`
    so their segments follow. False (nothing written) when they no longer hold the old tag — a
    redelivered event, or untagged meanwhile."""
    for _attempt in range(CONFLICT_RETRIES):
        person = find_person(tenant_id, person_id, consistent=True)
        if person is None or person.deleted_at or person.merged_into:
            return False
        if old_key not in {tag_key(t) for t in person.tags or []}:
            return False
        before = derive(person)
        old_spelling = next(t for t in person.tags or [] if tag_key(t) == old_key)
        person.tags = _renamed_tags(list(person.tags or []), old_key, new_name)
        event = build(tenant_id, "contact.updated", entity_type="contact", entity_id=person_id,
                      data={"changed": ["tags"], "tag_renamed": {"from": old_spelling, "to": new_name}})
        try:
            write_person(tenant_id, before, person, events=[event])
            return True
        except Conflict:  # edited meanwhile: read it again
            continue
    raise Conflict(both("La persona cambió mientras se renombraba la etiqueta",
                        "The person changed while the tag was being renamed"), code="concurrent_update")


def _has_memberships(tenant_id: str, person_id: str) -> bool:
    return person_reads.has_memberships(tenant_id, person_id)


def remove_memberships(tenant_id: str, person_id: str) -> None:
    """Drop the person's list and segment memberships, each with its list/segment count."""
    from skailan.crm.store.memberships import remove_membership

    for facet in person_reads.person_facets(tenant_id, person_id):
        remove_membership(tenant_id, facet)


# ---------------------------------------------------------------- listing and search


class PeopleFilter:
    """The list filters (see `list_people`); every one optional."""

    q: str | None
    tag: str | None
    journey_state: str | None
    owner_id: str | None
    customer_role: str | None
    list_id: str | None
    segment_id: str | None
    created_from: str | None
    created_to: str | None
    updated_from: str | None
    updated_to: str | None
    FIELDS = ("q", "tag", "journey_state", "owner_id", "customer_role", "list_id", "segment_id", "created_from",
              "created_to", "updated_from", "updated_to")

    def __init__(self, **filters: str | None) -> None:
        unknown = set(filters) - set(self.FIELDS)
        if unknown:
            raise TypeError(f"unknown filters {sorted(unknown)}")
        for name in self.FIELDS:
            setattr(self, name, filters.get(name))

    def accepts(self, item: PersonItem) -> bool:
        if item.deleted_at or item.merged_into:
            return False
        if self.tag and tag_key(self.tag) not in {tag_key(t) for t in item.tags or []}:
            return False
        for name in ("journey_state", "owner_id", "customer_role"):
            wanted = getattr(self, name)
            if wanted and getattr(item, name) != wanted:
                return False
        if not _in_range(item.created_at, self.created_from, self.created_to):
            return False
        return _in_range(item.updated_at, self.updated_from, self.updated_to)


def _in_range(value: str | None, start: str | None, end: str | None) -> bool:
    if not start and not end:
        return True
    if not value:
        return False
    return (not start or value >= start) and (not end or value <= end + "\uffff")


def _driver(f: PeopleFilter) -> tuple[str, str] | str:
    """What to Query: the most selective facet the filters name, as (facet, value); else the
    people index by "created" or, with only an updated range, by "updated"."""
    for facet, value in (("list", f.list_id), ("segment", f.segment_id),
                         ("tag", tag_key(f.tag) if f.tag else None), ("journey", f.journey_state),
                         ("role", f.customer_role), ("owner", f.owner_id)):
        if value:
            return facet, value
    if (f.updated_from or f.updated_to) and not (f.created_from or f.created_to):
        return "updated"
    return "created"


def list_people(tenant_id: str, f: PeopleFilter, *, cursor: str | None, limit: int | None) -> Page[PersonOut]:
    from skailan.crm.values.text import search_prefix

    limit = clamp_limit(limit)
    q = (f.q or "").strip()
    if q:
        found = _search_identity(tenant_id, q)
        if found is not None:
            people = [p for p in found if f.accepts(p)]
            return Page[PersonOut](items=[to_out(p) for p in people])
        prefix = search_prefix(q)
        if prefix:
            return _search_name(tenant_id, prefix, f, cursor, limit)
        return Page[PersonOut](items=[])
    driver = _driver(f)
    if isinstance(driver, str):
        by_updated = driver == "updated"
        listed = person_reads.people_page(tenant_id, by_updated=by_updated,
                                         start=f.updated_from if by_updated else f.created_from,
                                         end=f.updated_to if by_updated else f.created_to, cursor=cursor, limit=limit)
        people = [p for p in listed.items if f.accepts(p)]
        return Page[PersonOut](items=[to_out(p) for p in people], next_cursor=listed.next_cursor)
    ids, next_cursor = person_reads.facet_people_page(tenant_id, *driver, start=f.created_from, end=f.created_to,
                                                      cursor=cursor, limit=limit)
    found_people = batch_people(tenant_id, ids)
    people = [found_people[i] for i in ids if i in found_people and f.accepts(found_people[i])]
    return Page[PersonOut](items=[to_out(p) for p in people], next_cursor=next_cursor)


def owned_person_ids(tenant_id: str, owner_id: str, *, limit: int) -> list[str] | None:
    """The ids of the people `owner_id` owns (the owner facet index), or None when more than
    `limit`: the inbox's "conversations by owner" filter."""
    ids: list[str] = []
    for person_id in person_reads.facet_person_ids(tenant_id, "owner", owner_id, page_size=limit + 1):
        ids.append(person_id)
        if len(ids) > limit:
            return None
    return ids


def _search_identity(tenant_id: str, q: str) -> list[PersonItem] | None:
    """An e-mail or phone query: one GetItem on the identity (+ one on the person); None if q is a name."""
    from skailan.crm.values.emails import InvalidEmail
    from skailan.crm.values.phones import InvalidPhone

    if "@" in q:
        try:
            email = normalize_email(q, field_name="q")
        except InvalidEmail:
            return []
        person = find_by_identity(tenant_id, "email", email)
        return [person] if person else []
    if _PHONE_LIKE.match(q) and sum(ch.isdigit() for ch in q) >= 6:
        try:
            phone = normalize_phone(q, default_country(tenant_id), field_name="q")
        except InvalidPhone:
            return None
        person = find_by_identity(tenant_id, "phone", phone_identity(phone).key)
        return [person] if person else []
    return None


def _search_name(tenant_id: str, prefix: str, f: PeopleFilter, cursor: str | None, limit: int) -> Page[PersonOut]:
    ids, next_cursor = person_reads.name_matches_page(tenant_id, prefix, cursor=cursor, limit=limit)
    found = batch_people(tenant_id, ids)
    people = [found[i] for i in ids if i in found and f.accepts(found[i])]
    return Page[PersonOut](items=[to_out(p) for p in people], next_cursor=next_cursor)
