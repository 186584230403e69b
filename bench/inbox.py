"""Inbox costs in DynamoDB requests and items read (not time): what AWS bills and what must not
grow with the brand.

- One auto-assignment decision with 10, 100 and 1 000 online agents (flat: one page of the
  `ready` index, whatever the number of agents).
- One filtered list page (an agent's "mine + unassigned", a supervisor's open high-priority
  WhatsApp view, "unanswered for 1 h") and one search, at 10 000 and at 100 000 conversations.

Everything runs in process against moto (`mock_aws`) with the tables built from template.yaml;
conversations and their search keys are written through the inbox's own item builders in
batches (fast), then read through the same code the API runs. Requests are counted at
pynamodb's connection, items read from each response (`ScannedCount`, items returned).
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from bench.common import figure

BENCH = "inbox"
TENANT = "bench"
ACCOUNTS = (("whatsapp", "bench-whatsapp", 0.6), ("telegram", "bench-telegram", 0.2),
            ("messenger", "bench-messenger", 0.2))
FIRST = ("María", "José", "Ana", "Luis", "Carmen", "Jorge", "Lucía", "Pedro", "Sofía", "Andrés", "Valentina",
         "Camilo", "Daniela", "Felipe", "Laura", "Mateo")
LAST = ("González", "Rodríguez", "Gómez", "Martínez", "Pérez", "López", "Díaz", "Torres", "Ramírez", "Ruiz",
        "Vargas", "Castro", "Moreno", "Rojas", "Ortiz", "Herrera")


class Meter:
    """Counts DynamoDB requests and items read, per operation."""

    def __init__(self) -> None:
        self.requests = 0
        self.items = 0
        self.by_operation: dict[str, int] = {}

    def reset(self) -> None:
        self.requests = self.items = 0
        self.by_operation = {}


METER = Meter()


@contextmanager
def metered() -> Iterator[Meter]:
    from pynamodb.connection.base import Connection

    original = Connection._make_api_call

    def counting(self: Any, operation_name: str, operation_kwargs: dict[str, Any]) -> dict[str, Any]:
        response = original(self, operation_name, operation_kwargs)
        METER.requests += 1
        METER.by_operation[operation_name] = METER.by_operation.get(operation_name, 0) + 1
        if operation_name in ("Query", "Scan"):
            METER.items += int(response.get("ScannedCount", 0))
        elif operation_name == "GetItem":
            METER.items += 1 if response.get("Item") else 0
        elif operation_name == "BatchGetItem":
            METER.items += sum(len(v) for v in response.get("Responses", {}).values())
        elif operation_name == "TransactGetItems":
            METER.items += len(response.get("Responses", []))
        return response

    Connection._make_api_call = counting  # type: ignore[method-assign]
    try:
        yield METER
    finally:
        Connection._make_api_call = original  # type: ignore[method-assign]


def _environment() -> None:
    os.environ.update(AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench", AWS_DEFAULT_REGION="us-east-1",
                      POWERTOOLS_TRACE_DISABLED="true", STAGE="local", POWERTOOLS_LOG_LEVEL="ERROR")
    os.environ.pop("AWS_ENDPOINT_URL", None)


def _caller(user_id: str, *, supervisor: bool = False) -> Any:
    from skailan.platform.auth import Caller

    permission = "conversations:manage" if supervisor else "conversations:edit"
    return Caller(tenant_id=TENANT, principal_id=user_id, kind="user", permissions=frozenset({permission}))


# ---------------------------------------------------------------- assignment


def _agents(count: int, account_id: str, tenant: str = TENANT) -> None:
    from skailan.conversations.store.inbox_items import AgentItem, TeamItem, agents_pk, ready_pk, teams_pk
    from skailan.platform.clock import iso

    now = iso()
    with AgentItem.batch_write() as batch:
        for n in range(count):
            batch.save(AgentItem(agents_pk(tenant), f"A#agent-{count}-{n}", tenant_id=tenant, user_id=f"agent-{count}-{n}",
                                 name=f"Agent {n}", status="online", status_at=now, load=0, capacity=100_000,
                                 ready_pk=ready_pk(tenant)))
    TeamItem(teams_pk(tenant), f"M#team-{count}", tenant_id=tenant, team_id=f"team-{count}", name=f"Team {count}",
             members={f"agent-{count}-{n}" for n in range(count)}, channel_accounts={account_id}).save()


def _new_conversation(n: int, account_id: str, channel: str, *, status: str = "open",
                      assignee: str | None = None, tenant: str = TENANT, **extra: Any) -> Any:
    from skailan.conversations.store import state
    from skailan.conversations.store.items import ConversationItem, conversation_pk

    conversation_id = f"c{n:08d}"
    activity = f"2026-01-01T{(n // 3600) % 24:02d}:{(n // 60) % 60:02d}:{n % 60:02d}.000Z"
    item = ConversationItem(conversation_pk(tenant, conversation_id), "C", tenant_id=tenant,
                            conversation_id=conversation_id, channel=channel, account_id=account_id,
                            person_id=f"p{n}", status=status, last_activity_at=activity, assignee=assignee,
                            gsi2pk=f"T#{tenant}#INBOX", gsi2sk=f"{activity}#{conversation_id}", **extra)
    item.gsi1sk = f"{activity}#{conversation_id}"
    for name, value in state.view_values(item, {}).items():
        setattr(item, name, value)
    return item


def assignment_figures(agent_counts: tuple[int, ...] = (10, 100, 1000), decisions: int = 20) -> Iterator[dict[str, Any]]:
    from skailan.conversations.inbox import assignment
    from skailan.conversations.store.items import ConversationItem

    for count in agent_counts:
        # A brand of its own per size: `count` online agents, one team serving the account.
        tenant = f"{TENANT}-agents-{count}"
        account_id = f"bench-assign-{count}"
        _agents(count, account_id, tenant)
        ids = []
        with ConversationItem.batch_write() as batch:
            for n in range(decisions):
                item = _new_conversation(count * 1_000_000 + n, account_id, "whatsapp", tenant=tenant)
                batch.save(item)
                ids.append(item.conversation_id)
        METER.reset()
        assigned = sum(1 for cid in ids if assignment.assign_automatically(tenant, cid).assignee)
        yield figure(BENCH, f"assignment.dynamodb_requests_per_decision.agents_{count}", METER.requests / decisions,
                     "requests", agents=count, decisions=decisions, assigned=assigned,
                     by_operation={k: round(v / decisions, 2) for k, v in sorted(METER.by_operation.items())})
        yield figure(BENCH, f"assignment.items_read_per_decision.agents_{count}", METER.items / decisions, "items",
                     agents=count, note="one page of the ready index (online agents by load)")


# ---------------------------------------------------------------- list and search


def _populate(start: int, stop: int, rng: random.Random) -> None:
    from skailan.conversations.store import search_index as search
    from skailan.conversations.store.inbox_items import SearchKeyItem
    from skailan.conversations.store.items import ConversationItem

    agents = [f"agent-{n}" for n in range(20)]
    conversations: list[Any] = []
    keys: list[Any] = []
    for n in range(start, stop):
        roll = rng.random()
        channel, account_id = next((c, a) for c, a, share in _cumulative() if roll <= share)
        status = "open" if rng.random() < 0.3 else "closed"
        assignee = rng.choice(agents) if status == "open" and rng.random() < 0.5 else None
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        extra: dict[str, Any] = {"contact": {"name": name}}
        if rng.random() < 0.1:
            extra["priority"] = "high"
        if rng.random() < 0.05:
            extra["tags"] = {"vip"}
        if status == "closed":
            extra["last_assignee"] = rng.choice(agents)
        elif rng.random() < 0.4:
            extra["waiting_since"] = f"2026-01-01T{rng.randrange(24):02d}:00:00.000Z"
        if status == "open" and not assignee and rng.random() < 0.5:
            extra["queued_at"] = "2026-01-01T00:00:00.000Z"
        item = _new_conversation(n, account_id, channel, status=status, assignee=assignee, **extra)
        conversations.append(item)
        keys += search._items(TENANT, item.conversation_id, "name", search.contact_keys({"name": name})["name"])
    _bulk_put(ConversationItem, conversations)
    _bulk_put(SearchKeyItem, keys)


def _bulk_put(model: Any, items: list[Any]) -> None:
    """Load items straight into moto's table (the items are built by the inbox's own code; only
    the HTTP round trip of a BatchWriteItem per 25 items is skipped — loading is not measured)."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    backend = dynamodb_backends[DEFAULT_ACCOUNT_ID]["us-east-1"]
    table = model.Meta.table_name
    for item in items:
        backend.put_item(table, item.serialize())


