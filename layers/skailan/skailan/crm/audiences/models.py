"""API models of static lists, dynamic segments and people exports."""

from typing import Annotated, Any

from pydantic import Field

from skailan.crm.values.types import RefId, Tag
from skailan.platform.models import RequestModel, ResponseModel

# ---------------------------------------------------------------- lists and segments


class ListIn(RequestModel):
    name: Annotated[str, Field(min_length=1, max_length=120)]
    description: Annotated[str, Field(max_length=500)] | None = None


class ListUpdateIn(RequestModel):
    name: Annotated[str, Field(min_length=1, max_length=120)] | None = None
    description: Annotated[str, Field(max_length=500)] | None = None


class ListOut(ResponseModel):
    id: str
    name: str
    description: str | None = None
    count: int
    created_at: str | None = None


class MembersIn(RequestModel):
    person_ids: Annotated[list[RefId], Field(min_length=1, max_length=100)]


class MembersResultOut(ResponseModel):
    changed: int
    unchanged: int
    not_found: list[str]


class SegmentIn(RequestModel):
    name: Annotated[str, Field(min_length=1, max_length=120)]
    description: Annotated[str, Field(max_length=500)] | None = None
    rule: dict[str, Any]


class SegmentUpdateIn(RequestModel):
    name: Annotated[str, Field(min_length=1, max_length=120)] | None = None
    description: Annotated[str, Field(max_length=500)] | None = None
    rule: dict[str, Any] | None = None


class SegmentPreviewIn(RequestModel):
    rule: dict[str, Any]


class SegmentOut(ResponseModel):
    id: str
    name: str
    description: str | None = None
    rule: dict[str, Any]
    count: int
    status: str
    created_at: str | None = None
    updated_at: str | None = None


class SegmentPreviewOut(ResponseModel):
    count: int
    scanned: int  # people evaluated
    complete: bool = True  # false: the time budget ran out after `scanned` people; `count` is so far


# ---------------------------------------------------------------- exports


class ExportIn(RequestModel):
    q: Annotated[str, Field(max_length=200)] | None = None
    tag: Tag | None = None
    journey_state: RefId | None = None
    owner_id: RefId | None = None  # a user id, or `me`
    customer_role: RefId | None = None
    list_id: RefId | None = None
    segment_id: RefId | None = None
    created_from: Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}")] | None = None
    created_to: Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}")] | None = None
    updated_from: Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}")] | None = None
    updated_to: Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}")] | None = None


class ExportCreatedOut(ResponseModel):
    id: str
    status: str


class ExportOut(ResponseModel):
    id: str
    status: str
    rows: int
    download_url: str | None = None
    error: str | None = None
    created_at: str | None = None
