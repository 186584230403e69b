"""Analytics figures (`make bench` / `python -m bench analytics`), in process against moto:

- `summary_*` and `report_90d_*`: DynamoDB requests and time of `GET /v1/dashboard/summary` and of
  a 90-day conversation report grouped by agent (business hours), for a brand of 10 000 and of
  1 000 000 conversations. The counters are built as the worker would have left them (90 days,
  50 agents, first-response and resolution durations drawn from a log-normal, one observation
  per conversation each): reports read counters, never conversations, so what grows is the
  number of distinct durations a day holds, not the conversations. The report's requests are
  counted at DynamoDB's 1 MB pages from the items' sizes (moto answers any size in one page); at
  1 000 000 the report runs over the counters in memory (moto needs tens of minutes to store
  them), so its time is the report's own work without DynamoDB's.
- `worker_*`: events per second and DynamoDB requests per event of the analytics worker over
  conversations of 4 events (opened, customer message, human reply, close).

moto is far slower per request than DynamoDB: the request counts are the portable figure.
"""

from __future__ import annotations

import json
import math
import random
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from bench.common import ROOT, child_env, figure

BENCH = "analytics"
AGENTS = 50
DAYS = 90


def _counter_items(tenant: str, conversations: int, first_day: date) -> list[dict[str, Any]]:
    """Day items for `all` and per agent, as the worker writes them, for `conversations` spread
    over DAYS days: one first response and one resolution each, with business-hours variants."""
    from skailan.analytics import store

    rng = random.Random(conversations)
    per_day = conversations // DAYS
    items: list[dict[str, Any]] = []
    for offset in range(DAYS):
        day = (first_day + timedelta(days=offset)).isoformat()
        for metric, mu in (("first_response", math.log(90)), ("resolution", math.log(1800))):
            groups: dict[str, Counter[int]] = defaultdict(Counter)
            in_hours: dict[str, Counter[int]] = defaultdict(Counter)
            for _ in range(per_day):
                seconds = int(rng.lognormvariate(mu, 1.2))
                bh = int(seconds * rng.random())
                agent = f"agent-{rng.randrange(AGENTS)}"
                for key in (store.ALL, agent):
                    groups[key][seconds] += 1
                    in_hours[key][bh] += 1
            for key, histogram in groups.items():
                by = "all" if key == store.ALL else "agent"
                values = {"n": sum(histogram.values()), "s": sum(v * c for v, c in histogram.items()),
                          "bs": sum(v * c for v, c in in_hours[key].items()),
                          **{f"v{v}": c for v, c in histogram.items()}, **{f"b{v}": c for v, c in in_hours[key].items()}}
                items.append({**store.day_key(tenant, by, day, metric, key),
                              **{k: {"N": str(v)} for k, v in values.items()}})
    return items


def _write(items: list[dict[str, Any]]) -> None:
    from skailan.platform.aws import client
    from skailan.platform.settings import get_settings

    table, dynamodb = get_settings().analytics_table, client("dynamodb")
    for start in range(0, len(items), 25):
        request: dict[str, Any] = {table: [{"PutRequest": {"Item": item}} for item in items[start:start + 25]]}
        while request:
            request = dynamodb.batch_write_item(RequestItems=request).get("UnprocessedItems") or {}


