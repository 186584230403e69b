"""Reports: calls logged (notes), unique leads contacted, leads closed — in total, by operator,
by hour of day in the brand's time zone, by outcome — over a range of local days, and as CSV.

Counters, not reads of notes: the leads worker applies each `lead.note_added` and
`lead.outcome_classified` once (a marker per event id in the same transaction as the ADDs), to
items `D#<local day>#<metric>` of one partition per brand; a report is one Query over the range.
Unique leads: a marker per lead and local day (`U#…`), so a range counts each lead once.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from typing import Any

from skailan.leads import store
from skailan.leads.models import LeadReportGroup, LeadReportOut, LeadReportTotals
from skailan.platform.clock import parse_iso, utcnow, zone_or_utc
from skailan.platform.csv_cells import safe_cell
from skailan.platform.errors import Unprocessable
from skailan.platform.events import DomainEvent
from skailan.platform.i18n import both

OUTCOMES = ("positive", "negative", "partial", "unclassified")
MAX_DAYS = 366
HOURS = [f"{h:02d}" for h in range(24)]


def brand_zone(tenant_id: str) -> str:
    from skailan.crm.people.service import brand_locale

    return brand_locale(tenant_id)[1] or "UTC"


def local_moment(at: str, zone: str) -> datetime:
    return parse_iso(at).astimezone(zone_or_utc(zone))


# ---------------------------------------------------------------- counting (the worker)


def count_note(event: DomainEvent) -> bool:
    data = event.data
    zone = brand_zone(event.tenant_id)
    moment = local_moment(str(data["created_at"]), zone)
    day, hour = moment.date().isoformat(), f"{moment.hour:02d}"
    author, name = str(data["author_id"]), data.get("author_name")
    op = f"op#{author}"
    counts: list[tuple[str, str, int, str | None]] = [
        (day, "calls", 1, None), (day, f"hour#{hour}", 1, None),
        (day, f"{op}#calls", 1, name), (day, f"{op}#hour#{hour}", 1, name)]
    if data.get("closed"):
        counts += [(day, "closed", 1, None), (day, f"{op}#closed", 1, name)]
    if data.get("outcome"):
        counts += [(day, f"outcome#{data['outcome']}", 1, None), (day, f"{op}#outcome#{data['outcome']}", 1, name)]
    applied = store.apply_counters(event.tenant_id, event.id, counts)
    # Unique leads: idempotent by their own markers (a redelivery finds them written).
    person = str(data["person_id"])
    store.mark_unique(event.tenant_id, day, person, [("unique", 1, None)])
    store.mark_unique(event.tenant_id, day, person, [(f"{op}#unique", 1, name)], operator_id=author)
    return applied


def count_outcome(event: DomainEvent) -> bool:
    data = event.data
    moment = local_moment(str(data["note_created_at"]), brand_zone(event.tenant_id))
    day, outcome = moment.date().isoformat(), str(data["outcome"])
    counts: list[tuple[str, str, int, str | None]] = [(day, f"outcome#{outcome}", 1, None)]
    if data.get("author_id"):
        counts.append((day, f"op#{data['author_id']}#outcome#{outcome}", 1, data.get("author_name")))
    return store.apply_counters(event.tenant_id, event.id, counts)


# ---------------------------------------------------------------- reading


def _day(value: str | None, field: str, default: date) -> date:
    if not value:
        return default
    try:
        return date.fromisoformat(value[:10])
    except ValueError as err:
        raise Unprocessable(both("Fecha no válida (AAAA-MM-DD)", "Invalid date (YYYY-MM-DD)"), code="invalid_date",
                            details=[{"field": field, "error": "invalid_date"}]) from err


def date_range(tenant_id: str, date_from: str | None, date_to: str | None) -> tuple[str, str, str]:
    zone = brand_zone(tenant_id)
    today = local_moment(utcnow().isoformat(), zone).date()
    end = _day(date_to, "to", today)
    start = _day(date_from, "from", end - timedelta(days=6))
    if start > end:
        raise Unprocessable(both("'from' es posterior a 'to'", "'from' is after 'to'"), code="invalid_range",
                            details=[{"field": "from", "error": "after_to"}])
    if (end - start).days >= MAX_DAYS:
        raise Unprocessable(both(f"El rango supera {MAX_DAYS} días", f"The range exceeds {MAX_DAYS} days"),
                            code="invalid_range", details=[{"field": "from", "error": "range_too_long"}])
    return start.isoformat(), end.isoformat(), zone


def report(tenant_id: str, *, date_from: str | None, date_to: str | None, group_by: str) -> LeadReportOut:
    start, end, zone = date_range(tenant_id, date_from, date_to)
    totals: dict[str, int] = {}
    operators: dict[str, dict[str, Any]] = {}
    for counter in store.counters(tenant_id, start, end):
        metric, value = counter.metric, int(counter.value or 0)
        if metric.startswith("op#"):
            _, user, rest = metric.split("#", 2)
            group = operators.setdefault(user, {"label": None, "calls": 0, "closed": 0, "unique": 0,
                                                "outcomes": {}, "by_hour": {}})
            group["label"] = counter.label or group["label"]
            if rest.startswith("hour#"):
                hour = rest.split("#", 1)[1]
                group["by_hour"][hour] = group["by_hour"].get(hour, 0) + value
            elif rest.startswith("outcome#"):
                outcome = rest.split("#", 1)[1]
                group["outcomes"][outcome] = group["outcomes"].get(outcome, 0) + value
            else:
                group[rest] = group.get(rest, 0) + value
        else:
            totals[metric] = totals.get(metric, 0) + value
    outcomes = {o: totals.get(f"outcome#{o}", 0) for o in OUTCOMES}
    unique = len(store.unique_people(tenant_id, start, end))
    groups: list[LeadReportGroup]
    if group_by == "hour":
        groups = [LeadReportGroup(key=h, calls=totals.get(f"hour#{h}", 0)) for h in HOURS]
    elif group_by == "outcome":
        classified = sum(outcomes.values())
        groups = [LeadReportGroup(key=o, calls=outcomes[o]) for o in OUTCOMES]
        groups.append(LeadReportGroup(key="pending", calls=max(totals.get("calls", 0) - classified, 0)))
    else:
        groups = [LeadReportGroup(key=user, label=g["label"], calls=g["calls"], closed=g["closed"],
                              unique_leads=g["unique"], outcomes={o: g["outcomes"].get(o, 0) for o in OUTCOMES},
                              by_hour={h: g["by_hour"].get(h, 0) for h in HOURS})
                  for user, g in sorted(operators.items(), key=lambda kv: (-kv[1]["calls"], kv[0]))]
    return LeadReportOut(totals=LeadReportTotals(calls=totals.get("calls", 0), unique_leads=unique,
                                         closed=totals.get("closed", 0)),
                     groups=groups, outcomes=outcomes, time_zone=zone, date_from=start, date_to=end)


def report_csv(out: LeadReportOut, group_by: str) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    if group_by == "operator":
        writer.writerow(["operator_id", "operator", "calls", "unique_leads", "closed", *OUTCOMES,
                         *(f"h{h}" for h in HOURS)])
        for g in out.groups:
            writer.writerow([g.key, safe_cell(g.label or ""), g.calls, g.unique_leads or 0, g.closed,
                             *(g.outcomes.get(o, 0) for o in OUTCOMES), *((g.by_hour or {}).get(h, 0) for h in HOURS)])
    else:
        writer.writerow([group_by, "calls"])
        for g in out.groups:
            writer.writerow([g.key, g.calls])
    writer.writerow([])
    writer.writerow(["from", out.date_from, "to", out.date_to, "time_zone", out.time_zone])
    writer.writerow(["total_calls", out.totals.calls, "unique_leads", out.totals.unique_leads, "closed",
                     out.totals.closed])
    return buffer.getvalue()
