"""Request and response models of the tenancy API (separate from stored items)."""


import itertools
import re
import zoneinfo
from datetime import date
from typing import Annotated, ClassVar, Literal

from pydantic import AfterValidator, ConfigDict, Field, HttpUrl, field_validator, model_validator

from skailan.platform.auth import is_valid_permission
from skailan.platform.models import EmailAddress, PatchModel, RequestModel, ResponseModel
from skailan.platform.patching import NoNulls

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

    @model_validator(mode="after")
    def _ordered(self) -> "TimeRange":
        if self.end <= self.start:
            raise ValueError("end must be after start")
        return self


DayHours = Annotated[list[TimeRange], Field(max_length=12)]


def _no_overlaps(value: dict[str, list[TimeRange]]) -> dict[str, list[TimeRange]]:
    for day, spans in value.items():
        ordered = sorted(spans, key=lambda s: s.start)
        for before, after in itertools.pairwise(ordered):
            if after.start < before.end:
                raise ValueError(f"{day}: {before.start}-{before.end} overlaps {after.start}-{after.end}")
    return value


def known_time_zone(value: str) -> str:
    # Loading the zone (cached by zoneinfo) is what readers do; listing every zone costs ~0.3 s.
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError) as err:
        raise ValueError("unknown IANA time zone (e.g. America/Bogota)") from err
    return value


def known_country(value: str) -> str:
    from skailan.platform.phones import supported_region  # phonenumbers: loaded on first use

    if not supported_region(value):
        raise ValueError("unknown ISO 3166 country code (e.g. CO, MX, ES)")
    return value


TimeZone = Annotated[str, Field(min_length=1, max_length=64), AfterValidator(known_time_zone)]
CountryCode = Annotated[str, Field(pattern=r"^[A-Z]{2}$")]
Country = Annotated[CountryCode, AfterValidator(known_country)]
BusinessHours = Annotated[dict[Weekday, DayHours], AfterValidator(_no_overlaps)]


class SlaSettings(RequestModel):
    """Targets of the conversation report's SLA compliance (% of first responses / resolutions
    within them; in business hours when the report is)."""

    first_response_seconds: Annotated[int, Field(ge=1, le=30 * 86400)] = 3600
    resolution_seconds: Annotated[int, Field(ge=1, le=90 * 86400)] = 86400


class KamSettings(RequestModel):
    """The KAM report's choices (docs/analytics.md): the alert on an account's gap without
    interaction, the expected lifespan of the projected CLV, the denominator of upsell /
    cross-sell / renewal rates."""

    interaction_gap_alert_days: Annotated[int, Field(ge=1, le=365)] = 30
    expected_lifespan_years: Annotated[float, Field(gt=0, le=50)] = 3.0
    rate_denominator: Literal["won_deals", "key_accounts"] = "won_deals"


class SlaSettingsIn(NoNulls):
    first_response_seconds: Annotated[int, Field(ge=1, le=30 * 86400)] | None = None
    resolution_seconds: Annotated[int, Field(ge=1, le=90 * 86400)] | None = None


class KamSettingsIn(NoNulls):
    interaction_gap_alert_days: Annotated[int, Field(ge=1, le=365)] | None = None
    expected_lifespan_years: Annotated[float, Field(gt=0, le=50)] | None = None
    rate_denominator: Literal["won_deals", "key_accounts"] | None = None


class BrandSettings(RequestModel):
    """A brand's stored settings as a whole: what a PATCH is merged into and validated as.
    Stored keys this model does not know are kept as they are (requests still refuse them)."""

    model_config = ConfigDict(extra="allow")

    logo_url: Annotated[str, Field(max_length=2000)] | None = None
    contact_email: Annotated[str, Field(max_length=254)] | None = None
    contact_phone: Annotated[str, Field(max_length=40)] | None = None
    address: Annotated[str, Field(max_length=300)] | None = None
    website: Annotated[str, Field(max_length=2000)] | None = None
    time_zone: TimeZone = "UTC"
    language: Literal["es", "en", "pt"] = "es"
    # Readers check the shape only (phonenumbers costs ~0.2 s to import); writers check the
    # country is known (`known_country`), and phone parsing falls back on an unknown one.
    default_country: CountryCode = "CO"
    business_hours: BusinessHours = Field(default_factory=lambda: _default_hours())
    # Days the brand does not attend (its local dates): business-hours reports skip them.
    holidays: Annotated[list[date], Field(max_length=366)] = Field(default_factory=list)
    sla: SlaSettings = Field(default_factory=SlaSettings)
    kam: KamSettings = Field(default_factory=KamSettings)