def _seed_gauges(tenant: str, conversations: int) -> None:
    from skailan.analytics import store
    from skailan.platform.aws import client
    from skailan.platform.settings import get_settings

    table, dynamodb = get_settings().analytics_table, client("dynamodb")
    dynamodb.put_item(TableName=table, Item={**store.gauges_key(tenant), "open": {"N": str(conversations // 20)},
                                             "unassigned": {"N": str(conversations // 200)}})
    for n in range(50):  # a queue of unassigned conversations, oldest first
        dynamodb.put_item(TableName=table, Item=store.unassigned_key(tenant, f"2026-01-01T00:{n:02d}:00.000Z", f"c{n}"))


def _item_bytes(item: dict[str, Any]) -> int:
    """DynamoDB's item size: attribute names plus values (numbers ~ 1 byte per 2 digits + 1)."""
    size = 0
    for name, typed in item.items():
        ((kind, value),) = typed.items()
        size += len(name.encode()) + (len(value.lstrip("-")) // 2 + 1 if kind == "N" else len(str(value).encode()))
    return size


def _pages(items: list[dict[str, Any]]) -> tuple[int, int]:
    """(bytes, requests) DynamoDB needs for the report's two Queries (`all`, `agent`): a page
    stops at 1 MB, which moto does not apply."""
    sizes: dict[str, int] = defaultdict(int)
    for item in items:
        sizes[item["pk"]["S"]] += _item_bytes(item)
    return sum(sizes.values()), sum(max(1, math.ceil(size / 1_000_000)) for size in sizes.values())


def _measure(calls: list[tuple[str, str]], action: Any) -> tuple[int, float, Any]:
    start, started = len(calls), time.perf_counter()
    result = action()
    return sum(1 for s, _ in calls[start:] if s == "dynamodb"), time.perf_counter() - started, result


def part_reads(conversations: int) -> Iterator[dict[str, Any]]:
    from bench.channels import _count_calls, _in_moto

    _in_moto()
    from skailan.analytics import brands, facts, reports, store
    from skailan.platform.clock import iso

    tenant = "demo"
    today = date.fromisoformat(facts.local_day(iso(), brands.brand_of(tenant).time_zone))
    first = today - timedelta(days=DAYS - 1)
    items = _counter_items(tenant, conversations, first)
    _seed_gauges(tenant, conversations)
    calls = _count_calls()
    reports.summary(tenant)  # warm: brand and inbox settings cached like a warm container's
    requests, seconds, out = _measure(calls, lambda: reports.summary(tenant))
    yield figure(BENCH, "summary_dynamodb_requests", requests, "requests", conversations=conversations,
                 open=out.conversations.open)
    yield figure(BENCH, "summary_seconds", seconds, "s", conversations=conversations, where="moto in process")
    read, pages = _pages(items)
    yield figure(BENCH, "report_90d_by_agent_dynamodb_requests", pages, "requests", conversations=conversations,
                 bytes_read=read, items=len(items), note="Queries at DynamoDB's 1 MB pages, from the counters' sizes")

    def run_report() -> Any:
        return reports.conversations(tenant, start=first.isoformat(), end=today.isoformat(), group_by="agent",
                                     business_hours=True)

    if conversations <= 100_000:  # moto stores big items slowly: the large brand is computed in memory
        _write(items)
        moto_requests, seconds, out = _measure(calls, run_report)
        where = "moto in process (serialising the response dominates)"
    else:
        by_pk: dict[str, list[tuple[str, str, str, dict[str, Any]]]] = defaultdict(list)
        for item in items:
            plain = store._plain(item)
            day, metric, value = str(plain["sk"]).split("#", 2)
            by_pk[item["pk"]["S"]].append((day, metric, value, plain))
        real = store.query_days
        store.query_days = lambda t, by, lo, hi: iter(by_pk[store.day_pk(t, by)])  # type: ignore[assignment]
        try:
            moto_requests, seconds, out = _measure(calls, run_report)
        finally:
            store.query_days = real  # type: ignore[assignment]
        where = "the report's own work over the counters, DynamoDB time excluded"
    assert out.totals.first_response.count == (conversations // DAYS) * DAYS
    yield figure(BENCH, "report_90d_by_agent_seconds", seconds, "s", conversations=conversations, where=where,
                 groups=len(out.groups), p50=out.totals.first_response.p50, p90=out.totals.first_response.p90,
                 moto_requests=moto_requests)


def part_worker() -> Iterator[dict[str, Any]]:
    from bench.channels import _count_calls, _in_moto

    _in_moto()
    from skailan.analytics import worker
    from skailan.platform.events import Actor, DomainEvent

    def events(n: int) -> list[DomainEvent]:
        out = []
        for c in range(n):
            base = {"conversation_id": f"bench-{c}", "channel": "whatsapp"}
            minute = f"2026-11-02T14:{c % 60:02d}"
            out += [
                DomainEvent(tenant_id="demo", source=worker.CONVERSATIONS, type="conversation.created",
                            occurred_at=f"{minute}:00.000Z", data={**base, "message_id": f"m{c}", "person_id": "p"}),
                DomainEvent(tenant_id="demo", source=worker.CONVERSATIONS, type="message.received",
                            occurred_at=f"{minute}:00.000Z", actor=Actor(kind="customer", id="p"),
                            data={**base, "message_id": f"m{c}", "person_id": "p"}),
                DomainEvent(tenant_id="demo", source=worker.CONVERSATIONS, type="message.queued",
                            occurred_at=f"{minute}:40.000Z", actor=Actor(kind="user", id=f"agent-{c % 5}"),
                            data={**base, "message_id": f"r{c}"}),
                DomainEvent(tenant_id="demo", source=worker.CONVERSATIONS, type="conversation.closed",
                            occurred_at=f"{minute}:59.000Z",
                            data={**base, "reason_id": "resolved", "assignee": f"agent-{c % 5}"}),
            ]
        return out

    for event in events(3):  # warm: brand cached, clients built
        worker.apply(event.model_copy(update={"id": event.id + "w"}))
    batch = events(100)
    calls = _count_calls()
    started = time.perf_counter()
    for event in batch:
        worker.apply(event)
    seconds = time.perf_counter() - started
    requests = sum(1 for s, _ in calls if s == "dynamodb")
    operations = Counter(op for s, op in calls if s == "dynamodb")
    yield figure(BENCH, "worker_events_per_second", len(batch) / seconds, "events/s", where="moto in process")
    yield figure(BENCH, "worker_dynamodb_requests_per_event", requests / len(batch), "requests",
                 operations=dict(operations))


PARTS: dict[str, Any] = {"summary_and_report_10k": lambda: part_reads(10_000),
                         "summary_and_report_1m": lambda: part_reads(1_000_000), "worker": part_worker}


def run() -> Iterator[dict[str, Any]]:
    for name in PARTS:
        out = subprocess.run([sys.executable, "-m", "bench.analytics", name], cwd=ROOT, env=child_env(),
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
