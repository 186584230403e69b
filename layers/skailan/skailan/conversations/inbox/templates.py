"""The WhatsApp template registry: per WhatsApp account, the templates Meta approved (or not).

Creating or editing a template submits it to Meta for approval; its status then follows Meta's
webhooks and the manual sync (`template_sync.py`). Sending a template (`POST
/v1/conversations/{id}/messages` with `template`) is checked here before anything is queued: the
template must exist for the conversation's account in that language, be approved, and receive
exactly its number of body parameters — a 422 says which is missing.
"""

from __future__ import annotations

import re

from skailan.conversations.inbox.models import (
    Page,
    WhatsAppTemplateIn,
    WhatsAppTemplateOut,
    WhatsAppTemplateRegistration,
    WhatsAppTemplateUpdateIn,
)
from skailan.conversations.inbox_events import build
from skailan.conversations.store import templates as store
from skailan.conversations.store.inbox_items import WhatsAppTemplateItem
from skailan.platform.auth import Caller
from skailan.platform.clock import iso
from skailan.platform.errors import Conflict, NotFound, Unprocessable
from skailan.platform.storage import ConditionFailed

_PLACEHOLDER = re.compile(r"\{\{\s*(\d+)\s*\}\}")


def body_parameters(body: str | None) -> int:
    """How many {{n}} parameters a template body takes (the highest n)."""
    numbers = [int(n) for n in _PLACEHOLDER.findall(body or "")]
    return max(numbers, default=0)


def render(body: str | None, parameters: list[str]) -> str | None:
    """The text the customer reads: the body with {{n}} replaced by the n-th parameter (what is
    stored and shown in the conversation; Meta renders the same from name + parameters)."""
    if not body:
        return None

    def value(match: re.Match[str]) -> str:
        index = int(match.group(1)) - 1
        return parameters[index] if 0 <= index < len(parameters) else match.group(0)

    return _PLACEHOLDER.sub(value, body)


def find(tenant_id: str, account_id: str, name: str, language: str) -> WhatsAppTemplateOut | None:
    """The brand's template of that account, name and language, or None."""
    item = _find(tenant_id, account_id, name, language)
    return _out(item) if item is not None else None


def _out(item: WhatsAppTemplateItem) -> WhatsAppTemplateOut:
    return WhatsAppTemplateOut(id=item.template_id, account_id=item.account_id, name=item.name,
                               language=item.language, category=item.category, body=item.body,
                               parameters=int(item.parameters or 0), header_parameters=int(item.header_parameters or 0),
                               status=item.status, updated_at=item.updated_at,
                               meta_template_id=item.meta_template_id, components=item.components,
                               rejected_reason=item.rejected_reason, status_detail=item.status_detail,
                               quality=item.quality)


def _whatsapp_account(tenant_id: str, account_id: str) -> None:
    from skailan.tenancy import channel_accounts

    try:
        account = channel_accounts.get_account(tenant_id, account_id)
    except NotFound as err:
        raise Unprocessable("Ese canal no existe en la marca. / That channel account does not exist in the brand.",
                            code="unknown_channel_account",
                            details=[{"field": "account_id", "error": "unknown channel account"}]) from err
    if account.channel != "whatsapp":
        raise Unprocessable("Las plantillas son de cuentas de WhatsApp. / Templates belong to WhatsApp accounts.",
                            code="not_whatsapp", details=[{"field": "account_id", "error": "not a WhatsApp account"}])


def list_templates(tenant_id: str, *, account_id: str | None = None, status: str | None = None) -> Page[WhatsAppTemplateOut]:
    items = [_out(i) for i in store.list_templates(tenant_id, account_id=account_id, status=status)]
    return Page[WhatsAppTemplateOut](items=items)


def _find(tenant_id: str, account_id: str, name: str, language: str) -> WhatsAppTemplateItem | None:
    return store.find_template(tenant_id, account_id, name, language)


