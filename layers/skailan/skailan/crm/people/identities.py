"""Cross-channel identities and `resolve_or_create`, the one function the channels call.

An identity is `(kind, key) → person` in its own item (`T#<t>#ID#<kind>#<key>`), claimed with
`attribute_not_exists` in the same transaction as the person that holds it (see
`people.write_person`). Kinds: phone (key: `phone_match_key(E.164)`), email (normalised),
whatsapp (wa_id), telegram (user id), messenger (PSID), instagram (IGSID), webchat (visitor id),
sms (the raw sender of an SMS that is not a readable phone number: short code, alphanumeric id).

`resolve_or_create(tenant, channel, external_id, phone=, email=, display_name=)`:
1. the channel identity → that person (2 GetItems: identity, person);
2. else the phone / e-mail identity (a WhatsApp wa_id *is* a phone; an SMS sender id is one)
   → that person, and the channel identity is attached to them;
3. else a new person holding every identity, in one transaction.
Two concurrent calls for the same identity cannot both create: the loser's transaction fails
its condition, it re-reads, and returns the winner's person (`created=False`).
"""

from __future__ import annotations

from typing import NamedTuple

from skailan.crm.events import build
from skailan.crm.people.models import IdentityIn, IdentityOut
from skailan.crm.people.service import created_data, default_country, normalize_email, normalize_phone
from skailan.crm.store.items import PersonItem
from skailan.crm.store.person_reads import find_by_identity, load_person
from skailan.crm.store.person_writes import (
    Derived,
    Identity,
    IdentityTaken,
    derive,
    email_identity,
    identities_of,
    new_person_item,
    phone_identity,
    set_identity,
    touch,
    write_person,
)
from skailan.platform.auth import Caller
from skailan.platform.clock import iso
from skailan.platform.errors import Conflict, NotFound, Unprocessable
from skailan.platform.i18n import both
from skailan.platform.ids import new_id

# channel (as the channels context names it) → identity kind
CHANNEL_KINDS: dict[str, str] = {
    "whatsapp": "whatsapp",
    "telegram": "telegram",
    "messenger": "messenger",
    "instagram": "instagram",
    "webchat": "webchat",
    "email": "email",
    "sms": "phone",
    "phone": "phone",
}
MAX_ATTEMPTS = 4


class ResolvedPerson(NamedTuple):
    person_id: str
    name: str
    created: bool


def channel_identity(tenant_id: str, channel: str, external_id: str) -> Identity:
    """The identity a channel's sender id stands for; `Unprocessable` naming `external_id` if unusable."""
    kind = CHANNEL_KINDS.get(channel)
    value = (external_id or "").strip()
    if kind is None:
        raise ValueError(f"unknown channel {channel!r}")
    if not value or len(value) > 254 or "#" in value:
        raise Unprocessable(both("Identificador no válido", "Invalid identifier"),
                            details=[{"field": "external_id", "error": "invalid"}])
    if kind == "phone":
        try:
            return phone_identity(normalize_phone(value, default_country(tenant_id), field_name="external_id"))
        except Unprocessable:
            if channel != "sms":
                raise
            # Short codes, alphanumeric senders, ranges the phone library does not know: the
            # provider delivered the message, so the sender keeps its raw address as identity.
            return Identity("sms", value, value)
    if kind == "email":
        return email_identity(normalize_email(value, field_name="external_id"))
    if kind == "whatsapp":
        value = value.lstrip("+")
    return Identity(kind, value, value)


