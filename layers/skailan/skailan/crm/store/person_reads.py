"""Reading a person item: the lookups every CRM module shares (people, lists, timeline, sales,
imports) and other contexts call. Below `people.py`, so the modules `people.py` itself imports
(lists, timeline) can read people without importing it back.
"""

from __future__ import annotations

from skailan.crm.store.items import (
    IDENTITY_SK,
    PERSON_SK,
    IdentityItem,
    PeopleCountItem,
    PersonItem,
    identity_pk,
    person_pk,
    stats_pk,
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
