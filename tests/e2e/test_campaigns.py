"""Campaigns through the local runtime (`make run`): an SMS campaign with an accent (UCS-2 in the
preview) to a list with one suppressed person goes out once per recipient to the fake Twilio —
through the outbox, EventBridge, the fan-out and the send worker — and completes."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import login

pytestmark = pytest.mark.e2e


def eventually(check: Callable[[], Any], *, timeout: float = 90.0, every: float = 0.5) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not true within {timeout}s")
        time.sleep(every)


def test_sms_campaign_goes_out_once_per_recipient(client: httpx.Client) -> None:
    admin = login(client, "admin@demo.local")
    tag = uuid.uuid4().hex[:6]
    numbers = [f"+5731555{int(tag, 16) % 1000:03d}{i:02d}"[:13] for i in range(3)]
    blocked = f"+5731566{int(tag, 16) % 1000:03d}99"[:13]
    people = []
    for i, phone in enumerate([*numbers, blocked]):
        reply = client.post("/v1/contacts", headers=admin, json={"name": f"Cliente{i} {tag}", "phone": phone})
        assert reply.status_code == 201, reply.text
        people.append(reply.json()["id"])
    list_id = client.post("/v1/crm/lists", headers=admin, json={"name": f"Comunica {tag}"}).json()["id"]
    assert client.post(f"/v1/crm/lists/{list_id}/members", headers=admin,
                       json={"person_ids": people}).status_code == 200
    assert client.post("/v1/suppressions", headers=admin, json={"channel": "sms", "address": blocked}).status_code == 201

    created = client.post("/v1/campaigns", headers=admin, json={
        "name": f"Promo {tag}", "channel": "sms", "account_id": "demo-twilio",
        "audience": {"kind": "list", "id": list_id},
        "content": {"text": "Hola {{contact.first_name|amigo}}, promoción única de {{brand.name}} " + tag}})
    assert created.status_code == 201, created.text
    campaign_id = created.json()["id"]
    preview = client.get(f"/v1/campaigns/{campaign_id}/preview", headers=admin).json()
    assert preview["recipients"] == 3 and preview["skipped"] == {"suppressed": 1}
    assert preview["sms"]["encoding"] == "UCS-2"

    assert client.post(f"/v1/campaigns/{campaign_id}/send", headers=admin).status_code == 202
    done = eventually(lambda: (c := client.get(f"/v1/campaigns/{campaign_id}", headers=admin).json())
                      and c["status"] == "completed" and c)
    assert done["stats"]["sent"] == 3 and done["stats"]["skipped"] == 1

    calls = [c for c in client.get("/_local/outbox", params={"provider": "twilio"}).json()["items"]
             if tag in ((c.get("body") or {}).get("Body") or "")]
    assert sorted(c["body"]["To"] for c in calls) == sorted(numbers)  # once each, never the suppressed
    # (statuses only move forward: the fake Twilio's callbacks may already have made some "delivered")
    recipients = client.get(f"/v1/campaigns/{campaign_id}/recipients", headers=admin).json()["items"]
    reached = [r["address"] for r in recipients if r["status"] in ("sent", "delivered")]
    assert sorted(reached) == sorted(numbers)
