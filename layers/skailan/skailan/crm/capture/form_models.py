"""Request and response models of the CRM's lead-capture forms (their own module: the public
submit function imports only these, not every sales model)."""


from typing import Annotated, Any

from pydantic import Field

from skailan.crm.values.types import RefId
from skailan.platform.models import RequestModel, ResponseModel

# ---------------------------------------------------------------- forms

FormFieldKey = Annotated[str, Field(pattern=r"^(name|phone|email|custom:[a-z][a-z0-9_]{0,39})$",
                                    description="name, phone, email or custom:<field key>")]
HttpUrl = Annotated[str, Field(max_length=2048, pattern=r"^https?://[^\s]+$")]
FormTag = Annotated[str, Field(min_length=1, max_length=50, pattern=r"^[^#]+$")]


class FormFieldIn(RequestModel):
    key: FormFieldKey
    label: Annotated[str, Field(min_length=1, max_length=120)] | None = None
    required: bool = False
    placeholder: Annotated[str, Field(max_length=120)] | None = None


class FormFieldOut(ResponseModel):
    key: str
    label: str
    required: bool
    type: str  # text | email | tel | number | date | select | checkbox | url | textarea
    placeholder: str | None = None
    options: list[str] = Field(default_factory=list)


class FormIn(RequestModel):
    name: Annotated[str, Field(min_length=1, max_length=120)]
    description: Annotated[str, Field(max_length=500)] | None = None
    fields: Annotated[list[FormFieldIn], Field(min_length=3, max_length=30)]
    consent_text: Annotated[str, Field(min_length=1, max_length=1000)] | None = None
    submit_label: Annotated[str, Field(min_length=1, max_length=60)] | None = None
    success_message: Annotated[str, Field(min_length=1, max_length=500)] | None = None
    redirect_url: HttpUrl | None = None
    tags: Annotated[list[FormTag], Field(max_length=10)] = Field(default_factory=list)
    list_id: RefId | None = None
    owner_id: RefId | None = None
    active: bool = True


class FormUpdateIn(RequestModel):
    """Only the fields sent change; `null` clears the optional ones."""

    name: Annotated[str, Field(min_length=1, max_length=120)] | None = None
    description: Annotated[str, Field(max_length=500)] | None = None
    fields: Annotated[list[FormFieldIn], Field(min_length=3, max_length=30)] | None = None
    consent_text: Annotated[str, Field(min_length=1, max_length=1000)] | None = None
    submit_label: Annotated[str, Field(min_length=1, max_length=60)] | None = None
    success_message: Annotated[str, Field(min_length=1, max_length=500)] | None = None
    redirect_url: HttpUrl | None = None
    tags: Annotated[list[FormTag], Field(max_length=10)] | None = None
    list_id: RefId | None = None
    owner_id: RefId | None = None
    active: bool | None = None


class FormOut(ResponseModel):
    id: str
    name: str
    description: str | None = None
    fields: list[FormFieldOut]
    consent_text: str | None = None
    submit_label: str
    success_message: str
    redirect_url: str | None = None
    tags: list[str] = Field(default_factory=list)
    list_id: str | None = None
    owner_id: str | None = None
    active: bool
    submissions: int
    submit_url: str | None = None
    created_at: str | None = None
    updated_at: str | None = None


class FormEmbedOut(ResponseModel):
    form_id: str
    submit_url: str
    snippet: str  # paste into the page: the form's HTML and its script
    html: str
    script: str


class FormSubmissionOut(ResponseModel):
    id: str
    person_id: str
    created_person: bool
    values: dict[str, Any]
    consent: dict[str, Any] | None = None
    page_url: str | None = None
    submitted_at: str | None = None


class FormSubmittedOut(ResponseModel):
    ok: bool = True
    message: str
    redirect_url: str | None = None
