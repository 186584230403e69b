"""Request and response models of the CRM's sales API: imports, forms, pipelines, deals, tasks.

Separate from the stored items (sales_items.py) and mapped explicitly in the services. Checks
that need the brand's data (a list exists, an owner is a member, a stage belongs to the
pipeline) live in the services and answer 422 naming the field.
"""


from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field

from skailan.crm.values.types import RefId
from skailan.platform.models import RequestModel, ResponseModel

Title = Annotated[str, Field(min_length=1, max_length=200)]
Color = Annotated[str, Field(pattern=r"^#[0-9a-fA-F]{6}$")]


def _real_date(value: str) -> str:
    date.fromisoformat(value)  # ValueError → 422 naming the field
    return value


Day = Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$", description="YYYY-MM-DD"), AfterValidator(_real_date)]
Instant = Annotated[str, Field(max_length=40, description="ISO-8601 date-time; without an offset it is UTC")]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code, e.g. COP, MXN, USD")]
Amount = Annotated[Decimal, Field(ge=0, le=Decimal("999999999999999"), max_digits=19, decimal_places=4,
                                  allow_inf_nan=False)]
StageKey = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$")]

# ---------------------------------------------------------------- imports


class ImportTargetIn(RequestModel):
    kind: Literal["none", "existing_list", "new_list"] = "none"
    list_id: RefId | None = None
    name: Annotated[str, Field(min_length=1, max_length=120)] | None = None


class ImportIn(RequestModel):
    filename: Annotated[str, Field(min_length=1, max_length=255)]
    target: ImportTargetIn = Field(default_factory=ImportTargetIn)
    owner_id: RefId | None = None


class ImportCreatedOut(ResponseModel):
    id: str
    upload_url: str
    upload_method: str = "PUT"
    upload_expires_in: int
    max_bytes: int


UpdatePolicy = Literal["fill_empty", "overwrite", "skip"]


class ImportStartIn(RequestModel):
    mapping: dict[Annotated[str, Field(max_length=200)], Annotated[str, Field(max_length=60)] | None] | None = None
    update_policy: UpdatePolicy = Field(
        default="fill_empty",
        description="A row that matches an existing person: fill_empty fills only their empty fields (name "
                    "included: nobody is renamed), overwrite lets the file's values win, skip leaves them untouched.")


class ImportProgressOut(ResponseModel):
    rows_processed: int
    rows_total: int | None = None


class ImportSummaryOut(ResponseModel):
    rows: int = 0
    people_total: int | None = None
    unique: int = 0
    created: int = 0
    updated: int = 0
    skipped: int = Field(default=0, description="Rows that matched a person left untouched (policy skip).")
    duplicates: int = 0
    invalid: int = 0
    update_policy: UpdatePolicy | None = None


class ImportErrorOut(ResponseModel):
    code: str
    message: str
    message_es: str | None = None
    message_en: str | None = None
    row: int | None = None


class ImportOut(ResponseModel):
    id: str
    status: Literal["pending", "running", "completed", "failed"]
    filename: str
    target: dict[str, Any]
    list_id: str | None = None
    owner_id: str | None = None
    uploaded: bool = False
    file_size: int | None = None
    headers: list[str] | None = None
    suggested_mapping: dict[str, str | None] | None = None
    mapping: dict[str, str | None] | None = None
    update_policy: UpdatePolicy | None = None
    progress: ImportProgressOut
    summary: ImportSummaryOut
    error_rows: int = 0
    errors_url: str | None = None
    error: ImportErrorOut | None = None
    created_at: str | None = None
    queued_at: str | None = None
    started_at: str | None = None
    finished_at: str | None = None


# ---------------------------------------------------------------- pipelines and deals


class StageIn(RequestModel):
    id: StageKey | None = None  # default: a slug of the name; kept stable so deals keep their stage
    name: Annotated[str, Field(min_length=1, max_length=60)]
    probability: Annotated[int, Field(ge=0, le=100, description="Chance of winning, in percent")] = 0
    outcome: Literal["open", "won", "lost"] = "open"


class PipelineIn(RequestModel):
    name: Annotated[str, Field(min_length=1, max_length=80)]
    stages: Annotated[list[StageIn], Field(min_length=1, max_length=20)]
    is_default: bool = False


class PipelineUpdateIn(RequestModel):
    """`stages` replaces the list (order = board order); a stage that still has deals cannot go."""

    name: Annotated[str, Field(min_length=1, max_length=80)] | None = None
    stages: Annotated[list[StageIn], Field(min_length=1, max_length=20)] | None = None
    is_default: bool | None = None


class StageOut(ResponseModel):
    id: str
    name: str
    probability: int
    outcome: str
    position: int


class PipelineOut(ResponseModel):
    id: str
    name: str
    stages: list[StageOut]
    is_default: bool
    created_at: str | None = None
    updated_at: str | None = None


