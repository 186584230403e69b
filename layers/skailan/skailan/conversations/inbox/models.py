"""Request and response models of the inbox API (separate from stored items)."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, ConfigDict, Field, field_validator, model_validator

from skailan.conversations.inbox.action_models import Page
from skailan.platform.ids import ID_MAX_LENGTH, ID_PATTERN, EntityId
from skailan.platform.models import RequestModel, ResponseModel
from skailan.platform.patching import NoNulls

__all__ = ["Page"]  # shared with the action models

Presence = Literal["online", "away", "offline"]
Tag = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[^\s#,][^#,]*$")]
UserId = Annotated[str, Field(min_length=1, max_length=ID_MAX_LENGTH, pattern=ID_PATTERN)]
AccountId = Annotated[str, Field(min_length=1, max_length=ID_MAX_LENGTH, pattern=ID_PATTERN)]


# ---------------------------------------------------------------- agents


class PresenceIn(RequestModel):
    status: Presence


class AgentUpdateIn(RequestModel):
    capacity: Annotated[int, Field(ge=0, le=500)] | None = None
    tags: Annotated[list[Tag], Field(max_length=30)] | None = None


class AgentOut(ResponseModel):
    user_id: str
    name: str | None = None
    email: str | None = None
    role: str | None = None
    status: Presence = "offline"
    status_at: str | None = None
    capacity: int
    capacity_override: int | None = None
    load: int = 0
    tags: list[str] = Field(default_factory=list)
    teams: list[str] = Field(default_factory=list)


class TeammateOut(ResponseModel):
    """A colleague as every agent may see them: to @mention or transfer to (no load or capacity)."""

    user_id: str
    name: str | None = None
    status: Presence = "offline"
    teams: list[str] = Field(default_factory=list)


# ---------------------------------------------------------------- teams


class TeamIn(RequestModel):
    name: Annotated[str, Field(min_length=1, max_length=80)]
    description: Annotated[str, Field(max_length=300)] | None = None
    members: Annotated[list[UserId], Field(max_length=200)] = Field(default_factory=list)
    channel_accounts: Annotated[list[AccountId], Field(max_length=50)] = Field(default_factory=list)


class TeamUpdateIn(RequestModel):
    name: Annotated[str, Field(min_length=1, max_length=80)] | None = None
    description: Annotated[str, Field(max_length=300)] | None = None
    members: Annotated[list[UserId], Field(max_length=200)] | None = None
    channel_accounts: Annotated[list[AccountId], Field(max_length=50)] | None = None


class TeamOut(ResponseModel):
    id: str
    name: str
    description: str | None = None
    members: list[str]
    channel_accounts: list[str]
    created_at: str | None = None


# ---------------------------------------------------------------- inbox settings (assignment, bots, alerts)

_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class FaqRule(RequestModel):
    id: Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_-]+$")]
    keywords: Annotated[list[Annotated[str, Field(min_length=1, max_length=60)]], Field(max_length=30)] = Field(
        default_factory=list
    )
    pattern: Annotated[str, Field(max_length=200)] | None = None
    answer: Annotated[str, Field(min_length=1, max_length=2000)]

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as err:
                raise ValueError(f"not a valid regular expression: {err}") from err
        return value

    @model_validator(mode="after")
    def _something_to_match(self) -> FaqRule:
        if not self.keywords and not self.pattern:
            raise ValueError("a rule needs keywords or a pattern")
        return self


class AssignmentSettings(RequestModel):
    enabled: bool = True
    default_capacity: Annotated[int, Field(ge=0, le=500)] = 10
    prefer_tags: bool = True
    offline_grace_minutes: Annotated[int, Field(ge=0, le=1440)] = 5


class AlertSettings(RequestModel):
    unassigned_after_minutes: Annotated[int, Field(ge=1, le=10080)] | None = 10


class BotMessage(RequestModel):
    enabled: bool = False
    text: Annotated[str, Field(max_length=2000)] = ""


class InactivitySettings(RequestModel):
    enabled: bool = False
    minutes: Annotated[int, Field(ge=1, le=10080)] = 10
    message: Annotated[str, Field(max_length=2000)] = ""
    reason_id: Annotated[str, Field(max_length=64)] = "no-reply"


class BotSettings(RequestModel):
    # Greeting off until a brand turns it on; the out-of-hours reply on (with the brand's hours).
    greeting: BotMessage = Field(default_factory=lambda: BotMessage(
        enabled=False, text="¡Hola! Gracias por escribirnos. En un momento te atiende un asesor."))
    out_of_hours: BotMessage = Field(default_factory=lambda: BotMessage(
        enabled=True, text="Gracias por escribirnos. Nuestro horario de atención terminó; te responderemos "
                           "en cuanto abramos."))
    handoff_keywords: Annotated[list[Annotated[str, Field(min_length=1, max_length=40)]], Field(max_length=30)] = (
        Field(default_factory=lambda: ["asesor", "humano", "agent", "agente", "persona"]))
    handoff_reply: Annotated[str, Field(max_length=2000)] = "Te comunicamos con un asesor en un momento."
    faq: Annotated[list[FaqRule], Field(max_length=100)] = Field(default_factory=list)
    inactivity: InactivitySettings = Field(default_factory=InactivitySettings)


CSAT_QUESTION = ("¿Cómo calificarías la atención que recibiste? Responde con un número del 1 al 5. / "
                 "How would you rate the help you got? Reply with a number from 1 to 5.")


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("the question cannot be blank")
    return value


SurveyQuestion = Annotated[str, Field(min_length=1, max_length=1000), AfterValidator(_not_blank)]


class CsatSettings(RequestModel):
    """Customer satisfaction survey: asked when a conversation is closed, answered 1–5."""

    enabled: bool = False
    question: SurveyQuestion = CSAT_QUESTION
    window_hours: Annotated[int, Field(ge=1, le=168, description="How long a 1–5 answer counts as the rating.")] = 24


NPS_QUESTION = ("Del 0 al 10, ¿qué tan probable es que nos recomiendes a un amigo o colega? Responde con un "
                "número. / From 0 to 10, how likely are you to recommend us to a friend or colleague? Reply "
                "with a number.")


class NpsSettings(RequestModel):
    """The NPS question (0–10), asked when a conversation is closed instead of the CSAT question
    (one survey per close), on the channels listed (none listed: every channel)."""

    enabled: bool = False
    question: SurveyQuestion = NPS_QUESTION
    channels: Annotated[list[Literal["whatsapp", "webchat", "email", "instagram", "messenger", "telegram", "sms"]],
                        Field(max_length=10)] = Field(default_factory=list)
    window_hours: Annotated[int, Field(ge=1, le=168, description="How long a 0–10 answer counts as the score.")] = 24


class InboxSettings(RequestModel):
    assignment: AssignmentSettings = Field(default_factory=AssignmentSettings)
    alerts: AlertSettings = Field(default_factory=AlertSettings)
    bots: BotSettings = Field(default_factory=BotSettings)
    csat: CsatSettings = Field(default_factory=CsatSettings)
    nps: NpsSettings = Field(default_factory=NpsSettings)


class InboxSettingsIn(NoNulls):
    """A partial update, merged into the stored settings field by field (`bots.inactivity` alone
    keeps the greeting and the FAQ rules); lists (`faq`, `handoff_keywords`) are replaced whole.
    `null` is not a value, except `alerts.unassigned_after_minutes` (no alert)."""

    assignment: AssignmentSettings | None = None
    alerts: AlertSettings | None = None
    bots: BotSettings | None = None
    csat: CsatSettings | None = None
    nps: NpsSettings | None = None


# ---------------------------------------------------------------- quick replies

AttachmentKind = Literal["image", "document", "video"]


class QuickReplyAttachment(RequestModel):
    type: AttachmentKind
    url: Annotated[str, Field(max_length=2000, pattern=r"^https?://")] | None = None
    s3_key: Annotated[str, Field(max_length=500)] | None = None
    filename: Annotated[str, Field(max_length=200)] | None = None
    mime_type: Annotated[str, Field(max_length=100)] | None = None

    @model_validator(mode="after")
    def _one_source(self) -> QuickReplyAttachment:
        if bool(self.url) == bool(self.s3_key):
            raise ValueError("give exactly one of url or s3_key")
        if self.type == "document" and self.mime_type and self.mime_type != "application/pdf":
            raise ValueError("documents must be PDF")
        return self


class QuickReplyIn(RequestModel):
    shortcut: Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_\-áéíóúñÁÉÍÓÚÑ]+$")]
    title: Annotated[str, Field(max_length=120)] | None = None
    text: Annotated[str, Field(max_length=4096)] | None = None
    attachments: Annotated[list[QuickReplyAttachment], Field(max_length=5)] = Field(default_factory=list)

    @model_validator(mode="after")
    def _content(self) -> QuickReplyIn:
        if not (self.text or "").strip() and not self.attachments:
            raise ValueError("a quick reply needs text or attachments")
        return self


class QuickReplyUpdateIn(RequestModel):
    shortcut: Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_\-áéíóúñÁÉÍÓÚÑ]+$")] | None = None
    title: Annotated[str, Field(max_length=120)] | None = None
    text: Annotated[str, Field(max_length=4096)] | None = None
    attachments: Annotated[list[QuickReplyAttachment], Field(max_length=5)] | None = None


class QuickReplyOut(ResponseModel):
    id: str
    shortcut: str
    title: str | None = None
    text: str | None = None
    attachments: list[dict[str, str | None]] = Field(default_factory=list)
    merge_fields: list[str] = Field(default_factory=list)
    created_at: str | None = None
    updated_at: str | None = None


class PreviewIn(RequestModel):
    conversation_id: EntityId


class PreviewOut(ResponseModel):
    quick_reply_id: str
    conversation_id: str
    text: str | None
    attachments: list[dict[str, str | None]] = Field(default_factory=list)


# ---------------------------------------------------------------- WhatsApp templates

TemplateCategory = Literal["marketing", "utility", "authentication"]
TemplateStatus = Literal["approved", "pending", "rejected"]
# Meta's statuses (lowercased): what the registry can hold once synced.
MetaTemplateStatus = Literal["approved", "pending", "rejected", "paused", "disabled", "in_appeal", "flagged",
                             "pending_deletion", "deleted", "archived", "locked", "limit_exceeded"]
TemplateName = Annotated[str, Field(min_length=1, max_length=512, pattern=r"^[a-z0-9_]+$")]
Language = Annotated[str, Field(min_length=2, max_length=15, pattern=r"^[a-z]{2,3}(_[A-Z]{2})?$")]


class WhatsAppTemplateIn(RequestModel):
    account_id: AccountId
    name: TemplateName
    language: Language
    category: TemplateCategory
    body: Annotated[str, Field(min_length=1, max_length=1024)] | None = None
    # Meta's components (HEADER, BODY, FOOTER, BUTTONS) as sent to the Graph API; without them a
    # BODY component is built from `body` (with example values for its {{n}}).
    components: Annotated[list[dict[str, Any]], Field(min_length=1, max_length=10)] | None = None
    examples: Annotated[list[Annotated[str, Field(min_length=1, max_length=200)]], Field(max_length=30)] | None = None
    parameters: Annotated[int, Field(ge=0, le=30)] | None = None
    header_parameters: Annotated[int, Field(ge=0, le=1)] = 0


class WhatsAppTemplateRegistration(WhatsAppTemplateIn):
    """Internal (seed, sync): a template Meta already knows, with its status."""

    status: MetaTemplateStatus = "pending"


class WhatsAppTemplateUpdateIn(NoNulls):
    """An edit is re-submitted to Meta (the template goes back to review); the status is Meta's."""

    category: TemplateCategory | None = None
    body: Annotated[str, Field(min_length=1, max_length=1024)] | None = None
    components: Annotated[list[dict[str, Any]], Field(min_length=1, max_length=10)] | None = None
    examples: Annotated[list[Annotated[str, Field(min_length=1, max_length=200)]], Field(max_length=30)] | None = None
    parameters: Annotated[int, Field(ge=0, le=30)] | None = None
    header_parameters: Annotated[int, Field(ge=0, le=1)] | None = None


