"""Lead flow figures (`make bench` / `python -m bench leads`), in process against moto (`mock_aws`):

- queue page: DynamoDB requests and time of `GET /v1/lead-flow/leads` (first page, and a page
  deep in with a cursor; status filter) at 1 000 and 100 000 leads of one brand. The leads are
  written straight into the table (BatchWriteItem), as the leads worker would have left them.
  The requests per page are the same at both sizes (one Query on the queue index + the settings'
  GetItem); DynamoDB's time per Query follows the page, not the partition. moto's own Query
  walks the whole partition, so the local time grows with it — the figure says which it is.
- note add: DynamoDB requests of `POST /v1/lead-flow/leads/{id}/notes` (a first note that
  reserves; a later one): reads, then ONE TransactWriteItems with the note, the lead and the
  events' outbox items.
- worker: the leads worker on CRM people events at 1 000 and 10 000 people of one brand (each
  with its lead already mirrored, 5 lists): `contact.created` (a new person), `contact.updated`
  (a changed name), `contact.imported` (50 people, as the import emits them) and
  `list.members_added` (100 people). Events/s, people mirrored/s and DynamoDB requests per event
  and per person; the same at both sizes (a person's event touches its person, lists and lead).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

from bench.common import ROOT, child_env, figure

BENCH = "leads"
SIZES = tuple(int(n) for n in os.environ.get("LEADS_BENCH_SIZES", "1000,100000").split(","))
PAGE = 25


def part_queue() -> Iterator[dict[str, Any]]:
    from bench.channels import _count_calls, _in_moto

    _in_moto()
    from infra.local import seed
    from skailan.tenancy import cognito
    from tests.support import Principal, call

    email = next(e for t, e, _n, role in seed.USERS if t == "acme" and role == "admin")
    admin = Principal(sub=cognito.find_user_sub(email) or "", email=email, tenant="acme")
    calls = _count_calls()
    seeded = 0
    for size in SIZES:
        started = time.perf_counter()
        _seed_leads_range("acme", seeded, size)
        seeded = size
        seed_seconds = time.perf_counter() - started
        call("api/lead_flow", "GET", "/v1/lead-flow/leads", principal=admin, query={"limit": PAGE})  # warm
        for label, query in (("first_page", {"limit": PAGE}), ("status_in_progress", {"limit": PAGE,
                                                                                       "status": "in_progress"})):
            timings, requests = [], []
            cursor = None
            for _ in range(5):
                start = len(calls)
                t0 = time.perf_counter()
                q = dict(query, **({"cursor": cursor} if cursor and label != "first_page" else {}))
                reply = call("api/lead_flow", "GET", "/v1/lead-flow/leads", principal=admin, query=q)
                timings.append((time.perf_counter() - t0) * 1000)
                assert reply.status == 200 and len(reply.body["items"]) == PAGE, reply.body
                cursor = reply.body["next_cursor"]
                requests.append(sum(1 for s, _ in calls[start:] if s == "dynamodb"))
            yield figure(BENCH, f"queue_{label}_dynamodb_requests", max(requests), "requests", leads=size,
                         operations=[op for s, op in calls[start:] if s == "dynamodb"])
            yield figure(BENCH, f"queue_{label}_ms", sorted(timings)[len(timings) // 2], "ms", leads=size,
                         seed_seconds=round(seed_seconds, 1),
                         note="moto walks the whole partition per Query; DynamoDB reads only the page")


def _seed_leads_range(tenant_id: str, start: int, end: int) -> None:
    """Lead items put straight into moto's table (no HTTP, no botocore): 100 000 in seconds."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    from skailan.leads import store
    from skailan.platform.clock import iso
    from skailan.platform.settings import get_settings

    table = dynamodb_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].get_table(get_settings().leads_table)
    now = iso()
    for n in range(start, end):
        person_id = f"P{n:08d}"
        item = store.new_lead(tenant_id, person_id, now)
        item.name, item.email = f"Lead {n}", f"lead{n}@bench.local"
        item.person_created_at = f"2026-01-01T{(n // 3600) % 24:02d}:{(n // 60) % 60:02d}:{n % 60:02d}.000Z"
        if n % 3 == 1:  # a third worked, a tenth of those closed
            item.status = "completed" if n % 30 == 1 else "in_progress"
            item.last_note_at = f"2026-02-01T{(n // 3600) % 24:02d}:{(n // 60) % 60:02d}:{n % 60:02d}.000Z"
            item.last_note = {"id": f"N{n}", "text": "Llamada", "author": {"id": "op", "name": "Op"},
                              "created_at": item.last_note_at, "outcome": None}
            item.notes_count = 1
        store.place_in_queue(item)
        table.put_item(item.serialize())


