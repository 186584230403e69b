"""Request and response models of the CRM people API (separate from stored items): people,
identities, notes, timeline, merge, duplicates. The other resources' models live in
`models_vocabulary` (fields, tags, roles, journeys), `models_audiences` (lists, segments,
exports) and `models_businesses`, which the API function loads on first use — a request pays
for the schemas of its own resource, not for all of them, at cold start.

Phones, e-mails and custom values arrive as raw text and are normalised in the services,
where the brand's default country and field definitions are known; errors name the field.
"""

from typing import Annotated, Any

from pydantic import Field

from skailan.crm.values.types import MAX_TAGS, IdentityKind, Name, RawEmail, RawPhone, RefId, Tag
from skailan.platform.models import RequestModel, ResponseModel

# ---------------------------------------------------------------- people


class PeopleCountOut(ResponseModel):
    people_total: int  # live people in the brand (not deleted, not merged away)



class PersonIn(RequestModel):
    name: Name
    phone: RawPhone | None = None
    email: RawEmail | None = None
    custom: dict[str, Any] = Field(default_factory=dict)
    tags: Annotated[list[Tag], Field(max_length=MAX_TAGS)] = Field(default_factory=list)
    owner_id: RefId | None = None
    journey_state: RefId | None = None
    customer_role: RefId | None = None


class PersonPatchIn(RequestModel):
    """Only the fields sent change; `null` clears (phone/e-mail: as long as one remains)."""

    name: Name | None = None
    phone: RawPhone | None = None
    email: RawEmail | None = None
    custom: dict[str, Any] | None = None  # merged key by key; a null value clears that key
    tags: Annotated[list[Tag], Field(max_length=MAX_TAGS)] | None = None  # replaces the list
    owner_id: RefId | None = None
    journey_state: RefId | None = None
    customer_role: RefId | None = None


class IdentityOut(ResponseModel):
    kind: str
    value: str


class IdentityIn(RequestModel):
    kind: IdentityKind
    value: Annotated[str, Field(min_length=1, max_length=254)]


class PersonOut(ResponseModel):
    id: str
    name: str
    phone: str | None = None
    email: str | None = None
    custom: dict[str, Any] = Field(default_factory=dict)
    tags: list[str] = Field(default_factory=list)
    owner_id: str | None = None
    journey_state: str | None = None
    customer_role: str | None = None
    lead_status: str | None = None
    last_interaction_at: str | None = None
    identities: list[IdentityOut] = Field(default_factory=list)
    merged_into: str | None = None
    created_at: str | None = None
    updated_at: str | None = None


class MergeIn(RequestModel):
    other_id: RefId


class DuplicatePairOut(ResponseModel):
    reason: str
    key: str
    person_ids: list[str]


class NoteIn(RequestModel):
    body: Annotated[str, Field(min_length=1, max_length=10_000)]


class TimelineEntryOut(ResponseModel):
    id: str
    kind: str
    summary: str
    body: str | None = None
    ref: dict[str, Any] = Field(default_factory=dict)
    occurred_at: str
    author: dict[str, Any] | None = None
