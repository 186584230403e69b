"""Campaigns: definitions, lifecycle (draft → scheduled → sending → completed, paused, cancelled,
failed; archive, duplicate), the audience and its preview, and suppressions."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ValidationError

from skailan.campaigns import content as text
from skailan.campaigns import schedules, store
from skailan.campaigns.catalogue import (
    CAMPAIGN_CANCELLED,
    CAMPAIGN_PAUSED,
    CAMPAIGN_RESUMED,
    CAMPAIGN_SCHEDULED,
    CAMPAIGN_STARTED,
    CATALOGUE,
    CONSENT_CHANGED,
    SOURCE,
)
from skailan.campaigns.models import (
    AttachmentIn,
    AttachmentOut,
    AudienceIn,
    CampaignIn,
    CampaignOut,
    CampaignPatchIn,
    CapacityOut,
    CostOut,
    EmailContentIn,
    Page,
    PreviewOut,
    RecipientOut,
    SmsContentIn,
    SmsPreviewOut,
    StatsOut,
    SuppressionIn,
    SuppressionOut,
    WhatsAppContentIn,
)
from skailan.channels.email.sanitize import sanitize_html
from skailan.platform.auth import Caller
from skailan.platform.clock import iso, parse_iso, utcnow
from skailan.platform.errors import Conflict, NotFound, Unprocessable
from skailan.platform.events import DomainEvent, build_event
from skailan.platform.i18n import both
from skailan.platform.ids import is_valid_id, new_id
from skailan.platform.settings import get_settings

CONTENT_MODELS: dict[str, type[BaseModel]] = {"email": EmailContentIn, "sms": SmsContentIn,
                                              "whatsapp": WhatsAppContentIn}
WHATSAPP_WINDOW = timedelta(hours=24)
BATCH = 100  # people read per BatchGetItem


def _invalid(field: str, error: str, es: str, en: str) -> dict[str, str]:
    return {"field": field, "error": error, "message": both(es, en)}


def _refuse(errors: list[dict[str, str]]) -> Unprocessable:
    return Unprocessable(both("La campaña no es válida", "The campaign is not valid"), details=errors)


def _event(caller: Caller | None, item: store.CampaignItem, type_: str, **data: Any) -> DomainEvent:
    payload = {"campaign_id": item.campaign_id, "name": item.name, "channel": item.channel, "status": item.status,
               **data}
    return build_event(SOURCE, item.tenant_id, CATALOGUE.check(type_), caller=caller, entity_type="campaign",
                       entity_id=item.campaign_id, data=payload)


def _not_found() -> NotFound:
    return NotFound(both("Campaña no encontrada", "Campaign not found"))


def load(tenant_id: str, campaign_id: str, *, consistent: bool = True) -> store.CampaignItem:
    item = store.get_campaign(tenant_id, campaign_id, consistent=consistent) if is_valid_id(campaign_id) else None
    if item is None:
        raise _not_found()
    return item


def _stats(item: store.CampaignItem) -> StatsOut:
    counts = {name: int(getattr(item, name) or 0) for name in store.COUNTERS}
    return StatsOut(**counts, skipped_reasons=dict((item.stats or {}).get("skipped_reasons") or {}))


def out(item: store.CampaignItem) -> CampaignOut:
    return CampaignOut(id=item.campaign_id, name=item.name, channel=item.channel,  # type: ignore[arg-type]
                       account_id=item.account_id, audience=item.audience, content=item.content,
                       status=item.status,  # type: ignore[arg-type]
                       scheduled_at=item.scheduled_at, started_at=item.started_at, completed_at=item.completed_at,
                       archived=bool(item.archived_at), reason=item.reason, stats=_stats(item),
                       created_at=item.created_at, updated_at=item.updated_at)


# ---------------------------------------------------------------- validation


def _account(tenant_id: str, channel: str, account_id: str | None, errors: list[dict[str, str]]) -> Any:
    from skailan.tenancy import channel_accounts

    if account_id is None:
        if channel == "whatsapp":
            errors.append(_invalid("account_id", "required", "Elige el número de WhatsApp que envía",
                                   "Choose the WhatsApp number that sends"))
        return None
    try:
        account = channel_accounts.get_account(tenant_id, account_id)
    except NotFound:
        errors.append(_invalid("account_id", "not_found", "Cuenta de envío no encontrada", "Sending account not found"))
        return None
    if account.channel != channel:
        errors.append(_invalid("account_id", "wrong_channel", f"La cuenta no es de {channel}",
                               f"The account is not a {channel} account"))
        return None
    return account


def _audience(tenant_id: str, audience: AudienceIn, errors: list[dict[str, str]]) -> None:
    from skailan.crm.audiences import lists
    from skailan.crm.audiences import segments as segment_store

    if audience.kind == "file":
        from skailan.crm.capture.imports import jobs as import_jobs

        try:
            job = import_jobs.get_import(tenant_id, audience.import_id or "")
        except NotFound:
            errors.append(_invalid("audience.import_id", "not_found", "Importación no encontrada",
                                   "Import not found"))
            return
        if (job.target or {}).get("kind") != "new_list":
            errors.append(_invalid("audience.import_id", "not_new_list",
                                   "La importación debe crear una lista nueva (target new_list) para saber a quién trajo",
                                   "The import must create a new list (target new_list) to know whom it brought in"))
        return
    try:
        if audience.kind == "list":
            lists.load_list(tenant_id, audience.id or "")
        elif audience.kind == "segment":
            segment_store.load_segment(tenant_id, audience.id or "")
    except NotFound:
        errors.append(_invalid("audience.id", "not_found", "Audiencia no encontrada", "Audience not found"))


def _custom_keys(tenant_id: str) -> Callable[[], set[str]]:
    """The brand's custom field keys (`{{contact.custom.<key>}}`), read once and only if asked."""
    keys: list[set[str]] = []

    def get() -> set[str]:
        if not keys:
            from skailan.crm.vocabulary import definitions

            keys.append({d.key for d in definitions.load(tenant_id).fields})
        return keys[0]

    return get


