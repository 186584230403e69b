"""Every EventBridge rule in template.yaml routes event types some context's catalogue lists, and
no worker is fed events it does nothing with — in particular not its own."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from moto.events.models import EventPattern

from infra.local.template import load_yaml
from infra.openapi import ROOT
from skailan.platform.catalogue import Catalogue

TEMPLATE = load_yaml((ROOT / "template.yaml").read_text())


def _catalogues() -> dict[str, Catalogue]:
    from skailan.analytics.catalogue import CATALOGUE as analytics
    from skailan.automations.catalogue import CATALOGUE as automations
    from skailan.campaigns.catalogue import CATALOGUE as campaigns
    from skailan.conversations.catalogue import CATALOGUE as conversations
    from skailan.conversations.inbox_catalogue import CATALOGUE as inbox
    from skailan.crm.catalogue import CATALOGUE as crm
    from skailan.leads.catalogue import CATALOGUE as leads
    from skailan.tenancy.catalogue import CATALOGUE as tenancy

    return {c.source: c for c in (analytics, automations, campaigns, conversations, crm, inbox, leads, tenancy)}


CATALOGUES = _catalogues()


def _rules() -> Iterator[tuple[str, dict[str, Any]]]:
    for logical_id, resource in TEMPLATE["Resources"].items():
        properties = resource.get("Properties") or {}
        if resource["Type"] == "AWS::Events::Rule" and properties.get("EventPattern"):
            yield logical_id, properties["EventPattern"]
        if resource["Type"] == "AWS::Serverless::Function":
            for name, event in (properties.get("Events") or {}).items():
                if event["Type"] in ("EventBridgeRule", "CloudWatchEvent") and event["Properties"].get("Pattern"):
                    yield f"{logical_id}.{name}", event["Properties"]["Pattern"]


RULES = dict(_rules())


def _branches(pattern: dict[str, Any]) -> list[dict[str, Any]]:
    """The pattern's alternatives (`$or`), each merged with the pattern's common keys."""
    common = {k: v for k, v in pattern.items() if k != "$or"}
    return [{**common, **branch} for branch in pattern.get("$or", [{}])]


def _is_domain_source(source: Any) -> bool:
    return str(source).startswith("skailan.") or (
        isinstance(source, dict) and str(source.get("prefix", "")).startswith("skailan."))


# A domain rule names a `skailan.*` source at the top or in any of its `$or` branches.
DOMAIN_RULES = {name: pattern for name, pattern in RULES.items()
                if any(_is_domain_source(s) for branch in _branches(pattern) for s in branch.get("source", []))}


def _named_types(values: list[Any]) -> list[str]:
    names = []
    for value in values:
        if isinstance(value, str):
            names.append(value)
        elif isinstance(value, dict) and "anything-but" in value:
            excluded = value["anything-but"]
            names += [excluded] if isinstance(excluded, str) else list(excluded)
    return names


def _catalogues_for(sources: list[Any]) -> list[Catalogue]:
    found = []
    for source in sources:
        if isinstance(source, str):
            assert source in CATALOGUES, f"no event catalogue for source {source}"
            found.append(CATALOGUES[source])
        elif isinstance(source, dict) and "prefix" in source:
            found += [c for s, c in CATALOGUES.items() if s.startswith(source["prefix"])]
    return found


def test_the_domain_rules_are_found():
    # LeadsRule names its sources only inside `$or`.
    assert {"AuditRule", "AssignmentRule", "InboxEventsRule", "SegmentsRule", "ExportsRule", "LeadsRule"} <= set(DOMAIN_RULES)


@pytest.mark.parametrize("rule", sorted(DOMAIN_RULES))
def test_every_rule_names_types_a_catalogue_of_its_sources_lists(rule: str):
    for branch in _branches(DOMAIN_RULES[rule]):
        catalogues = _catalogues_for(branch.get("source", []))
        known = set().union(*(c.types for c in catalogues))
        unknown = [t for t in _named_types(branch.get("detail-type", [])) if t not in known]
        assert not unknown, f"{rule} routes types no catalogue of {[c.source for c in catalogues]} lists: {unknown}"


def _bus_event(source: str, type_: str, data: dict[str, Any]) -> dict[str, Any]:
    return {"version": "0", "id": "1", "source": source, "detail-type": type_, "account": "123456789012",
            "time": "2026-01-01T00:00:00Z", "region": "us-east-1", "resources": [],
            "detail": {"tenant_id": "demo", "type": type_, "source": source, "data": data}}


def _matches(rule: str, event: dict[str, Any]) -> bool:
    return bool(EventPattern.load(json.dumps(DOMAIN_RULES[rule])).matches_event(event))


def test_the_assignment_worker_is_not_fed_its_own_automatic_assignments():
    from skailan.conversations.catalogue import CONVERSATION_ASSIGNED, SOURCE

    automatic = {"conversation_id": "c1", "assignee": "u1", "automatic": True, "waited_ms": 10}
    by_supervisor = {"conversation_id": "c1", "assignee": "u2", "previous_assignee": "u1"}
    assert not _matches("AssignmentRule", _bus_event(SOURCE, CONVERSATION_ASSIGNED, automatic))
    assert _matches("AssignmentRule", _bus_event(SOURCE, CONVERSATION_ASSIGNED, by_supervisor))
    assert _matches("AssignmentRule", _bus_event(SOURCE, "conversation.closed", {"automatic": True}))


def test_the_campaign_fan_out_gets_every_inbound_message():
    """Opt-out keywords (flagged by ingest) and every other text: any message may be a reply to a
    campaign (campaigns/replies.py), so the rule must not filter on the opt-out flag."""
    from skailan.conversations.catalogue import MESSAGE_RECEIVED, SOURCE

    message = {"conversation_id": "c1", "message_id": "m1", "channel": "whatsapp", "person_id": "p1",
               "type": "text", "provider_message_id": "wamid.1"}
    assert _matches("CampaignEventsRule", _bus_event(SOURCE, MESSAGE_RECEIVED, {**message, "text": "BAJA",
                                                                                 "opt_out_keyword": True}))
    assert _matches("CampaignEventsRule", _bus_event(SOURCE, MESSAGE_RECEIVED, {**message, "text": "hola",
                                                                                 "opt_out_keyword": False}))
    assert _matches("CampaignEventsRule", _bus_event("skailan.campaigns", "campaign.started", {"campaign_id": "k1"}))
    assert _matches("CampaignEventsRule", _bus_event(SOURCE, "consent.changed", {"person_id": "p1"}))


@pytest.mark.parametrize(("rule", "handled"), [
    ("AssignmentRule", "ASSIGNMENT_TYPES"),
    ("InboxEventsRule", "INBOX_TYPES|MEMBER_GONE_TYPES"),
])
def test_inbox_workers_are_routed_exactly_the_types_they_handle(rule: str, handled: str):
    from skailan.conversations.inbox import workers

    handles = set().union(*(getattr(workers, name) for name in handled.split("|")))
    routed = {t for branch in _branches(DOMAIN_RULES[rule]) for t in _named_types(branch.get("detail-type", []))}
    assert routed == handles, f"{rule}: routed but ignored {routed - handles}; handled but never routed {handles - routed}"


def test_catalogue_payload_models_accept_what_the_emitters_build():
    from skailan.conversations.catalogue import CATALOGUE, CONVERSATION_CLOSED
    from skailan.crm.catalogue import CATALOGUE as CRM
    from skailan.crm.catalogue import CONTACT_MERGED

    closed = CATALOGUE.payload(CONVERSATION_CLOSED, {"conversation_id": "c1", "reason_id": "resolved",
                                                     "channel": "whatsapp", "automatic": False})
    assert closed.model_dump()["reason_id"] == "resolved"
    assert CRM.payload(CONTACT_MERGED, {"kept_id": "p1", "merged_id": "p2"}).model_dump()["merged_id"] == "p2"
    with pytest.raises(ValueError, match=r"not in the skailan\.crm event catalogue"):
        CRM.check("contact.exploded")


def test_every_event_type_named_in_the_code_is_catalogued():
    """An event type written as a literal next to an emit/build call must be in a catalogue: an
    uncatalogued type fails at run time (500 after the write), so catch it here."""
    import re

    known = {t for catalogue in CATALOGUES.values() for t in catalogue.types}
    root = ROOT / "layers" / "skailan" / "skailan"
    call = re.compile(r"\b(?:emit|emit_many|build|build_event|_event|_emit)\w*\(([^()]*?)\"([a-z_]+\.[a-z_]+)\"")
    unknown = sorted({(m.group(2), str(path.relative_to(root)))
                      for path in root.rglob("*.py") for m in call.finditer(path.read_text())
                      if m.group(2) not in known and "\n\n" not in m.group(1)})
    assert unknown == []
