"""HTTP routes of the lead flow (/v1/lead-flow), served by LeadFlowApiFunction.

Permissions: `leads:view` reads the queue, notes and templates; `leads:edit` (operators) writes
notes and reopens leads; `leads:manage` (supervisors, admins) releases and reassigns leads,
manages note templates and reads reports; changing the settings also needs `admin:manage`
(admins only).
"""

from __future__ import annotations

from typing import Annotated, Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from skailan.leads import flow, flow_settings, reports, templates
from skailan.leads.models import (
    LeadNoteIn,
    LeadNoteOut,
    LeadOut,
    LeadPage,
    LeadReassignIn,
    LeadReportOut,
    LeadSettingsIn,
    LeadSettingsOut,
    LeadSettingsPatchIn,
    LeadStatus,
    NoteTemplateIn,
    NoteTemplateOut,
    NoteTemplatePatchIn,
    Outcome,
)
from skailan.platform.api import CappedCursor as Cursor
from skailan.platform.api import Limit
from skailan.platform.auth import current_caller
from skailan.tenancy.access import requires

VIEW, EDIT, MANAGE = "leads:view", "leads:edit", "leads:manage"
TAGS = ["lead-flow"]

Ref = Annotated[str | None, Query(max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
Day = Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}-\d{2}$", description="YYYY-MM-DD, a day in the brand's time zone")]
GroupBy = Annotated[Literal["operator", "hour", "outcome"], Query()]

router = Router()


# ---------------------------------------------------------------- settings


@router.get("/v1/lead-flow/settings", middlewares=[requires(VIEW)], tags=TAGS)
def get_lead_flow_settings() -> LeadSettingsOut:
    return flow_settings.get(current_caller().tenant_id)


@router.put("/v1/lead-flow/settings", middlewares=[requires(MANAGE)], tags=TAGS)
def put_lead_flow_settings(body: LeadSettingsIn) -> LeadSettingsOut:
    caller = current_caller()
    caller.require("admin:manage")  # supervisors manage the queue, only admins its settings
    return flow_settings.put(caller, body)


@router.patch("/v1/lead-flow/settings", middlewares=[requires(MANAGE)], tags=TAGS)
def patch_lead_flow_settings(body: LeadSettingsPatchIn) -> LeadSettingsOut:
    """Only the parts sent change (deep merge; lists replaced whole); the result is validated whole."""
    caller = current_caller()
    caller.require("admin:manage")
    return flow_settings.patch(caller, body)


# ---------------------------------------------------------------- queue


@router.get("/v1/lead-flow/leads", middlewares=[requires(VIEW)], tags=TAGS)
def list_leads(
    q: Annotated[str | None, Query(min_length=1, max_length=200, description="Name prefix, e-mail or phone")] = None,
    status: Annotated[LeadStatus | None, Query()] = None,
    list_id: Ref = None,
    owner_id: Ref = None,
    outcome: Annotated[Outcome | None, Query()] = None,
    cursor: Cursor = None,
    limit: Limit = None,
) -> LeadPage[LeadOut]:
    """The queue: never worked first (oldest first), then by last note (oldest first), closed last."""
    return flow.list_leads(current_caller().tenant_id, q=q, status=status, list_id=list_id, owner_id=owner_id,
                           outcome=outcome, cursor=cursor, limit=limit)


@router.get("/v1/lead-flow/leads/<person_id>", middlewares=[requires(VIEW)], tags=TAGS)
def get_lead(person_id: str) -> LeadOut:
    return flow.get_lead(current_caller().tenant_id, person_id)


@router.get("/v1/lead-flow/leads/<person_id>/notes", middlewares=[requires(VIEW)], tags=TAGS)
def list_lead_notes(person_id: str, cursor: Cursor = None, limit: Limit = None) -> LeadPage[LeadNoteOut]:
    return flow.list_notes(current_caller().tenant_id, person_id, cursor=cursor, limit=limit)


@router.post("/v1/lead-flow/leads/<person_id>/notes", middlewares=[requires(EDIT)], status_code=201, tags=TAGS)
def add_lead_note(person_id: str, body: LeadNoteIn) -> LeadNoteOut:
    """A note (free text or a template). The first note of a reserving role reserves the lead;
    409 `lead_reserved` with `error.details.holder` when someone else holds it."""
    return flow.add_note(current_caller(), person_id, body)


@router.post("/v1/lead-flow/leads/<person_id>/reopen", middlewares=[requires(EDIT)], tags=TAGS)
def reopen_lead(person_id: str) -> LeadOut:
    return flow.reopen(current_caller(), person_id)


@router.post("/v1/lead-flow/leads/<person_id>/release", middlewares=[requires(MANAGE)], tags=TAGS)
def release_lead(person_id: str) -> LeadOut:
    return flow.release(current_caller(), person_id)


@router.post("/v1/lead-flow/leads/<person_id>/reassign", middlewares=[requires(MANAGE)], tags=TAGS)
def reassign_lead(person_id: str, body: LeadReassignIn) -> LeadOut:
    return flow.reassign(current_caller(), person_id, body.user_id)


# ---------------------------------------------------------------- note templates


@router.get("/v1/lead-flow/note-templates", middlewares=[requires(VIEW)], tags=TAGS)
def list_note_templates() -> LeadPage[NoteTemplateOut]:
    return templates.list_templates(current_caller().tenant_id)


@router.post("/v1/lead-flow/note-templates", middlewares=[requires(MANAGE)], status_code=201, tags=TAGS)
def create_note_template(body: NoteTemplateIn) -> NoteTemplateOut:
    return templates.create_template(current_caller(), body)


@router.get("/v1/lead-flow/note-templates/<template_id>", middlewares=[requires(VIEW)], tags=TAGS)
def get_note_template(template_id: str) -> NoteTemplateOut:
    return templates.get_template(current_caller().tenant_id, template_id)


@router.patch("/v1/lead-flow/note-templates/<template_id>", middlewares=[requires(MANAGE)], tags=TAGS)
def update_note_template(template_id: str, body: NoteTemplatePatchIn) -> NoteTemplateOut:
    return templates.update_template(current_caller(), template_id, body)


@router.delete("/v1/lead-flow/note-templates/<template_id>", middlewares=[requires(MANAGE)], status_code=204,
               tags=TAGS)
def delete_note_template(template_id: str) -> None:
    templates.delete_template(current_caller(), template_id)


# ---------------------------------------------------------------- reports


@router.get("/v1/lead-flow/reports", middlewares=[requires(MANAGE)], tags=TAGS)
def lead_flow_report(
    from_: Annotated[str | None, Query(alias="from", pattern=r"^\d{4}-\d{2}-\d{2}$")] = None,
    to: Day = None,
    group_by: GroupBy = "operator",
) -> LeadReportOut:
    """Calls, unique leads and closed leads over local days [from, to] (default: the last 7)."""
    return reports.report(current_caller().tenant_id, date_from=from_, date_to=to, group_by=group_by)


@router.get("/v1/lead-flow/reports/export", middlewares=[requires(MANAGE)], tags=TAGS,
            responses={200: {"description": "The report as CSV", "content": {"text/csv": {}}}})
def export_lead_flow_report(
    from_: Annotated[str | None, Query(alias="from", pattern=r"^\d{4}-\d{2}-\d{2}$")] = None,
    to: Day = None,
    group_by: GroupBy = "operator",
) -> Response[str]:
    out = reports.report(current_caller().tenant_id, date_from=from_, date_to=to, group_by=group_by)
    name = f"lead-flow-{group_by}-{out.date_from}-{out.date_to}.csv"
    return Response(status_code=200, content_type="text/csv; charset=utf-8", body=reports.report_csv(out, group_by),
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


