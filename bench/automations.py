"""Automations figures (`make bench` / `python -m bench automations`):

- matching: DynamoDB requests the worker makes for one event with 10 and with 1 000 automations in
  the brand on tag triggers (an event that fires none, and one that fires one) — flat, because the
  trigger index is keyed by type and tag; and for 1 000 automations on `message_received` (every
  one is a candidate: the index pages grow with them). In process against moto.
- latency: event to first action through the local runtime — a person's tag added (CRM write +
  outbox) → Pipe → bus → rule → queue → worker → the automation's first step stored; median, p95.
- waits: N runs (10 000; BENCH_AUTOMATIONS_WAITING) waiting at once, due when the clock moves:
  the waits job resumes them all — requests per resumed run, Scans (0), seconds for the lot.
- dates: a birthday automation with M people (5 000; BENCH_AUTOMATIONS_DATED) in the month-day index
  on other days and 20 on the day: the schedules job reads only the day's partition — requests per
  run fired, Scans (0).

Each part runs in its own process (moto's in-process mock and the runtime's server must not meet).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

from bench.common import ROOT, child_env, figure

BENCH = "automations"
LATENCY_EVENTS = 20


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))]


def _admin(tenant_id: str = "demo") -> Any:
    from skailan.platform.auth import LEVELS, MODULES, Caller

    return Caller(tenant_id=tenant_id, principal_id="bench-admin", kind="user",
                  permissions=frozenset(f"{m}:{lvl}" for m in MODULES for lvl in LEVELS))


def _create(trigger: dict[str, Any], steps: list[dict[str, Any]], name: str = "bench") -> str:
    from skailan.automations import service
    from skailan.automations.models import AutomationIn

    return service.create(_admin(), AutomationIn.model_validate(
        {"name": name, "trigger": trigger, "steps": steps})).id


def _tag_event(person_id: str, tag: str) -> Any:
    from skailan.platform.events import DomainEvent

    return DomainEvent(tenant_id="demo", source="skailan.crm", type="contact.updated", entity_type="contact",
                       entity_id=person_id, data={"changed": ["tags"], "tags_added": [tag], "tags_removed": []})


def part_matching() -> Iterator[dict[str, Any]]:
    from bench.channels import _count_calls, _in_moto

    _in_moto()
    from skailan.automations.engine import on_event
    from skailan.crm.people.models import PersonIn
    from skailan.crm.people.service import create_person

    person = create_person(_admin(), "demo", PersonIn(name="Bench Persona", email="bench@example.com"))
    calls = _count_calls()

    def requests_for(tag: str) -> int:
        start = len(calls)
        on_event(_tag_event(person.id, tag))
        return sum(1 for service, _ in calls[start:] if service == "dynamodb")

    figures: dict[int, tuple[int, int]] = {}
    made = 0
    for total in (10, 1000):
        while made < total:
            _create({"type": "tag_added", "tag": f"t{made}"}, [{"type": "stop"}])
            made += 1
        figures[total] = (requests_for("ninguna"), requests_for(f"t{total - 1}"))
    for total, (none, one) in figures.items():
        yield figure(BENCH, f"match_requests_no_match_{total}_automations", none, "requests",
                     note="tag trigger index: one Query per trigger key of the event")
        yield figure(BENCH, f"match_requests_one_run_{total}_automations", one, "requests",
                     note="matching + the run (claim, steps, finish) of the one automation it fires")
    for n in range(1000):
        _create({"type": "message_received", "keywords": [f"palabra{n}"]}, [{"type": "stop"}])
    from skailan.platform.events import DomainEvent

    start = len(calls)
    on_event(DomainEvent(tenant_id="demo", source="skailan.conversations", type="message.received",
                         data={"conversation_id": "c1", "person_id": person.id, "text": "nada que ver",
                               "channel": "whatsapp", "message_id": "m1", "type": "text",
                               "provider_message_id": "p1"}))
    yield figure(BENCH, "match_requests_message_received_1000_automations",
                 sum(1 for service, _ in calls[start:] if service == "dynamodb"), "requests",
                 note="every message_received automation is a candidate: keyword checks in memory, the index "
                      "read in 1 MB pages")


def part_latency() -> Iterator[dict[str, Any]]:
    from infra.local.runtime import LocalRuntime
    from skailan.platform.aws import reset_clients

    os.environ["POWERTOOLS_LOG_LEVEL"] = "ERROR"
    runtime = LocalRuntime(ROOT / "template.yaml", port=0, moto_port=0, schedules=False, seed=True, banner=False,
                           env_overrides={"POWERTOOLS_LOG_LEVEL": "ERROR", "LOG_LEVEL": "ERROR"})
    runtime.start()
    lags: list[float] = []
    try:
        reset_clients()
        from skailan.automations import store
        from skailan.crm.people.models import PersonIn, PersonPatchIn
        from skailan.crm.people.service import create_person, update_person

        _create({"type": "tag_added", "tag": "latencia"}, [{"type": "add_tag", "tag": "visto"}])
        for n in range(LATENCY_EVENTS):
            person = create_person(_admin(), "demo", PersonIn(name=f"Latencia {n}", email=f"lat{n}@example.com"))
            started = time.perf_counter()
            update_person(_admin(), person.id, PersonPatchIn(tags=["latencia"]))
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                runs, _ = store.list_runs("demo", automation_id=None, person_id=person.id, status=None, since=None,
                                          until=None, cursor=None, limit=1)
                if runs and runs[0].steps:
                    lags.append((time.perf_counter() - started) * 1000)
                    break
                time.sleep(0.01)
    finally:
        runtime.stop()
    yield figure(BENCH, "event_to_first_action_p50", statistics.median(lags), "ms", events=len(lags),
                 note="local runtime: CRM write + outbox → Pipe → bus → rule → SQS poller → worker → step stored")
    yield figure(BENCH, "event_to_first_action_p95", _percentile(lags, 95), "ms", events=len(lags))


def part_waits() -> Iterator[dict[str, Any]]:
    from bench.channels import _count_calls, _in_moto

    _in_moto()
    from skailan.automations import store
    from skailan.automations.engine import resume_due
    from skailan.platform import clock

    waiting = int(os.environ.get("BENCH_AUTOMATIONS_WAITING", "10000"))
    automation_id = _create({"type": "manual"}, [{"type": "wait", "minutes": 60}])
    now = clock.iso()
    due = clock.iso(clock.utcnow() + __import__("datetime").timedelta(minutes=60))
    with store.RunItem.batch_write() as writer:
        for n in range(waiting):
            run = store.new_run_item("demo", automation_id, f"bench{n:06d}", version=1, status="waiting",
                                     person_id=None, trigger={"type": "manual"}, depth=1, root_event_id=f"r{n}",
                                     steps=[], pc=0, attempts=0, started_at=now, created_at=now, updated_at=now,
                                     wait_until=due)
            store._index_run(run)
            writer.save(run)
    calls = _count_calls()
    assert resume_due()["resumed"] == 0  # not due yet: nothing moves
    before_due = len(calls)
    clock.advance(61 * 60)
    started = time.perf_counter()
    counts = {"resumed": 0, "skipped": 0}
    while True:  # the every-minute job, back to back: each run has a time budget (Lambda timeout)
        done = resume_due()
        counts["resumed"] += done["resumed"]
        counts["skipped"] += done["skipped"]
        if not done["left"]:
            break
    seconds = time.perf_counter() - started
    made = calls[before_due:]
    dynamo = [op for service, op in made if service == "dynamodb"]
    yield figure(BENCH, "waits_resumed", counts["resumed"], "runs", waiting=waiting)
    yield figure(BENCH, "waits_requests_per_resumed_run", len(dynamo) / max(counts["resumed"], 1), "requests",
                 note="the due-index Query pages, a conditional save (the claim), the finish save")
    yield figure(BENCH, "waits_scans", dynamo.count("Scan"), "requests",
                 queries=dynamo.count("Query"), note="one Query (paged) per shard of the due-time index")
    yield figure(BENCH, "waits_resume_seconds", seconds, "s", waiting=waiting,
                 note="in process against moto (tens of ms per request on a busy laptop; DynamoDB is a few ms)")


def part_dates() -> Iterator[dict[str, Any]]:
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    from bench.channels import _count_calls, _in_moto

    _in_moto()
    from skailan.automations import store
    from skailan.automations.engine import fire_schedules
    from skailan.crm.people.models import PersonIn
    from skailan.crm.people.service import create_person
    from skailan.crm.vocabulary.definitions import create_field
    from skailan.crm.vocabulary.fields import FieldDefinitionIn
    from skailan.platform import clock
    from skailan.tenancy import brands

    others, due_count = int(os.environ.get("BENCH_AUTOMATIONS_DATED", "5000")), 20
    create_field(_admin(), FieldDefinitionIn.model_validate({"key": "cumple", "label": "Cumpleaños", "type": "date",
                                                             "scope": "person"}))
    automation_id = _create({"type": "birthday", "field": "cumple", "hour": 9}, [{"type": "add_tag", "tag": "cumple"}])
    fire_at = store.get_schedule("demo", automation_id)
    assert fire_at is not None
    day = clock.parse_iso(fire_at.next_at).astimezone(ZoneInfo(brands.get_brand("demo").time_zone)).date()
    for n in range(due_count):  # real people: a firing checks each one's live value
        person = create_person(_admin(), "demo", PersonIn(name=f"Cumple {n}", email=f"cumple{n}@example.com",
                                                          custom={"cumple": day.replace(year=1990).isoformat()}))
        store.set_person_dates("demo", person.id, {}, {"cumple": day.replace(year=1990).isoformat()})
    for n in range(others):  # the rest of the year, straight into the index
        other = (day + timedelta(days=1 + n % 360)).replace(year=1985)
        store.set_person_dates("demo", f"other{n:06d}", {}, {"cumple": other.isoformat()})
    fire_schedules()  # the one-off backfill the new date automation queued, before counting
    calls = _count_calls()
    clock.advance((clock.parse_iso(fire_at.next_at) - clock.utcnow()).total_seconds() + 60)
    started = time.perf_counter()
    counts = fire_schedules()
    seconds = time.perf_counter() - started
    dynamo = [op for service, op in calls if service == "dynamodb"]
    runs, _ = store.list_runs("demo", automation_id=automation_id, person_id=None, status=None, since=None,
                              until=None, cursor=None, limit=100)
    yield figure(BENCH, "dates_runs_fired", len(runs), "runs", indexed=others + due_count, fired=counts["fired"])
    yield figure(BENCH, "dates_requests_per_run", len(dynamo) / max(len(runs), 1), "requests",
                 note="the day's month-day partition, the person's live value, the run (claim, step, finish)")
    yield figure(BENCH, "dates_scans", dynamo.count("Scan"), "requests", queries=dynamo.count("Query"),
                 note=f"{others} people on other days are never read")
    yield figure(BENCH, "dates_fire_seconds", seconds, "s", runs=len(runs))


PARTS = {"matching": part_matching, "latency": part_latency, "waits": part_waits, "dates": part_dates}


def run() -> Iterator[dict[str, Any]]:
    for name in PARTS:
        out = subprocess.run([sys.executable, "-m", "bench.automations", name], cwd=ROOT, env=child_env(),
                             capture_output=True, text=True, timeout=1800)
        figures = [line for line in out.stdout.splitlines() if line.startswith('{"bench"')]
        if out.returncode != 0 or not figures:
            yield figure(BENCH, f"{name}_failed", 1, "error", stderr=out.stderr[-2000:])
            continue
        for line in figures:
            yield json.loads(line)


if __name__ == "__main__":
    sys.path[:0] = [str(ROOT / "layers/skailan"), str(ROOT)]
    for item in PARTS[sys.argv[1]]():
        print(json.dumps(item, ensure_ascii=False), flush=True)
