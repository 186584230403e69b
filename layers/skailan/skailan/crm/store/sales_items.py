"""Stored items of the CRM's sales side (imports, forms, pipelines, deals, tasks) in the contacts table.

They subclass the people side's `ContactsItem` (items.py: pk/sk, the `kind` discriminator,
gsi1..gsi3, ttl), so one table holds the whole CRM. Every pk and GSI pk starts with `T#<tenant>`,
except two global registries a request without a signed-in caller must reach (marked *):

Imports
  import job     pk T#<t>#IMPORTS         sk IMPORT#<id>        newest first with one Query;
                 status, mapping, progress, summary, and the worker's lease (lease_owner/until)

Forms
  form           pk T#<t>#FORMS           sk FORM#<id>
  form guard *   pk FORM#<id>             sk FORM               form id → tenant (public submit)
  submission     pk T#<t>#FORM#<id>       sk SUB#<at>#<sid>     values + consent evidence
  rate counter   pk T#<t>#FORMRATE#<id>   sk <ip hash>#<window> hits by ADD, expires by ttl

Pipelines and deals
  pipeline       pk T#<t>#PIPELINES       sk PIPELINE#<id>      ordered stages in the item
  stage stat     pk T#<t>#PIPELINES       sk STAT#<p>#<stage>#<currency>   count, amount (ADD)
  stage flow     pk T#<t>#PIPELINES       sk FLOW#<p>#<stage>   deals that ever reached it (ADD)
  deal           pk T#<t>#DEAL#<id>       sk DEAL
                 gsi1 T#<t>#PIPE#<p> / <stage>#<updated_at>#<id>   board, column =
                      begins_with(<stage>#); the whole pipeline is the partition
                 gsi2 T#<t>#DEALS#OWNER#<user> / <expected_close|~>#<id>       an owner's deals
                 gsi3 T#<t>#P#<person>#DEALS / <created_at>#<id>                a person's deals
  deal task ref  pk T#<t>#DEAL#<id>       sk TASK#<task id>     a deal's tasks (same partition)

Tasks
  task type      pk T#<t>#TASKTYPES       sk TYPE#<id>
  task           pk T#<t>#TASK#<id>       sk TASK
                 gsi1 T#<t>#TASKS#U#<assignee> / <status>#<due_at|~>#<id>      "my tasks"
                 gsi2 * TASKALARM#<shard> / <alarm_at>#<t>#<id>   sparse: only while a reminder
                      or an escalation is pending; the every-minute job Queries `<= now`
                 gsi3 T#<t>#TASKS#P#<person> / <status>#<due_at|~>#<id>        a person's tasks

The TASKALARM partitions are global on purpose (like tenancy's INVITATIONS index): the job
must find due alarms of every brand without a Scan; 4 shards spread the writes.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pynamodb.attributes import (
    Attribute,
    BooleanAttribute,
    JSONAttribute,
    NumberAttribute,
    UnicodeAttribute,
    VersionAttribute,
)
from pynamodb.constants import NUMBER

from skailan.crm.store.items import ContactsItem

ALARM_SHARDS = 4


class DecimalAttribute(Attribute[Decimal]):
    """A DynamoDB number read and written as `Decimal`: money never passes through a float."""

    attr_type = NUMBER

    def serialize(self, value: Any) -> str:
        return str(Decimal(value))

    def deserialize(self, value: str) -> Decimal:
        return Decimal(value)


# ---------------------------------------------------------------- keys


def imports_pk(tenant_id: str) -> str:
    return f"T#{tenant_id}#IMPORTS"


def forms_pk(tenant_id: str) -> str:
    return f"T#{tenant_id}#FORMS"


def form_guard_pk(form_id: str) -> str:
    return f"FORM#{form_id}"


def form_submissions_pk(tenant_id: str, form_id: str) -> str:
    return f"T#{tenant_id}#FORM#{form_id}"


def form_rate_pk(tenant_id: str, form_id: str) -> str:
    return f"T#{tenant_id}#FORMRATE#{form_id}"


def pipelines_pk(tenant_id: str) -> str:
    return f"T#{tenant_id}#PIPELINES"


def deal_pk(tenant_id: str, deal_id: str) -> str:
    return f"T#{tenant_id}#DEAL#{deal_id}"


def board_pk(tenant_id: str, pipeline_id: str) -> str:
    return f"T#{tenant_id}#PIPE#{pipeline_id}"


def owner_deals_pk(tenant_id: str, owner_id: str) -> str:
    return f"T#{tenant_id}#DEALS#OWNER#{owner_id}"


def person_deals_pk(tenant_id: str, person_id: str) -> str:
    return f"T#{tenant_id}#P#{person_id}#DEALS"


def task_types_pk(tenant_id: str) -> str:
    return f"T#{tenant_id}#TASKTYPES"


def task_pk(tenant_id: str, task_id: str) -> str:
    return f"T#{tenant_id}#TASK#{task_id}"


def assignee_tasks_pk(tenant_id: str, user_id: str) -> str:
    return f"T#{tenant_id}#TASKS#U#{user_id}"


def person_tasks_pk(tenant_id: str, person_id: str) -> str:
    return f"T#{tenant_id}#TASKS#P#{person_id}"


def alarm_pk(shard: int) -> str:
    return f"TASKALARM#{shard}"


# ---------------------------------------------------------------- sort keys (and their query bounds)


def submission_sk(at: str, submission_id: str) -> str:
    return f"{SUB}{at}#{submission_id}"


def rate_counter_sk(ip_hash: str, window: int) -> str:
    return f"{ip_hash}#{window}"


def stage_stat_sk(pipeline_id: str, stage_id: str, currency: str) -> str:
    return f"{stage_stats_prefix(pipeline_id)}{stage_id}#{currency}"


def stage_stats_prefix(pipeline_id: str) -> str:
    """The sk prefix of every stage stat of one pipeline."""
    return f"{STAT}{pipeline_id}#"


def stage_flow_sk(pipeline_id: str, stage_id: str) -> str:
    return f"{stage_flows_prefix(pipeline_id)}{stage_id}"


def stage_flows_prefix(pipeline_id: str) -> str:
    """The sk prefix of every stage flow counter of one pipeline."""
    return f"{FLOW}{pipeline_id}#"


def board_column_prefix(stage_id: str) -> str:
    """The board's gsi1sk prefix of one column (stage) of a pipeline."""
    return f"{stage_id}#"


