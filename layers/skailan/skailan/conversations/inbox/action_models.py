"""Request and response models of the conversation actions (`/v1/conversations/{id}/…`).

Kept apart from `models.py` so the conversations API function imports only these (cold start).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from skailan.platform.ids import ID_MAX_LENGTH, ID_PATTERN, EntityId
from skailan.platform.models import RequestModel, ResponseModel

Priority = Literal["low", "normal", "high", "urgent"]
Tag = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[^\s#,][^#,]*$")]
UserId = Annotated[str, Field(min_length=1, max_length=ID_MAX_LENGTH, pattern=ID_PATTERN)]


class Page[T](ResponseModel):
    items: list[T]
    next_cursor: str | None = None


# ---------------------------------------------------------------- conversation actions


class TakeIn(RequestModel):
    confirm: bool = False


class AssignIn(RequestModel):
    user_id: UserId | None = None
    confirm: bool = False


class TransferIn(RequestModel):
    user_id: UserId | None = None
    team_id: EntityId | None = None
    note: Annotated[str, Field(max_length=2000)] | None = None

    @model_validator(mode="after")
    def _target(self) -> TransferIn:
        if not self.user_id and not self.team_id:
            raise ValueError("transfer to a user_id or a team_id")
        return self


class CloseIn(RequestModel):
    # Optional in the schema so a missing reason gets our own 422 naming the close reasons.
    reason_id: Annotated[str, Field(max_length=64)] | None = None
    note: Annotated[str, Field(max_length=2000)] | None = None


class SnoozeIn(RequestModel):
    until: Annotated[str, Field(max_length=40)]


class StatusIn(RequestModel):
    status: Literal["open", "pending"]


class PinIn(RequestModel):
    pinned: bool = True


class PriorityIn(RequestModel):
    priority: Priority


class TagsIn(RequestModel):
    add: Annotated[list[Tag], Field(max_length=20)] = Field(default_factory=list)
    remove: Annotated[list[Tag], Field(max_length=20)] = Field(default_factory=list)


class NoteIn(RequestModel):
    text: Annotated[str, Field(min_length=1, max_length=5000)]
    mentions: Annotated[list[UserId], Field(max_length=20)] = Field(default_factory=list)


class ReadIn(RequestModel):
    read: bool = True


class NoteOut(ResponseModel):
    id: str
    conversation_id: str
    text: str
    author_id: str | None = None
    author_name: str | None = None
    mentions: list[str] = Field(default_factory=list)
    created_at: str | None = None


class HistoryEntryOut(ResponseModel):
    id: str
    type: str
    occurred_at: str
    actor: dict[str, str | None]
    data: dict[str, object]


class ActionOut(ResponseModel):
    """What an action answers: the conversation's inbox state after it."""

    id: str
    status: str
    assignee: str | None = None
    assignee_name: str | None = None
    team_id: str | None = None
    priority: str = "normal"
    pinned: bool = False
    tags: list[str] = Field(default_factory=list)
    snoozed_until: str | None = None
    close_reason_id: str | None = None
    closed_at: str | None = None
    bot_handled: bool = False
    window_expires_at: str | None = None
