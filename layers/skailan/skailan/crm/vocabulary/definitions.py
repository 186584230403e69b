"""A brand's CRM vocabulary: custom field definitions, tags, customer roles and journeys.

Fields, customer roles and journeys share one small partition (`T#<t>#DEF`) so every person
write reads them with one Query (`load`). Tags live apart (`T#<t>#TAGS`): a brand can have
many, they are created on first use, and each keeps a people count updated by `ADD` in the
same transaction that tags or untags a person. Removing something people still use
(a tag with people, a role or journey state someone is in) is refused with 409 — one
`Limit=1` Query on the facet index tells.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from skailan.crm.events import build
from skailan.crm.references import existing, keep_default
from skailan.crm.store import vocabulary as store
from skailan.crm.store.items import CustomerRoleItem, FieldDefinitionItem, JourneyItem, TagItem
from skailan.crm.values.text import fold, tag_key
from skailan.crm.values.types import Page
from skailan.crm.vocabulary.models import (
    CustomerRoleIn,
    CustomerRoleOut,
    CustomerRoleUpdateIn,
    FieldDefinitionBody,
    FieldOut,
    JourneyIn,
    JourneyOut,
    JourneyStateOut,
    JourneyUpdateIn,
    TagIn,
    TagOut,
    TagUpdateIn,
)
from skailan.platform.auth import Caller
from skailan.platform.clock import iso
from skailan.platform.errors import Conflict, NotFound, Unprocessable
from skailan.platform.i18n import both
from skailan.platform.ids import new_id

if TYPE_CHECKING:
    from skailan.crm.vocabulary.fields import FieldDefinition, FieldDefinitionIn


@dataclass
class Definitions:
    fields: list[FieldDefinition] = field(default_factory=list)
    roles: dict[str, CustomerRoleItem] = field(default_factory=dict)
    journeys: list[JourneyItem] = field(default_factory=list)

    @property
    def state_ids(self) -> set[str]:
        return {s["id"] for j in self.journeys for s in j.states}

    @property
    def default_state(self) -> str | None:
        for journey in self.journeys:
            if journey.is_default and journey.states:
                return journey.states[0]["id"]
        return None


def load(tenant_id: str) -> Definitions:
    """Fields, customer roles and journeys of a brand: one Query (paginated only if huge)."""
    from skailan.crm.vocabulary.fields import FieldDefinition

    out = Definitions()
    for item in store.definitions(tenant_id):
        if isinstance(item, FieldDefinitionItem):
            out.fields.append(FieldDefinition.model_validate(item.definition))
        elif isinstance(item, CustomerRoleItem):
            out.roles[item.role_id] = item
        elif isinstance(item, JourneyItem):
            out.journeys.append(item)
    out.fields.sort(key=lambda d: (d.order, d.key))
    out.journeys.sort(key=lambda j: (j.position, j.created_at or ""))
    return out


def facet_in_use(tenant_id: str, facet: str, value: str) -> bool:
    return store.facet_in_use(tenant_id, facet, value)


# ---------------------------------------------------------------- custom fields


def _field_out(d: FieldDefinition) -> FieldOut:
    return FieldOut(key=d.key, label=d.label, order=d.order, type=str(d.type), required=d.required,
                    options=list(d.options), scope=d.scope)


def list_fields(tenant_id: str) -> list[FieldOut]:
    return [_field_out(d) for d in load(tenant_id).fields]


def _definition_in(body: FieldDefinitionBody | FieldDefinitionIn) -> FieldDefinitionIn:
    """The body through the field rules of `crm.fields` (options vs type, labels…); 422 naming the field.

    Callers inside the CRM (imports) may pass a `FieldDefinitionIn` directly.
    """
    from pydantic import ValidationError

    from skailan.crm.vocabulary.fields import FieldDefinitionIn

    if isinstance(body, FieldDefinitionIn):
        return body
    try:
        return FieldDefinitionIn.model_validate(body.model_dump(exclude_unset=True))
    except ValidationError as err:
        # Model-level rules (options vs type) have no location: they are about `options`.
        details = [{"field": ".".join(str(p) for p in e["loc"]) or "options", "error": e["msg"], "type": e["type"]}
                   for e in err.errors()]
        raise Unprocessable(both("La definición del campo no es válida", "The field definition is not valid"),
                            details=details) from None


def create_field(caller: Caller, body: FieldDefinitionBody | FieldDefinitionIn) -> FieldOut:
    data = _definition_in(body)
    existing = [d.key for d in load(caller.tenant_id).fields]
    definition = data.to_definition(existing)
    event = build(caller.tenant_id, "field.created", caller=caller, entity_type="field", entity_id=definition.key,
                  data={"type": str(definition.type), "label": definition.label})
    if store.new_field(caller.tenant_id, definition.key, definition.model_dump(mode="json"), iso(),
                       events=[event]) is None:
        raise Conflict(both("Ya existe un campo con esa clave", "A field with that key exists"), code="field_exists",
                       details=[{"field": "key", "error": "taken"}])
    return _field_out(definition)


def _load_field(tenant_id: str, key: str) -> FieldDefinitionItem:
    return existing(store.find_field(tenant_id, key), "Campo no encontrado", "Field not found", "field_not_found")


def replace_field(caller: Caller, key: str, body: FieldDefinitionBody) -> FieldOut:
    from skailan.crm.vocabulary.fields import FieldDefinition

    data = _definition_in(body)
    item = _load_field(caller.tenant_id, key)
    old = FieldDefinition.model_validate(item.definition)
    if data.key not in (None, key):
        raise Unprocessable(both("La clave no se puede cambiar", "The key cannot change"),
                            details=[{"field": "key", "error": "immutable"}])
    if data.type != old.type:
        raise Conflict(both("El tipo de un campo no se puede cambiar", "A field's type cannot change"),
                       code="field_type_change", details=[{"field": "type", "error": "immutable"}])
    definition = FieldDefinition(key=key, **data.model_dump(exclude={"key"}))
    store.set_field_definition(item, definition.model_dump(mode="json"), iso(), events=[
        build(caller.tenant_id, "field.updated", caller=caller, entity_type="field", entity_id=key)])
    return _field_out(definition)


def delete_field(caller: Caller, key: str) -> None:
    item = _load_field(caller.tenant_id, key)
    store.delete(item, events=[build(caller.tenant_id, "field.deleted", caller=caller, entity_type="field",
                                     entity_id=key)])


# ---------------------------------------------------------------- tags


def _tag_out(item: TagItem, counts: bool) -> TagOut:
    count = int(item.count or 0)
    if counts and item.renaming_from:  # a rename in flight: the people not moved yet still count
        old = store.find_tag_key(item.tenant_id or "", item.renaming_from)
        count += int(old.count or 0) if old is not None and old.renamed_to else 0
    return TagOut(name=item.name or "", color=item.color, count=count if counts else None)


def list_tags(tenant_id: str, *, counts: bool, cursor: str | None, limit: int | None) -> Page[TagOut]:
    found = store.tags_page(tenant_id, cursor=cursor, limit=limit)
    return Page[TagOut](items=[_tag_out(i, counts) for i in found.items if i.name and not i.renamed_to],
                        next_cursor=found.next_cursor)


def create_tag(caller: Caller, data: TagIn) -> TagOut:
    name = " ".join(data.name.split())
    event = build(caller.tenant_id, "tag.created", caller=caller, entity_type="tag", entity_id=tag_key(name),
                  data={"name": name})
    item = store.new_tag(caller.tenant_id, name, data.color, iso(), events=[event])
    if item is None:
        raise _tag_exists()
    return _tag_out(item, True)


def _tag_exists() -> Conflict:
    return Conflict(both("La etiqueta ya existe", "The tag exists"), code="tag_exists",
                    details=[{"field": "name", "error": "taken"}])


def _load_tag(tenant_id: str, name: str) -> TagItem:
    item = store.find_tag(tenant_id, name)
    # A tag being renamed is already gone for the API (its people are moving to the new name).
    found = item if item is not None and item.name and not item.renamed_to else None
    return existing(found, "Etiqueta no encontrada", "Tag not found", "tag_not_found")


def _renaming(item: TagItem) -> Conflict:
    return Conflict(both("La etiqueta se está renombrando; inténtalo en unos segundos",
                         "The tag is being renamed; try again in a few seconds"), code="tag_renaming")


def update_tag(caller: Caller, name: str, data: TagUpdateIn) -> TagOut:
    """Colour and/or name. The same folded name only respells the tag in place; another name
    creates the new tag and marks the old one renaming in one transaction with `tag.renamed`:
    the segments worker then moves the people (`apply_tag_rename`)."""
    item = _load_tag(caller.tenant_id, name)
    sent = data.model_fields_set
    color = (data.color or None) if "color" in sent else item.color
    new_name = " ".join(data.name.split()) if data.name is not None else None
    if new_name is not None and tag_key(new_name) != tag_key(item.name or ""):
        if item.renaming_from:
            raise _renaming(item)
        if store.find_tag(caller.tenant_id, new_name) is not None:
            raise _tag_exists()
        event = build(caller.tenant_id, "tag.renamed", caller=caller, entity_type="tag", entity_id=tag_key(new_name),
                      data={"from": item.name, "to": new_name})
        renamed = store.start_tag_rename(item, new_name, color, iso(), events=[event])
        if renamed is None:  # the new name was taken (or the tag renamed) meanwhile
            raise _tag_exists()
        return _tag_out(renamed, True)
    changes: dict[str, Any] = {"color": color, "updated_at": iso()}
    if new_name is not None:
        changes["name"] = new_name  # only the spelling changes: same key, nobody to move
    store.set_tag_fields(item, changes, events=[
        build(caller.tenant_id, "tag.updated", caller=caller, entity_type="tag", entity_id=tag_key(name),
              data={"changed": sorted(sent)})])
    return _tag_out(item, True)


RENAME_PASSES = 3  # people tagged with the old name during the walk are caught by the next pass


def apply_tag_rename(tenant_id: str, old_name: str, new_name: str) -> int:
    """The segments worker's side of `tag.renamed`: walk the old tag's facet index (paged) and move
    each person (`retag_person`, one conditional transaction each), then drop the old tag item once
    its count is 0. Idempotent: a redelivered event skips the people already moved and finishes the
    job. Raises when people still hold the old tag after the passes (the event is retried)."""
    from skailan.crm.people.service import retag_person

    old_key, new_key = tag_key(old_name), tag_key(new_name)
    old = store.find_tag_key(tenant_id, old_key, consistent=True)
    if old is None or old.renamed_to != new_key:
        return 0  # already finished (or never started): nothing to move
    target = store.find_tag_key(tenant_id, new_key, consistent=True)
    spelling = target.name if target is not None and target.name else new_name
    moved = 0
    for _pass in range(RENAME_PASSES):
        for person_id in store.tag_holders(tenant_id, old_key):  # paged; moved items behind the cursor
            moved += retag_person(tenant_id, person_id, old_key, spelling)
        if store.finish_tag_rename(tenant_id, old_key, new_key):
            return moved
    raise RuntimeError(f"tag rename {old_key} -> {new_key}: people still hold the old tag")


def delete_tag(caller: Caller, name: str) -> None:
    item = _load_tag(caller.tenant_id, name)
    if item.renaming_from:
        raise _renaming(item)
    if facet_in_use(caller.tenant_id, "tag", tag_key(name)):
        raise Conflict(both("La etiqueta tiene personas; quítala de ellas primero",
                            "People still have this tag; remove it from them first"), code="tag_in_use")
    store.delete(item, events=[build(caller.tenant_id, "tag.deleted", caller=caller, entity_type="tag",
                                     entity_id=tag_key(name))])


# ---------------------------------------------------------------- customer roles


def _role_out(item: CustomerRoleItem) -> CustomerRoleOut:
    return CustomerRoleOut(id=item.role_id, name=item.name, description=item.description)


def list_customer_roles(tenant_id: str) -> list[CustomerRoleOut]:
    return sorted((_role_out(r) for r in load(tenant_id).roles.values()), key=lambda r: fold(r.name))


def create_customer_role(caller: Caller, data: CustomerRoleIn) -> CustomerRoleOut:
    role_id = new_id().lower()
    item = store.new_customer_role(caller.tenant_id, role_id, data.name, data.description, iso(), events=[
        build(caller.tenant_id, "customer_role.created", caller=caller, entity_type="customer_role",
              entity_id=role_id, data={"name": data.name})])
    return _role_out(item)


def _load_role(tenant_id: str, role_id: str) -> CustomerRoleItem:
    return existing(store.find_customer_role(tenant_id, role_id), "Rol de cliente no encontrado",
                    "Customer role not found", "customer_role_not_found")


def update_customer_role(caller: Caller, role_id: str, data: CustomerRoleUpdateIn) -> CustomerRoleOut:
    item = _load_role(caller.tenant_id, role_id)
    patch = data.model_dump(exclude_unset=True)
    store.set_customer_role_fields(item, {**{k: v for k, v in patch.items() if v is not None}, "updated_at": iso()},
                                   events=[build(caller.tenant_id, "customer_role.updated", caller=caller,
                                                 entity_type="customer_role", entity_id=role_id)])
    return _role_out(item)


def delete_customer_role(caller: Caller, role_id: str) -> None:
    item = _load_role(caller.tenant_id, role_id)
    if facet_in_use(caller.tenant_id, "role", role_id):
        raise Conflict(both("Hay personas con este rol", "People still have this role"), code="customer_role_in_use")
    store.delete(item, events=[build(caller.tenant_id, "customer_role.deleted", caller=caller,
                                     entity_type="customer_role", entity_id=role_id)])


# ---------------------------------------------------------------- journeys


def _journey_out(item: JourneyItem) -> JourneyOut:
    return JourneyOut(id=item.journey_id, name=item.name, is_default=bool(item.is_default),
                      show_in_menu=bool(item.show_in_menu), position=int(item.position or 0),
                      states=[JourneyStateOut(**s) for s in item.states])


def list_journeys(tenant_id: str) -> list[JourneyOut]:
    return [_journey_out(j) for j in load(tenant_id).journeys]


def _states(raw: list[Any], taken: set[str]) -> list[dict[str, str]]:
    """State ids are unique in the brand (people hold a state id); default: a slug of the name."""
    from skailan.crm.vocabulary.fields import field_key_from_label

    states: list[dict[str, str]] = []
    errors: list[dict[str, str]] = []
    seen: set[str] = set()
    for i, state in enumerate(raw):
        state_id = state.id or field_key_from_label(state.name)
        if state_id in seen or state_id in taken:
            errors.append({"field": f"states[{i}].id", "error": "taken",
                           "message": both("Ya existe un estado con ese id", "A state with that id exists")})
        seen.add(state_id)
        states.append({"id": state_id, "name": state.name, "color": state.color})
    if errors:
        raise Unprocessable(both("Los estados no son válidos", "The states are not valid"), details=errors)
    return states


def _other_defaults(journeys: list[JourneyItem], keep_id: str) -> list[JourneyItem]:
    return [other for other in journeys if other.is_default and other.journey_id != keep_id]


def create_journey(caller: Caller, data: JourneyIn) -> JourneyOut:
    definitions = load(caller.tenant_id)
    states = _states(data.states, definitions.state_ids)
    journey_id = new_id().lower()
    now = iso()
    is_default = data.is_default or not any(j.is_default for j in definitions.journeys)
    item = store.new_journey_item(caller.tenant_id, journey_id, name=data.name, states=states, is_default=is_default,
                                  show_in_menu=data.show_in_menu, position=data.position, created_at=now,
                                  updated_at=now)
    store.save_journey(item, new=True,
                       other_defaults=_other_defaults(definitions.journeys, journey_id) if is_default else [],
                       events=[build(caller.tenant_id, "journey.created", caller=caller, entity_type="journey",
                                     entity_id=journey_id, data={"name": data.name,
                                                                 "states": [s["id"] for s in states]})])
    return _journey_out(item)


def _find_journey(definitions: Definitions, journey_id: str) -> JourneyItem:
    for journey in definitions.journeys:
        if journey.journey_id == journey_id:
            return journey
    raise NotFound(both("Recorrido no encontrado", "Journey not found"), code="journey_not_found")


def get_journey(tenant_id: str, journey_id: str) -> JourneyOut:
    return _journey_out(_find_journey(load(tenant_id), journey_id))


def _refuse_removed_states_in_use(tenant_id: str, removed: set[str]) -> None:
    busy = sorted(s for s in removed if facet_in_use(tenant_id, "journey", s))
    if busy:
        raise Conflict(both("Hay personas en estados que quitas", "People are in states you remove"),
                       code="journey_state_in_use", details={"states": busy})


def update_journey(caller: Caller, journey_id: str, data: JourneyUpdateIn) -> JourneyOut:
    definitions = load(caller.tenant_id)
    item = _find_journey(definitions, journey_id)
    patch = data.model_dump(exclude_unset=True)
    if "states" in patch and data.states is not None:
        others = definitions.state_ids - {s["id"] for s in item.states}
        states = _states(data.states, others)
        _refuse_removed_states_in_use(caller.tenant_id, {s["id"] for s in item.states} - {s["id"] for s in states})
        item.states = states
    for key in ("name", "show_in_menu", "position"):
        if patch.get(key) is not None:
            setattr(item, key, patch[key])
    keep_default(item, data.is_default, both("Marca otro recorrido como predeterminado",
                                             "Make another journey the default"), "journey_default_required")
    item.updated_at = iso()
    store.save_journey(item, new=False,
                       other_defaults=_other_defaults(definitions.journeys, journey_id) if item.is_default else [],
                       events=[build(caller.tenant_id, "journey.updated", caller=caller, entity_type="journey",
                                     entity_id=journey_id, data={"changed": sorted(patch)})])
    return _journey_out(item)


def delete_journey(caller: Caller, journey_id: str) -> None:
    definitions = load(caller.tenant_id)
    item = _find_journey(definitions, journey_id)
    if item.is_default and len(definitions.journeys) > 1:
        raise Conflict(both("Marca otro recorrido como predeterminado antes", "Make another journey the default first"),
                       code="journey_default_required")
    _refuse_removed_states_in_use(caller.tenant_id, {s["id"] for s in item.states})
    store.delete(item, events=[build(caller.tenant_id, "journey.deleted", caller=caller, entity_type="journey",
                                     entity_id=journey_id)])


def journey_of_state(definitions: Definitions, state_id: str | None) -> tuple[str | None, str | None]:
    """(journey id, state name) of a state id."""
    for journey in definitions.journeys:
        for state in journey.states:
            if state["id"] == state_id:
                return journey.journey_id, state["name"]
    return None, None
