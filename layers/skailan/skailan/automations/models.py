"""Request and response models of the automations API: triggers, steps, automations, runs.

A trigger and each step are tagged unions on `type`; an unknown type or a missing part is a 422
whose details name the part (`trigger.tag_added.tag`, `steps.2.wait.minutes`). Checks that need
the brand's data (tags, users, lists, templates, the segment rule tree) run in the service.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from skailan.platform.ids import EntityId
from skailan.platform.models import PatchModel, RequestModel, ResponseModel

Tag = Annotated[str, Field(min_length=1, max_length=50, pattern=r"^[^#]+$")]
Text = Annotated[str, Field(min_length=1, max_length=4096)]
Channel = Literal["whatsapp", "telegram", "messenger", "instagram", "sms", "email", "webchat"]
MAX_STEPS = 50
MAX_WAIT_MINUTES = 60 * 24 * 365


# ---------------------------------------------------------------- triggers


class _Trigger(RequestModel):
    pass


class PersonCreated(_Trigger):
    type: Literal["person_created"]


class PersonUpdated(_Trigger):
    type: Literal["person_updated"]
    # Fires only when one of these fields changed; empty: any change.
    fields: Annotated[list[Annotated[str, Field(min_length=1, max_length=64)]], Field(max_length=20)] = Field(
        default_factory=list)


class TagAdded(_Trigger):
    type: Literal["tag_added"]
    tag: Tag


class TagRemoved(_Trigger):
    type: Literal["tag_removed"]
    tag: Tag


class JourneyStateChanged(_Trigger):
    type: Literal["journey_state_changed"]
    state: EntityId | None = None  # None: any state


class CustomerRoleChanged(_Trigger):
    type: Literal["customer_role_changed"]


class FormSubmitted(_Trigger):
    type: Literal["form_submitted"]
    form_id: EntityId | None = None


class ConversationOpened(_Trigger):
    type: Literal["conversation_opened"]
    channel: Channel | None = None


class ConversationAssigned(_Trigger):
    type: Literal["conversation_assigned"]


class ConversationClosed(_Trigger):
    type: Literal["conversation_closed"]
    reason_id: EntityId | None = None


class MessageReceived(_Trigger):
    type: Literal["message_received"]
    # Any of them, as words of the message, accent- and case-insensitive; empty: every message.
    keywords: Annotated[list[Annotated[str, Field(min_length=1, max_length=100)]], Field(max_length=50)] = Field(
        default_factory=list)
    channel: Channel | None = None


class LeadNoteAdded(_Trigger):
    type: Literal["lead_note_added"]
    template: Annotated[str, Field(max_length=200)] | None = None


class LeadStatusChanged(_Trigger):
    type: Literal["lead_status_changed"]
    status: Annotated[str, Field(max_length=64)] | None = None


class OutcomeClassified(_Trigger):
    type: Literal["outcome_classified"]
    outcome: Annotated[str, Field(max_length=64)] | None = None


class DealStageChanged(_Trigger):
    type: Literal["deal_stage_changed"]
    stage_id: EntityId | None = None


class DealWon(_Trigger):
    type: Literal["deal_won"]


class DealLost(_Trigger):
    type: Literal["deal_lost"]


class TaskOverdue(_Trigger):
    type: Literal["task_overdue"]


class ConversationUnattended(_Trigger):
    """The inbox's alert: a conversation waits unassigned past the brand's limit (escalation rules)."""

    type: Literal["conversation_unattended"]


class Manual(_Trigger):
    """Run on a person from the API (`POST /v1/automations/{id}/run`)."""

    type: Literal["manual"]


class InboundWebhook(_Trigger):
    """`POST /public/automations/hooks/{hook_id}` with the secret in `X-Skailan-Secret`."""

    type: Literal["webhook"]


class _CampaignTrigger(_Trigger):
    campaign_id: EntityId | None = None  # None: any campaign


class CampaignDelivered(_CampaignTrigger):
    type: Literal["campaign_delivered"]


class CampaignRead(_CampaignTrigger):
    type: Literal["campaign_read"]


class CampaignOpened(_CampaignTrigger):
    type: Literal["campaign_opened"]


class CampaignClicked(_CampaignTrigger):
    type: Literal["campaign_clicked"]


class CampaignReplied(_CampaignTrigger):
    """The person wrote on the campaign's channel within its reply window (campaigns' store.REPLY_WINDOW)."""

    type: Literal["campaign_replied"]


class CampaignUnsubscribed(_Trigger):
    """The person opted out of a channel (campaigns' consent.changed, suppressed)."""

    type: Literal["campaign_unsubscribed"]
    channel: Channel | None = None


FieldKey = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^(custom\.)?[a-z][a-z0-9_]*$")]


class Birthday(_Trigger):
    """Every year on the month and day of a date field (`days` before (<0) or after (>0)), at
    `hour` in the brand's time zone. Feb 29 falls on Feb 28 in other years."""

    type: Literal["birthday"]
    field: FieldKey = "birthday"  # a custom field of type date
    days: Annotated[int, Field(ge=-365, le=365)] = 0
    hour: Annotated[int, Field(ge=0, le=23)] = 9


class DateField(_Trigger):
    """Once, `days` before (<0) or after (>0) the date in a date field, at `hour` (brand zone)."""

    type: Literal["date_field"]
    field: FieldKey
    days: Annotated[int, Field(ge=-3650, le=3650)] = 0
    hour: Annotated[int, Field(ge=0, le=23)] = 9


class Schedule(_Trigger):
    """A cron expression (`minute hour day month weekday`) in the brand's time zone; on each
    member of `list_id`, or once without a person."""

    type: Literal["schedule"]
    cron: Annotated[str, Field(min_length=9, max_length=100)]
    list_id: EntityId | None = None
    # Or each member of a segment (e.g. score decay: "score > 0 and no interaction in 30 days").
    segment_id: EntityId | None = None

    @model_validator(mode="after")
    def _one_audience(self) -> Schedule:
        if self.list_id and self.segment_id:
            raise ValueError("give list_id or segment_id, not both")
        return self


# Triggers fired by the clock (the schedules index), not by an event.
CLOCK_TRIGGERS = frozenset({"birthday", "date_field", "schedule"})


Trigger = Annotated[
    PersonCreated | PersonUpdated | TagAdded | TagRemoved | JourneyStateChanged | CustomerRoleChanged
    | FormSubmitted | ConversationOpened | ConversationAssigned | ConversationClosed | MessageReceived
    | LeadNoteAdded | LeadStatusChanged | OutcomeClassified | DealStageChanged | DealWon | DealLost | TaskOverdue
    | ConversationUnattended | Manual | InboundWebhook | Birthday | DateField | Schedule | CampaignDelivered
    | CampaignRead | CampaignOpened | CampaignClicked | CampaignReplied | CampaignUnsubscribed,
    Field(discriminator="type"),
]


# ---------------------------------------------------------------- event conditions


class EventCondition(RequestModel):
    """A check on the triggering event's fields (`channel`, `tag`, `reason_id`, `text`…)."""

    field: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z_][a-z0-9_.]*$")]
    op: Literal["eq", "neq", "in", "contains", "exists"]
    value: Any = None