def task_status_prefix(status: str) -> str:
    """The gsi1sk / gsi3sk prefix of the tasks in one status (an assignee's or a person's)."""
    return f"{status}#"


def overdue_tasks_range(now: str) -> tuple[str, str]:
    """The `between` bounds of the open tasks due before `now` (no-due tasks sort after: excluded)."""
    return task_status_prefix("open"), f"{task_status_prefix('open')}{now}"


def alarms_due_by(now: str) -> str:
    """Upper bound (`<=`) of the alarm index for alarms due at or before `now` ('~' sorts last)."""
    return f"{now}#~"


IMPORT = "IMPORT#"
FORM = "FORM#"
SUB = "SUB#"
PIPELINE = "PIPELINE#"
STAT = "STAT#"
FLOW = "FLOW#"
TYPE = "TYPE#"
DEAL_TASK = "TASK#"  # sk prefix of a deal's task references (`TASK#<task id>`, in the deal's partition)
NO_DUE = "~"  # sorts after every date: tasks (and deals) without a due date come last
DEAL_SK = "DEAL"
TASK_SK = "TASK"
FORM_GUARD_SK = "FORM"


# ---------------------------------------------------------------- imports


class ImportJobItem(ContactsItem, discriminator="import_job"):
    tenant_id = UnicodeAttribute()
    import_id = UnicodeAttribute()
    status = UnicodeAttribute()  # pending | running | completed | failed
    filename = UnicodeAttribute()
    source_key = UnicodeAttribute()  # S3 key of the uploaded file
    source_etag = UnicodeAttribute(null=True)  # the upload whose headers were read (a re-upload re-reads)
    target = JSONAttribute(default=dict)  # {"kind", "list_id"?, "name"?}
    list_id = UnicodeAttribute(null=True)  # the list people go to (a new list's id is fixed at creation)
    owner_id = UnicodeAttribute(null=True)
    created_by = UnicodeAttribute(null=True)
    file_size = NumberAttribute(null=True)
    headers = JSONAttribute(null=True)
    suggested_mapping = JSONAttribute(null=True)
    mapping = JSONAttribute(null=True)
    update_policy = UnicodeAttribute(null=True)  # fill_empty (default) | overwrite | skip
    queued_at = UnicodeAttribute(null=True)
    started_at = UnicodeAttribute(null=True)
    finished_at = UnicodeAttribute(null=True)
    rows_total = NumberAttribute(null=True)
    rows_processed = NumberAttribute(default=0)
    summary = JSONAttribute(default=dict)
    error_rows = NumberAttribute(default=0)
    errors_key = UnicodeAttribute(null=True)  # S3 key of the finished errors CSV
    checkpoint_key = UnicodeAttribute(null=True)  # S3 key of the worker's last saved state
    error = JSONAttribute(null=True)  # {"code", "message", "message_es", "message_en", "row"}
    lease_owner = UnicodeAttribute(null=True)
    lease_until = NumberAttribute(null=True)  # epoch seconds
    attempts = NumberAttribute(default=0)


