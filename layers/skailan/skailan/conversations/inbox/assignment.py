"""Auto-assignment: new and re-opened conversations go to an online agent with room.

Eligible: online, member of a team that serves the conversation's channel account (or of the
team it was transferred to), under capacity (agent's own, else the brand's default). Among
them: most tags in common with the conversation first (when `prefer_tags`), then the least
loaded, then whoever got a conversation longest ago (round-robin).

One decision reads the conversation, the brand's inbox settings, its teams and one page of its
online agents, least loaded first, from the `ready` index (further pages only while a page has
nobody eligible; past a few pages, every agent, so nobody with room is ever missed) — so the
items read stay flat however many agents the brand has — and writes one transaction
(`holders.mutate`):
the conversation's holder under `attribute_not_exists(assignee)` and the agent's
`ADD load 1` under `load < capacity AND status = online`. When that agent filled up meanwhile
the next candidate is tried; when nobody fits, the conversation waits in the queue index
(`queued_at`, per channel account), drained oldest-first whenever an agent frees capacity,
comes online, gets more capacity or joins a team — and retried by a timer, so no race between
"queued" and "capacity freed" can leave it waiting while someone has room.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from skailan.conversations.catalogue import CONVERSATION_ASSIGNED
from skailan.conversations.inbox import agents, teams
from skailan.conversations.inbox.actions import conversation_event
from skailan.conversations.inbox.config import get_config
from skailan.conversations.inbox.models import InboxSettings
from skailan.conversations.store import mutate as holders
from skailan.conversations.store import state, timers
from skailan.conversations.store.inbox_items import AgentItem, TeamItem
from skailan.conversations.store.items import ConversationItem
from skailan.conversations.store.mutate import CapacityExceeded, Plan
from skailan.platform.clock import iso, parse_iso, utcnow
from skailan.platform.observability import logger
from skailan.platform.storage import ConditionFailed

RETRY_AFTER = timedelta(seconds=60)
MAX_RETRY_AFTER = timedelta(minutes=15)
MAX_CANDIDATES = 5
READY_PAGE = 25  # online agents read per page of the `ready` index
MAX_READY_PAGES = 4  # past this many pages with nobody eligible, the conversation waits in the queue


@dataclass
class Decision:
    assignee: str | None
    queued: bool = False
    reason: str = ""


def eligible(item: ConversationItem, all_teams: list[TeamItem], all_agents: list[AgentItem], config: InboxSettings,
             *, exclude: frozenset[str] = frozenset()) -> list[AgentItem]:
    """Candidates in order of preference (see module doc)."""
    if item.team_id:
        chosen = [t for t in all_teams if t.team_id == item.team_id] or teams.serving(all_teams, item.account_id)
    else:
        chosen = teams.serving(all_teams, item.account_id)
    members = {m for t in chosen for m in (t.members or ())}
    default = config.assignment.default_capacity
    wanted_tags = set(item.tags or ())
    out = [a for a in all_agents
           if a.user_id in members and a.user_id not in exclude and a.status == "online"
           and int(a.load or 0) < agents.effective_capacity(a, default)]

    def rank(agent: AgentItem) -> tuple[int, float, str, str]:
        overlap = len(wanted_tags & set(agent.tags or ())) if config.assignment.prefer_tags else 0
        capacity = max(1, agents.effective_capacity(agent, default))
        return (-overlap, int(agent.load or 0) / capacity, agent.last_assigned_at or "", agent.user_id)

    return sorted(out, key=rank)


def assign_automatically(tenant_id: str, conversation_id: str, *, exclude: frozenset[str] = frozenset(),
                         item: ConversationItem | None = None, retry_attempt: int = 1) -> Decision:
    """Give the conversation to the best eligible agent, or queue it."""
    config = get_config(tenant_id)
    tried: set[str] = set(exclude)
    for _ in range(MAX_CANDIDATES):
        item = item or state.load(tenant_id, conversation_id)
        if item.status == "closed":
            return Decision(None, reason="closed")
        if item.assignee:
            return Decision(item.assignee, reason="already assigned")
        if not config.assignment.enabled:
            break
        candidates = _ready_candidates(tenant_id, item, teams.all_teams(tenant_id), config, frozenset(tried))
        if not candidates:
            break
        agent = candidates[0]
        try:
            claimed = _claim(tenant_id, item, agent, config)
        except CapacityExceeded:
            tried.add(agent.user_id)  # full or gone offline since we read it: next one
            item = None
            continue
        if claimed:
            return Decision(agent.user_id, reason="assigned")
        item = None  # someone took it meanwhile: look again
    queued = enqueue(tenant_id, conversation_id, config=config, retry_attempt=retry_attempt)
    return Decision(None, queued=queued, reason="queued")


def _ready_candidates(tenant_id: str, item: ConversationItem, all_teams: list[TeamItem], config: InboxSettings,
                      exclude: frozenset[str]) -> list[AgentItem]:
    """Eligible agents of the first page of the `ready` index that has any, in order of preference.

    The index holds online agents only, ascending by load, so those with room come first: one page
    decides when the serving teams' agents are among the least loaded (one team, or teams of
    similar load). A page with nobody eligible (all of other teams, full, or already tried) leads
    to the next; past MAX_READY_PAGES the brand's agents are read whole, as before the index, so
    a conversation never waits while someone who serves it has room. Whoever comes out is
    re-checked by the claim (online, under capacity) in the transaction.
    """
    last_key = None
    for _ in range(MAX_READY_PAGES):
        page = agents.ready_agents(tenant_id, page_size=READY_PAGE, last_key=last_key)
        found = eligible(item, all_teams, [a for a in page if isinstance(a, AgentItem)], config, exclude=exclude)
        if found:
            return found
        last_key = page.last_evaluated_key
        if not last_key:
            return []
    logger.info("ready index: nobody eligible in the first pages, reading every agent", tenant_id=tenant_id,
                conversation_id=item.conversation_id)
    return eligible(item, all_teams, agents.all_agents(tenant_id, consistent=True), config, exclude=exclude)


def _claim(tenant_id: str, item: ConversationItem, agent: AgentItem, config: InboxSettings) -> bool:
    capacity = agents.effective_capacity(agent, config.assignment.default_capacity)

    def decide(current: ConversationItem) -> Plan | None:
        if current.status == "closed" or current.assignee:
            return None
        if current.team_id and current.team_id != item.team_id:
            return None
        return Plan(changes={"assignee": agent.user_id, "assignee_name": agent.name or agent.email,
                             "assigned_at": iso(), "queued_at": None},
                    condition=state.held_by(None) & state.not_closed(),
                    claim={agent.user_id: capacity}, require_online=True,
                    events=[conversation_event(current, CONVERSATION_ASSIGNED, None,
                                               {"assignee": agent.user_id, "assignee_name": agent.name,
                                                "automatic": True, "waited_ms": _waited(current)},
                                               actor_name="auto-assignment")])

    _, plan = holders.mutate(tenant_id, item.conversation_id, decide, item=item)
    if plan is None:
        return False
    from skailan.conversations.inbox import notifications

    notifications.notify(tenant_id, agent.user_id, "assigned", conversation_id=item.conversation_id,
                         text=f"Se te asignó una conversación de {(item.contact or {}).get('name') or 'un cliente'}. / "
                              "A conversation was assigned to you.")
    logger.info("conversation assigned", tenant_id=tenant_id, conversation_id=item.conversation_id,
                assignee=agent.user_id)
    return True


def _waited(item: ConversationItem) -> int | None:
    if not item.queued_at:
        return None
    return max(0, int((utcnow() - parse_iso(item.queued_at)).total_seconds() * 1000))


def enqueue(tenant_id: str, conversation_id: str, *, config: InboxSettings | None = None,
            retry_attempt: int = 1) -> bool:
    """Put an unassigned open conversation in the waiting queue (keeps its first queued time)."""
    config = config or get_config(tenant_id)

    def decide(item: ConversationItem) -> Plan | None:
        if item.status == "closed" or item.assignee:
            return None
        first = item.queued_at is None
        changes = {"queued_at": item.queued_at or iso()}
        if not first and item.ix_queue:
            return None  # already waiting, indexed
        return Plan(changes=changes, condition=state.held_by(None),
                    events=[conversation_event(item, "conversation.queued", None, {}, actor_name="auto-assignment")]
                    if first else [])

    item, plan = holders.mutate(tenant_id, conversation_id, decide)
    queued_at = (plan.changes.get("queued_at") if plan else None) or item.queued_at
    if item.status == "closed" or item.assignee or queued_at is None:
        return False
    delay = min(RETRY_AFTER * 2 ** (max(1, retry_attempt) - 1), MAX_RETRY_AFTER)
    timers.schedule(tenant_id, "assign_retry", conversation_id, iso(utcnow() + delay), {"attempt": retry_attempt})
    minutes = config.alerts.unassigned_after_minutes
    if minutes and plan is not None and plan.events:
        due = parse_iso(queued_at) + timedelta(minutes=minutes)
        timers.schedule(tenant_id, "unassigned", conversation_id, iso(due), {"queued_at": queued_at})
    return True


def queued(tenant_id: str, account_id: str, *, limit: int) -> list[ConversationItem]:
    """The oldest waiting conversations of a channel account."""
    return state.queued(tenant_id, account_id, limit=limit)


def drain_for_agent(tenant_id: str, user_id: str) -> int:
    """Give a freed / newly online agent the oldest waiting conversations they can serve."""
    config = get_config(tenant_id)
    if not config.assignment.enabled:
        return 0
    agent = agents.get_agent(tenant_id, user_id, consistent=True)
    if agent is None or agent.status != "online":
        return 0
    room = agents.effective_capacity(agent, config.assignment.default_capacity) - int(agent.load or 0)
    if room <= 0:
        return 0
    my_teams = [t for t in teams.all_teams(tenant_id) if user_id in (t.members or ())]
    accounts = sorted({a for t in my_teams for a in (t.channel_accounts or ())})
    team_ids = {t.team_id for t in my_teams}
    waiting: list[ConversationItem] = []
    for account_id in accounts:
        waiting += queued(tenant_id, account_id, limit=room + 5)
    waiting.sort(key=lambda i: (i.queued_at or "", i.conversation_id))
    assigned = 0
    for item in waiting:
        if room <= 0:
            break
        if item.team_id and item.team_id not in team_ids:
            continue
        try:
            if _claim(tenant_id, item, agent, config):
                assigned += 1
                room -= 1
        except CapacityExceeded:
            break
    return assigned


def drain_account(tenant_id: str, account_id: str, *, limit: int = 50) -> int:
    """Try to assign the account's waiting conversations, oldest first, until nobody fits."""
    assigned = 0
    for item in queued(tenant_id, account_id, limit=limit):
        decision = assign_automatically(tenant_id, item.conversation_id)
        if decision.assignee is None:
            break
        assigned += 1
    return assigned


