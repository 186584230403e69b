"""Domain events → analytics counters (the AnalyticsWorkerFunction calls `apply` per event).

Each event becomes ONE transaction: the event's seen marker (conditional: a redelivered event is
a `Duplicate` and changes nothing), the state items it changes (conditional on their version:
a concurrent change means read again and retry) and the counter ADDs. Conversation timings are
facts of the conversation's marks (`facts.conversation_facts`): out-of-order events are fine,
the counters are corrected by the difference between the facts counted before and after.
Gauges (open, unassigned, agents online, overdue tasks) follow the newest event per entity.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from skailan.analytics import credits, exports, kam, store, usage
from skailan.analytics import facts as F
from skailan.analytics.brands import Brand, brand_of
from skailan.analytics.store import ALL, Changes
from skailan.platform.clock import iso, parse_iso
from skailan.platform.events import DomainEvent
from skailan.platform.observability import logger

CONVERSATIONS = "skailan.conversations"
INBOX = "skailan.inbox"
CRM = "skailan.crm"
CAMPAIGNS = "skailan.campaigns"
CAMPAIGN_SENT = "campaign_recipient.sent"
# A campaign runs from started / resumed to paused / cancelled / completed (the newest decides).
CAMPAIGN_RUNNING = frozenset({"campaign.started", "campaign.resumed"})
CAMPAIGN_STOPPED = frozenset({"campaign.paused", "campaign.cancelled", "campaign.completed"})
CAMPAIGN_NPS_WINDOW = timedelta(hours=72)  # how long a campaign's NPS question waits for its reply
NPS_ANSWERED = "conversation.nps_answered"

# What the analytics rule routes here (template.yaml AnalyticsRule; contract-tested).
TYPES: dict[str, frozenset[str]] = {
    CONVERSATIONS: frozenset({
        "conversation.created", "conversation.reopened", "message.received", "message.queued", "message.failed",
        "conversation.handoff_requested", "conversation.closed", "conversation.assigned", "conversation.taken",
        "conversation.transferred", "conversation.unassigned", "conversation.rated", NPS_ANSWERED,
    }),
    INBOX: frozenset({"agent.presence_changed"}),
    CRM: frozenset({"contact.created", "deal.won", "task.overdue", "task.completed", "task.reopened", "task.deleted",
                    # key accounts (analytics.kam)
                    "contact.updated", "business.created", "business.updated", "business.deleted",
                    "business.person_linked", "business.person_unlinked"}),
    # campaign sends (usage, WhatsApp credits) and the dashboard's running campaigns
    CAMPAIGNS: frozenset({CAMPAIGN_SENT, *CAMPAIGN_RUNNING, *CAMPAIGN_STOPPED}),
}
HOLDER_TYPES = frozenset({"conversation.assigned", "conversation.taken", "conversation.transferred",
                          "conversation.unassigned"})
GROUPINGS = ("agent", "team", "channel", "close_reason")
MONTHLY = frozenset({"deals_won", "leads_captured", "messages_in", "messages_out"})
class Counters:
    """Counter deltas of one event, by day and grouping (and month for the dashboard)."""

    def __init__(self, changes: Changes, brand: Brand) -> None:
        self.changes, self.brand = changes, brand

    def count(self, metric: str, at: str, dims: dict[str, str | None], *, sign: int = 1, value: float | None = None,
              seconds: int | None = None, bh_seconds: int | None = None, bucket: int | None = None) -> None:
        tenant = self.changes.tenant_id
        day = F.local_day(at, self.brand.time_zone)
        pairs = [("all", ALL)] + [(by, v) for by, v in dims.items() if v]
        for by, dim_value in pairs:
            key = store.day_key(tenant, by, day, metric, dim_value)
            self.changes.add(key, "n", sign)
            if value is not None:
                self.changes.add(key, "s", sign * value)
            if seconds is not None:
                self.changes.add(key, "s", sign * seconds)
                self.changes.add(key, f"v{seconds}", sign)
            if bh_seconds is not None:
                self.changes.add(key, "bs", sign * bh_seconds)
                self.changes.add(key, f"b{bh_seconds}", sign)
            if bucket is not None:
                self.changes.add(key, f"v{bucket}", sign)
        if metric in MONTHLY:  # the dashboard's "today" and "this month": one small item each
            for period in (day[:7], day):
                key = store.month_key(tenant, period, metric)
                self.changes.add(key, "n", sign)
                if value is not None:
                    self.changes.add(key, "s", sign * value)

    def fact(self, fact: F.Fact, sign: int) -> None:
        self.count(fact.metric, fact.at, dict(fact.dims), sign=sign, seconds=fact.seconds, bh_seconds=fact.bh_seconds)


def apply(event: DomainEvent, *, attempts: int = 8) -> str:
    """Count one event exactly once: 'counted', 'duplicate' or 'ignored'."""
    if event.type not in TYPES.get(event.source, frozenset()):
        return "ignored"
    for attempt in range(attempts):
        changes = Changes(event.tenant_id, event.id)
        _plan(event, changes, brand_of(event.tenant_id))
        try:
            store.commit(changes)
            return "counted"
        except store.Duplicate:
            return "duplicate"
        except store.Conflict as err:
            if attempt == attempts - 1:
                raise
            logger.info("analytics conflict, retrying", reasons=str(err), event_id=event.id)
            time.sleep(min(0.5, 0.02 * 2 ** attempt))
    return "counted"  # not reached


def _plan(event: DomainEvent, changes: Changes, brand: Brand) -> None:
    handler = _HANDLERS.get(event.type)
    if handler:
        handler(event, changes, Counters(changes, brand))


# ---------------------------------------------------------------- conversations


def _conversation(event: DomainEvent, changes: Changes, counters: Counters,
                  change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    """Load the conversation's state, let `change` edit it, count the facts' difference."""
    tenant, data = event.tenant_id, event.data
    conversation_id = str(data.get("conversation_id") or event.entity_id or "")
    key = store.conversation_key(tenant, conversation_id)
    current = store.get_state(key)
    version = current.get("v") if current else None
    state = dict(current or {"marks": [], "facts": {}, "status": None, "status_at": "", "assignee": None,
                             "assignee_at": ""})
    state.pop("pk", None), state.pop("sk", None), state.pop("v", None)
    state["marks"] = list(state.get("marks") or [])
    if data.get("channel") and not state.get("channel"):
        state["channel"] = data["channel"]
    if data.get("person_id") and not state.get("person"):  # whose accounts a reply is an interaction of
        state["person"] = data["person_id"]
    before_open, before_unassigned, before_since = _gauges_of(state)
    change(state)
    csat_changed = bool(state.pop("csat_changed", False))
    state["marks"] = F.trim_marks(state["marks"])
    old = {k: F.Fact.from_dict(k, v) for k, v in dict(state.get("facts") or {}).items()}
    new = F.conversation_facts(state["marks"], channel=state.get("channel"), team=state.get("team"),
                               hours=counters.brand.hours)
    for key_, fact in old.items():
        if new.get(key_) != fact:
            counters.fact(fact, -1)
    for key_, fact in new.items():
        if old.get(key_) != fact:
            counters.fact(fact, +1)
    state["facts"] = {k: f.as_dict() for k, f in new.items()}
    exports.conversation_rows(changes, conversation_id, state, old, new, counters.brand.time_zone,
                              csat_changed=csat_changed)  # the daily fact export's rows (issue 16)
    after_open, after_unassigned, _ = _gauges_of(state)
    gauges = store.gauges_key(tenant)
    changes.add(gauges, "open", int(after_open) - int(before_open))
    changes.add(gauges, "unassigned", int(after_unassigned) - int(before_unassigned))
    # Waiting without an agent since the newer of (opened, lost its agent): the same whatever
    # order the events came in.
    since = max(state.get("status_at") or "", state.get("assignee_at") or "") if after_unassigned else None
    if since != before_since:
        if before_since:
            changes.delete(store.unassigned_key(tenant, before_since, conversation_id))
        if since:
            changes.put(store.unassigned_key(tenant, since, conversation_id), {"conversation_id": conversation_id})
        state["unassigned_since"] = since
    changes.state(key, state, version)
    return state


def _gauges_of(state: dict[str, Any]) -> tuple[bool, bool, str | None]:
    is_open = state.get("status") == "open"
    return is_open, is_open and not state.get("assignee"), state.get("unassigned_since")


def _set_status(state: dict[str, Any], status: str, at: str) -> None:
    if at >= (state.get("status_at") or ""):  # the newest event decides, whatever order they came in
        state["status"], state["status_at"] = status, at


def _set_holder(state: dict[str, Any], assignee: str | None, at: str) -> None:
    if at >= (state.get("assignee_at") or ""):
        state["assignee"], state["assignee_at"] = assignee, at


def _opened(event: DomainEvent, changes: Changes, counters: Counters) -> None:
    at = event.occurred_at

    def change(state: dict[str, Any]) -> None:
        state["marks"].append({"k": "o", "at": at, "msg": event.data.get("message_id"), "id": event.id})
        _set_status(state, "open", at)
        if event.type == "conversation.reopened":
            _set_holder(state, None, at)  # a re-opened conversation waits for an agent again

    _conversation(event, changes, counters, change)
    if event.type == "conversation.created":
        counters.count("conversations_created", at, {"channel": event.data.get("channel")})


def _received(event: DomainEvent, changes: Changes, counters: Counters) -> None:
    state = _conversation(event, changes, counters, lambda state: state["marks"].append(
        {"k": "c", "at": event.occurred_at, "msg": event.data.get("message_id")}))
    counters.count("messages_in", event.occurred_at, {"channel": event.data.get("channel")})
    _campaign_nps_answer(event, changes, counters)
    usage.count(changes, event, counters.brand.time_zone)  # per channel and month (issue 16)
    kam.on_interaction(changes, counters.brand.time_zone, state.get("person"), event.occurred_at)


def _queued(event: DomainEvent, changes: Changes, counters: Counters) -> None:
    human = event.actor.kind == "user"
    if human:  # bots, the system (CSAT, auto-replies) and integrations never count as a response
        state = _conversation(event, changes, counters, lambda state: state["marks"].append(
            {"k": "h", "at": event.occurred_at, "agent": event.actor.id}))
        kam.on_interaction(changes, counters.brand.time_zone, state.get("person"), event.occurred_at)
    counters.count("messages_out", event.occurred_at,
                   {"channel": event.data.get("channel"), "agent": event.actor.id if human else None})
    usage.count(changes, event, counters.brand.time_zone)  # per channel, sender, month; WhatsApp debit


def _campaign_sent(event: DomainEvent, changes: Changes, counters: Counters) -> None:
    """A campaign's message accepted by the provider: sent today, in usage (sender: the campaign)
    and, on WhatsApp, charged — once, in the event's own transaction like `message.queued`."""
    counters.count("messages_out", event.occurred_at, {"channel": event.data.get("channel")})
    usage.count_campaign(changes, event, counters.brand.time_zone)
    data = event.data
    if data.get("nps") and data.get("person_id"):  # the question waits for the person's reply
        key = store.nps_ask_key(event.tenant_id, str(data["person_id"]))
        current = store.get_state(key)
        if current is None or event.occurred_at >= str(current.get("asked_at") or ""):  # the newest ask
            until = iso(parse_iso(event.occurred_at) + CAMPAIGN_NPS_WINDOW)
            changes.state(key, {"campaign_id": data.get("campaign_id"), "channel": data.get("channel"),
                                "asked_at": event.occurred_at, "until": until},
                          current.get("v") if current else None)


