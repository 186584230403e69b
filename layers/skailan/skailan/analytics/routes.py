"""Dashboard and reports routes (AnalyticsApiFunction). Services are imported inside the
handlers: a request loads only what it uses. Permission: `analytics:view` (the reports module;
supervisors, marketing and admins have it)."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from skailan.analytics.kam_models import KamReportOut
from skailan.analytics.layout import LayoutIn, LayoutOut
from skailan.analytics.models import (
    ConversationGroupBy,
    ConversationReportOut,
    NpsGroupBy,
    NpsOut,
    SummaryOut,
)
from skailan.platform.auth import current_caller
from skailan.tenancy.access import requires

TAGS = ["analytics"]
VIEW = [requires("analytics:view")]
DATE = r"^\d{4}-\d{2}-\d{2}$"

router = Router()


@router.get("/v1/dashboard/summary", middlewares=VIEW, tags=TAGS)
def dashboard_summary() -> SummaryOut:
    """What is happening now: open and unassigned conversations and the longest waits, agents
    online, today's messages and leads, this month's won deals, overdue tasks, and alerts
    (conversations unassigned past the inbox's `alerts.unassigned_after_minutes`, channel accounts
    disconnected). Read from pre-aggregated counters: the same few requests at any size."""
    from skailan.analytics import reports

    return reports.summary(current_caller().tenant_id)


@router.get("/v1/reports/conversations", middlewares=VIEW, tags=TAGS)
def conversation_report(
    from_: Annotated[str | None, Query(alias="from", pattern=DATE, description="the brand's local date (default: 6 days before `to`)")] = None,
    to: Annotated[str | None, Query(pattern=DATE, description="the brand's local date, inclusive (default: today)")] = None,
    group_by: Annotated[ConversationGroupBy | None, Query()] = None,
    business_hours: Annotated[bool, Query(description="times inside the brand's hours only, holidays excluded")] = False,
) -> ConversationReportOut:
    """Conversations closed, created, messages in / out, first response and resolution times
    (exact p50 / p90 / average, in seconds, optionally in business hours), CSAT, bot-handled
    and handoffs — in total and by agent, team, channel or close reason. At most 13 months.
    `definitions` says how each figure is computed."""
    from skailan.analytics import reports

    return reports.conversations(current_caller().tenant_id, start=from_, end=to, group_by=group_by,
                                 business_hours=business_hours)


@router.get("/v1/reports/nps", middlewares=VIEW, tags=TAGS)
def nps_report(
    from_: Annotated[str | None, Query(alias="from", pattern=DATE)] = None,
    to: Annotated[str | None, Query(pattern=DATE)] = None,
    group_by: Annotated[NpsGroupBy | None, Query()] = None,
) -> NpsOut:
    """NPS from 0–10 answers: promoters 9–10, passives 7–8, detractors 0–6, NPS = % promoters −
    % detractors (−100…100), in total and by agent, team, channel or key account (`account`: the
    business ids of the answering people's accounts)."""
    from skailan.analytics import reports

    return reports.nps(current_caller().tenant_id, start=from_, end=to, group_by=group_by)


@router.get("/v1/reports/kam", middlewares=VIEW, tags=TAGS)
def kam_report(
    from_: Annotated[str | None, Query(alias="from", pattern=DATE)] = None,
    to: Annotated[str | None, Query(pattern=DATE)] = None,
) -> KamReportOut:
    """Key-account KPIs per account and per key-account manager: CLV (won to date + projected, the
    formula's parts returned), NPS, satisfaction, referenceable customers, interactions and the
    longest gap without one (alert past `kam.interaction_gap_alert_days`), upsell / cross-sell /
    renewal rates (denominator: brand setting `kam.rate_denominator`), organic growth, churn and
    acquisition per channel. From the analytics counters; `definitions` says how."""
    from skailan.analytics import kam

    return KamReportOut.model_validate(kam.report(current_caller().tenant_id, start=from_, end=to))


@router.get("/v1/me/dashboard-layout", middlewares=VIEW, tags=TAGS)
def get_dashboard_layout() -> LayoutOut:
    """The caller's dashboard widgets in their order, each visible or hidden (the default layout
    until the user saves one)."""
    from skailan.analytics import layout

    caller = current_caller()
    return layout.get(caller.tenant_id, caller.principal_id)


@router.put("/v1/me/dashboard-layout", middlewares=VIEW, tags=TAGS)
def put_dashboard_layout(body: LayoutIn) -> LayoutOut:
    """Save the caller's layout whole: widgets in order, each once, `visible` true or false.
    Widgets left out show at the end, visible."""
    from skailan.analytics import layout

    caller = current_caller()
    return layout.put(caller.tenant_id, caller.principal_id, body)


from skailan.analytics import usage_routes  # noqa: E402 — usage and WhatsApp credits (issue 16)

ROUTERS = [router, *usage_routes.ROUTERS]
