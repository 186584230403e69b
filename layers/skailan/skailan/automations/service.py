"""Automations: create, edit (a new version), list, delete; validation against the brand's data.

Saving compiles the step tree into a flat program (`compile_steps`): branches become a
conditional jump, so a run is a program counter that survives waits and retries. Editing an
active automation publishes a new version; runs keep the version they started with.
"""

from __future__ import annotations

import secrets
from typing import Any, Literal

from pydantic import BaseModel

from skailan.automations import store
from skailan.automations.catalogue import CATALOGUE, SOURCE
from skailan.automations.models import (
    AutomationIn,
    AutomationOut,
    AutomationPatchIn,
    Branch,
    Page,
    RequestApproval,
    VersionOut,
    WaitEvent,
)
from skailan.crm.values.text import fold
from skailan.platform.auth import Caller
from skailan.platform.clock import iso
from skailan.platform.errors import Conflict, NotFound, Unprocessable
from skailan.platform.events import DomainEvent, build_event
from skailan.platform.i18n import both
from skailan.platform.ids import is_valid_id, new_id
from skailan.platform.storage import ConditionFailed

NOT_FOUND = "Automatización no encontrada. / Automation not found."
WHATSAPP_WINDOW_MINUTES = 24 * 60
# Triggers caused by the customer writing: the conversation's reply window is open when they fire.
CUSTOMER_TRIGGERS = frozenset({"message_received", "conversation_opened"})
# Triggers whose event names a conversation (assign an agent or a team to it).
CONVERSATION_TRIGGERS = frozenset({"message_received", "conversation_opened", "conversation_assigned",
                                   "conversation_closed", "conversation_unattended"})


def event(tenant_id: str, type_: str, caller: Caller | None, automation_id: str, **data: Any) -> DomainEvent:
    return build_event(SOURCE, tenant_id, CATALOGUE.check(type_), caller=caller, entity_type="automation",
                       entity_id=automation_id, data=data)


# ---------------------------------------------------------------- compile


def trigger_key(trigger: dict[str, Any]) -> str:
    """The trigger index key: tag triggers are keyed by their folded tag too."""
    if trigger["type"] in ("tag_added", "tag_removed"):
        return f"{trigger['type']}#{fold(trigger['tag'])}"
    return str(trigger["type"])


def _dump(step: BaseModel) -> dict[str, Any]:
    return step.model_dump(by_alias=True, exclude_none=True)


def compile_steps(steps: list[Any]) -> list[dict[str, Any]]:
    """The step tree as a flat program. Each instruction keeps `path` (where the step is in the
    tree, e.g. "2.then.0") for the run history; a branch jumps to its `else` when the person does
    not match, the end of a `then` jumps over the `else`."""
    program: list[dict[str, Any]] = []

    def lay_out(items: list[Any], prefix: str) -> None:
        for index, step in enumerate(items):
            path = f"{prefix}{index}"
            if isinstance(step, Branch | WaitEvent | RequestApproval):
                # wait_event and request_approval are branches too: `then` when the event comes (or
                # the deal is approved), `timeout` / `rejected` (at "else") otherwise
                if isinstance(step, Branch):
                    branch: dict[str, Any] = {"op": "branch", "path": path, "conditions": step.conditions}
                    arms, other = (step.then, step.else_), "else"
                else:
                    other = "timeout" if isinstance(step, WaitEvent) else "rejected"
                    data = step.model_dump(exclude_none=True, exclude={"then", other})
                    branch = {"op": data.pop("type"), "path": path, **data}
                    arms = (step.then, step.timeout if isinstance(step, WaitEvent) else step.rejected)
                program.append(branch)
                lay_out(arms[0], f"{path}.then.")
                if arms[1]:
                    jump: dict[str, Any] = {"op": "jump", "path": f"{path}.then.end"}
                    program.append(jump)
                    branch["else"] = len(program)
                    lay_out(arms[1], f"{path}.{other}.")
                    jump["to"] = len(program)
                else:
                    branch["else"] = len(program)
            else:
                data = _dump(step)
                program.append({"op": data.pop("type"), "path": path, **data})

    lay_out(steps, "")
    return program


