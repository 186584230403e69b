"""Conversation actions (`/v1/conversations/{id}/take|assign|transfer|close|…`): routers the
conversations API function includes. Only the action models are imported here, services inside
the handlers (cold start)."""

from __future__ import annotations

from typing import Annotated, Literal

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from skailan.conversations.inbox.action_models import (
    ActionOut,
    AssignIn,
    CloseIn,
    HistoryEntryOut,
    NoteIn,
    NoteOut,
    Page,
    PinIn,
    PriorityIn,
    ReadIn,
    SnoozeIn,
    StatusIn,
    TagsIn,
    TakeIn,
    TransferIn,
)
from skailan.platform.api import Cursor, Limit
from skailan.platform.api import PathId as Id
from skailan.platform.auth import current_caller
from skailan.tenancy.access import requires

EDIT = [requires("conversations:edit")]
MANAGE = [requires("conversations:manage")]
TAGS = ["inbox"]

# ---------------------------------------------------------------- conversation actions
actions_router = Router()


@actions_router.post("/v1/conversations/<conversation_id>/take", middlewares=EDIT, tags=TAGS)
def take(conversation_id: Id, body: TakeIn | None = None) -> ActionOut:
    """Take the conversation. 409 `conversation_taken` names the holder in `error.details.holder`;
    a supervisor may take it over with `{"confirm": true}`."""
    from skailan.conversations.inbox import actions

    return actions.take(current_caller(), conversation_id, confirm=bool(body and body.confirm))


@actions_router.post("/v1/conversations/<conversation_id>/assign", middlewares=MANAGE, tags=TAGS)
def assign(conversation_id: Id, body: AssignIn) -> ActionOut:
    """Give it to an agent of this brand (`user_id`), or to nobody (`null`: back to the queue)."""
    from skailan.conversations.inbox import actions

    return actions.assign(current_caller(), conversation_id, body.user_id)


@actions_router.post("/v1/conversations/<conversation_id>/unassign", middlewares=EDIT, tags=TAGS)
def unassign(conversation_id: Id) -> ActionOut:
    from skailan.conversations.inbox import actions

    return actions.unassign(current_caller(), conversation_id)


@actions_router.post("/v1/conversations/<conversation_id>/transfer", middlewares=EDIT, tags=TAGS)
def transfer(conversation_id: Id, body: TransferIn) -> ActionOut:
    """To an agent (`user_id`) and/or a team (`team_id`), with an optional note for them."""
    from skailan.conversations.inbox import actions

    return actions.transfer(current_caller(), conversation_id, user_id=body.user_id, team_id=body.team_id,
                            note=body.note)


@actions_router.post("/v1/conversations/<conversation_id>/close", middlewares=EDIT, tags=TAGS)
def close(conversation_id: Id, body: CloseIn | None = None) -> ActionOut:
    """Close with a close reason of the brand (`GET /v1/admin/close-reasons`); without one: 422."""
    from skailan.conversations.inbox import actions

    caller = current_caller()
    return actions.close(caller, caller.tenant_id, conversation_id, body.reason_id if body else None,
                         note=body.note if body else None)


@actions_router.post("/v1/conversations/<conversation_id>/reopen", middlewares=EDIT, tags=TAGS)
def reopen(conversation_id: Id) -> ActionOut:
    from skailan.conversations.inbox import actions

    return actions.reopen(current_caller(), conversation_id)


@actions_router.post("/v1/conversations/<conversation_id>/snooze", middlewares=EDIT, tags=TAGS)
def snooze(conversation_id: Id, body: SnoozeIn) -> ActionOut:
    """Hide it until `until` (ISO-8601 with zone); a customer message wakes it earlier."""
    from skailan.conversations.inbox import actions

    return actions.snooze(current_caller(), conversation_id, body.until)


@actions_router.post("/v1/conversations/<conversation_id>/unsnooze", middlewares=EDIT, tags=TAGS)
def unsnooze(conversation_id: Id) -> ActionOut:
    from skailan.conversations.inbox import actions
    from skailan.conversations.store import state

    caller = current_caller()
    state.load_visible(caller, conversation_id)
    actions.wake(caller.tenant_id, conversation_id, reason="manual")
    return actions.out(state.load(caller.tenant_id, conversation_id))


@actions_router.post("/v1/conversations/<conversation_id>/status", middlewares=EDIT, tags=TAGS)
def set_status(conversation_id: Id, body: StatusIn) -> ActionOut:
    """open, or pending (waiting on the customer)."""
    from skailan.conversations.inbox import actions

    return actions.set_status(current_caller(), conversation_id, body.status)


@actions_router.post("/v1/conversations/<conversation_id>/pin", middlewares=EDIT, tags=TAGS)
def pin(conversation_id: Id, body: PinIn | None = None) -> ActionOut:
    from skailan.conversations.inbox import actions

    return actions.set_pinned(current_caller(), conversation_id, body.pinned if body else True)


@actions_router.post("/v1/conversations/<conversation_id>/priority", middlewares=EDIT, tags=TAGS)
def priority(conversation_id: Id, body: PriorityIn) -> ActionOut:
    from skailan.conversations.inbox import actions

    return actions.set_priority(current_caller(), conversation_id, body.priority)


@actions_router.post("/v1/conversations/<conversation_id>/tags", middlewares=EDIT, tags=TAGS)
def tags(conversation_id: Id, body: TagsIn) -> ActionOut:
    from skailan.conversations.inbox import actions

    return actions.change_tags(current_caller(), conversation_id, body.add, body.remove)


@actions_router.post("/v1/conversations/<conversation_id>/notes", status_code=201, middlewares=EDIT, tags=TAGS)
def add_note(conversation_id: Id, body: NoteIn) -> NoteOut:
    """An internal note (never sent to the customer); each user in `mentions` is notified."""
    from skailan.conversations.inbox import actions

    return actions.add_note(current_caller(), conversation_id, body)


@actions_router.get("/v1/conversations/<conversation_id>/notes", middlewares=[requires("conversations:view")],
                    tags=TAGS)
def list_notes(conversation_id: Id, cursor: Cursor = None, limit: Limit = None) -> Page[NoteOut]:
    from skailan.conversations.inbox import actions

    return actions.list_notes(current_caller(), conversation_id, cursor=cursor, limit=limit)


@actions_router.post("/v1/conversations/<conversation_id>/read", middlewares=EDIT, tags=TAGS)
def read(conversation_id: Id, body: ReadIn | None = None) -> ActionOut:
    """Mark read (default) or unread (`{"read": false}`) for the caller."""
    from skailan.conversations.inbox import actions

    return actions.mark_read(current_caller(), conversation_id, body.read if body else True)


@actions_router.get("/v1/conversations/<conversation_id>/history", middlewares=[requires("conversations:view")],
                    tags=TAGS)
def history(conversation_id: Id, cursor: Cursor = None, limit: Limit = None,
            order: Annotated[Literal["asc", "desc"], Query(description="asc: oldest first (default).")] = "asc",
            ) -> Page[HistoryEntryOut]:
    """Every inbox action on the conversation: taken, assigned, transferred, closed, notes…"""
    from skailan.conversations.store import history as history_
    from skailan.conversations.store import state

    caller = current_caller()
    state.load_visible(caller, conversation_id)
    return history_.list_history(caller.tenant_id, conversation_id, cursor=cursor, limit=limit,
                                 newest_first=order == "desc")


CONVERSATION_ROUTERS = [actions_router]
