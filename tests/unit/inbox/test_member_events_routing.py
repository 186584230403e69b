"""The inbox events rule lets tenancy's member-offboarding events through, and the worker
dispatches them (and only them) to the release of the member's conversations."""

from __future__ import annotations

import json

import pytest
from moto.events.models import EventPattern

from infra.local.template import load_yaml
from infra.openapi import ROOT
from skailan.platform.events import DomainEvent


def _inbox_events_pattern() -> EventPattern:
    template = load_yaml((ROOT / "template.yaml").read_text())
    pattern = template["Resources"]["InboxEventsRule"]["Properties"]["EventPattern"]
    return EventPattern.load(json.dumps(pattern))


@pytest.mark.parametrize(("source", "detail_type", "routed"), [
    ("skailan.tenancy", "user.disabled", True),
    ("skailan.tenancy", "user.deleted", True),
    ("skailan.tenancy", "user.enabled", False),
    ("skailan.tenancy", "user.updated", False),
    ("skailan.conversations", "message.received", True),
    ("skailan.inbox", "user.disabled", False),
])
def test_the_inbox_events_rule_routes_member_offboarding(source, detail_type, routed):
    event = {"source": source, "detail-type": detail_type, "detail": {}}
    assert _inbox_events_pattern().matches_event(event) is routed


def _event(source: str, type_: str) -> DomainEvent:
    return DomainEvent(tenant_id="demo", source=source, type=type_, entity_type="user", entity_id="u-1",
                       data={"email": "a@demo.local"})


@pytest.mark.parametrize("type_", ["user.disabled", "user.deleted"])
def test_the_worker_sends_member_offboarding_to_release_member(monkeypatch, type_):
    from skailan.conversations.inbox import assignment, workers

    calls = []
    monkeypatch.setattr(assignment, "release_member",
                        lambda tenant_id, user_id, event_type: calls.append((tenant_id, user_id, event_type)) or
                        {"released": 0})
    out = workers.on_inbox_event(_event("skailan.tenancy", type_))
    assert calls == [("demo", "u-1", type_)] and out["released"] == 0


def test_other_tenancy_events_are_acknowledged_without_work(monkeypatch):
    from skailan.conversations.inbox import assignment, workers

    monkeypatch.setattr(assignment, "release_member", lambda *a: pytest.fail("not a member leaving"))
    assert workers.on_inbox_event(_event("skailan.tenancy", "user.enabled")) == {"type": "user.enabled"}