def definition_of(data: AutomationIn) -> dict[str, Any]:
    return {
        "kind": data.kind, "trigger": _dump(data.trigger), "conditions": data.conditions,
        "event_conditions": [_dump(c) for c in data.event_conditions],
        "steps": [_dump(s) for s in data.steps], "once_per_person": data.once_per_person,
    }


# ---------------------------------------------------------------- validation


def _issue(errors: list[dict[str, Any]], field: str, error: str, es: str, en: str) -> None:
    errors.append({"field": field, "error": error, "message": both(es, en)})


def _check_rule(tenant_id: str, rule: Any, field: str, errors: list[dict[str, Any]], fields: Any) -> None:
    from skailan.crm.audiences.rules import parse_rule

    try:
        parse_rule(rule, fields)
    except Unprocessable as err:
        for detail in err.details or []:
            errors.append({"field": field, "error": "invalid_rule", "path": detail.get("path"),
                           "message": detail.get("message") or err.message})


def _walk(steps: list[Any], prefix: str) -> list[tuple[str, Any, int, bool]]:
    """(path, step, minutes waited before it, whether a dated wait came before) in run order."""
    out: list[tuple[str, Any, int, bool]] = []

    def go(items: list[Any], pre: str, waited: int, dated: bool) -> tuple[int, bool]:
        for index, step in enumerate(items):
            path = f"{pre}{index}"
            out.append((path, step, waited, dated))
            if step.type == "wait":
                waited += step.minutes or 0
                dated = dated or step.until is not None
            elif isinstance(step, Branch):
                a = go(step.then, f"{path}.then.", waited, dated)
                b = go(step.else_, f"{path}.else.", waited, dated)
                waited, dated = max(a[0], b[0]), a[1] or b[1]
            elif isinstance(step, RequestApproval):
                # a decision can take any time: free text after it may be outside the window
                a = go(step.then, f"{path}.then.", waited + WHATSAPP_WINDOW_MINUTES, dated)
                b = go(step.rejected, f"{path}.rejected.", waited + WHATSAPP_WINDOW_MINUTES, dated)
                waited, dated = max(a[0], b[0]), a[1] or b[1]
            elif isinstance(step, WaitEvent):
                # After a reply the window is open again; on timeout it may not be.
                a = go(step.then, f"{path}.then.", 0 if step.event == "message_received" else waited + step.timeout_minutes, dated)
                b = go(step.timeout, f"{path}.timeout.", waited + step.timeout_minutes, dated)
                waited, dated = max(a[0], b[0]), a[1] or b[1]
        return waited, dated

    go(steps, prefix, 0, False)
    return out


MAX_INSTRUCTIONS = 200  # steps across every branch
MAX_DEFINITION_BYTES = 100_000  # stored twice (definition and program) in a 400 KB item


