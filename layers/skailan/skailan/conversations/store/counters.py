"""The inbox's hourly metric counters, in the analytics table (`conversations.inbox.metrics`).

  counter   pk T#<t>#M#<metric>#<by>   sk <YYYY-MM-DDTHH>#<value>   count, sum, r1…r5 (ADD only)
  seen      pk T#<t>#SEEN              sk <event id>                 (TTL: a redelivery is dropped)
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from pynamodb.attributes import NumberAttribute, TTLAttribute

from skailan.platform.settings import get_settings
from skailan.platform.storage import ConditionFailed, KeyedItem, conditional


def counter_pk(tenant_id: str, metric: str, by: str) -> str:
    return f"T#{tenant_id}#M#{metric}#{by}"


def seen_pk(tenant_id: str) -> str:
    return f"T#{tenant_id}#SEEN"


class CounterItem(KeyedItem):
    class Meta:
        table_name = get_settings().analytics_table

    hits = NumberAttribute(null=True, attr_name="count")
    sum = NumberAttribute(null=True)
    # csat: how many ratings of each score (1–5)
    r1 = NumberAttribute(null=True)
    r2 = NumberAttribute(null=True)
    r3 = NumberAttribute(null=True)
    r4 = NumberAttribute(null=True)
    r5 = NumberAttribute(null=True)
    ttl = TTLAttribute(null=True)


def mark_seen(tenant_id: str, event_id: str, expires: datetime) -> bool:
    """True the first time an event id is marked (a conditional put)."""
    try:
        with conditional():
            CounterItem(seen_pk(tenant_id), event_id, ttl=expires).save(condition=CounterItem.pk.does_not_exist())
    except ConditionFailed:
        return False
    return True


def add(tenant_id: str, metric: str, by: str, hour: str, dimension: str, value: float | None, score: int | None) -> None:
    """ADD one observation (and its value, and its 1–5 score's count) to an hour bucket."""
    actions: list[Any] = [CounterItem.hits.add(1)]
    if value is not None:
        actions.append(CounterItem.sum.add(value))
    if score is not None:
        actions.append(getattr(CounterItem, f"r{score}").add(1))
    CounterItem(counter_pk(tenant_id, metric, by), f"{hour}#{dimension}").update(actions=actions)


def buckets(tenant_id: str, metric: str, by: str, start_hour: str, end_hour: str) -> Iterator[CounterItem]:
    """The hour buckets of a metric and grouping from `start_hour` to `end_hour`, both included."""
    pk = counter_pk(tenant_id, metric, by)
    yield from CounterItem.query(pk, CounterItem.sk.between(f"{start_hour}#", f"{end_hour}#~"))