# ---------------------------------------------------------------- steps


class AddTag(RequestModel):
    type: Literal["add_tag"]
    tag: Tag


class RemoveTag(RequestModel):
    type: Literal["remove_tag"]
    tag: Tag


class UpdateField(RequestModel):
    """A custom field (`custom.<key>` or `<key>`) or one of name / owner_id / customer_role."""

    type: Literal["update_field"]
    field: Annotated[str, Field(min_length=1, max_length=64)]
    value: Any = None


class SetJourneyState(RequestModel):
    type: Literal["set_journey_state"]
    state: EntityId


class AddToList(RequestModel):
    type: Literal["add_to_list"]
    list_id: EntityId


class RemoveFromList(RequestModel):
    type: Literal["remove_from_list"]
    list_id: EntityId


class CreateTask(RequestModel):
    type: Literal["create_task"]
    title: Annotated[str, Field(min_length=1, max_length=200)]
    description: Annotated[str, Field(max_length=5000)] | None = None
    due_in_minutes: Annotated[int, Field(ge=0, le=MAX_WAIT_MINUTES)] | None = None
    # None: the person's owner, else the event's actor (the operator who wrote the note).
    assignee_id: EntityId | None = None
    type_id: EntityId | None = None


class NotifyUser(RequestModel):
    type: Literal["notify_user"]
    user_id: EntityId
    message: Annotated[str, Field(min_length=1, max_length=500)]