def _merge_checks(field: str, value: str, errors: list[dict[str, str]], custom_keys: Callable[[], set[str]]) -> None:
    if "{{" not in (value or ""):
        return
    for path, placeholder in text.unknown_fields(value, custom_keys()):
        errors.append(_invalid(field, "unknown_merge_field",
                               f"Campo de combinación desconocido en {field}: {placeholder} ({path}); usa "
                               "contact.*, contact.custom.<campo> o brand.*",
                               f"Unknown merge field in {field}: {placeholder} ({path}); use contact.*, "
                               "contact.custom.<field> or brand.*"))


def _content(tenant_id: str, channel: str, account_id: str | None, raw: dict[str, Any],
             errors: list[dict[str, str]]) -> dict[str, Any]:
    if channel == "email":
        before = len(errors)
        raw = _email_raw(tenant_id, raw, errors)
        if len(errors) > before:
            return {}
    try:
        parsed = CONTENT_MODELS[channel].model_validate(raw)
    except ValidationError as err:
        for e in err.errors():
            where = ".".join(str(p) for p in ("content", *e["loc"]))
            errors.append(_invalid(where, e["type"], "Contenido no válido: " + e["msg"], "Invalid content: " + e["msg"]))
        return {}
    custom_keys = _custom_keys(tenant_id)
    if isinstance(parsed, EmailContentIn):
        _merge_checks("content.subject", parsed.subject, errors, custom_keys)
        _merge_checks("content.html", parsed.html, errors, custom_keys)
        _merge_checks("content.from_name", parsed.from_name or "", errors, custom_keys)  # rendered too
        _merge_checks("content.text", parsed.text or "", errors, custom_keys)
        if text.active_html(parsed.html):
            errors.append(_invalid("content.html", "active_content", "El HTML no puede llevar scripts ni eventos",
                                   "The HTML cannot carry scripts or event handlers"))
            return {}
        html = sanitize_html(parsed.html)
        checked = {**parsed.model_dump(exclude_none=True), "html": html,
                   "text": parsed.text or text.plain_text(html), "links": text.links(html)}
        if parsed.attachments:
            from skailan.campaigns import attachments

            checked["attachments"] = attachments.resolve(
                tenant_id, [a.model_dump() for a in parsed.attachments], errors)
        return checked
    if isinstance(parsed, SmsContentIn):
        _merge_checks("content.text", parsed.text, errors, custom_keys)
        return parsed.model_dump(exclude_none=True)
    assert isinstance(parsed, WhatsAppContentIn)
    for i, parameter in enumerate(parsed.template.parameters):
        _merge_checks(f"content.template.parameters.{i}", parameter, errors, custom_keys)
    if account_id:
        from skailan.conversations.inbox import templates

        found = templates.find(tenant_id, account_id, parsed.template.name, parsed.template.language)
        if found is None or found.status != "approved":
            errors.append(_invalid("content.template", "not_approved",
                                   "La plantilla no existe o no está aprobada para esta cuenta",
                                   "The template does not exist or is not approved for this account"))
        elif found.parameters != len(parsed.template.parameters):
            errors.append(_invalid("content.template.parameters", "count",
                                   f"La plantilla pide {found.parameters} parámetros, llegaron "
                                   f"{len(parsed.template.parameters)}",
                                   f"The template takes {found.parameters} parameters, "
                                   f"{len(parsed.template.parameters)} given"))
    return parsed.model_dump(exclude_none=True)