def _load_id(tenant_id: str, template_id_: str) -> WhatsAppTemplateItem:
    parts = template_id_.split(".")
    item = _find(tenant_id, *parts) if len(parts) == 3 else None
    if item is None:
        raise NotFound("Plantilla no encontrada. / Template not found.", code="template_not_found")
    return item


def get_template(tenant_id: str, template_id_: str) -> WhatsAppTemplateOut:
    return _out(_load_id(tenant_id, template_id_))


def create_template(caller: Caller | None, tenant_id: str, data: WhatsAppTemplateIn) -> WhatsAppTemplateOut:
    """Submit a template to Meta for approval and register it with Meta's id and status (PENDING
    until the status webhook or a sync says otherwise)."""
    from skailan.channels.errors import SendFailure
    from skailan.conversations.inbox import template_sync

    _whatsapp_account(tenant_id, data.account_id)
    if _find(tenant_id, data.account_id, data.name, data.language) is not None:
        raise _exists()
    components = template_sync.components_for(data.body, data.components, data.examples)
    client = template_sync.client_for(tenant_id, data.account_id)
    try:
        answer = client.create(name=data.name, language=data.language, category=data.category, components=components)
    except SendFailure as failure:
        raise template_sync.meta_error(failure) from failure
    meta_id = str(answer.get("id") or "")
    if not meta_id:
        raise template_sync.ProviderUnavailable("Meta no devolvió el id de la plantilla. / Meta returned no template id.")
    from skailan.channels.whatsapp.templates import body_text, header_parameters

    body = body_text(components)
    registration = WhatsAppTemplateRegistration(
        account_id=data.account_id, name=data.name, language=data.language, category=data.category, body=body,
        parameters=data.parameters, header_parameters=data.header_parameters or header_parameters(components),
        status=template_sync.known_status(str(answer.get("status") or "PENDING")))
    template_sync.write_route(tenant_id, data.account_id, client.waba_id, meta_id, data.name, data.language)
    return register_template(caller, tenant_id, registration, meta_template_id=meta_id, components=components)


def _exists() -> Conflict:
    return Conflict("Esa plantilla ya está registrada. / That template is already registered.", code="template_exists")


def register_template(caller: Caller | None, tenant_id: str, data: WhatsAppTemplateRegistration, *,
                      meta_template_id: str | None = None,
                      components: list[dict[str, object]] | None = None) -> WhatsAppTemplateOut:
    """Store a template Meta already knows (after submitting it; the local seed)."""
    _whatsapp_account(tenant_id, data.account_id)
    parameters = data.parameters if data.parameters is not None else body_parameters(data.body)
    now = iso()
    item = store.new_template(
        tenant_id, data.account_id, data.name, data.language, category=data.category, body=data.body,
        parameters=parameters, header_parameters=data.header_parameters, status=data.status, created_at=now,
        updated_at=now, meta_template_id=meta_template_id, components=components)
    event = build(tenant_id, "whatsapp_template.created", caller=caller, entity_type="whatsapp_template",
                  entity_id=item.template_id, data={"status": item.status, "parameters": parameters})
    try:
        store.insert_template(item, events=[event])
    except ConditionFailed as err:
        raise _exists() from err
    return _out(item)


def update_template(caller: Caller, template_id_: str, data: WhatsAppTemplateUpdateIn) -> WhatsAppTemplateOut:
    """An edit of the content goes to Meta first (the template is in review again); the status
    itself is never set by hand."""
    from skailan.channels.errors import SendFailure
    from skailan.channels.whatsapp.templates import body_text, header_parameters
    from skailan.conversations.inbox import template_sync

    item = _load_id(caller.tenant_id, template_id_)
    changes = data.model_dump(exclude_unset=True)
    content = {"body", "components", "examples", "category"} & set(changes)
    if content:
        components = template_sync.components_for(data.body or (None if data.components else item.body),
                                                  data.components, data.examples)
        if item.meta_template_id:
            client = template_sync.client_for(caller.tenant_id, item.account_id)
            try:
                client.edit(item.meta_template_id, components=components, category=data.category)
            except SendFailure as failure:
                raise template_sync.meta_error(failure) from failure
        item.components = components
        item.body = body_text(components)
        item.status = "pending"
        item.rejected_reason = None
        if "parameters" not in changes:
            item.parameters = body_parameters(item.body)
        if "header_parameters" not in changes:
            item.header_parameters = header_parameters(components)
    for key in ("category", "parameters", "header_parameters"):
        if key in changes:
            setattr(item, key, changes[key])
    item.updated_at = iso()
    store.save_template(item, events=[build(caller.tenant_id, "whatsapp_template.updated", caller=caller,
                                            entity_type="whatsapp_template", entity_id=item.template_id,
                                            data={"changed": sorted(changes), "status": item.status})])
    return _out(item)


