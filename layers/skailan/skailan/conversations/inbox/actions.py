"""Conversation actions: take, assign/unassign, transfer, close, reopen, snooze, pin, priority,
tags, status, notes, read/unread.

Each is decided on the freshly read conversation and written with `holders.mutate` (one
transaction with the load counters, the history entry and the domain event's outbox item).
Agents act on conversations they hold or nobody holds; a colleague's conversation is invisible
to them (404) — except through `take`, whose 409 names the holder so the agent knows whom to ask.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from skailan.conversations import catalogue as cat
from skailan.conversations.domain.tags import normalize_tag
from skailan.conversations.inbox import agents, handlers
from skailan.conversations.inbox.action_models import ActionOut, NoteIn, NoteOut
from skailan.conversations.inbox_events import CONVERSATIONS, actor_of, build
from skailan.conversations.store import mutate as holders
from skailan.conversations.store import state, timers
from skailan.conversations.store.items import ConversationItem
from skailan.conversations.store.mutate import Plan
from skailan.platform.auth import Caller
from skailan.platform.clock import iso, parse_iso, utcnow
from skailan.platform.errors import Conflict, Forbidden, NotFound, Unprocessable
from skailan.platform.events import Actor, DomainEvent


def conversation_event(item: ConversationItem, type_: str, caller: Caller | None, data: dict[str, Any] | None = None,
                       *, actor_name: str | None = None) -> DomainEvent:
    actor = actor_of(caller) if caller is not None else Actor(kind="system", id=actor_name)
    return build(item.tenant_id, type_, source=CONVERSATIONS, entity_type="conversation",
                 entity_id=item.conversation_id, actor=actor,
                 data={"conversation_id": item.conversation_id, "channel": item.channel,
                       "account_id": item.account_id, **(data or {})})


def out(item: ConversationItem, changes: dict[str, Any] | None = None) -> ActionOut:
    """The conversation's inbox state after `changes` were written."""
    if changes:
        for name, value in changes.items():
            setattr(item, name, value)
    fields = state.inbox_fields(item)
    return ActionOut(id=item.conversation_id, status=fields["inbox_status"], assignee=item.assignee,
                     assignee_name=item.assignee_name, team_id=item.team_id, priority=fields["priority"],
                     pinned=fields["pinned"], tags=fields["tags"], snoozed_until=item.snoozed_until,
                     close_reason_id=item.close_reason_id, closed_at=item.closed_at, bot_handled=fields["bot_handled"],
                     window_expires_at=fields["window_expires_at"])


def _holder_details(item: ConversationItem, caller: Caller) -> dict[str, Any]:
    from skailan.tenancy import member_reads

    member = member_reads.find_member(item.tenant_id, item.assignee or "")
    return {
        "holder": {"user_id": item.assignee, "name": item.assignee_name or (member.name if member else None),
                   "email": member.email if member else None},
        "can_force": state.is_supervisor(caller),
    }


def _taken(item: ConversationItem, caller: Caller) -> Conflict:
    details = _holder_details(item, caller)
    who = details["holder"]["name"] or details["holder"]["email"] or item.assignee
    return Conflict(
        f"La conversación ya la atiende {who}. / {who} already holds this conversation."
        + (" Confirma para reasignarla. / Confirm to take it over." if details["can_force"] else ""),
        code="conversation_taken", details=details,
    )


def _closed() -> Conflict:
    return Conflict("La conversación está cerrada. / The conversation is closed.", code="conversation_closed")


def _ensure_visible(caller: Caller, item: ConversationItem) -> None:
    if not state.visible_to(caller, item):
        raise NotFound(state.NOT_FOUND, code="conversation_not_found")


def _me(caller: Caller) -> tuple[str, str | None]:
    member = handlers.require_handler(caller.tenant_id, caller.principal_id)
    agents.ensure_agent(caller.tenant_id, caller.principal_id, name=member.name, email=member.email)
    return caller.principal_id, member.name or member.email


def _target_agent(tenant_id: str, user_id: str) -> tuple[str, str | None]:
    member = handlers.handler_member(tenant_id, user_id)
    if member is None:
        raise Unprocessable(
            "Ese usuario no es agente de esta marca. / That user is not an agent of this brand.",
            code="agent_not_in_brand", details=[{"field": "user_id", "error": "not an agent of this brand",
                                                 "user_id": user_id}],
        )
    agents.ensure_agent(tenant_id, user_id, name=member.name, email=member.email)
    return user_id, member.name or member.email


def _claim_changes(user_id: str, name: str | None) -> dict[str, Any]:
    return {"assignee": user_id, "assignee_name": name, "assigned_at": iso(), "queued_at": None}


