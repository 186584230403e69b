"""Deal approval over an amount: the run waits for one of the named managers to approve (then) or
reject with a reason (rejected); at or below the amount it goes on at once. Only approvers decide,
once; another brand's approvals are 404."""

from __future__ import annotations

from typing import Any

from tests.support import call

API = "api/automations"


def _deal(admin: Any, title: str, amount: float) -> str:
    reply = call("api/sales", "POST", "/v1/deals", principal=admin, body={"title": title, "amount": amount})
    assert reply.status == 201, reply.body
    return reply.body["id"]


def _stage_event(deal_id: str, tenant: str = "demo") -> Any:
    from skailan.platform.events import DomainEvent

    return DomainEvent(tenant_id=tenant, source="skailan.crm", type="deal.stage_changed", entity_type="deal",
                       entity_id=deal_id, data={"from_stage_id": "new", "to_stage_id": "negotiation"})


def _run(admin: Any, automation_id: str, deal_id: str) -> dict[str, Any]:
    runs = call(API, "GET", f"/v1/automations/{automation_id}/runs", principal=admin).body["items"]
    return next(r for r in runs if r["trigger"]["entity_id"] == deal_id)


def test_deal_over_the_amount_waits_for_a_manager(demo):
    from skailan.automations.engine import on_event

    admin, supervisor, agent = demo["admin@demo.local"], demo["supervisor@demo.local"], demo["agent1@demo.local"]
    acme = demo["admin@acme.local"]
    reply = call(API, "POST", "/v1/automations", principal=admin, body={
        "name": "Aprobar descuentos", "trigger": {"type": "deal_stage_changed"},
        "steps": [{"type": "request_approval", "approver_ids": [supervisor.sub], "amount_over": 1000,
                   "message": "Revisa el descuento",
                   "then": [{"type": "notify_user", "user_id": admin.sub, "message": "Aprobado"}],
                   "rejected": [{"type": "notify_user", "user_id": admin.sub, "message": "Rechazado"},
                                {"type": "stop"}]},
                  {"type": "notify_user", "user_id": admin.sub, "message": "Después de aprobar"}]})
    assert reply.status == 201, reply.body
    automation_id = reply.body["id"]
    small, big, other = _deal(admin, "Pequeño", 500), _deal(admin, "Grande", 5000), _deal(admin, "Otro", 9000)
    events = {deal: _stage_event(deal) for deal in (small, big, other)}
    for event in events.values():
        on_event(event)
    on_event(events[big])  # redelivered: the same run, one approval
    assert _run(admin, automation_id, small)["status"] == "completed"  # at or below: no approval
    waiting = _run(admin, automation_id, big)
    assert waiting["status"] == "waiting" and waiting["wait_until"] is None

    pending = call(API, "GET", "/v1/automation-approvals", principal=supervisor).body["items"]
    mine = {a["deal_id"]: a for a in pending if a["automation_id"] == automation_id}
    assert set(mine) == {big, other} and mine[big]["amount"] == 5000 and mine[big]["status"] == "pending"
    approval_id = mine[big]["id"]
    # another brand: 404; not an approver: 403; rejecting needs a reason: 422
    assert call(API, "GET", f"/v1/automation-approvals/{approval_id}", principal=acme).status == 404
    assert call(API, "POST", f"/v1/automation-approvals/{approval_id}/approve", principal=acme, body={}).status == 404
    forbidden = call(API, "POST", f"/v1/automation-approvals/{approval_id}/approve", principal=agent, body={})
    assert forbidden.status == 403 and forbidden.body["error"]["code"] == "not_an_approver"
    no_reason = call(API, "POST", f"/v1/automation-approvals/{approval_id}/reject", principal=supervisor, body={})
    assert no_reason.status == 422 and "reason" in str(no_reason.body["error"]["details"])
    unknown = call(API, "POST", f"/v1/automation-approvals/{approval_id}/approve", principal=supervisor,
                   body={"reason": "ok", "extra": 1})
    assert unknown.status == 422

    approved = call(API, "POST", f"/v1/automation-approvals/{approval_id}/approve", principal=supervisor,
                    body={"reason": "Cliente estratégico"})
    assert approved.status == 200 and approved.body["status"] == "approved", approved.body
    assert approved.body["decided_by"] == supervisor.sub and approved.body["reason"] == "Cliente estratégico"
    again = call(API, "POST", f"/v1/automation-approvals/{approval_id}/reject", principal=supervisor,
                 body={"reason": "tarde"})
    assert again.status == 409
    run = _run(admin, automation_id, big)
    assert run["status"] == "completed", run
    assert [s["type"] for s in run["steps"]] == ["request_approval", "notify_user", "notify_user"]
    assert run["steps"][0]["output"]["approved"] is True

    rejected_id = mine[other]["id"]
    rejected = call(API, "POST", f"/v1/automation-approvals/{rejected_id}/reject", principal=supervisor,
                    body={"reason": "Margen insuficiente"})
    assert rejected.status == 200 and rejected.body["status"] == "rejected"
    run = _run(admin, automation_id, other)
    assert run["status"] == "completed"
    assert [s["type"] for s in run["steps"]] == ["request_approval", "notify_user", "stop"]
    assert run["steps"][1]["input"]["message"] == "Rechazado"
    decided = call(API, "GET", "/v1/automation-approvals", principal=supervisor,
                   query={"status": "rejected"}).body["items"]
    assert rejected_id in [a["id"] for a in decided]
    assert call(API, "GET", "/v1/automation-approvals", principal=supervisor,
                query={"status": "nope"}).status == 422


def test_approval_needs_a_deal_trigger_and_known_approvers(demo):
    admin = demo["admin@demo.local"]
    bad = call(API, "POST", "/v1/automations", principal=admin, body={
        "name": "x", "trigger": {"type": "tag_added", "tag": "x"},
        "steps": [{"type": "request_approval", "approver_ids": ["nadie"]}]})
    assert bad.status == 422
    fields = {(d["field"], d["error"]) for d in bad.body["error"]["details"]}
    assert ("steps.0.request_approval", "needs_deal_trigger") in fields
    assert ("steps.0.request_approval.approver_ids.0", "unknown") in fields
