"""The analytics context's only DynamoDB code (table `AnalyticsTable`); every key starts with the
tenant and is built here.

Items (all under `T#<tenant>#AN#…`, beside the inbox's hourly counters `T#<t>#M#…`):
- `…#EV#<event id>` / `seen`: the event was counted (TTL 30 days). Put with a condition in the
  SAME transaction as the counter changes, so a redelivered event counts once.
- `…#C#<conversation>` / `state`: a conversation's marks, the facts already counted, its status
  and holder (`v`: version, the optimistic lock of that transaction).
- `…#A#<user>` / `state`, `…#K#<task>` / `state`: an agent's presence, a task's overdue state.
- `…#G` / `now`: gauges (`open`, `unassigned`, `agents_online`, `tasks_overdue`), changed by ADD.
- `…#UQ` / `<since>#<conversation>`: open conversations without an agent, oldest first.
- `…#D#<by>` / `<YYYY-MM-DD>#<metric>#<value>`: a day (the brand's local date) of a metric for
  one value of a grouping (`by` = all (`*`), agent, team, channel, close_reason): `n` count,
  `s` sum, and the exact distribution — `v<seconds>` how many observations lasted exactly that
  many seconds, `b<seconds>` the same in business hours (`bs` their sum). One Query per grouping
  reads a whole report range.
- `…#MO#all` / `<YYYY-MM>#<metric>#*` and `<YYYY-MM-DD>#<metric>#*`: the month's and the day's
  counts the dashboard reads with one BatchGetItem.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from skailan.platform.aws import client
from skailan.platform.cancellation import cancellation_reasons, condition_failed
from skailan.platform.clock import utcnow
from skailan.platform.settings import get_settings

SEEN_TTL = timedelta(days=30)
ALL = "*"


def _table() -> str:
    return get_settings().analytics_table


def _root(tenant_id: str) -> str:
    return f"T#{tenant_id}#AN"


def seen_key(tenant_id: str, event_id: str) -> dict[str, Any]:
    return _key(f"{_root(tenant_id)}#EV#{event_id}", "seen")


def conversation_key(tenant_id: str, conversation_id: str) -> dict[str, Any]:
    return _key(f"{_root(tenant_id)}#C#{conversation_id}", "state")


def agent_key(tenant_id: str, user_id: str) -> dict[str, Any]:
    return _key(f"{_root(tenant_id)}#A#{user_id}", "state")


def task_key(tenant_id: str, task_id: str) -> dict[str, Any]:
    return _key(f"{_root(tenant_id)}#K#{task_id}", "state")


def nps_ask_key(tenant_id: str, person_id: str) -> dict[str, Any]:
    """The campaign NPS question a person was last asked (and whether answered)."""
    return _key(f"{_root(tenant_id)}#NQ#{person_id}", "state")


def campaign_key(tenant_id: str, campaign_id: str) -> dict[str, Any]:
    return _key(f"{_root(tenant_id)}#CP#{campaign_id}", "state")


def gauges_key(tenant_id: str) -> dict[str, Any]:
    return _key(f"{_root(tenant_id)}#G", "now")


def unassigned_pk(tenant_id: str) -> str:
    return f"{_root(tenant_id)}#UQ"


def unassigned_key(tenant_id: str, since: str, conversation_id: str) -> dict[str, Any]:
    return _key(unassigned_pk(tenant_id), f"{since}#{conversation_id}")


def day_pk(tenant_id: str, by: str) -> str:
    return f"{_root(tenant_id)}#D#{by}"


def day_key(tenant_id: str, by: str, day: str, metric: str, value: str) -> dict[str, Any]:
    return _key(day_pk(tenant_id, by), f"{day}#{metric}#{value}")


def month_key(tenant_id: str, period: str, metric: str) -> dict[str, Any]:
    return _key(f"{_root(tenant_id)}#MO#all", f"{period}#{metric}#{ALL}")


def _key(pk: str, sk: str) -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"S": sk}}


def tenant_prefix(tenant_id: str) -> str:
    return f"{_root(tenant_id)}#"


# ---------------------------------------------------------------- reads


def get_state(key: dict[str, Any]) -> dict[str, Any] | None:
    """A state item as plain values (JSON attributes decoded), or None."""
    item = client("dynamodb").get_item(TableName=_table(), Key=key, ConsistentRead=True).get("Item")
    return _plain(item) if item else None


def _plain(item: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, typed in item.items():
        (kind, value), = typed.items()
        if kind == "N":
            out[name] = int(value) if value.lstrip("-").isdigit() else float(value)
        elif kind == "BOOL":
            out[name] = bool(value)
        elif kind == "NULL":
            out[name] = None
        elif name in ("marks", "facts"):
            out[name] = json.loads(value)
        else:
            out[name] = value
    return out


def query_days(tenant_id: str, by: str, first_day: str, last_day: str) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
    """(day, metric, value, attributes) of a grouping over a range of local dates, inclusive."""
    params: dict[str, Any] = {
        "TableName": _table(),
        "KeyConditionExpression": "pk = :pk AND sk BETWEEN :lo AND :hi",
        "ExpressionAttributeValues": {":pk": {"S": day_pk(tenant_id, by)}, ":lo": {"S": f"{first_day}#"},
                                      ":hi": {"S": f"{last_day}#~"}},
    }
    for item in _paginate("query", params):
        plain = _plain(item)
        day, metric, value = str(plain["sk"]).split("#", 2)
        yield day, metric, value, plain


def _paginate(operation: str, params: dict[str, Any]) -> Iterator[dict[str, Any]]:
    dynamodb = client("dynamodb")
    while True:
        page = getattr(dynamodb, operation)(**params)
        yield from page.get("Items", [])
        if "LastEvaluatedKey" not in page:
            return
        params = {**params, "ExclusiveStartKey": page["LastEvaluatedKey"]}


def get_many(keys: list[dict[str, Any]], *, consistent: bool = False) -> dict[tuple[str, str], dict[str, Any]]:
    """Items by (pk, sk) with one BatchGetItem (up to 100 keys), unprocessed keys retried."""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    pending: dict[str, Any] = {_table(): {"Keys": keys, **({"ConsistentRead": True} if consistent else {})}}
    for attempt in range(5):
        if not pending:
            break
        response = client("dynamodb").batch_get_item(RequestItems=pending)
        for item in response.get("Responses", {}).get(_table(), []):
            plain = _plain(item)
            found[(str(plain["pk"]), str(plain["sk"]))] = plain
        pending = response.get("UnprocessedKeys") or {}
        if pending:
            time.sleep(0.05 * 2 ** attempt)
    return found


def oldest_unassigned(tenant_id: str, *, before: str | None = None, limit: int = 1) -> list[tuple[str, str]]:
    """(since, conversation id) of open conversations without an agent, oldest first."""
    params: dict[str, Any] = {"TableName": _table(), "Limit": limit, "ScanIndexForward": True,
                              "KeyConditionExpression": "pk = :pk",
                              "ExpressionAttributeValues": {":pk": {"S": unassigned_pk(tenant_id)}}}
    if before:
        params["KeyConditionExpression"] += " AND sk < :before"
        params["ExpressionAttributeValues"][":before"] = {"S": before}
    items = client("dynamodb").query(**params).get("Items", [])
    out = []
    for item in items:
        since, _, conversation_id = item["sk"]["S"].rpartition("#")
        out.append((since, conversation_id))
    return out


# ---------------------------------------------------------------- writes


@dataclass
class Changes:
    """What one event changes, written as ONE TransactWriteItems with the event's seen marker."""

    tenant_id: str
    event_id: str
    states: list[tuple[dict[str, Any], dict[str, Any], int | None]] = field(default_factory=list)
    counters: dict[tuple[str, str], dict[str, float]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(float)))
    puts: list[dict[str, Any]] = field(default_factory=list)
    deletes: list[dict[str, Any]] = field(default_factory=list)
    raw: list[dict[str, Any]] = field(default_factory=list)  # whole operations (outbox items: usage/credits)

    def state(self, key: dict[str, Any], values: dict[str, Any], version: int | None) -> None:
        """Write a state item whole, if its version is still `version` (None: it must not exist)."""
        self.states.append((key, values, version))

    def add(self, key: dict[str, Any], attribute: str, delta: float) -> None:
        self.counters[(key["pk"]["S"], key["sk"]["S"])][attribute] += delta

    def put(self, key: dict[str, Any], values: dict[str, Any] | None = None) -> None:
        self.puts.append({**key, **_typed(values or {})})

    def delete(self, key: dict[str, Any]) -> None:
        self.deletes.append(key)

    def operations(self) -> list[dict[str, Any]]:
        table = _table()
        ttl = int((utcnow() + SEEN_TTL).timestamp())
        ops: list[dict[str, Any]] = [{"Put": {
            "TableName": table, "Item": {**seen_key(self.tenant_id, self.event_id), "ttl": {"N": str(ttl)}},
            "ConditionExpression": "attribute_not_exists(pk)"}}]
        ops.extend(state_put(key, values, version) for key, values, version in self.states)
        for item in self.puts:
            ops.append({"Put": {"TableName": table, "Item": item}})
        for key in self.deletes:
            ops.append({"Delete": {"TableName": table, "Key": key}})
        ops += self.raw
        for (pk, sk), deltas in self.counters.items():
            changed = {name: delta for name, delta in deltas.items() if delta}
            if not changed:
                continue
            names = {f"#a{i}": name for i, name in enumerate(changed)}
            values = {f":d{i}": {"N": _number(delta)} for i, delta in enumerate(changed.values())}
            ops.append({"Update": {"TableName": table, "Key": _key(pk, sk),
                                   "UpdateExpression": "ADD " + ", ".join(f"#a{i} :d{i}" for i in range(len(changed))),
                                   "ExpressionAttributeNames": names, "ExpressionAttributeValues": values}})
        return ops


