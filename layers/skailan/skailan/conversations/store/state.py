"""The inbox's view of a conversation item: its inbox status, its index keys, who may see it.

"Inbox status" is the stored status, except that a conversation with `snoozed_until` shows as
`snoozed` (the stored status stays `open`/`pending`, so the channels' ingest keeps appending to
it; the next customer message wakes it). Index hash keys embed the inbox status, so each view
(`by_assignee`, `by_team`, `by_channel`, `by_priority`, and the channels' `gsi1` by status)
holds exactly one status per partition and a filtered page never wades through closed threads.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action

from skailan.conversations.store.items import CONVERSATION_SK, ConversationItem, conversation_pk, inbox_pk
from skailan.platform.auth import Caller
from skailan.platform.clock import iso, parse_iso
from skailan.platform.errors import NotFound

NONE = "-"
ACTIVE = ("open", "pending")
WINDOW = timedelta(hours=24)
NOT_FOUND = "Conversación no encontrada. / Conversation not found."


def inbox_status(status: str, snoozed_until: str | None) -> str:
    if status != "closed" and snoozed_until:
        return "snoozed"
    return status


def status_of(item: ConversationItem) -> str:
    return inbox_status(item.status, item.snoozed_until)


def assignee_key(tenant_id: str, status: str, assignee: str | None) -> str:
    return f"T#{tenant_id}#S#{status}#A#{assignee or NONE}"


def team_key(tenant_id: str, status: str, team_id: str | None) -> str:
    return f"T#{tenant_id}#S#{status}#M#{team_id or NONE}"


def channel_key(tenant_id: str, status: str, channel: str) -> str:
    return f"T#{tenant_id}#S#{status}#H#{channel}"


def priority_key(tenant_id: str, status: str, priority: str | None) -> str:
    return f"T#{tenant_id}#S#{status}#P#{priority or 'normal'}"


def waiting_key(tenant_id: str) -> str:
    return f"T#{tenant_id}#W"


def oldest_waiting_since(tenant_id: str) -> str | None:
    """When the longest-waiting customer of the brand started waiting (the waiting index's first
    entry: one Query of one item), or None when nobody waits."""
    for item in ConversationItem.waiting.query(waiting_key(tenant_id), limit=1, scan_index_forward=True):
        return item.waiting_since
    return None


def queue_key(tenant_id: str, account_id: str) -> str:
    return f"T#{tenant_id}#Q#{account_id}"


def view_values(item: ConversationItem, changes: dict[str, Any]) -> dict[str, Any]:
    """The index attributes the item should carry once `changes` (attribute → value) apply."""

    def current(name: str) -> Any:
        return changes[name] if name in changes else getattr(item, name)

    tenant = item.tenant_id
    status = inbox_status(current("status"), current("snoozed_until"))
    assignee = current("assignee")
    values: dict[str, Any] = {
        "ix_assignee": assignee_key(tenant, status, assignee if status != "closed" else current("last_assignee")),
        "ix_team": team_key(tenant, status, current("team_id")),
        "ix_channel": channel_key(tenant, status, item.channel),
        "ix_priority": priority_key(tenant, status, current("priority")),
        "gsi1pk": inbox_pk(tenant, status),
        "ix_waiting": waiting_key(tenant) if status in ACTIVE and current("waiting_since") else None,
        "ix_queue": (queue_key(tenant, item.account_id)
                     if status == "open" and not assignee and current("queued_at") else None),
    }
    return values


def actions_for(item: ConversationItem, changes: dict[str, Any]) -> list[Action]:
    """SET/REMOVE actions for `changes` plus the index keys that follow from them."""
    merged = {**changes, **view_values(item, changes)}
    actions: list[Action] = []
    for name, value in merged.items():
        attr = getattr(ConversationItem, name)
        if name in changes or value != getattr(item, name):
            if value is None or (isinstance(value, set) and not value):
                actions.append(attr.remove())
            else:
                actions.append(attr.set(value))
    actions.append(ConversationItem.inbox_rev.set((item.inbox_rev or 0) + 1))
    actions.append(ConversationItem.updated_at.set(iso()))
    return actions


def rev_condition(item: ConversationItem) -> Condition:
    if item.inbox_rev is None:
        return ConversationItem.inbox_rev.does_not_exist()
    return ConversationItem.inbox_rev == item.inbox_rev


def key(tenant_id: str, conversation_id: str) -> ConversationItem:
    return ConversationItem(conversation_pk(tenant_id, conversation_id), CONVERSATION_SK)


def load(tenant_id: str, conversation_id: str, *, consistent: bool = True) -> ConversationItem:
    try:
        return ConversationItem.get(conversation_pk(tenant_id, conversation_id), CONVERSATION_SK,
                                    consistent_read=consistent)
    except ConversationItem.DoesNotExist as err:
        raise NotFound(NOT_FOUND, code="conversation_not_found") from err


def is_supervisor(caller: Caller) -> bool:
    return caller.can("conversations:manage")


def sees_all(caller: Caller) -> bool:
    """SPEC §1: only super-admins (and integrations: API keys) see every conversation."""
    return caller.kind == "api_key" or caller.super_admin


def manager_teams(caller: Caller) -> frozenset[str]:
    """The teams a supervisor or admin belongs to: they see those teams' conversations (one
    small Query per request; cached a few seconds per container)."""
    from time import monotonic

    from skailan.conversations.inbox import teams

    key = (caller.tenant_id, caller.principal_id)
    hit = _MANAGER_TEAMS.get(key)
    if hit is not None and monotonic() - hit[0] < 5:
        return hit[1]
    mine = frozenset(t.team_id for t in teams.all_teams(caller.tenant_id) if caller.principal_id in (t.members or ()))
    if len(_MANAGER_TEAMS) > 1000:
        _MANAGER_TEAMS.clear()
    _MANAGER_TEAMS[key] = (monotonic(), mine)
    return mine


_MANAGER_TEAMS: dict[tuple[str, str], tuple[float, frozenset[str]]] = {}


def visible_to(caller: Caller, item: ConversationItem) -> bool:
    """Super-admins see the whole brand. Everyone sees their own and unassigned conversations;
    supervisors and admins also those of no team and of the teams they belong to (docs/inbox.md)."""
    if sees_all(caller):
        return True
    holder = item.assignee if item.status != "closed" else item.last_assignee
    if holder is None or holder == caller.principal_id:
        return True
    return is_supervisor(caller) and (item.team_id is None or item.team_id in manager_teams(caller))


def load_visible(caller: Caller, conversation_id: str) -> ConversationItem:
    item = load(caller.tenant_id, conversation_id)
    if not visible_to(caller, item):
        raise NotFound(NOT_FOUND, code="conversation_not_found")
    return item


def window_expires_at(item: ConversationItem) -> str | None:
    """WhatsApp: free-form replies until 24 h after the customer's last message (provider time)."""
    if item.channel != "whatsapp" or not item.last_customer_message_at:
        return None
    return iso(parse_iso(item.last_customer_message_at) + WINDOW)