def _email_raw(tenant_id: str, raw: dict[str, Any], errors: list[dict[str, str]]) -> dict[str, Any]:
    """The e-mail content to check: server-made fields dropped (`links`), and what a reusable
    template of the e-mail module (`template_id`, /v1/email/templates) fills in where the content
    leaves it out (a copy: editing the template later changes no campaign)."""
    raw = {k: v for k, v in raw.items() if k != "links"}
    template_id = raw.get("template_id")
    if template_id is None:
        return raw
    from skailan.conversations.inbox import mail  # the e-mail module's templates (/v1/email/templates)

    try:
        found = mail.get_template(tenant_id, str(template_id))
    except NotFound:
        errors.append(_invalid("content.template_id", "not_found", "Plantilla de correo no encontrada",
                               "E-mail template not found"))
        return raw
    copied = {"subject": found.subject, "html": found.html, "text": found.text}
    return {**{k: v for k, v in copied.items() if v}, **raw}


def _checked(tenant_id: str, channel: str, account_id: str | None, audience: AudienceIn,
             raw_content: dict[str, Any]) -> dict[str, Any]:
    errors: list[dict[str, str]] = []
    _account(tenant_id, channel, account_id, errors)
    _audience(tenant_id, audience, errors)
    checked = _content(tenant_id, channel, account_id, raw_content, errors)
    if errors:
        raise _refuse(errors)
    return checked


# ---------------------------------------------------------------- CRUD


def create(caller: Caller, body: CampaignIn) -> CampaignOut:
    tenant_id = caller.tenant_id
    checked = _checked(tenant_id, body.channel, body.account_id, body.audience, body.content)
    now = iso()
    item = store.new_campaign(tenant_id, new_id(), name=body.name, channel=body.channel, account_id=body.account_id,
                              audience=body.audience.model_dump(exclude_none=True), content=checked, status="draft",
                              created_by=caller.principal_id, created_at=now, updated_at=now)
    store.save_campaign(item, [_event(caller, item, "campaign.created")])
    return out(item)


def get(tenant_id: str, campaign_id: str) -> CampaignOut:
    return out(load(tenant_id, campaign_id, consistent=False))


def list_all(tenant_id: str, *, archived: bool, cursor: str | None, limit: int | None,
             statuses: Iterable[str] = (), channel: str | None = None) -> Page[CampaignOut]:
    """A page may hold fewer than `limit` items (even none) while `next_cursor` continues: filters
    read a bounded part of the list per request (store.list_campaigns)."""
    items, next_cursor = store.list_campaigns(tenant_id, archived=archived, cursor=cursor, limit=limit,
                                              statuses=statuses, channel=channel)
    return Page[CampaignOut](items=[out(i) for i in items], next_cursor=next_cursor)


def _save(item: store.CampaignItem, events: list[DomainEvent]) -> None:
    try:
        store.save_campaign(item, events)
    except store.StaleCampaign as err:
        raise Conflict(both("La campaña cambió mientras tanto; vuelve a intentarlo",
                            "The campaign changed meanwhile; try again")) from err


def _move(item: store.CampaignItem, expected: list[str], changes: dict[str, Any], type_: str, caller: Caller | None,
          **data: Any) -> None:
    """A lifecycle step: only the changed attributes, if the status is still expected (races: 409)."""
    for name, value in changes.items():
        setattr(item, name, value)
    try:
        store.transition(item, expected, changes, [_event(caller, item, type_, **data)])
    except store.StaleCampaign as err:
        raise Conflict(both("La campaña cambió mientras tanto; vuelve a intentarlo",
                            "The campaign changed meanwhile; try again")) from err


def update(caller: Caller, campaign_id: str, body: CampaignPatchIn) -> CampaignOut:
    item = load(caller.tenant_id, campaign_id)
    changes = body.model_dump(exclude_unset=True)
    if not changes:
        return out(item)
    if item.status not in ("draft", "scheduled"):
        raise Conflict(both("Solo se edita una campaña en borrador o programada",
                            "Only a draft or scheduled campaign can be edited"), code="not_editable")
    if {"account_id", "audience", "content"} & changes.keys():
        audience = body.audience or AudienceIn.model_validate(item.audience)
        account_id = changes.get("account_id", item.account_id)
        item.content = _checked(caller.tenant_id, item.channel, account_id, audience,
                                changes.get("content", item.content))
        item.audience, item.account_id = audience.model_dump(exclude_none=True), account_id
    if "name" in changes:
        item.name = changes["name"]
    item.updated_at = iso()
    _save(item, [_event(caller, item, "campaign.updated", changed=sorted(changes))])
    return out(item)


def delete(caller: Caller, campaign_id: str) -> None:
    item = load(caller.tenant_id, campaign_id)
    if item.status != "draft" or item.started_at:
        raise Conflict(both("Solo se borra una campaña que nunca se envió (archívala)",
                            "Only a campaign never sent can be deleted (archive it)"), code="not_deletable")
    try:
        store.delete_campaign(item, [_event(caller, item, "campaign.deleted")])
    except store.StaleCampaign as err:
        raise Conflict(both("La campaña cambió mientras tanto", "The campaign changed meanwhile")) from err