class AssignOwner(RequestModel):
    """Round-robin among the chosen users (the person's owner)."""

    type: Literal["assign_owner"]
    user_ids: Annotated[list[EntityId], Field(min_length=1, max_length=50)]


class AssignAgent(RequestModel):
    """The triggering conversation to an agent, round-robin among `user_ids` (through the inbox's
    assignment: a conditional claim, so a conversation never has two holders). `only_unassigned`:
    leave a conversation someone already holds."""

    type: Literal["assign_agent"]
    user_ids: Annotated[list[EntityId], Field(min_length=1, max_length=50)]
    only_unassigned: bool = False


class AssignTeam(RequestModel):
    """The triggering conversation to a team; with `user_ids`, also to one of them by turns (else
    the team's members get it through auto-assignment)."""

    type: Literal["assign_team"]
    team_id: EntityId
    user_ids: Annotated[list[EntityId], Field(max_length=50)] = Field(default_factory=list)


class SendMessage(RequestModel):
    """Free text in the triggering conversation (only where its reply window is surely open)."""

    type: Literal["send_message"]
    text: Text


class SendWhatsappTemplate(RequestModel):
    """An approved template, in the triggering conversation or a new one on `account_id`."""

    type: Literal["send_whatsapp_template"]
    name: Annotated[str, Field(min_length=1, max_length=512)]
    language: Annotated[str, Field(min_length=2, max_length=15)]
    parameters: Annotated[list[Annotated[str, Field(max_length=1024)]], Field(max_length=20)] = Field(
        default_factory=list)
    account_id: EntityId | None = None


class SendEmail(RequestModel):
    type: Literal["send_email"]
    account_id: EntityId
    subject: Annotated[str, Field(min_length=1, max_length=998)]
    text: Text


class SendSms(RequestModel):
    type: Literal["send_sms"]
    account_id: EntityId
    text: Annotated[str, Field(min_length=1, max_length=1600)]


class CallWebhook(RequestModel):
    """POST the run's context as JSON, signed `X-Skailan-Signature: sha256=<hmac>`; https, public hosts."""

    type: Literal["call_webhook"]
    url: Annotated[str, Field(min_length=8, max_length=2000)]


class CreateDeal(RequestModel):
    """A deal for the person (pipeline and stage: the brand's defaults unless given)."""

    type: Literal["create_deal"]
    title: Annotated[str, Field(min_length=1, max_length=200)]
    amount: Annotated[float, Field(ge=0, le=1e12)] = 0
    pipeline_id: EntityId | None = None
    stage_id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$")] | None = None
    owner_id: EntityId | None = None  # None: the person's owner, else the user who caused the event


class MoveDeal(RequestModel):
    """Move the triggering deal (deal triggers only) to another stage."""

    type: Literal["move_deal"]
    stage_id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$")]
    pipeline_id: EntityId | None = None


class AddScore(RequestModel):
    """Scoring rules: add (or with a negative number, take) points on a number custom field."""

    type: Literal["add_score"]
    field: Annotated[str, Field(min_length=1, max_length=64)]
    points: Annotated[int, Field(ge=-10_000, le=10_000)]
    # Bounds the score stays within (decay: negative points with `min: 0`).
    min: Annotated[int, Field(ge=-1_000_000, le=1_000_000)] | None = None
    max: Annotated[int, Field(ge=-1_000_000, le=1_000_000)] | None = None


