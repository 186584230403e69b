"""Frames: their shape, what data they carry, and who sees them whole, without data, or not at all."""

from __future__ import annotations

from skailan.platform.auth import Caller
from skailan.platform.events import DomainEvent
from skailan.realtime import frames
from skailan.tenancy.defaults import BUILTIN_ROLES


def member(user_id: str, role: str) -> Caller:
    return Caller(tenant_id="demo", principal_id=user_id, kind="user",
                  permissions=BUILTIN_ROLES[role]["permissions"])  # type: ignore[arg-type]


AGENT1, AGENT2 = member("agent-1", "agent"), member("agent-2", "agent")
SUPERVISOR, ADMIN, OPERATOR = member("sup", "supervisor"), member("adm", "admin"), member("op", "operator")


def event(type_: str, data: dict, *, entity_type: str | None = "conversation", entity_id: str | None = "conv-1",
          source: str = "skailan.conversations") -> DomainEvent:
    return DomainEvent(tenant_id="demo", source=source, type=type_, entity_type=entity_type, entity_id=entity_id,
                       data=data)


def test_frame_shape_and_clean_data():
    long_text = "á" * 500
    e = event("message.received", {"conversation_id": "conv-1", "message_id": "m1", "text": long_text,
                                   "access_token": "EAAG…", "app_secret": "x", "raw": {"big": 1},
                                   "signature": "sha256=…", "tags": ["a", "b", {"x": 1}],
                                   "error": {"es": "falló", "en": "failed", "nested": {"deep": 1}}})
    frame = frames.frame_of(e, "01CURSOR")
    assert set(frame) == {"cursor", "type", "entity_type", "entity_id", "conversation_id", "data"}
    assert frame["cursor"] == "01CURSOR" and frame["type"] == "message.received"
    assert frame["conversation_id"] == "conv-1" and frame["entity_id"] == "conv-1"
    data = frame["data"]
    assert "access_token" not in data and "app_secret" not in data and "raw" not in data and "signature" not in data
    assert len(data["text"]) == frames.MAX_TEXT and data["text"].endswith("…")
    assert data["tags"] == ["a", "b"]
    assert data["error"] == {"es": "falló", "en": "failed"}


def test_conversation_id_comes_from_data_or_the_conversation_entity():
    assert frames.conversation_id_of(event("notification.created", {"conversation_id": "c9"},
                                           entity_type="notification", entity_id="n1")) == "c9"
    assert frames.conversation_id_of(event("agent.presence_changed", {}, entity_type="agent", entity_id="u1")) is None


def test_a_held_conversation_is_whole_for_its_holder_and_supervisors_only():
    audience = frames.audience_of(event("message.received", {"conversation_id": "conv-1", "text": "hola"}), "agent-1")
    frame = frames.frame_of(event("message.received", {"conversation_id": "conv-1", "text": "hola"}), "c")
    assert frames.view(AGENT1, frame, audience) == frame
    assert frames.view(SUPERVISOR, frame, audience) == frame
    assert frames.view(ADMIN, frame, audience) == frame
    slim = frames.view(AGENT2, frame, audience)
    assert slim is not None and slim["data"] == {} and slim["conversation_id"] == "conv-1"
    assert frames.view(OPERATOR, frame, audience) is None  # no conversations permission


def test_unassigned_conversations_are_whole_for_every_agent():
    e = event("conversation.created", {"conversation_id": "conv-1"})
    audience = frames.audience_of(e, None)
    frame = frames.frame_of(e, "c")
    assert frames.view(AGENT2, frame, audience) == frame
    assert frames.view(OPERATOR, frame, audience) is None


def test_the_agent_a_conversation_was_transferred_away_from_still_sees_the_transfer():
    e = event("conversation.transferred", {"conversation_id": "conv-1", "assignee": "agent-2",
                                           "previous_assignee": "agent-1"})
    audience = frames.audience_of(e, "agent-2")
    frame = frames.frame_of(e, "c")
    assert frames.view(AGENT1, frame, audience) == frame
    assert frames.view(AGENT2, frame, audience) == frame
    third = member("agent-3", "agent")
    assert frames.view(third, frame, audience)["data"] == {}  # type: ignore[index]


def test_a_deleted_conversation_is_not_open_to_all():
    audience = frames.audience_of(event("message.status_changed", {"conversation_id": "gone"}), None, exists=False)
    assert not audience.open_to_all
    assert frames.view(AGENT1, {"data": {"x": 1}}, audience) == {"data": {}}


def test_notifications_go_to_their_recipient_only():
    e = event("notification.created", {"user_id": "agent-1", "type": "assigned", "conversation_id": "conv-1"},
              entity_type="notification", entity_id="n1", source="skailan.inbox")
    audience = frames.audience_of(e, None)
    frame = frames.frame_of(e, "c")
    assert frames.view(AGENT1, frame, audience) == frame
    for other in (AGENT2, SUPERVISOR, ADMIN, OPERATOR):
        assert frames.view(other, frame, audience) is None
    broken = frames.audience_of(event("notification.created", {}, entity_type="notification"), None)
    assert all(frames.view(m, frame, broken) is None for m in (AGENT1, ADMIN))


def test_presence_goes_to_members_who_work_conversations():
    e = event("agent.presence_changed", {"user_id": "agent-2", "status": "online"}, entity_type="agent",
              entity_id="agent-2", source="skailan.inbox")
    audience = frames.audience_of(e, None)
    frame = frames.frame_of(e, "c")
    assert frames.view(AGENT1, frame, audience) == frame
    assert frames.view(OPERATOR, frame, audience) is None


def test_audience_round_trips_through_the_stored_item():
    audience = frames.Audience(recipient=None, open_to_all=False, full_for=frozenset({"b", "a"}))
    assert frames.Audience.from_item(audience.to_item()) == audience
    assert audience.to_item()["full_for"] == ["a", "b"]


def test_the_rule_and_the_worker_agree_on_the_event_types():
    from infra.local.template import load_yaml
    from tests.support import ROOT

    template = load_yaml((ROOT / "template.yaml").read_text())
    pattern = template["Resources"]["RealtimeRule"]["Properties"]["EventPattern"]
    assert set(pattern["detail-type"]) == set(frames.TYPES)


def test_another_team_s_conversation_is_whole_only_for_super_admins_and_that_team_s_supervisors():
    superadmin = Caller(tenant_id="demo", principal_id="super", kind="user", super_admin=True,
                        permissions=BUILTIN_ROLES["super_admin"]["permissions"])  # type: ignore[arg-type]
    e = event("message.received", {"conversation_id": "conv-1", "text": "factura vencida"})
    frame = frames.frame_of(e, "c1")
    teamed = frames.audience_of(e, "agent-2", team_members=frozenset({"agent-2", "sup"}))
    assert frames.view(superadmin, frame, teamed) == frame
    assert frames.view(SUPERVISOR, frame, teamed) == frame  # a member of the team
    assert frames.view(ADMIN, frame, teamed)["data"] == {}  # not in the team: ids only
    assert frames.view(AGENT1, frame, teamed)["data"] == {}
    no_team = frames.audience_of(e, "agent-2")
    assert frames.view(ADMIN, frame, no_team) == frame
    # stored and read back (the changes feed) the same
    assert frames.Audience.from_item(teamed.to_item()) == teamed
    assert frames.view(ADMIN, frame, frames.Audience.from_item(teamed.to_item()))["data"] == {}
