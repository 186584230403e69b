"""A campaign's EventBridge Scheduler schedule on moto: created in the brand's zone with the
start function as target, updated by a reschedule, deleted by cancel and send-now; the target
starts the campaign once however often it fires; another brand's campaign: 404, no schedule."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from typing import Any

import pytest

from tests.support import FakeContext, call, handler_of

API = "api/campaigns"
CRM = "api/crm"


@pytest.fixture(autouse=True)
def clock_reset():
    from skailan.platform import clock

    clock.reset()
    yield
    clock.reset()


def _scheduler() -> Any:
    from skailan.platform.aws import client

    return client("scheduler")


def _group() -> str:
    from skailan.platform.settings import get_settings

    return get_settings().campaign_schedule_group


def _schedules() -> dict[str, dict[str, Any]]:
    """Every schedule of the campaigns' group, in full (GetSchedule)."""
    names = [s["Name"] for s in _scheduler().list_schedules(GroupName=_group())["Schedules"]]
    return {name: _scheduler().get_schedule(Name=name, GroupName=_group()) for name in names}


def _campaign(admin: Any) -> str:
    person = call(CRM, "POST", "/v1/contacts", principal=admin,
                  body={"name": "Programada", "phone": f"+57300{uuid.uuid4().int % 10**7:07d}"})
    assert person.status == 201, person.body
    reply = call(API, "POST", "/v1/campaigns", principal=admin,
                 body={"name": "Agendada", "channel": "sms", "account_id": "demo-twilio",
                       "audience": {"kind": "people", "person_ids": [person.body["id"]]},
                       "content": {"text": "Hola {{contact.first_name|amigo}}"}})
    assert reply.status == 201, reply.body
    return reply.body["id"]


def _fire(schedule: dict[str, Any]) -> dict[str, Any]:
    """What Scheduler does at the time: the target function with the schedule's Input."""
    result: dict[str, Any] = handler_of("jobs/campaign_schedules")(json.loads(schedule["Target"]["Input"]),
                                                                   FakeContext())
    return result


def _status(admin: Any, campaign_id: str) -> str:
    return call(API, "GET", f"/v1/campaigns/{campaign_id}", principal=admin).body["status"]