class Wait(RequestModel):
    type: Literal["wait"]
    minutes: Annotated[int, Field(ge=1, le=MAX_WAIT_MINUTES)] | None = None
    until: Annotated[str, Field(max_length=40)] | None = None  # ISO-8601 date-time
    # Resume only while the brand is open: a wait ending out of hours ends at the next opening.
    business_hours: bool = False

    @model_validator(mode="after")
    def _one(self) -> Wait:
        if (self.minutes is None) == (self.until is None):
            raise ValueError("give minutes or until (one of them)")
        return self


class Branch(RequestModel):
    """If the person matches `conditions` (a segment rule tree), `then`; otherwise `else`."""

    type: Literal["branch"]
    conditions: dict[str, Any]
    then: Annotated[list[Step], Field(max_length=MAX_STEPS)] = Field(default_factory=list)
    else_: Annotated[list[Step], Field(max_length=MAX_STEPS, alias="else")] = Field(default_factory=list)


class Stop(RequestModel):
    type: Literal["stop"]


class RequestApproval(RequestModel):
    """Deal approval: a deal over `amount_over` (none: any amount) waits until one of
    `approver_ids` approves (`then`) or rejects (`rejected`) it with a reason; at or below the
    amount the run goes on into `then` at once. Deal triggers only."""

    type: Literal["request_approval"]
    approver_ids: Annotated[list[EntityId], Field(min_length=1, max_length=20)]
    amount_over: Annotated[float, Field(ge=0, le=1e12)] | None = None
    message: Annotated[str, Field(max_length=500)] | None = None
    then: Annotated[list[Step], Field(max_length=MAX_STEPS)] = Field(default_factory=list)
    rejected: Annotated[list[Step], Field(max_length=MAX_STEPS)] = Field(default_factory=list)


# What a `wait_event` step can wait for: the person's own events (the trigger types of that name).
WaitableEvent = Literal["message_received", "tag_added", "tag_removed", "form_submitted", "journey_state_changed",
                        "conversation_closed", "deal_won", "deal_lost", "lead_status_changed", "campaign_delivered",
                        "campaign_read", "campaign_opened", "campaign_clicked", "campaign_replied"]


class WaitEvent(RequestModel):
    """Wait until the person's event happens ("customer replied": `message_received`; "tag added"),
    at most `timeout_minutes`: `then` runs when it happens, `timeout` when time runs out (either
    way the steps after this one follow). `business_hours`: a timeout ending while the brand is
    closed ends at its next opening."""

    type: Literal["wait_event"]
    event: WaitableEvent
    tag: Tag | None = None  # tag events: which tag
    keywords: Annotated[list[Annotated[str, Field(min_length=1, max_length=100)]], Field(max_length=50)] = Field(
        default_factory=list)  # message_received: any of them (empty: any message)
    channel: Channel | None = None
    form_id: EntityId | None = None
    state: EntityId | None = None
    campaign_id: EntityId | None = None  # campaign events: which campaign (none: any)
    timeout_minutes: Annotated[int, Field(ge=1, le=MAX_WAIT_MINUTES)]
    business_hours: bool = False
    then: Annotated[list[Step], Field(max_length=MAX_STEPS)] = Field(default_factory=list)
    timeout: Annotated[list[Step], Field(max_length=MAX_STEPS)] = Field(default_factory=list)

    @model_validator(mode="after")
    def _tag(self) -> WaitEvent:
        if self.event in ("tag_added", "tag_removed") and not self.tag:
            raise ValueError("tag events need the tag")
        return self


Step = Annotated[
    AddTag | RemoveTag | UpdateField | SetJourneyState | AddToList | RemoveFromList | CreateTask | NotifyUser
    | AssignOwner | AssignAgent | AssignTeam | SendMessage | SendWhatsappTemplate | SendEmail | SendSms | CallWebhook | CreateDeal | MoveDeal
    | AddScore | Wait | Branch | Stop | WaitEvent | RequestApproval,
    Field(discriminator="type"),
]
Branch.model_rebuild()
WaitEvent.model_rebuild()
RequestApproval.model_rebuild()

# Zoho-style built-in kinds: the same engine; the kind says which steps and triggers it must have
# (assignment: assign_owner; scoring: add_score; escalation: task_overdue / conversation_unattended).
Kind = Literal["workflow", "assignment", "scoring", "escalation"]


