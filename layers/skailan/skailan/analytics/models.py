"""Response models of the dashboard and reports API (seconds everywhere)."""

from __future__ import annotations

from typing import Literal

from skailan.platform.models import ResponseModel


class DurationStats(ResponseModel):
    """Exact nearest-rank percentiles over whole seconds (docs/analytics.md)."""

    count: int
    p50: int | None = None
    p90: int | None = None
    avg: float | None = None


class CsatStats(ResponseModel):
    responses: int
    average: float | None = None
    satisfaction_pct: float | None = None  # ratings 4–5 of all ratings


class SlaFigure(ResponseModel):
    target_seconds: int
    total: int
    within: int  # took at most target_seconds
    pct: float | None = None


class SlaStats(ResponseModel):
    """% within the brand's targets (settings `sla`; analytics/sla.py)."""

    first_response: SlaFigure
    resolution: SlaFigure


class ReportFigures(ResponseModel):
    conversations: int  # closed in the range (one per resolution)
    first_response: DurationStats
    reply: DurationStats  # every later wait for a person's reply (definitions["reply"])
    resolution: DurationStats
    csat: CsatStats
    sla: SlaStats | None = None


class ReportTotals(ReportFigures):
    created: int
    messages_in: int
    messages_out: int
    bot_handled: int
    handoffs: int


class ReportGroup(ReportFigures):
    key: str


class ConversationReportOut(ResponseModel):
    date_from: str  # the brand's local dates, inclusive
    date_to: str
    time_zone: str
    group_by: str | None = None
    business_hours: bool
    totals: ReportTotals
    groups: list[ReportGroup]
    definitions: dict[str, str]


class NpsGroup(ResponseModel):
    key: str
    nps: float | None = None
    promoters: int
    passives: int
    detractors: int
    responses: int


# How the reports (and their CSV exports) may be grouped: one definition for both routes.
ConversationGroupBy = Literal["agent", "team", "channel", "close_reason"]
NpsGroupBy = Literal["agent", "team", "channel", "account"]


class NpsOut(ResponseModel):
    date_from: str  # the brand's local dates, inclusive
    date_to: str
    nps: float | None = None  # % promoters − % detractors, −100…100
    promoters: int
    passives: int
    detractors: int
    responses: int
    groups: list[NpsGroup] = []


class ConversationsNow(ResponseModel):
    open: int
    unassigned: int
    longest_wait_seconds: int | None = None  # the customer waiting longest for an answer
    longest_unassigned_seconds: int | None = None


class Alert(ResponseModel):
    type: Literal["unassigned_wait", "channel_account_disconnected", "whatsapp_credits_low",
                  "whatsapp_credits_topped_up", "campaign_failing", "campaign_ending"]
    message: str
    link: str
    conversation_id: str | None = None
    waiting_minutes: int | None = None
    account_id: str | None = None
    campaign_id: str | None = None
    reason: str | None = None  # why a campaign failed or was paused by the send worker
    channel: str | None = None
    status: str | None = None
    balance: float | None = None  # WhatsApp credits (the brand's currency)
    minimum: float | None = None
    amount: float | None = None  # the automatic top-up
    percent: int | None = None  # how much of a campaign ending soon is done


class Count(ResponseModel):
    count: int
    link: str | None = None


class DealsWon(ResponseModel):
    count: int
    amount: float


class MessagesToday(ResponseModel):
    received: int
    sent: int


class SummaryOut(ResponseModel):
    generated_at: str
    day: str  # the brand's local date "today" refers to
    conversations: ConversationsNow
    agents_online: int
    messages_today: MessagesToday
    leads_captured: int  # today
    leads_captured_month: int
    deals_won_month: DealsWon
    tasks_overdue: int
    campaigns_running: int  # started or resumed, not yet paused / cancelled / completed
    campaigns_ending_soon: int = 0  # sending, every recipient written, ≥ 90 % of them done
    alerts: list[Alert]
    links: dict[str, str]
