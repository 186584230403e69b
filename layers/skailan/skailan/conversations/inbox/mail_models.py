"""Request / response models of the e-mail module (`/v1/email/...`)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, model_validator

from skailan.platform.ids import ID_MAX_LENGTH, ID_PATTERN
from skailan.platform.models import RequestModel, ResponseModel
from skailan.platform.patching import NoNulls

AccountId = Annotated[str, Field(min_length=1, max_length=ID_MAX_LENGTH, pattern=ID_PATTERN)]
Html = Annotated[str, Field(min_length=1, max_length=200_000)]
Subject = Annotated[str, Field(min_length=1, max_length=998)]


class EmailTemplateIn(RequestModel):
    name: Annotated[str, Field(min_length=1, max_length=120)]
    subject: Subject | None = None
    html: Html | None = None  # written or imported; stored sanitised
    text: Annotated[str, Field(min_length=1, max_length=100_000)] | None = None

    @model_validator(mode="after")
    def _content(self) -> EmailTemplateIn:
        if not self.html and not self.text:
            raise ValueError("send html or text")
        return self


class EmailTemplateUpdateIn(NoNulls):
    nullable_fields = frozenset({"subject", "text"})

    name: Annotated[str, Field(min_length=1, max_length=120)] | None = None
    subject: Subject | None = None
    html: Html | None = None
    text: Annotated[str, Field(min_length=1, max_length=100_000)] | None = None


class EmailTemplateOut(ResponseModel):
    id: str
    name: str
    subject: str | None = None
    html: str | None = None
    text: str | None = None
    merge_fields: list[str] = Field(default_factory=list)
    sanitized: bool = False  # on save: the sanitiser changed the HTML (something unsafe was taken out)
    created_at: str | None = None
    updated_at: str | None = None


class RenderIn(RequestModel):
    conversation_id: Annotated[str, Field(min_length=1, max_length=ID_MAX_LENGTH, pattern=ID_PATTERN)]


class RenderOut(ResponseModel):
    template_id: str
    conversation_id: str
    subject: str | None = None
    html: str | None = None
    text: str | None = None


class SignatureIn(RequestModel):
    html: Annotated[str, Field(max_length=20_000)] | None = None
    text: Annotated[str, Field(max_length=5_000)] | None = None
    enabled: bool = True


class SignatureOut(ResponseModel):
    scope: str  # "brand" | "user"
    html: str | None = None
    text: str | None = None
    enabled: bool = False
    updated_at: str | None = None


class AutoResponseIn(RequestModel):
    enabled: bool
    subject: Subject | None = None
    text: Annotated[str, Field(min_length=1, max_length=20_000)] | None = None
    html: Annotated[str, Field(min_length=1, max_length=100_000)] | None = None
    # At most one automatic reply per sender in this many days (RFC 3834 §2: "not more than once
    # within a period of several days").
    once_every_days: Annotated[int, Field(ge=1, le=90)] = 4

    @model_validator(mode="after")
    def _content(self) -> AutoResponseIn:
        if self.enabled and not (self.text or self.html):
            raise ValueError("an enabled auto-response needs text or html")
        return self


class AutoResponseOut(ResponseModel):
    account_id: str
    enabled: bool = False
    subject: str | None = None
    text: str | None = None
    html: str | None = None
    once_every_days: int = 4
    updated_at: str | None = None


class FollowUpIn(RequestModel):
    conversation_id: Annotated[str, Field(min_length=1, max_length=ID_MAX_LENGTH, pattern=ID_PATTERN)]
    after_days: Annotated[int, Field(ge=1, le=90)] | None = None
    after_hours: Annotated[int, Field(ge=1, le=2160)] | None = None
    text: Annotated[str, Field(min_length=1, max_length=20_000)] | None = None
    html: Annotated[str, Field(min_length=1, max_length=100_000)] | None = None
    subject: Subject | None = None
    template_id: Annotated[str, Field(min_length=1, max_length=ID_MAX_LENGTH, pattern=ID_PATTERN)] | None = None

    @model_validator(mode="after")
    def _when_and_what(self) -> FollowUpIn:
        if (self.after_days is None) == (self.after_hours is None):
            raise ValueError("send exactly one of after_days or after_hours")
        if not (self.text or self.html or self.template_id):
            raise ValueError("send text, html or template_id")
        return self


class FollowUpOut(ResponseModel):
    conversation_id: str
    due_at: str
    subject: str | None = None
    text: str | None = None
    html: str | None = None
    scheduled_by: str | None = None
    scheduled_at: str | None = None