def duplicate(caller: Caller, campaign_id: str) -> CampaignOut:
    source = load(caller.tenant_id, campaign_id, consistent=False)
    now = iso()
    item = store.new_campaign(caller.tenant_id, new_id(), name=f"{source.name} (copia)"[:120], channel=source.channel,
                              account_id=source.account_id, audience=source.audience, content=source.content,
                              status="draft", created_by=caller.principal_id, created_at=now, updated_at=now)
    store.save_campaign(item, [_event(caller, item, "campaign.created", duplicated_from=source.campaign_id)])
    return out(item)


def archive(caller: Caller, campaign_id: str, *, archived: bool = True) -> CampaignOut:
    item = load(caller.tenant_id, campaign_id)
    if archived and item.status in ("scheduled", "sending"):
        raise Conflict(both("Pausa o cancela la campaña antes de archivarla",
                            "Pause or cancel the campaign before archiving it"), code="not_archivable")
    _move(item, [item.status], {"archived_at": iso() if archived else None, "updated_at": iso()},
          "campaign.updated", caller, changed=["archived"])
    return out(item)


# ---------------------------------------------------------------- lifecycle


def _brand(tenant_id: str) -> Any:
    from skailan.tenancy.brands import get_brand

    return get_brand(tenant_id)


def parse_at(tenant_id: str, raw: str) -> datetime:
    """ISO with an offset, or a local date-time in the brand's zone."""
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError as err:
        raise _refuse([_invalid("at", "invalid", "Fecha y hora no válidas (2026-12-24T09:00)",
                                "Invalid date and time (2026-12-24T09:00)")]) from err
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(_brand(tenant_id).time_zone))
    return moment


def schedule(caller: Caller, campaign_id: str, raw_at: str) -> CampaignOut:
    item = load(caller.tenant_id, campaign_id)
    moment = parse_at(caller.tenant_id, raw_at)
    if moment <= utcnow():
        raise _refuse([_invalid("at", "in_the_past", "La fecha programada ya pasó",
                                "The scheduled time is in the past")])
    if item.status not in ("draft", "scheduled"):
        raise Conflict(both("Solo se programa una campaña en borrador", "Only a draft campaign can be scheduled"),
                       code="not_schedulable")
    _sendable(item)
    _move(item, ["draft", "scheduled"], {"status": "scheduled", "scheduled_at": iso(moment), "updated_at": iso()},
          CAMPAIGN_SCHEDULED, caller, at=iso(moment))
    # After the state: the due-time index is the truth, the schedule only makes the start on time.
    schedules.upsert(item.tenant_id, item.campaign_id, moment, _brand(item.tenant_id).time_zone)
    return out(item)


def send_now(caller: Caller | None, tenant_id: str, campaign_id: str) -> CampaignOut:
    """draft/scheduled → sending; the campaign.started event (outbox) starts the fan-out."""
    item = load(tenant_id, campaign_id)
    if item.status not in ("draft", "scheduled"):
        raise Conflict(both("La campaña ya se envió o está en curso", "The campaign was already sent or is running"),
                       code="not_sendable")
    _sendable(item)
    was_scheduled = item.status == "scheduled"
    _move(item, ["draft", "scheduled"], {"status": "sending", "started_at": iso(), "updated_at": iso()},
          CAMPAIGN_STARTED, caller)
    if was_scheduled:
        schedules.remove(tenant_id, campaign_id)
    return out(item)


def start_scheduled(tenant_id: str, campaign_id: str) -> bool:
    """The campaign's schedule fired: scheduled → sending once it is due. False when it is not
    scheduled any more (started by the due job, cancelled, a duplicate delivery) or not due yet
    (a stale schedule whose update failed): nothing happens, the due job stays the backstop."""
    try:
        item = load(tenant_id, campaign_id)
    except NotFound:
        return False
    # Scheduler fires at or after the time; a minute of tolerance for clocks apart.
    if item.status != "scheduled" or not item.scheduled_at or parse_iso(item.scheduled_at) > utcnow() + timedelta(minutes=1):
        return False
    try:
        _sendable(item)
        _move(item, ["scheduled"], {"status": "sending", "started_at": iso(), "updated_at": iso()},
              CAMPAIGN_STARTED, None)
    except (Conflict, Unprocessable):
        return False  # another path moved it first (the revision in the condition), or not sendable yet
    return True


def _sendable(item: store.CampaignItem) -> None:
    if item.channel == "email" and not item.account_id:
        raise _refuse([_invalid("account_id", "required", "Elige la cuenta de correo que envía",
                                "Choose the e-mail account that sends")])
    if (item.audience or {}).get("kind") == "file" and not imported_list(item.tenant_id, item.audience):
        raise Conflict(both("La importación del archivo aún no termina (o falló)",
                            "The file's import has not finished yet (or failed)"), code="import_not_completed")