# ---------------------------------------------------------------- forms


class FormItem(ContactsItem, discriminator="form"):
    tenant_id = UnicodeAttribute()
    form_id = UnicodeAttribute()
    name = UnicodeAttribute()
    description = UnicodeAttribute(null=True)
    fields = JSONAttribute(default=list)  # [{"key", "label", "required", "type", "placeholder"}]
    consent_text = UnicodeAttribute(null=True)
    submit_label = UnicodeAttribute(null=True)
    success_message = UnicodeAttribute(null=True)
    redirect_url = UnicodeAttribute(null=True)
    tags = JSONAttribute(default=list)
    list_id = UnicodeAttribute(null=True)
    owner_id = UnicodeAttribute(null=True)
    active = BooleanAttribute(default=True)
    submissions = NumberAttribute(default=0)
    deleted_at = UnicodeAttribute(null=True)
    version = VersionAttribute()


class FormGuardItem(ContactsItem, discriminator="form_guard"):
    tenant_id = UnicodeAttribute()
    form_id = UnicodeAttribute()


class FormSubmissionItem(ContactsItem, discriminator="form_submission"):
    tenant_id = UnicodeAttribute()
    form_id = UnicodeAttribute()
    submission_id = UnicodeAttribute()
    person_id = UnicodeAttribute()
    created_person = BooleanAttribute(default=False)
    values = JSONAttribute(default=dict)
    consent = JSONAttribute(null=True)  # {"text", "accepted_at"}: what the person agreed to, and when
    ip_hash = UnicodeAttribute(null=True)
    user_agent = UnicodeAttribute(null=True)
    page_url = UnicodeAttribute(null=True)


class RateCounterItem(ContactsItem, discriminator="rate_counter"):
    hits = NumberAttribute(default=0)


# ---------------------------------------------------------------- pipelines and deals


class PipelineItem(ContactsItem, discriminator="pipeline"):
    tenant_id = UnicodeAttribute()
    pipeline_id = UnicodeAttribute()
    name = UnicodeAttribute()
    stages = JSONAttribute(default=list)  # [{"id", "name", "probability", "outcome"}] in board order
    is_default = BooleanAttribute(default=False)
    position = NumberAttribute(default=0)
    version = VersionAttribute()


class StageStatItem(ContactsItem, discriminator="stage_stat"):
    pipeline_id = UnicodeAttribute(null=True)
    stage_id = UnicodeAttribute(null=True)
    currency = UnicodeAttribute(null=True)
    count = NumberAttribute(default=0)  # type: ignore[assignment]  # the stored "count" shadows Model.count(), unused on these items
    amount = DecimalAttribute(default=Decimal)


class StageFlowItem(ContactsItem, discriminator="stage_flow"):
    pipeline_id = UnicodeAttribute(null=True)
    stage_id = UnicodeAttribute(null=True)
    reached = NumberAttribute(default=0)