def _default_hours() -> dict[Weekday, list[TimeRange]]:
    from skailan.tenancy.defaults import DEFAULT_BUSINESS_HOURS

    return {day: [TimeRange.model_validate(span) for span in spans]  # type: ignore[misc]
            for day, spans in DEFAULT_BUSINESS_HOURS.items()}


class BrandSettingsIn(NoNulls):
    """A partial update: fields left out keep their value; `business_hours` merges by day (send
    only the days that change; `[]` closes a day). Optional contact fields take `null` to clear."""

    nullable_fields: ClassVar[frozenset[str]] = frozenset(
        {"logo_url", "contact_email", "contact_phone", "address", "website"})

    name: Annotated[str, Field(min_length=1, max_length=120)] | None = None
    logo_url: HttpUrl | None = None
    contact_email: EmailAddress | None = None
    contact_phone: Annotated[str, Field(max_length=40)] | None = None
    address: Annotated[str, Field(max_length=300)] | None = None
    website: HttpUrl | None = None
    time_zone: TimeZone | None = None
    language: Literal["es", "en", "pt"] | None = None
    default_country: Country | None = None
    business_hours: dict[Weekday, DayHours] | None = None
    holidays: Annotated[list[date], Field(max_length=366)] | None = None
    sla: SlaSettingsIn | None = None
    kam: KamSettingsIn | None = None


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
    holidays: list[str] = []
    sla: SlaSettings = Field(default_factory=SlaSettings)
    kam: KamSettings = Field(default_factory=KamSettings)


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
    updated_at: str | None = None
    webhook: dict[str, object] | None = Field(
        default=None, description="Webhook registration with the provider: status registered | failed | "
                                  "not_applicable, url, error, at.")
    warnings: list[dict[str, str]] = Field(
        default_factory=list, description="e.g. no_team: no team serves this account, so its chats are never "
                                          "assigned automatically.")


Origin = Annotated[str, Field(max_length=200, pattern=r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?/?$")]
MessagingLimit = Literal[250, 2000, 10000, 100000, "unlimited"]


class WebchatAppearanceIn(RequestModel):
    color: Annotated[str, Field(pattern=r"^#[0-9a-fA-F]{6}$")] | None = None
    title: Annotated[str, Field(min_length=1, max_length=60)] | None = None
    greeting: Annotated[str, Field(max_length=300)] | None = None
    position: Literal["left", "right"] | None = None


class ChannelAccountUpdateIn(RequestModel):
    """What an admin changes on a channel account (provider ids stay: they route webhooks)."""

    name: Annotated[str, Field(min_length=1, max_length=120)] | None = None
    credentials: dict[Annotated[str, Field(max_length=60)], Annotated[str, Field(min_length=1, max_length=2000)]] | None = None
    allowed_origins: Annotated[list[Origin], Field(min_length=1, max_length=20)] | None = None  # web chat
    appearance: WebchatAppearanceIn | None = None  # web chat
    messaging_limit: MessagingLimit | None = None  # WhatsApp: business-initiated conversations per 24 h


class CloseReasonIn(RequestModel):
    name: Annotated[str, Field(min_length=1, max_length=80)]
    name_en: Annotated[str, Field(min_length=1, max_length=80)] | None = None
    position: Annotated[int, Field(ge=0, le=1000)] = 0


class CloseReasonUpdateIn(NoNulls):
    """A partial update; `null` only clears the English name."""

    nullable_fields: ClassVar[frozenset[str]] = frozenset({"name_en"})

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


class LogoutIn(RequestModel):
    refresh_token: Annotated[str, Field(min_length=1, max_length=4096)]
    everywhere: bool = Field(default=False, description="Also sign out of every other device (GlobalSignOut).")


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
    # The selected brand's clock and language: the app shows dates and speaks in them.
    time_zone: str = "UTC"
    language: str = "es"
