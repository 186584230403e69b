"""Request and response models of the tenancy API (separate from stored items)."""


import re
import zoneinfo
from typing import Annotated, Literal

from pydantic import Field, HttpUrl, field_validator

from skailan.platform.auth import is_valid_permission
from skailan.platform.models import EmailAddress, PatchModel, RequestModel, ResponseModel

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class TimeRange(RequestModel):
    start: str
    end: str

    @field_validator("start", "end")
    @classmethod
    def _hhmm(cls, value: str) -> str:
        if not _HHMM.match(value):
            raise ValueError("use HH:MM, 24-hour clock")
        return value

    def model_post_init(self, _context: object) -> None:
        if self.end <= self.start:
            raise ValueError("end must be after start")


class BrandSettingsIn(RequestModel):
    name: Annotated[str, Field(min_length=1, max_length=120)] | None = None
    logo_url: HttpUrl | None = None
    contact_email: EmailAddress | None = None
    contact_phone: Annotated[str, Field(max_length=40)] | None = None
    address: Annotated[str, Field(max_length=300)] | None = None
    website: HttpUrl | None = None
    time_zone: str | None = None
    language: Literal["es", "en", "pt"] | None = None
    default_country: Annotated[str, Field(pattern=r"^[A-Z]{2}$")] | None = None
    business_hours: dict[Weekday, list[TimeRange]] | None = None

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if value is not None and value not in zoneinfo.available_timezones():
            raise ValueError("unknown IANA time zone")
        return value


class BrandOut(ResponseModel):
    id: str
    name: str
    logo_url: str | None = None
    contact_email: str | None = None
    contact_phone: str | None = None
    address: str | None = None
    website: str | None = None
    time_zone: str
    language: str
    default_country: str
    business_hours: dict[str, list[dict[str, str]]]


RoleKey = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]{1,39}$")]


class InviteUserIn(RequestModel):
    email: EmailAddress
    name: Annotated[str, Field(min_length=1, max_length=120)] | None = None
    role: RoleKey


class UpdateUserIn(RequestModel):
    name: Annotated[str, Field(min_length=1, max_length=120)] | None = None
    role: RoleKey | None = None


class UserOut(ResponseModel):
    id: str
    email: str
    name: str | None = None
    role: str
    status: str
    created_at: str | None = None


class RoleIn(RequestModel):
    key: RoleKey
    name: Annotated[str, Field(min_length=1, max_length=80)]
    description: Annotated[str, Field(max_length=300)] | None = None
    permissions: list[str]

    @field_validator("permissions")
    @classmethod
    def _known(cls, value: list[str]) -> list[str]:
        if value is None:
            raise ValueError("permissions cannot be null")
        bad = [p for p in value if not is_valid_permission(p)]
        if bad:
            raise ValueError(f"unknown permissions: {', '.join(bad)} (use <module>:<view|edit|manage>)")
        return sorted(set(value))


class RoleUpdateIn(PatchModel):
    nullable = frozenset({"description"})

    name: Annotated[str, Field(min_length=1, max_length=80)] | None = None
    description: Annotated[str, Field(max_length=300)] | None = None
    permissions: list[str] | None = None

    _known = field_validator("permissions")(RoleIn._known.__func__)  # type: ignore[attr-defined]


class RoleOut(ResponseModel):
    key: str
    name: str
    description: str | None = None
    permissions: list[str]
    builtin: bool


class ApiKeyIn(RequestModel):
    name: Annotated[str, Field(min_length=1, max_length=80)]
    permissions: list[str]

    _known = field_validator("permissions")(RoleIn._known.__func__)  # type: ignore[attr-defined]


class ApiKeyOut(ResponseModel):
    id: str
    name: str
    hint: str
    permissions: list[str]
    created_at: str | None = None
    last_used_at: str | None = None
    revoked_at: str | None = None


class ApiKeyCreatedOut(ApiKeyOut):
    secret: str = Field(description="Shown once; store it now. / Se muestra una sola vez.")


Channel = Literal["whatsapp", "messenger", "instagram", "telegram", "sms", "email", "webchat"]


class ChannelAccountIn(RequestModel):
    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{2,63}$")] | None = None
    channel: Channel
    name: Annotated[str, Field(min_length=1, max_length=120)]
    external: dict[str, str] = Field(default_factory=dict)
    config: dict[str, object] = Field(default_factory=dict)
    credentials: dict[str, str] = Field(default_factory=dict)


class ChannelAccountOut(ResponseModel):
    id: str
    channel: str
    name: str
    status: str
    external: dict[str, str]
    config: dict[str, object]
    has_credentials: bool
    created_at: str | None = None


class CloseReasonIn(RequestModel):
    name: Annotated[str, Field(min_length=1, max_length=80)]
    name_en: Annotated[str, Field(min_length=1, max_length=80)] | None = None
    position: Annotated[int, Field(ge=0, le=1000)] = 0


class CloseReasonUpdateIn(RequestModel):
    name: Annotated[str, Field(min_length=1, max_length=80)] | None = None
    name_en: Annotated[str, Field(min_length=1, max_length=80)] | None = None
    position: Annotated[int, Field(ge=0, le=1000)] | None = None
    active: bool | None = None


class CloseReasonOut(ResponseModel):
    id: str
    name: str
    name_en: str | None = None
    active: bool
    position: int


class AuditEntryOut(ResponseModel):
    id: str
    occurred_at: str
    type: str
    actor: dict[str, str | None]
    entity_type: str | None = None
    entity_id: str | None = None
    data: dict[str, object]


class Page[T](ResponseModel):
    items: list[T]
    next_cursor: str | None = None


# ---------------------------------------------------------------- sign-in


class LoginIn(RequestModel):
    email: EmailAddress
    password: Annotated[str, Field(min_length=1, max_length=256)]


class TokensOut(ResponseModel):
    id_token: str
    access_token: str
    refresh_token: str | None = None
    expires_in: int
    token_type: str = "Bearer"


class RefreshIn(RequestModel):
    refresh_token: Annotated[str, Field(min_length=1)]


class ForgotPasswordIn(RequestModel):
    email: EmailAddress


class ConfirmPasswordIn(RequestModel):
    email: EmailAddress
    code: Annotated[str, Field(min_length=1, max_length=64)]
    password: Annotated[str, Field(min_length=10, max_length=256)]


class AcceptInvitationIn(RequestModel):
    token: Annotated[str, Field(min_length=10, max_length=300)]
    password: Annotated[str, Field(min_length=10, max_length=256)]


class BrandMembershipOut(ResponseModel):
    id: str
    name: str
    role: str


class MeOut(ResponseModel):
    id: str
    email: str | None
    name: str | None = None
    brand: BrandMembershipOut
    brands: list[BrandMembershipOut]
    role: str
    permissions: list[str]
