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

This module plans (which view, which streams, the budget, the merge, the cursors); each stream
is plain values, and `store/listing.py` turns it into the Query (index, key and filter
conditions, pages, decoding). Search (`q`) reads the token index (`search.py`) — one Query plus
one BatchGet per page.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from skailan.conversations.domain.filters import STATUSES, Filters, assignee_value
from skailan.conversations.query.filters import Result
from skailan.conversations.store import state
from skailan.conversations.store.items import ConversationItem, inbox_pk
from skailan.conversations.store.listing import Stream, Where, key_position, read_pages
from skailan.platform.auth import Caller
from skailan.platform.clock import iso, parse_iso
from skailan.platform.errors import BadRequest, Forbidden, Unprocessable
from skailan.platform.pagination import clamp_limit

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


def _sort_value(item: ConversationItem, waiting: bool) -> tuple[str, str]:
    return ((item.waiting_since or "") if waiting else item.last_activity_at, item.conversation_id)


# ---------------------------------------------------------------- cursors


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
        if not stream.owns(value):  # caller input: a key of this index inside the caller's own partition
            raise BadRequest("El cursor no es válido. / The cursor is not valid.", code="invalid_cursor")
        out[name] = value
    return out


# ---------------------------------------------------------------- planning


def _statuses(filters: Filters) -> list[str]:
    return filters.status or list(STATUSES)


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

    def where(status: str | None, *, skip: set[str], only_status: str | None = None,
              unsnoozed: bool = False) -> Where:
        """The filters a stream's key does not apply (`skip`: those it does) become its filter."""
        return Where(caller, filters, now, status, frozenset(skip), only_status, unsnoozed)

    # Lower bound of activity implied by "answered within X": the last activity is at least as recent.
    activity_from = filters.activity_from
    if filters.answered_within is not None:
        since = iso(parse_iso(now) - filters.answered_within)
        activity_from = max(activity_from or since, since)

    streams: list[Stream] = []
    if filters.sort == "waiting" or filters.unanswered_for is not None:
        wanted = [s for s in _statuses(filters) if s in state.ACTIVE]
        if not wanted:
            return []
        longest = iso(parse_iso(now) - filters.unanswered_for) if filters.unanswered_for is not None else None
        streams.append(Stream(
            "waiting", "waiting", state.waiting_key(tenant),
            where(None, skip={"unanswered"}, only_status=wanted[0] if len(wanted) == 1 else None, unsnoozed=True),
            end=longest, forward=True))
        return streams

    statuses = _statuses(filters)
    if filters.assignee or not (supervisor or manager):
        if filters.assignee:
            holders = [assignee_value(caller, filters.assignee)]
        else:
            holders = [caller.principal_id, None]
        for status in statuses:
            for holder in holders:
                streams.append(Stream(
                    f"a:{status}:{holder or '-'}", "by_assignee", state.assignee_key(tenant, status, holder),
                    # an agent's holder streams are visible by construction; a manager's need the team rule
                    where(status, skip={"assignee", "activity"} | (set() if manager else {"visibility"})),
                    start=activity_from, end=filters.activity_to))
        return streams
    # Most selective first: a non-normal priority is rare, a team narrower than a channel.
    rare_priority = filters.priority if filters.priority and filters.priority != "normal" else None
    for attr, key_fn, value, index in (
        ("priority", state.priority_key, rare_priority, "by_priority"),
        ("team", state.team_key, team_value, "by_team"),
        ("channel", state.channel_key, filters.channel, "by_channel"),
        ("priority", state.priority_key, filters.priority, "by_priority"),
    ):
        if value or (attr == "team" and filters.team):
            for status in statuses:
                streams.append(Stream(
                    f"{attr[0]}:{status}", index, key_fn(tenant, status, value),  # type: ignore[arg-type]
                    where(status, skip={attr, "activity"}), start=activity_from, end=filters.activity_to))
            return streams
    if len(statuses) == len(STATUSES):
        return [Stream("all", "gsi2", inbox_pk(tenant), where(None, skip={"activity"}),
                       start=activity_from, end=filters.activity_to)]
    for status in statuses:
        streams.append(Stream(f"s:{status}", "gsi1", inbox_pk(tenant, status), where(status, skip={"activity"}),
                              start=activity_from, end=filters.activity_to))
    return streams


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
        pages = read_pages(stream, start, page_size=page_size, max_pages=MAX_PAGES, enough=limit)
        fetched[stream.name], stopped[stream.name] = pages.items, pages.stopped
        reads += pages.reads
        scanned += pages.scanned
    # Only items that precede everything still unread in every stream can go out: a stream that
    # stopped early (page budget) has its unread tail after the key where it stopped.
    frontier: tuple[str, str] | None = None
    for key in stopped.values():
        if key is not None:
            value = key_position(key, waiting)
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