def validate(tenant_id: str, data: AutomationIn) -> None:
    """Everything that needs the brand's data; one 422 naming every bad part."""
    import json

    from skailan.crm.vocabulary.definitions import load
    from skailan.platform.clock import parse_iso

    size = len(json.dumps(definition_of(data), default=str).encode())
    count = len(_walk(data.steps, ""))
    if size > MAX_DEFINITION_BYTES or count > MAX_INSTRUCTIONS:
        raise Unprocessable(both(f"La automatización es demasiado grande (máximo {MAX_INSTRUCTIONS} pasos, "
                                 f"{MAX_DEFINITION_BYTES // 1000} KB)", f"The automation is too large (at most "
                                 f"{MAX_INSTRUCTIONS} steps, {MAX_DEFINITION_BYTES // 1000} KB)"),
                            code="automation_too_large", details=[{"field": "steps", "error": "too_large",
                                                                   "steps": count, "bytes": size}])
    errors: list[dict[str, Any]] = []
    definitions = load(tenant_id)
    if data.conditions is not None:
        _check_rule(tenant_id, data.conditions, "conditions", errors, definitions.fields)
    trigger = data.trigger
    if trigger.type == "journey_state_changed" and trigger.state and trigger.state not in definitions.state_ids:
        _issue(errors, "trigger.state", "unknown", "Estado de recorrido desconocido", "Unknown journey state")
    campaign_id = getattr(trigger, "campaign_id", None)
    if campaign_id:
        from skailan.campaigns import store as campaigns

        if campaigns.get_campaign(tenant_id, str(campaign_id)) is None:
            _issue(errors, f"trigger.{trigger.type}.campaign_id", "unknown", "Campaña desconocida", "Unknown campaign")
    if trigger.type in ("birthday", "date_field"):
        key = trigger.field.removeprefix("custom.")
        found = next((f for f in definitions.fields if f.key == key), None)
        if found is None or str(found.type) != "date":
            _issue(errors, f"trigger.{trigger.type}.field", "not_a_date_field",
                   f"«{key}» no es un campo de fecha de las personas", f"“{key}” is not a date field of people")
    if trigger.type == "schedule":
        from skailan.automations import cron

        try:
            cron.parse(trigger.cron)
        except cron.CronError as err:
            _issue(errors, "trigger.schedule.cron", "invalid_cron",
                   f"Expresión cron no válida (minuto hora día mes día-de-semana): {err}",
                   f"Not a valid cron expression (minute hour day month weekday): {err}")
        if trigger.list_id:
            from skailan.crm.audiences.lists import load_list

            try:
                load_list(tenant_id, trigger.list_id)
            except NotFound:
                _issue(errors, "trigger.schedule.list_id", "unknown", "Lista desconocida", "Unknown list")
        if trigger.segment_id:
            from skailan.crm.audiences.segments import load_segment

            try:
                load_segment(tenant_id, trigger.segment_id)
            except NotFound:
                _issue(errors, "trigger.schedule.segment_id", "unknown", "Segmento desconocido", "Unknown segment")
    users: set[str] = set()
    for path, step, waited, dated in _walk(data.steps, "steps."):
        kind = step.type
        where = f"{path}.{kind}"
        if isinstance(step, Branch):
            _check_rule(tenant_id, step.conditions, f"{where}.conditions", errors, definitions.fields)
        elif kind == "set_journey_state" and step.state not in definitions.state_ids:
            _issue(errors, f"{where}.state", "unknown", "Estado de recorrido desconocido", "Unknown journey state")
        elif kind in ("add_to_list", "remove_from_list"):
            from skailan.crm.audiences.lists import load_list

            try:
                load_list(tenant_id, step.list_id)
            except NotFound:
                _issue(errors, f"{where}.list_id", "unknown", "Lista desconocida", "Unknown list")
        elif kind == "notify_user":
            users.add(step.user_id)
            _check_user(tenant_id, step.user_id, f"{where}.user_id", errors)
        elif kind in ("assign_owner", "assign_agent", "assign_team"):
            for i, user in enumerate(step.user_ids):
                _check_user(tenant_id, user, f"{where}.user_ids.{i}", errors)
            if kind != "assign_owner" and trigger.type not in CONVERSATION_TRIGGERS:
                _issue(errors, where, "needs_conversation_trigger",
                       "Asignar un agente o un equipo necesita un disparador de conversación o de mensaje",
                       "Assigning an agent or a team needs a conversation or message trigger")
            if kind == "assign_team":
                from skailan.conversations.inbox import teams

                if teams.find_team(tenant_id, step.team_id) is None:
                    _issue(errors, f"{where}.team_id", "unknown", "Equipo desconocido", "Unknown team")
        elif kind == "create_task" and step.assignee_id:
            _check_user(tenant_id, step.assignee_id, f"{where}.assignee_id", errors)
        elif kind == "send_message":
            if trigger.type not in CUSTOMER_TRIGGERS or dated or waited >= WHATSAPP_WINDOW_MINUTES:
                _issue(errors, where, "outside_reply_window",
                       "Un mensaje de texto libre solo puede salir mientras la ventana de respuesta de 24 horas "
                       "está abierta (tras un mensaje del cliente); usa una plantilla de WhatsApp "
                       "(send_whatsapp_template)",
                       "Free text can only go out while the 24-hour reply window is open (after a customer "
                       "message); use a WhatsApp template (send_whatsapp_template)")
        elif kind == "send_whatsapp_template":
            if step.account_id is None and trigger.type not in CUSTOMER_TRIGGERS | {"conversation_assigned",
                                                                                  "conversation_closed"}:
                _issue(errors, f"{where}.account_id", "required", "Indica el número de WhatsApp que envía",
                       "Give the WhatsApp account that sends")
            _check_template(tenant_id, step.account_id, step.name, step.language, f"{where}", errors)
        elif kind in ("send_email", "send_sms"):
            _check_account(tenant_id, step.account_id, "email" if kind == "send_email" else "sms",
                           f"{where}.account_id", errors)
        elif kind == "call_webhook":
            _check_url(step.url, f"{where}.url", errors)
        elif kind == "move_deal" and trigger.type not in ("deal_stage_changed", "deal_won", "deal_lost"):
            _issue(errors, where, "needs_deal_trigger", "Mover un negocio necesita un disparador de negocio",
                   "Moving a deal needs a deal trigger")
        elif kind in ("create_deal", "move_deal") and getattr(step, "owner_id", None):
            _check_user(tenant_id, step.owner_id, f"{where}.owner_id", errors)
        elif kind == "add_score":
            found = next((f for f in definitions.fields if f.key == step.field.removeprefix("custom.")), None)
            if found is None or str(found.type) != "number":
                _issue(errors, f"{where}.field", "not_a_number_field", "Los puntos van en un campo numérico",
                       "Points go in a number field")
            if step.min is not None and step.max is not None and step.min > step.max:
                _issue(errors, f"{where}.min", "min_above_max", "El mínimo supera al máximo",
                       "The minimum is above the maximum")
        elif kind == "request_approval":
            for i, user in enumerate(step.approver_ids):
                _check_user(tenant_id, user, f"{where}.approver_ids.{i}", errors)
            if trigger.type not in ("deal_stage_changed", "deal_won", "deal_lost"):
                _issue(errors, where, "needs_deal_trigger", "Aprobar un negocio necesita un disparador de negocio",
                       "Approving a deal needs a deal trigger")
        elif kind == "wait_event" and step.event == "journey_state_changed" and step.state and (
                step.state not in definitions.state_ids):
            _issue(errors, f"{where}.state", "unknown", "Estado de recorrido desconocido", "Unknown journey state")
        elif kind == "wait" and step.until:
            try:
                parse_iso(step.until)
            except ValueError:
                _issue(errors, f"{where}.until", "invalid", "Fecha y hora no válida (ISO-8601)",
                       "Not a valid date-time (ISO-8601)")
    kinds_need = {"assignment": (("assign_owner", "assign_agent", "assign_team"), "una asignación (assign_owner)",
                                "an assignment (assign_owner)"),
                  "scoring": (("add_score",), "puntos (add_score)", "points (add_score)")}
    if data.kind in kinds_need:
        ops, es, en = kinds_need[data.kind]
        if not any(step.type in ops for _, step, _, _ in _walk(data.steps, "")):
            _issue(errors, "steps", "kind_needs_step", f"Una regla de este tipo necesita {es}",
                   f"A rule of this kind needs {en}")
    if data.kind == "escalation" and trigger.type not in ("task_overdue", "conversation_unattended"):
        _issue(errors, "trigger", "kind_needs_trigger",
               "Una regla de escalamiento se dispara por una tarea vencida o una conversación sin atender",
               "An escalation rule fires on an overdue task or an unattended conversation")
    if trigger.type == "schedule" and not trigger.list_id and not trigger.segment_id:
        for path, step, _, _ in _walk(data.steps, "steps."):
            if step.type in PERSON_STEPS:
                _issue(errors, f"{path}.{step.type}", "needs_person",
                       "Una programación sin lista no tiene persona: elige una lista o quita este paso",
                       "A schedule without a list has no person: choose a list or remove this step")
    if errors:
        raise Unprocessable(both("La automatización no es válida", "The automation is not valid"), details=errors)


