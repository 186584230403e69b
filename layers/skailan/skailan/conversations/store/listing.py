"""The inbox list's data access: the index each view reads, its key and filter conditions, the paged
Query and the decoding of raw items — the list's only pynamodb code.

What to read is decided above, in `query/listing.py` (which view for which filters, the read
budget, merging the streams, the cursors); it describes each read as a `Stream` of plain values
and this module turns it into a Query. How filters are stored is known here only: a "normal"
priority and an unpinned conversation have no attribute, a closed conversation's holder is its
`last_assignee`, the channels' views sort on "<last activity>#<conversation id>".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from skailan.conversations.domain.filters import Filters, assignee_value
from skailan.conversations.store import state
from skailan.conversations.store.items import ConversationItem
from skailan.platform.auth import Caller
from skailan.platform.clock import iso, parse_iso
from skailan.platform.storage import Condition

C = ConversationItem

# A view's name → its index, hash key attribute and range key attribute (docs/inbox.md).
_INDEXES: dict[str, tuple[Any, str, str]] = {
    "by_assignee": (C.by_assignee, "ix_assignee", "last_activity_at"),
    "by_team": (C.by_team, "ix_team", "last_activity_at"),
    "by_channel": (C.by_channel, "ix_channel", "last_activity_at"),
    "by_priority": (C.by_priority, "ix_priority", "last_activity_at"),
    "waiting": (C.waiting, "ix_waiting", "waiting_since"),
    "gsi1": (C.gsi1, "gsi1pk", "gsi1sk"),
    "gsi2": (C.gsi2, "gsi2pk", "gsi2sk"),
}
# The channels' views (gsi1, gsi2) sort on "<last activity>#<conversation id>": an end bound
# of a last activity takes every conversation of that instant.
_COMPOSITE_RANGE = ("gsi1", "gsi2")
# DynamoDB takes at most 100 values in one IN.
_IN_VALUES = 100


@dataclass
class Where:
    """What a stream's items must match beyond its key: the caller's filters, less those the key
    already applies (`skip`: assignee, team, channel, priority, activity, unanswered, visibility)."""

    caller: Caller
    filters: Filters
    now: str
    status: str | None = None  # the stream's one inbox status; None: several
    skip: frozenset[str] = frozenset()
    only_status: str | None = None  # items of this status only (a view holding several)
    unsnoozed: bool = False


@dataclass
class Stream:
    """One partition of one view, read in its range key's order."""

    name: str
    index: str  # a view of `_INDEXES`
    hash_value: str
    where: Where
    start: str | None = None  # range key bounds, inclusive
    end: str | None = None
    forward: bool = False

    @property
    def hash_attr(self) -> str:
        return _INDEXES[self.index][1]

    @property
    def range_attr(self) -> str:
        return _INDEXES[self.index][2]

    @property
    def range_condition(self) -> Condition | None:
        attr = getattr(C, self.range_attr)
        end = self.end + "#~" if self.end and self.index in _COMPOSITE_RANGE else self.end
        if self.start and end:
            return attr.between(self.start, end)  # type: ignore[no-any-return]
        if self.start:
            return attr >= self.start  # type: ignore[no-any-return]
        if end:
            return attr <= end  # type: ignore[no-any-return]
        return None

    @property
    def filter(self) -> Condition | None:
        return filter_condition(self.where)

    def owns(self, key: Any) -> bool:
        """Whether `key` (caller input: a cursor) is a key of this index inside this partition's brand."""
        try:
            if set(key) != {"pk", "sk", self.hash_attr, self.range_attr} or key[self.hash_attr]["S"] != self.hash_value:
                return False
            if not all(isinstance(v, dict) and list(v) == ["S"] and isinstance(v["S"], str) and v["S"]
                       for v in key.values()):
                return False
            tenant_prefix = "#".join(self.hash_value.split("#", 2)[:2])  # "T#<tenant>"
            return bool(key["pk"]["S"].startswith(tenant_prefix + "#C#"))
        except (KeyError, TypeError, ValueError, AttributeError, IndexError):
            return False


def key_position(key: dict[str, dict[str, str]], waiting: bool) -> tuple[str, str]:
    """The sort position of a LastEvaluatedKey (its range value and conversation id)."""
    conversation_id = key["pk"]["S"].rsplit("#C#", 1)[-1]
    if "gsi1sk" in key or "gsi2sk" in key:
        return ((key.get("gsi1sk") or key["gsi2sk"])["S"].rsplit("#", 1)[0], conversation_id)
    return ((key["waiting_since"] if waiting else key["last_activity_at"])["S"], conversation_id)


@dataclass
class Pages:
    items: list[tuple[ConversationItem, dict[str, Any]]]  # each with its key in this index
    stopped: dict[str, Any] | None  # where the stream stopped (None: exhausted)
    reads: int  # Query requests
    scanned: int  # items DynamoDB evaluated


