"""Request and response models of the campaigns API.

Content is checked against the channel in the service (a union on the channel would make the
error details harder to read): e-mail `{subject, html, from_name?, reply_to?}`, SMS `{text}`,
WhatsApp `{template: {name, language, parameters}}`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from skailan.platform.ids import EntityId
from skailan.platform.models import EmailAddress, PatchModel, RequestModel, ResponseModel

Channel = Literal["email", "sms", "whatsapp"]
Status = Literal["draft", "scheduled", "sending", "paused", "completed", "cancelled", "failed"]
RecipientStatus = Literal["skipped", "queued", "sending", "sent", "delivered", "read", "failed"]
Name = Annotated[str, Field(min_length=1, max_length=120)]
AccountId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
MAX_PEOPLE = 1000


class AudienceIn(RequestModel):
    """`file`: the people a CRM import (`POST /v1/imports` with target `new_list`) brought in —
    the import's new list, read at send time; the campaign is sent once the import completed."""

    kind: Literal["list", "segment", "people", "file"]
    id: EntityId | None = None
    person_ids: Annotated[list[EntityId], Field(min_length=1, max_length=MAX_PEOPLE)] | None = None
    import_id: EntityId | None = None

    @model_validator(mode="after")
    def _shape(self) -> AudienceIn:
        if (self.kind == "file") != bool(self.import_id):
            raise ValueError("import_id goes with kind file, and only with it / import_id va con kind file, y solo con él")
        if self.kind == "file" and (self.id or self.person_ids):
            raise ValueError("a file audience takes only import_id / una audiencia de archivo solo lleva import_id")
        if self.kind in ("list", "segment") and not self.id:
            raise ValueError("id is required for a list or segment audience / se requiere id")
        if self.kind == "people" and not self.person_ids:
            raise ValueError("person_ids is required for a people audience / se requiere person_ids")
        if self.kind != "people" and self.person_ids:
            raise ValueError("person_ids only goes with kind people / person_ids solo con kind people")
        if self.kind == "people" and self.id:
            raise ValueError("id does not go with kind people / id no va con kind people")
        return self


class AttachmentRefIn(RequestModel):
    """An uploaded attachment (`POST /v1/campaigns/attachments`); the other fields are those GET
    returns, accepted so a campaign read can be sent back — only `upload_id` counts."""

    upload_id: EntityId
    key: str | None = None
    filename: str | None = None
    content_type: str | None = None
    size: int | None = None


class EmailContentIn(RequestModel):
    subject: Annotated[str, Field(min_length=1, max_length=200)]
    html: Annotated[str, Field(min_length=1, max_length=500_000)]
    from_name: Annotated[str, Field(min_length=1, max_length=120)] | None = None
    reply_to: EmailAddress | None = None
    text: Annotated[str, Field(min_length=1, max_length=200_000)] | None = None  # else generated from html
    attachments: Annotated[list[AttachmentRefIn], Field(max_length=10)] | None = None
    # A reusable template of the e-mail module (/v1/email/templates): its subject, html and text
    # fill what the content leaves out (copied when the campaign is saved).
    template_id: EntityId | None = None


class AttachmentIn(RequestModel):
    filename: Annotated[str, Field(min_length=1, max_length=255)]
    content_type: Annotated[str, Field(min_length=3, max_length=127)]
    size: Annotated[int, Field(ge=1, le=24 * 1024 * 1024)]


class AttachmentOut(ResponseModel):
    id: str
    filename: str
    content_type: str
    max_bytes: int
    upload_url: str = Field(description="PUT the file's bytes here.")
    method: Literal["PUT"] = "PUT"
    expires_in: int = Field(description="Seconds the upload URL stays valid.")


class SmsContentIn(RequestModel):
    text: Annotated[str, Field(min_length=1, max_length=1600)]
    # The message asks the NPS question: a 0–10 reply within 72 h is recorded (docs/analytics.md).
    nps: bool | None = None