def _campaign_nps_answer(event: DomainEvent, changes: Changes, counters: Counters) -> None:
    """A customer's bare 0–10 reply on the channel of a campaign's NPS question still waiting for
    it (asked before, within the window, not answered yet) is that question's answer: counted like
    `conversation.nps_answered` and recorded as `nps.answered` (source campaign), once."""
    from skailan.conversations.domain.policy import parse_nps

    data, at = event.data, event.occurred_at
    score = parse_nps(data.get("text")) if data.get("type") in (None, "text") else None
    if score is None or not data.get("person_id"):
        return  # no read for any other message
    key = store.nps_ask_key(event.tenant_id, str(data["person_id"]))
    ask = store.get_state(key)
    # Providers stamp messages in whole seconds: a reply in the second of the ask counts.
    if (not ask or ask.get("answered_at") or ask.get("channel") != data.get("channel")
            or not str(ask.get("asked_at") or "")[:19] <= at[:19] or at >= str(ask.get("until") or "")):
        return
    counters.count("nps", at, {"channel": data.get("channel")}, value=score, bucket=score)
    kam.on_nps(event, changes, counters.brand.time_zone, score, at)
    changes.state(key, {**{k: v for k, v in ask.items() if k not in ("pk", "sk", "v")}, "answered_at": at,
                        "score": score, "message_id": data.get("message_id")}, ask.get("v"))
    from skailan.analytics import catalogue
    from skailan.platform import outbox
    from skailan.platform.events import Actor

    answered = DomainEvent(
        id=credits._stable(event.tenant_id, catalogue.NPS_ANSWERED, event.id), tenant_id=event.tenant_id,
        source=catalogue.SOURCE, type=catalogue.NPS_ANSWERED, occurred_at=at,
        actor=Actor(kind="customer", id=str(data["person_id"])), entity_type="contact",
        entity_id=str(data["person_id"]),
        data={"source": "campaign", "campaign_id": str(ask.get("campaign_id") or ""),
              "person_id": str(data["person_id"]), "conversation_id": data.get("conversation_id"),
              "message_id": data.get("message_id"), "channel": str(data.get("channel") or ""), "score": score,
              "answered_at": at})
    changes.raw.append(outbox.operation(answered, store.table_name()))


