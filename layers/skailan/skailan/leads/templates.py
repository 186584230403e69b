"""Note templates: title, text and tags. Using one fills the note and adds its tags to the person
(`flow.add_note`). Tags the brand has never used are created on use, as in the rest of the CRM."""

from __future__ import annotations

from skailan.leads import store
from skailan.leads.events import build
from skailan.leads.models import LeadPage, NoteTemplateIn, NoteTemplateOut, NoteTemplatePatchIn
from skailan.platform.auth import Caller
from skailan.platform.clock import iso
from skailan.platform.errors import Conflict, NotFound
from skailan.platform.i18n import both
from skailan.platform.ids import is_valid_id, new_id

# Spanish defaults every brand starts with (seeded by `seed_defaults`; stable ids so a re-run is a no-op).
DEFAULTS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("llamada-exitosa", "Llamada exitosa", "Se habló con el cliente y mostró interés. Próximo paso acordado.",
     ("llamada exitosa",)),
    # Its tag is what the demo automation "Llamar nuevamente → tarea de seguimiento" fires on (issue 15).
    ("llamar-nuevamente", "Llamar nuevamente", "El cliente pidió que lo llamemos de nuevo más tarde.",
     ("Llamar nuevamente",)),
    ("no-interesado", "No interesado", "El cliente dijo que no está interesado.", ("no interesado",)),
    ("no-contesta", "No contesta", "No contestó la llamada; se deja para otro intento.", ("no contesta",)),
    ("numero-equivocado", "Número equivocado", "El número no corresponde a la persona.", ("número equivocado",)),
)


def not_found() -> NotFound:
    return NotFound(both("Nota predefinida no encontrada", "Note template not found"), code="template_not_found")


def _clean_tags(tags: list[str]) -> list[str]:
    seen: dict[str, str] = {}
    for tag in tags:
        spelling = " ".join(tag.split())
        if spelling:
            seen.setdefault(spelling.casefold(), spelling)
    return list(seen.values())


def to_out(item: store.TemplateItem) -> NoteTemplateOut:
    return NoteTemplateOut(id=item.template_id, title=item.title, text=item.text, tags=list(item.tags or []),
                       created_at=item.created_at, updated_at=item.updated_at)


def list_templates(tenant_id: str) -> LeadPage[NoteTemplateOut]:
    items = sorted(store.list_templates(tenant_id), key=lambda i: i.title.casefold())
    return LeadPage[NoteTemplateOut](items=[to_out(i) for i in items])


def get_template(tenant_id: str, template_id: str) -> NoteTemplateOut:
    item = store.get_template(tenant_id, template_id) if is_valid_id(template_id) else None
    if item is None:
        raise not_found()
    return to_out(item)


def create_template(caller: Caller, body: NoteTemplateIn, *, template_id: str | None = None) -> NoteTemplateOut:
    tenant_id = caller.tenant_id
    item = store.new_template(tenant_id, template_id or new_id(), iso(), title=body.title, text=body.text,
                              tags=_clean_tags(body.tags))
    event = build(tenant_id, "note_template.created", caller=caller, entity_type="note_template",
                  entity_id=item.template_id, data={"title": item.title, "tags": item.tags})
    if not store.save_template(item, new=True, events=[event]):
        raise Conflict(both("La nota predefinida ya existe", "The note template already exists"),
                       code="template_exists")
    return to_out(item)


def update_template(caller: Caller, template_id: str, body: NoteTemplatePatchIn) -> NoteTemplateOut:
    tenant_id = caller.tenant_id
    item = store.get_template(tenant_id, template_id) if is_valid_id(template_id) else None
    if item is None:
        raise not_found()
    sent = body.model_fields_set
    if "title" in sent and body.title:
        item.title = body.title
    if "text" in sent and body.text:
        item.text = body.text
    if "tags" in sent and body.tags is not None:
        item.tags = _clean_tags(body.tags)
    item.updated_at = iso()
    event = build(tenant_id, "note_template.updated", caller=caller, entity_type="note_template",
                  entity_id=template_id, data={"changed": sorted(sent)})
    if not store.save_template(item, new=False, events=[event]):
        raise not_found()
    return to_out(item)


def delete_template(caller: Caller, template_id: str) -> None:
    event = build(caller.tenant_id, "note_template.deleted", caller=caller, entity_type="note_template",
                  entity_id=template_id)
    if not is_valid_id(template_id) or not store.delete_template(caller.tenant_id, template_id, [event]):
        raise not_found()


RETAG_TRIES = 3


def rename_tag(tenant_id: str, old_name: str, new_name: str) -> int:
    """The leads worker's side of `tag.renamed`: the brand's note templates naming the old tag
    (folded, as the CRM compares tags) name the new one, so using them no longer brings the old tag
    back. Conditional on the template as read (re-read on a concurrent edit); a redelivery finds
    nothing to rewrite. Returns how many templates changed."""
    from skailan.crm.values.text import tag_key

    old_key, changed = tag_key(old_name), 0
    for item in store.list_templates(tenant_id):
        current: store.TemplateItem | None = item
        for _try in range(RETAG_TRIES):
            if current is None or not any(t != new_name and tag_key(t) == old_key for t in current.tags or []):
                break
            tags = _clean_tags([new_name if tag_key(t) == old_key else t for t in current.tags or []])
            event = build(tenant_id, "note_template.updated", entity_type="note_template",
                          entity_id=current.template_id, data={"changed": ["tags"],
                                                               "tag_renamed": {"from": old_name, "to": new_name}})
            if store.retag_template(current, tags, iso(), [event]):
                changed += 1
                break
            current = store.get_template(tenant_id, item.template_id)
        else:
            raise RuntimeError(f"note template {item.template_id}: kept changing during a tag rename")
    return changed


def seed_defaults(tenant_id: str) -> int:
    """The Spanish default templates of a brand; those already there are left as they are."""
    from skailan.platform.auth import Caller as _Caller

    system = _Caller(tenant_id=tenant_id, principal_id="system", kind="system")
    created = 0
    for template_id, title, text, tags in DEFAULTS:
        if store.get_template(tenant_id, template_id) is None:
            try:
                create_template(system, NoteTemplateIn(title=title, text=text, tags=list(tags)),
                                template_id=template_id)
            except Conflict:  # the brand.created event and the local seed may race: one wins
                continue
            created += 1
    return created