def return_to_queue(tenant_id: str, user_id: str, *, offline_since: str | None) -> int:
    """After the offline grace period: the agent's open conversations go back to the queue."""
    agent = agents.get_agent(tenant_id, user_id, consistent=True)
    if agent is None or agent.status != "offline" or (offline_since and agent.status_at != offline_since):
        return 0
    returned = 0
    for status in ("open", "pending", "snoozed"):
        for item in state.held_page(tenant_id, status, user_id)[0]:

            def decide(current: ConversationItem) -> Plan | None:
                if current.assignee != user_id or current.status == "closed":
                    return None
                return Plan(changes={"assignee": None, "assignee_name": None, "assigned_at": None,
                                     "queued_at": iso()},
                            condition=state.held_by(user_id), release=[user_id],
                            events=[conversation_event(current, "conversation.unassigned", None,
                                                       {"previous_assignee": user_id, "reason": "agent_offline"},
                                                       actor_name="auto-assignment")])

            _, plan = holders.mutate(tenant_id, item.conversation_id, decide)
            if plan is not None:
                returned += 1
    return returned


# ---------------------------------------------------------------- members leaving the brand

MEMBER_GONE_REASONS = {
    "user.disabled": ("agent_disabled",
                      "Devuelta a la cola: el agente fue deshabilitado en la marca. / "
                      "Returned to the queue: the agent was disabled in the brand."),
    "user.deleted": ("agent_deleted",
                     "Devuelta a la cola: el agente fue eliminado de la marca. / "
                     "Returned to the queue: the agent was removed from the brand."),
}
HELD_STATUSES = ("open", "pending", "snoozed")
PAGE_SIZE = 100
MAX_PASSES = 3