def _campaign_state(event: DomainEvent, changes: Changes, counters: Counters) -> None:
    tenant, campaign_id = event.tenant_id, str(event.data.get("campaign_id") or event.entity_id or "")
    key = store.campaign_key(tenant, campaign_id)
    current = store.get_state(key) or {}
    before = running = bool(current.get("running"))
    at = str(current.get("at") or "")
    if event.occurred_at >= at:  # the newest event decides, whatever order they came in
        running, at = event.type in CAMPAIGN_RUNNING, event.occurred_at
    changes.add(store.gauges_key(tenant), "campaigns_running", int(running) - int(before))
    changes.state(key, {"running": running, "at": at}, current.get("v"))


def _failed(event: DomainEvent, changes: Changes, counters: Counters) -> None:
    if event.data.get("channel") == "whatsapp":  # never delivered: its WhatsApp debit is refunded
        from skailan.analytics import credits

        credits.plan_refund(changes, event)


def _handoff(event: DomainEvent, changes: Changes, counters: Counters) -> None:
    _conversation(event, changes, counters, lambda state: state["marks"].append({"k": "x", "at": event.occurred_at}))
    counters.count("handoffs", event.occurred_at, {"channel": event.data.get("channel")})


def _closed(event: DomainEvent, changes: Changes, counters: Counters) -> None:
    data, at = event.data, event.occurred_at

    def change(state: dict[str, Any]) -> None:
        state["marks"].append({"k": "z", "at": at, "agent": data.get("assignee"), "team": data.get("team_id"),
                               "reason": data.get("reason_id"), "rms": data.get("resolution_ms")})
        if data.get("team_id"):
            state["team"] = data["team_id"]
        _set_status(state, "closed", at)

    _conversation(event, changes, counters, change)
    if data.get("bot_handled"):
        counters.count("bot_handled", at, {"channel": data.get("channel")})