def pause(caller: Caller, campaign_id: str) -> CampaignOut:
    item = load(caller.tenant_id, campaign_id)
    if item.status != "sending":
        raise Conflict(both("Solo se pausa una campaña en envío", "Only a sending campaign can be paused"),
                       code="not_pausable")
    _move(item, ["sending"], {"status": "paused", "updated_at": iso()}, CAMPAIGN_PAUSED, caller)
    return out(item)


def resume(caller: Caller, campaign_id: str) -> CampaignOut:
    item = load(caller.tenant_id, campaign_id)
    if item.status != "paused":
        raise Conflict(both("Solo se reanuda una campaña pausada", "Only a paused campaign can be resumed"),
                       code="not_resumable")
    _move(item, ["paused"], {"status": "sending", "reason": None, "updated_at": iso()}, CAMPAIGN_RESUMED, caller)
    return out(item)


def cancel(caller: Caller, campaign_id: str) -> CampaignOut:
    item = load(caller.tenant_id, campaign_id)
    if item.status not in ("draft", "scheduled", "sending", "paused"):
        raise Conflict(both("La campaña ya terminó", "The campaign already finished"), code="not_cancellable")
    was_scheduled = item.status == "scheduled"
    _move(item, ["draft", "scheduled", "sending", "paused"], {"status": "cancelled", "updated_at": iso()},
          CAMPAIGN_CANCELLED, caller)
    if was_scheduled:
        schedules.remove(item.tenant_id, item.campaign_id)
    return out(item)


def start_due(now: datetime | None = None) -> int:
    """Start every scheduled campaign that is due (the scheduled job; follows the application clock)."""
    started = 0
    for tenant_id, campaign_id in list(store.due_campaigns(iso(now or utcnow()))):
        try:
            send_now(None, tenant_id, campaign_id)
        except (Conflict, NotFound):
            continue  # cancelled or started meanwhile
        started += 1
    return started


# ---------------------------------------------------------------- audience and preview


def person_ids(tenant_id: str, audience: dict[str, Any]) -> Iterator[str]:
    from skailan.crm.audiences import lists
    from skailan.crm.audiences.segments import SEGMENT_FACET

    kind = audience.get("kind")
    if kind == "people":
        yield from dict.fromkeys(audience.get("person_ids") or [])
    elif kind == "list":
        yield from lists.member_ids(tenant_id, "list", audience["id"])
    elif kind == "segment":
        yield from lists.member_ids(tenant_id, SEGMENT_FACET, audience["id"])
    elif kind == "file":
        list_id = imported_list(tenant_id, audience)
        if list_id:
            yield from lists.member_ids(tenant_id, "list", list_id)


def imported_list(tenant_id: str, audience: dict[str, Any]) -> str | None:
    """The list a file audience's import filled, once the import completed (None before)."""
    from skailan.crm.capture.imports import jobs as import_jobs

    try:
        job = import_jobs.get_import(tenant_id, str(audience.get("import_id") or ""))
    except NotFound:
        return None
    return job.list_id if job.status == "completed" else None


def address_of(channel: str, person: Any) -> str | None:
    if channel == "email":
        return person.email or None
    return person.phone or None  # SMS and WhatsApp (the wa id is the E.164 number)


