"""The automations engine: an event → the automations it triggers → runs → steps.

Matching reads the trigger index (one Query per trigger key of the event, `store.matching`);
a run is created together with its idempotency claim (event id + automation version), so a
redelivered event never runs an automation twice. Steps run in order from the run's program
counter; the run is saved (conditionally on its revision) after each one, so a retried worker
continues where the last one stopped and two workers never both move a run. A wait, or a
failing step's backoff, parks the run on the due-time index; `resume_due` (the every-minute job,
reading the application clock) picks it up.

Loop and storm protection: every event a run's steps cause carries the causal chain (root event,
depth = the run's depth; `platform.events.caused_by`), a run triggered by such an event is one
deeper, and past `automation_max_depth` it is stopped with the reason. Runs are capped per
automation and person per hour and per brand per minute; an automation whose runs fail or are
capped `automation_strikes_to_pause` times in a row is paused, with an event and a notice to
whoever created it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import hmac
import json
import re
from datetime import timedelta
from typing import Any, cast

from skailan.automations import store
from skailan.automations.catalogue import (
    AUTOMATION_PAUSED,
    CATALOGUE,
    RUN_FAILED,
    RUN_STOPPED,
    SOURCE,
)
from skailan.automations.models import ApprovalOut, Page, RunOut, StepRunOut
from skailan.crm.values.text import fold
from skailan.platform.auth import Caller, system_caller
from skailan.platform.clock import iso, parse_iso, utcnow
from skailan.platform.errors import Conflict, NotFound, Retryable, SkailanError
from skailan.platform.events import CausalChain, DomainEvent, build_event, caused_by
from skailan.platform.i18n import both
from skailan.platform.ids import is_valid_id, new_id
from skailan.platform.observability import logger
from skailan.platform.settings import get_settings
from skailan.platform.storage import ConditionFailed

MAX_ATTEMPTS = 3  # a step failing with a transient error: tried this many times, then failed
BACKOFF_SECONDS = (60, 300)  # before the 2nd and 3rd attempt
WEBHOOK_TIMEOUT = 10.0
MAX_STEP_HISTORY = 200
RUN_NOT_FOUND = "Ejecución no encontrada. / Run not found."


def why_not(es: str, en: str) -> str:
    return f"No se ejecutó porque: {es} / Not run because: {en}"


# ---------------------------------------------------------------- events → triggers


def _words(text: str) -> str:
    return " " + " ".join(re.findall(r"[0-9a-z]+", fold(text))) + " "


def has_keyword(text: str | None, keywords: list[str]) -> bool:
    """A keyword (or phrase) matches where a word of the text starts with it, accent- and
    case-insensitively ("precio" matches "¿PRECIOS?")."""
    if not text:
        return False
    words = _words(text)
    for keyword in keywords:
        wanted = " ".join(re.findall(r"[0-9a-z]+", fold(keyword)))
        if wanted and f" {wanted}" in words:
            return True
    return False


def triggers_of(event: DomainEvent) -> list[tuple[str, dict[str, Any]]]:
    """The trigger keys an event fires, each with the facts its conditions may read."""
    data = dict(event.data or {})
    source, type_ = event.source, event.type
    out: list[tuple[str, dict[str, Any]]] = []
    if source == "skailan.crm":
        if type_ == "contact.created":
            out.append(("person_created", data))
            out += [(f"tag_added#{fold(t)}", {"tag": t}) for t in data.get("tags") or []]
        elif type_ == "contact.updated":
            changed = data.get("changed") or []
            out.append(("person_updated", {"changed": changed}))
            out += [(f"tag_added#{fold(t)}", {"tag": t}) for t in data.get("tags_added") or []]
            out += [(f"tag_removed#{fold(t)}", {"tag": t}) for t in data.get("tags_removed") or []]
            if "customer_role" in changed:
                out.append(("customer_role_changed", {"changed": changed}))
        elif type_ == "contact.journey_changed":
            out.append(("journey_state_changed", {"state": data.get("to"), "from_state": data.get("from")}))
        elif type_ == "form.submitted":
            out.append(("form_submitted", data))
        elif type_ == "deal.stage_changed":
            out.append(("deal_stage_changed", {**data, "stage_id": data.get("to_stage_id")}))
        elif type_ in ("deal.won", "deal.lost"):
            out.append((type_.replace(".", "_"), data))
        elif type_ == "task.overdue":
            out.append(("task_overdue", data))
    elif source == "skailan.conversations":
        mapping = {"conversation.created": "conversation_opened", "conversation.assigned": "conversation_assigned",
                   "conversation.closed": "conversation_closed", "message.received": "message_received",
                   "conversation.unassigned_alert": "conversation_unattended"}
        if type_ in mapping:
            out.append((mapping[type_], data))
    elif source == "skailan.campaigns":
        if type_.startswith("campaign_recipient.") and data.get("person_id"):
            out.append((f"campaign_{type_.split('.', 1)[1]}", data))
        elif type_ == "consent.changed" and data.get("suppressed") and data.get("person_id"):
            out.append(("campaign_unsubscribed", data))
    elif source == "skailan.leads":
        # The leads context (issue 11) publishes these; read from the payload only.
        mapping = {"lead.note_added": "lead_note_added", "lead.status_changed": "lead_status_changed",
                   "lead.outcome_classified": "outcome_classified", "outcome.classified": "outcome_classified"}
        if type_ in mapping:
            out.append((mapping[type_], data))
    return out


def trigger_matches(trigger: dict[str, Any], facts: dict[str, Any]) -> bool:
    """The trigger's own parameters (keywords, channel, state…) against the event's facts."""
    kind = trigger["type"]
    if trigger.get("channel") and facts.get("channel") != trigger["channel"]:
        return False
    if kind == "message_received":
        return not trigger.get("keywords") or has_keyword(facts.get("text"), trigger["keywords"])
    if kind == "person_updated" and trigger.get("fields"):
        changed = set(facts.get("changed") or [])
        return any(f in changed or f"custom.{f}" in changed or (f.startswith("custom.") and "custom" in changed)
                   for f in trigger["fields"]) or ("custom" in changed and any(
                       not f.startswith(("name", "phone", "email", "tags", "owner_id", "journey_state",
                                         "customer_role")) for f in trigger["fields"]))
    checks = {"journey_state_changed": ("state", "state"), "form_submitted": ("form_id", "form_id"),
              "conversation_closed": ("reason_id", "reason_id"), "deal_stage_changed": ("stage_id", "stage_id"),
              "lead_note_added": ("template", "template"), "lead_status_changed": ("status", "status"),
              "outcome_classified": ("outcome", "outcome"), "campaign_delivered": ("campaign_id", "campaign_id"),
              "campaign_read": ("campaign_id", "campaign_id"), "campaign_opened": ("campaign_id", "campaign_id"),
              "campaign_clicked": ("campaign_id", "campaign_id"), "campaign_replied": ("campaign_id", "campaign_id")}
    if kind in checks:
        param, fact = checks[kind]
        wanted = trigger.get(param)
        if wanted and fold(str(facts.get(fact) or "")) != fold(str(wanted)):
            return False
    return True


def person_of(event: DomainEvent, facts: dict[str, Any]) -> str | None:
    if facts.get("person_id"):
        return str(facts["person_id"])
    if event.entity_type == "contact" and event.entity_id:
        return event.entity_id
    conversation_id = facts.get("conversation_id")
    if conversation_id:
        from skailan.conversations.store import messages as conversations

        conversation = conversations.get_conversation(event.tenant_id, str(conversation_id))
        return conversation.person_id if conversation is not None else None
    return None


def on_event(event: DomainEvent) -> dict[str, int]:
    """Start every automation the event triggers (the worker's record handler)."""
    counts = {"matched": 0, "started": 0, "duplicate": 0, "stopped": 0}
    if event.source == SOURCE:
        return counts
    if event.source == "skailan.crm" and event.type == "tag.renamed":
        from skailan.automations.tag_renames import rename_tag

        data = event.data or {}
        if not (data.get("from") and data.get("to")):
            return counts
        return rename_tag(event.tenant_id, str(data["from"]), str(data["to"]))
    if event.source == "skailan.crm" and event.type.startswith("contact."):
        sync_person_dates(event)
    person_id: str | None = None
    resolved = False
    keys = triggers_of(event)
    waitable = [(k, f) for k, f in keys if k.split("#", 1)[0] in WAITABLE]
    if waitable:
        person_id, resolved = person_of(event, waitable[0][1]), True
        if person_id:
            counts["resumed"] = resume_waiting(event, person_id, waitable)
    for key, facts in keys:
        for automation in _matching(event.tenant_id, key):
            if not trigger_matches((automation.definition or {}).get("trigger") or {}, facts):
                continue
            if not resolved:
                person_id, resolved = person_of(event, facts), True
            counts["matched"] += 1
            outcome = start(automation, event=event, facts=facts, person_id=person_id)
            counts[outcome] = counts.get(outcome, 0) + 1
    return counts


def _matching(tenant_id: str, trigger_key: str) -> list[Any]:
    """`store.matching`, a trigger no automation uses read once per SQS batch (most events start
    nothing: a Query per message.received otherwise). A non-empty answer is read for each record:
    a run may pause its automation (strikes) within the batch."""
    from skailan.platform.batch_reads import shared

    return shared((tenant_id, "automations_on", trigger_key), lambda: list(store.matching(tenant_id, trigger_key)),
                  keep=lambda found: not found)


WAITABLE = frozenset({"message_received", "tag_added", "tag_removed", "form_submitted", "journey_state_changed",
                      "conversation_closed", "deal_won", "deal_lost", "lead_status_changed", "campaign_delivered",
                      "campaign_read", "campaign_opened", "campaign_clicked", "campaign_replied"})


def resume_waiting(event: DomainEvent, person_id: str, keys: list[tuple[str, dict[str, Any]]]) -> int:
    """Runs of this person waiting (`wait_event`) for this event go on into their `then` arm: one
    Query for the person's waits. The triggering event (or a redelivery of it) never ends its own
    run's wait (the wait is created while that event is handled, so any other event of the kind
    handled later is an answer: message times are the provider's, not comparable with the
    application clock); the run's conditional save is the claim, so
    a redelivered event, or a timeout at the same moment, moves it once."""
    resumed = 0
    for wait in store.event_waits(event.tenant_id, person_id):
        hit = next((facts for key, facts in keys if key == wait.event_key and trigger_matches(
            {"type": key.split("#", 1)[0], **(wait.params or {})}, facts)), None)
        if hit is None or event.id == wait.trigger_event_id:
            continue
        run = _waiting_run(event.tenant_id, wait.automation_id, wait.run_id, wait.pc)
        if run is None:
            store.drop_event_wait(wait)  # the run moved on (timed out, deleted): a leftover
            continue
        ins, program = _current_step(run, "wait_event")
        if ins is None:
            continue
        _record(run, int(run.pc), ins, "completed", output={"event_id": event.id, "event_type": event.type,
                                                             "at": event.occurred_at})
        run.pc, run.attempts, run.status, run.wait_until, run.updated_at = int(run.pc) + 1, 0, "running", None, iso()
        try:
            store.save_run(run)
        except ConditionFailed:
            continue  # the timeout (or another worker) took it first
        store.drop_event_wait(wait)
        if _go_on(run, program):
            resumed += 1
    return resumed


def _waiting_run(tenant_id: str, automation_id: str, run_id: str, pc: float) -> store.RunItem | None:
    """The run, if it still waits at instruction `pc` (None: it moved on — timed out, resumed, deleted)."""
    run = store.get_run(tenant_id, automation_id, run_id, consistent=True)
    return run if run is not None and run.status == "waiting" and int(run.pc) == int(pc) else None


def _current_step(run: store.RunItem, op: str) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """The run's current instruction when it is an `op` (else None), and its own version's program."""
    version = store.get_version(run.tenant_id, run.automation_id, int(run.version))
    program: list[dict[str, Any]] = (version.program or []) if version is not None else []
    ins = program[int(run.pc)] if int(run.pc) < len(program) else None
    return (ins if ins is not None and ins["op"] == op else None), program


def _go_on(run: store.RunItem, program: list[dict[str, Any]]) -> bool:
    """Execute a resumed run from its new position, unless its automation was deleted meanwhile
    (then the run stops); False when it stopped."""
    automation = store.get_automation(run.tenant_id, run.automation_id)
    if automation is None:
        _finish(run, None, "stopped", why_not("la automatización fue eliminada", "the automation was deleted"))
        return False
    execute(run, program, automation=automation)
    return True


# ---------------------------------------------------------------- conditions


def _person_dict(tenant_id: str, person_id: str | None) -> dict[str, Any] | None:
    from skailan.crm.people.service import as_segment_person
    from skailan.crm.store.person_reads import find_person

    if not person_id or not is_valid_id(person_id):
        return None
    item = find_person(tenant_id, person_id, consistent=True)
    if item is None or item.deleted_at:
        return None
    return as_segment_person(item)


def _describe(node: Any) -> tuple[str, str]:
    from skailan.crm.audiences.rules import Group

    if isinstance(node, Group):
        return ("ninguna de las condiciones alternativas se cumple", "none of the alternative conditions holds") if (
            node.mode == "any") else ("un grupo de condiciones no se cumple", "a group of conditions does not hold")
    value = node.value if not isinstance(node.value, tuple) else list(node.value)
    if node.field == "tags":
        return (f"la etiqueta no coincide ({node.op.value} {value})", f"the tag does not match ({node.op.value} {value})")
    if node.field == "journey_state":
        return (f"el estado del recorrido no coincide ({node.op.value} {value})",
                f"the journey state does not match ({node.op.value} {value})")
    return (f"la condición «{node.field} {node.op.value} {value}» no se cumple",
            f"the condition “{node.field} {node.op.value} {value}” does not hold")


def explain_rule(rule_json: dict[str, Any], person: dict[str, Any]) -> str | None:
    """None when the person matches the rule tree; otherwise the first reason it does not."""
    from skailan.crm.audiences.rules import Group, matches, parse_rule

    rule = parse_rule(rule_json)
    now = utcnow()
    if matches(rule, person, now):
        return None
    if rule.mode == "all":
        for child in rule.children:
            ok = matches(child, person, now) if isinstance(child, Group) else matches(
                Group(all=(child,)), person, now)
            if not ok:
                return why_not(*_describe(child))
    return why_not(*_describe(rule))


def _fact(facts: dict[str, Any], path: str) -> Any:
    value: Any = facts
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _clock_facts(tenant_id: str) -> dict[str, Any]:
    """`business_hours` (the brand is open now) and `hour` (0-23 in the brand's zone)."""
    from zoneinfo import ZoneInfo

    from skailan.conversations.domain import hours
    from skailan.tenancy import brands

    brand = brands.get_brand(tenant_id)
    now = utcnow()
    return {"business_hours": hours.is_open(brand.business_hours, brand.time_zone, now),
            "hour": now.astimezone(ZoneInfo(brand.time_zone)).hour}


def explain_event_conditions(conditions: list[dict[str, Any]], facts: dict[str, Any],
                             tenant_id: str | None = None) -> str | None:
    """The event's fields; plus `business_hours` and `hour` (time of day in the brand's zone)."""
    if tenant_id and any(c["field"] in ("business_hours", "hour") for c in conditions):
        facts = {**facts, **_clock_facts(tenant_id)}
    for condition in conditions:
        actual, wanted, op = _fact(facts, condition["field"]), condition.get("value"), condition["op"]
        if condition["field"] == "hour" and op == "in" and isinstance(wanted, list):
            wanted = [str(w) for w in wanted]
        norm = (lambda v: fold(str(v)) if v is not None else None)  # noqa: E731
        if op == "eq":
            ok = norm(actual) == norm(wanted)
        elif op == "neq":
            ok = norm(actual) != norm(wanted)
        elif op == "in":
            ok = norm(actual) in [norm(w) for w in (wanted or [])]
        elif op == "contains":
            ok = actual is not None and (norm(wanted) or "") in (norm(actual) or "")
        else:
            ok = actual not in (None, "", [])
        if not ok:
            return why_not(f"el dato «{condition['field']}» del evento no coincide ({op} {wanted})",
                           f"the event's “{condition['field']}” does not match ({op} {wanted})")
    return None


# ---------------------------------------------------------------- runs


def _trigger_record(event: DomainEvent | None, facts: dict[str, Any], kind: str) -> dict[str, Any]:
    if event is None:
        return {"type": kind, "data": facts}
    data = {k: v for k, v in (event.data or {}).items() if k not in ("values",)}
    return {"type": kind, "event_id": event.id, "event_type": event.type, "source": event.source,
            "occurred_at": event.occurred_at, "entity_type": event.entity_type, "entity_id": event.entity_id,
            "actor": event.actor.model_dump(), "data": data}


def _run_event(run: store.RunItem, type_: str, *, name: str | None = None) -> DomainEvent:
    data: dict[str, Any] = {"automation_id": run.automation_id, "run_id": run.run_id, "person_id": run.person_id,
                            "status": run.status, "reason": run.reason}
    return build_event(SOURCE, run.tenant_id, CATALOGUE.check(type_), entity_type="automation_run",
                       entity_id=run.run_id, data=data)


def _rate_ok(tenant_id: str, automation_id: str, person_id: str | None) -> str | None:
    settings = get_settings()
    now = utcnow()
    if person_id and not store.take_rate(tenant_id, f"A#{automation_id}#P#{person_id}", now.strftime("%Y%m%d%H"),
                                         settings.automation_person_runs_per_hour, 7200):
        return why_not(f"se alcanzó el límite de {settings.automation_person_runs_per_hour} ejecuciones por hora "
                       "para esta persona", f"the limit of {settings.automation_person_runs_per_hour} runs per hour "
                       "for this person was reached")
    if not store.take_rate(tenant_id, "BRAND", now.strftime("%Y%m%d%H%M"), settings.automation_brand_runs_per_minute,
                           180):
        return why_not(f"se alcanzó el límite de {settings.automation_brand_runs_per_minute} ejecuciones por minuto "
                       "de la marca", f"the brand's limit of {settings.automation_brand_runs_per_minute} runs per "
                       "minute was reached")
    return None


def start(automation: store.AutomationItem, *, event: DomainEvent | None, facts: dict[str, Any],
          person_id: str | None, conversation_id: str | None = None) -> str:
    """Create the run (or its 'not run because' record) and run its steps: 'started',
    'stopped' or 'duplicate'."""
    tenant_id, automation_id = automation.tenant_id, automation.automation_id
    definition = automation.definition or {}
    version = int(automation.version)
    if event is not None:
        claimed = store.claimed_run(tenant_id, automation_id, event.id, version)
        if claimed is not None:
            return _continue_stalled(automation, claimed)
    settings = get_settings()
    chain = event.chain if event is not None else None
    depth = (chain.depth if chain else 0) + 1
    root = chain.root_event_id if chain else (event.id if event is not None else new_id())
    now = iso()
    trigger = _trigger_record(event, facts, definition.get("trigger", {}).get("type", "manual"))
    conversation_id = conversation_id or facts.get("conversation_id")
    if conversation_id:
        trigger["conversation_id"] = conversation_id
    run = store.new_run_item(tenant_id, automation_id, new_id(), version=version, status="running",
                             person_id=person_id, trigger=trigger, depth=depth, root_event_id=root, steps=[], pc=0,
                             attempts=0, started_at=now, created_at=now, updated_at=now)
    reason: str | None = None
    strike = False
    person = _person_dict(tenant_id, person_id)
    once = bool(definition.get("once_per_person")) and person_id is not None
    if depth > settings.automation_max_depth:
        reason = why_not(f"se alcanzó el límite de {settings.automation_max_depth} automatizaciones encadenadas "
                         "(posible bucle)", f"the limit of {settings.automation_max_depth} chained automations was "
                         "reached (a possible loop)")
        strike = True
    elif once and store.once_claimed(tenant_id, automation_id, person_id or ""):
        return "duplicate"
    elif person_id and person is None:
        reason = why_not("la persona ya no existe", "the person no longer exists")
    else:
        reason = explain_event_conditions(definition.get("event_conditions") or [], facts, tenant_id)
        if reason is None and definition.get("conditions"):
            reason = explain_rule(definition["conditions"], person or {}) if person is not None else why_not(
                "el evento no tiene persona para evaluar las condiciones", "the event has no person to check")
        if reason is None:
            reason = _rate_ok(tenant_id, automation_id, person_id)
            strike = reason is not None
    if reason is not None:
        run.status, run.reason = "stopped", reason
    if not store.claim_run(run, event.id if event is not None else None, person_id if once and not reason else None):
        return "duplicate"
    if reason is not None:
        logger.info("automation not run", tenant_id=tenant_id, automation_id=automation_id, reason=reason)
        if strike:
            _strike(automation, reason)
        return "stopped"
    store.touch_automation(tenant_id, automation_id, ran_at=now, strike=None)
    execute(run, automation.program or [], automation=automation)
    return "started"


STALLED_AFTER = timedelta(seconds=120)  # longer than the worker's timeout: nobody is running it


def _continue_stalled(automation: store.AutomationItem, run_id: str) -> str:
    """A redelivered event whose run a crashed worker left `running`: continue it from its
    program counter (the conditional saves keep a live worker and this one from both moving it)."""
    run = store.get_run(automation.tenant_id, automation.automation_id, run_id, consistent=True) if run_id else None
    if run is None or run.status != "running" or parse_iso(run.updated_at or run.started_at) > utcnow() - STALLED_AFTER:
        return "duplicate"
    version = store.get_version(run.tenant_id, run.automation_id, int(run.version))
    logger.warning("continuing a stalled run", run_id=run.run_id, pc=int(run.pc))
    execute(run, (version.program or []) if version is not None else automation.program or [], automation=automation)
    return "started"


def _strike(automation: store.AutomationItem, reason: str) -> None:
    strikes = store.touch_automation(automation.tenant_id, automation.automation_id, ran_at=None, strike=True)
    if strikes >= get_settings().automation_strikes_to_pause:
        pause(automation.tenant_id, automation.automation_id, reason)


def pause(tenant_id: str, automation_id: str, reason: str) -> None:
    """Take the automation off the trigger index with the reason; tell whoever created it."""
    item = store.get_automation(tenant_id, automation_id, consistent=True)
    if item is None or item.paused_reason:
        return
    item.paused_reason = both("Pausada tras fallar o ser limitada varias veces seguidas",
                              "Paused after failing or being capped several times in a row") + f" — {reason}"
    item.updated_at = iso()
    event = build_event(SOURCE, tenant_id, AUTOMATION_PAUSED, entity_type="automation", entity_id=automation_id,
                        data={"automation_id": automation_id, "name": item.name, "reason": item.paused_reason})
    try:
        store.write_automation(item, None, [event])
    except ConditionFailed:
        return  # edited meanwhile: the next strike looks again
    logger.warning("automation paused", tenant_id=tenant_id, automation_id=automation_id, reason=reason)
    if item.created_by:
        try:
            from skailan.conversations.inbox import notifications

            notifications.notify(tenant_id, item.created_by, "automation_paused", conversation_id=None,
                                 text=f"La automatización «{item.name}» se pausó. / Automation “{item.name}” was "
                                      "paused.", data={"automation_id": automation_id},
                                 notification_id=f"automation-paused-{automation_id}-{item.revision}")
        except Exception:  # the pause stands and its event is out; the notice is a courtesy
            logger.exception("pause notice failed", automation_id=automation_id)


def _record(run: store.RunItem, pc: int, ins: dict[str, Any], status: str, *, output: dict[str, Any] | None = None,
            error: str | None = None) -> None:
    entry = {"index": pc, "path": ins.get("path"), "type": ins["op"], "status": status,
             "input": {k: v for k, v in ins.items() if k not in ("op", "path", "else", "to")},
             "output": output, "error": error, "attempts": int(run.attempts or 0) + 1, "at": iso()}
    steps = list(run.steps or [])
    if steps and steps[-1].get("index") == pc and steps[-1].get("status") in ("retrying", "waiting"):
        steps[-1] = entry  # the same step again: its latest attempt replaces the pending entry
    else:
        steps.append(entry)
    run.steps = steps[-MAX_STEP_HISTORY:]


def _finish(run: store.RunItem, automation: store.AutomationItem | None, status: str,
            reason: str | None = None) -> None:
    """Store the end of the run; a failure is a strike (paused past the limit), a success after
    strikes clears them. Completed runs publish no event (nothing consumes one; it would cost a
    write per run), failed and stopped ones do."""
    run.status, run.reason, run.wait_until = status, reason, None
    run.updated_at = iso()
    events = [] if status == "completed" else [_run_event(run, RUN_FAILED if status == "failed" else RUN_STOPPED)]
    store.save_run(run, events)
    if status == "failed":
        strikes = store.touch_automation(run.tenant_id, run.automation_id, ran_at=None, strike=True)
        if strikes >= get_settings().automation_strikes_to_pause:
            pause(run.tenant_id, run.automation_id, reason or "")
    elif status == "completed" and automation is not None and int(automation.strikes or 0):
        store.touch_automation(run.tenant_id, run.automation_id, ran_at=None, strike=False)
        automation.strikes = 0


def execute(run: store.RunItem, program: list[dict[str, Any]], *, automation: store.AutomationItem | None) -> None:
    """Run instructions from the run's program counter until the end, a wait, a retry or a failure.
    The run is saved after every step (conditional on its revision: a second worker stops)."""
    chain = CausalChain(root_event_id=run.root_event_id, depth=int(run.depth))
    with caused_by(chain):
        while int(run.pc) < len(program):
            pc = int(run.pc)
            ins = program[pc]
            op = ins["op"]
            if op == "jump":
                run.pc = int(ins["to"])
                continue
            if op == "stop":
                _record(run, pc, ins, "completed")
                run.pc = len(program)
                break
            if op == "branch":
                person = _person_dict(run.tenant_id, run.person_id) or {}
                reason = explain_rule(ins["conditions"], person)
                _record(run, pc, ins, "completed", output={"matched": reason is None, "reason": reason})
                run.pc = pc + 1 if reason is None else int(ins["else"])
                continue
            if op == "request_approval":
                try:
                    needed, output = _request_approval(run, pc, ins)
                except SkailanError as err:
                    _record(run, pc, ins, "failed", error=err.message)
                    _finish(run, automation, "failed", _failed_reason(ins, err.message))
                    return
                if needed:
                    _record(run, pc, ins, "waiting", output=output)
                    run.status, run.wait_until, run.updated_at = "waiting", None, iso()
                    store.save_run(run)
                    return
                _record(run, pc, ins, "completed", output=output)
                run.pc, run.attempts = pc + 1, 0
                continue
            if op == "wait_event":
                due = _timeout_due(ins, run)
                person_id = run.person_id
                if person_id is None:
                    _record(run, pc, ins, "failed", error=both("La ejecución no tiene persona",
                                                               "The run has no person"))
                    _finish(run, automation, "failed", _failed_reason(ins, "no person"))
                    return
                key = _wait_key(ins)
                params = {k: ins[k] for k in ("keywords", "channel", "form_id", "state", "campaign_id") if ins.get(k)}
                since = iso()
                store.add_event_wait(run, pc, key, params, since)
                _record(run, pc, ins, "waiting", output={"event": ins["event"], "until": iso(due)})
                run.status, run.wait_until, run.updated_at = "waiting", iso(due), since
                store.save_run(run)
                return
            if op == "wait":
                due = _wait_due(ins, run)
                if due > utcnow():
                    _record(run, pc, ins, "waiting", output={"until": iso(due)})
                    run.status, run.wait_until, run.updated_at = "waiting", iso(due), iso()
                    store.save_run(run)
                    return
                _record(run, pc, ins, "completed", output={"until": iso(due)})
                run.pc, run.attempts = pc + 1, 0
                continue
            try:
                output = perform(run, ins, automation)
            except Retryable as err:
                if int(run.attempts or 0) + 1 < MAX_ATTEMPTS:
                    delay = BACKOFF_SECONDS[min(int(run.attempts or 0), len(BACKOFF_SECONDS) - 1)]
                    _record(run, pc, ins, "retrying", error=str(err))
                    run.attempts = int(run.attempts or 0) + 1
                    run.status, run.wait_until, run.updated_at = "waiting", iso(utcnow() + timedelta(seconds=delay)), iso()
                    store.save_run(run)
                    return
                _record(run, pc, ins, "failed", error=str(err))
                _finish(run, automation, "failed", _failed_reason(ins, str(err)))
                return
            except Exception as err:  # a permanent failure: the step is failed, later steps do not run
                message = err.message if isinstance(err, SkailanError) else f"{type(err).__name__}: {err}"
                if not isinstance(err, SkailanError):
                    logger.exception("automation step failed", run_id=run.run_id, step=pc)
                _record(run, pc, ins, "failed", error=message)
                _finish(run, automation, "failed", _failed_reason(ins, message))
                return
            _record(run, pc, ins, "skipped" if output.pop("skipped", False) else "completed", output=output)
            run.pc, run.attempts, run.updated_at = pc + 1, 0, iso()
            try:
                store.save_run(run)
            except ConditionFailed:
                logger.warning("run moved by another worker; this one stops", run_id=run.run_id)
                return
    _finish(run, automation, "completed")


def _failed_reason(ins: dict[str, Any], error: str) -> str:
    return both(f"Falló el paso {ins.get('path')} ({ins['op']}): {error}",
                f"Step {ins.get('path')} ({ins['op']}) failed: {error}")


def _wait_due(ins: dict[str, Any], run: store.RunItem) -> Any:
    if run.wait_until:  # resumed: the wait it parked on
        return parse_iso(run.wait_until)
    due = parse_iso(ins["until"]) if ins.get("until") else utcnow() + timedelta(minutes=int(ins["minutes"]))
    return _within_hours(ins, run, due)


def _request_approval(run: store.RunItem, pc: int, ins: dict[str, Any]) -> tuple[bool, dict[str, Any]]:
    """(whether a manager must decide, the step's output). The request is created once per run
    and step (its id), and each approver is told."""
    from skailan.crm.sales import deals

    trigger = run.trigger or {}
    deal_id = trigger.get("entity_id")
    if trigger.get("entity_type") != "deal" or not deal_id:
        raise SkailanError(both("El disparador no trae un negocio", "The trigger has no deal"), code="no_deal")
    deal = deals.get_deal(run.tenant_id, str(deal_id))
    amount = float(deal.amount)
    if ins.get("amount_over") is not None and amount <= float(ins["amount_over"]):
        return False, {"approved": True, "automatic": True, "amount": amount}
    approval_id = f"{run.run_id}-{pc}"
    if store.new_approval(run.tenant_id, approval_id, automation_id=run.automation_id, run_id=run.run_id, pc=pc,
                          deal_id=str(deal_id), deal_title=deal.title, amount=amount, person_id=run.person_id,
                          approver_ids=list(ins["approver_ids"]), message=ins.get("message"), requested_at=iso()):
        from skailan.conversations.inbox import notifications

        for user in ins["approver_ids"]:
            with contextlib.suppress(Exception):  # the request stands; a notice is a courtesy
                notifications.notify(run.tenant_id, user, "automation", conversation_id=None,
                                     text=f"Aprobación pedida: «{deal.title}» ({amount:g}). / Approval requested: "
                                          f"“{deal.title}” ({amount:g}).",
                                     data={"approval_id": approval_id, "deal_id": str(deal_id)},
                                     notification_id=f"approval-{approval_id}-{user}")
    return True, {"approval_id": approval_id, "amount": amount}


def decide(caller: Caller, approval_id: str, approve: bool, reason: str | None) -> Any:
    """A manager approves or rejects: only the step's approvers; once (a conditional update). The
    waiting run goes on into `then` (approved) or `rejected`."""
    from skailan.platform.errors import Forbidden

    not_found = NotFound("Aprobación no encontrada. / Approval not found.", code="approval_not_found")
    item = store.get_approval(caller.tenant_id, approval_id) if is_valid_id(approval_id) else None
    if item is None:
        raise not_found
    if caller.principal_id not in (item.approver_ids or []):
        raise Forbidden(both("Solo quienes la automatización nombra pueden decidir esta aprobación",
                             "Only the approvers the automation names can decide this approval"),
                        code="not_an_approver")
    status = "approved" if approve else "rejected"
    if not store.decide_approval(item, status, caller.principal_id, reason, iso()):
        raise Conflict(both("Esta aprobación ya se decidió", "This approval was already decided"),
                       code="approval_decided", details={"status": item.status})
    _resume_after_decision(item, approve, caller.principal_id, reason)
    return store.get_approval(caller.tenant_id, approval_id)


def _resume_after_decision(item: store.ApprovalItem, approved: bool, by: str, reason: str | None) -> None:
    run = _waiting_run(item.tenant_id, item.automation_id, item.run_id, item.pc)
    if run is None:
        return
    ins, program = _current_step(run, "request_approval")
    if ins is None:
        return
    _record(run, int(run.pc), ins, "completed", output={"approval_id": item.approval_id, "approved": approved,
                                                         "by": by, "reason": reason})
    run.pc = int(run.pc) + 1 if approved else int(ins["else"])
    run.attempts, run.status, run.updated_at = 0, "running", iso()
    try:
        store.save_run(run)
    except ConditionFailed:
        return
    _go_on(run, program)


def _wait_key(ins: dict[str, Any]) -> str:
    """The trigger key a `wait_event` waits on (tag events: with the folded tag, as triggers)."""
    return str(ins["event"]) + (f"#{fold(ins['tag'])}" if ins.get("tag") else "")


def _timeout_due(ins: dict[str, Any], run: store.RunItem) -> Any:
    return _within_hours(ins, run, utcnow() + timedelta(minutes=int(ins["timeout_minutes"])))


def _within_hours(ins: dict[str, Any], run: store.RunItem, due: Any) -> Any:
    """`due`, moved to the brand's next opening when the step counts business hours only."""
    if not ins.get("business_hours"):
        return due
    from skailan.tenancy import brands

    brand = brands.get_brand(run.tenant_id)
    return next_open(brand.business_hours, brand.time_zone, due)


def next_open(business_hours: dict[str, list[dict[str, str]]], time_zone: str, at: Any) -> Any:
    """`at` if the brand is open then, else the next opening (5-minute steps, up to 8 days; a brand
    with no hours at all keeps `at`)."""
    from skailan.conversations.domain import hours

    if hours.is_open(business_hours, time_zone, at):
        return at
    step = timedelta(minutes=5)
    moment = at.replace(second=0, microsecond=0) - timedelta(minutes=at.minute % 5) + step
    for _ in range(8 * 24 * 12):
        if hours.is_open(business_hours, time_zone, moment):
            return moment
        moment += step
    return at


# ---------------------------------------------------------------- steps


def _need_person(run: store.RunItem) -> str:
    if not run.person_id:
        raise SkailanError(both("La ejecución no tiene persona", "The run has no person"), code="no_person")
    return run.person_id


def _need_conversation(run: store.RunItem) -> str:
    conversation_id = (run.trigger or {}).get("conversation_id") or ((run.trigger or {}).get("data") or {}).get(
        "conversation_id")
    if not conversation_id:
        raise SkailanError(both("El disparador no trae una conversación", "The trigger has no conversation"),
                           code="no_conversation")
    return str(conversation_id)


def render(text: str, run: store.RunItem) -> str:
    """`{{nombre}}` / `{{name}}` → the person's name."""
    if "{{" not in text:
        return text
    person = _person_dict(run.tenant_id, run.person_id) or {}
    name = str(person.get("name") or "")
    return re.sub(r"\{\{\s*(nombre|name)\s*\}\}", name, text)


def perform(run: store.RunItem, ins: dict[str, Any], automation: store.AutomationItem | None) -> dict[str, Any]:
    """Do one action step; returns its output for the history. Raises Retryable (try again
    later) or any other error (the step failed)."""
    from skailan.crm.people.models import PersonPatchIn

    op, tenant_id = ins["op"], run.tenant_id
    caller = system_caller(tenant_id)
    if op in ("send_email", "send_sms") or (op == "send_whatsapp_template" and ins.get("account_id")):
        # A business-initiated send: not to an address that opted out (as campaigns); the run goes on.
        from skailan.campaigns.queries import opted_out

        channel = {"send_email": "email", "send_sms": "sms"}.get(op, "whatsapp")
        if opted_out(tenant_id, channel, _need_person(run)):
            return {"skipped": True, "reason": both(f"la persona se dio de baja de {channel}",
                                                    f"the person opted out of {channel}")}
    if op in ("add_tag", "remove_tag"):
        from skailan.crm.people.service import update_person
        from skailan.crm.store.person_reads import load_person
        from skailan.crm.values.text import tag_key

        person_id = _need_person(run)
        tags = list(load_person(tenant_id, person_id).tags or [])
        present = tag_key(ins["tag"]) in {tag_key(t) for t in tags}
        if (op == "add_tag") == present:
            return {"changed": False}
        tags = [*tags, ins["tag"]] if op == "add_tag" else [t for t in tags if tag_key(t) != tag_key(ins["tag"])]
        update_person(caller, person_id, PersonPatchIn(tags=tags))
        return {"changed": True, "tags": tags}
    if op == "update_field":
        from skailan.crm.people.service import update_person

        person_id = _need_person(run)
        field = str(ins["field"])
        if field in ("name", "phone", "email", "owner_id", "customer_role", "journey_state"):
            patch = PersonPatchIn.model_validate({field: ins.get("value")})
        else:
            patch = PersonPatchIn(custom={field.removeprefix("custom."): ins.get("value")})
        update_person(caller, person_id, patch)
        return {"field": field, "value": ins.get("value")}
    if op == "set_journey_state":
        from skailan.crm.people.service import update_person

        update_person(caller, _need_person(run), PersonPatchIn(journey_state=ins["state"]))
        return {"journey_state": ins["state"]}
    if op == "add_to_list":
        from skailan.crm.audiences import lists

        result = lists.add_members(caller, tenant_id, ins["list_id"], [_need_person(run)])
        return result.model_dump()
    if op == "remove_from_list":
        from skailan.crm.audiences import lists

        return lists.remove_members(caller, ins["list_id"], [_need_person(run)]).model_dump()
    if op == "create_deal":
        from decimal import Decimal

        from skailan.crm.sales import deals
        from skailan.crm.sales.models import DealIn

        person = _person_dict(tenant_id, _need_person(run)) or {}
        actor = (run.trigger or {}).get("actor") or {}
        owner = ins.get("owner_id") or person.get("owner_id") or (actor.get("id") if actor.get("kind") == "user"
                                                                  else None)
        if not owner:
            raise SkailanError(both("No hay responsable para el negocio: indica owner_id",
                                    "Nobody owns the deal: give owner_id"), code="no_owner")
        deal = deals.create_deal(caller, DealIn(title=render(ins["title"], run), amount=Decimal(str(round(float(
                                                    ins.get("amount") or 0), 2))),
                                                pipeline_id=ins.get("pipeline_id"), stage_id=ins.get("stage_id"),
                                                owner_id=owner, person_id=run.person_id))
        return {"deal_id": deal.id, "stage_id": deal.stage_id}
    if op == "move_deal":
        from skailan.crm.sales import deals
        from skailan.crm.sales.models import DealUpdateIn

        deal_id = (run.trigger or {}).get("entity_id")
        if (run.trigger or {}).get("entity_type") != "deal" or not deal_id:
            raise SkailanError(both("El disparador no trae un negocio", "The trigger has no deal"), code="no_deal")
        fields = {"stage_id": ins["stage_id"], **({"pipeline_id": ins["pipeline_id"]} if ins.get("pipeline_id") else {})}
        moved = deals.update_deal(caller, str(deal_id), DealUpdateIn.model_validate(fields))
        return {"deal_id": moved.id, "stage_id": moved.stage_id}
    if op == "add_score":
        from skailan.crm.people.service import update_person
        from skailan.crm.store.person_reads import load_person

        person_id = _need_person(run)
        key = str(ins["field"]).removeprefix("custom.")
        current = (load_person(tenant_id, person_id).custom or {}).get(key) or 0
        total = float(current) + int(ins["points"])
        if ins.get("min") is not None:
            total = max(total, float(ins["min"]))
        if ins.get("max") is not None:
            total = min(total, float(ins["max"]))
        value: float | int = int(total) if total.is_integer() else total
        update_person(caller, person_id, PersonPatchIn(custom={key: value}))
        return {"field": key, "before": current, "after": value}
    if op == "create_task":
        return _create_task(run, ins, caller)
    if op == "notify_user":
        from skailan.conversations.inbox import notifications

        conversation_id = (run.trigger or {}).get("conversation_id")
        note = notifications.notify(tenant_id, ins["user_id"], "automation", conversation_id=conversation_id,
                                    text=render(ins["message"], run),
                                    data={"automation_id": run.automation_id, "run_id": run.run_id,
                                          "person_id": run.person_id},
                                    notification_id=f"auto-{run.run_id}-{ins.get('path')}")  # a retry: same notice
        return {"notification_id": note.id}
    if op == "assign_owner":
        from skailan.crm.people.service import update_person

        person_id = _need_person(run)
        owner = store.round_robin_pick(tenant_id, run.automation_id, run.run_id, int(run.pc), list(ins["user_ids"]))
        update_person(caller, person_id, PersonPatchIn(owner_id=owner))
        return {"owner_id": owner}
    if op in ("assign_agent", "assign_team"):
        return _assign_conversation(run, ins)
    if op == "send_message":
        from skailan.conversations import outbound
        from skailan.conversations.models import MessageIn

        message = outbound.queue_message(system_caller(tenant_id, "bot"), _need_conversation(run),
                                         MessageIn(text=render(ins["text"], run)))
        return {"message_id": message.id}
    if op == "send_whatsapp_template":
        return _send_template(run, ins)
    if op in ("send_email", "send_sms"):
        from skailan.conversations.models import EmailOptionsIn, NewConversationIn
        from skailan.conversations.start import start_conversation

        body = NewConversationIn(person_id=_need_person(run), account_id=ins["account_id"],
                                 text=render(ins["text"], run),
                                 email=EmailOptionsIn(subject=ins["subject"]) if op == "send_email" else None)
        conversation_id, item = start_conversation(system_caller(tenant_id, "bot"), body)
        return {"conversation_id": conversation_id, "message_id": item.message_id}
    if op == "call_webhook":
        return call_webhook(run, ins, automation)
    raise SkailanError(both(f"Paso desconocido: {op}", f"Unknown step: {op}"), code="unknown_step")


def _assign_conversation(run: store.RunItem, ins: dict[str, Any]) -> dict[str, Any]:
    """Through the inbox's own actions (assign / transfer): they claim the conversation
    conditionally, so it never ends up with two holders; the pick is fixed per run and step."""
    from skailan.conversations.inbox import actions
    from skailan.conversations.store import state as inbox_state

    tenant_id = run.tenant_id
    conversation_id = _need_conversation(run)
    # The automation acts for the brand: it may move any conversation of it.
    caller = dataclasses.replace(system_caller(tenant_id), super_admin=True)
    if ins["op"] == "assign_agent" and ins.get("only_unassigned"):
        current = inbox_state.load(tenant_id, conversation_id)
        if current.assignee:
            return {"changed": False, "assignee": current.assignee}
    users = list(ins.get("user_ids") or [])
    user = store.round_robin_pick(tenant_id, run.automation_id, run.run_id, int(run.pc), users) if users else None
    if ins["op"] == "assign_agent":
        result = actions.assign(caller, conversation_id, user)
    else:
        result = actions.transfer(caller, conversation_id, user_id=user, team_id=ins["team_id"], note=None)
    return {"conversation_id": conversation_id, "assignee": result.assignee, "team_id": result.team_id,
            "status": result.status}


def _create_task(run: store.RunItem, ins: dict[str, Any], caller: Caller) -> dict[str, Any]:
    from skailan.crm.sales import tasks
    from skailan.crm.sales.models import TaskIn

    person = _person_dict(run.tenant_id, run.person_id) if run.person_id else None
    actor = ((run.trigger or {}).get("actor") or {})
    assignee = ins.get("assignee_id") or (actor.get("id") if actor.get("kind") == "user" else None) or (
        person or {}).get("owner_id")
    if not assignee:
        raise SkailanError(both("No hay a quién asignar la tarea: indica un responsable",
                                "Nobody to assign the task to: give an assignee"), code="no_assignee")
    due = iso(utcnow() + timedelta(minutes=int(ins["due_in_minutes"]))) if ins.get("due_in_minutes") is not None \
        else None
    task = tasks.create_task(caller, TaskIn(title=render(ins["title"], run), description=ins.get("description"),
                                            due_at=due, assignee_id=assignee, person_id=run.person_id,
                                            type_id=ins.get("type_id")))
    return {"task_id": task.id, "assignee_id": assignee, "due_at": due}


def _send_template(run: store.RunItem, ins: dict[str, Any]) -> dict[str, Any]:
    from skailan.conversations.models import MessageIn, NewConversationIn, TemplateIn

    template = TemplateIn(name=ins["name"], language=ins["language"],
                          parameters=[render(p, run) for p in ins.get("parameters") or []])
    caller = system_caller(run.tenant_id, "bot")
    if ins.get("account_id"):
        from skailan.conversations.start import start_conversation

        conversation_id, item = start_conversation(caller, NewConversationIn(
            person_id=_need_person(run), account_id=ins["account_id"], template=template))
        return {"conversation_id": conversation_id, "message_id": item.message_id}
    from skailan.conversations import outbound

    message = outbound.queue_message(caller, _need_conversation(run), MessageIn(template=template))
    return {"message_id": message.id}


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def call_webhook(run: store.RunItem, ins: dict[str, Any], automation: store.AutomationItem | None) -> dict[str, Any]:
    """POST the run's context, HMAC-signed, to a vetted public address (the SSRF guard of
    channels.fetch: https, public addresses only, no redirects), with a timeout. 429/5xx/timeouts
    are Retryable; other 4xx fail the step."""
    import httpx

    from skailan.channels.fetch import check_outbound_url

    vetted = check_outbound_url(ins["url"], local_hosts=get_settings().provider_local_hosts,
                                resolve=_resolver())
    secret = (automation.hook_secret if automation is not None else None) or ""
    payload = {"automation_id": run.automation_id, "run_id": run.run_id, "person_id": run.person_id,
               "trigger": run.trigger, "step": ins.get("path"), "sent_at": iso()}
    body = json.dumps(payload, separators=(",", ":"), default=str).encode()
    target, host = vetted.pinned()
    headers = {"Content-Type": "application/json", "Host": host, "User-Agent": "Skailan-Automations/1",
               "X-Skailan-Signature": signature(secret, body), "X-Skailan-Delivery": f"{run.run_id}:{ins.get('path')}"}
    try:
        with httpx.Client(timeout=WEBHOOK_TIMEOUT, follow_redirects=False) as client:
            response = client.post(target, content=body, headers=headers,
                                   extensions={"sni_hostname": vetted.host})
    except httpx.TimeoutException as err:
        raise Retryable(f"el webhook no respondió a tiempo / the webhook timed out ({vetted.host})") from err
    except httpx.TransportError as err:
        raise Retryable(f"error de red / network error ({vetted.host}): {type(err).__name__}") from err
    if response.status_code == 429 or response.status_code >= 500:
        raise Retryable(f"el webhook respondió / the webhook answered {response.status_code}")
    if response.status_code >= 300:
        raise SkailanError(both(f"El webhook respondió {response.status_code}",
                                f"The webhook answered {response.status_code}"), code="webhook_refused")
    return {"status": response.status_code}


def _resolver() -> Any:
    from skailan.channels import fetch

    return fetch.resolve_host


# ---------------------------------------------------------------- waits


def resume_due(now: str | None = None, *, max_seconds: float = 100.0) -> dict[str, int]:
    """Resume every run whose wait (or retry backoff) is over at `now` (default: the clock). A
    backlog bigger than one run (`max_seconds`) is left to the next minute's run."""
    import time

    deadline = time.monotonic() + max_seconds
    now = now or iso()
    counts = {"resumed": 0, "skipped": 0, "left": 0}
    programs: dict[tuple[str, str, int], tuple[list[dict[str, Any]], store.AutomationItem | None]] = {}
    for run in store.due_waits(now):
        # The index copy (projection ALL) may be stale: the conditional save below (its revision)
        # is the claim, so a run moved meanwhile is skipped, never run twice.
        if time.monotonic() > deadline:
            counts["left"] = 1
            logger.warning("automation waits backlog left for the next run")
            break
        if run.status != "waiting" or not run.wait_until or run.wait_until > now:
            counts["skipped"] += 1
            continue
        key = (run.tenant_id, run.automation_id, int(run.version))
        if key not in programs:
            automation = store.get_automation(run.tenant_id, run.automation_id)
            version = store.get_version(*key)
            programs[key] = ((version.program or []) if version is not None else [], automation)
        program, automation = programs[key]
        if automation is None:
            run.status, run.reason, run.wait_until = "stopped", why_not(
                "la automatización fue eliminada", "the automation was deleted"), None
            with contextlib.suppress(ConditionFailed):
                store.save_run(run, [_run_event(run, RUN_STOPPED)])
            counts["skipped"] += 1
            continue
        waiting_on = program[int(run.pc)] if int(run.pc) < len(program) else None
        if waiting_on is not None and waiting_on["op"] == "wait":
            _record(run, int(run.pc), waiting_on, "completed", output={"until": run.wait_until})
            run.pc, run.attempts = int(run.pc) + 1, 0
        elif waiting_on is not None and waiting_on["op"] == "wait_event":
            # the event did not come in time: the timeout branch
            _record(run, int(run.pc), waiting_on, "completed", output={"timed_out": True, "until": run.wait_until})
            store.drop_event_wait_of(run, int(run.pc), _wait_key(waiting_on))
            run.pc, run.attempts = int(waiting_on["else"]), 0
        run.status, run.wait_until, run.updated_at = "running", None, iso()
        try:
            store.save_run(run)  # the claim: a second job run finds it running
        except ConditionFailed:
            counts["skipped"] += 1
            continue
        execute(run, program, automation=automation)
        counts["resumed"] += 1
    return counts


# ---------------------------------------------------------------- API helpers


def run_out(run: store.RunItem) -> RunOut:
    return RunOut(id=run.run_id, automation_id=run.automation_id, version=int(run.version),
                  status=cast("Any", run.status),
                  person_id=run.person_id, trigger=run.trigger or {}, reason=run.reason, depth=int(run.depth),
                  root_event_id=run.root_event_id,
                  steps=[StepRunOut.model_validate(s) for s in run.steps or []], started_at=run.started_at,
                  updated_at=run.updated_at or run.started_at, wait_until=run.wait_until)


def list_runs(tenant_id: str, **filters: Any) -> Page[RunOut]:
    for key in ("since", "until"):
        if filters.get(key) and "T" not in filters[key]:
            filters[key] = filters[key] + ("T00:00:00.000Z" if key == "since" else "T23:59:59.999Z")
    items, next_cursor = store.list_runs(tenant_id, **filters)
    return Page[RunOut](items=[run_out(i) for i in items], next_cursor=next_cursor)


def _load_run(tenant_id: str, automation_id: str, run_id: str) -> store.RunItem:
    run = store.get_run(tenant_id, automation_id, run_id, consistent=True) if is_valid_id(
        automation_id) and is_valid_id(run_id) else None
    if run is None:
        raise NotFound(RUN_NOT_FOUND, code="run_not_found")
    return run


def get_run_out(tenant_id: str, automation_id: str, run_id: str) -> RunOut:
    return run_out(_load_run(tenant_id, automation_id, run_id))


def retry(caller: Caller, automation_id: str, run_id: str) -> RunOut:
    """Run a failed run's failed step again, then the rest; its own version's program."""
    run = _load_run(caller.tenant_id, automation_id, run_id)
    if run.status != "failed":
        raise Conflict(both("Solo se reintenta una ejecución fallida", "Only a failed run can be retried"),
                       code="run_not_failed", details={"status": run.status})
    automation = store.get_automation(caller.tenant_id, automation_id)
    version = store.get_version(caller.tenant_id, automation_id, int(run.version))
    if automation is None or version is None:
        raise NotFound(both("Automatización no encontrada", "Automation not found"), code="automation_not_found")
    run.status, run.reason, run.attempts, run.updated_at = "running", None, 0, iso()
    try:
        store.save_run(run)
    except ConditionFailed as err:
        raise Conflict(both("La ejecución cambió; vuelve a intentarlo", "The run changed; try again"),
                       code="run_changed") from err
    execute(run, version.program or [], automation=automation)
    return run_out(run)


def run_manual(caller: Caller, automation_id: str, person_id: str) -> RunOut:
    from skailan.automations.service import load

    automation = load(caller.tenant_id, automation_id)
    if _person_dict(caller.tenant_id, person_id) is None:
        raise NotFound("Persona no encontrada. / Person not found.", code="contact_not_found")
    facts = {"person_id": person_id, "requested_by": caller.principal_id}
    run_id = _start_returning(automation, facts, person_id)
    return get_run_out(caller.tenant_id, automation_id, run_id)


def _start_returning(automation: store.AutomationItem, facts: dict[str, Any], person_id: str | None,
                     event: DomainEvent | None = None) -> str:
    """`start`, for the API: the id of the run it made (the newest of the automation's)."""
    outcome = start(automation, event=event, facts=facts, person_id=person_id)
    runs, _ = store.list_runs(automation.tenant_id, automation_id=automation.automation_id, person_id=None,
                              status=None, since=None, until=None, cursor=None, limit=1)
    if outcome == "duplicate" or not runs:
        raise Conflict(both("Esta automatización ya se ejecutó para este evento o persona",
                            "This automation already ran for this event or person"), code="already_ran")
    return runs[0].run_id


def receive_webhook(hook_id: str, secret: str | None, body: Any) -> dict[str, str]:
    not_found = NotFound("Webhook no encontrado. / Webhook not found.", code="hook_not_found")
    hook = store.find_hook(hook_id) if is_valid_id(hook_id) else None
    if hook is None or not hook.tenant_id or not hook.automation_id:
        raise not_found
    automation = store.get_automation(hook.tenant_id, hook.automation_id)
    if automation is None or not automation.hook_secret or not secret or not hmac.compare_digest(
            secret.encode(), automation.hook_secret.encode()):
        raise not_found  # a wrong secret learns nothing
    if not isinstance(body, dict):
        from skailan.platform.errors import Unprocessable

        raise Unprocessable(both("El cuerpo debe ser un objeto JSON", "The body must be a JSON object"),
                            code="invalid_body")
    if not automation.active or automation.paused_reason:
        return {"status": "ignored"}
    person_id = body.get("person_id") if isinstance(body.get("person_id"), str) else None
    run_id = _start_returning(automation, {k: v for k, v in body.items() if isinstance(k, str)}, person_id)
    return {"status": "accepted", "run_id": run_id}


# ---------------------------------------------------------------- clock triggers: dates, schedules, list runs


def sync_person_dates(event: DomainEvent) -> bool:
    """Keep the month-day index of a person's date fields (birthdays, "N days from a date") in
    step with the person, from contact events: the person's live values (a consistent read) are
    what the index gets, so events handled out of order still converge. Any custom value shaped
    YYYY-MM-DD is indexed (only date fields hold one that way; a date trigger names its field).
    True when the index changed."""
    from skailan.crm.store.person_reads import find_person

    if event.source != "skailan.crm" or event.entity_type != "contact" or not event.entity_id:
        return False
    if event.type == "contact.updated" and "custom" not in ((event.data or {}).get("changed") or []):
        return False
    if event.type not in ("contact.created", "contact.updated", "contact.deleted", "contact.merged"):
        return False
    tenant_id, person_id = event.tenant_id, event.entity_id
    person = find_person(tenant_id, person_id, consistent=True) if is_valid_id(person_id) else None
    new: dict[str, str] = {}
    if person is not None and not person.deleted_at and not person.merged_into:
        new = {str(k): v for k, v in (person.custom or {}).items()
               if isinstance(v, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", v)}
    old = {} if event.type == "contact.created" and not new else store.person_dates(tenant_id, person_id)
    if old == new:
        return False
    store.set_person_dates(tenant_id, person_id, old, new)
    return True


def backfill_person_dates(tenant_id: str, deadline: float) -> bool:
    """Bring every person of the brand into the month-day index (a paged Query on the CRM's people
    index, never a Scan; 2 reads a person, writes only where it differs). False if time ran out:
    the next pass starts again (it is idempotent)."""
    import time

    from skailan.crm.store.person_reads import brand_people

    for person in brand_people(tenant_id):
        if time.monotonic() > deadline:
            return False
        if person.deleted_at or person.merged_into:
            continue
        new = {str(k): v for k, v in (person.custom or {}).items()
               if isinstance(v, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", v)}
        if not new:
            continue
        old = store.person_dates(tenant_id, person.person_id)
        if old != new:
            store.set_person_dates(tenant_id, person.person_id, old, new)
    return True


def _clock_event(tenant_id: str, event_id: str, person_id: str | None, data: dict[str, Any]) -> DomainEvent:
    """The record a clock-fired run keeps as its trigger; its id is the run's idempotency key (the
    occurrence and the person), so a job run again after a crash never starts a run twice."""
    return DomainEvent(id=event_id, tenant_id=tenant_id, source=SOURCE, type="automation.clock",
                       entity_type="contact" if person_id else None, entity_id=person_id, data=data, chain=None)


def _month_days(target: Any, yearly: bool) -> list[str]:
    import calendar

    days = [f"{target.month:02d}{target.day:02d}"]
    if yearly and target.month == 2 and target.day == 28 and not calendar.isleap(target.year):
        days.append("0229")  # born on Feb 29: celebrated on Feb 28 in other years
    return days


def _fire_dates(automation: store.AutomationItem, trigger: dict[str, Any], occurrence: str,
                deadline: float) -> bool:
    """Start the runs of one day of a birthday / date-field trigger. False if time ran out."""
    import time
    from datetime import date
    from zoneinfo import ZoneInfo

    from skailan.crm.store.person_reads import find_person
    from skailan.tenancy import brands

    tenant_id = automation.tenant_id
    zone = ZoneInfo(brands.get_brand(tenant_id).time_zone)
    today = parse_iso(occurrence).astimezone(zone).date()
    target = today - timedelta(days=int(trigger.get("days") or 0))
    yearly = trigger["type"] == "birthday"
    field = str(trigger["field"]).removeprefix("custom.")
    for month_day in _month_days(target, yearly):
        for entry in store.people_on(tenant_id, field, month_day):
            if time.monotonic() > deadline:
                return False
            if not yearly and entry.value != target.isoformat():
                continue
            try:
                date.fromisoformat(entry.value)
            except ValueError:
                continue
            person = find_person(tenant_id, entry.person_id)
            if person is None or person.deleted_at or (person.custom or {}).get(field) != entry.value:
                continue  # a stale entry: the person changed since (the index catches up)
            facts = {"person_id": entry.person_id, "field": field, "date": entry.value, "on": today.isoformat()}
            start(automation, event=_clock_event(tenant_id, f"date:{today.isoformat()}:{entry.person_id}",
                                                 entry.person_id, facts), facts=facts, person_id=entry.person_id)
    return True


def _fire_list(automation: store.AutomationItem, list_id: str, key: str, facts: dict[str, Any],
               deadline: float, facet: str = "list") -> bool:
    """Start a run on each member of a list or segment (the claims skip those a previous pass
    started)."""
    import time

    from skailan.crm.audiences.lists import member_ids

    for person_id in member_ids(automation.tenant_id, facet, list_id):
        if time.monotonic() > deadline:
            return False
        data = {**facts, "person_id": person_id, f"{facet}_id": list_id}
        start(automation, event=_clock_event(automation.tenant_id, f"{key}:{person_id}", person_id, data),
              facts=data, person_id=person_id)
    return True


def fire_schedules(now: str | None = None, *, max_seconds: float = 100.0) -> dict[str, int]:
    """The schedules job: every clock trigger and queued list run due at `now` (one Query on the
    schedules index, never a Scan of people or automations). A date trigger catches up day by
    day; a cron schedule fires its latest missed time once. A pass cut short by time leaves the
    schedule where it was: the next minute's pass starts again and the claims skip what ran."""
    import time

    from skailan.automations.service import next_fire

    deadline = time.monotonic() + max_seconds
    now = now or iso()
    counts = {"fired": 0, "batches": 0, "removed": 0, "left": 0}
    for item in store.due_schedules(now):
        if time.monotonic() > deadline:
            counts["left"] += 1
            break
        automation = store.get_automation(item.tenant_id, item.automation_id, consistent=True)
        batch = item.sk.startswith("BATCH#") or item.sk == "BACKFILL"  # one-offs, whatever the state
        if automation is None or (not batch and not store.live(automation)):
            store.advance_schedule(item, None)
            counts["removed"] += 1
            continue
        trigger = (automation.definition or {}).get("trigger") or {}
        if item.sk == "BACKFILL":
            if backfill_person_dates(item.tenant_id, deadline):
                store.advance_schedule(item, None)
                counts["backfilled"] = counts.get("backfilled", 0) + 1
            continue
        if batch:
            done = _fire_list(automation, item.list_id or "", f"list:{item.sk[6:]}",
                              {"requested_by": item.requested_by}, deadline)
            if done:
                store.advance_schedule(item, None)
                counts["batches"] += 1
            continue
        occurrence = item.next_at
        while occurrence <= now:
            if trigger.get("type") == "schedule":
                facts = {"scheduled_for": occurrence}
                if trigger.get("list_id") or trigger.get("segment_id"):
                    facet = "list" if trigger.get("list_id") else "segment"
                    done = _fire_list(automation, trigger[f"{facet}_id"], f"sched:{occurrence}", facts, deadline,
                                      facet)
                else:
                    start(automation, event=_clock_event(item.tenant_id, f"sched:{occurrence}", None, facts),
                          facts=facts, person_id=None)
                    done = True
                following = next_fire(item.tenant_id, trigger, max(parse_iso(occurrence), parse_iso(now)))
            elif trigger.get("type") in ("birthday", "date_field"):
                done = _fire_dates(automation, trigger, occurrence, deadline)
                following = next_fire(item.tenant_id, trigger, parse_iso(occurrence))
            else:  # the trigger changed to an event one: nothing to schedule
                done, following = True, None
            if not done:
                counts["left"] += 1
                break
            counts["fired"] += 1
            if not store.advance_schedule(item, following):
                break  # moved by an edit or another pass meanwhile
            if following is None:
                break
            item.next_at = occurrence = following
    return counts


def queue_list_run(caller: Caller, automation_id: str, list_id: str) -> dict[str, str]:
    """Run the automation on every member of a list: queued for the schedules job (now), which
    works through the list in passes; each member's run is claimed once."""
    from skailan.automations.service import load
    from skailan.crm.audiences.lists import load_list

    load(caller.tenant_id, automation_id)
    load_list(caller.tenant_id, list_id)  # 404 for another brand's list
    batch_id = new_id()
    store.queue_batch(caller.tenant_id, automation_id, batch_id, iso(), list_id, caller.principal_id)
    return {"status": "queued", "list_id": list_id, "batch_id": batch_id}


# ---------------------------------------------------------------- approvals (API)


def approval_out(item: store.ApprovalItem) -> ApprovalOut:
    return ApprovalOut(id=item.approval_id, status=cast("Any", item.status), automation_id=item.automation_id,
                       run_id=item.run_id, deal_id=item.deal_id, deal_title=item.deal_title,
                       amount=float(item.amount), person_id=item.person_id, approver_ids=list(item.approver_ids or []),
                       message=item.message, requested_at=item.requested_at, decided_by=item.decided_by,
                       decided_at=item.decided_at, reason=item.reason)


def list_approvals(tenant_id: str, status: str, cursor: str | None, limit: int | None) -> Page[ApprovalOut]:
    items, next_cursor = store.list_approvals(tenant_id, status, cursor, limit)
    return Page[ApprovalOut](items=[approval_out(i) for i in items], next_cursor=next_cursor)


def get_approval_out(tenant_id: str, approval_id: str) -> ApprovalOut:
    item = store.get_approval(tenant_id, approval_id) if is_valid_id(approval_id) else None
    if item is None:
        raise NotFound("Aprobación no encontrada. / Approval not found.", code="approval_not_found")
    return approval_out(item)
