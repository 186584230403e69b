"""HTTP routers of the CRM sales API: imports, forms, pipelines, deals, tasks (one Router each).

Permissions: `contacts:view` reads; `contacts:edit` imports and manages forms, pipelines,
deals, tasks and task types. The public form submit lives in its own function
(functions/api/public_forms) with `public()`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, cast

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2

from skailan.crm.capture.form_models import FormEmbedOut, FormIn, FormOut, FormSubmissionOut, FormUpdateIn
from skailan.crm.sales.models import (
    BoardOut,
    DealIn,
    DealOut,
    DealUpdateIn,
    ImportCreatedOut,
    ImportIn,
    ImportOut,
    ImportStartIn,
    PipelineIn,
    PipelineOut,
    PipelineUpdateIn,
    TaskIn,
    TaskOut,
    TaskTypeIn,
    TaskTypeOut,
    TaskTypeUpdateIn,
    TaskUpdateIn,
)
from skailan.crm.values.types import Page
from skailan.platform.api import CappedCursor as Cursor
from skailan.platform.api import Limit
from skailan.platform.auth import current_caller
from skailan.platform.lazy import lazy_module
from skailan.platform.settings import get_settings
from skailan.tenancy.access import requires

# Services load on first use: a cold start pays only for the resource its request touches.
deals = lazy_module("skailan.crm.sales.deals")
forms = lazy_module("skailan.crm.capture.forms")
import_jobs = lazy_module("skailan.crm.capture.imports.jobs")
tasks = lazy_module("skailan.crm.sales.tasks")


VIEW, EDIT = "contacts:view", "contacts:edit"

# ---------------------------------------------------------------- imports
imports_router = Router()
IMPORTS = ["imports"]


@imports_router.post("/v1/imports", middlewares=[requires(EDIT)], status_code=201, tags=IMPORTS)
def create_import(body: ImportIn) -> ImportCreatedOut:
    """Create an import and get the URL to PUT the CSV / XLSX file to (≤ 50 MB, 15 minutes)."""
    return import_jobs.create_import(current_caller(), body)


@imports_router.get("/v1/imports", middlewares=[requires(VIEW)], tags=IMPORTS)
def list_imports(cursor: Cursor = None, limit: Limit = None) -> Page[ImportOut]:
    return import_jobs.list_imports(current_caller().tenant_id, cursor=cursor, limit=limit)


@imports_router.get("/v1/imports/<import_id>", middlewares=[requires(VIEW)], tags=IMPORTS)
def get_import(import_id: str) -> ImportOut:
    """Status, progress and summary; once uploaded, the headers and the suggested mapping."""
    return import_jobs.get_import(current_caller().tenant_id, import_id)


@imports_router.post("/v1/imports/<import_id>/start", middlewares=[requires(EDIT)], status_code=202, tags=IMPORTS)
def start_import(import_id: str, body: ImportStartIn | None = None) -> ImportOut:
    """Start with a column mapping (`null` skips a column; `custom:<key>` creates the field);
    without one, the suggested mapping is used."""
    return import_jobs.start_import(current_caller(), import_id, body or ImportStartIn())


# ---------------------------------------------------------------- forms
forms_router = Router()
FORMS = ["forms"]


def _public_base_url() -> str:
    """Where browsers reach the public API: PUBLIC_API_URL, else this request's own host."""
    configured = get_settings().public_api_url
    if configured:
        return configured.rstrip("/")
    event = cast("APIGatewayProxyEventV2", forms_router.current_event)  # an HTTP API (payload 2.0) route
    headers = {k.lower(): v for k, v in (event.headers or {}).items()}
    host = headers.get("host") or event.request_context.domain_name
    local = host.split(":")[0] in ("127.0.0.1", "localhost")
    scheme = headers.get("x-forwarded-proto") or ("http" if local else "https")
    return f"{scheme}://{host}"


@forms_router.get("/v1/forms", middlewares=[requires(VIEW)], tags=FORMS)
def list_forms(cursor: Cursor = None, limit: Limit = None) -> Page[FormOut]:
    return forms.list_forms(current_caller().tenant_id, cursor=cursor, limit=limit, base_url=_public_base_url())


@forms_router.post("/v1/forms", middlewares=[requires(EDIT)], status_code=201, tags=FORMS)
def create_form(body: FormIn) -> FormOut:
    """A lead-capture form: name, phone and e-mail at least, custom fields, consent checkbox."""
    return forms.create_form(current_caller(), body, _public_base_url())


