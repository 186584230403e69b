"""The inbox list: filters, sorts and search over a brand's conversations — Query only, no Scan.

How a page is read (docs/inbox.md has the picture):
1. Pick the most selective index for the filters given — `by_assignee` (assignee, "me",
   "none"; and always for agents, who see their own + unassigned), else `by_team`, `by_channel`,
   `by_priority`, else the channels' `gsi1` (one status) / `gsi2` (every status); `waiting`
   when sorting by waiting time or asking "unanswered for at least X". Each hash key embeds the
   inbox status, so a request over several statuses (or "me" + "none") reads several
   partitions — *streams* — merged in order.
2. The last-activity range becomes the key condition of the range key; every other filter is
   a FilterExpression.
3. Each stream reads at most `MAX_PAGES` pages of `page size` items per request (the read
   budget). The merge emits only items that certainly precede anything a stream has not read
   yet; the cursor remembers, per stream, where to resume. So a page costs at most
   streams × MAX_PAGES Queries whatever the brand's size — it may come back short (with a
   cursor) when a rare filter matches little, but it never reads the whole brand.

Search (`q`) reads the token index (`search.py`) — one Query plus one BatchGet per page.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

from skailan.conversations.query.filters import STATUSES, Filters, Result, _assignee_value
from skailan.conversations.store import state
from skailan.conversations.store.items import ConversationItem, inbox_pk
from skailan.platform.auth import Caller
from skailan.platform.clock import iso, parse_iso
from skailan.platform.errors import BadRequest, Forbidden, Unprocessable
from skailan.platform.pagination import clamp_limit
from skailan.platform.storage import Condition

C = ConversationItem
MAX_PAGES = 3


# An owner filter becomes `person_id IN (…)` conditions (at most 100 values each, and a 4 KB
# expression): past this many people the filter is refused with a hint to use the people list.
MAX_OWNER_PEOPLE = 300


def with_owner(caller: Caller, filters: Filters) -> Filters:
    """Resolve `owner_id` to the owner's people (one CRM index Query); 422 when they are too many."""
    if not filters.owner_id:
        return filters
    from dataclasses import replace

    from skailan.crm.people.service import owned_person_ids

    owner = caller.principal_id if filters.owner_id == "me" else filters.owner_id
    people = owned_person_ids(caller.tenant_id, owner, limit=MAX_OWNER_PEOPLE)
    if people is None:
        raise Unprocessable(
            f"Esa persona responsable tiene más de {MAX_OWNER_PEOPLE} contactos: filtra la lista de personas por "
            f"responsable. / That owner has more than {MAX_OWNER_PEOPLE} people: filter the people list by owner.",
            code="owner_too_broad", details=[{"field": "owner_id", "error": f"more than {MAX_OWNER_PEOPLE} people"}])
    return replace(filters, owner_people=frozenset(people))


def _owner_condition(people: frozenset[str]) -> Condition:
    ordered = sorted(people)
    out: Condition | None = None
    for start in range(0, len(ordered), 100):
        chunk = C.person_id.is_in(*ordered[start:start + 100])
        out = chunk if out is None else out | chunk
    assert out is not None
    return out


@dataclass
class Stream:
    name: str
    index: Any  # a pynamodb GlobalSecondaryIndex of ConversationItem
    hash_attr: str
    hash_value: str
    range_condition: Condition | None
    forward: bool
    filter: Condition | None


def _sort_value(item: ConversationItem, waiting: bool) -> tuple[str, str]:
    return ((item.waiting_since or "") if waiting else item.last_activity_at, item.conversation_id)


def _key_value(key: dict[str, dict[str, str]], waiting: bool) -> tuple[str, str]:
    """The sort position of a LastEvaluatedKey (its range value and conversation id)."""
    conversation_id = key["pk"]["S"].rsplit("#C#", 1)[-1]
    if "gsi1sk" in key or "gsi2sk" in key:
        return ((key.get("gsi1sk") or key["gsi2sk"])["S"].rsplit("#", 1)[0], conversation_id)
    return ((key["waiting_since"] if waiting else key["last_activity_at"])["S"], conversation_id)


