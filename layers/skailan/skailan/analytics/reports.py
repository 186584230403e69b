"""The dashboard summary and the reports, read from the counters (never from conversations).

- `summary`: ≤ 7 DynamoDB requests whatever the brand's size (docs/analytics.md lists them).
- `conversations`: one Query for the totals and one for the grouping over the range's days.
- `nps`: one Query (two with a grouping).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from skailan.analytics import facts as F
from skailan.analytics import sla, store
from skailan.analytics.models import (
    Alert,
    ConversationReportOut,
    ConversationsNow,
    CsatStats,
    DealsWon,
    DurationStats,
    MessagesToday,
    NpsGroup,
    NpsOut,
    ReportGroup,
    ReportTotals,
    SummaryOut,
)
from skailan.analytics.store import ALL
from skailan.platform.clock import iso, parse_iso, utcnow
from skailan.platform.errors import Unprocessable

MAX_MONTHS = 13
GROUPINGS = ("agent", "team", "channel", "close_reason")
DEFINITIONS = {
    "first_response": (
        "Desde el primer mensaje del cliente en un ciclo (conversación abierta o reabierta por el cliente, o "
        "traspaso del bot a una persona, contado desde el mensaje que pidió a una persona) hasta la primera "
        "respuesta de una persona; las respuestas de bots, del sistema y de integraciones nunca cuentan. / "
        "From the customer's first message of a cycle (conversation opened or re-opened by the customer, or a "
        "bot handoff, counted from the message that asked for a person) to the first reply by a person; "
        "bot, system and integration replies never count."),
    "reply": (
        "Después de la primera respuesta: desde el primer mensaje del cliente que queda sin contestar hasta "
        "la siguiente respuesta de una persona, una observación por cada espera; bots, sistema e "
        "integraciones nunca cuentan. / After the first response: from the customer's first unanswered "
        "message to the next reply by a person, one observation per wait; bots, the system and "
        "integrations never count."),
    "resolution": (
        "Desde el mensaje que abrió o reabrió la conversación hasta su cierre. / "
        "From the message that opened or re-opened the conversation to its close."),
    "percentiles": (
        "p50 y p90 exactos (rango más cercano, segundos enteros): el menor valor con al menos el 50 % / 90 % "
        "de las observaciones en o por debajo. / Exact p50 and p90 (nearest rank, whole seconds): the "
        "smallest value with at least 50 % / 90 % of the observations at or below it."),
    "business_hours": (
        "Solo cuenta el tiempo dentro del horario de la marca, sin sus festivos, en su zona horaria. / "
        "Only time inside the brand's hours counts, its holidays excluded, in its time zone."),
    "days": (
        "Cada observación cuenta en el día local de la marca en que terminó (respuesta o cierre). / "
        "Each observation counts on the brand's local day it ended (reply or close)."),
    "csat": (
        "Satisfacción: % de calificaciones 4–5 sobre todas (escala 1–5). / "
        "Satisfaction: % of 4–5 ratings among all (1–5 scale)."),
}


def _invalid(field: str, es: str, en: str, **details: Any) -> Unprocessable:
    message = f"{es} / {en}"
    return Unprocessable(message, code="validation_error",
                         details=[{"field": field, "error": en, "message": message, **details}])


def _date(value: str | None, field: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as err:
        raise _invalid(field, "Fecha no válida (AAAA-MM-DD).", "Invalid date (YYYY-MM-DD).", value=value) from err


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover


def date_range(tenant_id: str, start: str | None, end: str | None) -> tuple[date, date, str]:
    """The report's range in the brand's local dates (default: the last 7 days), validated."""
    from skailan.analytics.brands import brand_of

    zone = brand_of(tenant_id).time_zone
    today = date.fromisoformat(F.local_day(iso(), zone))
    last = _date(end, "to") or today
    first = _date(start, "from") or last - timedelta(days=6)
    if first > last:
        raise _invalid("from", "La fecha inicial es posterior a la final.", "from is after to.",
                       value=first.isoformat())
    if last > _add_months(first, MAX_MONTHS):
        raise _invalid("to", f"El rango supera {MAX_MONTHS} meses.", f"The range is longer than {MAX_MONTHS} months.",
                       value=last.isoformat())
    return first, last, zone


class _Acc:
    """Sums of one group's counters over the days of a range."""

    def __init__(self) -> None:
        self.counts: dict[str, float] = defaultdict(float)
        self.sums: dict[str, float] = defaultdict(float)
        self.histograms: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))

    def add(self, metric: str, attributes: dict[str, Any], business_hours: bool) -> None:
        self.counts[metric] += float(attributes.get("n") or 0)
        self.sums[metric] += float(attributes.get("s") or 0)
        prefix = "b" if business_hours and metric in ("first_response", "reply", "resolution") else "v"
        for name, hits in attributes.items():
            if len(name) > 1 and name[0] == prefix and name[1:].isdigit():
                self.histograms[metric][int(name[1:])] += int(hits)

    def durations(self, metric: str) -> DurationStats:
        return DurationStats(**F.summary(self.histograms.get(metric, {})))  # type: ignore[arg-type]

    def csat(self) -> CsatStats:
        ratings = self.histograms.get("csat", {})
        responses = sum(c for c in ratings.values() if c > 0)
        total = sum(v * c for v, c in ratings.items() if c > 0)
        happy = sum(c for v, c in ratings.items() if v >= 4 and c > 0)
        return CsatStats(responses=responses, average=round(total / responses, 2) if responses else None,
                         satisfaction_pct=round(100 * happy / responses, 1) if responses else None)

    def count(self, metric: str) -> int:
        return int(self.counts.get(metric, 0))


