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
