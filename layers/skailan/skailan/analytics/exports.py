"""Fact exports for BI, and reports as CSV.

- The analytics worker writes **fact rows** in the same transaction as the event it counts:
  one per message (`m#<at>#<message>`) and one per closed conversation cycle
  (`c#<conversation>#<closed at>`: its timings, agent, team, channel, reason, CSAT), under the
  brand's local date (`store.facts_pk`), plus the brand's marker in the `exports` index.
- The daily job (`AnalyticsExportFunction`, `export_day`) writes each brand's rows of a date to
  the lake bucket as gzip CSV, partitioned like the Glue tables read them:
  `facts/conversations/brand=<tenant>/date=<YYYY-MM-DD>/facts.csv.gz` and
  `facts/messages/brand=…/date=…/facts.csv.gz`. Writing a date again replaces its objects
  (idempotent: a late event is in the next run of that date).
"""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Any

from skailan.analytics import facts as F
from skailan.analytics import store
from skailan.analytics.kam_models import ClvDetail, KamAccount, KamRates, KamReportOut
from skailan.analytics.models import ConversationReportOut, NpsOut
from skailan.platform.clock import iso, parse_iso, utcnow
from skailan.platform.csv_cells import safe_cell
from skailan.platform.events import DomainEvent
from skailan.platform.observability import logger

CONVERSATION_COLUMNS = (
    "conversation_id", "channel", "team_id", "agent_id", "close_reason", "opened_at", "closed_at",
    "first_response_seconds", "first_response_bh_seconds", "first_responder_id", "resolution_seconds",
    "resolution_bh_seconds", "csat",
)
MESSAGE_COLUMNS = (
    "message_id", "conversation_id", "at", "direction", "channel", "sender_kind", "sender_id",
    "whatsapp_category", "country", "cost",
)
MAX_ROWS_PER_EVENT = 5  # a long conversation rewrites at most its newest closes' rows


def record_message(changes: store.Changes, event: DomainEvent, time_zone: str, *, category: str | None = None,
                   country: str | None = None, cost: float | None = None,
                   sender: tuple[str, str] | None = None) -> None:
    data = event.data
    day = F.local_day(event.occurred_at, time_zone)
    inbound = event.type == "message.received"
    row = {"message_id": data.get("message_id"), "conversation_id": data.get("conversation_id"),
           "at": event.occurred_at, "direction": "in" if inbound else "out", "channel": data.get("channel"),
           "sender_kind": "customer" if inbound else (sender[0] if sender else event.actor.kind),
           "sender_id": None if inbound else (sender[1] if sender else event.actor.id), "whatsapp_category": category, "country": country,
           "cost": f"{cost:.6f}" if cost is not None else None}  # exact decimals in the CSV
    _put_row(changes, day, f"m#{event.occurred_at}#{data.get('message_id') or event.id}", row)


def conversation_rows(changes: store.Changes, conversation_id: str, state: Mapping[str, Any],
                      old: Mapping[str, F.Fact], new: Mapping[str, F.Fact], time_zone: str,
                      csat_changed: bool = False) -> None:
    """The rows of the conversation's closed cycles whose facts (or rating) changed."""
    if not csat_changed and dict(old) == dict(new):
        return
    closes = sorted((f for f in new.values() if f.metric == "resolution"), key=lambda f: f.at)[-MAX_ROWS_PER_EVENT:]
    responses = sorted((f for f in new.values() if f.metric == "first_response"), key=lambda f: f.at)
    ratings = dict(state.get("csat") or {}) if isinstance(state.get("csat"), dict) else {}
    for close in closes:
        opened = parse_iso(close.at) - timedelta(seconds=close.seconds)
        first = next((r for r in responses if parse_iso(r.at) >= opened and r.at <= close.at), None)
        dims = dict(close.dims)
        row = {"conversation_id": conversation_id, "channel": dims.get("channel"), "team_id": dims.get("team"),
               "agent_id": dims.get("agent"), "close_reason": dims.get("close_reason"),
               "opened_at": iso(opened),
               "closed_at": close.at, "first_response_seconds": first.seconds if first else None,
               "first_response_bh_seconds": first.bh_seconds if first else None,
               "first_responder_id": dict(first.dims).get("agent") if first else None,
               "resolution_seconds": close.seconds, "resolution_bh_seconds": close.bh_seconds,
               "csat": ratings.get(close.at)}
        _put_row(changes, F.local_day(close.at, time_zone), f"c#{conversation_id}#{close.at}", row)


def rating_for_close(state: dict[str, Any], rating: int, closed_at: str | None) -> bool:
    """Keep a 1–5 rating on the conversation's state, for the close it rates (the newest close
    at or before the rating when the event does not say); True when it changed."""
    closes = sorted(m["at"] for m in state.get("marks") or [] if m.get("k") == "z")
    target = closed_at if closed_at in closes else (closes[-1] if closes else None)
    if target is None:
        return False
    ratings = dict(state.get("csat") or {}) if isinstance(state.get("csat"), dict) else {}
    if ratings.get(target) == rating:
        return False
    ratings[target] = rating
    state["csat"] = ratings
    return True


def _put_row(changes: store.Changes, day: str, row_key: str, row: dict[str, Any]) -> None:
    tenant = changes.tenant_id
    changes.put(store.fact_key(tenant, day, row_key), {**row, "ttl": store.facts_ttl()})
    marker = store.export_marker(tenant, day)
    if not any(p["pk"] == marker["pk"] and p["sk"] == marker["sk"] for p in changes.puts):
        changes.puts.append(marker)


