"""Reading a person item: the lookups every CRM module shares (people, lists, timeline, sales,
imports) and other contexts call. Below `people.py`, so the modules `people.py` itself imports
(lists, timeline) can read people without importing it back.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from skailan.crm.store import records
from skailan.crm.store.items import (
    FACET,
    IDENTITY_SK,
    PERSON_SK,
    FacetItem,
    IdentityItem,
    NameKeyItem,
    PeopleCountItem,
    PersonItem,
    facet_index_pk,
    identity_pk,
    name_index_pk,
    people_index_pk,
    person_pk,
    stats_pk,
    timed_sk_upto,
)
from skailan.platform.errors import Conflict, NotFound
from skailan.platform.i18n import both

NOT_FOUND = both("Persona no encontrada", "Person not found")


def find_person(tenant_id: str, person_id: str, *, consistent: bool = False) -> PersonItem | None:
    try:
        return PersonItem.get(person_pk(tenant_id, person_id), PERSON_SK, consistent_read=consistent)
    except PersonItem.DoesNotExist:
        return None


def load_person(tenant_id: str, person_id: str, *, writable: bool = False) -> PersonItem:
    """The person, or 404 (deleted people too); `writable` refuses a merged person with 409."""
    item = find_person(tenant_id, person_id, consistent=writable)
    if item is None or item.deleted_at:
        raise NotFound(NOT_FOUND, code="contact_not_found")
    if writable and item.merged_into:
        raise Conflict(both("La persona fue fusionada con otra", "The person was merged into another"),
                       code="contact_merged", details={"merged_into": item.merged_into})
    return item


def batch_people(tenant_id: str, person_ids: list[str], *, consistent: bool = False) -> dict[str, PersonItem]:
    keys = [(person_pk(tenant_id, pid), PERSON_SK) for pid in dict.fromkeys(person_ids)]
    return {p.person_id: p for p in PersonItem.batch_get(keys, consistent_read=consistent)} if keys else {}


def find_by_identity(tenant_id: str, kind: str, key: str) -> PersonItem | None:
    """The live person holding the identity (one GetItem on the identity, one on the person)."""
    try:
        ident = IdentityItem.get(identity_pk(tenant_id, kind, key), IDENTITY_SK)
    except IdentityItem.DoesNotExist:
        return None
    person = find_person(tenant_id, ident.person_id)
    if person is None or person.deleted_at:
        return None
    return person


def people_total(tenant_id: str) -> int:
    """Live people in the brand: one Query on the count shards (constant, however large the brand)."""
    return max(sum(int(item.count or 0) for item in PeopleCountItem.query(
        stats_pk(tenant_id), PeopleCountItem.sk.startswith("PEOPLE#"), consistent_read=True)), 0)


# ---------------------------------------------------------------- listings of people


def _time_range(attr: Any, start: str | None, end: str | None) -> Any:
    """A `<time>#<id>` sort key between `start` and `end` (either open), or None."""
    if start and end:
        return attr.between(start, timed_sk_upto(end))
    if start:
        return attr >= start
    if end:
        return attr <= timed_sk_upto(end)
    return None


def brand_people(tenant_id: str) -> Iterator[PersonItem]:
    """Every person item on the brand's people index (1 MB pages; never a Scan)."""
    for item in PersonItem.gsi1.query(people_index_pk(tenant_id)):
        if isinstance(item, PersonItem):
            yield item


def people_page(tenant_id: str, *, by_updated: bool, start: str | None, end: str | None, cursor: str | None,
                limit: int) -> records.Found[PersonItem]:
    """The brand's people, newest first by creation (gsi1) or by last update (`by_updated`: gsi2),
    within `start`..`end` of that time."""
    number = 2 if by_updated else 1
    found = records.index_page(PersonItem, number, people_index_pk(tenant_id),
                               _time_range(PersonItem.gsi2sk if by_updated else PersonItem.gsi1sk, start, end),
                               cursor=cursor, limit=limit, newest_first=True)
    return records.Found([p for p in found.items if isinstance(p, PersonItem)], found.next_cursor)


def facet_people_page(tenant_id: str, facet: str, value: str, *, start: str | None, end: str | None,
                      cursor: str | None, limit: int) -> tuple[list[str], str | None]:
    """Ids of the people holding a facet (tag, journey, role, owner, list, segment), newest first,
    created within `start`..`end`; and the next page's cursor."""
    found = records.index_page(FacetItem, 1, facet_index_pk(tenant_id, facet, value),
                               _time_range(FacetItem.gsi1sk, start, end), cursor=cursor, limit=limit,
                               newest_first=True)
    return [x.person_id for x in found.items], found.next_cursor


def facet_person_ids(tenant_id: str, facet: str, value: str, *, page_size: int) -> Iterator[str]:
    """Ids of the people holding a facet, read `page_size` at a time (stop reading when done)."""
    for facet_item in FacetItem.gsi1.query(facet_index_pk(tenant_id, facet, value), page_size=page_size):
        yield facet_item.person_id


def name_matches_page(tenant_id: str, prefix: str, *, cursor: str | None, limit: int) -> tuple[list[str], str | None]:
    """Ids of the people one of whose name keys starts with `prefix` (a person once per page)."""
    found = records.index_page(NameKeyItem, 1, name_index_pk(tenant_id), NameKeyItem.gsi1sk.startswith(prefix),
                               cursor=cursor, limit=limit)
    return list(dict.fromkeys(k.person_id for k in found.items)), found.next_cursor


def has_memberships(tenant_id: str, person_id: str) -> bool:
    """The person still holds facet items (lists, segments…): one Limit=1 Query."""
    return any(True for _ in FacetItem.query(person_pk(tenant_id, person_id), FacetItem.sk.startswith(FACET), limit=1))


def person_facets(tenant_id: str, person_id: str) -> list[FacetItem]:
    return list(FacetItem.query(person_pk(tenant_id, person_id), FacetItem.sk.startswith(FACET)))