@forms_router.get("/v1/forms/<form_id>", middlewares=[requires(VIEW)], tags=FORMS)
def get_form(form_id: str) -> FormOut:
    return forms.get_form(current_caller().tenant_id, form_id, _public_base_url())


@forms_router.patch("/v1/forms/<form_id>", middlewares=[requires(EDIT)], tags=FORMS)
def update_form(form_id: str, body: FormUpdateIn) -> FormOut:
    return forms.update_form(current_caller(), form_id, body, _public_base_url())


@forms_router.delete("/v1/forms/<form_id>", middlewares=[requires(EDIT)], status_code=204, tags=FORMS)
def delete_form(form_id: str) -> None:
    forms.delete_form(current_caller(), form_id)


@forms_router.get("/v1/forms/<form_id>/embed", middlewares=[requires(VIEW)], tags=FORMS)
def get_form_embed(form_id: str) -> FormEmbedOut:
    """The copy-paste snippet (HTML + JS) that shows the form on a web site and submits it."""
    return forms.embed(current_caller().tenant_id, form_id, _public_base_url())


@forms_router.get("/v1/forms/<form_id>/submissions", middlewares=[requires(VIEW)], tags=FORMS)
def list_form_submissions(form_id: str, cursor: Cursor = None, limit: Limit = None) -> Page[FormSubmissionOut]:
    return forms.list_submissions(current_caller().tenant_id, form_id, cursor=cursor, limit=limit)


# ---------------------------------------------------------------- pipelines and deals
pipelines_router = Router()
deals_router = Router()
DEALS = ["deals"]
Ref = Annotated[str | None, Query(max_length=64)]


@pipelines_router.get("/v1/pipelines", middlewares=[requires(VIEW)], tags=DEALS)
def list_pipelines() -> Page[PipelineOut]:
    """The brand's pipelines, default first (a brand without any gets "Ventas")."""
    return Page[PipelineOut](items=deals.list_pipelines(current_caller().tenant_id))


@pipelines_router.post("/v1/pipelines", middlewares=[requires(EDIT)], status_code=201, tags=DEALS)
def create_pipeline(body: PipelineIn) -> PipelineOut:
    return deals.create_pipeline(current_caller(), body)


@pipelines_router.get("/v1/pipelines/<pipeline_id>", middlewares=[requires(VIEW)], tags=DEALS)
def get_pipeline(pipeline_id: str) -> PipelineOut:
    return deals.get_pipeline(current_caller().tenant_id, pipeline_id)


@pipelines_router.patch("/v1/pipelines/<pipeline_id>", middlewares=[requires(EDIT)], tags=DEALS)
def update_pipeline(pipeline_id: str, body: PipelineUpdateIn) -> PipelineOut:
    return deals.update_pipeline(current_caller(), pipeline_id, body)


@pipelines_router.delete("/v1/pipelines/<pipeline_id>", middlewares=[requires(EDIT)], status_code=204, tags=DEALS)
def delete_pipeline(pipeline_id: str) -> None:
    deals.delete_pipeline(current_caller(), pipeline_id)


@pipelines_router.get("/v1/pipelines/<pipeline_id>/board", middlewares=[requires(VIEW)], tags=DEALS)
def get_board(pipeline_id: str, stage_id: Annotated[str | None, Query(max_length=40)] = None,
              cursor: Cursor = None, limit: Limit = None) -> BoardOut:
    """Deals by stage (newest change first), totals per currency and conversion rates. With
    `stage_id`, only that column, paginated with `cursor`."""
    return deals.board(current_caller().tenant_id, pipeline_id, stage_id=stage_id, cursor=cursor, limit=limit)


@deals_router.get("/v1/deals", middlewares=[requires(VIEW)], tags=DEALS)
def list_deals(pipeline_id: Ref = None, stage_id: Annotated[str | None, Query(max_length=40)] = None,
               owner_id: Annotated[str | None, Query(max_length=64, description="A user id, or `me`")] = None,
               person_id: Ref = None, cursor: Cursor = None, limit: Limit = None) -> Page[DealOut]:
    """A person's deals, an owner's (by expected close), or a pipeline's (default pipeline when
    nothing is given), optionally one stage."""
    caller = current_caller()
    if owner_id == "me":
        owner_id = caller.principal_id
    return deals.list_deals(caller.tenant_id, pipeline_id=pipeline_id, stage_id=stage_id, owner_id=owner_id,
                            person_id=person_id, cursor=cursor, limit=limit)