def _take_out_of_pool(tenant_id: str, user_id: str, reason: str) -> bool:
    """Presence offline (auto-assignment only picks online agents; the claim re-checks it in the
    transaction). Conditional, so a redelivered event changes nothing; True if it changed."""
    from skailan.conversations.inbox_events import build
    from skailan.conversations.store import agents as agent_store
    from skailan.platform.events import Actor

    agent = agents.get_agent(tenant_id, user_id, consistent=True)
    if agent is None or agent.status == "offline":
        return False
    event = build(tenant_id, "agent.presence_changed", entity_type="agent", entity_id=user_id,
                  actor=Actor(kind="system", id="auto-assignment"),
                  data={"status": "offline", "previous": agent.status, "reason": reason})
    try:
        agent_store.set_presence(tenant_id, user_id, "offline", at=iso(), from_other_status=True, events=[event])
    except ConditionFailed:
        return False  # already offline (a concurrent delivery did it)
    return True


def _release_one(tenant_id: str, user_id: str, item: ConversationItem, reason: str, message: str) -> bool:
    """Unassign one conversation held by `user_id` and put it back in the waiting queue — only if
    they still hold it when the transaction commits (reassigned meanwhile: left alone)."""

    def decide(current: ConversationItem) -> Plan | None:
        if current.assignee != user_id or current.status == "closed":
            return None
        return Plan(changes={"assignee": None, "assignee_name": None, "assigned_at": None, "queued_at": iso()},
                    condition=state.held_by(user_id) & state.not_closed(), release=[user_id],
                    events=[conversation_event(current, "conversation.unassigned", None,
                                               {"previous_assignee": user_id, "reason": reason,
                                                "message": message},
                                               actor_name="auto-assignment")])

    # The index item may be stale: the inbox_rev condition makes the write re-decide on fresh state.
    _, plan = holders.mutate(tenant_id, item.conversation_id, decide, item=item)
    return plan is not None