def _release_changes(*, requeue: bool) -> dict[str, Any]:
    return {"assignee": None, "assignee_name": None, "assigned_at": None, "queued_at": iso() if requeue else None}


def _holder_condition(item: ConversationItem):  # -> Condition
    return state.held_by(item.assignee)


# ---------------------------------------------------------------- take / assign / transfer


def take(caller: Caller, conversation_id: str, *, confirm: bool = False) -> ActionOut:
    me, my_name = _me(caller)

    def decide(item: ConversationItem) -> Plan | None:
        if item.status == "closed":
            raise _closed()
        if item.assignee == me:
            return None
        previous = item.assignee
        if previous and not confirm:
            raise _taken(item, caller)
        if previous and not state.is_supervisor(caller):
            raise Forbidden("Solo un supervisor puede quitarle la conversación a otro agente. / "
                            "Only a supervisor can take a conversation over from another agent.",
                            code="permission_denied", details={"required": "conversations:manage",
                                                               **_holder_details(item, caller)})
        return Plan(changes=_claim_changes(me, my_name), condition=_holder_condition(item), claim={me: None},
                    release=[previous] if previous else [],
                    events=[conversation_event(item, cat.CONVERSATION_TAKEN, caller,
                                               {"assignee": me, "assignee_name": my_name,
                                                "previous_assignee": previous, "forced": bool(previous)})])

    item, plan = holders.mutate(caller.tenant_id, conversation_id, decide)
    return out(item, plan.changes if plan else None)


def assign(caller: Caller, conversation_id: str, user_id: str | None) -> ActionOut:
    """A supervisor gives the conversation to an agent (or to nobody: back to the queue)."""
    if user_id is None:
        return unassign(caller, conversation_id)
    target, target_name = _target_agent(caller.tenant_id, user_id)

    def decide(item: ConversationItem) -> Plan | None:
        if item.status == "closed":
            raise _closed()
        if item.assignee == target:
            return None
        previous = item.assignee
        return Plan(changes=_claim_changes(target, target_name), condition=_holder_condition(item),
                    claim={target: None}, release=[previous] if previous else [],
                    events=[conversation_event(item, cat.CONVERSATION_ASSIGNED, caller,
                                               {"assignee": target, "assignee_name": target_name,
                                                "previous_assignee": previous})])

    item, plan = holders.mutate(caller.tenant_id, conversation_id, decide)
    return out(item, plan.changes if plan else None)


def unassign(caller: Caller, conversation_id: str) -> ActionOut:
    """Back to the unassigned queue; agents may release what they hold, supervisors anything."""

    def decide(item: ConversationItem) -> Plan | None:
        _ensure_visible(caller, item)
        if item.status == "closed":
            raise _closed()
        if item.assignee is None:
            return None
        previous = item.assignee
        return Plan(changes=_release_changes(requeue=True), condition=_holder_condition(item), release=[previous],
                    events=[conversation_event(item, cat.CONVERSATION_UNASSIGNED, caller,
                                               {"previous_assignee": previous})])

    item, plan = holders.mutate(caller.tenant_id, conversation_id, decide)
    return out(item, plan.changes if plan else None)


def transfer(caller: Caller, conversation_id: str, *, user_id: str | None, team_id: str | None,
             note: str | None) -> ActionOut:
    """To an agent (who holds it at once) and/or to a team (whose members get it by auto-assignment)."""
    from skailan.conversations.inbox import teams

    target: tuple[str, str | None] | None = _target_agent(caller.tenant_id, user_id) if user_id else None
    if team_id and teams.find_team(caller.tenant_id, team_id) is None:
        raise Unprocessable("Ese equipo no existe en esta marca. / That team does not exist in this brand.",
                            code="team_not_in_brand", details=[{"field": "team_id", "error": "unknown team"}])

    def decide(item: ConversationItem) -> Plan | None:
        _ensure_visible(caller, item)
        if item.status == "closed":
            raise _closed()
        previous = item.assignee
        changes: dict[str, Any] = {}
        if team_id:
            changes["team_id"] = team_id
        claim: dict[str, int | None] = {}
        release = []
        if target is not None:
            if target[0] != previous:
                changes.update(_claim_changes(*target))
                claim[target[0]] = None
                if previous:
                    release.append(previous)
        elif previous:
            changes.update(_release_changes(requeue=True))
            release.append(previous)
        else:
            changes["queued_at"] = iso()
        data = {"assignee": target[0] if target else None, "assignee_name": target[1] if target else None,
                "team_id": team_id, "previous_assignee": previous, "previous_team_id": item.team_id, "note": note}
        return Plan(changes=changes, condition=_holder_condition(item), claim=claim, release=release,
                    events=[conversation_event(item, cat.CONVERSATION_TRANSFERRED, caller, data)])

    item, plan = holders.mutate(caller.tenant_id, conversation_id, decide)
    if note:
        _save_note(caller, item, note, mentions=[target[0]] if target and target[0] != caller.principal_id else [],
                   record_history=False)
    if target and target[0] != caller.principal_id:
        from skailan.conversations.inbox import notifications

        notifications.notify(caller.tenant_id, target[0], "assigned", conversation_id=conversation_id,
                             text=f"{caller.name or caller.email} te transfirió una conversación. / "
                                  f"{caller.name or caller.email} transferred a conversation to you.",
                             data={"note": note} if note else None)
    return out(item, plan.changes if plan else None)