# Steps that act on the run's person (a run without one fails them).
PERSON_STEPS = frozenset({"add_tag", "remove_tag", "update_field", "set_journey_state", "add_to_list",
                          "remove_from_list", "assign_owner", "send_email", "send_sms", "create_deal", "add_score",
                          "branch", "wait_event"})


def next_fire(tenant_id: str, trigger: dict[str, Any], after: Any = None) -> str | None:
    """When a clock trigger next fires (UTC ISO), in the brand's time zone; None for other triggers.
    Date triggers look once a day at their hour; schedules at their cron times."""
    from skailan.automations import cron
    from skailan.automations.models import CLOCK_TRIGGERS
    from skailan.platform.clock import utcnow
    from skailan.tenancy import brands

    if trigger.get("type") not in CLOCK_TRIGGERS:
        return None
    zone = brands.get_brand(tenant_id).time_zone
    after = after or utcnow()
    if trigger["type"] == "schedule":
        found = cron.next_after(cron.parse(trigger["cron"]), zone, after)
    else:
        found = cron.daily_at(int(trigger.get("hour", 9)), zone, after)
    return iso(found) if found is not None else None


def _check_user(tenant_id: str, user_id: str, field: str, errors: list[dict[str, Any]]) -> None:
    from skailan.tenancy.member_reads import find_member

    member = find_member(tenant_id, user_id)
    if member is None or member.status != "active":
        _issue(errors, field, "unknown", "Usuario desconocido o inactivo", "Unknown or inactive user")


