"""Key-account management (KAM) KPIs: what the analytics worker keeps of businesses marked as key
accounts, their people, deals, NPS, CSAT and interactions, and the report `GET /v1/reports/kam`
that reads it (one Query on the accounts, one on the accounts' days, one on the channels' days:
never a deal or a conversation). Every definition: docs/analytics.md "KAM KPIs".

Worker side (each hook adds to the event's ONE transaction, `store.Changes`):
- `business.created / updated / deleted`: the account's key-account marks (`at`, on/off) and
  manager. The periods it was a key account are a function of the marks' set (any order).
- `business.person_linked / unlinked`: the person's accounts (counted from the link on).
- `deal.won` (with `business_id`, `kind`, `amount`): counted once per deal (`…#DL#<deal>`), to the
  account's revenue to date, to the day counters by account (`deals_won`, `deals_won_<kind>`), and
  to the acquisition of the person's channel (their first won deal).
- `contact.created` / `contact.updated` (`referenceable`): acquisition channel, referenceable flag.
- `conversation.nps_answered` / `conversation.rated` / customer messages and human replies: NPS,
  CSAT and interactions of the person's accounts.
"""

from __future__ import annotations

import json
import zoneinfo
from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

from skailan.analytics import store
from skailan.analytics.store import Changes
from skailan.platform.clock import iso, parse_iso, utcnow, zone_or_utc
from skailan.platform.events import DomainEvent

KINDS = ("new", "upsell", "cross_sell", "renewal", "referral")
ORGANIC = ("upsell", "cross_sell", "renewal", "referral")  # repeat and referred revenue
MAX_MARKS = 200
BY = "account"


def _json_list(value: Any) -> list[Any]:
    if isinstance(value, str):
        return list(json.loads(value))
    return list(value or [])


def _day_add(changes: Changes, zone: str, by: str, value: str, metric: str, at: str, *, amount: float | None = None,
             bucket: int | None = None, sign: int = 1) -> None:
    from skailan.analytics import facts as F

    key = store.day_key(changes.tenant_id, by, F.local_day(at, zone), metric, value)
    changes.add(key, "n", sign)
    if amount is not None:
        changes.add(key, "s", sign * amount)
    if bucket is not None:
        changes.add(key, f"v{bucket}", sign)


# ---------------------------------------------------------------- worker: people


class _Person:
    """A person's analytics state, read once per event and written back with its version."""

    def __init__(self, changes: Changes, person_id: str) -> None:
        self.changes, self.person_id = changes, person_id
        self.key = store.person_key(changes.tenant_id, person_id)
        current = store.get_state(self.key) or {}
        self.version: int | None = current.get("v")
        self.state: dict[str, Any] = {
            "businesses": _json_list(current.get("businesses")),
            "channel": current.get("channel"), "created_at": current.get("created_at"),
            "won_at": current.get("won_at"), "referenceable": bool(current.get("referenceable")),
            "ref_at": current.get("ref_at") or "", "nps": current.get("nps"), "nps_at": current.get("nps_at") or "",
            "ref_counted": _json_list(current.get("ref_counted")),
        }

    @property
    def businesses(self) -> list[str]:
        return list(self.state["businesses"])

    def stage(self) -> None:
        """Correct the accounts' referenceable counters by the difference, then stage the state in
        the event's one transaction (`Changes`)."""
        state = self.state
        is_ref = state["referenceable"] and isinstance(state["nps"], int) and state["nps"] >= 9
        should = sorted(state["businesses"]) if is_ref else []
        before = set(state["ref_counted"])
        for business_id in before - set(should):
            self.changes.add(store.account_key(self.changes.tenant_id, business_id, "r"), "n", -1)
        for business_id in set(should) - before:
            self.changes.add(store.account_key(self.changes.tenant_id, business_id, "r"), "n", 1)
        state["ref_counted"] = should
        self.changes.state(self.key, {k: v for k, v in state.items() if v is not None}, self.version)


def on_contact(event: DomainEvent, changes: Changes, zone: str) -> None:
    """contact.created: the acquisition channel (reached); contact.updated: referenceable."""
    data, at = event.data, event.occurred_at
    if event.type == "contact.updated" and "referenceable" not in data:
        return  # most updates (lead status, tags…): nothing to read or write
    person = _Person(changes, event.entity_id or "")
    state = person.state
    if event.type == "contact.created":
        if state.get("created_at"):
            return  # a second creation event of the same person changes nothing
        channel = str(data.get("channel") or ("form" if data.get("form_id") else "manual"))
        state["channel"], state["created_at"] = channel, at
        _day_add(changes, zone, "channel", channel, "acq_reached", at)
        if state.get("won_at"):  # its first deal was won before this event arrived
            _day_add(changes, zone, "channel", channel, "acq_converted", state["won_at"])
    if "referenceable" in data and at >= state["ref_at"]:
        state["referenceable"], state["ref_at"] = bool(data["referenceable"]), at
    person.stage()