# ---------------------------------------------------------------- close / reopen / status

# The waits a closed conversation no longer has (deleted in the close's own transaction).
CLOSE_ENDS_TIMERS = ("inactivity", "snooze", "unassigned", "assign_retry")


def close(caller: Caller | None, tenant_id: str, conversation_id: str, reason_id: str | None, *,
          note: str | None = None, actor_name: str | None = None) -> ActionOut:
    """Close with one of the brand's close reasons (mandatory)."""
    from skailan.tenancy import close_reasons

    reasons = close_reasons.list_reasons(tenant_id)
    allowed = [{"id": r.id, "name": r.name} for r in reasons]
    if not reason_id:
        raise Unprocessable(
            "Elige un motivo de cierre: es obligatorio. / Pick a close reason: it is mandatory.",
            code="close_reason_required",
            details=[{"field": "reason_id", "error": "required", "allowed": allowed}],
        )
    reason = next((r for r in reasons if r.id == reason_id), None)
    if reason is None:
        raise Unprocessable(
            f"El motivo de cierre '{reason_id}' no existe. / Close reason '{reason_id}' does not exist.",
            code="unknown_close_reason",
            details=[{"field": "reason_id", "error": "unknown close reason", "allowed": allowed}],
        )

    def decide(item: ConversationItem) -> Plan | None:
        if caller is not None:
            _ensure_visible(caller, item)
        if item.status == "closed":
            raise _closed()
        now = iso()
        holder = item.assignee
        opened = item.reopened_at or item.opened_at or item.created_at
        resolution_ms = _ms_between(opened, now)
        changes = {"status": "closed", "closed_at": now, "close_reason_id": reason.id,
                   "closed_by": caller.principal_id if caller else (actor_name or "system"),
                   "last_assignee": holder, "snoozed_until": None, "waiting_since": None,
                   **_release_changes(requeue=False)}
        data = {"reason_id": reason.id, "reason_name": reason.name, "assignee": holder,
                "team_id": item.team_id, "resolution_ms": resolution_ms, "note": note,
                "bot_handled": bool(item.bot_handled), "automatic": caller is None}
        return Plan(changes=changes, condition=state.not_closed(), release=[holder] if holder else [],
                    events=[conversation_event(item, cat.CONVERSATION_CLOSED, caller, data, actor_name=actor_name)],
                    cancel_timers=[(kind, conversation_id) for kind in CLOSE_ENDS_TIMERS])

    item, plan = holders.mutate(tenant_id, conversation_id, decide)
    return out(item, plan.changes if plan else None)


def _ms_between(start: str | None, end: str) -> int | None:
    if not start:
        return None
    return max(0, int((parse_iso(end) - parse_iso(start)).total_seconds() * 1000))


def reopen(caller: Caller, conversation_id: str) -> ActionOut:
    """Reopen a closed conversation; whoever reopens it holds it."""
    me, my_name = _me(caller)

    def decide(item: ConversationItem) -> Plan | None:
        _ensure_visible(caller, item)
        if item.status != "closed":
            raise Conflict("La conversación no está cerrada. / The conversation is not closed.",
                           code="conversation_not_closed")
        changes = {"status": "open", "reopened_at": iso(), "close_reason_id": None, "closed_by": None,
                   "closed_at": None, "last_assignee": None, "awaiting_rating_until": None,
                   **_claim_changes(me, my_name)}
        return Plan(changes=changes, condition=state.has_status("closed") & state.held_by(None),
                    claim={me: None},
                    events=[conversation_event(item, cat.CONVERSATION_REOPENED, caller,
                                               {"assignee": me, "assignee_name": my_name, "manual": True})])

    item, plan = holders.mutate(caller.tenant_id, conversation_id, decide)
    return out(item, plan.changes if plan else None)