def _accumulate(tenant_id: str, by: str, first: date, last: date, metrics: frozenset[str],
                business_hours: bool) -> dict[str, _Acc]:
    groups: dict[str, _Acc] = defaultdict(_Acc)
    for _day, metric, value, attributes in store.query_days(tenant_id, by, first.isoformat(), last.isoformat()):
        if metric in metrics:
            groups[value].add(metric, attributes, business_hours)
    return groups


def conversations(tenant_id: str, *, start: str | None, end: str | None, group_by: str | None,
                  business_hours: bool) -> ConversationReportOut:
    first, last, zone = date_range(tenant_id, start, end)
    if group_by is not None and group_by not in GROUPINGS:
        raise _invalid("group_by", "Agrupación desconocida.", "Unknown grouping.", allowed=list(GROUPINGS))
    metrics = frozenset({"first_response", "reply", "resolution", "csat", "conversations_created", "messages_in",
                         "messages_out", "bot_handled", "handoffs"})
    total = _accumulate(tenant_id, "all", first, last, metrics, business_hours).get(ALL, _Acc())
    totals = ReportTotals(conversations=total.count("resolution"), first_response=total.durations("first_response"),
                          reply=total.durations("reply"), resolution=total.durations("resolution"), csat=total.csat(),
                          created=total.count("conversations_created"), messages_in=total.count("messages_in"),
                          messages_out=total.count("messages_out"), bot_handled=total.count("bot_handled"),
                          handoffs=total.count("handoffs"))
    groups: list[ReportGroup] = []
    if group_by:
        found = _accumulate(tenant_id, group_by, first, last,
                            frozenset({"first_response", "reply", "resolution", "csat"}), business_hours)
        for key in sorted(found):
            acc = found[key]
            groups.append(ReportGroup(key=key, conversations=acc.count("resolution"),
                                      first_response=acc.durations("first_response"),
                                      reply=acc.durations("reply"), resolution=acc.durations("resolution"),
                                      csat=acc.csat()))
    _with_sla(tenant_id, total, totals, found if group_by else {}, groups)
    return ConversationReportOut(date_from=first.isoformat(), date_to=last.isoformat(), time_zone=zone,
                                 group_by=group_by, business_hours=business_hours, totals=totals, groups=groups,
                                 definitions={**DEFINITIONS, "sla": sla.DEFINITION})


