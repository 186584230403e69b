"""API models of the CRM vocabulary: custom fields, tags, customer roles, journeys."""

from typing import Annotated, ClassVar, Literal

from pydantic import Field

from skailan.crm.values.types import Color, Tag
from skailan.platform.models import PatchModel, RequestModel, ResponseModel

# ---------------------------------------------------------------- definitions


class TagIn(RequestModel):
    name: Tag
    color: Color | None = None


class TagUpdateIn(PatchModel):
    """A new `name` renames the tag (its people follow, moved by the segments worker); null `color` clears it."""

    nullable: ClassVar[frozenset[str]] = frozenset({"color"})
    name: Tag | None = None
    color: Color | None = None


class TagOut(ResponseModel):
    name: str
    color: str | None = None
    count: int | None = None


class CustomerRoleIn(RequestModel):
    name: Annotated[str, Field(min_length=1, max_length=80)]
    description: Annotated[str, Field(max_length=300)] | None = None


class CustomerRoleUpdateIn(RequestModel):
    name: Annotated[str, Field(min_length=1, max_length=80)] | None = None
    description: Annotated[str, Field(max_length=300)] | None = None


class CustomerRoleOut(ResponseModel):
    id: str
    name: str
    description: str | None = None


class JourneyStateIn(RequestModel):
    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]{0,39}$")] | None = None
    name: Annotated[str, Field(min_length=1, max_length=60)]
    color: Color = "#6b7280"


class JourneyIn(RequestModel):
    name: Annotated[str, Field(min_length=1, max_length=80)]
    states: Annotated[list[JourneyStateIn], Field(min_length=1, max_length=30)]
    is_default: bool = False
    show_in_menu: bool = True
    position: Annotated[int, Field(ge=0, le=10_000)] = 0


class JourneyUpdateIn(RequestModel):
    name: Annotated[str, Field(min_length=1, max_length=80)] | None = None
    states: Annotated[list[JourneyStateIn], Field(min_length=1, max_length=30)] | None = None
    is_default: bool | None = None
    show_in_menu: bool | None = None
    position: Annotated[int, Field(ge=0, le=10_000)] | None = None


class JourneyStateOut(ResponseModel):
    id: str
    name: str
    color: str


class JourneyOut(ResponseModel):
    id: str
    name: str
    states: list[JourneyStateOut]
    is_default: bool
    show_in_menu: bool
    position: int


class FieldDefinitionBody(RequestModel):
    """The API shape of `crm.fields.FieldDefinitionIn` (which holds the rules and normalisation).

    Kept here so the API function does not import `crm.fields` — and `phonenumbers` with it —
    at cold start; the service validates the body again through `FieldDefinitionIn`.
    """

    key: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")] | None = None
    label: Annotated[str, Field(min_length=1, max_length=80)]
    order: Annotated[int, Field(ge=0, le=10_000)] = 0
    type: Literal["short_text", "long_text", "number", "date", "dropdown", "multi_select", "boolean", "url",
                  "email", "phone"]
    required: bool = False
    options: Annotated[list[str], Field(max_length=200)] = Field(default_factory=list)
    scope: Literal["application", "person"] = "application"


class FieldOut(ResponseModel):
    key: str
    label: str
    order: int
    type: str
    required: bool
    options: list[str]
    scope: str