def on_link(event: DomainEvent, changes: Changes) -> None:
    person_id = str(event.data.get("person_id") or "")
    business_id = event.entity_id or ""
    if not person_id or not business_id:
        return
    person = _Person(changes, person_id)
    businesses = set(person.state["businesses"])
    if event.type == "business.person_linked":
        businesses.add(business_id)
    else:
        businesses.discard(business_id)
    person.state["businesses"] = sorted(businesses)
    person.stage()


def _scored(event: DomainEvent, changes: Changes, zone: str, metric: str, score: int, at: str) -> _Person | None:
    """The person who answered a survey, with the score counted on each of their accounts."""
    person_id = str(event.data.get("person_id") or "")
    if not person_id:
        return None
    person = _Person(changes, person_id)
    for business_id in person.businesses:
        _day_add(changes, zone, BY, business_id, metric, at, amount=score, bucket=score)
    return person


def on_nps(event: DomainEvent, changes: Changes, zone: str, score: int, at: str) -> None:
    person = _scored(event, changes, zone, "nps", score, at)
    if person is None:
        return
    if at >= person.state["nps_at"]:  # the latest answer decides whether a promoter
        person.state["nps"], person.state["nps_at"] = score, at
    person.stage()


def on_csat(event: DomainEvent, changes: Changes, zone: str, rating: int, at: str) -> None:
    # A rating changes no person state (an unknown person has no accounts: nothing is counted).
    _scored(event, changes, zone, "csat", rating, at)


def on_interaction(changes: Changes, zone: str, person_id: str | None, at: str) -> None:
    """A customer message or a person's reply: an interaction of each of the person's accounts."""
    if not person_id:
        return
    current = store.get_state(store.person_key(changes.tenant_id, person_id)) or {}
    for business_id in _json_list(current.get("businesses")):
        _day_add(changes, zone, BY, business_id, "interactions", at)
        key = store.account_key(changes.tenant_id, business_id, "i")
        last = store.get_state(key) or {}
        if at > str(last.get("at") or ""):
            changes.state(key, {"at": at}, last.get("v"))


# ---------------------------------------------------------------- worker: accounts, deals


def on_business(event: DomainEvent, changes: Changes) -> None:
    data, at = event.data, event.occurred_at
    business_id = event.entity_id or ""
    key = store.account_key(changes.tenant_id, business_id, "a")
    current = store.get_state(key) or {}
    marks = _json_list(current.get("marks"))
    state: dict[str, Any] = {"name": current.get("name"), "manager": current.get("manager"),
                             "at": str(current.get("at") or "")}
    if event.type == "business.deleted":
        marks.append({"at": at, "on": False, "id": event.id})
    elif "key_account" in data:
        marks.append({"at": at, "on": bool(data["key_account"]), "id": event.id})
    if event.type != "business.deleted" and at >= state["at"]:  # the newest event decides name and manager
        state["name"] = data.get("name") or state["name"]
        if "account_manager_id" in data:
            state["manager"] = data.get("account_manager_id")
        state["at"] = at
    state["marks"] = sorted(marks, key=lambda m: (m["at"], m.get("id") or ""))[-MAX_MARKS:]
    changes.state(key, {k: v for k, v in state.items() if v is not None}, current.get("v"))


def on_won(event: DomainEvent, changes: Changes, zone: str, amount: float) -> None:
    """A deal won: once per deal (a deal moved out of won and back is not counted again)."""
    data, at = event.data, event.occurred_at
    deal_key = store.deal_key(changes.tenant_id, event.entity_id or "")
    if store.get_state(deal_key):
        return
    business_id, kind = data.get("business_id"), data.get("kind") or "new"
    changes.state(deal_key, {"at": at, "business_id": business_id, "kind": kind, "amount": amount}, None)
    if business_id:
        key = store.account_key(changes.tenant_id, str(business_id), "d")
        current = store.get_state(key) or {}
        first = min(str(current.get("first_won_at") or at), at)
        changes.state(key, {"total": float(current.get("total") or 0) + amount,
                            "count": int(current.get("count") or 0) + 1, "first_won_at": first}, current.get("v"))
        _day_add(changes, zone, BY, str(business_id), "deals_won", at, amount=amount)
        _day_add(changes, zone, BY, str(business_id), f"deals_won_{kind}", at, amount=amount)
    person_id = data.get("person_id")
    if person_id:
        person = _Person(changes, str(person_id))
        won_at = person.state.get("won_at")
        if not won_at or at < won_at:
            if person.state.get("channel"):  # acquisition: counted at the person's first won deal
                if won_at:
                    _day_add(changes, zone, "channel", person.state["channel"], "acq_converted", won_at, sign=-1)
                _day_add(changes, zone, "channel", person.state["channel"], "acq_converted", at)
            person.state["won_at"] = at
            person.stage()


