"""CSAT wiring: the inbox events rule lets `conversation.rated` through and the worker sends the
close to the survey and the rating to the counters."""

from __future__ import annotations

import json

import pytest
from moto.events.models import EventPattern

from infra.local.template import load_yaml
from infra.openapi import ROOT
from skailan.platform.events import DomainEvent


def test_the_inbox_events_rule_routes_ratings():
    template = load_yaml((ROOT / "template.yaml").read_text())
    pattern = EventPattern.load(json.dumps(template["Resources"]["InboxEventsRule"]["Properties"]["EventPattern"]))
    event = {"source": "skailan.conversations", "detail-type": "conversation.rated", "detail": {}}
    assert pattern.matches_event(event)


def test_the_worker_sends_ratings_to_csat(monkeypatch):
    from skailan.conversations.inbox import csat, workers

    seen = []
    monkeypatch.setattr(csat, "on_rated", lambda event: seen.append(event.type) or {"csat": "rated"})
    event = DomainEvent(tenant_id="demo", source="skailan.conversations", type="conversation.rated",
                        entity_type="conversation", entity_id="c1", data={"conversation_id": "c1", "rating": 5})
    assert workers.on_inbox_event(event)["csat"] == "rated" and seen == ["conversation.rated"]


@pytest.mark.parametrize("rating", [0, 6, "5", None])
def test_a_rating_outside_1_to_5_is_not_counted(rating):
    from skailan.conversations.inbox import csat

    event = DomainEvent(tenant_id="demo", source="skailan.conversations", type="conversation.rated",
                        data={"conversation_id": "c1", "rating": rating})
    assert csat.on_rated(event) == {"csat": "invalid_rating"}


def test_csat_settings_defaults():
    from skailan.conversations.inbox.models import CSAT_QUESTION, InboxSettings

    settings = InboxSettings()
    assert settings.csat.enabled is False and settings.csat.window_hours == 24
    assert settings.csat.question == CSAT_QUESTION and "1 al 5" in CSAT_QUESTION and "1 to 5" in CSAT_QUESTION
