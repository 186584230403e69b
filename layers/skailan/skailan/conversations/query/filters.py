"""The inbox list's filters evaluated in memory, for results read by key (search), and the page
a list answers. The filters themselves (parsing, 422s) are `domain/filters.py`; `listing.py`
plans the index Queries for them and `store/listing.py` runs them."""

from __future__ import annotations

from dataclasses import dataclass

from skailan.conversations.domain.filters import Filters, assignee_value
from skailan.conversations.store import state
from skailan.conversations.store.items import ConversationItem
from skailan.platform.auth import Caller
from skailan.platform.clock import iso, parse_iso


@dataclass
class Result:
    items: list[ConversationItem]
    next_cursor: str | None
    reads: int = 0  # Query requests
    scanned: int = 0  # items DynamoDB evaluated


def matches(caller: Caller, item: ConversationItem, filters: Filters, *, now: str | None = None) -> bool:
    """The same filters, evaluated in memory (search results are read by key, not by index)."""
    now = now or iso()
    if not state.visible_to(caller, item):
        return False
    status = state.status_of(item)
    if filters.status and status not in filters.status:
        return False
    if filters.channel and item.channel != filters.channel:
        return False
    if filters.account_id and item.account_id != filters.account_id:
        return False
    holder = item.last_assignee if item.status == "closed" else item.assignee
    if filters.assignee and holder != assignee_value(caller, filters.assignee):
        return False
    if filters.team and item.team_id != (None if filters.team == "none" else filters.team):
        return False
    if filters.priority and (item.priority or "normal") != filters.priority:
        return False
    if filters.tags and not set(filters.tags) <= set(item.tags or ()):
        return False
    if filters.owner_people is not None and item.person_id not in filters.owner_people:
        return False
    if filters.pinned is not None and bool(item.pinned) != filters.pinned:
        return False
    if filters.answered_within is not None and not (
            item.last_agent_message_at and item.last_agent_message_at >= iso(parse_iso(now) - filters.answered_within)):
        return False
    if filters.unanswered_for is not None and not (
            item.waiting_since and item.waiting_since <= iso(parse_iso(now) - filters.unanswered_for)):
        return False
    if filters.activity_from and item.last_activity_at < filters.activity_from:
        return False
    return not (filters.activity_to and item.last_activity_at > filters.activity_to)