def _holder(event: DomainEvent, changes: Changes, counters: Counters) -> None:
    data = event.data

    def change(state: dict[str, Any]) -> None:
        _set_holder(state, data.get("assignee"), event.occurred_at)
        if data.get("team_id"):
            state["team"] = data["team_id"]

    _conversation(event, changes, counters, change)


def _rated(event: DomainEvent, changes: Changes, counters: Counters) -> None:
    data = event.data
    rating = int(data.get("rating") or 0)
    if 1 <= rating <= 5:
        _conversation(event, changes, counters, lambda state: state.update(  # the fact row's CSAT
            csat_changed=exports.rating_for_close(state, rating, data.get("closed_at"))))
        at = _count_answer(event, counters, "csat", rating, data.get("rated_at"))
        kam.on_csat(event, changes, counters.brand.time_zone, rating, at)


def _nps(event: DomainEvent, changes: Changes, counters: Counters) -> None:
    data = event.data
    score = data.get("score")
    if isinstance(score, int) and 0 <= score <= 10:
        at = _count_answer(event, counters, "nps", score, data.get("answered_at"))
        kam.on_nps(event, changes, counters.brand.time_zone, score, at)


def _count_answer(event: DomainEvent, counters: Counters, metric: str, value: int, answered_at: Any) -> str:
    """Count a survey answer for the agent, team and channel it rates; returns when it was given."""
    data = event.data
    at = str(answered_at or event.occurred_at)
    counters.count(metric, at, {"agent": data.get("agent"), "team": data.get("team"), "channel": data.get("channel")},
                   value=value, bucket=value)
    return at