class AutomationIn(RequestModel):
    name: Annotated[str, Field(min_length=1, max_length=200)]
    kind: Kind = "workflow"
    description: Annotated[str, Field(max_length=2000)] | None = None
    active: bool = True
    trigger: Trigger
    conditions: dict[str, Any] | None = None  # the CRM segment rule tree over the person
    event_conditions: Annotated[list[EventCondition], Field(max_length=20)] = Field(default_factory=list)
    steps: Annotated[list[Step], Field(min_length=1, max_length=MAX_STEPS)]
    once_per_person: bool = False


class AutomationPatchIn(PatchModel):
    nullable = frozenset({"description", "conditions"})

    name: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    kind: Kind | None = None
    description: Annotated[str, Field(max_length=2000)] | None = None
    active: bool | None = None
    trigger: Trigger | None = None
    conditions: dict[str, Any] | None = None
    event_conditions: Annotated[list[EventCondition], Field(max_length=20)] | None = None
    steps: Annotated[list[Step], Field(min_length=1, max_length=MAX_STEPS)] | None = None
    once_per_person: bool | None = None


class ManualRunIn(RequestModel):
    """One person now, or every member of a list (queued: the schedules job runs them)."""

    person_id: EntityId | None = None
    list_id: EntityId | None = None

    @model_validator(mode="after")
    def _one(self) -> ManualRunIn:
        if (self.person_id is None) == (self.list_id is None):
            raise ValueError("give person_id or list_id (one of them)")
        return self


class ListRunOut(ResponseModel):
    status: Literal["queued"]
    list_id: str
    batch_id: str


class AutomationOut(ResponseModel):
    id: str
    version: int
    name: str
    kind: Kind = "workflow"
    description: str | None = None
    active: bool
    status: Literal["active", "inactive", "paused"]
    paused_reason: str | None = None
    trigger: dict[str, Any]
    conditions: dict[str, Any] | None = None
    event_conditions: list[dict[str, Any]] = Field(default_factory=list)
    steps: list[dict[str, Any]]
    once_per_person: bool
    created_at: str
    created_by: str | None = None
    updated_at: str
    last_run_at: str | None = None
    # Inbound webhook trigger only: where to post and the secret (shown to editors).
    webhook_url: str | None = None
    # Signs outbound webhook calls (X-Skailan-Signature) and checks inbound ones; editors only.
    webhook_secret: str | None = None
    # Clock triggers (birthday, date_field, schedule): when the schedules job looks next.
    next_fire_at: str | None = None


class VersionOut(ResponseModel):
    version: int
    created_at: str
    created_by: str | None = None
    definition: dict[str, Any]


class StepRunOut(ResponseModel):
    index: int  # the instruction of the compiled program
    path: str | None = None  # where the step is in the automation's steps ("2.then.0")
    type: str
    status: Literal["completed", "failed", "skipped", "waiting", "retrying"]
    input: dict[str, Any] = Field(default_factory=dict)
    output: dict[str, Any] | None = None
    error: str | None = None
    attempts: int = 1
    at: str


class RunOut(ResponseModel):
    id: str
    automation_id: str
    version: int
    status: Literal["running", "waiting", "completed", "failed", "stopped"]
    person_id: str | None = None
    trigger: dict[str, Any]
    reason: str | None = None
    depth: int
    root_event_id: str
    steps: list[StepRunOut]
    started_at: str
    updated_at: str
    wait_until: str | None = None


class ApprovalOut(ResponseModel):
    id: str
    status: Literal["pending", "approved", "rejected"]
    automation_id: str
    run_id: str
    deal_id: str
    deal_title: str | None = None
    amount: float
    person_id: str | None = None
    approver_ids: list[str]
    message: str | None = None
    requested_at: str
    decided_by: str | None = None
    decided_at: str | None = None
    reason: str | None = None


class ApproveIn(RequestModel):
    reason: Annotated[str, Field(max_length=1000)] | None = None


class RejectIn(RequestModel):
    reason: Annotated[str, Field(min_length=1, max_length=1000)]


class Page[T](ResponseModel):
    items: list[T]
    next_cursor: str | None = None
