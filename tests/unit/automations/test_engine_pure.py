"""The engine's pure parts: keywords, trigger parameters, events → trigger keys, the step compiler,
and the causal chain on event envelopes."""

from __future__ import annotations

from skailan.automations.engine import has_keyword, trigger_matches, triggers_of
from skailan.automations.models import AutomationIn
from skailan.automations.service import compile_steps, trigger_key
from skailan.platform.events import CausalChain, DomainEvent, caused_by


def test_keywords_are_accent_and_case_insensitive_word_prefixes():
    assert has_keyword("¿Cuál es el PRÉCIO?", ["precio"])
    assert has_keyword("precios por favor", ["precio"])
    assert has_keyword("quiero una cotización ya", ["cotizacion ya"])
    assert not has_keyword("aprecio tu ayuda", ["precio"])  # a word must start with it
    assert not has_keyword(None, ["precio"])
    assert not has_keyword("hola", [])


def test_trigger_parameters():
    assert trigger_matches({"type": "message_received", "keywords": ["precio"], "channel": "whatsapp"},
                           {"text": "precio?", "channel": "whatsapp"})
    assert not trigger_matches({"type": "message_received", "keywords": ["precio"], "channel": "whatsapp"},
                               {"text": "precio?", "channel": "telegram"})
    assert trigger_matches({"type": "journey_state_changed", "state": "cliente"}, {"state": "cliente"})
    assert not trigger_matches({"type": "journey_state_changed", "state": "cliente"}, {"state": "prospecto"})
    assert trigger_matches({"type": "journey_state_changed"}, {"state": "prospecto"})
    assert trigger_matches({"type": "person_updated", "fields": ["email"]}, {"changed": ["email", "name"]})
    assert not trigger_matches({"type": "person_updated", "fields": ["email"]}, {"changed": ["name"]})
    assert trigger_matches({"type": "lead_status_changed", "status": "Completado"}, {"status": "completado"})


def test_events_map_to_trigger_keys():
    updated = DomainEvent(tenant_id="demo", source="skailan.crm", type="contact.updated", entity_type="contact",
                          entity_id="p1", data={"changed": ["tags", "customer_role"],
                                                "tags_added": ["Llamar Nuevamente"], "tags_removed": ["Frío"]})
    keys = [key for key, _ in triggers_of(updated)]
    assert keys == ["person_updated", "tag_added#llamar nuevamente", "tag_removed#frio", "customer_role_changed"]
    message = DomainEvent(tenant_id="demo", source="skailan.conversations", type="message.received",
                          data={"text": "hola"})
    assert [k for k, _ in triggers_of(message)] == ["message_received"]
    lead = DomainEvent(tenant_id="demo", source="skailan.leads", type="lead.note_added", data={"template": "x"})
    assert [k for k, _ in triggers_of(lead)] == ["lead_note_added"]
    own = DomainEvent(tenant_id="demo", source="skailan.automations", type="automation.created")
    assert triggers_of(own) == []
    assert trigger_key({"type": "tag_added", "tag": "Llamar  Nuevamente"}) == trigger_key(
        {"type": "tag_added", "tag": "llamar nuevamente"})


def test_branches_compile_to_jumps():
    data = AutomationIn.model_validate({"name": "x", "trigger": {"type": "manual"}, "steps": [
        {"type": "add_tag", "tag": "a"},
        {"type": "branch", "conditions": {"all": []}, "then": [{"type": "add_tag", "tag": "b"}],
         "else": [{"type": "add_tag", "tag": "c"}, {"type": "stop"}]},
        {"type": "wait", "minutes": 5},
    ]})
    program = compile_steps(data.steps)
    assert [i["op"] for i in program] == ["add_tag", "branch", "add_tag", "jump", "add_tag", "stop", "wait"]
    branch, jump = program[1], program[3]
    assert branch["else"] == 4 and jump["to"] == 6
    assert [i["path"] for i in program] == ["0", "1", "1.then.0", "1.then.end", "1.else.0", "1.else.1", "2"]


def test_events_built_inside_a_run_carry_the_chain_and_others_do_not():
    plain = DomainEvent(tenant_id="demo", source="skailan.crm", type="contact.updated")
    assert plain.chain is None and "chain" not in plain.model_dump_json()
    with caused_by(CausalChain(root_event_id="root", depth=3)):
        caused = DomainEvent(tenant_id="demo", source="skailan.crm", type="contact.updated")
    assert caused.chain == CausalChain(root_event_id="root", depth=3)
    assert DomainEvent.model_validate_json(caused.model_dump_json()).chain == caused.chain
    assert DomainEvent(tenant_id="demo", source="s", type="t").chain is None  # the context ended


def test_a_business_hours_wait_ends_at_the_next_opening():
    from datetime import UTC, datetime

    from skailan.automations.engine import next_open

    weekdays = {d: [{"start": "08:00", "end": "18:00"}] for d in ("mon", "tue", "wed", "thu", "fri")}
    hours = weekdays | {"sat": [], "sun": []}
    # Friday 2026-12-04 20:00 in Bogotá (UTC-5) → Monday 08:00 Bogotá = 13:00 UTC
    friday_night = datetime(2026, 12, 5, 1, 0, tzinfo=UTC)
    assert next_open(hours, "America/Bogota", friday_night) == datetime(2026, 12, 7, 13, 0, tzinfo=UTC)
    tuesday_noon = datetime(2026, 12, 8, 17, 3, tzinfo=UTC)
    assert next_open(hours, "America/Bogota", tuesday_noon) == tuesday_noon  # open: unchanged
    never = {d: [] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    assert next_open(never, "America/Bogota", friday_night) == friday_night