# ---------------------------------------------------------------- report


def periods(marks: list[dict[str, Any]]) -> list[tuple[str, str | None]]:
    """The [since, until) intervals an account was a key account, from its marks in time order."""
    out: list[tuple[str, str | None]] = []
    since: str | None = None
    for mark in sorted(marks, key=lambda m: (m["at"], m.get("id") or "")):
        if mark["on"] and since is None:
            since = mark["at"]
        elif not mark["on"] and since is not None:
            out.append((since, mark["at"]))
            since = None
    if since is not None:
        out.append((since, None))
    return out


def _covers(intervals: list[tuple[str, str | None]], instant: str) -> bool:
    return any(s <= instant and (u is None or u > instant) for s, u in intervals)


def _pct(numerator: float, denominator: float) -> float | None:
    return round(100 * numerator / denominator, 1) if denominator else None


def _nps_value(hist: dict[int, int]) -> tuple[float | None, int]:
    responses = sum(c for c in hist.values() if c > 0)
    promoters = sum(c for s, c in hist.items() if s >= 9 and c > 0)
    detractors = sum(c for s, c in hist.items() if s <= 6 and c > 0)
    return _pct(promoters - detractors, responses), responses


def _csat_value(hist: dict[int, int]) -> tuple[float | None, int]:
    responses = sum(c for c in hist.values() if c > 0)
    return _pct(sum(c for s, c in hist.items() if s >= 4 and c > 0), responses), responses


class _Figures:
    """The period's counters of one account (or the sum over a manager's / all accounts)."""

    def __init__(self) -> None:
        self.n: dict[str, float] = defaultdict(float)
        self.s: dict[str, float] = defaultdict(float)
        self.hist: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
        self.days: set[str] = set()

    def add(self, day: str, metric: str, attributes: dict[str, Any]) -> None:
        self.n[metric] += float(attributes.get("n") or 0)
        self.s[metric] += float(attributes.get("s") or 0)
        if metric in ("nps", "csat"):
            for name, hits in attributes.items():
                if len(name) > 1 and name[0] == "v" and name[1:].isdigit():
                    self.hist[metric][int(name[1:])] += int(hits)
        if metric == "interactions" and float(attributes.get("n") or 0) > 0:
            self.days.add(day)

    def merge(self, other: _Figures) -> None:
        for metric, value in other.n.items():
            self.n[metric] += value
        for metric, value in other.s.items():
            self.s[metric] += value
        for metric, hist in other.hist.items():
            for k, v in hist.items():
                self.hist[metric][k] += v


def _longest_gap(days: set[str], first: date, last: date) -> int:
    """The longest run of the range's days without an interaction."""
    longest = run = 0
    day = first
    while day <= last:
        run = 0 if day.isoformat() in days else run + 1
        longest = max(longest, run)
        day += timedelta(days=1)
    return longest


def _rates(fig: _Figures, denominator_kind: str, accounts: int) -> dict[str, Any]:
    won = fig.n.get("deals_won", 0.0)
    denominator = won if denominator_kind == "won_deals" else float(accounts)
    revenue = fig.s.get("deals_won", 0.0)
    organic = sum(fig.s.get(f"deals_won_{k}", 0.0) for k in ORGANIC)
    return {
        "won_deals": int(won), "won_revenue": round(revenue, 2),
        "upsell_rate": _pct(fig.n.get("deals_won_upsell", 0.0), denominator),
        "cross_sell_rate": _pct(fig.n.get("deals_won_cross_sell", 0.0), denominator),
        "renewal_rate": _pct(fig.n.get("deals_won_renewal", 0.0), denominator),
        "rate_denominator": denominator_kind, "rate_denominator_value": int(denominator),
        "organic_growth": _pct(organic, revenue),
    }


