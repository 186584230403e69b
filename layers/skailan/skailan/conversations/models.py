"""Request and response models of the conversations API (stored items map to these in
`skailan.conversations.store.messages`, never leak out as they are)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, field_validator, model_validator

from skailan.platform.ids import ID_MAX_LENGTH, ID_PATTERN, EntityId
from skailan.platform.models import RequestModel, ResponseModel

ConversationId = Annotated[str, Field(min_length=1, max_length=ID_MAX_LENGTH, pattern=ID_PATTERN)]
MessageId = Annotated[str, Field(min_length=1, max_length=ID_MAX_LENGTH, pattern=ID_PATTERN)]
ConversationStatus = Literal["open", "pending", "closed"]
MessageStatus = Literal["queued", "sending", "sent", "delivered", "read", "failed"]


class Page[T](ResponseModel):
    items: list[T]
    next_cursor: str | None = None


# ---------------------------------------------------------------- responses


class ContactOut(ResponseModel):
    person_id: str
    name: str | None = None
    external_id: str | None = None
    phone: str | None = None
    email: str | None = None
    username: str | None = None


class LastMessageOut(ResponseModel):
    id: str
    direction: Literal["in", "out"]
    type: str
    text: str | None = None
    status: str | None = None
    at: str


class ConversationOut(ResponseModel):
    id: str
    channel: str
    account_id: str
    status: ConversationStatus
    contact: ContactOut
    last_message: LastMessageOut | None = None
    last_activity_at: str
    last_customer_message_at: str | None = None
    last_agent_message_at: str | None = None
    # WhatsApp: free-form replies are allowed until this time; after it, templates only.
    reply_window_expires_at: str | None = None
    unread_count: int = 0
    message_count: int = 0
    subject: str | None = None
    created_at: str | None = None


class MediaOut(ResponseModel):
    url: str | None = None  # signed, short-lived
    mime_type: str | None = None
    filename: str | None = None
    size: int | None = None
    caption: str | None = None
    error: str | None = None
    status: Literal["stored", "pending", "unavailable"] | None = Field(
        default=None, description="pending: the download failed for now and is retried on its own; "
                                  "unavailable: it could not be downloaded (see error).")


class ErrorOut(ResponseModel):
    code: str | None = None
    title: str | None = None
    message: str | None = None
    reason_es: str | None = None
    reason_en: str | None = None


class AuthorOut(ResponseModel):
    kind: str
    id: str | None = None
    name: str | None = None


class MessageOut(ResponseModel):
    id: str
    conversation_id: str
    direction: Literal["in", "out"]
    type: str
    text: str | None = None
    status: str | None = None
    provider_message_id: str | None = None
    author: AuthorOut
    timestamp: str
    media: MediaOut | None = None
    attachments: list[dict[str, Any]] = Field(default_factory=list)
    details: dict[str, Any] = Field(default_factory=dict)
    reply_to_provider_id: str | None = None
    error: ErrorOut | None = None
    status_times: dict[str, str] = Field(default_factory=dict)
    edited_at: str | None = None


# ---------------------------------------------------------------- requests


class AttachmentIn(RequestModel):
    """A public URL, or an upload of this conversation (`POST …/uploads`) by its id."""

    url: Annotated[str, Field(min_length=8, max_length=2048, pattern=r"^https?://")] | None = None
    upload_id: EntityId | None = None
    mime_type: Annotated[str, Field(max_length=127)] | None = None
    filename: Annotated[str, Field(max_length=255)] | None = None
    caption: Annotated[str, Field(max_length=1024)] | None = None

    @model_validator(mode="after")
    def _one_source(self) -> AttachmentIn:
        if (self.url is None) == (self.upload_id is None):
            raise ValueError("give either url or upload_id")
        return self


class UploadIn(RequestModel):
    """A file the agent is about to upload: its name, type and size (checked against the
    conversation's channel before any URL is signed)."""

    filename: Annotated[str, Field(min_length=1, max_length=255)]
    content_type: Annotated[str, Field(min_length=3, max_length=127)]
    size: Annotated[int, Field(ge=1, le=200 * 1024 * 1024)]


class UploadOut(ResponseModel):
    id: str
    conversation_id: str
    filename: str
    content_type: str
    max_bytes: int
    upload_url: str = Field(description="PUT the file's bytes here (any Content-Type header is fine).")
    method: Literal["PUT"] = "PUT"
    expires_in: int = Field(description="Seconds the upload URL stays valid.")


class TemplateIn(RequestModel):
    name: Annotated[str, Field(min_length=1, max_length=512)]
    language: Annotated[str, Field(min_length=2, max_length=15)]
    parameters: Annotated[list[Annotated[str, Field(max_length=1024)]], Field(max_length=20)] = Field(
        default_factory=list
    )


class EmailOptionsIn(RequestModel):
    subject: Annotated[str, Field(max_length=998)] | None = None
    html: Annotated[str, Field(max_length=500_000)] | None = None
    cc: Annotated[list[Annotated[str, Field(min_length=1, max_length=320)]], Field(max_length=20)] | None = Field(
        default=None, description="Copies (e-mail only): up to 20 distinct addresses, normalised to lower case. "
                                  "The customer's and the mailbox's own addresses are dropped; a suppressed one "
                                  "is a 422 `cc_suppressed`.")

    @field_validator("cc")
    @classmethod
    def _addresses(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        from skailan.crm.values.emails import InvalidEmail, normalize_email

        out: list[str] = []
        for index, raw in enumerate(value):
            try:
                address = normalize_email(raw, field=f"email.cc.{index}")
            except InvalidEmail as err:
                raise ValueError(f"{raw!r}: {err.message_es} / {err.message_en}") from err
            if address in out:
                raise ValueError(f"{address} aparece dos veces / {address} appears twice")
            out.append(address)
        return out


class MessageIn(RequestModel):
    """What an agent sends: text, up to 5 attachments (by URL), or an approved template."""

    text: Annotated[str, Field(min_length=1, max_length=4096)] | None = None
    attachments: Annotated[list[AttachmentIn], Field(max_length=5)] = Field(default_factory=list)
    template: TemplateIn | None = None
    email: EmailOptionsIn | None = None
    reply_to_message_id: MessageId | None = None

    @model_validator(mode="after")
    def _something_to_send(self) -> MessageIn:
        if self.template is None and not (self.text and self.text.strip()) and not self.attachments:
            raise ValueError("send text, attachments or a template")
        if self.template is not None and (self.text or self.attachments):
            raise ValueError("a template goes alone, without text or attachments")
        return self


class NewConversationIn(RequestModel):
    """A conversation the business starts with a CRM person on one of its channel accounts:
    an approved WhatsApp template (with its parameters), or free text where the channel has no
    reply window (SMS, e-mail, Telegram chats the person already opened with the bot)."""

    person_id: EntityId
    account_id: EntityId
    template: TemplateIn | None = None
    text: Annotated[str, Field(min_length=1, max_length=4096)] | None = None
    email: EmailOptionsIn | None = None  # e-mail only: the subject (and HTML) of the first message

    @model_validator(mode="after")
    def _one_thing_to_send(self) -> NewConversationIn:
        has_text = bool(self.text and self.text.strip())
        if self.template is None and not has_text:
            raise ValueError("send a template or text")
        if self.template is not None and self.text is not None:
            raise ValueError("a template goes alone, without text")
        return self
