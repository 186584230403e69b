"""Campaigns through the local runtime (`make run`): an SMS campaign with an accent (UCS-2 in the
preview) to a list with one suppressed person, scheduled and started by its EventBridge Scheduler
schedule on the application clock, goes out once per recipient to the fake Twilio —
through the outbox, EventBridge, the fan-out and the send worker — and completes."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
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

    # Scheduled ten minutes ahead (application clock): its EventBridge Scheduler schedule, in the
    # brand's zone, fires when the clock passes it and starts the campaign (not the due-job backstop).
    now = datetime.fromisoformat(client.get("/_local/clock").json()["now"].replace("Z", "+00:00"))
    at = (now + timedelta(minutes=10)).replace(microsecond=0).isoformat()
    assert client.post(f"/v1/campaigns/{campaign_id}/schedule", headers=admin, json={"at": at}).status_code == 200
    pending = [s for s in client.get("/_local/app-schedules").json()["pending"] if campaign_id in s["name"]]
    assert len(pending) == 1 and pending[0]["timezone"] == "America/Bogota", pending
    assert client.post("/_local/clock", json={"advance_seconds": 11 * 60}).status_code == 200
    schedules = client.get("/_local/app-schedules").json()
    fired = [f for f in schedules["fired"] if f["name"] == pending[0]["name"]]
    assert [f["result"] for f in fired] == [{"started": 1, "by": "schedule"}], fired
    assert not [s for s in schedules["pending"] if campaign_id in s["name"]]  # deleted after it fired
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


def test_email_campaign_sends_and_a_link_click_is_counted(client: httpx.Client) -> None:
    """An e-mail campaign through the runtime: out once per person through moto SES, a tracked
    link's click counted once, the fake SES's Delivery events (signed SNS to /webhooks/ses) moving
    the recipients to delivered, an Open posted through /_local/ses-events."""
    import re

    admin = login(client, "admin@demo.local")
    tag = uuid.uuid4().hex[:8]
    addresses = [f"lector{i}-{tag}@example.com" for i in range(2)]
    people = []
    for i, address in enumerate(addresses):
        reply = client.post("/v1/contacts", headers=admin, json={"name": f"Lector{i} {tag}", "email": address})
        assert reply.status_code == 201, reply.text
        people.append(reply.json()["id"])
    created = client.post("/v1/campaigns", headers=admin, json={
        "name": f"Boletín {tag}", "channel": "email", "account_id": "demo-email",
        "audience": {"kind": "people", "person_ids": people},
        "content": {"subject": "Novedades " + tag, "from_name": "Demo",
                    "html": '<p>Hola {{contact.first_name}}</p><a href="https://demo.example/novedades">Ver</a>'}})
    assert created.status_code == 201, created.text
    campaign_id = created.json()["id"]
    assert client.post(f"/v1/campaigns/{campaign_id}/send", headers=admin).status_code == 202
    done = eventually(lambda: (c := client.get(f"/v1/campaigns/{campaign_id}", headers=admin).json())
                      and c["status"] == "completed" and c)
    assert done["stats"]["sent"] == 2

    mails = [m for m in client.get("/_local/mail").json()["items"] if m.get("subject") == f"Novedades {tag}"]
    assert len(mails) == 2 and sorted({a for m in mails for a in m["to"]}) == sorted(addresses)  # once each
    clicks = re.findall(r"https?://\S+/public/campaigns/c/[A-Za-z0-9_.-]+", mails[0]["body"])
    assert clicks, mails[0]["body"]
    path = "/public/campaigns/c/" + clicks[0].rsplit("/", 1)[-1]
    for _ in range(2):
        reply = client.get(path, follow_redirects=False)
        assert reply.status_code == 302 and reply.headers["location"] == "https://demo.example/novedades"
    stats = client.get(f"/v1/campaigns/{campaign_id}", headers=admin).json()["stats"]
    assert stats["clicked"] == 1

    # the fake SES posts each campaign e-mail's Delivery event; an Open through /_local/ses-events
    eventually(lambda: client.get(f"/v1/campaigns/{campaign_id}", headers=admin).json()["stats"]["delivered"] == 2)
    recipient = client.get(f"/v1/campaigns/{campaign_id}/recipients", headers=admin).json()["items"][0]
    assert recipient["status"] == "delivered"
    posted = client.post("/_local/ses-events", json={
        "event": "Open", "message_id": recipient["provider_message_id"], "source": "soporte@demo.local",
        "to": recipient["address"], "tags": {"skailan_tenant": "demo", "skailan_campaign": campaign_id}})
    assert posted.status_code == 200 and posted.json()["webhook_status"] == 200, posted.text
    stats = client.get(f"/v1/campaigns/{campaign_id}", headers=admin).json()["stats"]
    assert stats["opened"] >= 1  # the click already counted its recipient's open
