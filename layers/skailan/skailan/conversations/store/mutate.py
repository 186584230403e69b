"""Every change the inbox makes to a conversation goes through `mutate`: one TransactWrite.

The transaction holds, together:
- the conversation update — the requested attributes, the index keys that follow from them,
  `inbox_rev + 1` under `inbox_rev = <read value>` (optimistic lock of the inbox's own writes;
  the channels' message appends do not touch it, so they never conflict) and the action's own
  condition (e.g. `attribute_not_exists(assignee)` to take);
- the agents' load counters — `ADD load 1` under `load < capacity` (and `status = online` for
  automatic assignment) for the new holder, `ADD load -1` for the previous one;
- one history entry per domain event.
- the events' outbox items (`skailan.platform.outbox`), last.
So there is never a second holder, never a holder over capacity, never a load counter that
disagrees with the conversations, never an action missing from the history, and never a change
whose events are lost (or an error answered after the change stood because the bus failed).

`decide(item)` looks at the freshly read conversation and returns a `Plan` (or None: nothing to
do), or raises a domain error (409 naming the holder…). When the conversation changed between
read and write the whole thing is decided again on the new state.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.condition import Condition

from skailan.conversations.inbox_events import add_to
from skailan.conversations.store import history, state, timers
from skailan.conversations.store.inbox_items import AgentItem, agent_sk, agents_pk
from skailan.conversations.store.items import ConversationItem
from skailan.platform.cancellation import cancellation_reasons, condition_failed, conflict_pause, contended
from skailan.platform.clock import iso
from skailan.platform.errors import Conflict
from skailan.platform.events import DomainEvent
from skailan.platform.storage import transaction

MAX_ATTEMPTS = 10


class CapacityExceeded(Exception):
    """The new holder is full (or not online, for automatic assignment)."""

    def __init__(self, user_id: str) -> None:
        super().__init__(user_id)
        self.user_id = user_id


@dataclass
class Plan:
    changes: dict[str, Any] = field(default_factory=dict)
    condition: Condition | None = None
    # user id → capacity: ADD load 1 under load < capacity (None: no capacity check).
    claim: dict[str, int | None] = field(default_factory=dict)
    require_online: bool = False
    release: list[str] = field(default_factory=list)  # user ids: ADD load -1
    events: list[DomainEvent] = field(default_factory=list)
    history: bool = True
    # (kind, ref) of timers the change ends (a close ends the conversation's waits): deleted in the
    # same transaction, so none fires on a conversation that is no longer in its state.
    cancel_timers: list[tuple[str, str]] = field(default_factory=list)


def _agent_key(tenant_id: str, user_id: str) -> AgentItem:
    return AgentItem(agents_pk(tenant_id), agent_sk(user_id))


def _commit(item: ConversationItem, plan: Plan) -> None:
    tenant_id = item.tenant_id
    condition = state.rev_condition(item)
    if plan.condition is not None:
        condition = condition & plan.condition
    now = iso()
    with transaction() as tx:
        for kind, ref in plan.cancel_timers:
            tx.delete(timers.timer_key(tenant_id, kind, ref))  # absent is fine: a Delete needs no item
        if plan.history:
            for event in plan.events:
                tx.save(history.entry_for(event, item.conversation_id))
        tx.update(state.key(tenant_id, item.conversation_id), actions=state.actions_for(item, plan.changes),
                  condition=condition)
        for user_id, capacity in plan.claim.items():
            agent_condition: Condition = AgentItem.pk.exists()
            if capacity is not None:
                agent_condition &= AgentItem.load.does_not_exist() | (AgentItem.load < capacity)
            if plan.require_online:
                agent_condition &= AgentItem.status == "online"
            tx.update(_agent_key(tenant_id, user_id),
                      actions=[AgentItem.load.add(1), AgentItem.last_assigned_at.set(now)],
                      condition=agent_condition)
        for user_id in plan.release:
            tx.update(_agent_key(tenant_id, user_id), actions=[AgentItem.load.add(-1)],
                      condition=AgentItem.pk.exists())
        add_to(tx, plan.events)  # last: the reasons above are read by position


def mutate(tenant_id: str, conversation_id: str, decide: Callable[[ConversationItem], Plan | None], *,
           item: ConversationItem | None = None) -> tuple[ConversationItem, Plan | None]:
    """Decide on the current conversation and write the plan atomically; returns (item read, plan)."""
    for attempt in range(MAX_ATTEMPTS):
        if item is None:
            item = state.load(tenant_id, conversation_id)
        plan = decide(item)
        if plan is None:
            return item, None
        try:
            _commit(item, plan)
        except TransactWriteError as err:
            # pynamodb sends deletes, then puts, then updates: the conversation's update follows them.
            offset = len(plan.cancel_timers) + (len(plan.events) if plan.history else 0)
            conversation_failed = condition_failed(err, offset)
            for index, user_id in enumerate(plan.claim):
                if not conversation_failed and condition_failed(err, offset + 1 + index):
                    raise CapacityExceeded(user_id) from err
            if not contended(cancellation_reasons(err)):
                raise
            # The conversation (or a counter) changed under us: decide again on fresh state.
            conflict_pause(attempt)
            item = None
            continue
        return item, plan
    raise Conflict("La conversación cambió mientras la editabas; vuelve a intentarlo. / "
                   "The conversation changed while you edited it; try again.", code="concurrent_update")