def delete_template(caller: Caller, template_id_: str) -> None:
    """Deleted at Meta too (by name and id), then here."""
    from skailan.channels.errors import SendFailure
    from skailan.conversations.inbox import template_sync

    item = _load_id(caller.tenant_id, template_id_)
    if item.meta_template_id:
        client = template_sync.client_for(caller.tenant_id, item.account_id)
        try:
            client.delete(name=item.name, template_id=item.meta_template_id)
        except SendFailure as failure:
            if failure.code not in {"100", "404"}:  # already gone at Meta: delete ours too
                raise template_sync.meta_error(failure) from failure
    store.delete_template(item, events=[build(caller.tenant_id, "whatsapp_template.deleted", caller=caller,
                                              entity_type="whatsapp_template", entity_id=item.template_id)])


def check_send(tenant_id: str, account_id: str, name: str, language: str, parameters: list[str],
               header_parameters: int = 0) -> WhatsAppTemplateOut:
    """Refuse, with a message saying what is wrong, a template that cannot go out as given."""
    item = _find(tenant_id, account_id, name, language)
    if item is None:
        known = [f"{t.name} ({t.language})" for t in list_templates(tenant_id, account_id=account_id).items]
        raise Unprocessable(
            f"La plantilla '{name}' ({language}) no está registrada para este número. / "
            f"Template '{name}' ({language}) is not registered for this number.",
            code="unknown_template", details=[{"field": "template.name", "error": "not registered", "known": known}])
    if item.status != "approved":
        why_es = f" Motivo: {item.rejected_reason}." if item.rejected_reason else ""
        why_en = f" Reason: {item.rejected_reason}." if item.rejected_reason else ""
        raise Unprocessable(
            f"La plantilla '{name}' no está aprobada por Meta (estado: {item.status}).{why_es} / "
            f"Template '{name}' is not approved by Meta (status: {item.status}).{why_en}",
            code="template_not_approved", details=[{"field": "template.name", "error": f"status {item.status}",
                                                    "status": item.status, "reason": item.rejected_reason}])
    expected = int(item.parameters or 0)
    given = len(parameters)
    if given != expected:
        missing = [f"{{{{{n}}}}}" for n in range(given + 1, expected + 1)]
        if given < expected:
            message = (f"Faltan parámetros de la plantilla '{name}': {', '.join(missing)} "
                       f"(espera {expected}, llegaron {given}). / Template '{name}' is missing parameters "
                       f"{', '.join(missing)} (expects {expected}, got {given}).")
        else:
            message = (f"La plantilla '{name}' espera {expected} parámetros y llegaron {given}. / "
                       f"Template '{name}' expects {expected} parameters, got {given}.")
        raise Unprocessable(message, code="template_parameters",
                            details=[{"field": "template.parameters", "error": "wrong number of parameters",
                                      "expected": expected, "given": given, "missing": missing}])
    empty = [f"{{{{{i + 1}}}}}" for i, p in enumerate(parameters) if not p.strip()]
    if empty:
        raise Unprocessable(f"Parámetros vacíos: {', '.join(empty)}. / Empty parameters: {', '.join(empty)}.",
                            code="template_parameters",
                            details=[{"field": "template.parameters", "error": "empty parameter", "missing": empty}])
    return _out(item)