def _check_template(tenant_id: str, account_id: str | None, name: str, language: str, field: str,
                    errors: list[dict[str, Any]]) -> None:
    """The template exists on that account — or, sent in the triggering conversation, on one of
    the brand's WhatsApp accounts."""
    from skailan.conversations.inbox import templates

    if account_id:
        found = templates.find(tenant_id, account_id, name, language) is not None
    else:
        found = any(t.name == name and t.language == language for t in templates.list_templates(tenant_id).items)
    if not found:
        _issue(errors, f"{field}.name", "unknown", f"La plantilla '{name}' ({language}) no está registrada",
               f"Template '{name}' ({language}) is not registered")


def _check_account(tenant_id: str, account_id: str, channel: str, field: str, errors: list[dict[str, Any]]) -> None:
    from skailan.tenancy.channel_accounts import get_account

    try:
        ok = get_account(tenant_id, account_id).channel == channel
    except NotFound:
        ok = False
    if not ok:
        _issue(errors, field, "unknown", f"Cuenta de {channel} desconocida", f"Unknown {channel} account")


def _check_url(url: str, field: str, errors: list[dict[str, Any]]) -> None:
    from skailan.channels import fetch
    from skailan.platform.errors import Retryable
    from skailan.platform.settings import get_settings

    try:  # the same guard runs again at each call: DNS may answer differently later
        fetch.check_outbound_url(url, local_hosts=get_settings().provider_local_hosts, resolve=fetch.resolve_host)
    except fetch.UnsafeUrl as err:
        _issue(errors, field, "unsafe_url", f"URL no permitida: {err.message}", f"URL not allowed: {err.message}")
    except Retryable as err:
        _issue(errors, field, "unresolvable", f"No se pudo resolver el host: {err}", f"Cannot resolve the host: {err}")


# ---------------------------------------------------------------- out