def part_note() -> Iterator[dict[str, Any]]:
    from bench.channels import _count_calls, _in_moto

    _in_moto()
    from skailan.crm.people.models import PersonIn
    from skailan.crm.people.service import create_person
    from skailan.leads import flow
    from skailan.leads.models import LeadNoteIn
    from skailan.platform.auth import Caller

    operator = Caller(tenant_id="demo", principal_id="bench-operator", kind="user", name="Operador Bench",
                      role="operator", permissions=frozenset({"leads:edit"}))
    person = create_person(None, "demo", PersonIn(name="Bench Lead", email="bench.lead@bench.local"))
    flow.mirror_person("demo", person.id)
    calls = _count_calls()
    for label in ("first_note_reserves", "later_note"):
        start = len(calls)
        t0 = time.perf_counter()
        flow.add_note(operator, person.id, LeadNoteIn(text="Contestó, pide información"))
        elapsed = (time.perf_counter() - t0) * 1000
        made = [op for s, op in calls[start:] if s == "dynamodb"]
        yield figure(BENCH, f"note_add_{label}_dynamodb_requests", len(made), "requests", operations=made,
                     note="settings + lead reads, then ONE TransactWriteItems (note, lead, outbox events)")
        yield figure(BENCH, f"note_add_{label}_ms", elapsed, "ms")


WORKER_SIZES = tuple(int(n) for n in os.environ.get("LEADS_WORKER_BENCH_SIZES", "1000,10000").split(","))
WORKER_LISTS = 5


def _seed_people_range(tenant_id: str, start: int, end: int, ids: list[str]) -> None:
    """People and their leads put straight into moto's tables (what the CRM and the worker leave)."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    from skailan.crm.store.person_writes import new_person_item
    from skailan.leads import store
    from skailan.platform.clock import iso
    from skailan.platform.ids import new_id
    from skailan.platform.settings import get_settings

    backend = dynamodb_backends[DEFAULT_ACCOUNT_ID]["us-east-1"]
    contacts, leads = backend.get_table(get_settings().contacts_table), backend.get_table(get_settings().leads_table)
    now = iso()
    for n in range(start, end):
        person_id = new_id()
        person = new_person_item(tenant_id, person_id, f"Persona {n}", now)
        person.email = f"persona{n}@bench.local"
        person.version = 1
        contacts.put_item(person.serialize())
        lead = store.new_lead(tenant_id, person_id, now)
        lead.name, lead.email, lead.person_created_at = person.name, person.email, now
        store.place_in_queue(lead)
        leads.put_item(lead.serialize())
        ids.append(person_id)


def _rename(tenant_id: str, person_ids: list[str], suffix: str) -> None:
    """A changed name on each person (straight into moto: what an update leaves), for the events."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    from skailan.crm.store.person_reads import batch_people
    from skailan.platform.settings import get_settings

    contacts = dynamodb_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].get_table(get_settings().contacts_table)
    for person in batch_people(tenant_id, person_ids).values():
        person.name = f"{person.name.split(' #')[0]} #{suffix}"
        contacts.put_item(person.serialize())