# ---------------------------------------------------------------- agents, CRM


def _presence(event: DomainEvent, changes: Changes, counters: Counters) -> None:
    tenant, user_id = event.tenant_id, event.entity_id or ""
    key = store.agent_key(tenant, user_id)
    current = store.get_state(key) or {}
    online_before = current.get("status") == "online"
    state: dict[str, str] = {"status": str(current.get("status") or ""), "at": str(current.get("at") or "")}
    if event.occurred_at >= state["at"]:
        state = {"status": str(event.data.get("status") or ""), "at": event.occurred_at}
    changes.add(store.gauges_key(tenant), "agents_online", int(state["status"] == "online") - int(online_before))
    changes.state(key, state, current.get("v"))


def _task(event: DomainEvent, changes: Changes, counters: Counters) -> None:
    tenant, task_id = event.tenant_id, event.entity_id or ""
    key = store.task_key(tenant, task_id)
    current = store.get_state(key) or {}
    before = bool(current.get("overdue")) and not current.get("done")
    overdue, done, done_at = bool(current.get("overdue")), bool(current.get("done")), str(current.get("done_at") or "")
    if event.type == "task.overdue":
        overdue = True
    elif event.occurred_at >= done_at:  # completed / re-opened: the newest decides
        done, done_at = event.type in ("task.completed", "task.deleted"), event.occurred_at
    after = overdue and not done
    state = {"overdue": overdue, "done": done, "done_at": done_at}
    changes.add(store.gauges_key(tenant), "tasks_overdue", int(after) - int(before))
    changes.state(key, state, current.get("v"))


def _lead(event: DomainEvent, changes: Changes, counters: Counters) -> None:
    counters.count("leads_captured", event.occurred_at, {"channel": event.data.get("channel")})
    kam.on_contact(event, changes, counters.brand.time_zone)


def _won(event: DomainEvent, changes: Changes, counters: Counters) -> None:
    try:
        amount = float(event.data.get("amount") or 0)
    except ValueError:
        amount = 0.0
    counters.count("deals_won", event.occurred_at, {"agent": event.data.get("owner_id")}, value=amount)
    kam.on_won(event, changes, counters.brand.time_zone, amount)


def _contact_updated(event: DomainEvent, changes: Changes, counters: Counters) -> None:
    kam.on_contact(event, changes, counters.brand.time_zone)


def _business(event: DomainEvent, changes: Changes, counters: Counters) -> None:
    if event.type in ("business.person_linked", "business.person_unlinked"):
        kam.on_link(event, changes)
    else:
        kam.on_business(event, changes)


_HANDLERS: dict[str, Callable[[DomainEvent, Changes, Counters], None]] = {
    "conversation.created": _opened,
    "conversation.reopened": _opened,
    "message.received": _received,
    "message.queued": _queued,
    "message.failed": _failed,
    "conversation.handoff_requested": _handoff,
    "conversation.closed": _closed,
    **dict.fromkeys(HOLDER_TYPES, _holder),
    "conversation.rated": _rated,
    NPS_ANSWERED: _nps,
    "agent.presence_changed": _presence,
    CAMPAIGN_SENT: _campaign_sent,
    **dict.fromkeys(CAMPAIGN_RUNNING | CAMPAIGN_STOPPED, _campaign_state),
    "task.overdue": _task,
    "task.completed": _task,
    "task.reopened": _task,
    "task.deleted": _task,
    "contact.created": _lead,
    "deal.won": _won,
    "contact.updated": _contact_updated,
    **dict.fromkeys(("business.created", "business.updated", "business.deleted", "business.person_linked",
                     "business.person_unlinked"), _business),
}