class DealItem(ContactsItem, discriminator="deal"):
    tenant_id = UnicodeAttribute()
    deal_id = UnicodeAttribute()
    title = UnicodeAttribute()
    amount = DecimalAttribute()
    currency = UnicodeAttribute()
    pipeline_id = UnicodeAttribute()
    stage_id = UnicodeAttribute()
    status = UnicodeAttribute(default="open")  # open | won | lost (the stage's outcome)
    max_position = NumberAttribute(default=0)  # furthest open/won stage reached (conversion counters)
    owner_id = UnicodeAttribute(null=True)
    person_id = UnicodeAttribute(null=True)
    business_id = UnicodeAttribute(null=True)
    deal_kind = UnicodeAttribute(null=True)  # new | upsell | cross_sell | renewal | referral (KAM rates)
    expected_close = UnicodeAttribute(null=True)  # YYYY-MM-DD
    description = UnicodeAttribute(null=True)
    stage_changed_at = UnicodeAttribute(null=True)
    closed_at = UnicodeAttribute(null=True)
    created_by = UnicodeAttribute(null=True)
    version = VersionAttribute()


class DealTaskRefItem(ContactsItem, discriminator="deal_task"):
    tenant_id = UnicodeAttribute()
    deal_id = UnicodeAttribute()
    task_id = UnicodeAttribute()


# ---------------------------------------------------------------- tasks


class TaskTypeItem(ContactsItem, discriminator="task_type"):
    tenant_id = UnicodeAttribute()
    type_id = UnicodeAttribute()
    name = UnicodeAttribute()
    color = UnicodeAttribute(null=True)


class TaskItem(ContactsItem, discriminator="task"):
    tenant_id = UnicodeAttribute()
    task_id = UnicodeAttribute()
    title = UnicodeAttribute()
    description = UnicodeAttribute(null=True)
    type_id = UnicodeAttribute(null=True)
    status = UnicodeAttribute(default="open")  # open | done
    due_at = UnicodeAttribute(null=True)
    remind_at = UnicodeAttribute(null=True)
    assignee_id = UnicodeAttribute()
    person_id = UnicodeAttribute(null=True)
    deal_id = UnicodeAttribute(null=True)
    created_by = UnicodeAttribute(null=True)
    done_at = UnicodeAttribute(null=True)
    reminded_at = UnicodeAttribute(null=True)
    escalated_at = UnicodeAttribute(null=True)
    version = VersionAttribute()


# ---------------------------------------------------------------- the index keys of deals and tasks


def index_deal(deal: DealItem) -> None:
    """Set the deal's index keys from its state: the board, its owner's deals, its person's deals."""
    deal.gsi1pk = board_pk(deal.tenant_id, deal.pipeline_id)
    deal.gsi1sk = f"{deal.stage_id}#{deal.updated_at}#{deal.deal_id}"
    deal.gsi2pk = owner_deals_pk(deal.tenant_id, deal.owner_id) if deal.owner_id else None
    deal.gsi2sk = f"{deal.expected_close or NO_DUE}#{deal.deal_id}" if deal.owner_id else None
    deal.gsi3pk = person_deals_pk(deal.tenant_id, deal.person_id) if deal.person_id else None
    deal.gsi3sk = f"{deal.created_at}#{deal.deal_id}" if deal.person_id else None


def index_task(task: TaskItem, alarm: str | None, shard: int) -> None:
    """Set the task's index keys: its assignee's and its person's tasks (by status and due time),
    and the alarm index while a reminder or an escalation is pending (`alarm`, sparse)."""
    sort = f"{task.status}#{task.due_at or NO_DUE}#{task.task_id}"
    task.gsi1pk, task.gsi1sk = assignee_tasks_pk(task.tenant_id, task.assignee_id), sort
    task.gsi3pk = person_tasks_pk(task.tenant_id, task.person_id) if task.person_id else None
    task.gsi3sk = sort if task.person_id else None
    task.gsi2pk = alarm_pk(shard) if alarm else None
    task.gsi2sk = f"{alarm}#{task.tenant_id}#{task.task_id}" if alarm else None