def _held_by(tenant_id: str, user_id: str):  # -> Iterator[ConversationItem]
    """Every not-closed conversation the `by_assignee` index shows `user_id` holding: one Query
    per inbox status, paginated (never a Scan)."""
    for status in HELD_STATUSES:
        last_key = None
        while True:
            items, last_key = state.held_page(tenant_id, status, user_id, page_size=PAGE_SIZE, last_key=last_key)
            yield from items
            if not last_key:
                break


def release_member(tenant_id: str, user_id: str, event_type: str) -> dict[str, int | bool | str]:
    """A member was disabled in / removed from the brand: out of the auto-assignment pool, and every
    open conversation they hold back to the queue with a history entry saying why. Each one's
    `conversation.unassigned` event (no new assignee) goes to the assignment worker, which gives
    it to another eligible agent (same team / serving the account, online, with room) or leaves
    it waiting. Idempotent: presence and each conversation change under conditions, so a
    redelivered event finds nothing left to do. Never touches another brand (every key embeds
    the tenant)."""
    from skailan.tenancy import member_reads

    reason, message = MEMBER_GONE_REASONS[event_type]
    member = member_reads.find_member(tenant_id, user_id)
    if member is not None and member.status == "active":
        # Enabled again (or re-added) since the event: it is stale, nothing to undo.
        return {"skipped": "member active"}
    went_offline = _take_out_of_pool(tenant_id, user_id, reason)
    timers.cancel(tenant_id, "offline", user_id)  # nothing left for the grace period to return
    released = 0
    for _ in range(MAX_PASSES):
        # A second pass catches a conversation whose activity moved it behind the cursor.
        this_pass = sum(_release_one(tenant_id, user_id, item, reason, message)
                        for item in _held_by(tenant_id, user_id))
        released += this_pass
        if not this_pass:
            break
    logger.info("member's conversations released", tenant_id=tenant_id, user_id=user_id, reason=reason,
                released=released, went_offline=went_offline)
    return {"released": released, "went_offline": went_offline}