def set_status(caller: Caller, conversation_id: str, status: str) -> ActionOut:
    """open ↔ pending (waiting on the customer)."""

    def decide(item: ConversationItem) -> Plan | None:
        _ensure_visible(caller, item)
        if item.status == "closed":
            raise _closed()
        if item.status == status and not item.snoozed_until:
            return None
        return Plan(changes={"status": status, "snoozed_until": None},
                    condition=state.has_status("open", "pending"),
                    events=[conversation_event(item, cat.CONVERSATION_STATUS_CHANGED, caller,
                                               {"status": status, "previous": state.status_of(item)})])

    item, plan = holders.mutate(caller.tenant_id, conversation_id, decide)
    return out(item, plan.changes if plan else None)


# ---------------------------------------------------------------- snooze, pin, priority, tags


def _parse_future(value: str) -> datetime:
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
        when.astimezone(UTC)
    except (ValueError, OverflowError) as err:
        raise Unprocessable("Fecha no válida (ISO-8601). / Invalid date (ISO-8601).", code="validation_error",
                            details=[{"field": "until", "error": "not an ISO-8601 date-time"}]) from err
    if when.tzinfo is None:
        raise Unprocessable("Incluye la zona horaria. / Include the time zone.", code="validation_error",
                            details=[{"field": "until", "error": "time zone required"}])
    when = when.astimezone(UTC)
    if when <= utcnow():
        raise Unprocessable("La fecha debe ser futura. / The date must be in the future.", code="validation_error",
                            details=[{"field": "until", "error": "must be in the future"}])
    return when


def snooze(caller: Caller, conversation_id: str, until: str) -> ActionOut:
    when = iso(_parse_future(until))

    def decide(item: ConversationItem) -> Plan | None:
        _ensure_visible(caller, item)
        if item.status == "closed":
            raise _closed()
        return Plan(changes={"snoozed_until": when}, condition=state.not_closed(),
                    events=[conversation_event(item, cat.CONVERSATION_SNOOZED, caller, {"until": when})])

    item, plan = holders.mutate(caller.tenant_id, conversation_id, decide)
    timers.schedule(caller.tenant_id, "snooze", conversation_id, when, {"until": when})
    return out(item, plan.changes if plan else None)


def wake(tenant_id: str, conversation_id: str, *, reason: str, expected_until: str | None = None) -> bool:
    """Un-snooze (the snooze ended or the customer wrote); False when it was not snoozed."""

    def decide(item: ConversationItem) -> Plan | None:
        if not item.snoozed_until or item.status == "closed":
            return None
        if expected_until and item.snoozed_until != expected_until:
            return None
        return Plan(changes={"snoozed_until": None},
                    events=[conversation_event(item, cat.CONVERSATION_WOKE, None, {"reason": reason},
                                               actor_name="snooze")])

    _, plan = holders.mutate(tenant_id, conversation_id, decide)
    return plan is not None


def set_pinned(caller: Caller, conversation_id: str, pinned: bool) -> ActionOut:
    def decide(item: ConversationItem) -> Plan | None:
        _ensure_visible(caller, item)
        if bool(item.pinned) == pinned:
            return None
        return Plan(changes={"pinned": pinned or None},
                    events=[conversation_event(item, cat.CONVERSATION_PINNED if pinned else cat.CONVERSATION_UNPINNED,
                                               caller)])

    item, plan = holders.mutate(caller.tenant_id, conversation_id, decide)
    return out(item, plan.changes if plan else None)


def set_priority(caller: Caller, conversation_id: str, priority: str) -> ActionOut:
    def decide(item: ConversationItem) -> Plan | None:
        _ensure_visible(caller, item)
        if (item.priority or "normal") == priority:
            return None
        return Plan(changes={"priority": None if priority == "normal" else priority},
                    events=[conversation_event(item, cat.CONVERSATION_PRIORITY_CHANGED, caller,
                                               {"priority": priority, "previous": item.priority or "normal"})])

    item, plan = holders.mutate(caller.tenant_id, conversation_id, decide)
    return out(item, plan.changes if plan else None)


def change_tags(caller: Caller, conversation_id: str, add: list[str], remove: list[str]) -> ActionOut:
    add_set = {normalize_tag(t) for t in add}
    remove_set = {normalize_tag(t) for t in remove}

    def decide(item: ConversationItem) -> Plan | None:
        _ensure_visible(caller, item)
        current = set(item.tags or ())
        new = (current | add_set) - remove_set
        if len(new) > 30:
            raise Unprocessable("Máximo 30 etiquetas por conversación. / At most 30 tags per conversation.",
                                code="too_many_tags")
        if new == current:
            return None
        return Plan(changes={"tags": new or None},
                    events=[conversation_event(item, cat.CONVERSATION_TAGS_CHANGED, caller,
                                               {"added": sorted(new - current), "removed": sorted(current - new),
                                                "tags": sorted(new)})])

    item, plan = holders.mutate(caller.tenant_id, conversation_id, decide)
    return out(item, plan.changes if plan else None)