def _with_sla(tenant_id: str, total: _Acc, totals: ReportTotals, found: dict[str, _Acc],
              groups: list[ReportGroup]) -> None:
    """SLA compliance from the histograms already summed (one GetItem for the brand's targets)."""
    from skailan.tenancy import brands

    targets = brands.get_brand(tenant_id).sla

    def of(acc: _Acc) -> Any:
        return sla.stats(acc.histograms.get("first_response", {}), acc.histograms.get("resolution", {}),
                         first_response_target=targets.first_response_seconds,
                         resolution_target=targets.resolution_seconds)

    totals.sla = of(total)
    for group in groups:
        group.sla = of(found.get(group.key, _Acc()))


def _nps_of(scores: dict[int, int]) -> dict[str, Any]:
    promoters = sum(c for s, c in scores.items() if s >= 9)
    passives = sum(c for s, c in scores.items() if 7 <= s <= 8)
    detractors = sum(c for s, c in scores.items() if s <= 6)
    responses = promoters + passives + detractors
    nps = round(100 * (promoters - detractors) / responses, 1) if responses else None
    return {"nps": nps, "promoters": promoters, "passives": passives, "detractors": detractors,
            "responses": responses}


def nps(tenant_id: str, *, start: str | None, end: str | None, group_by: str | None) -> NpsOut:
    first, last, _zone = date_range(tenant_id, start, end)
    allowed = ["agent", "team", "channel", "account"]  # account: the people's businesses (analytics.kam)
    if group_by is not None and group_by not in allowed:
        raise _invalid("group_by", "Agrupación desconocida.", "Unknown grouping.", allowed=allowed)
    total = _accumulate(tenant_id, "all", first, last, frozenset({"nps"}), False).get(ALL, _Acc())
    groups = []
    if group_by:
        found = _accumulate(tenant_id, group_by, first, last, frozenset({"nps"}), False)
        groups = [NpsGroup(key=k, **_nps_of(found[k].histograms.get("nps", {}))) for k in sorted(found)]
    return NpsOut(date_from=first.isoformat(), date_to=last.isoformat(),
                  **_nps_of(total.histograms.get("nps", {})), groups=groups)


# ---------------------------------------------------------------- dashboard


def _longest_wait(tenant_id: str) -> str | None:
    from skailan.conversations.store.state import oldest_waiting_since

    return oldest_waiting_since(tenant_id)


def _seconds_since(at: str | None) -> int | None:
    return max(0, int((utcnow() - parse_iso(at)).total_seconds())) if at else None


