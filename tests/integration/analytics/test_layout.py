"""Per-user dashboard layout: the default until saved, saved whole per user and brand, widgets the
app adds later appended visible; bad input a clear 4xx with nothing written; permission needed."""

from __future__ import annotations

from tests.support import call

API = "api/analytics"
PATH = "/v1/me/dashboard-layout"


def test_default_then_saved_per_user(demo):
    sofia, admin = demo["supervisor@demo.local"], demo["admin@demo.local"]
    default = call(API, "GET", PATH, principal=sofia)
    assert default.status == 200, default.body
    assert default.body["updated_at"] is None
    ids = [w["id"] for w in default.body["widgets"]]
    assert ids[:3] == ["alerts", "open", "unassigned"] and "kam" in ids and ids[-1] == "campaigns"
    assert all(w["visible"] for w in default.body["widgets"])

    saved = call(API, "PUT", PATH, principal=sofia, body={"widgets": [
        {"id": "received", "visible": True}, {"id": "open", "visible": False}, {"id": "alerts", "visible": True}]})
    assert saved.status == 200, saved.body
    again = call(API, "GET", PATH, principal=sofia).body
    assert again == saved.body and again["updated_at"]
    assert [w["id"] for w in again["widgets"]][:3] == ["received", "open", "alerts"]
    assert again["widgets"][1] == {"id": "open", "visible": False}
    assert {w["id"] for w in again["widgets"]} == set(ids)  # the rest follow, visible
    # Another user of the brand, and the same user id in another brand, keep the default.
    assert call(API, "GET", PATH, principal=admin).body["updated_at"] is None
    assert call(API, "GET", PATH, principal=demo["admin@acme.local"]).body["updated_at"] is None


def test_bad_input_is_refused_and_nothing_is_written(demo):
    sofia = demo["supervisor@demo.local"]
    before = call(API, "GET", PATH, principal=sofia).body
    for body in ({"widgets": [{"id": "weather", "visible": True}]},
                 {"widgets": [{"id": "open", "visible": True}, {"id": "open", "visible": False}]},
                 {"widgets": [{"id": "open", "visible": None}]},
                 {"widgets": None}, {"widgets": []}, {"widgets": [{"id": "open", "visible": True, "x": 1}]},
                 {"widgets": [{"id": "open", "visible": True}], "theme": "dark"}):
        reply = call(API, "PUT", PATH, principal=sofia, body=body)
        assert reply.status == 422, (body, reply.body)
        assert " / " in reply.body["error"]["message"]
    assert call(API, "GET", PATH, principal=sofia).body == before


def test_needs_the_dashboard_permission(demo):
    agent = demo["agent1@demo.local"]
    assert call(API, "GET", PATH, principal=agent).status == 403
    assert call(API, "PUT", PATH, principal=agent, body={"widgets": [{"id": "open", "visible": True}]}).status == 403