# ---------------------------------------------------------------- the daily export


def _csv_gz(columns: tuple[str, ...], rows: Iterable[Mapping[str, Any]]) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if row.get(c) is None else row.get(c) for c in columns])
    return gzip.compress(text.getvalue().encode(), mtime=0)


def object_key(kind: str, tenant_id: str, day: str) -> str:
    return f"facts/{kind}/brand={tenant_id}/date={day}/facts.csv.gz"


def export_brand_day(tenant_id: str, day: str) -> dict[str, int]:
    """One brand's rows of a date → two gzip CSV objects (replaced if they exist)."""
    from skailan.platform.aws import client
    from skailan.platform.settings import get_settings

    conversations: list[dict[str, Any]] = []
    messages: list[dict[str, Any]] = []
    for item in store.query_all(store.facts_pk(tenant_id, day)):
        (conversations if str(item["sk"]).startswith("c#") else messages).append(item)
    s3, bucket = client("s3"), get_settings().analytics_lake_bucket
    for kind, columns, rows in (("conversations", CONVERSATION_COLUMNS, conversations),
                                ("messages", MESSAGE_COLUMNS, messages)):
        s3.put_object(Bucket=bucket, Key=object_key(kind, tenant_id, day), Body=_csv_gz(columns, rows),
                      ContentType="text/csv", ContentEncoding="gzip")
    return {"conversations": len(conversations), "messages": len(messages)}


def export_day(day: str | None = None) -> dict[str, Any]:
    """Every brand with facts on `day` (default: yesterday, UTC — run after the last time zone's
    midnight); returns what was written."""
    target = day or (utcnow().date() - timedelta(days=1)).isoformat()
    date.fromisoformat(target)  # a bad date fails before anything is written
    written = {tenant: export_brand_day(tenant, target) for tenant in store.brands_with_facts(target)}
    logger.info("analytics facts exported", day=target, brands=len(written))
    return {"date": target, "brands": written}


# ---------------------------------------------------------------- reports as CSV


def conversation_report_csv(out: ConversationReportOut) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    durations = [f"{m}_{s}" for m in ("first_response", "resolution") for s in ("count", "p50", "p90", "avg")]
    writer.writerow(["group", "key", "conversations", *durations, "csat_responses", "csat_average",
                     "csat_satisfaction_pct"])

    def line(group: str, key: str, figures: Any) -> list[Any]:
        values = [getattr(getattr(figures, m), s) for m in ("first_response", "resolution")
                  for s in ("count", "p50", "p90", "avg")]
        csat = figures.csat
        return [group, safe_cell(key), figures.conversations, *("" if v is None else v for v in values), csat.responses,
                "" if csat.average is None else csat.average,
                "" if csat.satisfaction_pct is None else csat.satisfaction_pct]

    writer.writerow(line("total", "*", out.totals))
    for group in out.groups:
        writer.writerow(line(out.group_by or "", group.key, group))
    writer.writerow([])
    writer.writerow(["from", out.date_from, "to", out.date_to, "time_zone", out.time_zone, "business_hours",
                     str(out.business_hours).lower(), "unit", "seconds"])
    writer.writerow(["created", out.totals.created, "messages_in", out.totals.messages_in, "messages_out",
                     out.totals.messages_out, "bot_handled", out.totals.bot_handled, "handoffs", out.totals.handoffs])
    return buffer.getvalue()


def nps_report_csv(out: NpsOut, group_by: str | None) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["group", "key", "nps", "promoters", "passives", "detractors", "responses"])
    rows = [("total", "*", out)] + [(group_by or "", g.key, g) for g in out.groups]
    for group, key, figures in rows:
        writer.writerow([group, safe_cell(key), "" if figures.nps is None else figures.nps, figures.promoters,
                         figures.passives, figures.detractors, figures.responses])
    writer.writerow([])
    writer.writerow(["from", out.date_from, "to", out.date_to])
    return buffer.getvalue()


# The account's own fields first (who it is), then its rates, `clv_detail` flattened as
# `clv_<part>` and `churned` (lost in or before the period) after `lost_at`: derived from the
# models so a KPI added to the JSON report is a column too.
_KAM_FIELDS = [n for n in KamAccount.model_fields if n not in KamRates.model_fields] + list(KamRates.model_fields)
KAM_COLUMNS: tuple[str, ...] = tuple(
    c for name in _KAM_FIELDS
    for c in ([f"clv_{part}" for part in ClvDetail.model_fields] if name == "clv_detail"
              else [name, "churned"] if name == "lost_at" else [name])
)


def _cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    return safe_cell(value)


def kam_report_csv(out: KamReportOut) -> str:
    """One row per key account, every KPI of `GET /v1/reports/kam`'s `accounts`; then a blank
    row and the period with the brand's churn."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(KAM_COLUMNS)
    for account in out.accounts:
        values: dict[str, object] = account.model_dump(exclude={"clv_detail"})
        values.update({f"clv_{k}": v for k, v in account.clv_detail.model_dump().items()})
        values["churned"] = account.lost_at is not None
        writer.writerow([_cell(values[c]) for c in KAM_COLUMNS])
    writer.writerow([])
    writer.writerow(["from", out.date_from, "to", out.date_to, "time_zone", out.time_zone, "accounts_at_start",
                     out.accounts_at_start, "accounts_lost", out.accounts_lost, "churn_rate",
                     _cell(out.churn_rate)])
    return buffer.getvalue()