def _optional(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except Unprocessable:
        return None


def _candidates(tenant_id: str, channel: str, primary: Identity, phone: str | None,
                email: str | None) -> list[Identity]:
    from skailan.crm.values.phones import phone_from_whatsapp_id

    found: dict[tuple[str, str], Identity] = {(primary.kind, primary.key): primary}
    phones = []
    if channel == "whatsapp":
        phones.append(_optional(phone_from_whatsapp_id, primary.key))
    if phone:
        phones.append(_optional(normalize_phone, phone, default_country(tenant_id)))
    for e164 in phones:
        if e164:
            ident = phone_identity(e164)
            found.setdefault((ident.kind, ident.key), ident)
            break  # one phone per person
    normalized = _optional(normalize_email, email) if email else None
    if normalized:
        found.setdefault(("email", normalized), email_identity(normalized))
    return list(found.values())


def resolve_or_create(tenant_id: str, channel: str, external_id: str, *, phone: str | None = None,
                      email: str | None = None, display_name: str | None = None) -> ResolvedPerson:
    """The person behind a channel sender, created if nobody matches (see module doc)."""
    primary = channel_identity(tenant_id, channel, external_id)
    candidates = _candidates(tenant_id, channel, primary, phone, email)
    for _ in range(MAX_ATTEMPTS):
        person = find_by_identity(tenant_id, primary.kind, primary.key)
        if person is not None:
            return ResolvedPerson(person.person_id, person.name, False)
        for ident in candidates[1:]:
            person = find_by_identity(tenant_id, ident.kind, ident.key)
            if person is not None and not person.merged_into:
                try:
                    _attach(tenant_id, person, candidates, channel)
                except (IdentityTaken, Conflict):
                    break  # someone else moved meanwhile: look again
                return ResolvedPerson(person.person_id, person.name, False)
        else:
            try:
                item = _create(tenant_id, channel, candidates, display_name)
            except IdentityTaken:
                continue  # lost the race to a concurrent call: re-read and return the winner
            return ResolvedPerson(item.person_id, item.name, True)
    raise Conflict(both("No se pudo resolver la persona; reintenta", "Could not resolve the person; retry"),
                   code="contact_resolution_conflict")


def _create(tenant_id: str, channel: str, identities: list[Identity], display_name: str | None) -> PersonItem:
    from skailan.crm.vocabulary.definitions import load

    phone = next((i.value for i in identities if i.kind == "phone"), None)
    email = next((i.value for i in identities if i.kind == "email"), None)
    name = " ".join((display_name or "").split())[:200] or phone or email or f"{channel} {identities[0].value}"[:200]
    now = iso()
    item = new_person_item(tenant_id, new_id(), name, now)
    item.phone, item.email = phone, email
    item.identities = [i.as_json() for i in identities]
    item.journey_state = load(tenant_id).default_state
    write_person(tenant_id, None, item, events=[build(tenant_id, "contact.created", entity_type="contact",
                                                      entity_id=item.person_id,
                                                      data={**created_data(item), "channel": channel})])
    return item


def _attach(tenant_id: str, person: PersonItem, candidates: list[Identity], channel: str) -> None:
    """Give `person` the channel identity (and a phone/e-mail they lack) in one transaction."""
    held = identities_of(person)
    held_kinds = {k for k, _ in held}
    new = [i for i in candidates if (i.kind, i.key) not in held and
           (i.kind not in ("phone", "email") or i.kind not in held_kinds)]
    if not new:
        return
    before = derive(person)
    for ident in new:
        if ident.kind == "phone":
            person.phone = ident.value
        elif ident.kind == "email":
            person.email = ident.value
    person.identities = list(person.identities or []) + [i.as_json() for i in new]
    touch(person, iso())
    write_person(tenant_id, before, person, events=[
        build(tenant_id, "contact.updated", entity_type="contact", entity_id=person.person_id,
              data={"changed": ["identities"], "channel": channel,
                    "identities": [{"kind": i.kind, "value": i.value} for i in new]})])


# ---------------------------------------------------------------- API


def list_identities(tenant_id: str, person_id: str) -> list[IdentityOut]:
    person = load_person(tenant_id, person_id)
    return [IdentityOut(kind=i["kind"], value=i["value"]) for i in person.identities or []]


def add_identity(caller: Caller, person_id: str, data: IdentityIn) -> list[IdentityOut]:
    tenant_id = caller.tenant_id
    person = load_person(tenant_id, person_id, writable=True)
    channel = "phone" if data.kind == "phone" else data.kind
    try:
        ident = channel_identity(tenant_id, channel, data.value)
    except Unprocessable as err:
        for detail in err.details or []:
            detail["field"] = "value"
        raise
    held = identities_of(person)
    if (ident.kind, ident.key) in held:
        return list_identities(tenant_id, person_id)
    if ident.kind in {k for k, _ in held} and ident.kind in ("phone", "email"):
        raise Conflict(both("La persona ya tiene uno; cámbialo con PATCH", "The person has one; change it with PATCH"),
                       code="identity_kind_taken", details=[{"field": "kind", "error": "already_set"}])
    before = derive(person)
    if ident.kind == "phone":
        person.phone = ident.value
    elif ident.kind == "email":
        person.email = ident.value
    if ident.kind in ("phone", "email"):
        set_identity(person, ident, kind=ident.kind)
    else:
        person.identities = [*list(person.identities or []), ident.as_json()]
    return _save_identities(caller, before, person, "contact.identity_added", ident)


def remove_identity(caller: Caller, person_id: str, kind: str, value: str) -> list[IdentityOut]:
    """Release one identity of the person (the phone/e-mail too if it is one), so another person can
    claim it. A person keeps at least one identity, and a phone or e-mail if they had one (as PATCH)."""
    tenant_id = caller.tenant_id
    person = load_person(tenant_id, person_id, writable=True)
    if kind not in CHANNEL_KINDS.values():
        raise Unprocessable(both("Tipo de identidad desconocido", "Unknown identity kind"),
                            details=[{"field": "kind", "error": "unknown", "allowed": sorted(set(CHANNEL_KINDS.values()))}])
    missing = NotFound(both("La persona no tiene esa identidad", "The person has no such identity"),
                       code="identity_not_found")
    try:
        ident = channel_identity(tenant_id, kind, value)
    except Unprocessable:
        raise missing from None  # a value that does not normalise cannot be held
    held = identities_of(person)
    if (ident.kind, ident.key) not in held:
        raise missing
    remaining = [i for i in person.identities or [] if (i["kind"], i["key"]) != (ident.kind, ident.key)]
    if not remaining:
        raise Unprocessable(both("Es la única identidad de la persona", "It is the person's only identity"),
                            details=[{"field": "value", "error": "last_identity"}])
    if ident.kind in ("phone", "email") and not any(i["kind"] in ("phone", "email") for i in remaining):
        raise Unprocessable(both("La persona necesita un teléfono o un correo", "The person needs a phone or an e-mail"),
                            details=[{"field": "value", "error": "phone_or_email_required"}])
    before = derive(person)
    person.identities = remaining
    if ident.kind == "phone":
        person.phone = None
    elif ident.kind == "email":
        person.email = None
    return _save_identities(caller, before, person, "contact.identity_removed", ident)


def _save_identities(caller: Caller, before: Derived, person: PersonItem, event_type: str,
                     ident: Identity) -> list[IdentityOut]:
    """Write the person's changed identities and tell the others in the same transaction (the change, then contact.updated)."""
    touch(person, iso())
    write_person(caller.tenant_id, before, person, events=[
        build(caller.tenant_id, event_type, caller=caller, entity_type="contact", entity_id=person.person_id,
              data={"kind": ident.kind, "value": ident.value}),
        build(caller.tenant_id, "contact.updated", caller=caller, entity_type="contact",
              entity_id=person.person_id, data={"changed": ["identities"]})])
    return [IdentityOut(kind=i["kind"], value=i["value"]) for i in person.identities]
