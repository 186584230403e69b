"""The realtime table: connections and the changes feed (every key starts with the tenant).

  connection     pk T#<t>#CONN     sk <connection id>   user_id, connected_at, ttl (3 h: AWS drops a socket at 2 h)
  change         pk T#<t>#CHG      sk <cursor (ULID)>   frame (JSON), audience, ttl (24 h)
  event marker   pk T#<t>#CHGEV    sk <event id>        cursor, ttl — a redelivered event keeps its first cursor

Read with the low-level client: three small item shapes do not need models.
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timedelta
from typing import Any

from skailan.platform.aws import client
from skailan.platform.cancellation import condition_failed
from skailan.platform.clock import iso, utcnow
from skailan.platform.ids import ulid
from skailan.platform.settings import get_settings

CONNECTION_TTL = timedelta(hours=3)
CHANGE_RETENTION = timedelta(hours=24)


def connections_pk(tenant_id: str) -> str:
    return f"T#{tenant_id}#CONN"


def changes_pk(tenant_id: str) -> str:
    return f"T#{tenant_id}#CHG"


def markers_pk(tenant_id: str) -> str:
    return f"T#{tenant_id}#CHGEV"


def _table() -> str:
    return get_settings().realtime_table


def _epoch(moment: datetime) -> str:
    return str(int(moment.timestamp()))


def cursor_at(moment: datetime) -> str:
    """A fresh cursor that sorts at `moment` (a ULID, by the clock in `platform.clock`)."""
    return ulid(int(moment.timestamp() * 1000), os.urandom(10))


def floor_cursor(moment: datetime) -> str:
    """The smallest cursor of `moment`'s millisecond: everything at or after it sorts above."""
    return ulid(int(moment.timestamp() * 1000), bytes(10))


# ---------------------------------------------------------------- connections


def put_connection(tenant_id: str, connection_id: str, user_id: str, *, now: datetime | None = None) -> None:
    now = now or utcnow()
    client("dynamodb").put_item(TableName=_table(), Item={
        "pk": {"S": connections_pk(tenant_id)}, "sk": {"S": connection_id}, "tenant_id": {"S": tenant_id},
        "user_id": {"S": user_id}, "connected_at": {"S": iso(now)}, "ttl": {"N": _epoch(now + CONNECTION_TTL)},
    })


def touch_connection(tenant_id: str, connection_id: str, *, now: datetime | None = None) -> bool:
    """Push the TTL on (a heartbeat); False when the connection is not (or no longer) there."""
    now = now or utcnow()
    try:
        client("dynamodb").update_item(
            TableName=_table(), Key={"pk": {"S": connections_pk(tenant_id)}, "sk": {"S": connection_id}},
            UpdateExpression="SET #ttl = :ttl", ConditionExpression="attribute_exists(pk)",
            ExpressionAttributeNames={"#ttl": "ttl"}, ExpressionAttributeValues={":ttl": {"N": _epoch(now + CONNECTION_TTL)}})
    except client("dynamodb").exceptions.ConditionalCheckFailedException:
        return False
    return True


def delete_connection(tenant_id: str, connection_id: str) -> None:
    client("dynamodb").delete_item(TableName=_table(),
                                   Key={"pk": {"S": connections_pk(tenant_id)}, "sk": {"S": connection_id}})


def list_connections(tenant_id: str, *, now: datetime | None = None) -> list[tuple[str, str]]:
    """(connection id, user id) of the brand's live connections; expired ones (TTL lag) left out."""
    now_epoch = int((now or utcnow()).timestamp())
    out: list[tuple[str, str]] = []
    kwargs: dict[str, Any] = {"TableName": _table(), "KeyConditionExpression": "pk = :pk",
                              "ExpressionAttributeValues": {":pk": {"S": connections_pk(tenant_id)}}}
    while True:
        page = client("dynamodb").query(**kwargs)
        for item in page.get("Items", []):
            if int(item.get("ttl", {}).get("N", "0")) > now_epoch:
                out.append((item["sk"]["S"], item["user_id"]["S"]))
        if "LastEvaluatedKey" not in page:
            return out
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


# ---------------------------------------------------------------- changes


def record_change(tenant_id: str, event_id: str, build: Any, *, now: datetime | None = None) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """Store the frame `build(cursor)` makes, once per event: (cursor, frame, audience item).

    `build(cursor) -> (frame, audience item)`. The change and the event's marker are written in
    one transaction; a redelivered event finds its marker and gets the stored change back.
    """
    now = now or utcnow()
    cursor = cursor_at(now)
    frame, audience = build(cursor)
    ttl = {"N": _epoch(now + CHANGE_RETENTION)}
    dynamodb = client("dynamodb")
    try:
        dynamodb.transact_write_items(TransactItems=[
            {"Put": {"TableName": _table(), "ConditionExpression": "attribute_not_exists(pk)", "Item": {
                "pk": {"S": markers_pk(tenant_id)}, "sk": {"S": event_id}, "cursor": {"S": cursor}, "ttl": ttl}}},
            {"Put": {"TableName": _table(), "Item": {
                "pk": {"S": changes_pk(tenant_id)}, "sk": {"S": cursor}, "frame": {"S": json.dumps(frame)},
                "audience": {"S": json.dumps(audience)}, "ttl": ttl}}},
        ])
    except dynamodb.exceptions.TransactionCanceledException as err:
        if not condition_failed(err, 0):
            raise
        stored = _stored_change(tenant_id, event_id)
        if stored is None:
            raise
        return stored
    return cursor, frame, audience


def _stored_change(tenant_id: str, event_id: str) -> tuple[str, dict[str, Any], dict[str, Any]] | None:
    dynamodb = client("dynamodb")
    marker = dynamodb.get_item(TableName=_table(), ConsistentRead=True,
                               Key={"pk": {"S": markers_pk(tenant_id)}, "sk": {"S": event_id}}).get("Item")
    if not marker:
        return None
    cursor = marker["cursor"]["S"]
    item = dynamodb.get_item(TableName=_table(), ConsistentRead=True,
                             Key={"pk": {"S": changes_pk(tenant_id)}, "sk": {"S": cursor}}).get("Item")
    if not item:
        return None
    return cursor, json.loads(item["frame"]["S"]), json.loads(item["audience"]["S"])


def query_changes(tenant_id: str, *, after: str, until: str, limit: int,
                  start_key: dict[str, Any] | None = None) -> tuple[list[tuple[str, dict[str, Any], dict[str, Any]]], dict[str, Any] | None]:
    """One page of changes with after < cursor <= until, oldest first."""
    kwargs: dict[str, Any] = {
        "TableName": _table(), "KeyConditionExpression": "pk = :pk AND sk BETWEEN :lo AND :hi", "Limit": limit,
        "ExpressionAttributeValues": {":pk": {"S": changes_pk(tenant_id)}, ":lo": {"S": after + "\x00"},
                                      ":hi": {"S": until}},
    }
    if start_key:
        kwargs["ExclusiveStartKey"] = start_key
    page = client("dynamodb").query(**kwargs)
    rows = [(i["sk"]["S"], json.loads(i["frame"]["S"]), json.loads(i["audience"]["S"])) for i in page.get("Items", [])]
    return rows, page.get("LastEvaluatedKey")
