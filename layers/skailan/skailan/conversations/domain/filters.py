"""The inbox list's filters as plain values: parsed from the query string (422 naming the field).

Below the store on purpose: the planner (`query/listing.py`) decides which view reads them and
the store (`store/listing.py`) turns them into key and filter conditions; `query/filters.py`
evaluates them in memory for results read by key (search)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta

from skailan.conversations.domain.tags import normalize_tag
from skailan.platform.auth import Caller
from skailan.platform.clock import iso, parse_iso
from skailan.platform.errors import Unprocessable

STATUSES = ("open", "pending", "snoozed", "closed")
_DURATION = re.compile(r"^(\d{1,6})\s*([mhdw]?)$")
MAX_DURATION = timedelta(days=3660)
_UNITS = {"": 60, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(value: str, field_name: str) -> timedelta:
    match = _DURATION.match(value.strip().lower())
    if not match:
        raise Unprocessable("Duración no válida: usa 30m, 2h, 1d o 1w. / Invalid duration: use 30m, 2h, 1d or 1w.",
                            code="validation_error", details=[{"field": field_name, "error": "invalid duration"}])
    duration = timedelta(seconds=int(match.group(1)) * _UNITS[match.group(2)])
    if duration > MAX_DURATION:
        raise Unprocessable("Duración demasiado larga (máximo 10 años). / Duration too long (at most 10 years).",
                            code="validation_error", details=[{"field": field_name, "error": "at most 3660d"}])
    return duration


def _owner(value: str | None) -> str | None:
    from skailan.platform.ids import is_valid_id

    value = (value or "").strip()
    if not value:
        return None
    if value != "me" and not is_valid_id(value):
        raise Unprocessable("owner_id no es válido (un id de usuario o me). / owner_id is not valid (a user id or me).",
                            code="validation_error", details=[{"field": "owner_id", "error": "a user id or me"}])
    return value


def _parse_time(value: str, field_name: str) -> str:
    try:
        return iso(parse_iso(value if "T" in value else f"{value}T00:00:00+00:00"))
    except (ValueError, OverflowError) as err:
        raise Unprocessable("Fecha no válida (ISO-8601). / Invalid date (ISO-8601).", code="validation_error",
                            details=[{"field": field_name, "error": "not an ISO-8601 date"}]) from err


@dataclass
class Filters:
    status: list[str] = field(default_factory=list)
    channel: str | None = None
    account_id: str | None = None
    assignee: str | None = None  # user id | "me" | "none"
    team: str | None = None  # team id | "none"
    priority: str | None = None
    tags: list[str] = field(default_factory=list)
    pinned: bool | None = None
    unanswered_for: timedelta | None = None
    answered_within: timedelta | None = None
    activity_from: str | None = None
    activity_to: str | None = None
    sort: str = "last_message"  # last_message | waiting
    q: str | None = None
    # The person's owner (CRM): a user id or "me"; resolved to the owner's people by `with_owner`.
    owner_id: str | None = None
    owner_people: frozenset[str] | None = None

    @classmethod
    def parse(cls, *, status: str | None = None, channel: str | None = None, account_id: str | None = None,
              assignee: str | None = None, team: str | None = None, priority: str | None = None,
              tags: str | None = None, pinned: bool | None = None, unanswered_for: str | None = None,
              answered_within: str | None = None, activity_from: str | None = None,
              activity_to: str | None = None, sort: str | None = None, q: str | None = None,
              owner_id: str | None = None) -> Filters:
        statuses = [s.strip() for s in (status or "").split(",") if s.strip()]
        bad = [s for s in statuses if s not in STATUSES]
        if bad:
            raise Unprocessable("Estado no válido. / Unknown status.", code="validation_error",
                                details=[{"field": "status", "error": f"one of {', '.join(STATUSES)}", "value": b}
                                         for b in bad])
        if priority is not None and priority not in ("low", "normal", "high", "urgent"):
            raise Unprocessable("Prioridad no válida. / Unknown priority.", code="validation_error",
                                details=[{"field": "priority", "error": "one of low, normal, high, urgent"}])
        if sort not in (None, "last_message", "waiting"):
            raise Unprocessable("Orden no válido. / Unknown sort.", code="validation_error",
                                details=[{"field": "sort", "error": "last_message or waiting"}])
        start = _parse_time(activity_from, "activity_from") if activity_from else None
        end = _parse_time(activity_to, "activity_to") if activity_to else None
        if start and end and start > end:
            raise Unprocessable("activity_from debe ser anterior a activity_to. / activity_from must be before activity_to.",
                                code="validation_error", details=[{"field": "activity_to", "error": "before activity_from"}])
        return cls(
            status=list(dict.fromkeys(statuses)), channel=channel or None, account_id=account_id or None,
            assignee=assignee or None, team=team or None, priority=priority,
            tags=[normalize_tag(t) for t in (tags or "").split(",") if t.strip()], pinned=pinned,
            unanswered_for=parse_duration(unanswered_for, "unanswered_for") if unanswered_for else None,
            answered_within=parse_duration(answered_within, "answered_within") if answered_within else None,
            activity_from=start, activity_to=end,
            sort=sort or "last_message", q=(q or "").strip() or None, owner_id=_owner(owner_id),
        )


def assignee_value(caller: Caller, assignee: str) -> str | None:
    """The user id an `assignee` filter names (`me`: the caller); None for `none` (unassigned)."""
    if assignee == "me":
        return caller.principal_id
    if assignee == "none":
        return None
    return assignee