def test_schedule_reschedule_fire_once_and_cancel(demo):
    from skailan.campaigns.schedules import schedule_name
    from skailan.platform import clock
    from skailan.platform.settings import get_settings

    admin, other = demo["admin@demo.local"], demo["admin@acme.local"]
    settings = get_settings()
    campaign_id = _campaign(admin)
    name = schedule_name("demo", campaign_id)

    # 09:30 in Bogotá (UTC-5), given as local time: at(...) keeps the wall clock, the zone is the brand's
    day = (clock.utcnow() + timedelta(days=2)).date().isoformat()
    reply = call(API, "POST", f"/v1/campaigns/{campaign_id}/schedule", principal=admin, body={"at": f"{day}T09:30"})
    assert reply.status == 200 and reply.body["status"] == "scheduled", reply.body
    assert reply.body["scheduled_at"] == f"{day}T14:30:00.000Z"
    schedule = _schedules()[name]
    assert schedule["ScheduleExpression"] == f"at({day}T09:30:00)"
    assert schedule["ScheduleExpressionTimezone"] == "America/Bogota"
    assert schedule["FlexibleTimeWindow"] == {"Mode": "OFF"}
    assert schedule["ActionAfterCompletion"] == "DELETE"
    target = schedule["Target"]
    assert target["Arn"] == settings.campaign_schedule_target_arn
    assert target["Arn"].split(":function:")[1].endswith("CampaignSchedulesFunction")
    assert target["RoleArn"] == settings.campaign_schedule_role_arn
    assert target["DeadLetterConfig"] == {"Arn": settings.campaign_schedule_dlq_arn}
    assert target["RetryPolicy"]["MaximumRetryAttempts"] >= 1
    assert json.loads(target["Input"]) == {"kind": "campaign.schedule", "tenant_id": "demo", "campaign_id": campaign_id}

    # another brand: 404, and no schedule written for it
    before = set(_schedules())
    assert call(API, "POST", f"/v1/campaigns/{campaign_id}/schedule", principal=other,
                body={"at": f"{day}T10:00"}).status == 404
    assert set(_schedules()) == before and _schedules()[name]["ScheduleExpression"] == f"at({day}T09:30:00)"

    # a reschedule updates the one schedule (ISO with an offset: shown in the brand's zone)
    reply = call(API, "POST", f"/v1/campaigns/{campaign_id}/schedule", principal=admin,
                 body={"at": f"{day}T18:00:00+00:00"})
    assert reply.status == 200, reply.body
    mine = [n for n in _schedules() if campaign_id in n]
    assert mine == [name] and _schedules()[name]["ScheduleExpression"] == f"at({day}T13:00:00)"

    # fired before its time (a stale schedule): nothing starts
    assert _fire(_schedules()[name])["started"] == 0
    assert _status(admin, campaign_id) == "scheduled"

    # at its time: started once, a duplicate delivery does nothing, nor does the backstop
    clock.advance(3 * 86400)
    schedule = _schedules()[name]
    assert _fire(schedule) == {"started": 1, "by": "schedule"}
    assert _status(admin, campaign_id) == "sending"
    assert _fire(schedule) == {"started": 0, "by": "schedule"}
    from skailan.campaigns import service
    assert service.start_due() == 0
    from skailan.campaigns import store
    assert store.get_campaign("demo", campaign_id).status == "sending"

    # cancel deletes the schedule of a scheduled campaign; send-now too
    for action in ("cancel", "send"):
        other_id = _campaign(admin)
        at = (clock.utcnow() + timedelta(days=1)).replace(microsecond=0).isoformat()
        assert call(API, "POST", f"/v1/campaigns/{other_id}/schedule", principal=admin, body={"at": at}).status == 200
        assert schedule_name("demo", other_id) in _schedules()
        reply = call(API, "POST", f"/v1/campaigns/{other_id}/{action}", principal=admin)
        assert reply.status in (200, 202), reply.body
        assert schedule_name("demo", other_id) not in _schedules()


def test_the_target_refuses_a_malformed_input(demo):
    job = handler_of("jobs/campaign_schedules")
    with pytest.raises(ValueError):
        job({"kind": "campaign.schedule", "tenant_id": "demo"}, FakeContext())
    with pytest.raises(ValueError):
        job({"kind": "campaign.schedule", "tenant_id": "demo", "campaign_id": "x", "extra": 1}, FakeContext())
    # an unknown campaign (or another brand's id under this tenant): nothing, no error
    assert job({"kind": "campaign.schedule", "tenant_id": "acme", "campaign_id": "01J00000000000000000000000"},
               FakeContext())["started"] == 0


def test_a_scheduler_failure_leaves_the_due_job_to_start_it(demo, monkeypatch):
    from skailan.campaigns import schedules, service
    from skailan.platform import clock

    admin = demo["admin@demo.local"]
    campaign_id = _campaign(admin)

    class Down:
        def __getattr__(self, _name: str) -> Any:
            def fail(**_kwargs: Any) -> None:
                raise RuntimeError("scheduler unavailable")
            return fail

    monkeypatch.setattr(schedules, "client", lambda _service: Down())
    at = (clock.utcnow() + timedelta(hours=1)).replace(microsecond=0).isoformat()
    reply = call(API, "POST", f"/v1/campaigns/{campaign_id}/schedule", principal=admin, body={"at": at})
    assert reply.status == 200 and reply.body["status"] == "scheduled"
    monkeypatch.undo()
    assert schedules.schedule_name("demo", campaign_id) not in _schedules()
    clock.advance(2 * 3600)
    assert service.start_due() >= 1
    assert _status(admin, campaign_id) == "sending"
