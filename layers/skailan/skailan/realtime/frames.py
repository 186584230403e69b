"""Domain events become frames (the contract with the app) and who may see what of them.

A frame: `{"cursor", "type", "entity_type", "entity_id", "conversation_id", "data"}` — `type` is
the domain event type, `data` a small, secret-free subset of the event's data.

Visibility follows the inbox's rules (`skailan.conversations.store.state.visible_to`), decided per member:
- `notification.created` goes to its recipient only;
- conversation and message events go to members with `conversations:view`: whole to
  super-admins, to supervisors and admins (`conversations:manage`) when the conversation has no
  team or is of a team they belong to, to the conversation's holder and the holders
  it just left (a transfer), and to everyone while it is unassigned; other agents get the frame
  without `data` (ids and type only, so counts and lists can refresh without its contents);
- presence changes go to members with `conversations:view`.
The same `view()` filters the push and the changes feed, so both show a member the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from skailan.platform.auth import Caller
from skailan.platform.events import DomainEvent

CONVERSATIONS_VIEW = "conversations:view"
CONVERSATIONS_MANAGE = "conversations:manage"

# What the EventBridge rule RealtimeRule sends (template.yaml); the worker ignores anything else.
CONVERSATION_TYPES = frozenset({
    "conversation.created", "conversation.reopened", "conversation.taken", "conversation.assigned",
    "conversation.unassigned", "conversation.transferred", "conversation.closed", "conversation.status_changed",
    "conversation.snoozed", "conversation.woke", "conversation.pinned", "conversation.unpinned",
    "conversation.priority_changed", "conversation.tags_changed", "conversation.note_added", "conversation.read",
    "conversation.unread", "conversation.queued", "conversation.bot_replied", "conversation.handoff_requested",
    "conversation.rated",
    "message.received", "message.queued", "message.sent", "message.failed", "message.status_changed",
})
NOTIFICATION_TYPES = frozenset({"notification.created"})
PRESENCE_TYPES = frozenset({"agent.presence_changed"})
TYPES = CONVERSATION_TYPES | NOTIFICATION_TYPES | PRESENCE_TYPES

MAX_TEXT = 200
MAX_LIST = 20
# Never forwarded, whatever an event carries.
_SECRET_MARKERS = ("secret", "token", "password", "credential", "signature", "raw", "authorization")
# Keys whose value names a user who held (or now holds) the conversation.
_HOLDER_KEYS = ("assignee", "previous_assignee", "agent")


@dataclass(frozen=True)
class Audience:
    """Who receives a frame, and whole or without its data."""

    recipient: str | None = None  # only this user (notifications)
    permission: str | None = CONVERSATIONS_VIEW  # needed to receive it at all
    open_to_all: bool = True  # every permitted member sees the data (unassigned conversation)
    full_for: frozenset[str] = field(default_factory=frozenset)  # users who see the data besides supervisors
    # The conversation's team's members (None: no team): supervisors and admins see the data of
    # conversations of no team and of their teams; only super-admins see every team's.
    team_members: frozenset[str] | None = None

    def to_item(self) -> dict[str, Any]:
        return {"recipient": self.recipient, "permission": self.permission, "open_to_all": self.open_to_all,
                "full_for": sorted(self.full_for),
                "team_members": None if self.team_members is None else sorted(self.team_members)}

    @classmethod
    def from_item(cls, value: dict[str, Any]) -> Audience:
        team = value.get("team_members")
        return cls(recipient=value.get("recipient"), permission=value.get("permission"),
                   open_to_all=bool(value.get("open_to_all")), full_for=frozenset(value.get("full_for") or ()),
                   team_members=None if team is None else frozenset(team))


def _clean(value: Any, depth: int = 0) -> Any:
    """Small and secret-free: short strings, scalars, short lists, one level of nesting."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return value if len(value) <= MAX_TEXT else value[: MAX_TEXT - 1] + "…"
    if isinstance(value, list | tuple):
        items = [_clean(v, depth + 1) for v in list(value)[:MAX_LIST] if not isinstance(v, dict | list)]
        return items
    if isinstance(value, dict) and depth == 0:
        return clean_data(value, depth + 1)
    return None


def clean_data(data: dict[str, Any], depth: int = 0) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        lowered = str(key).lower()
        if any(marker in lowered for marker in _SECRET_MARKERS):
            continue
        cleaned = _clean(value, depth)
        if cleaned is not None or value is None:
            out[str(key)] = cleaned
    return out


def conversation_id_of(event: DomainEvent) -> str | None:
    value = event.data.get("conversation_id")
    if isinstance(value, str) and value:
        return value
    return event.entity_id if event.entity_type == "conversation" else None


def frame_of(event: DomainEvent, cursor: str) -> dict[str, Any]:
    return {"cursor": cursor, "type": event.type, "entity_type": event.entity_type, "entity_id": event.entity_id,
            "conversation_id": conversation_id_of(event), "data": clean_data(event.data)}


def holders_named_in(data: dict[str, Any]) -> set[str]:
    """Users an event names as (previous) holders — they keep seeing what they just lost."""
    names: set[str] = set()
    for key in _HOLDER_KEYS:
        value = data.get(key)
        if isinstance(value, str) and value:
            names.add(value)
        elif isinstance(value, dict) and isinstance(value.get("user_id"), str):
            names.add(value["user_id"])
    return names


def audience_of(event: DomainEvent, holder: str | None, *, exists: bool = True,
                team_members: frozenset[str] | None = None) -> Audience:
    """`holder`: the conversation's holder now (assignee, or last assignee once closed);
    `team_members`: the members of the conversation's team (None: it has no team)."""
    if event.type in NOTIFICATION_TYPES:
        recipient = event.data.get("user_id")
        return Audience(recipient=recipient if isinstance(recipient, str) else "-", permission=None)
    if event.type in PRESENCE_TYPES:
        return Audience()
    named = holders_named_in(event.data)
    if holder:
        named.add(holder)
    return Audience(open_to_all=exists and holder is None, full_for=frozenset(named), team_members=team_members)


def sees_all(caller: Caller) -> bool:
    """Super-admins and integrations — as `skailan.conversations.store.state.sees_all`."""
    return caller.kind == "api_key" or caller.super_admin


def view(caller: Caller, frame: dict[str, Any], audience: Audience) -> dict[str, Any] | None:
    """What of `frame` this member may see: the frame, the frame without data, or nothing."""
    if audience.recipient is not None:
        return frame if caller.principal_id == audience.recipient else None
    if audience.permission and not caller.can(audience.permission):
        return None
    if audience.open_to_all or sees_all(caller) or caller.principal_id in audience.full_for:
        return frame
    if caller.can(CONVERSATIONS_MANAGE) and (audience.team_members is None
                                             or caller.principal_id in audience.team_members):
        return frame
    return {**frame, "data": {}}
