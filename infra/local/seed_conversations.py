"""Local only: `POST /_local/seed/conversations {"count": N, "start"?: 0, "tenant_id"?: "demo"}`
writes N conversations straight into moto's conversations table (the inbox's own item and index
attributes, `skailan.conversations.store.state.view_values`; no webhook, no events, no search keys), so the
"inbox at 10 000 conversations" bench (web/e2e/bench-inbox.mjs) has its brand in seconds.

Ids are `seed-<start + i>`: seeding the same range again overwrites, never duplicates. A mix like
a working brand's: a third open (half of them assigned to nobody), the rest closed; WhatsApp,
Telegram and e-mail; activity spread over the last 30 days.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

MAX_COUNT = 20_000
FIRST = ("María", "José", "Camila", "Andrés", "Valentina", "Santiago", "Lucía", "Mateo", "Sofía", "Juan")
LAST = ("Gómez", "Rodríguez", "Martínez", "López", "García", "Pérez", "Sánchez", "Ramírez", "Torres", "Díaz")
ACCOUNTS = (("whatsapp", "demo-whatsapp"), ("telegram", "demo-telegram"), ("email", "demo-email"))


class SeedError(ValueError):
    pass


def _spec(body: Any) -> tuple[str, int, int]:
    if not isinstance(body, dict):
        raise SeedError('expected a JSON object {"count": N}')
    unknown = set(body) - {"count", "start", "tenant_id"}
    if unknown:
        raise SeedError(f"unknown fields: {', '.join(sorted(unknown))}")
    count, start, tenant_id = body.get("count"), body.get("start", 0), body.get("tenant_id", "demo")
    if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= MAX_COUNT:
        raise SeedError(f"count must be an integer from 1 to {MAX_COUNT}")
    if not isinstance(start, int) or isinstance(start, bool) or not 0 <= start <= 10_000_000:
        raise SeedError("start must be a non-negative integer")
    if not isinstance(tenant_id, str) or not tenant_id or not tenant_id.replace("-", "").isalnum():
        raise SeedError("tenant_id must be a brand id")
    return tenant_id, count, start


def _item(tenant_id: str, n: int, rng: random.Random, now: Any) -> Any:
    from skailan.conversations.store import state
    from skailan.conversations.store.items import CONVERSATION_SK, ConversationItem, conversation_pk
    from skailan.platform.clock import iso

    conversation_id = f"seed-{n}"
    channel, account_id = ACCOUNTS[n % len(ACCOUNTS)]
    activity = iso(now - timedelta(seconds=rng.randrange(30 * 86_400)))
    status = "open" if rng.random() < 0.33 else "closed"
    name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    contact: dict[str, Any] = {"person_id": f"seed-person-{n}", "name": name, "external_id": f"seed{n}"}
    extra: dict[str, Any] = {}
    if status == "closed":
        extra.update(closed_at=activity, close_reason_id="resolved")
    elif rng.random() < 0.5:
        extra.update(waiting_since=activity, unread_count=1)
    item = ConversationItem(
        conversation_pk(tenant_id, conversation_id), CONVERSATION_SK, tenant_id=tenant_id,
        conversation_id=conversation_id, channel=channel, account_id=account_id, person_id=contact["person_id"],
        status=status, contact=contact, last_activity_at=activity, opened_at=activity, message_count=1,
        last_customer_message_at=activity,
        last_message={"id": f"seed-message-{n}", "direction": "in", "type": "text",
                      "text": f"Hola, soy {name} ({n})", "at": activity},
        gsi2pk=f"T#{tenant_id}#INBOX", gsi2sk=f"{activity}#{conversation_id}", gsi1sk=f"{activity}#{conversation_id}",
        created_at=activity, updated_at=activity, **extra,
    )
    for attr, value in state.view_values(item, {}).items():
        setattr(item, attr, value)
    return item


def seed_conversations(tenant_id: str, count: int, start: int = 0) -> dict[str, Any]:
    """Put `count` conversations in moto's table of this process; what was written."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    from skailan.conversations.store.items import ConversationItem
    from skailan.platform.clock import utcnow
    from skailan.platform.settings import get_settings

    from .moto_remote import call, remote_endpoint

    region = get_settings().model_dump().get("region") or "us-east-1"
    backend = dynamodb_backends[DEFAULT_ACCOUNT_ID][region]
    table = ConversationItem.Meta.table_name
    rng = random.Random(start)  # the same range always gives the same brand
    now = utcnow()
    opened = 0
    remote = remote_endpoint()
    batch: list[dict[str, Any]] = []
    for n in range(start, start + count):
        item = _item(tenant_id, n, rng, now)
        opened += item.status == "open"
        # Straight into the backend: one BatchWriteItem HTTP round trip per 25 items would make
        # 10 000 conversations take minutes; the item is the inbox's own. With moto in its own
        # process, 500 items per request to that process's backend.
        if remote is None:
            backend.put_item(table, item.serialize())
            continue
        batch.append(item.serialize())
        if len(batch) == 500 or n == start + count - 1:
            call("POST", "/_skailan/dynamodb/put_items", {"table": table, "region": region, "items": batch})
            batch = []
    return {"tenant_id": tenant_id, "written": count, "open": opened, "closed": count - opened,
            "ids": [f"seed-{start}", f"seed-{start + count - 1}"]}


def route(request: Any) -> tuple[int, dict[str, str], Any]:
    try:
        tenant_id, count, start = _spec(request.json())
    except (SeedError, ValueError) as error:
        return 400, {}, {"error": {"code": "validation_error", "message": f"Datos no válidos. / Invalid input: {error}",
                                   "details": {}}}
    return 200, {}, seed_conversations(tenant_id, count, start)