def _cumulative() -> list[tuple[str, str, float]]:
    total, out = 0.0, []
    for channel, account_id, share in ACCOUNTS:
        total += share
        out.append((channel, account_id, total))
    out[-1] = (out[-1][0], out[-1][1], 1.0)
    return out


def _measure(name: str, size: int, fn: Callable[[], Any]) -> Iterator[dict[str, Any]]:
    METER.reset()
    result = fn()
    yield figure(BENCH, f"{name}.dynamodb_requests.conversations_{size}", METER.requests, "requests",
                 conversations=size, returned=len(result.items))
    yield figure(BENCH, f"{name}.items_read.conversations_{size}", METER.items, "items", conversations=size)


def list_and_search_figures(sizes: tuple[int, ...] = (10_000, 100_000)) -> Iterator[dict[str, Any]]:
    from skailan.conversations.domain.filters import Filters
    from skailan.conversations.query.listing import list_conversations

    rng = random.Random(7)
    written = 0
    agent = _caller("agent-3")
    supervisor = _caller("supervisor", supervisor=True)
    views = {
        "list.agent_mine_and_unassigned_open": (agent, Filters.parse(status="open")),
        "list.supervisor_open_high_priority_whatsapp": (supervisor, Filters.parse(status="open", priority="high",
                                                                                   channel="whatsapp")),
        "list.supervisor_unanswered_for_1h": (supervisor, Filters.parse(unanswered_for="1h")),
        "list.supervisor_vip_tag_open": (supervisor, Filters.parse(status="open", tags="vip")),
        "search.name_prefix": (supervisor, Filters.parse(q="maria gon")),
    }
    for size in sizes:
        _populate(written, size, rng)
        written = size
        for name, (caller, filters) in views.items():
            yield from _measure(name, size, lambda c=caller, f=filters: list_conversations(c, f, cursor=None, limit=25))


def run() -> Iterator[dict[str, Any]]:
    _environment()
    from moto import mock_aws

    with mock_aws():
        from skailan.platform.aws import reset_clients
        from skailan.platform.settings import get_settings
        from tests.provisioning import provision_for_tests

        os.environ.update(provision_for_tests())
        get_settings.cache_clear()
        reset_clients()
        with metered():
            yield from assignment_figures()
            yield from list_and_search_figures()