def people(tenant_id: str, audience: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """(person id, person or None) in batches: bounded memory whatever the audience's size."""
    from skailan.crm.store.person_reads import batch_people

    chunk: list[str] = []
    for pid in person_ids(tenant_id, audience):
        chunk.append(pid)
        if len(chunk) == BATCH:
            found = batch_people(tenant_id, chunk)
            yield from ((p, found.get(p)) for p in chunk)
            chunk = []
    if chunk:
        found = batch_people(tenant_id, chunk)
        yield from ((p, found.get(p)) for p in chunk)


def classify(tenant_id: str, channel: str, batch: list[tuple[str, Any]]) -> list[tuple[str, Any, str | None, str | None]]:
    """(person id, person, address, skip reason) for a batch: missing, no identity, suppressed."""
    rows: list[tuple[str, Any, str | None, str | None]] = []
    for pid, person in batch:
        if person is None or person.deleted_at or person.merged_into:
            rows.append((pid, person, None, "person_missing"))
            continue
        address = address_of(channel, person)
        rows.append((pid, person, address, None if address else ("no_email" if channel == "email" else "no_phone")))
    blocked = store.suppressed(tenant_id, channel, [r[2] for r in rows if r[2] and not r[3]])
    return [(pid, p, a, "suppressed" if a in blocked and not why else why) for pid, p, a, why in rows]


def render_for(item: store.CampaignItem, person: Any, brand: dict[str, Any]) -> dict[str, Any]:
    values = text.person_fields(person) if person is not None else {}
    c = item.content
    if item.channel == "email":

        return {"subject": text.render(c["subject"], values, brand),
                "html": text.render(c["html"], text.html_escaped(values), text.html_escaped(brand)),
                "text": text.render(c.get("text") or "", values, brand)}
    if item.channel == "sms":
        return {"text": text.render(c["text"], values, brand)}
    template = c["template"]
    return {"template": {"name": template["name"], "language": template["language"],
                         "parameters": [text.render(p, values, brand) for p in template.get("parameters", [])]}}


def _prices() -> dict[str, float]:
    s = get_settings()
    return {"sms": s.campaign_price_sms, "email": s.campaign_price_email, "whatsapp": s.campaign_price_whatsapp}


def _messaging_limit(tenant_id: str, account_id: str | None) -> int | str:
    from skailan.tenancy import channel_accounts

    if not account_id:
        return 250
    config = channel_accounts.get_account(tenant_id, account_id).config
    limit = config.get("messaging_limit", 250)
    return limit if limit == "unlimited" else int(limit)  # type: ignore[call-overload]


def preview(tenant_id: str, campaign_id: str, person_id: str | None = None) -> PreviewOut:
    item = load(tenant_id, campaign_id, consistent=False)
    brand = _brand(tenant_id)
    brand_values = {"name": brand.name}
    skipped: dict[str, int] = {}
    recipients = audience = 0
    sample_person: Any = None
    longest_sms = ""
    batch: list[tuple[str, Any]] = []

    def flush() -> None:
        nonlocal recipients, sample_person, longest_sms
        for pid, person, _address, why in classify(tenant_id, item.channel, batch):
            if why:
                skipped[why] = skipped.get(why, 0) + 1
                continue
            recipients += 1
            if sample_person is None or pid == person_id:
                sample_person = person
            if item.channel == "sms" and recipients <= 1000:  # the longest render sets the segments shown
                rendered = text.render(item.content["text"], text.person_fields(person), brand_values)
                longest_sms = max(longest_sms, rendered, key=len)
        batch.clear()

    for pid, person in people(tenant_id, item.audience):
        audience += 1
        batch.append((pid, person))
        if len(batch) == BATCH:
            flush()
    flush()
    if person_id:
        from skailan.crm.store.person_reads import batch_people

        chosen = batch_people(tenant_id, [person_id]).get(person_id) if is_valid_id(person_id) else None
        if chosen is None:
            raise NotFound(both("Persona no encontrada", "Person not found"))
        sample_person = chosen
    result = PreviewOut(recipients=recipients, audience=audience, skipped=skipped,
                        sample=render_for(item, sample_person, brand_values) if sample_person is not None else None)
    per_message = _prices()[item.channel]
    if item.channel == "sms":
        info = text.sms_info(longest_sms or text.render(item.content["text"], {}, brand_values))
        warning = None if info.segments <= 1 else both(
            f"El mensaje ocupa {info.segments} segmentos ({info.encoding}); cada uno se cobra",
            f"The message takes {info.segments} segments ({info.encoding}); each one is billed")
        result.sms = SmsPreviewOut(encoding=info.encoding,  # type: ignore[arg-type]
                                   characters=info.characters, segments=info.segments,
                                   per_segment=info.per_segment, warning=warning)
        per_message *= max(1, info.segments)
        local = _local_start(item, brand.time_zone)
        if local.hour < 7 or local.hour >= 19:
            result.advice.append(both("El envío cae fuera de 7:00–19:00 hora local; muchos lo consideran intrusivo",
                                      "The send falls outside 7:00–19:00 local time; many find it intrusive"))
    if item.channel == "whatsapp":
        limit = _messaging_limit(tenant_id, item.account_id)
        room = recipients if limit == "unlimited" else max(0, int(limit) - used_24h(tenant_id, item.account_id))
        now_count = min(recipients, room)
        later = recipients - now_count
        result.whatsapp = CapacityOut(limit=limit, now=now_count, later=later,  # type: ignore[arg-type]
                                      later_at=iso(utcnow() + WHATSAPP_WINDOW) if later else None)
    result.cost = CostOut(currency=get_settings().campaign_price_currency, per_message=round(per_message, 6),
                          total=round(per_message * recipients, 4))
    return result


def _local_start(item: store.CampaignItem, zone: str) -> datetime:
    moment = parse_iso(item.scheduled_at) if item.scheduled_at else utcnow()
    return moment.astimezone(ZoneInfo(zone))


def used_24h(tenant_id: str, account_id: str | None) -> int:
    """Unique people this WhatsApp account reached by campaigns in the moving 24 h (none tracked yet
    outside the sender, which keeps this count)."""
    if not account_id:
        return 0
    return store.window_count(tenant_id, account_id, iso(utcnow() - WHATSAPP_WINDOW))


# ---------------------------------------------------------------- recipients


def recipients(tenant_id: str, campaign_id: str, *, status: str | None, cursor: str | None,
               limit: int | None, q: str | None = None) -> Page[RecipientOut]:
    load(tenant_id, campaign_id, consistent=False)
    if q:
        items, next_cursor = store.search_recipients(tenant_id, campaign_id, recipient_matcher(q), status=status,
                                                     cursor=cursor, limit=limit)
    else:
        items, next_cursor = store.list_recipients(tenant_id, campaign_id, status=status, cursor=cursor,
                                                   limit=limit)
    return Page[RecipientOut](items=[recipient_out(i) for i in items], next_cursor=next_cursor)


def _fold(value: str) -> str:
    import unicodedata

    # "Muñoz" is found by "munoz", "JOSÉ" by "jose".
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def recipient_matcher(q: str) -> Callable[[store.RecipientItem], bool]:
    """Name or address (e-mail, phone, WhatsApp id) containing `q`, accent- and case-insensitive; a
    query of digits also matches phones whatever their spacing or `+` ("300 123" finds +573001234567)."""
    needle = _fold(q.strip())
    digits = "".join(c for c in q if c.isdigit())
    digits = digits if len(digits) >= 3 and not any(c.isalpha() for c in q) else ""

    def match(item: store.RecipientItem) -> bool:
        if needle and (needle in _fold(item.name or "") or needle in _fold(item.address or "")):
            return True
        return bool(digits) and digits in "".join(c for c in item.address or "" if c.isdigit())

    return match


def recipient_out(i: store.RecipientItem) -> RecipientOut:
    return RecipientOut(person_id=i.person_id, name=i.name, address=i.address, status=i.status,  # type: ignore[arg-type]
                        reason=i.reason, provider_message_id=i.provider_message_id, error=i.error,
                        times=i.times.as_dict() if i.times is not None else {})


def recipients_csv(tenant_id: str, campaign_id: str) -> str:
    import csv
    import io

    load(tenant_id, campaign_id, consistent=False)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["person_id", "name", "address", "status", "reason", "provider_message_id", "sent_at",
                     "delivered_at", "read_at"])
    for r in store.all_recipients(tenant_id, campaign_id):
        times = r.times.as_dict() if r.times is not None else {}
        writer.writerow([r.person_id, _cell(r.name), r.address or "", r.status, r.reason or "",
                         r.provider_message_id or "", times.get("sent", ""), times.get("delivered", ""),
                         times.get("read", "")])
    return buffer.getvalue()