def part_worker() -> Iterator[dict[str, Any]]:
    from bench.channels import _count_calls, _in_moto

    _in_moto()
    from skailan.crm.audiences.lists import add_members, create_list
    from skailan.crm.audiences.models import ListIn
    from skailan.crm.people.models import PersonIn
    from skailan.crm.people.service import create_person
    from skailan.leads import worker
    from skailan.platform.events import DomainEvent

    tenant = "acme"
    lists = [create_list(None, tenant, ListIn(name=f"Lista bench {n}")).id for n in range(WORKER_LISTS)]
    ids: list[str] = []
    calls = _count_calls()

    def event(type_: str, entity_id: str | None, **data: Any) -> DomainEvent:
        return DomainEvent(tenant_id=tenant, source="skailan.crm", type=type_, entity_type="contact",
                           entity_id=entity_id, data=data)

    for round_, size in enumerate(WORKER_SIZES, 1):
        started = time.perf_counter()
        _seed_people_range(tenant, len(ids), size, ids)
        for n, list_id in enumerate(lists):  # some people in every list (their lead copies the lists)
            add_members(None, tenant, list_id, ids[n * 100:(n + 1) * 100], timeline=False)
        seed_seconds = time.perf_counter() - started
        step = max(1, len(ids) // 400)
        sample = ids[::step][:400]  # spread over the whole brand
        made = [create_person(None, tenant, PersonIn(name=f"Nueva {size} {n}", email=f"nueva{size}.{n}@bench.local")).id
                for n in range(20)]
        _rename(tenant, sample, str(round_))
        mixes: dict[str, list[DomainEvent]] = {
            "contact_created": [event("contact.created", p) for p in made],
            "contact_updated": [event("contact.updated", p, changed=["name"]) for p in sample[:20]],
            "contact_imported_50": [event("contact.imported", None, created=[], updated=sample[20 + k * 50:70 + k * 50])
                                    for k in range(4)],
            "list_members_added_100": [DomainEvent(tenant_id=tenant, source="skailan.crm", type="list.members_added",
                                                   entity_type="list", entity_id=lists[k],
                                                   data={"person_ids": sample[220 + k * 100:320 + k * 100]})
                                       for k in range(1)],
        }
        total_events = total_people = total_requests = 0
        total_seconds = total_cpu = 0.0
        for label, events in mixes.items():
            start = len(calls)
            t0, cpu0 = time.perf_counter(), time.process_time()
            people = 0
            for item in events:
                people += len(worker.on_event(item))
            seconds, cpu = time.perf_counter() - t0, time.process_time() - cpu0
            requests = sum(1 for s, _ in calls[start:] if s == "dynamodb")
            total_events, total_people = total_events + len(events), total_people + people
            total_requests, total_seconds, total_cpu = total_requests + requests, total_seconds + seconds, total_cpu + cpu
            ops = sorted({op for s, op in calls[start:] if s == "dynamodb"})
            yield figure(BENCH, f"worker_{label}_dynamodb_requests_per_event", requests / len(events), "requests",
                         people=size, people_per_event=people / len(events), operations=ops)
            yield figure(BENCH, f"worker_{label}_people_per_s", people / seconds, "people/s", people=size,
                         cpu_ms_per_person=round(cpu * 1000 / people, 1))
        yield figure(BENCH, "worker_events_per_s", total_events / total_seconds, "events/s", people=size,
                     events=total_events, seed_seconds=round(seed_seconds, 1),
                     cpu_ms_per_event=round(total_cpu * 1000 / total_events, 1),
                     note="worker and moto in one process: CPU time is moto's (de)serialization mostly; wall "
                          "time follows the machine's load")
        yield figure(BENCH, "worker_dynamodb_requests_per_person", total_requests / total_people, "requests",
                     people=size, mirrored=total_people)
        yield from _flow_change(tenant, [lists[0]], size, calls)
        yield from _flow_change(tenant, [], size, calls)


def _flow_change(tenant: str, list_ids: list[str], size: int, calls: list[tuple[str, str]]) -> Iterator[dict[str, Any]]:
    """A change of the flow's lists: the one event whose cost follows the brand (every lead's
    membership again: a Query of the brand's leads, the ones that move 100 per transaction)."""
    from skailan.leads import store, worker
    from skailan.platform.clock import iso
    from skailan.platform.events import DomainEvent

    data = store.get_settings_data(tenant) or {}
    store.save_settings_data(tenant, {**data, "list_ids": list_ids}, iso(), [])
    start = len(calls)
    t0, cpu0 = time.perf_counter(), time.process_time()
    moved = worker.on_event(DomainEvent(tenant_id=tenant, source="skailan.leads", type="lead_settings.updated",
                                        data={"flow_changed": True}))["changed"]
    seconds, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    label = "narrowed_to_a_list" if list_ids else "every_person"
    yield figure(BENCH, f"worker_flow_change_{label}_dynamodb_requests", sum(1 for s, _ in calls[start:] if s == "dynamodb"),
                 "requests", people=size, leads_moved=moved, seconds=round(seconds, 1), cpu_s=round(cpu, 1),
                 note="O(leads) by design: a Query page per 500 leads + a transaction per 100 that move")


PARTS = {"queue": part_queue, "note": part_note, "worker": part_worker}


def run() -> Iterator[dict[str, Any]]:
    for name in PARTS:
        out = subprocess.run([sys.executable, "-m", "bench.leads", name], cwd=ROOT, env=child_env(),
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