# ---------------------------------------------------------------- cursors


def _range_attr(stream: Stream) -> str:
    return {"gsi1pk": "gsi1sk", "gsi2pk": "gsi2sk", "ix_waiting": "waiting_since"}.get(stream.hash_attr,
                                                                                        "last_activity_at")


def _encode(state_: dict[str, Any]) -> str | None:
    if all(v == "done" for v in state_.values()):
        return None
    raw = json.dumps(state_, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str | None, streams: list[Stream]) -> dict[str, Any]:
    if not cursor:
        return {}
    try:
        decoded = json.loads(base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode()))
        if not isinstance(decoded, dict):
            raise ValueError
    except ValueError as err:
        raise BadRequest("El cursor no es válido. / The cursor is not valid.", code="invalid_cursor") from err
    by_name = {s.name: s for s in streams}
    out: dict[str, Any] = {}
    for name, value in decoded.items():
        stream = by_name.get(name)
        if stream is None:
            continue  # a cursor of other filters: that stream starts over
        if value is None or value == "done":
            out[name] = value
            continue
        # A cursor is caller input: it must be a key of this index inside the caller's own partition.
        try:
            expected = {"pk", "sk", stream.hash_attr, _range_attr(stream)}
            if set(value) != expected or value[stream.hash_attr]["S"] != stream.hash_value:
                raise ValueError
            if not all(isinstance(v, dict) and list(v) == ["S"] and isinstance(v["S"], str) and v["S"]
                       for v in value.values()):
                raise ValueError
            if not value["pk"]["S"].startswith(stream.hash_value.split("#", 2)[0] + "#" +
                                               stream.hash_value.split("#", 2)[1] + "#C#"):
                raise ValueError
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as err:
            raise BadRequest("El cursor no es válido. / The cursor is not valid.", code="invalid_cursor") from err
        out[name] = value
    return out


# ---------------------------------------------------------------- planning


def _statuses(filters: Filters) -> list[str]:
    return filters.status or list(STATUSES)


def _visibility(caller: Caller, status: str | None) -> Condition | None:
    """`state.visible_to` as a filter: own and unassigned ones; supervisors and admins also those
    of no team and of their teams; super-admins everything. `status` None: any status."""
    if state.sees_all(caller):
        return None

    def held(holder: Any) -> Condition:
        return holder.does_not_exist() | (holder == caller.principal_id)

    if status is None:
        condition = ((C.status == "closed") & held(C.last_assignee)) | ((C.status != "closed") & held(C.assignee))
    else:
        condition = held(C.last_assignee if status == "closed" else C.assignee)
    if state.is_supervisor(caller):
        condition = condition | C.team_id.does_not_exist()
        teams = sorted(state.manager_teams(caller))
        if teams:
            condition = condition | C.team_id.is_in(*teams[:100])
    return condition


def _and(*conditions: Condition | None) -> Condition | None:
    out: Condition | None = None
    for condition in conditions:
        if condition is not None:
            out = condition if out is None else out & condition
    return out


