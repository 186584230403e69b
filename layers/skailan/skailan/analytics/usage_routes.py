"""Usage and WhatsApp credits routes (AnalyticsApiFunction). Reading: `analytics:view`
(supervisors, marketing, admins); auto top-up, prices and manual top-ups: `analytics:manage` (admins)."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from skailan.analytics.credits import (
    CreditSettings,
    CreditSettingsPatchIn,
    CreditsOut,
    LedgerPage,
    TopUpIn,
    TopUpOut,
)
from skailan.analytics.models import ConversationGroupBy, NpsGroupBy
from skailan.analytics.usage import UsageOut
from skailan.platform.auth import current_caller
from skailan.tenancy.access import requires

TAGS = ["usage"]
VIEW = [requires("analytics:view")]
MANAGE = [requires("analytics:manage")]
MONTH = r"^\d{4}-\d{2}$"
Month = Annotated[str | None, Query(pattern=MONTH, description="the brand's local month YYYY-MM (default: this month)")]

router = Router()


@router.get("/v1/usage", middlewares=VIEW, tags=TAGS)
def get_usage(month: Month = None) -> UsageOut:
    """Messages received and sent per channel, sent per sender (user, bot, system, integration), and
    the estimated WhatsApp charges by category and country, in one month. `definitions` says how."""
    from skailan.analytics import usage

    return usage.usage(current_caller().tenant_id, month)


@router.get("/v1/usage/export", middlewares=VIEW, tags=TAGS,
            responses={200: {"description": "The month's usage as CSV", "content": {"text/csv": {}}}})
def export_usage(month: Month = None) -> Response[str]:
    from skailan.analytics import usage

    out = usage.usage(current_caller().tenant_id, month)
    return Response(status_code=200, content_type="text/csv; charset=utf-8", body=usage.usage_csv(out),
                    headers={"Content-Disposition": f'attachment; filename="usage-{out.month}.csv"'})


@router.get("/v1/credits", middlewares=VIEW, tags=TAGS)
def get_credits() -> CreditsOut:
    """The WhatsApp credit balance, its minimum and auto top-up."""
    from skailan.analytics import credits

    return credits.credits(current_caller().tenant_id)


@router.get("/v1/credits/ledger", middlewares=VIEW, tags=TAGS)
def get_ledger(
    cursor: Annotated[str | None, Query(description="Opaque cursor from the previous page's next_cursor.")] = None,
    limit: Annotated[int | None, Query(ge=1, le=100)] = None,
) -> LedgerPage:
    """Debits (one per WhatsApp message charged) and top-ups, newest first."""
    from skailan.analytics import credits

    return credits.ledger(current_caller().tenant_id, cursor=cursor, limit=limit)


@router.get("/v1/credits/settings", middlewares=VIEW, tags=TAGS)
def get_credit_settings() -> CreditSettings:
    """Currency, auto top-up (minimum, amount) and the WhatsApp price table (per message, by
    country and category; `*` = other countries)."""
    from skailan.analytics import credits

    return credits.load_settings(current_caller().tenant_id)


@router.patch("/v1/credits/settings", middlewares=MANAGE, tags=TAGS)
def patch_credit_settings(body: CreditSettingsPatchIn) -> CreditSettings:
    """Deep-merged into the stored settings (a country's prices key by key) and validated whole."""
    from skailan.analytics import credits

    return credits.patch_settings(current_caller().tenant_id, body)


@router.post("/v1/credits/top-ups", status_code=201, middlewares=MANAGE, tags=TAGS)
def post_top_up(body: TopUpIn) -> TopUpOut:
    """Add credit by hand (recorded, no real payment). A repeated `reference` returns the first top-up."""
    from skailan.analytics import credits

    return credits.top_up(current_caller(), body)


ROUTERS = [router]


# ---------------------------------------------------------------- reports as CSV (issue 16 item 7)

DATE = r"^\d{4}-\d{2}-\d{2}$"


def _csv(body: str, name: str) -> Response[str]:
    return Response(status_code=200, content_type="text/csv; charset=utf-8", body=body,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/v1/reports/conversations/export", middlewares=VIEW, tags=["analytics"],
            responses={200: {"description": "The report as CSV", "content": {"text/csv": {}}}})
def export_conversation_report(
    from_: Annotated[str | None, Query(alias="from", pattern=DATE)] = None,
    to: Annotated[str | None, Query(pattern=DATE)] = None,
    group_by: Annotated[ConversationGroupBy | None, Query()] = None,
    business_hours: Annotated[bool, Query()] = False,
) -> Response[str]:
    """`GET /v1/reports/conversations` as CSV (the same query, seconds; the totals' row first)."""
    from skailan.analytics import exports, reports

    out = reports.conversations(current_caller().tenant_id, start=from_, end=to, group_by=group_by,
                                business_hours=business_hours)
    return _csv(exports.conversation_report_csv(out),
                f"conversations-{group_by or 'total'}-{out.date_from}-{out.date_to}.csv")


@router.get("/v1/reports/nps/export", middlewares=VIEW, tags=["analytics"],
            responses={200: {"description": "The report as CSV", "content": {"text/csv": {}}}})
def export_nps_report(
    from_: Annotated[str | None, Query(alias="from", pattern=DATE)] = None,
    to: Annotated[str | None, Query(pattern=DATE)] = None,
    group_by: Annotated[NpsGroupBy | None, Query()] = None,
) -> Response[str]:
    """`GET /v1/reports/nps` as CSV."""
    from skailan.analytics import exports, reports

    out = reports.nps(current_caller().tenant_id, start=from_, end=to, group_by=group_by)
    return _csv(exports.nps_report_csv(out, group_by), f"nps-{group_by or 'total'}-{out.date_from}-{out.date_to}.csv")


@router.get("/v1/reports/kam/export", middlewares=VIEW, tags=["analytics"],
            responses={200: {"description": "The report as CSV", "content": {"text/csv": {}}}})
def export_kam_report(
    from_: Annotated[str | None, Query(alias="from", pattern=DATE)] = None,
    to: Annotated[str | None, Query(pattern=DATE)] = None,
) -> Response[str]:
    """`GET /v1/reports/kam` as CSV: one row per key account with every KPI of `accounts`
    (`clv_detail` as `clv_<part>` columns, `churned` when lost); then the period and churn."""
    from skailan.analytics import exports, kam
    from skailan.analytics.kam_models import KamReportOut

    out = KamReportOut.model_validate(kam.report(current_caller().tenant_id, start=from_, end=to))
    return _csv(exports.kam_report_csv(out), f"kam-{out.date_from}-{out.date_to}.csv")