def _local_start(day: date, zone: zoneinfo.ZoneInfo) -> str:
    return iso(datetime(day.year, day.month, day.day, tzinfo=zone))


def report(tenant_id: str, *, start: str | None, end: str | None) -> dict[str, Any]:
    from skailan.analytics.reports import date_range
    from skailan.tenancy import brands

    first, last, zone_name = date_range(tenant_id, start, end)
    zone = zone_or_utc(zone_name)
    settings = brands.get_brand(tenant_id).kam
    now = utcnow()
    today = now.astimezone(zone).date()
    period_start, period_end = _local_start(first, zone), _local_start(last + timedelta(days=1), zone)

    raw: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for business_id, part, attributes in store.query_accounts(tenant_id):
        raw[business_id][part] = attributes
    figures: dict[str, _Figures] = defaultdict(_Figures)
    for day, metric, value, attributes in store.query_days(tenant_id, BY, first.isoformat(), last.isoformat()):
        figures[value].add(day, metric, attributes)

    accounts: list[dict[str, Any]] = []
    at_start = lost = 0
    managers: dict[str, dict[str, Any]] = {}
    total = _Figures()
    alerts: list[dict[str, Any]] = []
    gap_end = min(last, today)
    for business_id in sorted(raw):
        parts = raw[business_id]
        account = parts.get("a") or {}
        intervals = periods(_json_list(account.get("marks")))
        if not any(s < period_end and (u is None or u > period_start) for s, u in intervals):
            continue  # not a key account at any time of the period
        if _covers(intervals, period_start):
            at_start += 1
            if any(u is not None and period_start <= u < period_end for s, u in intervals if s <= period_start):
                lost += 1
        is_key = _covers(intervals, iso(now))
        fig = figures.get(business_id, _Figures())
        total.merge(fig)
        deals = parts.get("d") or {}
        won_total, won_count = float(deals.get("total") or 0), int(deals.get("count") or 0)
        average = won_total / won_count if won_count else 0.0
        years = (now - parse_iso(str(deals["first_won_at"]))).days / 365 if deals.get("first_won_at") else 0.0
        frequency = won_count / max(1.0, years)
        projected = average * frequency * settings.expected_lifespan_years
        last_at = (parts.get("i") or {}).get("at")
        since_last = (now - parse_iso(str(last_at))).days if last_at else None
        nps_value, nps_responses = _nps_value(fig.hist.get("nps", {}))
        csat_value, csat_responses = _csat_value(fig.hist.get("csat", {}))
        gap = _longest_gap(fig.days, first, gap_end) if gap_end >= first else 0
        alert = is_key and (since_last is None or since_last > settings.interaction_gap_alert_days)
        range_days = (last - first).days + 1
        row = {
            "business_id": business_id, "name": account.get("name"), "account_manager_id": account.get("manager"),
            "key_account": is_key, "key_account_since": intervals[-1][0] if intervals else None,
            "lost_at": intervals[-1][1] if intervals and intervals[-1][1] else None,
            "clv": round(won_total + projected, 2),
            "clv_detail": {"won_to_date": round(won_total, 2), "won_deals_to_date": won_count,
                           "average_purchase": round(average, 2), "purchases_per_year": round(frequency, 4),
                           "expected_lifespan_years": settings.expected_lifespan_years,
                           "projected": round(projected, 2)},
            "nps": nps_value, "nps_responses": nps_responses,
            "satisfaction_pct": csat_value, "csat_responses": csat_responses,
            "referenceable_customers": max(0, int((parts.get("r") or {}).get("n") or 0)),
            "interactions": int(fig.n.get("interactions", 0)),
            "interactions_per_week": round(fig.n.get("interactions", 0) * 7 / range_days, 2),
            "interaction_gap_days": gap, "days_since_last_interaction": since_last,
            "last_interaction_at": last_at, "gap_alert": alert,
            **_rates(fig, settings.rate_denominator, 1),
        }
        accounts.append(row)
        if alert:
            name = account.get("name") or business_id
            message = (f"{name}: ninguna interacción registrada. / {name}: no interaction on record."
                       if since_last is None else
                       f"{name}: {since_last} días sin interacción. / {name}: {since_last} days without interaction.")
            alerts.append({"type": "interaction_gap", "business_id": business_id, "days": since_last,
                           "link": f"/reports/kam/{business_id}", "message": message})
        manager = managers.setdefault(str(account.get("manager") or ""), {"figures": _Figures(), "rows": []})
        manager["figures"].merge(fig)
        manager["rows"].append(row)

    def group(fig: _Figures, rows: list[dict[str, Any]]) -> dict[str, Any]:
        nps_value, responses = _nps_value(fig.hist.get("nps", {}))
        csat_value, _ = _csat_value(fig.hist.get("csat", {}))
        return {"accounts": len(rows), "clv": round(sum(r["clv"] for r in rows), 2),
                "won_to_date": round(sum(r["clv_detail"]["won_to_date"] for r in rows), 2),
                "nps": nps_value, "nps_responses": responses, "satisfaction_pct": csat_value,
                "referenceable_customers": sum(r["referenceable_customers"] for r in rows),
                "gap_alerts": sum(1 for r in rows if r["gap_alert"]),
                **_rates(fig, settings.rate_denominator, len(rows))}

    acquisition: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for _day, metric, value, attributes in store.query_days(tenant_id, "channel", first.isoformat(), last.isoformat()):
        if metric in ("acq_reached", "acq_converted"):
            acquisition[value][metric] += float(attributes.get("n") or 0)
    return {
        "date_from": first.isoformat(), "date_to": last.isoformat(), "time_zone": zone_name,
        "accounts": accounts,
        "managers": [{"account_manager_id": m or None, **group(v["figures"], v["rows"])}
                     for m, v in sorted(managers.items())],
        "totals": group(total, accounts),
        "accounts_at_start": at_start, "accounts_lost": lost, "churn_rate": _pct(lost, at_start),
        "acquisition": [{"channel": ch, "reached": int(v["acq_reached"]), "converted": int(v["acq_converted"]),
                         "rate": _pct(v["acq_converted"], v["acq_reached"])} for ch, v in sorted(acquisition.items())],
        "alerts": alerts,
        "settings": settings.model_dump(mode="json"),
        "definitions": DEFINITIONS,
    }