def summary(tenant_id: str) -> SummaryOut:
    from skailan.analytics.brands import brand_of
    from skailan.conversations.inbox.config import get_config
    from skailan.tenancy import channel_accounts

    now = utcnow()
    today = F.local_day(iso(now), brand_of(tenant_id).time_zone)
    month = today[:7]
    keys = {"gauges": store.gauges_key(tenant_id)}
    for period, metric in ((today, "messages_in"), (today, "messages_out"), (today, "leads_captured"),
                           (month, "leads_captured"), (month, "deals_won")):
        keys[f"{period}:{metric}"] = store.month_key(tenant_id, period, metric)
    keys["credits"] = store.credits_key(tenant_id, "balance")  # WhatsApp credit alerts: same request
    keys["credit_settings"] = store.credits_key(tenant_id, "settings")
    found = store.get_many(list(keys.values()))

    def item(name: str) -> dict[str, Any]:
        key = keys[name]
        return found.get((key["pk"]["S"], key["sk"]["S"]), {})

    gauges = item("gauges")
    oldest = store.oldest_unassigned(tenant_id)
    alerts: list[Alert] = []
    minutes = get_config(tenant_id).alerts.unassigned_after_minutes
    if minutes:
        threshold = iso(now - timedelta(minutes=minutes))
        for since, conversation_id in store.oldest_unassigned(tenant_id, before=threshold, limit=20):
            waited = int((now - parse_iso(since)).total_seconds() // 60)
            alerts.append(Alert(
                type="unassigned_wait", conversation_id=conversation_id, waiting_minutes=waited,
                link=f"/inbox/{conversation_id}",
                message=f"Conversación sin asignar hace {waited} min. / Conversation unassigned for {waited} min."))
    from skailan.analytics import credits

    settings = credits.settings_from(tenant_id, item("credit_settings"))
    alerts += [Alert(**alert) for alert in credits.alerts(tenant_id, settings, item("credits"))]
    from skailan.campaigns import queries as campaigns

    for campaign in campaigns.needing_attention(tenant_id):
        paused = campaign.status == "paused"
        alerts.append(Alert(
            type="campaign_failing", campaign_id=campaign.campaign_id, channel=campaign.channel,
            status=campaign.status, reason=campaign.reason, link=f"/campaigns/{campaign.campaign_id}",
            message=(f"La campaña {campaign.name} está en pausa: la cuenta de envío la detuvo ({campaign.reason}). / "
                     f"Campaign {campaign.name} is paused: its sending account stopped it ({campaign.reason})."
                     if paused else
                     f"La campaña {campaign.name} falló ({campaign.reason or 'error'}). / "
                     f"Campaign {campaign.name} failed ({campaign.reason or 'error'}).")))
    ending = campaigns.ending_soon(tenant_id)
    for progress in ending:
        alerts.append(Alert(
            type="campaign_ending", campaign_id=progress.campaign_id, channel=progress.channel,
            percent=progress.percent, link=f"/campaigns/{progress.campaign_id}/stats",
            message=f"La campaña {progress.name} está a punto de finalizar ({progress.percent} % enviado). / "
                    f"Campaign {progress.name} is about to finish ({progress.percent} % sent)."))
    page = channel_accounts.list_accounts(tenant_id, cursor=None, limit=100)
    for account in page.items:
        if account.status != "active":
            alerts.append(Alert(
                type="channel_account_disconnected", account_id=account.id, channel=account.channel,
                status=account.status, link="/settings/channels",
                message=f"La cuenta {account.name} ({account.channel}) está desconectada. / "
                        f"The {account.channel} account {account.name} is disconnected."))
    return SummaryOut(
        generated_at=iso(now), day=today,
        conversations=ConversationsNow(open=max(0, int(gauges.get("open") or 0)),
                                       unassigned=max(0, int(gauges.get("unassigned") or 0)),
                                       longest_wait_seconds=_seconds_since(_longest_wait(tenant_id)),
                                       longest_unassigned_seconds=_seconds_since(oldest[0][0] if oldest else None)),
        agents_online=max(0, int(gauges.get("agents_online") or 0)),
        messages_today=MessagesToday(received=int(item(f"{today}:messages_in").get("n") or 0),
                                     sent=int(item(f"{today}:messages_out").get("n") or 0)),
        leads_captured=int(item(f"{today}:leads_captured").get("n") or 0),
        leads_captured_month=int(item(f"{month}:leads_captured").get("n") or 0),
        deals_won_month=DealsWon(count=int(item(f"{month}:deals_won").get("n") or 0),
                                 amount=float(item(f"{month}:deals_won").get("s") or 0)),
        tasks_overdue=max(0, int(gauges.get("tasks_overdue") or 0)),
        campaigns_running=max(0, int(gauges.get("campaigns_running") or 0)),
        campaigns_ending_soon=len(ending),
        alerts=alerts,
        links={"open": "/inbox", "unassigned": "/inbox", "agents": "/settings/users", "leads": "/people",
               "deals": "/deals", "tasks": "/tasks", "report": "/reports/conversations", "campaigns": "/campaigns"},
    )