def to_out(item: store.AutomationItem, *, secrets_visible: bool = False,
           next_fire_at: str | None = None) -> AutomationOut:
    definition = item.definition or {}
    status: Literal["active", "inactive", "paused"] = "paused" if item.paused_reason else (
        "active" if item.active else "inactive")
    hook = item.hook_id if definition.get("trigger", {}).get("type") == "webhook" else None
    signs = hook or any(s.get("op") == "call_webhook" for s in item.program or [])
    return AutomationOut(
        id=item.automation_id, version=int(item.version), name=item.name, description=item.description,
        active=bool(item.active), status=status, paused_reason=item.paused_reason,
        kind=definition.get("kind") or "workflow",
        trigger=definition.get("trigger") or {}, conditions=definition.get("conditions"),
        event_conditions=definition.get("event_conditions") or [], steps=definition.get("steps") or [],
        once_per_person=bool(definition.get("once_per_person")), created_at=item.created_at or "",
        created_by=item.created_by, updated_at=item.updated_at or "", last_run_at=item.last_run_at,
        webhook_url=f"/public/automations/hooks/{hook}" if hook else None,
        webhook_secret=item.hook_secret if signs and secrets_visible else None, next_fire_at=next_fire_at,
    )


def load(tenant_id: str, automation_id: str, *, consistent: bool = False) -> store.AutomationItem:
    item = store.get_automation(tenant_id, automation_id, consistent=consistent) if is_valid_id(
        automation_id) else None
    if item is None:
        raise NotFound(NOT_FOUND, code="automation_not_found")
    return item


# ---------------------------------------------------------------- writes


def create(caller: Caller, data: AutomationIn) -> AutomationOut:
    tenant_id = caller.tenant_id
    validate(tenant_id, data)
    now = iso()
    automation_id = new_id()
    definition = definition_of(data)
    item = store.AutomationItem(store.automation_pk(tenant_id, automation_id), store.AUTOMATION_SK,
                                tenant_id=tenant_id, automation_id=automation_id, name=data.name,
                                description=data.description, active=data.active, version=1, definition=definition,
                                program=compile_steps(data.steps), trigger_key=trigger_key(definition["trigger"]),
                                created_by=caller.principal_id, created_at=now, updated_at=now, strikes=0,
                                hook_secret=secrets.token_urlsafe(32))  # signs outbound and checks inbound hooks
    hook = None
    if data.trigger.type == "webhook":
        item.hook_id = new_id()
        hook = store.hook_item(item.hook_id, tenant_id, automation_id)
    schedule_at = next_fire(tenant_id, definition["trigger"])
    if definition["trigger"]["type"] in ("birthday", "date_field"):
        store.queue_backfill(tenant_id, automation_id, now)
    store.write_automation(item, store.new_version_item(item, now, caller.principal_id),
                           [event(tenant_id, "automation.created", caller, automation_id, name=data.name,
                                  version=1, trigger=definition["trigger"]["type"])], hook=hook,
                           schedule_at=schedule_at)
    return to_out(item, secrets_visible=True, next_fire_at=schedule_at if store.live(item) else None)


