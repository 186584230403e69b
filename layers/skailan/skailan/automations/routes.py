"""HTTP routes of the automations API (AutomationsApiFunction).

`automations:view` reads automations, versions and runs; `automations:edit` creates, edits,
deletes, runs one on a person and retries a failed step. The inbound webhook trigger is public
and checked by its secret.
"""

from __future__ import annotations

from typing import Annotated, Literal

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from skailan.automations.models import (
    ApprovalOut,
    ApproveIn,
    AutomationIn,
    AutomationOut,
    AutomationPatchIn,
    ListRunOut,
    ManualRunIn,
    Page,
    RejectIn,
    RunOut,
    VersionOut,
)
from skailan.platform.api import CappedCursor as Cursor
from skailan.platform.api import Limit
from skailan.platform.auth import current_caller
from skailan.platform.lazy import lazy_module
from skailan.tenancy.access import public, requires

service = lazy_module("skailan.automations.service")
engine = lazy_module("skailan.automations.engine")

VIEW, EDIT = "automations:view", "automations:edit"
TAGS = ["automations"]
Ref = Annotated[str | None, Query(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
Status = Annotated[Literal["running", "waiting", "completed", "failed", "stopped"] | None, Query()]
Moment = Annotated[str | None, Query(max_length=40, pattern=r"^\d{4}-\d{2}-\d{2}([T ][0-9:.]+Z?)?$",
                                     description="ISO-8601 date or date-time (UTC)")]

router = Router()


@router.get("/v1/automations", middlewares=[requires(VIEW)], tags=TAGS)
def list_automations(cursor: Cursor = None, limit: Limit = None) -> Page[AutomationOut]:
    return service.list_all(current_caller().tenant_id, cursor, limit)


@router.post("/v1/automations", middlewares=[requires(EDIT)], status_code=201, tags=TAGS)
def create_automation(body: AutomationIn) -> AutomationOut:
    return service.create(current_caller(), body)


@router.get("/v1/automations/<automation_id>", middlewares=[requires(VIEW)], tags=TAGS)
def get_automation(automation_id: str) -> AutomationOut:
    return service.get(current_caller(), automation_id)


@router.patch("/v1/automations/<automation_id>", middlewares=[requires(EDIT)], tags=TAGS)
def update_automation(automation_id: str, body: AutomationPatchIn) -> AutomationOut:
    """Editing the trigger, conditions or steps publishes a new version; waiting runs keep theirs."""
    return service.update(current_caller(), automation_id, body)


@router.delete("/v1/automations/<automation_id>", middlewares=[requires(EDIT)], status_code=204, tags=TAGS)
def delete_automation(automation_id: str) -> None:
    service.delete(current_caller(), automation_id)


@router.get("/v1/automations/<automation_id>/versions", middlewares=[requires(VIEW)], tags=TAGS)
def list_versions(automation_id: str) -> Page[VersionOut]:
    return service.versions(current_caller().tenant_id, automation_id)


@router.get("/v1/automations/<automation_id>/runs", middlewares=[requires(VIEW)], tags=TAGS)
def list_runs(automation_id: str, status: Status = None, person_id: Ref = None, since: Moment = None,
              until: Moment = None, cursor: Cursor = None, limit: Limit = None) -> Page[RunOut]:
    """The automation's runs, newest first, each with its steps and the reason it stopped."""
    tenant_id = current_caller().tenant_id
    service.load(tenant_id, automation_id)
    return engine.list_runs(tenant_id, automation_id=automation_id, person_id=person_id, status=status,
                            since=since, until=until, cursor=cursor, limit=limit)


@router.get("/v1/automations/<automation_id>/runs/<run_id>", middlewares=[requires(VIEW)], tags=TAGS)
def get_run(automation_id: str, run_id: str) -> RunOut:
    return engine.get_run_out(current_caller().tenant_id, automation_id, run_id)


@router.post("/v1/automations/<automation_id>/runs/<run_id>/retry", middlewares=[requires(EDIT)], tags=TAGS)
def retry_run(automation_id: str, run_id: str) -> RunOut:
    """Run a failed run's failed step again (and the steps after it)."""
    return engine.retry(current_caller(), automation_id, run_id)


@router.post("/v1/automations/<automation_id>/run", middlewares=[requires(EDIT)], status_code=201, tags=TAGS)
def run_on_person(automation_id: str, body: ManualRunIn) -> RunOut | ListRunOut:
    """Run the automation on one person now (any trigger; conditions still apply), or queue it for
    every member of a list (`list_id`: the schedules job works through it; each member runs once)."""
    if body.list_id:
        return ListRunOut.model_validate(engine.queue_list_run(current_caller(), automation_id, body.list_id))
    return engine.run_manual(current_caller(), automation_id, body.person_id or "")


@router.get("/v1/automation-runs", middlewares=[requires(VIEW)], tags=TAGS)
def list_brand_runs(automation_id: Ref = None, person_id: Ref = None, status: Status = None, since: Moment = None,
                    until: Moment = None, cursor: Cursor = None, limit: Limit = None) -> Page[RunOut]:
    """Every run of the brand, newest first; filter by automation, person, status, dates."""
    tenant_id = current_caller().tenant_id
    if automation_id:
        service.load(tenant_id, automation_id)
    return engine.list_runs(tenant_id, automation_id=automation_id, person_id=person_id, status=status,
                            since=since, until=until, cursor=cursor, limit=limit)


ApprovalStatus = Annotated[Literal["pending", "approved", "rejected"], Query()]


@router.get("/v1/automation-approvals", middlewares=[requires("contacts:view")], tags=TAGS)
def list_approvals(status: ApprovalStatus = "pending", cursor: Cursor = None,
                   limit: Limit = None) -> Page[ApprovalOut]:
    """Deal approvals automations asked for, newest first, by status (default: pending)."""
    return engine.list_approvals(current_caller().tenant_id, status, cursor, limit)


@router.get("/v1/automation-approvals/<approval_id>", middlewares=[requires("contacts:view")], tags=TAGS)
def get_approval(approval_id: str) -> ApprovalOut:
    return engine.get_approval_out(current_caller().tenant_id, approval_id)


@router.post("/v1/automation-approvals/<approval_id>/approve", middlewares=[requires("contacts:view")], tags=TAGS)
def approve(approval_id: str, body: ApproveIn) -> ApprovalOut:
    """One of the step's approvers approves (a reason is optional); the run goes on into `then`."""
    return engine.approval_out(engine.decide(current_caller(), approval_id, True, body.reason))


@router.post("/v1/automation-approvals/<approval_id>/reject", middlewares=[requires("contacts:view")], tags=TAGS)
def reject(approval_id: str, body: RejectIn) -> ApprovalOut:
    """One of the step's approvers rejects, with a reason; the run goes on into `rejected`."""
    return engine.approval_out(engine.decide(current_caller(), approval_id, False, body.reason))


hooks_router = Router()


@hooks_router.post("/public/automations/hooks/<hook_id>", middlewares=[public()], status_code=202, tags=TAGS)
def inbound_webhook(hook_id: str) -> dict[str, str]:
    """An inbound webhook trigger: header `X-Skailan-Secret`, a JSON object body; `person_id`,
    `phone` or `email` in it picks the person."""
    event = hooks_router.current_event
    return engine.receive_webhook(hook_id, event.headers.get("x-skailan-secret"), event.json_body)


ROUTERS = (router, hooks_router)