class Duplicate(Exception):
    """The event was already counted."""


class Conflict(Exception):
    """A state item changed under us, or another transaction held an item: read again and retry."""


def commit(changes: Changes) -> int:
    """Write the event's changes atomically; returns how many items the transaction wrote."""
    ops = changes.operations()
    if len(ops) > 100:
        raise ValueError(f"{len(ops)} writes for one event: over the transaction limit")
    dynamodb = client("dynamodb")
    try:
        dynamodb.transact_write_items(TransactItems=ops)
    except dynamodb.exceptions.TransactionCanceledException as err:
        if condition_failed(err, 0):
            raise Duplicate() from err
        raise Conflict(",".join(str(r) for r in cancellation_reasons(err))) from err
    return len(ops)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _typed(values: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in values.items():
        if value is None:
            continue
        if isinstance(value, bool):
            out[name] = {"BOOL": value}
        elif isinstance(value, int | float):
            out[name] = {"N": _number(value)}
        elif isinstance(value, list | dict):
            out[name] = {"S": json.dumps(value, separators=(",", ":"), sort_keys=True)}
        else:
            out[name] = {"S": str(value)}
    return out


def delete_tenant(tenant_id: str) -> int:
    """Remove every analytics item of a brand before a replay rebuilds them (an operator's
    command, never a request path: it Scans the table for the brand's prefix)."""
    dynamodb = client("dynamodb")
    prefix = tenant_prefix(tenant_id)
    params: dict[str, Any] = {"TableName": _table(), "ProjectionExpression": "pk, sk",
                              "FilterExpression": "begins_with(pk, :p)",
                              "ExpressionAttributeValues": {":p": {"S": prefix}}}
    # The credit balance, settings and ledger are money, not counters: a replay keeps them (its
    # debits find their ledger entries and are not charged again; credits.plan_debit).
    kept = (f"{_root(tenant_id)}#CR", f"{_root(tenant_id)}#CRL")
    keys = [{"pk": i["pk"], "sk": i["sk"]} for i in _paginate("scan", params) if i["pk"]["S"] not in kept]
    for start in range(0, len(keys), 25):
        batch = {_table(): [{"DeleteRequest": {"Key": k}} for k in keys[start:start + 25]]}
        while batch:
            batch = dynamodb.batch_write_item(RequestItems=batch).get("UnprocessedItems") or {}
    return len(keys)


# ---------------------------------------------------------------- usage, WhatsApp credits, fact rows
# (issue 16; docs/analytics.md "Usage and credits", "Exports")
# - `…#US#<YYYY-MM>` / `ch#<channel>` (`in`, `out`), `u#<sender>#<channel>` (`out`),
#   `wa#<category>#<country>` (`n`, `cost` in micro-units): a brand-month of usage, one Query.
# - `…#CR` / `balance` (`balance` micro-units, `low`, `v`) and `settings` (`doc`: auto top-up, prices).
# - `…#CRL` / `<at>#<entry id>`: the credit ledger (debits, top-ups), newest last.
# - `…#X#<date>` / `c#<conversation>#<closed at>`, `m#<at>#<message>`: the day's fact rows the
#   daily export writes to S3 (TTL 40 days); `…#XD` / `<date>` marks the brand in the sparse
#   index `exports` (`xd` = date, `xt` = tenant) the export job queries per day.

FACTS_TTL = timedelta(days=40)


def usage_pk(tenant_id: str, month: str) -> str:
    return f"{_root(tenant_id)}#US#{month}"


def usage_key(tenant_id: str, month: str, part: str) -> dict[str, Any]:
    return _key(usage_pk(tenant_id, month), part)


def credits_key(tenant_id: str, what: str) -> dict[str, Any]:
    """`balance` or `settings`."""
    return _key(f"{_root(tenant_id)}#CR", what)


def ledger_pk(tenant_id: str) -> str:
    return f"{_root(tenant_id)}#CRL"


def ledger_key(tenant_id: str, at: str, entry_id: str) -> dict[str, Any]:
    return _key(ledger_pk(tenant_id), f"{at}#{entry_id}")


def facts_pk(tenant_id: str, day: str) -> str:
    return f"{_root(tenant_id)}#X#{day}"


def fact_key(tenant_id: str, day: str, row: str) -> dict[str, Any]:
    return _key(facts_pk(tenant_id, day), row)


def export_marker(tenant_id: str, day: str) -> dict[str, Any]:
    """The item that lists the brand under `day` in the `exports` index."""
    return {**_key(f"{_root(tenant_id)}#XD", day), "xd": {"S": day}, "xt": {"S": tenant_id},
            "ttl": {"N": str(int((utcnow() + FACTS_TTL).timestamp()))}}


def facts_ttl() -> int:
    return int((utcnow() + FACTS_TTL).timestamp())


def query_partition(pk: str, *, lo: str | None = None, hi: str | None = None, newest_first: bool = False,
                    limit: int | None = None, start: dict[str, Any] | None = None
                    ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """One page of a partition (optionally a range of sort keys): plain items and the next start."""
    condition, values = "pk = :pk", {":pk": {"S": pk}}
    if lo is not None and hi is not None:
        condition += " AND sk BETWEEN :lo AND :hi"
        values.update({":lo": {"S": lo}, ":hi": {"S": hi}})
    params: dict[str, Any] = {"TableName": _table(), "KeyConditionExpression": condition,
                              "ExpressionAttributeValues": values, "ScanIndexForward": not newest_first}
    if limit:
        params["Limit"] = limit
    if start:
        params["ExclusiveStartKey"] = start
    page = client("dynamodb").query(**params)
    return [_plain(i) for i in page.get("Items", [])], page.get("LastEvaluatedKey")


def query_all(pk: str) -> Iterator[dict[str, Any]]:
    """Every item of a partition (1 MB pages), plain."""
    params = {"TableName": _table(), "KeyConditionExpression": "pk = :pk",
              "ExpressionAttributeValues": {":pk": {"S": pk}}}
    for item in _paginate("query", params):
        yield _plain(item)


def brands_with_facts(day: str) -> list[str]:
    """The brands that have fact rows on a date (the sparse `exports` index; never a Scan)."""
    params = {"TableName": _table(), "IndexName": "exports", "KeyConditionExpression": "xd = :d",
              "ExpressionAttributeValues": {":d": {"S": day}}, "ProjectionExpression": "xt"}
    return sorted({item["xt"]["S"] for item in _paginate("query", params)})


def state_put(key: dict[str, Any], values: dict[str, Any], version: int | None) -> dict[str, Any]:
    """The Put of a state item whole, as version `version + 1`, if its version is still `version`
    (None: it must not exist): the optimistic lock of every state item."""
    put: dict[str, Any] = {"TableName": _table(), "Item": {**key, **_typed({**values, "v": (version or 0) + 1})}}
    if version is None:
        put["ConditionExpression"] = "attribute_not_exists(pk)"
    else:
        put["ConditionExpression"] = "v = :v"
        put["ExpressionAttributeValues"] = {":v": {"N": str(version)}}
    return {"Put": put}


def typed(values: dict[str, Any]) -> dict[str, Any]:
    """Plain values as DynamoDB attributes (None dropped; lists and dicts as JSON)."""
    return _typed(values)


def write(operations: list[dict[str, Any]]) -> None:
    """One TransactWriteItems of the context's items (credits changes outside the worker);
    `Conflict` when a condition failed or another transaction held an item."""
    dynamodb = client("dynamodb")
    try:
        dynamodb.transact_write_items(TransactItems=operations)
    except dynamodb.exceptions.TransactionCanceledException as err:
        raise Conflict(",".join(str(r) for r in cancellation_reasons(err))) from err


def table_name() -> str:
    return _table()
# ---------------------------------------------------------------- key accounts (analytics.kam)
# `…#KA` / `<business>#a` the account (key account marks, manager), `#d` its won deals to date,
# `#i` its last interaction, `#r` referenceable people (ADD); `…#P#<person>` / `state` a person
# (accounts, acquisition channel, referenceable, latest NPS); `…#DL#<deal>` / `state` a deal
# already counted as won. One Query on `…#KA` reads every account of a report.


def accounts_pk(tenant_id: str) -> str:
    return f"{_root(tenant_id)}#KA"


def account_key(tenant_id: str, business_id: str, part: str) -> dict[str, Any]:
    return _key(accounts_pk(tenant_id), f"{business_id}#{part}")


def person_key(tenant_id: str, person_id: str) -> dict[str, Any]:
    return _key(f"{_root(tenant_id)}#P#{person_id}", "state")


def deal_key(tenant_id: str, deal_id: str) -> dict[str, Any]:
    return _key(f"{_root(tenant_id)}#DL#{deal_id}", "state")


def query_accounts(tenant_id: str) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(business id, part, attributes) of every key-account item of a brand."""
    params: dict[str, Any] = {"TableName": _table(), "KeyConditionExpression": "pk = :pk",
                              "ExpressionAttributeValues": {":pk": {"S": accounts_pk(tenant_id)}}}
    for item in _paginate("query", params):
        plain = _plain(item)
        if isinstance(plain.get("marks"), str):
            plain["marks"] = json.loads(plain["marks"])
        business_id, _, part = str(plain["sk"]).rpartition("#")
        yield business_id, part, plain


# ---------------------------------------------------------------- per-user dashboard layout


def layout_key(tenant_id: str, user_id: str) -> dict[str, Any]:
    return _key(f"{_root(tenant_id)}#U#{user_id}", "layout")


def get_layout(tenant_id: str, user_id: str) -> dict[str, Any] | None:
    item = client("dynamodb").get_item(TableName=_table(), Key=layout_key(tenant_id, user_id)).get("Item")
    if not item:
        return None
    return {"widgets": json.loads(item["widgets"]["S"]), "updated_at": item["updated_at"]["S"]}


def put_layout(tenant_id: str, user_id: str, widgets: list[dict[str, Any]], updated_at: str) -> None:
    """The whole layout, replaced (one user edits their own: the last save wins)."""
    client("dynamodb").put_item(TableName=_table(), Item={
        **layout_key(tenant_id, user_id), "widgets": {"S": json.dumps(widgets, separators=(",", ":"))},
        "updated_at": {"S": updated_at}})