def read_pages(stream: Stream, start: dict[str, Any] | None, *, page_size: int, max_pages: int,
               enough: int) -> Pages:
    """At most `max_pages` pages of `page_size` from `start`, stopping once `enough` items matched."""
    index = _INDEXES[stream.index][0]
    results = index.query(stream.hash_value, stream.range_condition, filter_condition=stream.filter,
                          scan_index_forward=stream.forward, page_size=page_size, last_evaluated_key=start)
    pages = results.page_iter
    got: list[tuple[ConversationItem, dict[str, Any]]] = []
    last_key = start
    reads = scanned = 0
    for _ in range(max_pages):
        try:
            page = next(pages)
        except StopIteration:
            break
        reads += 1
        scanned += int(page.get("ScannedCount", 0))
        for raw in page.get("Items", []):
            got.append((C.from_raw_data(raw), {k: raw[k] for k in pages.key_names if k in raw}))
        last_key = page.get("LastEvaluatedKey")
        if last_key is None or len(got) >= enough:
            break
    return Pages(items=got, stopped=last_key, reads=reads, scanned=scanned)


# ---------------------------------------------------------------- filter conditions


def _and(*conditions: Condition | None) -> Condition | None:
    out: Condition | None = None
    for condition in conditions:
        if condition is not None:
            out = condition if out is None else out & condition
    return out


def _owner_condition(people: frozenset[str]) -> Condition:
    ordered = sorted(people)
    out: Condition | None = None
    for start in range(0, len(ordered), _IN_VALUES):
        chunk = C.person_id.is_in(*ordered[start:start + _IN_VALUES])
        out = chunk if out is None else out | chunk
    assert out is not None
    return out


def _visibility(caller: Caller, status: str | None) -> Condition | None:
    """`state.visible_to` as a filter: own and unassigned ones; supervisors and admins also those
    of no team and of their teams; super-admins everything. `status` None: any status."""
    if state.sees_all(caller):
        return None

    def held(holder: Any) -> Condition:
        return holder.does_not_exist() | (holder == caller.principal_id)  # type: ignore[no-any-return]

    if status is None:
        condition = ((C.status == "closed") & held(C.last_assignee)) | ((C.status != "closed") & held(C.assignee))
    else:
        condition = held(C.last_assignee if status == "closed" else C.assignee)
    if state.is_supervisor(caller):
        condition = condition | C.team_id.does_not_exist()
        teams = sorted(state.manager_teams(caller))
        if teams:
            condition = condition | C.team_id.is_in(*teams[:_IN_VALUES])
    return condition


def filter_condition(where: Where) -> Condition | None:
    """The FilterExpression of a stream: every filter its key does not apply, and the visibility."""
    filters, skip, status, now = where.filters, where.skip, where.status, where.now
    conditions: list[Condition | None] = []
    if "assignee" not in skip and filters.assignee:
        value = assignee_value(where.caller, filters.assignee)
        holder = C.last_assignee if status == "closed" else C.assignee
        conditions.append(holder.does_not_exist() if value is None else holder == value)
    if "team" not in skip and filters.team:
        conditions.append(C.team_id.does_not_exist() if filters.team == "none" else C.team_id == filters.team)
    if "channel" not in skip and filters.channel:
        conditions.append(C.channel == filters.channel)
    if filters.account_id:
        conditions.append(C.account_id == filters.account_id)
    if "priority" not in skip and filters.priority:
        conditions.append(C.priority.does_not_exist() if filters.priority == "normal"
                          else C.priority == filters.priority)
    for tag in filters.tags:
        conditions.append(C.tags.contains(tag))
    if filters.owner_people:
        conditions.append(_owner_condition(filters.owner_people))
    if filters.pinned is not None:
        conditions.append(C.pinned == True if filters.pinned else C.pinned.does_not_exist())  # noqa: E712
    if filters.answered_within is not None:
        conditions.append(C.last_agent_message_at >= iso(parse_iso(now) - filters.answered_within))
    if "unanswered" not in skip and filters.unanswered_for is not None:
        conditions.append(C.waiting_since <= iso(parse_iso(now) - filters.unanswered_for))
    if "activity" not in skip and (filters.activity_from or filters.activity_to):
        if filters.activity_from:
            conditions.append(C.last_activity_at >= filters.activity_from)
        if filters.activity_to:
            conditions.append(C.last_activity_at <= filters.activity_to)
    if "visibility" not in skip:
        conditions.append(_visibility(where.caller, status))
    return _and(C.status == where.only_status if where.only_status else None,
                C.snoozed_until.does_not_exist() if where.unsnoozed else None, _and(*conditions))