@deals_router.post("/v1/deals", middlewares=[requires(EDIT)], status_code=201, tags=DEALS)
def create_deal(body: DealIn) -> DealOut:
    return deals.create_deal(current_caller(), body)


@deals_router.get("/v1/deals/<deal_id>", middlewares=[requires(VIEW)], tags=DEALS)
def get_deal(deal_id: str) -> DealOut:
    return deals.get_deal(current_caller().tenant_id, deal_id)


@deals_router.patch("/v1/deals/<deal_id>", middlewares=[requires(EDIT)], tags=DEALS)
def update_deal(deal_id: str, body: DealUpdateIn) -> DealOut:
    """Change fields; `stage_id` (with `pipeline_id` to change pipeline) moves the deal and emits
    `deal.stage_changed`."""
    return deals.update_deal(current_caller(), deal_id, body)


@deals_router.delete("/v1/deals/<deal_id>", middlewares=[requires(EDIT)], status_code=204, tags=DEALS)
def delete_deal(deal_id: str) -> None:
    deals.delete_deal(current_caller(), deal_id)


# ---------------------------------------------------------------- tasks
tasks_router = Router()
TASKS = ["tasks"]


@tasks_router.get("/v1/tasks/types", middlewares=[requires(VIEW)], tags=TASKS)
def list_task_types() -> Page[TaskTypeOut]:
    """Built-in task types (call, meeting, e-mail, WhatsApp, follow-up, visit) and the brand's own."""
    return Page[TaskTypeOut](items=tasks.list_types(current_caller().tenant_id))


@tasks_router.post("/v1/tasks/types", middlewares=[requires(EDIT)], status_code=201, tags=TASKS)
def create_task_type(body: TaskTypeIn) -> TaskTypeOut:
    return tasks.create_type(current_caller(), body)


@tasks_router.patch("/v1/tasks/types/<type_id>", middlewares=[requires(EDIT)], tags=TASKS)
def update_task_type(type_id: str, body: TaskTypeUpdateIn) -> TaskTypeOut:
    return tasks.update_type(current_caller(), type_id, body)


@tasks_router.delete("/v1/tasks/types/<type_id>", middlewares=[requires(EDIT)], status_code=204, tags=TASKS)
def delete_task_type(type_id: str) -> None:
    tasks.delete_type(current_caller(), type_id)


@tasks_router.get("/v1/tasks", middlewares=[requires(VIEW)], tags=TASKS)
def list_tasks(
    assignee: Annotated[str | None, Query(max_length=64, description="`me` (default) or a user id")] = None,
    person_id: Ref = None,
    deal_id: Ref = None,
    status: Annotated[str, Query(pattern="^(open|done|all)$")] = "open",
    overdue: Annotated[bool, Query(description="Only open tasks past their due time")] = False,
    cursor: Cursor = None,
    limit: Limit = None,
) -> Page[TaskOut]:
    """My tasks by due time (or an assignee's, a person's, a deal's)."""
    caller = current_caller()
    assignee_id = caller.principal_id if assignee in (None, "me") else assignee
    return tasks.list_tasks(caller.tenant_id, assignee_id=assignee_id, person_id=person_id, deal_id=deal_id,
                            status=status, overdue=overdue, cursor=cursor, limit=limit)


@tasks_router.post("/v1/tasks", middlewares=[requires(EDIT)], status_code=201, tags=TASKS)
def create_task(body: TaskIn) -> TaskOut:
    return tasks.create_task(current_caller(), body)


@tasks_router.get("/v1/tasks/<task_id>", middlewares=[requires(VIEW)], tags=TASKS)
def get_task(task_id: str) -> TaskOut:
    return tasks.get_task(current_caller().tenant_id, task_id)


@tasks_router.patch("/v1/tasks/<task_id>", middlewares=[requires(EDIT)], tags=TASKS)
def update_task(task_id: str, body: TaskUpdateIn) -> TaskOut:
    """Change fields; `status: done` completes it. A new `due_at` / `remind_at` re-arms its alarms."""
    return tasks.update_task(current_caller(), task_id, body)


@tasks_router.delete("/v1/tasks/<task_id>", middlewares=[requires(EDIT)], status_code=204, tags=TASKS)
def delete_task(task_id: str) -> None:
    tasks.delete_task(current_caller(), task_id)


ROUTERS: tuple[Router, ...] = (imports_router, forms_router, pipelines_router, deals_router, tasks_router)
