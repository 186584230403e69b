"""Conversation metrics as hourly counters in the analytics table — reports read buckets, never
raw conversations.

Item: pk `T#<t>#M#<metric>#<by>`, sk `<YYYY-MM-DDTHH>#<value>`, attributes `count` and `sum`
changed only by atomic `ADD` (a redelivered event is dropped before it counts twice, by a
conditional put of `T#<t>#SEEN` / `<event id>` with a TTL). `by` is `all` (value `*`), `agent`,
`channel` or `reason`. A dashboard asks one Query per metric and grouping over an hour range.

Metrics: `first_response_ms` (customer's first message → first human reply, per agent and
channel), `resolution_ms` (opened/reopened → closed, per agent, channel and close reason),
`conversations_closed` (count, per agent, channel, reason), `conversations_created`, `csat`
(customer ratings 1–5 per agent, team and channel: `count`, `sum` → average, and the
distribution in `r1`…`r5`, each also changed only by `ADD`).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from skailan.conversations.inbox.models import MetricBucketOut, MetricsOut
from skailan.conversations.store import counters
from skailan.platform.clock import iso, parse_iso, utcnow
from skailan.platform.errors import Unprocessable

SEEN_TTL = timedelta(days=3)


SCORES = ("1", "2", "3", "4", "5")
DISTRIBUTED = frozenset({"csat"})  # metrics whose value is a 1–5 score with a distribution


def hour_of(at: str) -> str:
    return iso(parse_iso(at))[:13]


def first_time(tenant_id: str, event_id: str) -> bool:
    """True the first time an event is counted (redeliveries are dropped)."""
    return counters.mark_seen(tenant_id, event_id, utcnow() + SEEN_TTL)


def record(tenant_id: str, metric: str, *, at: str, value: float | None = None,
           dimensions: dict[str, str | None] | None = None) -> int:
    """Count one observation (and add its value) in the hour bucket of `at`, for every dimension."""
    hour = hour_of(at)
    writes = 0
    pairs = [("all", "*")] + [(by, v) for by, v in (dimensions or {}).items() if v]
    scored = value is not None and metric in DISTRIBUTED and str(int(value)) in SCORES
    score = int(value) if scored and value is not None else None
    for by, dim_value in pairs:
        counters.add(tenant_id, metric, by, hour, dim_value, value, score)
        writes += 1
    return writes


def _hour_bound(value: str | None, *, end: bool) -> str | None:
    if not value:
        return None
    value = value.strip()
    if len(value) == 10:  # a date
        return value + ("T23" if end else "T00")
    try:
        return hour_of(value if len(value) > 13 else value + ":00:00+00:00")
    except ValueError as err:
        raise Unprocessable("Hora no válida. / Invalid hour.", code="validation_error",
                            details=[{"field": "to" if end else "from", "error": "use YYYY-MM-DD or YYYY-MM-DDTHH"}]
                            ) from err


def read(tenant_id: str, metric: str, *, by: str = "all", start: str | None = None, end: str | None = None,
         ) -> MetricsOut:
    start_hour = _hour_bound(start, end=False) or hour_of(iso(utcnow() - timedelta(days=7)))
    end_hour = _hour_bound(end, end=True) or hour_of(iso())
    scored = metric in DISTRIBUTED
    buckets: list[MetricBucketOut] = []
    totals: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])
    spread: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(SCORES, 0))
    for item in counters.buckets(tenant_id, metric, by, start_hour, end_hour):
        hour, _, dimension = item.sk.partition("#")
        count, total = int(item.hits or 0), float(item.sum or 0)
        distribution = {score: int(getattr(item, f"r{score}") or 0) for score in SCORES} if scored else None
        buckets.append(MetricBucketOut(hour=hour, dimension=dimension, count=count, sum=total,
                                       average=total / count if count else 0, distribution=distribution))
        totals[dimension][0] += count
        totals[dimension][1] += total
        for score, hits in (distribution or {}).items():
            spread[dimension][score] += hits
    summary = [MetricBucketOut(hour=f"{start_hour}..{end_hour}", dimension=d, count=int(c), sum=s,
                               average=s / c if c else 0, distribution=dict(spread[d]) if scored else None)
               for d, (c, s) in sorted(totals.items())]
    return MetricsOut(metric=metric, by=by, items=buckets, totals=summary)