class TemplateRefIn(RequestModel):
    name: Annotated[str, Field(min_length=1, max_length=512)]
    language: Annotated[str, Field(min_length=2, max_length=15)]
    # One per {{n}} of the template's body, in order; each may hold merge fields.
    parameters: Annotated[list[Annotated[str, Field(min_length=1, max_length=1024)]], Field(max_length=20)] = Field(
        default_factory=list)


class WhatsAppContentIn(RequestModel):
    template: TemplateRefIn
    nps: bool | None = None  # as SmsContentIn.nps


class CampaignIn(RequestModel):
    name: Name
    channel: Channel
    account_id: AccountId | None = None
    audience: AudienceIn
    content: dict[str, Any]


class CampaignPatchIn(PatchModel):
    name: Name | None = None
    account_id: AccountId | None = None
    audience: AudienceIn | None = None
    content: dict[str, Any] | None = None


class ScheduleIn(RequestModel):
    at: Annotated[str, Field(min_length=10, max_length=40,
                             description="Local time in the brand's zone (2026-12-24T09:00) or ISO with offset.")]


class StatsOut(ResponseModel):
    recipients: int = 0
    queued: int = 0
    sent: int = 0
    delivered: int = 0
    read: int = 0
    failed: int = 0
    opened: int = 0
    clicked: int = 0
    replied: int = 0
    bounced: int = 0
    complained: int = 0
    unsubscribed: int = 0
    skipped: int = 0
    skipped_reasons: dict[str, int] = Field(default_factory=dict)


class CampaignOut(ResponseModel):
    id: str
    name: str
    channel: Channel
    account_id: str | None = None
    audience: dict[str, Any]
    content: dict[str, Any]
    status: Status
    scheduled_at: str | None = None
    started_at: str | None = None
    completed_at: str | None = None
    archived: bool = False
    reason: str | None = None
    stats: StatsOut
    created_at: str | None = None
    updated_at: str | None = None


class SmsPreviewOut(ResponseModel):
    encoding: Literal["GSM-7", "UCS-2"]
    characters: int
    segments: int
    per_segment: int
    warning: str | None = None


class CapacityOut(ResponseModel):
    limit: int | Literal["unlimited"]
    now: int
    later: int
    later_at: str | None = Field(default=None, description="When the rest can start going out (UTC ISO).")


class CostOut(ResponseModel):
    currency: str
    per_message: float
    total: float


class PreviewOut(ResponseModel):
    recipients: int
    audience: int
    skipped: dict[str, int]
    sample: dict[str, Any] | None = None
    sms: SmsPreviewOut | None = None
    whatsapp: CapacityOut | None = None
    cost: CostOut | None = None
    advice: list[str] = Field(default_factory=list)


class RecipientOut(ResponseModel):
    person_id: str
    name: str | None = None
    address: str | None = None
    status: RecipientStatus
    reason: str | None = None
    provider_message_id: str | None = None
    error: dict[str, Any] | None = None
    times: dict[str, str] = Field(default_factory=dict)


class SuppressionIn(RequestModel):
    channel: Channel
    address: Annotated[str, Field(min_length=3, max_length=254)]


class SuppressionOut(ResponseModel):
    channel: Channel
    address: str
    reason: str
    person_id: str | None = None
    created_at: str | None = None


class SenderOut(ResponseModel):
    """A sending account as the campaign editor offers it (no credentials, no admin access needed)."""

    id: str
    channel: Channel
    name: str
    address: str | None = Field(default=None, description="The number or address recipients see.")
    messaging_limit: int | Literal["unlimited"] | None = Field(default=None, description="WhatsApp only.")


class SenderTemplateOut(ResponseModel):
    """An approved WhatsApp template of a sending account: what a campaign can use."""

    name: str
    language: str
    category: str
    body: str | None = None
    parameters: int


class CampaignEmailTemplateOut(ResponseModel):
    """A reusable e-mail template (/v1/email/templates) as the campaign editor offers it, read-only."""

    id: str
    name: str
    subject: str | None = None
    html: str | None = None
    text: str | None = None


class Page[T](ResponseModel):
    items: list[T]
    next_cursor: str | None = None