def plan(caller: Caller, filters: Filters, *, now: str | None = None) -> list[Stream]:
    tenant = caller.tenant_id
    supervisor = state.sees_all(caller)  # the whole brand, no visibility condition
    manager = state.is_supervisor(caller)  # may filter by any agent; sees no-team and own-team conversations
    now = now or iso()
    if filters.assignee and filters.assignee not in ("me", "none") and filters.assignee != caller.principal_id \
            and not (supervisor or manager):
        raise Forbidden("Solo supervisores filtran por otro agente. / Only supervisors filter by another agent.",
                        code="permission_denied", details={"required": "conversations:manage"})
    team_value = None if filters.team == "none" else filters.team

    def common(status: str | None, *, skip: set[str]) -> Condition | None:
        conditions: list[Condition | None] = []
        if "assignee" not in skip and filters.assignee:
            value = _assignee_value(caller, filters.assignee)
            holder = C.last_assignee if status == "closed" else C.assignee
            conditions.append(holder.does_not_exist() if value is None else holder == value)
        if "team" not in skip and filters.team:
            conditions.append(C.team_id.does_not_exist() if team_value is None else C.team_id == team_value)
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
            since = iso(parse_iso(now) - filters.answered_within)
            conditions.append(C.last_agent_message_at >= since)
        if "unanswered" not in skip and filters.unanswered_for is not None:
            conditions.append(C.waiting_since <= iso(parse_iso(now) - filters.unanswered_for))
        if "activity" not in skip and (filters.activity_from or filters.activity_to):
            if filters.activity_from:
                conditions.append(C.last_activity_at >= filters.activity_from)
            if filters.activity_to:
                conditions.append(C.last_activity_at <= filters.activity_to)
        if "visibility" not in skip:
            conditions.append(_visibility(caller, status))
        return _and(*conditions)

    # Lower bound of activity implied by "answered within X": the last activity is at least as recent.
    activity_from = filters.activity_from
    if filters.answered_within is not None:
        since = iso(parse_iso(now) - filters.answered_within)
        activity_from = max(activity_from or since, since)

    def activity_range(attr: Any) -> Condition | None:
        if activity_from and filters.activity_to:
            return attr.between(activity_from, filters.activity_to)
        if activity_from:
            return attr >= activity_from
        if filters.activity_to:
            return attr <= filters.activity_to
        return None

    streams: list[Stream] = []
    if filters.sort == "waiting" or filters.unanswered_for is not None:
        condition = None
        if filters.unanswered_for is not None:
            condition = C.waiting_since <= iso(parse_iso(now) - filters.unanswered_for)
        status_filter = None
        wanted = [s for s in _statuses(filters) if s in state.ACTIVE]
        if not wanted:
            return []
        if len(wanted) == 1:
            status_filter = C.status == wanted[0]
        streams.append(Stream(
            "waiting", C.waiting, "ix_waiting", state.waiting_key(tenant), condition, True,
            _and(status_filter, C.snoozed_until.does_not_exist(), common(None, skip={"unanswered"}))))
        return streams

    statuses = _statuses(filters)
    if filters.assignee or not (supervisor or manager):
        if filters.assignee:
            holders = [_assignee_value(caller, filters.assignee)]
        else:
            holders = [caller.principal_id, None]
        for status in statuses:
            for holder in holders:
                streams.append(Stream(
                    f"a:{status}:{holder or '-'}", C.by_assignee, "ix_assignee",
                    state.assignee_key(tenant, status, holder), activity_range(C.last_activity_at), False,
                    # an agent's holder streams are visible by construction; a manager's need the team rule
                    common(status, skip={"assignee", "activity"} | (set() if manager else {"visibility"}))))
        return streams
    # Most selective first: a non-normal priority is rare, a team narrower than a channel.
    rare_priority = filters.priority if filters.priority and filters.priority != "normal" else None
    for attr, key_fn, value, index, name in (
        ("priority", state.priority_key, rare_priority, C.by_priority, "ix_priority"),
        ("team", state.team_key, team_value, C.by_team, "ix_team"),
        ("channel", state.channel_key, filters.channel, C.by_channel, "ix_channel"),
        ("priority", state.priority_key, filters.priority, C.by_priority, "ix_priority"),
    ):
        if value or (attr == "team" and filters.team):
            for status in statuses:
                streams.append(Stream(
                    f"{attr[0]}:{status}", index, name, key_fn(tenant, status, value),  # type: ignore[arg-type]
                    activity_range(C.last_activity_at), False, common(status, skip={attr, "activity"})))
            return streams
    if len(statuses) == len(STATUSES):
        return [Stream("all", C.gsi2, "gsi2pk", inbox_pk(tenant), _gsi_range(C.gsi2sk, activity_from,
                                                                                   filters.activity_to),
                       False, common(None, skip={"activity"}))]
    for status in statuses:
        streams.append(Stream(f"s:{status}", C.gsi1, "gsi1pk", inbox_pk(tenant, status),
                              _gsi_range(C.gsi1sk, activity_from, filters.activity_to), False,
                              common(status, skip={"activity"})))
    return streams