def update(caller: Caller, automation_id: str, data: AutomationPatchIn) -> AutomationOut:
    tenant_id = caller.tenant_id
    item = load(tenant_id, automation_id, consistent=True)
    sent = data.model_fields_set
    if not sent:
        return to_out(item, secrets_visible=True)
    current = item.definition or {}
    merged = {
        "name": data.name if "name" in sent else item.name,
        "kind": data.kind if "kind" in sent else current.get("kind", "workflow"),
        "description": data.description if "description" in sent else item.description,
        "active": data.active if "active" in sent else item.active,
        "trigger": data.trigger.model_dump(exclude_none=True) if "trigger" in sent and data.trigger else current[
            "trigger"],
        "conditions": data.conditions if "conditions" in sent else current.get("conditions"),
        "event_conditions": [c.model_dump(exclude_none=True) for c in data.event_conditions or []]
        if "event_conditions" in sent else current.get("event_conditions") or [],
        "steps": [_dump(s) for s in data.steps] if "steps" in sent and data.steps else current["steps"],
        "once_per_person": data.once_per_person if "once_per_person" in sent else current.get("once_per_person"),
    }
    from pydantic import ValidationError

    try:
        checked = AutomationIn.model_validate(merged)  # the merged result is what must be valid
    except ValidationError as err:
        raise Unprocessable(both("La automatización no es válida", "The automation is not valid"), details=[
            {"field": ".".join(str(p) for p in e["loc"]), "error": e["type"], "message": e["msg"]}
            for e in err.errors()]) from err
    validate(tenant_id, checked)
    definition = definition_of(checked)
    now = iso()
    new_version = definition != current
    item.name, item.description, item.active = checked.name, checked.description, checked.active
    if "active" in sent and checked.active:
        item.paused_reason, item.strikes = None, 0  # turning it on again lifts a pause
    version = None
    if new_version:
        item.version = int(item.version) + 1
        item.definition, item.program = definition, compile_steps(checked.steps)
        item.trigger_key = trigger_key(definition["trigger"])
        version = store.new_version_item(item, now, caller.principal_id)
    hook = None
    if checked.trigger.type == "webhook" and not item.hook_id:
        item.hook_id, item.hook_secret = new_id(), item.hook_secret or secrets.token_urlsafe(32)
        hook = store.hook_item(item.hook_id, tenant_id, automation_id)
    item.updated_at = now
    schedule_at = _kept_schedule(item, current, definition)
    if definition["trigger"]["type"] in ("birthday", "date_field") and definition["trigger"] != current.get("trigger"):
        store.queue_backfill(tenant_id, automation_id, now)
    try:
        store.write_automation(item, version, [event(tenant_id, "automation.updated", caller, automation_id,
                                                     changed=sorted(sent), version=int(item.version))], hook=hook,
                               schedule_at=schedule_at)
    except ConditionFailed as err:
        raise Conflict(both("La automatización cambió mientras la editabas; vuelve a cargarla",
                            "The automation changed while you edited it; reload it"),
                       code="automation_changed") from err
    return to_out(item, secrets_visible=True, next_fire_at=schedule_at if store.live(item) else None)


def _kept_schedule(item: store.AutomationItem, before: dict[str, Any], after: dict[str, Any]) -> str | None:
    """A clock trigger's next time after an edit: the one pending if the trigger is the same (an
    occurrence due now still fires), else computed afresh."""
    if before.get("trigger") == after.get("trigger"):
        pending = store.get_schedule(item.tenant_id, item.automation_id)
        if pending is not None:
            return pending.next_at
    return next_fire(item.tenant_id, after["trigger"])


def delete(caller: Caller, automation_id: str) -> None:
    """Soft delete: off the list and the trigger index; its runs stay readable in the history
    (waiting runs of a deleted automation stop when they wake)."""
    item = load(caller.tenant_id, automation_id, consistent=True)
    now = iso()
    item.deleted_at, item.updated_at, item.active = now, now, False
    try:
        store.write_automation(item, None, [event(caller.tenant_id, "automation.deleted", caller, automation_id,
                                                  name=item.name)])
    except ConditionFailed as err:
        raise Conflict(both("La automatización cambió; vuelve a intentarlo", "The automation changed; try again"),
                       code="automation_changed") from err


def get(caller: Caller, automation_id: str) -> AutomationOut:
    from skailan.automations.models import CLOCK_TRIGGERS

    item = load(caller.tenant_id, automation_id)
    schedule = store.get_schedule(caller.tenant_id, automation_id) if (item.definition or {}).get(
        "trigger", {}).get("type") in CLOCK_TRIGGERS else None
    return to_out(item, secrets_visible=caller.can("automations:edit"),
                  next_fire_at=schedule.next_at if schedule is not None else None)


def list_all(tenant_id: str, cursor: str | None, limit: int | None) -> Page[AutomationOut]:
    items, next_cursor = store.list_automations(tenant_id, cursor, limit)
    return Page[AutomationOut](items=[to_out(i) for i in items], next_cursor=next_cursor)


def versions(tenant_id: str, automation_id: str) -> Page[VersionOut]:
    load(tenant_id, automation_id)
    return Page[VersionOut](items=[VersionOut(version=int(v.version), created_at=v.created_at or "",
                                              created_by=v.created_by, definition=v.definition or {})
                                   for v in store.list_versions(tenant_id, automation_id)])