def inbox_fields(item: ConversationItem) -> dict[str, Any]:
    """The inbox's part of a conversation as the API shows it."""
    return {
        "inbox_status": status_of(item),
        "assignee": item.assignee,
        "assignee_name": item.assignee_name,
        "assigned_at": item.assigned_at,
        "team_id": item.team_id,
        "priority": item.priority or "normal",
        "pinned": bool(item.pinned),
        "tags": sorted(item.tags or ()),
        "snoozed_until": item.snoozed_until,
        "close_reason_id": item.close_reason_id,
        "closed_at": item.closed_at,
        "bot_handled": bool(item.bot_handled),
        "waiting_since": item.waiting_since,
        "first_response_at": item.first_response_at,
        "window_expires_at": window_expires_at(item),
        "rating": int(item.rating) if item.rating is not None else None,
        "rated_at": item.rated_at,
        "awaiting_rating_until": item.awaiting_rating_until,
    }


# ---------------------------------------------------------------- conditions a Plan writes under


def held_by(user_id: str | None) -> Condition:
    """The conversation is held by `user_id` (None: by nobody)."""
    return ConversationItem.assignee == user_id if user_id else ConversationItem.assignee.does_not_exist()


def not_closed() -> Condition:
    return ConversationItem.status != "closed"


def has_status(*statuses: str) -> Condition:
    """The stored status is one of these."""
    if len(statuses) == 1:
        return ConversationItem.status == statuses[0]
    return ConversationItem.status.is_in(*statuses)


def closed_at(at: str) -> Condition:
    """Closed, by the close of that time (not re-opened and closed again since)."""
    return (ConversationItem.status == "closed") & (ConversationItem.closed_at == at)


# ---------------------------------------------------------------- the inbox views' reads


def queued(tenant_id: str, account_id: str, *, limit: int) -> list[ConversationItem]:
    """The oldest waiting conversations of a channel account (the `queue` index)."""
    return [i for i in ConversationItem.queue.query(queue_key(tenant_id, account_id), limit=limit)
            if isinstance(i, ConversationItem)]


def held_page(tenant_id: str, status: str, user_id: str, *, page_size: int | None = None,
              last_key: dict[str, Any] | None = None) -> tuple[list[ConversationItem], dict[str, Any] | None]:
    """One page (every page, without `page_size`) of the conversations of that inbox status the
    `by_assignee` index shows `user_id` holding, and the key to read on from."""
    page = ConversationItem.by_assignee.query(assignee_key(tenant_id, status, user_id), limit=page_size,
                                              page_size=page_size, last_evaluated_key=last_key)
    items = [i for i in page if isinstance(i, ConversationItem)]
    return items, page.last_evaluated_key


def count_held(tenant_id: str, status: str, user_id: str | None) -> int:
    """How many conversations of that inbox status `user_id` holds (None: nobody): Select=COUNT."""
    return ConversationItem.by_assignee.count(assignee_key(tenant_id, status, user_id))


def count_status(tenant_id: str, status: str) -> int:
    """How many conversations of the brand have that inbox status (`gsi1`): Select=COUNT."""
    return ConversationItem.gsi1.count(inbox_pk(tenant_id, status))


def count_team_held_by_others(tenant_id: str, status: str, team_id: str, user_id: str) -> int:
    """How many of a team's conversations of that inbox status someone other than `user_id`
    holds (or held, once closed)."""
    holder = ConversationItem.last_assignee if status == "closed" else ConversationItem.assignee
    return ConversationItem.by_team.count(team_key(tenant_id, status, team_id),
                                          filter_condition=holder.exists() & (holder != user_id))