def _cell(value: str | None) -> str:
    # Spreadsheets run cells that start with = + - @ as formulas.
    value = value or ""
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


# ---------------------------------------------------------------- suppressions


def _consent_event(caller: Caller | None, tenant_id: str, channel: str, address: str, *, suppressed: bool,
                   reason: str, person_id: str | None) -> DomainEvent:
    return build_event(SOURCE, tenant_id, CONSENT_CHANGED, caller=caller, entity_type="contact",
                       entity_id=person_id, data={"channel": channel, "address": address, "person_id": person_id,
                                                  "suppressed": suppressed, "reason": reason})


def normalize_address(tenant_id: str, channel: str, raw: str) -> str:
    from skailan.crm.people.service import default_country, normalize_email, normalize_phone

    if channel == "email":
        return normalize_email(raw, field_name="address")
    return normalize_phone(raw, default_country(tenant_id), field_name="address")


def _person_for(tenant_id: str, channel: str, address: str) -> str | None:
    from skailan.crm.store.person_reads import find_by_identity
    from skailan.crm.store.person_writes import email_identity, phone_identity

    identity = email_identity(address) if channel == "email" else phone_identity(address)
    found = find_by_identity(tenant_id, identity.kind, identity.key)
    return found.person_id if found is not None else None


def suppress(caller: Caller | None, tenant_id: str, channel: str, raw_address: str, *, reason: str,
             source: str | None = None) -> bool:
    """Record a suppression (opt-out, bounce, complaint, manual) once; the consent change goes on the
    person's timeline through the consent.changed event."""
    address = normalize_address(tenant_id, channel, raw_address)
    person_id = _person_for(tenant_id, channel, address)
    event = _consent_event(caller, tenant_id, channel, address, suppressed=True, reason=reason, person_id=person_id)
    return store.put_suppression(tenant_id, channel, address, reason=reason, person_id=person_id, source=source,
                                 at=iso(), events=[event])


def add_suppression(caller: Caller, body: SuppressionIn) -> SuppressionOut:
    address = normalize_address(caller.tenant_id, body.channel, body.address)
    suppress(caller, caller.tenant_id, body.channel, address, reason="manual", source="admin")
    return SuppressionOut(channel=body.channel, address=address, reason="manual")


def remove_suppression(caller: Caller, channel: str, raw_address: str) -> None:
    address = normalize_address(caller.tenant_id, channel, raw_address)
    event = _consent_event(caller, caller.tenant_id, channel, address, suppressed=False, reason="manual",
                           person_id=_person_for(caller.tenant_id, channel, address))
    if not store.delete_suppression(caller.tenant_id, channel, address, [event]):
        raise NotFound(both("Supresión no encontrada", "Suppression not found"))


