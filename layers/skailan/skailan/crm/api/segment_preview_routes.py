"""`POST /v1/crm/segments/preview`: count the people a rule matches now, nothing stored.

Served by its own function (SegmentPreviewFunction, a full vCPU) rather than the CRM API: the
preview reads every person of the brand — at 100 000 people ~60 Query pages and ~3.5 s of CPU
to parse and evaluate them — while every other CRM request is a few small reads that the API
function's smaller size serves as fast and cheaper.
"""

from __future__ import annotations

from aws_lambda_powertools.event_handler.api_gateway import Router

from skailan.crm.audiences.models import SegmentPreviewIn, SegmentPreviewOut
from skailan.platform.auth import current_caller
from skailan.tenancy.access import requires

preview_router = Router()


@preview_router.post("/v1/crm/segments/preview", middlewares=[requires("contacts:view")], tags=["crm"])
def preview_segment(body: SegmentPreviewIn) -> SegmentPreviewOut:
    from skailan.crm.audiences.segments import preview

    return preview(current_caller().tenant_id, body.rule)


ROUTERS = (preview_router,)
