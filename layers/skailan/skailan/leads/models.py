"""Request and response models of the lead flow API (/v1/lead-flow)."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field

from skailan.platform.ids import EntityId
from skailan.platform.models import PatchModel, RequestModel, ResponseModel

LeadStatus = Literal["none", "in_progress", "completed"]
Outcome = Literal["positive", "negative", "partial", "unclassified"]
Provider = Literal["local", "bedrock", "openai"]
Tag = Annotated[str, Field(min_length=1, max_length=50, pattern=r"^[^#]+$")]
# What the queue shows of each lead beyond name and contact: standard facets or a custom field.
DisplayField = Annotated[str, Field(pattern=r"^(tags|lists|owner|journey_state|email|phone|custom\.[A-Za-z0-9_-]{1,64})$")]
RoleKey = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z0-9_-]+$")]
NoteText = Annotated[str, Field(min_length=1, max_length=5000)]
ModelId = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9._:/-]+$")]

DEFAULT_RESERVE_ROLES = ["operator"]


class LeadPage[T](ResponseModel):
    items: list[T]
    next_cursor: str | None = None


# ---------------------------------------------------------------- settings


class LeadAiSettings(RequestModel):
    enabled: bool = False
    provider: Provider = "local"
    model_id: ModelId | None = None
    # Write-only: stored in Secrets Manager (skailan/<stage>/leads/<brand>/openai), never returned.
    openai_api_key: Annotated[str, Field(min_length=20, max_length=300)] | None = None


class LeadSettingsIn(RequestModel):
    list_ids: Annotated[list[EntityId], Field(max_length=50)] = Field(default_factory=list)
    display_fields: Annotated[list[DisplayField], Field(max_length=20)] = Field(default_factory=list)
    reserve_roles: Annotated[list[RoleKey], Field(max_length=20)] = Field(
        default_factory=lambda: list(DEFAULT_RESERVE_ROLES))
    ai: LeadAiSettings = Field(default_factory=LeadAiSettings)


class LeadAiSettingsOut(ResponseModel):
    enabled: bool
    provider: Provider
    model_id: str | None = None
    openai_key_set: bool = False  # whether a key is stored; the key itself is never returned


class LeadSettingsOut(ResponseModel):
    list_ids: list[str]
    display_fields: list[str]
    reserve_roles: list[str]
    ai: LeadAiSettingsOut
    updated_at: str | None = None


# ---------------------------------------------------------------- queue and notes


class LeadPersonRef(ResponseModel):
    id: str
    name: str
    email: str | None = None
    phone: str | None = None


class LeadUserRef(ResponseModel):
    id: str
    name: str | None = None


class LeadLastNoteOut(ResponseModel):
    id: str
    text: str
    author: LeadUserRef
    created_at: str
    outcome: Outcome | None = None


class LeadOut(ResponseModel):
    person: LeadPersonRef
    lead_status: LeadStatus
    last_note: LeadLastNoteOut | None = None
    reserved_by: LeadUserRef | None = None
    notes_count: int = 0
    # The settings' display_fields, each with the lead's value (tags/lists: lists; custom.<key>: the value).
    display: dict[str, Any] = Field(default_factory=dict)


class LeadNoteIn(RequestModel):
    text: NoteText | None = None
    template_id: EntityId | None = None
    close: bool = False
    # The operator's own outcome: stored with source "operator" and never overwritten by the AI.
    outcome: Outcome | None = None
    # The client's id for this note (e.g. a UUID per composer submission): the same id sent again
    # (a retry after a timeout) answers the note it created instead of writing a second one.
    client_note_id: EntityId | None = None


class LeadNoteOut(ResponseModel):
    id: str
    person_id: str
    text: str
    template_id: str | None = None
    author: LeadUserRef
    created_at: str
    closed: bool = False
    outcome: Outcome | None = None
    outcome_source: Literal["operator", "ai"] | None = None
    outcome_model: str | None = None
    lead_status: LeadStatus
    tags_applied: list[str] = Field(default_factory=list)


class LeadReassignIn(RequestModel):
    user_id: EntityId


# ---------------------------------------------------------------- templates


class NoteTemplateIn(RequestModel):
    title: Annotated[str, Field(min_length=1, max_length=100)]
    text: NoteText
    tags: Annotated[list[Tag], Field(max_length=20)] = Field(default_factory=list)


class NoteTemplatePatchIn(PatchModel):
    nullable: ClassVar[frozenset[str]] = frozenset()

    title: Annotated[str, Field(min_length=1, max_length=100)] | None = None
    text: NoteText | None = None
    tags: Annotated[list[Tag], Field(max_length=20)] | None = None


class NoteTemplateOut(ResponseModel):
    id: str
    title: str
    text: str
    tags: list[str]
    created_at: str | None = None
    updated_at: str | None = None


# ---------------------------------------------------------------- reports


class LeadReportTotals(ResponseModel):
    calls: int
    unique_leads: int
    closed: int


class LeadReportGroup(ResponseModel):
    key: str  # operator id | hour "00"-"23" | outcome
    label: str | None = None  # the operator's name
    calls: int = 0
    closed: int = 0
    unique_leads: int | None = None
    outcomes: dict[str, int] = Field(default_factory=dict)
    by_hour: dict[str, int] | None = None  # operator groups: calls per local hour (the heat map)


class LeadReportOut(ResponseModel):
    totals: LeadReportTotals
    groups: list[LeadReportGroup]
    outcomes: dict[str, int]
    time_zone: str
    date_from: str
    date_to: str
