"""The limits table's counters: the only pynamodb code of `skailan.platform.limits`.

A counter item is `pk = <limit>#<subject>#<window number>` (hits, expiring by TTL); a known
device is `pk = known#<e-mail digest>#<address digest>`. Subjects arrive hashed.
"""

from __future__ import annotations

from datetime import datetime

from pynamodb.attributes import NumberAttribute, TTLAttribute, UnicodeAttribute
from pynamodb.expressions.update import Action
from pynamodb.models import Model

from skailan.platform.settings import get_settings
from skailan.platform.storage import conditional


class LimitItem(Model):
    class Meta:
        table_name = get_settings().limits_table

    pk = UnicodeAttribute(hash_key=True)
    hits = NumberAttribute(default=0)
    ttl = TTLAttribute(null=True)


def counter_key(limit_name: str, subject: str, window: int) -> str:
    return f"{limit_name}#{subject}#{window}"


def known_device_key(email_digest: str, address_digest: str) -> str:
    return f"known#{email_digest}#{address_digest}"


def add(key: str, amount: int, *, expires: datetime, at_most: int | None = None) -> int:
    """ADD `amount` to a counter (atomic under concurrency) and return its new count. With
    `at_most`, only while the count stays within it: `ConditionFailed` otherwise (not counted)."""
    item = LimitItem(key)
    actions: list[Action] = [LimitItem.hits.add(amount), LimitItem.ttl.set(expires)]
    if at_most is None:
        item.update(actions=actions)
    else:
        with conditional():
            item.update(actions=actions,
                        condition=LimitItem.hits.does_not_exist() | (LimitItem.hits <= at_most - amount))
    return int(item.hits or 0)


def count(key: str) -> int:
    """A counter's count (0 when it has none)."""
    try:
        return int(LimitItem.get(key).hits or 0)
    except LimitItem.DoesNotExist:
        return 0


def counts(keys: list[str]) -> dict[str, int]:
    """The counts of the counters that exist among `keys`, by key: one BatchGetItem."""
    return {item.pk: int(item.hits or 0) for item in LimitItem.batch_get(keys)}


def put(key: str, hits: int, *, expires: datetime) -> None:
    LimitItem(key, hits=hits, ttl=expires).save()


def delete(key: str) -> None:
    LimitItem(key).delete()
