"""Clock triggers on moto: birthdays and "N days from a date field" read the month-day index kept
from contact events; cron schedules in the brand's time zone; manual runs over a list. All follow
the application clock and run each person once per occurrence, however often the job runs."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.support import call

API = "api/automations"
CRM = "api/crm"


@pytest.fixture(autouse=True)
def clock_reset():
    from skailan.platform import clock

    clock.reset()
    yield
    clock.reset()


def _field(admin: Any, key: str) -> None:
    reply = call(CRM, "POST", "/v1/crm/fields", principal=admin,
                 body={"key": key, "label": key.title(), "type": "date", "scope": "person"})
    assert reply.status in (201, 409), reply.body


def _person(admin: Any, name: str, custom: dict[str, Any] | None = None, tenant: str = "demo") -> str:
    import uuid

    from skailan.automations.engine import on_event
    from skailan.platform.events import DomainEvent

    reply = call(CRM, "POST", "/v1/contacts", principal=admin,
                 body={"name": name, "email": f"{uuid.uuid4().hex[:10]}@example.com", "custom": custom or {}})
    assert reply.status == 201, reply.body
    # the worker sees contact.created (the pipe does not run in-process)
    on_event(DomainEvent(tenant_id=tenant, source="skailan.crm", type="contact.created", entity_type="contact",
                         entity_id=reply.body["id"], data={"name": name}))
    return reply.body["id"]


def _automation(admin: Any, **body: Any) -> dict[str, Any]:
    reply = call(API, "POST", "/v1/automations", principal=admin, body={"name": "Reloj", **body})
    assert reply.status == 201, reply.body
    return reply.body


def _runs(admin: Any, automation_id: str) -> list[dict[str, Any]]:
    reply = call(API, "GET", f"/v1/automations/{automation_id}/runs", principal=admin)
    assert reply.status == 200, reply.body
    return reply.body["items"]


def _tags(admin: Any, person_id: str) -> list[str]:
    return call(CRM, "GET", f"/v1/contacts/{person_id}", principal=admin).body["tags"]


def _move_to(moment: str, extra_seconds: int = 60) -> None:
    from skailan.platform import clock

    delta = (clock.parse_iso(moment) - clock.utcnow()).total_seconds() + extra_seconds
    clock.advance(max(delta, 0))


def _local_day(moment: str, tenant: str = "demo") -> Any:
    from skailan.platform.clock import parse_iso
    from skailan.tenancy import brands

    return parse_iso(moment).astimezone(ZoneInfo(brands.get_brand(tenant).time_zone)).date()


def test_birthday_fires_once_on_the_day_in_the_brands_zone(demo):
    from skailan.automations.engine import fire_schedules

    admin, acme = demo["admin@demo.local"], demo["admin@acme.local"]
    _field(admin, "cumple")
    _field(acme, "cumple")
    automation = _automation(admin, trigger={"type": "birthday", "field": "cumple", "hour": 9},
                             steps=[{"type": "add_tag", "tag": "feliz-cumple"}])
    fire_at = automation["next_fire_at"]
    assert fire_at and _local_day(fire_at) >= _local_day(fire_at) and fire_at.endswith("Z")
    day = _local_day(fire_at)
    born = day.replace(year=1990).isoformat()
    other_day = (day + timedelta(days=1)).replace(year=1990).isoformat()
    birthday = _person(admin, "Berta Cumple", {"cumple": born})
    not_today = _person(admin, "Nico Mañana", {"cumple": other_day})
    elsewhere = _person(acme, "Acme Cumple", {"cumple": born}, tenant="acme")

    assert fire_schedules()["fired"] == 0  # not yet: the clock has not reached 09:00
    assert _runs(admin, automation["id"]) == []
    _move_to(fire_at)
    assert fire_schedules()["fired"] == 1
    fire_schedules()  # the job again (or a crashed pass repeated): nobody runs twice
    runs = _runs(admin, automation["id"])
    assert [r["person_id"] for r in runs] == [birthday]
    assert runs[0]["status"] == "completed" and runs[0]["trigger"]["data"]["date"] == born
    assert "feliz-cumple" in _tags(admin, birthday) and "feliz-cumple" not in _tags(admin, not_today)
    assert "feliz-cumple" not in _tags(acme, elsewhere)
    # the schedule moved on to the next day at 09:00
    later = call(API, "GET", f"/v1/automations/{automation['id']}", principal=admin).body["next_fire_at"]
    assert later > fire_at and _local_day(later) == day + timedelta(days=1)
    # the next day the other person's birthday fires
    _move_to(later)
    fire_schedules()
    assert {r["person_id"] for r in _runs(admin, automation["id"])} == {birthday, not_today}


def test_days_before_a_date_field_and_the_index_follows_edits(demo):
    from skailan.automations.engine import fire_schedules, on_event
    from skailan.platform.events import DomainEvent

    admin = demo["admin@demo.local"]
    _field(admin, "renovacion")
    automation = _automation(admin, trigger={"type": "date_field", "field": "custom.renovacion", "days": -3,
                                             "hour": 8},
                             steps=[{"type": "add_tag", "tag": "renueva-pronto"}], once_per_person=True)
    day = _local_day(automation["next_fire_at"])
    due = (day + timedelta(days=3)).isoformat()
    soon = _person(admin, "Rita Renueva", {"renovacion": due})
    next_year = _person(admin, "Otro Año", {"renovacion": (day + timedelta(days=3 + 366)).isoformat()})
    moved = _person(admin, "Mario Cambia", {"renovacion": due})
    # Mario's date changes: the index follows the contact.updated event
    reply = call(CRM, "PATCH", f"/v1/contacts/{moved}", principal=admin,
                 body={"custom": {"renovacion": (day + timedelta(days=40)).isoformat()}})
    assert reply.status == 200, reply.body
    on_event(DomainEvent(tenant_id="demo", source="skailan.crm", type="contact.updated", entity_type="contact",
                         entity_id=moved, data={"changed": ["custom"]}))
    _move_to(automation["next_fire_at"])
    fire_schedules()
    assert [r["person_id"] for r in _runs(admin, automation["id"])] == [soon]
    assert "renueva-pronto" in _tags(admin, soon)
    assert "renueva-pronto" not in _tags(admin, next_year) and "renueva-pronto" not in _tags(admin, moved)


def test_schedule_on_a_list_in_the_brands_zone_and_manual_list_runs(demo):
    from skailan.automations.engine import fire_schedules
    from skailan.platform.clock import parse_iso
    from skailan.tenancy import brands

    admin = demo["admin@demo.local"]
    listed = call(CRM, "POST", "/v1/crm/lists", principal=admin, body={"name": "Semanal"})
    assert listed.status == 201, listed.body
    list_id = listed.body["id"]
    people = [_person(admin, f"Lista {n}") for n in range(3)]
    reply = call(CRM, "POST", f"/v1/crm/lists/{list_id}/members", principal=admin, body={"person_ids": people[:2]})
    assert reply.status in (200, 201), reply.body
    automation = _automation(admin, trigger={"type": "schedule", "cron": "30 7 * * 1", "list_id": list_id},
                             steps=[{"type": "add_tag", "tag": "lunes"}])
    fire_at = parse_iso(automation["next_fire_at"])
    local = fire_at.astimezone(ZoneInfo(brands.get_brand("demo").time_zone))
    assert (local.weekday(), local.hour, local.minute) == (0, 7, 30)  # Monday 07:30 in the brand's zone
    _move_to(automation["next_fire_at"])
    fire_schedules()
    fire_schedules()
    runs = _runs(admin, automation["id"])
    assert sorted(r["person_id"] for r in runs) == sorted(people[:2])
    assert all("lunes" in _tags(admin, p) for p in people[:2]) and "lunes" not in _tags(admin, people[2])

    # manual over the list: queued, then run by the job, once per member
    manual = _automation(admin, trigger={"type": "manual"}, steps=[{"type": "add_tag", "tag": "a-mano"}])
    queued = call(API, "POST", f"/v1/automations/{manual['id']}/run", principal=admin, body={"list_id": list_id})
    assert queued.status == 201 and queued.body["status"] == "queued", queued.body
    fire_schedules()
    fire_schedules()
    assert sorted(r["person_id"] for r in _runs(admin, manual["id"])) == sorted(people[:2])


def test_schedule_without_a_list_runs_once_per_time_and_pausing_stops_it(demo):
    from skailan.automations.engine import fire_schedules

    admin = demo["admin@demo.local"]
    user_id = admin.sub
    automation = _automation(admin, trigger={"type": "schedule", "cron": "*/15 * * * *"},
                             steps=[{"type": "notify_user", "user_id": user_id, "message": "Revisa el tablero"}])
    _move_to(automation["next_fire_at"], extra_seconds=3 * 3600)  # three hours late: fires once, not 12 times
    fire_schedules()
    fire_schedules()
    runs = _runs(admin, automation["id"])
    assert len(runs) == 1 and runs[0]["person_id"] is None and runs[0]["status"] == "completed", runs
    off = call(API, "PATCH", f"/v1/automations/{automation['id']}", principal=admin, body={"active": False})
    assert off.status == 200 and off.body["next_fire_at"] is None
    _move_to(automation["next_fire_at"], extra_seconds=3600)
    fire_schedules()
    assert len(_runs(admin, automation["id"])) == 1


def test_clock_trigger_bad_input_names_the_part_and_other_brands_lists_404(demo):
    admin, acme = demo["admin@demo.local"], demo["admin@acme.local"]
    _field(admin, "cumple")
    cases = [
        ({"type": "birthday", "field": "name"}, "trigger.birthday.field"),
        ({"type": "date_field", "field": "nope"}, "trigger.date_field.field"),
        ({"type": "schedule", "cron": "61 * * * *"}, "trigger.schedule.cron"),
        ({"type": "schedule", "cron": "0 9 * * *", "list_id": "01J0000000000000000000000Z"},
         "trigger.schedule.list_id"),
    ]
    for trigger, part in cases:
        reply = call(API, "POST", "/v1/automations", principal=admin,
                     body={"name": "x", "trigger": trigger, "steps": [{"type": "stop"}]})
        assert reply.status == 422, (trigger, reply.body)
        assert part in [d["field"] for d in reply.body["error"]["details"]], reply.body
        assert " / " in reply.body["error"]["message"]
    hours = call(API, "POST", "/v1/automations", principal=admin,
                 body={"name": "x", "trigger": {"type": "birthday", "field": "cumple", "hour": 24},
                       "steps": [{"type": "stop"}]})
    assert hours.status == 422
    no_person = call(API, "POST", "/v1/automations", principal=admin,
                     body={"name": "x", "trigger": {"type": "schedule", "cron": "0 9 * * *"},
                           "steps": [{"type": "add_tag", "tag": "x"}]})
    assert no_person.status == 422 and no_person.body["error"]["details"][0]["field"] == "steps.0.add_tag"
    # a list run on another brand's list, or another brand's automation: 404
    acme_list = call(CRM, "POST", "/v1/crm/lists", principal=acme, body={"name": "Acme"}).body["id"]
    manual = _automation(admin, trigger={"type": "manual"}, steps=[{"type": "stop"}])
    assert call(API, "POST", f"/v1/automations/{manual['id']}/run", principal=admin,
                body={"list_id": acme_list}).status == 404
    assert call(API, "POST", f"/v1/automations/{manual['id']}/run", principal=acme,
                body={"list_id": acme_list}).status == 404
    both = call(API, "POST", f"/v1/automations/{manual['id']}/run", principal=admin,
                body={"list_id": acme_list, "person_id": manual["id"]})
    assert both.status == 422


def test_score_decay_on_a_segment_keeps_the_floor(demo):
    from skailan.automations.engine import fire_schedules
    from skailan.crm.audiences.segments import evaluate_person

    admin = demo["admin@demo.local"]
    reply = call(CRM, "POST", "/v1/crm/fields", principal=admin,
                 body={"key": "puntos_decay", "label": "Puntos", "type": "number", "scope": "person"})
    assert reply.status in (201, 409), reply.body
    segment = call(CRM, "POST", "/v1/crm/segments", principal=admin, body={
        "name": "Con puntos", "rule": {"all": [{"field": "custom.puntos_decay", "op": "gt", "value": 0}]}})
    assert segment.status == 201, segment.body
    high, low, none = (_person(admin, "Alta", {"puntos_decay": 20}), _person(admin, "Baja", {"puntos_decay": 3}),
                       _person(admin, "Cero", {"puntos_decay": 0}))
    for person in (high, low, none):
        evaluate_person("demo", person)
    automation = _automation(admin, kind="scoring",
                             trigger={"type": "schedule", "cron": "0 3 * * *", "segment_id": segment.body["id"]},
                             steps=[{"type": "add_score", "field": "puntos_decay", "points": -5, "min": 0}])
    _move_to(automation["next_fire_at"])
    fire_schedules()
    fire_schedules()
    score = {p: call(CRM, "GET", f"/v1/contacts/{p}", principal=admin).body["custom"].get("puntos_decay")
             for p in (high, low, none)}
    assert score == {high: 15, low: 0, none: 0}
    assert len(_runs(admin, automation["id"])) == 2  # the segment's members only, once each
    bad = call(API, "POST", "/v1/automations", principal=admin, body={
        "name": "x", "trigger": {"type": "schedule", "cron": "0 3 * * *", "segment_id": "01J0000000000000000000000Z"},
        "steps": [{"type": "add_score", "field": "puntos_decay", "points": -1, "min": 5, "max": 1}]})
    assert bad.status == 422
    assert {"trigger.schedule.segment_id", "steps.0.add_score.min"} <= {d["field"] for d in bad.body["error"]["details"]}


def test_dates_set_before_the_index_existed_are_backfilled_once(demo):
    import uuid

    from skailan.automations import store
    from skailan.automations.engine import fire_schedules

    admin = demo["admin@demo.local"]
    _field(admin, "aniversario")
    # a person whose date never went through the worker (as before the index existed)
    probe = _automation(admin, trigger={"type": "birthday", "field": "aniversario", "hour": 10},
                        steps=[{"type": "add_tag", "tag": "aniversario"}])
    day = _local_day(probe["next_fire_at"])
    reply = call(CRM, "POST", "/v1/contacts", principal=admin,
                 body={"name": "Vieja Fecha", "email": f"{uuid.uuid4().hex[:10]}@example.com",
                       "custom": {"aniversario": day.replace(year=2001).isoformat()}})
    assert reply.status == 201, reply.body
    person = reply.body["id"]
    assert store.person_dates("demo", person) == {}
    automation = _automation(admin, trigger={"type": "birthday", "field": "aniversario", "hour": 10},
                             steps=[{"type": "add_tag", "tag": "aniversario-2"}])
    counts = fire_schedules()  # the backfill is due now; the birthday later
    assert counts.get("backfilled", 0) >= 1
    assert store.person_dates("demo", person) == {"aniversario": day.replace(year=2001).isoformat()}
    _move_to(automation["next_fire_at"])
    fire_schedules()
    assert [r["person_id"] for r in _runs(admin, automation["id"])] == [person]