DealKind = Literal["new", "upsell", "cross_sell", "renewal", "referral"]


class DealIn(RequestModel):
    title: Title
    amount: Amount = Decimal(0)
    currency: Currency | None = None  # default: the brand's country's currency
    pipeline_id: RefId | None = None  # default: the brand's default pipeline
    stage_id: StageKey | None = None  # default: the pipeline's first stage
    owner_id: RefId | None = None  # default: the caller
    person_id: RefId | None = None
    business_id: RefId | None = None
    kind: DealKind | None = None  # new business, upsell, cross-sell, renewal, referral (KAM rates)
    expected_close: Day | None = None
    description: Annotated[str, Field(max_length=5000)] | None = None


class DealUpdateIn(RequestModel):
    """Only the fields sent change. Sending `stage_id` (and `pipeline_id`) moves the deal."""

    title: Title | None = None
    amount: Amount | None = None
    currency: Currency | None = None
    pipeline_id: RefId | None = None
    stage_id: StageKey | None = None
    owner_id: RefId | None = None
    person_id: RefId | None = None
    business_id: RefId | None = None
    kind: DealKind | None = None
    expected_close: Day | None = None
    description: Annotated[str, Field(max_length=5000)] | None = None


class DealOut(ResponseModel):
    id: str
    title: str
    amount: Decimal
    currency: str
    weighted_amount: Decimal
    pipeline_id: str
    stage_id: str
    stage_name: str | None = None
    probability: int
    status: str
    owner_id: str | None = None
    person_id: str | None = None
    business_id: str | None = None
    kind: str | None = None
    expected_close: str | None = None
    description: str | None = None
    stage_changed_at: str | None = None
    closed_at: str | None = None
    created_at: str | None = None
    updated_at: str | None = None


class StageTotalOut(ResponseModel):
    currency: str
    count: int
    amount: Decimal


class BoardColumnOut(ResponseModel):
    stage: StageOut
    count: int
    totals: list[StageTotalOut]
    deals: list[DealOut]
    next_cursor: str | None = None


class ConversionOut(ResponseModel):
    stage_id: str
    reached: int
    rate_from_previous: float | None = None  # reached here / reached the stage before
    rate_from_start: float | None = None  # reached here / entered the pipeline


class BoardOut(ResponseModel):
    pipeline: PipelineOut
    columns: list[BoardColumnOut]
    conversion: list[ConversionOut]


# ---------------------------------------------------------------- tasks


def _instant(value: str) -> str:
    """Any ISO-8601 date-time (without an offset: UTC) → the sortable UTC form `…T…:…:….mmmZ`."""
    from datetime import UTC, datetime

    from skailan.platform.clock import iso

    parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    if not 2000 <= parsed.year <= 2200:
        raise ValueError("the year must be between 2000 and 2200")
    return iso(parsed)


DateTime = Annotated[str, Field(min_length=10, max_length=40, description="ISO-8601 date-time; no offset = UTC"),
                     AfterValidator(_instant)]


class TaskTypeIn(RequestModel):
    name: Annotated[str, Field(min_length=1, max_length=60)]
    color: Color | None = None


class TaskTypeUpdateIn(RequestModel):
    name: Annotated[str, Field(min_length=1, max_length=60)] | None = None
    color: Color | None = None


class TaskTypeOut(ResponseModel):
    id: str
    name: str
    color: str | None = None
    builtin: bool = False


class TaskIn(RequestModel):
    title: Title
    description: Annotated[str, Field(max_length=5000)] | None = None
    type_id: RefId | None = None
    due_at: DateTime | None = None
    remind_at: DateTime | None = None
    assignee_id: RefId | None = None  # default: the caller
    person_id: RefId | None = None
    deal_id: RefId | None = None


class TaskUpdateIn(RequestModel):
    """Only the fields sent change; `status: done` completes the task (and stops its alarms)."""

    title: Title | None = None
    description: Annotated[str, Field(max_length=5000)] | None = None
    type_id: RefId | None = None
    due_at: DateTime | None = None
    remind_at: DateTime | None = None
    assignee_id: RefId | None = None
    person_id: RefId | None = None
    deal_id: RefId | None = None
    status: Literal["open", "done"] | None = None


class TaskOut(ResponseModel):
    id: str
    title: str
    description: str | None = None
    type_id: str | None = None
    type_name: str | None = None
    status: str
    due_at: str | None = None
    remind_at: str | None = None
    overdue: bool = False
    assignee_id: str
    person_id: str | None = None
    deal_id: str | None = None
    done_at: str | None = None
    reminded_at: str | None = None
    escalated_at: str | None = None
    created_by: str | None = None
    created_at: str | None = None
    updated_at: str | None = None


class TaskAlarmsOut(ResponseModel):
    reminders: int
    escalations: int
    cleared: int
