"""Response models of the KAM report (`GET /v1/reports/kam`); percentages 0–100, money in the
deals' amounts (one currency per brand assumed: amounts are added as they are)."""

from __future__ import annotations

from skailan.platform.models import ResponseModel


class ClvDetail(ResponseModel):
    won_to_date: float
    won_deals_to_date: int
    average_purchase: float
    purchases_per_year: float
    expected_lifespan_years: float
    projected: float  # average_purchase × purchases_per_year × expected_lifespan_years


class KamRates(ResponseModel):
    won_deals: int
    won_revenue: float
    upsell_rate: float | None = None
    cross_sell_rate: float | None = None
    renewal_rate: float | None = None
    rate_denominator: str  # won_deals | key_accounts (brand setting kam.rate_denominator)
    rate_denominator_value: int
    organic_growth: float | None = None


class KamAccount(KamRates):
    business_id: str
    name: str | None = None
    account_manager_id: str | None = None
    key_account: bool  # now
    key_account_since: str | None = None
    lost_at: str | None = None
    clv: float  # won_to_date + projected
    clv_detail: ClvDetail
    nps: float | None = None
    nps_responses: int
    satisfaction_pct: float | None = None
    csat_responses: int
    referenceable_customers: int
    interactions: int
    interactions_per_week: float
    interaction_gap_days: int
    days_since_last_interaction: int | None = None
    last_interaction_at: str | None = None
    gap_alert: bool


class KamGroup(KamRates):
    accounts: int
    clv: float
    won_to_date: float
    nps: float | None = None
    nps_responses: int
    satisfaction_pct: float | None = None
    referenceable_customers: int
    gap_alerts: int


class KamManager(KamGroup):
    account_manager_id: str | None = None


class KamAcquisition(ResponseModel):
    channel: str
    reached: int
    converted: int
    rate: float | None = None


class KamAlert(ResponseModel):
    type: str
    business_id: str
    days: int | None = None
    link: str
    message: str


class KamSettingsOut(ResponseModel):
    interaction_gap_alert_days: int
    expected_lifespan_years: float
    rate_denominator: str


class KamReportOut(ResponseModel):
    date_from: str
    date_to: str
    time_zone: str
    accounts: list[KamAccount]
    managers: list[KamManager]
    totals: KamGroup
    accounts_at_start: int
    accounts_lost: int
    churn_rate: float | None = None  # accounts lost in the period ÷ key accounts at its start, %
    acquisition: list[KamAcquisition]
    alerts: list[KamAlert]
    settings: KamSettingsOut
    definitions: dict[str, str]