def list_suppressions(tenant_id: str, *, channel: str | None, cursor: str | None,
                      limit: int | None) -> Page[SuppressionOut]:
    items, next_cursor = store.list_suppressions(tenant_id, channel=channel, cursor=cursor, limit=limit)
    return Page[SuppressionOut](items=[SuppressionOut(channel=i.channel, address=i.address,  # type: ignore[arg-type]
                                                      reason=i.reason, person_id=i.person_id,
                                                      created_at=i.created_at) for i in items],
                                next_cursor=next_cursor)


# ---------------------------------------------------------------- tracking and unsubscribe


def click_token(tenant_id: str, campaign_id: str, person_id: str, index: int) -> str:
    from skailan.campaigns import tokens

    return tokens.sign("c", tenant_id, campaign_id, person_id, index)


def _verified(token: str, kind: str, missing: NotFound) -> Any:
    """The token's campaign and recipient; anything forged, altered or unknown is a 404."""
    from skailan.campaigns import tokens

    found = tokens.verify(token, kind)
    if found is None or not (is_valid_id(found.campaign_id) and is_valid_id(found.person_id)):
        raise missing
    item = store.get_campaign(found.tenant_id, found.campaign_id)
    recipient = store.get_recipient(found.tenant_id, found.campaign_id, found.person_id) if item else None
    if item is None or recipient is None:
        raise missing
    return found, item, recipient


def click(token: str) -> str:
    """The stored URL a tracked link stands for (302 target) and the click counted once per
    recipient. Only URLs the campaign stored: anything else is a 404, never an open redirect."""
    import html as html_lib

    found, item, _recipient = _verified(token, "c", NotFound(both("Enlace no encontrado", "Link not found")))
    links = list((item.content or {}).get("links") or [])
    if not 0 <= found.index < len(links):
        raise NotFound(both("Enlace no encontrado", "Link not found"))
    count_once(found.tenant_id, found.campaign_id, found.person_id, "clicked", iso())
    return html_lib.unescape(str(links[found.index]))  # stored from the sanitised HTML (&amp;)


def count_once(tenant_id: str, campaign_id: str, person_id: str, what: str, at: str) -> bool:
    """opened / clicked / complained / unsubscribed: stamped and counted once per recipient (a click
    implies an open: images are often blocked)."""
    first = store.mark_once(tenant_id, campaign_id, person_id, what, at)
    if first:
        store.add_counts(tenant_id, campaign_id, {what: 1})
    if what == "clicked":
        count_once(tenant_id, campaign_id, person_id, "opened", at)
    return first


def opened(token: str) -> None:
    """The open pixel: counts `opened` once per recipient; a bad token is a 404."""
    found, _item, _recipient = _verified(token, "o", NotFound(both("No encontrado", "Not found")))
    count_once(found.tenant_id, found.campaign_id, found.person_id, "opened", iso())


def unsubscribe_page(token: str) -> str:
    """The confirmation page (GET never unsubscribes: mail scanners follow links)."""
    import html as html_lib

    _found, item, recipient = _verified(token, "u", _not_subscribed())
    address = html_lib.escape(recipient.address or "")
    brand = html_lib.escape(_brand(item.tenant_id).name)
    return _PAGE.format(title="Darte de baja / Unsubscribe", body=(
        f"<p>¿Dejar de recibir correos de <b>{brand}</b> en <b>{address}</b>?</p>"
        f"<p lang=en>Stop receiving e-mails from <b>{brand}</b> at <b>{address}</b>?</p>"
        '<form method="post"><button type="submit">Darme de baja / Unsubscribe</button></form>'))


def unsubscribe(token: str) -> str:
    """One-click (RFC 8058) and the page's button: the address is suppressed for e-mail, the
    consent change goes on the person's timeline, `unsubscribed` counted once."""
    found, item, recipient = _verified(token, "u", _not_subscribed())
    if recipient.address:
        suppress(None, found.tenant_id, "email", recipient.address, reason="unsubscribe",
                 source=f"campaign:{item.campaign_id}")
    count_once(found.tenant_id, found.campaign_id, found.person_id, "unsubscribed", iso())
    return _PAGE.format(title="Baja confirmada / Unsubscribed", body=(
        "<p>Listo: no te enviaremos más correos promocionales.</p>"
        "<p lang=en>Done: you will not get promotional e-mails anymore.</p>"))


def _not_subscribed() -> NotFound:
    return NotFound(both("Enlace de baja no encontrado", "Unsubscribe link not found"))


_PAGE = ('<!doctype html><html lang="es"><head><meta charset="utf-8"><meta name="viewport" '
         'content="width=device-width,initial-scale=1"><title>{title}</title></head>'
         '<body style="font-family:sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem">'
         "<h1>{title}</h1>{body}</body></html>")


# ---------------------------------------------------------------- e-mail attachments


def create_attachment(caller: Caller, body: AttachmentIn) -> AttachmentOut:
    from skailan.campaigns import attachments

    return AttachmentOut(**attachments.create(caller.tenant_id, filename=body.filename, content_type=body.content_type,
                                              size=body.size, created_by=caller.principal_id))