# ---------------------------------------------------------------- notes, read/unread


def _save_note(caller: Caller, item: ConversationItem, text: str, *, mentions: list[str],
               record_history: bool = True) -> NoteOut:
    from skailan.conversations.inbox import notifications
    from skailan.conversations.store import notes
    from skailan.platform.ids import new_id

    note_id = new_id()
    now = iso()
    event = conversation_event(item, cat.CONVERSATION_NOTE_ADDED, caller,
                               {"note_id": note_id, "text": text[:500], "mentions": mentions})
    note = notes.add_note(item.tenant_id, item.conversation_id, note_id, event, record_history=record_history,
                          text=text, author_id=caller.principal_id, author_name=caller.name or caller.email,
                          mentions=mentions, created_at=now)
    who = caller.name or caller.email or caller.principal_id
    for user_id in mentions:
        if user_id == caller.principal_id:
            continue
        notifications.notify(item.tenant_id, user_id, "mentioned", conversation_id=item.conversation_id,
                             text=f"{who} te mencionó en una nota. / {who} mentioned you in a note.",
                             data={"note_id": note_id, "excerpt": text[:200]})
    return NoteOut(id=note_id, conversation_id=item.conversation_id, text=text, author_id=note.author_id,
                   author_name=note.author_name, mentions=mentions, created_at=now)


def add_note(caller: Caller, conversation_id: str, data: NoteIn) -> NoteOut:
    from skailan.tenancy import member_reads

    item = state.load(caller.tenant_id, conversation_id)
    _ensure_visible(caller, item)
    mentions = list(dict.fromkeys(data.mentions))
    unknown = [u for u in mentions if (m := member_reads.find_member(caller.tenant_id, u)) is None or m.status != "active"]
    if unknown:
        raise Unprocessable("Mencionaste usuarios que no son de la marca. / You mentioned users outside the brand.",
                            code="unknown_mentions",
                            details=[{"field": "mentions", "error": "not a member of this brand", "user_id": u}
                                     for u in unknown])
    return _save_note(caller, item, data.text, mentions=mentions)


def list_notes(caller: Caller, conversation_id: str, *, cursor: str | None, limit: int | None):
    from skailan.conversations.inbox.action_models import Page
    from skailan.conversations.store import notes

    _ensure_visible(caller, state.load(caller.tenant_id, conversation_id))
    found, next_cursor = notes.page_of_notes(caller.tenant_id, conversation_id, cursor=cursor, limit=limit)
    items = [NoteOut(id=n.note_id, conversation_id=n.conversation_id, text=n.text, author_id=n.author_id,
                     author_name=n.author_name, mentions=[str(m) for m in n.mentions or []], created_at=n.created_at)
             for n in found]
    return Page[NoteOut](items=items, next_cursor=next_cursor)


def mark_read(caller: Caller, conversation_id: str, read: bool) -> ActionOut:
    from skailan.conversations.store import notes

    item = state.load(caller.tenant_id, conversation_id)
    _ensure_visible(caller, item)
    now = iso()
    # The holder (or anyone, while nobody holds it) read it: the conversation's own unread count resets.
    clear_unread = bool(read and item.assignee in (None, caller.principal_id) and item.unread_count)
    event = conversation_event(item, cat.CONVERSATION_READ if read else cat.CONVERSATION_UNREAD, caller,
                               {"user_id": caller.principal_id})
    notes.mark_read(caller.tenant_id, caller.principal_id, conversation_id, event, read_at=now if read else None,
                    at=now, clear_unread=clear_unread)
    if clear_unread:
        item.unread_count = 0
    return out(item)


def read_markers(tenant_id: str, user_id: str, conversation_ids: list[str]) -> dict[str, str | None]:
    """conversation id → when `user_id` last read it (None: never, or marked unread)."""
    from skailan.conversations.store import notes

    return notes.read_markers(tenant_id, user_id, conversation_ids)


def record_conversation_event(item: ConversationItem, type_: str, data: dict[str, Any], *, actor_name: str) -> None:
    """A system event about a conversation and its history entry, one transaction (no conversation write)."""
    from skailan.conversations.store import history

    event = conversation_event(item, type_, None, data, actor_name=actor_name)
    history.record_with_event(event, item.conversation_id)