def _gsi_range(attr: Any, start: str | None, end: str | None) -> Condition | None:
    # The channels' views sort on "<last activity>#<conversation id>".
    if start and end:
        return attr.between(start, end + "#~")
    if start:
        return attr >= start
    if end:
        return attr <= end + "#~"
    return None


# ---------------------------------------------------------------- reading


def read(streams: list[Stream], *, limit: int, cursor: str | None, waiting: bool = False) -> Result:
    positions = _decode(cursor, streams)
    page_size = max(limit, 25)
    fetched: dict[str, list[tuple[ConversationItem, dict[str, Any]]]] = {}
    stopped: dict[str, dict[str, Any] | None] = {}  # where each stream stopped (None: exhausted)
    reads = scanned = 0
    for stream in streams:
        start = positions.get(stream.name)
        if start == "done":
            fetched[stream.name], stopped[stream.name] = [], None
            continue
        results = stream.index.query(stream.hash_value, stream.range_condition, filter_condition=stream.filter,
                                     scan_index_forward=stream.forward, page_size=page_size,
                                     last_evaluated_key=start)
        pages = results.page_iter
        got: list[tuple[ConversationItem, dict[str, Any]]] = []
        last_key = start
        for _ in range(MAX_PAGES):
            try:
                page = next(pages)
            except StopIteration:
                break
            reads += 1
            scanned += int(page.get("ScannedCount", 0))
            for raw in page.get("Items", []):
                item = ConversationItem.from_raw_data(raw)
                got.append((item, {k: raw[k] for k in pages.key_names if k in raw}))
            last_key = page.get("LastEvaluatedKey")
            if last_key is None or len(got) >= limit:
                break
        fetched[stream.name] = got
        stopped[stream.name] = last_key
    # Only items that precede everything still unread in every stream can go out: a stream that
    # stopped early (page budget) has its unread tail after the key where it stopped.
    frontier: tuple[str, str] | None = None
    for key in stopped.values():
        if key is not None:
            value = _key_value(key, waiting)
            if frontier is None or (value < frontier if waiting else value > frontier):
                frontier = value
    merged = sorted(((item, raw_key, name) for name, got in fetched.items() for item, raw_key in got),
                    key=lambda t: _sort_value(t[0], waiting), reverse=not waiting)
    chosen: list[tuple[ConversationItem, dict[str, Any], str]] = []
    for entry in merged:
        value = _sort_value(entry[0], waiting)
        if frontier is not None and (value > frontier if waiting else value < frontier):
            break
        chosen.append(entry)
        if len(chosen) == limit:
            break
    next_state: dict[str, Any] = {}
    for stream in streams:
        taken = [raw_key for _, raw_key, name in chosen if name == stream.name]
        if len(taken) == len(fetched[stream.name]):
            next_state[stream.name] = stopped[stream.name] if stopped[stream.name] is not None else "done"
        elif taken:
            next_state[stream.name] = taken[-1]
        else:
            next_state[stream.name] = positions.get(stream.name)  # None: from the top again
    return Result(items=[item for item, _, _ in chosen], next_cursor=_encode(next_state), reads=reads,
                  scanned=scanned)


def list_conversations(caller: Caller, filters: Filters, *, cursor: str | None, limit: int | None) -> Result:
    limit = clamp_limit(limit)
    filters = with_owner(caller, filters)
    if filters.owner_people is not None and not filters.owner_people:
        return Result(items=[], next_cursor=None)  # the owner has nobody
    if filters.q:
        from skailan.conversations.query import search

        return search.search(caller, filters, cursor=cursor, limit=limit)
    streams = plan(caller, filters)
    waiting = bool(streams) and streams[0].name == "waiting"
    if not streams:
        return Result(items=[], next_cursor=None)
    return read(streams, limit=limit, cursor=cursor, waiting=waiting)


