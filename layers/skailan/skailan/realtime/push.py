"""The push worker's work: a domain event → one recorded change → a frame to each connected
member who may see it (whole or without data, `frames.view`), through the WebSocket API's
management endpoint. A connection API Gateway reports gone (410) is deleted.

Posting is best effort per connection: the change is recorded first, so a member whose frame
could not be delivered catches up from the changes feed; a failed post is not retried (a retry
would send everyone the frame again).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Protocol

from skailan.platform.auth import Caller
from skailan.platform.batch_reads import forget, shared
from skailan.platform.events import DomainEvent
from skailan.platform.observability import logger
from skailan.realtime import frames, store


class Poster(Protocol):
    def post(self, connection_id: str, data: bytes) -> bool:
        """Send `data`; False when the connection is gone."""
        ...


class ManagementApi:
    """`apigatewaymanagementapi` on the stage's endpoint (settings.websocket_management_url)."""

    def __init__(self, endpoint_url: str) -> None:
        self.endpoint_url = endpoint_url
        # Made here, in the caller's thread: creating boto3 clients is not thread-safe, posting is.
        self._client = _management_client(endpoint_url)

    def post(self, connection_id: str, data: bytes) -> bool:
        client = self._client
        try:
            client.post_to_connection(ConnectionId=connection_id, Data=data)
        except client.exceptions.GoneException:
            return False
        return True


@cache
def _management_client(endpoint_url: str) -> Any:
    import boto3

    return boto3.client("apigatewaymanagementapi", endpoint_url=endpoint_url)


def default_poster() -> ManagementApi:
    from skailan.platform.settings import get_settings

    return ManagementApi(get_settings().websocket_management_url)


@dataclass
class Outcome:
    cursor: str | None = None
    sent: list[str] = field(default_factory=list)  # connection ids
    gone: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


MemberLookup = Callable[[str, str], Caller | None]


def member_caller(tenant_id: str, user_id: str) -> Caller | None:
    """The member as a caller with their role's permissions now; None if gone or disabled."""
    from skailan.tenancy import member_reads, roles

    member = member_reads.find_member(tenant_id, user_id)
    if member is None or member.status != "active":
        return None
    from skailan.tenancy.defaults import SUPER_ADMIN

    return Caller(tenant_id=tenant_id, principal_id=user_id, kind="user", email=member.email, name=member.name,
                  role=member.role, permissions=roles.role_permissions(tenant_id, member.role),
                  super_admin=member.role == SUPER_ADMIN)


MEMBER_CACHE_SECONDS = 30.0
POST_WORKERS = 16
_members: dict[tuple[str, str], tuple[float, Caller | None]] = {}


def cached_member_caller(tenant_id: str, user_id: str) -> Caller | None:
    """`member_caller`, remembered for 30 s per container: a busy brand's every event would
    otherwise read each connected member's membership and role again."""
    now = time.monotonic()
    hit = _members.get((tenant_id, user_id))
    if hit is not None and now - hit[0] < MEMBER_CACHE_SECONDS:
        return hit[1]
    caller = member_caller(tenant_id, user_id)
    if len(_members) > 10_000:
        _members.clear()
    _members[(tenant_id, user_id)] = (now, caller)
    return caller


def _holder(tenant_id: str, conversation_id: str | None) -> tuple[str | None, bool, frozenset[str] | None]:
    """The conversation's holder now (assignee, or last assignee once closed), whether it exists,
    and its team's members (None: no team)."""
    if not conversation_id:
        return None, False, None
    from skailan.conversations.store import messages

    item = messages.get_conversation(tenant_id, conversation_id, consistent=True)
    if item is None:
        return None, False, None
    team_members: frozenset[str] | None = None
    if item.team_id:
        from skailan.conversations.inbox import teams

        team = teams.find_team(tenant_id, item.team_id)
        team_members = frozenset(team.members or ()) if team is not None else frozenset()
    return (item.assignee if item.status != "closed" else item.last_assignee), True, team_members


def _connections(tenant_id: str) -> list[tuple[str, str]]:
    """The brand's live sockets, queried once per SQS batch (batch_reads.py): each was opened before
    the batch's events were received, or is as late as it could always be — a member who connects
    catches up from /v1/changes. A socket found gone makes the next record query again."""
    return shared((tenant_id, "connections"), lambda: store.list_connections(tenant_id))


def handle(event: DomainEvent, poster: Poster, *, lookup: MemberLookup = cached_member_caller) -> Outcome:
    if event.type not in frames.TYPES:
        return Outcome()
    tenant_id = event.tenant_id
    if event.type in frames.CONVERSATION_TYPES:
        holder, exists, team_members = _holder(tenant_id, frames.conversation_id_of(event))
        audience = frames.audience_of(event, holder, exists=exists, team_members=team_members)
    else:
        audience = frames.audience_of(event, None)

    def build(cursor: str) -> tuple[dict[str, Any], dict[str, Any]]:
        return frames.frame_of(event, cursor), audience.to_item()

    cursor, frame, audience_item = store.record_change(tenant_id, event.id, build)
    stored_audience = frames.Audience.from_item(audience_item)
    outcome = Outcome(cursor=cursor)
    callers: dict[str, Caller | None] = {}
    deliveries: list[tuple[str, bytes]] = []
    for connection_id, user_id in _connections(tenant_id):
        if user_id not in callers:
            callers[user_id] = lookup(tenant_id, user_id)
        caller = callers[user_id]
        shown = frames.view(caller, frame, stored_audience) if caller is not None else None
        if shown is not None:
            deliveries.append((connection_id, json.dumps(shown, separators=(",", ":")).encode()))

    def deliver(delivery: tuple[str, bytes]) -> tuple[str, str]:
        connection_id, data = delivery
        try:
            return connection_id, "sent" if poster.post(connection_id, data) else "gone"
        except Exception:
            logger.exception("frame not posted; the member catches up from /v1/changes",
                             tenant_id=tenant_id, connection_id=connection_id)
            return connection_id, "failed"

    # Each post is an HTTPS round trip: a brand with many open sockets is served in parallel.
    if len(deliveries) > 2:
        with ThreadPoolExecutor(max_workers=min(POST_WORKERS, len(deliveries))) as pool:
            results = list(pool.map(deliver, deliveries))
    else:
        results = [deliver(d) for d in deliveries]
    for connection_id, result in results:
        if result == "gone":
            store.delete_connection(tenant_id, connection_id)
            forget((tenant_id, "connections"))
        getattr(outcome, result).append(connection_id)
    return outcome