class WhatsAppTemplateSyncIn(RequestModel):
    account_id: AccountId


class WhatsAppTemplateSyncOut(ResponseModel):
    account_id: str
    seen: int
    created: int
    updated: int
    removed: int
    unmatched: list[str] = Field(default_factory=list)


class WhatsAppTemplateOut(ResponseModel):
    id: str
    account_id: str
    name: str
    language: str
    category: str
    body: str | None = None
    parameters: int
    header_parameters: int = 0
    status: str
    updated_at: str | None = None
    meta_template_id: str | None = None
    components: list[dict[str, Any]] | None = None
    rejected_reason: str | None = None
    status_detail: str | None = None
    quality: str | None = None


# ---------------------------------------------------------------- notifications


class RemindIn(RequestModel):
    in_: Annotated[Literal["15m", "1h"], Field(alias="in")]


class EmailNotificationKindsOut(ResponseModel):
    message: bool = False
    assigned: bool = False
    mentioned: bool = False
    unassigned_alert: bool = False
    reminder: bool = False
    task_reminder: bool = False
    task_overdue: bool = False


class EmailNotificationKinds(RequestModel, EmailNotificationKindsOut):
    """Which notification kinds also go out by e-mail (all off unless chosen). Sent whole: a kind
    left out is off."""

    # The kinds are the answer's; a request takes real booleans only ("true" or 1 are refused).
    model_config = ConfigDict(strict=True)


class NotificationPreferencesIn(RequestModel):
    email: EmailNotificationKinds


class NotificationPreferencesOut(ResponseModel):
    email: EmailNotificationKindsOut
    email_address: str | None = Field(default=None, description="Where the e-mail goes (the member's sign-in e-mail).")
    # A burst is sent as one e-mail: at most one every this many seconds.
    email_batch_seconds: int
    updated_at: str | None = None


class NotificationOut(ResponseModel):
    id: str
    type: str
    conversation_id: str | None = None
    text: str
    created_at: str | None = None
    read_at: str | None = None
    remind_at: str | None = None
    data: dict[str, object] = Field(default_factory=dict)


# ---------------------------------------------------------------- metrics


class MetricBucketOut(ResponseModel):
    hour: str
    dimension: str
    count: int
    sum: float
    average: float
    distribution: dict[str, int] | None = Field(
        default=None, description="csat only: how many ratings of each score, \"1\" to \"5\".")


class TabCountsOut(ResponseModel):
    mine: int
    unassigned: int
    all: int
    statuses: list[str]


class MetricsOut(ResponseModel):
    metric: str
    by: str
    items: list[MetricBucketOut]
    totals: list[MetricBucketOut]
