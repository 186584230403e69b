"""Checks that an id a CRM request names is something of the caller's brand — one rule per kind
of reference, written once (people, deals, tasks, businesses, forms and imports use them).

The rule a brand's default (pipeline, journey) follows is here too (`keep_default`).

Each check appends the field's error to the request's `errors` list (the 422's details), so a
request reports every bad reference at once. Ids are checked with the one id grammar
(`platform.ids.is_valid_id`) before any read: a malformed id is unknown, never a key.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from skailan.crm.store.person_reads import find_person
from skailan.platform.errors import Conflict, NotFound
from skailan.platform.i18n import both
from skailan.platform.ids import is_valid_id
from skailan.tenancy.member_reads import find_member

UNKNOWN_OWNER = both("Responsable desconocido", "Unknown owner")


def check_member(errors: list[dict[str, Any]], tenant_id: str, user_id: str | None, *, field: str = "owner_id",
                 message: str = UNKNOWN_OWNER, active_only: bool = False) -> None:
    """A member of the brand: invited or active (an owner may be set before they sign in), or only
    active where the reference must act now (a task's assignee gets reminders); never disabled."""
    if not user_id:
        return
    member = find_member(tenant_id, user_id)
    if member is None or member.status == "disabled" or (active_only and member.status != "active"):
        errors.append({"field": field, "error": "unknown", "message": message})


def check_person(errors: list[dict[str, Any]], tenant_id: str, person_id: str | None, *,
                 field: str = "person_id") -> None:
    """A live person of the brand (not deleted)."""
    if not person_id:
        return
    person = find_person(tenant_id, person_id) if is_valid_id(person_id) else None
    if person is None or person.deleted_at:
        errors.append({"field": field, "error": "unknown", "message": both("Persona no encontrada",
                                                                           "Person not found")})


def existing[T](item: T | None, es: str, en: str, code: str) -> T:
    """The item a request names, or 404 with its kind's message (`es` / `en`) and code."""
    if item is None:
        raise NotFound(both(es, en), code=code)
    return item


def found_by_id[T](item_id: str, find: Callable[[str], T | None], message: str, code: str) -> T:
    """The item an id of the request names (`find`), or 404 `code`: a malformed id is unknown, never a key."""
    item = find(item_id) if is_valid_id(item_id) else None
    if item is None:
        raise NotFound(message, code=code)
    return item


def keep_default(item: Any, requested: bool | None, message: str, code: str) -> None:
    """A brand always has one default: `requested` True makes the item it (the caller unsets the
    others in the same write); False on the default is refused with 409 `code` (make another one
    the default instead)."""
    if requested is False and item.is_default:
        raise Conflict(message, code=code)
    if requested:
        item.is_default = True