DEFINITIONS = {
    "clv": ("CLV = ingresos ganados hasta hoy + proyectado; proyectado = compra media × compras por año × vida "
            "esperada (años, ajuste de la marca); compras por año = negocios ganados ÷ años desde el primero "
            "(mínimo 1 año). / CLV = won revenue to date + projected; projected = average purchase × purchases "
            "per year × expected lifespan (years, brand setting); purchases per year = won deals ÷ years since "
            "the first (at least 1 year)."),
    "nps": ("NPS del periodo de las personas vinculadas a la cuenta: % promotores (9–10) − % detractores (0–6). / "
            "Period NPS of the people linked to the account: % promoters (9–10) − % detractors (0–6)."),
    "satisfaction": ("% de calificaciones CSAT 4–5 de las personas de la cuenta en el periodo. / "
                     "% of 4–5 CSAT ratings of the account's people in the period."),
    "referenceable_customers": ("Personas de la cuenta marcadas como referencia (campo `referenceable`) cuya última "
                                "respuesta NPS es 9–10. / The account's people marked as references "
                                "(`referenceable` field) whose latest NPS answer is 9–10."),
    "interactions": ("Mensajes del cliente y respuestas de personas en conversaciones de gente de la cuenta; por "
                     "semana = interacciones × 7 ÷ días del periodo. / Customer messages and human replies in "
                     "conversations of the account's people; per week = interactions × 7 ÷ days in the period."),
    "interaction_gap_days": ("Mayor número de días locales seguidos del periodo (hasta hoy) sin ninguna interacción; "
                             "alerta si los días desde la última superan el umbral. / Longest run of the period's "
                             "local days (up to today) without any interaction; alert when the days since the "
                             "last one exceed the threshold."),
    "rates": ("Tasa de upsell / venta cruzada / renovación = negocios ganados de ese tipo ÷ denominador (ajuste: "
              "negocios ganados o cuentas clave). / Upsell / cross-sell / renewal rate = won deals of that type ÷ "
              "the denominator (setting: won deals or key accounts)."),
    "organic_growth": ("% de los ingresos ganados de negocios de upsell, venta cruzada, renovación o referidos. / "
                       "% of won revenue from upsell, cross-sell, renewal or referral deals."),
    "acquisition": ("Por canal: personas cuyo primer negocio se ganó en el periodo ÷ personas captadas en el "
                    "periodo. / Per channel: people whose first deal was won in the period ÷ people captured in "
                    "the period."),
    "churn_rate": ("Cuentas que dejaron de ser clave (o se borraron) en el periodo ÷ cuentas clave al inicio. / "
                   "Accounts no longer key (or deleted) in the period ÷ key accounts at its start."),
}
