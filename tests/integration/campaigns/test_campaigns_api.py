"""Campaigns through the real handlers on moto: CRUD and lifecycle, another brand's ids, permissions,
bad input refused with nothing stored, the preview (audience after suppressions and missing
identities, SMS encoding, WhatsApp capacity), scheduling in the brand's zone with the due job."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.support import call

API = "api/campaigns"
CRM = "api/crm"


@pytest.fixture(autouse=True)
def clock_reset():
    from skailan.platform import clock

    clock.reset()
    yield
    clock.reset()


def _person(admin: Any, name: str, *, phone: str | None = None, email: bool = True) -> str:
    body: dict[str, Any] = {"name": name}
    if email:
        body["email"] = f"{uuid.uuid4().hex[:10]}@example.com"
    if phone:
        body["phone"] = phone
    reply = call(CRM, "POST", "/v1/contacts", principal=admin, body=body)
    assert reply.status == 201, reply.body
    return reply.body["id"]


def _list(admin: Any, person_ids: list[str]) -> str:
    created = call(CRM, "POST", "/v1/crm/lists", principal=admin, body={"name": f"Lista {uuid.uuid4().hex[:6]}"})
    assert created.status == 201, created.body
    added = call(CRM, "POST", f"/v1/crm/lists/{created.body['id']}/members", principal=admin,
                 body={"person_ids": person_ids})
    assert added.status == 200, added.body
    return created.body["id"]


def _sms(admin: Any, audience: dict[str, Any], text: str = "Hola {{contact.first_name|amigo}}, oferta de {{brand.name}}") -> dict[str, Any]:
    reply = call(API, "POST", "/v1/campaigns", principal=admin,
                 body={"name": "Promo", "channel": "sms", "account_id": "demo-twilio", "audience": audience,
                       "content": {"text": text}})
    assert reply.status == 201, reply.body
    return reply.body


def _count(admin: Any) -> int:
    return len(call(API, "GET", "/v1/campaigns", principal=admin, query={"limit": 100}).body["items"])


def test_crud_lifecycle_another_brand_and_permissions(demo):
    admin, other = demo["admin@demo.local"], demo["admin@acme.local"]
    person = _person(admin, "Lucía Pérez", phone="+573001112233")
    created = _sms(admin, {"kind": "people", "person_ids": [person]})
    assert created["status"] == "draft" and created["stats"]["recipients"] == 0
    campaign_id = created["id"]
    fetched = call(API, "GET", f"/v1/campaigns/{campaign_id}", principal=admin).body
    assert fetched["content"]["text"].startswith("Hola {{contact.first_name|amigo}}")
    renamed = call(API, "PATCH", f"/v1/campaigns/{campaign_id}", principal=admin, body={"name": "Navidad"}).body
    assert renamed["name"] == "Navidad"
    copy = call(API, "POST", f"/v1/campaigns/{campaign_id}/duplicate", principal=admin)
    assert copy.status == 201 and copy.body["status"] == "draft" and copy.body["id"] != campaign_id
    assert {campaign_id, copy.body["id"]} <= {c["id"] for c in call(API, "GET", "/v1/campaigns", principal=admin,
                                                                        query={"limit": 100}).body["items"]}

    # another brand: 404 on every route, its list does not show the campaign
    for method, path, body in (("GET", f"/v1/campaigns/{campaign_id}", None),
                               ("PATCH", f"/v1/campaigns/{campaign_id}", {"name": "x"}),
                               ("DELETE", f"/v1/campaigns/{campaign_id}", None),
                               ("GET", f"/v1/campaigns/{campaign_id}/preview", None),
                               ("GET", f"/v1/campaigns/{campaign_id}/recipients", None),
                               ("POST", f"/v1/campaigns/{campaign_id}/send", None),
                               ("POST", f"/v1/campaigns/{campaign_id}/schedule", {"at": "2030-01-01T09:00"}),
                               ("POST", f"/v1/campaigns/{campaign_id}/pause", None),
                               ("POST", f"/v1/campaigns/{campaign_id}/resume", None),
                               ("POST", f"/v1/campaigns/{campaign_id}/cancel", None),
                               ("POST", f"/v1/campaigns/{campaign_id}/duplicate", None),
                               ("POST", f"/v1/campaigns/{campaign_id}/archive", None)):
        assert call(API, method, path, principal=other, body=body).status == 404, (method, path)
    assert campaign_id not in {c["id"] for c in call(API, "GET", "/v1/campaigns", principal=other).body["items"]}
    assert call(API, "GET", f"/v1/campaigns/{campaign_id}", principal=admin).body["status"] == "draft"

    # without campaigns permission (agent, operator): 403; the supervisor only reads
    assert call(API, "GET", "/v1/campaigns", principal=demo["agent1@demo.local"]).status == 403
    assert call(API, "POST", f"/v1/campaigns/{campaign_id}/send", principal=demo["operator@demo.local"]).status == 403
    assert call(API, "GET", "/v1/campaigns", principal=demo["supervisor@demo.local"]).status == 200
    assert call(API, "POST", f"/v1/campaigns/{campaign_id}/send", principal=demo["supervisor@demo.local"]).status == 403

    # send → sending (202); no second send; pause/resume; cancel; sent campaigns are not deleted
    sent = call(API, "POST", f"/v1/campaigns/{campaign_id}/send", principal=admin)
    assert sent.status == 202 and sent.body["status"] == "sending" and sent.body["started_at"]
    assert call(API, "POST", f"/v1/campaigns/{campaign_id}/send", principal=admin).status == 409
    assert call(API, "PATCH", f"/v1/campaigns/{campaign_id}", principal=admin, body={"name": "y"}).status == 409
    assert call(API, "POST", f"/v1/campaigns/{campaign_id}/pause", principal=admin).body["status"] == "paused"
    assert call(API, "POST", f"/v1/campaigns/{campaign_id}/resume", principal=admin).body["status"] == "sending"
    assert call(API, "POST", f"/v1/campaigns/{campaign_id}/cancel", principal=admin).body["status"] == "cancelled"
    assert call(API, "DELETE", f"/v1/campaigns/{campaign_id}", principal=admin).status == 409
    archived = call(API, "POST", f"/v1/campaigns/{campaign_id}/archive", principal=admin).body
    assert archived["archived"] is True
    assert campaign_id not in {c["id"] for c in call(API, "GET", "/v1/campaigns", principal=admin,
                                                        query={"limit": 100}).body["items"]}
    assert campaign_id in {c["id"] for c in call(API, "GET", "/v1/campaigns", principal=admin,
                                                    query={"archived": "true"}).body["items"]}
    # a draft is deleted
    assert call(API, "DELETE", f"/v1/campaigns/{copy.body['id']}", principal=admin).status == 204
    assert call(API, "GET", f"/v1/campaigns/{copy.body['id']}", principal=admin).status == 404


def test_bad_input_is_refused_and_nothing_is_stored(demo):
    admin, other = demo["admin@demo.local"], demo["admin@acme.local"]
    person = _person(admin, "Mario Ruiz", phone="+573001112244")
    acme_list = call(CRM, "POST", "/v1/crm/lists", principal=other, body={"name": "Acme"}).body["id"]
    before = _count(admin)
    people = {"kind": "people", "person_ids": [person]}
    cases = [
        # WhatsApp template with a missing parameter (bienvenida takes {{1}})
        ({"name": "W", "channel": "whatsapp", "account_id": "demo-whatsapp", "audience": people,
          "content": {"template": {"name": "bienvenida", "language": "es", "parameters": []}}},
         "content.template.parameters"),
        # a template not approved
        ({"name": "W", "channel": "whatsapp", "account_id": "demo-whatsapp", "audience": people,
          "content": {"template": {"name": "promo_navidad", "language": "es", "parameters": ["x"]}}},
         "content.template"),
        # e-mail without subject
        ({"name": "E", "channel": "email", "account_id": "demo-email", "audience": people,
          "content": {"html": "<p>Hola</p>"}}, "content.subject"),
        # HTML with scripts
        ({"name": "E", "channel": "email", "account_id": "demo-email", "audience": people,
          "content": {"subject": "Hola", "html": "<p>Hola</p><script>alert(1)</script>"}}, "content.html"),
        ({"name": "E", "channel": "email", "account_id": "demo-email", "audience": people,
          "content": {"subject": "Hola", "html": '<a href="#" onclick="x()">Hola</a>'}}, "content.html"),
        # an audience of another brand
        ({"name": "S", "channel": "sms", "account_id": "demo-twilio", "audience": {"kind": "list", "id": acme_list},
          "content": {"text": "Hola"}}, "audience.id"),
        # an account of another channel, another brand's account
        ({"name": "S", "channel": "sms", "account_id": "demo-whatsapp", "audience": people,
          "content": {"text": "Hola"}}, "account_id"),
        ({"name": "S", "channel": "sms", "account_id": "acme-whatsapp", "audience": people,
          "content": {"text": "Hola"}}, "account_id"),
        # unknown merge field
        ({"name": "S", "channel": "sms", "audience": people, "content": {"text": "Hola {{contact.edad}}"}},
         "content.text"),
    ]
    for body, field in cases:
        reply = call(API, "POST", "/v1/campaigns", principal=admin, body=body)
        assert reply.status == 422, (field, reply.body)
        assert reply.body["error"]["code"] == "validation_error"
        assert " / " in reply.body["error"]["message"]
        assert field in {d["field"] for d in reply.body["error"]["details"]}, (field, reply.body)
    # request-shape errors: nulls, unknown fields, audience without id, unknown channel
    for body in ({"name": None, "channel": "sms", "audience": people, "content": {"text": "x"}},
                 {"name": "x", "channel": "sms", "audience": people, "content": {"text": "x"}, "tenant_id": "acme"},
                 {"name": "x", "channel": "sms", "audience": {"kind": "list"}, "content": {"text": "x"}},
                 {"name": "x", "channel": "fax", "audience": people, "content": {"text": "x"}},
                 {"name": "x", "channel": "sms", "audience": people, "content": {"text": "x", "extra": 1}}):
        reply = call(API, "POST", "/v1/campaigns", principal=admin, body=body)
        assert 400 <= reply.status < 500 and "error" in reply.body, (body, reply.body)
    assert call(API, "GET", "/v1/campaigns", principal=admin, query={"nope": "1"}).status in (400, 422)
    assert _count(admin) == before

    # a valid e-mail keeps sanitised HTML and gets a plain-text part
    ok = call(API, "POST", "/v1/campaigns", principal=admin,
              body={"name": "E", "channel": "email", "account_id": "demo-email", "audience": people,
                    "content": {"subject": "Hola {{contact.first_name}}", "from_name": "Demo",
                                "html": '<p>Hola</p><p><a href="https://demo.example/oferta">Ver</a></p>'}})
    assert ok.status == 201, ok.body
    assert "https://demo.example/oferta" in ok.body["content"]["text"]
    assert ok.body["content"]["links"] == ["https://demo.example/oferta"]


def test_preview_counts_suppressions_and_missing_identities(demo):
    admin = demo["admin@demo.local"]
    with_phone = [_person(admin, f"Ana {i}", phone=f"+57300100{i:04d}") for i in range(3)]
    no_phone = _person(admin, "Sin Teléfono")
    blocked = _person(admin, "Bloqueado", phone="+573009998877")
    list_id = _list(admin, [*with_phone, no_phone, blocked])
    assert call(API, "POST", "/v1/suppressions", principal=admin,
                body={"channel": "sms", "address": "+573009998877"}).status == 201
    listed = call(API, "GET", "/v1/suppressions", principal=admin, query={"channel": "sms"}).body["items"]
    assert "+573009998877" in {s["address"] for s in listed}
    assert call(API, "GET", "/v1/suppressions", principal=demo["admin@acme.local"],
                query={"channel": "sms"}).body["items"] == []

    campaign = _sms(admin, {"kind": "list", "id": list_id})
    preview = call(API, "GET", f"/v1/campaigns/{campaign['id']}/preview", principal=admin).body
    assert preview["audience"] == 5 and preview["recipients"] == 3
    assert preview["skipped"] == {"no_phone": 1, "suppressed": 1}
    assert preview["sms"]["encoding"] == "GSM-7" and preview["sms"]["segments"] == 1
    assert preview["sample"]["text"].startswith("Hola Ana, oferta de ")
    assert preview["cost"]["total"] == pytest.approx(preview["cost"]["per_message"] * 3)
    chosen = call(API, "GET", f"/v1/campaigns/{campaign['id']}/preview", principal=admin,
                  query={"person_id": no_phone}).body
    assert chosen["sample"]["text"].startswith("Hola Sin, ")

    # one accent outside GSM-7 turns the message into UCS-2 (70 / 67 per segment)
    accented = _sms(admin, {"kind": "list", "id": list_id}, text="Oferta única " + "x" * 60)  # 73 characters
    sms = call(API, "GET", f"/v1/campaigns/{accented['id']}/preview", principal=admin).body["sms"]
    assert sms == {**sms, "encoding": "UCS-2", "characters": 73, "segments": 2, "per_segment": 67}
    assert sms["warning"]

    # the suppression removed: the person counts again
    assert call(API, "DELETE", "/v1/suppressions/sms/+573009998877", principal=admin).status == 204
    again = call(API, "GET", f"/v1/campaigns/{campaign['id']}/preview", principal=admin).body
    assert again["recipients"] == 4 and again["skipped"] == {"no_phone": 1}


def test_whatsapp_capacity_plan_follows_the_messaging_limit(demo):
    admin = demo["admin@demo.local"]
    people = [_person(admin, f"Wa {i}", phone=f"+57301200{i:04d}") for i in range(4)]
    reply = call(API, "POST", "/v1/campaigns", principal=admin,
                 body={"name": "W", "channel": "whatsapp", "account_id": "demo-whatsapp",
                       "audience": {"kind": "people", "person_ids": people},
                       "content": {"template": {"name": "bienvenida", "language": "es",
                                                "parameters": ["{{contact.first_name|amigo}}"]}}})
    assert reply.status == 201, reply.body
    preview = call(API, "GET", f"/v1/campaigns/{reply.body['id']}/preview", principal=admin).body
    assert preview["whatsapp"] == {"limit": 250, "now": 4, "later": 0, "later_at": None}
    assert preview["sample"]["template"]["parameters"] == ["Wa"]


def test_schedule_in_the_brand_zone_and_the_due_job(demo):
    from skailan.campaigns import service
    from skailan.platform import clock

    admin = demo["admin@demo.local"]
    person = _person(admin, "Programada", phone="+573001234000")
    campaign = _sms(admin, {"kind": "people", "person_ids": [person]})
    path = f"/v1/campaigns/{campaign['id']}/schedule"
    past = call(API, "POST", path, principal=admin, body={"at": "2020-01-01T09:00"})
    assert past.status == 422 and past.body["error"]["details"][0]["field"] == "at"
    assert call(API, "POST", path, principal=admin, body={"at": "mañana"}).status == 422
    assert call(API, "GET", f"/v1/campaigns/{campaign['id']}", principal=admin).body["status"] == "draft"

    at = clock.utcnow().replace(microsecond=0) + __import__("datetime").timedelta(hours=2)
    scheduled = call(API, "POST", path, principal=admin, body={"at": at.isoformat()})
    assert scheduled.status == 200 and scheduled.body["status"] == "scheduled"
    assert service.start_due() == 0  # not yet due
    clock.advance(3 * 3600)
    assert service.start_due() >= 1
    assert call(API, "GET", f"/v1/campaigns/{campaign['id']}", principal=admin).body["status"] == "sending"
    assert service.start_due() == 0  # started once


TW_URL = "https://api.twilio.com/2010-04-01/Accounts/ACdemo00000000000000000000000000/Messages.json"


def _drain_sends(rounds: int = 6) -> list[str]:
    """Run the send worker over its queue like Lambda's event source mapping; records a worker
    failed are made visible again at once (the backoff is SQS's); returns every failed id."""
    from skailan.platform.aws import client
    from tests.integration.channels.conftest import queue_url, receive_all, run_worker

    url = queue_url("CAMPAIGN_SEND_QUEUE_URL")
    failed: list[str] = []
    for _ in range(rounds):
        messages = receive_all(url)
        if not messages:
            break
        for start in range(0, len(messages), 10):
            chunk = messages[start:start + 10]
            result = run_worker("workers/campaign_send", url, chunk)
            again = {f["itemIdentifier"] for f in result.get("batchItemFailures", [])}
            failed += sorted(again)
            for m in chunk:
                if m["MessageId"] in again:
                    client("sqs").change_message_visibility(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"],
                                                            VisibilityTimeout=0)
    return failed


def test_sms_campaign_sends_each_recipient_once_through_faults_and_redeliveries(demo, monkeypatch):
    from urllib.parse import parse_qsl

    import httpx
    import respx

    from skailan.campaigns import sending

    admin = demo["admin@demo.local"]
    phones = ["+573002220001", "+573002220002", "+573002220003"]
    people = [_person(admin, f"Cliente{i} Prueba", phone=p) for i, p in enumerate(phones)]
    blocked = _person(admin, "Bloqueada", phone="+573002220099")
    call(API, "POST", "/v1/suppressions", principal=admin, body={"channel": "sms", "address": "+573002220099"})
    campaign = _sms(admin, {"kind": "list", "id": _list(admin, [*people, blocked])})
    campaign_id = campaign["id"]
    assert call(API, "POST", f"/v1/campaigns/{campaign_id}/send", principal=admin).status == 202

    first = sending.fan_out("demo", campaign_id)
    assert first == {"recipients": 4, "queued": 3, "skipped": 1}
    again = sending.fan_out("demo", campaign_id)  # a redelivered start event: nothing new written
    assert again == {"recipients": 0, "queued": 0, "skipped": 0}

    from skailan.campaigns import store
    from tests.support import OutboxWatch, dynamodb_requests

    outbox = OutboxWatch(store.table_name())
    sids = iter(f"SM{i:032d}" for i in range(100))
    with respx.mock(assert_all_called=True) as mock:
        route = mock.post(TW_URL).mock(side_effect=[
            httpx.Response(500, json={"code": 20500, "message": "Internal error"}),
            *[httpx.Response(201, json={"sid": next(sids), "status": "queued"}) for _ in range(10)]])
        _drain_sends()
    assert route.call_count == 4  # one failed attempt + one send per recipient
    # The move to `completed` took its event in its own transaction: exactly one campaign.completed
    completed = [e for e in outbox.events() if e.type == "campaign.completed"]
    assert [(e.entity_id, e.data["status"]) for e in completed] == [(campaign_id, "completed")]
    # A worker with a stale read (still `sending`) is refused whole: one request, no second event
    stale = store.get_campaign("demo", campaign_id, consistent=True)
    stale.status = "sending"
    outbox.mark()
    with monkeypatch.context() as patched, dynamodb_requests() as sent_requests:
        patched.setattr(store, "get_campaign", lambda *args, **kwargs: stale)
        sending._complete_if_done("demo", campaign_id)
    assert sent_requests == ["TransactWriteItems"] and outbox.types() == []
    successes = [dict(parse_qsl(c.request.content.decode())) for c in route.calls if c.response.status_code == 201]
    assert sorted(s["To"] for s in successes) == sorted(phones)  # each exactly once, none to the suppressed
    assert all(s["Body"].startswith("Hola Cliente") and "oferta de" in s["Body"] for s in successes)

    done = call(API, "GET", f"/v1/campaigns/{campaign_id}", principal=admin).body
    assert done["status"] == "completed" and done["completed_at"]
    assert {k: done["stats"][k] for k in ("recipients", "sent", "skipped", "failed", "queued")} == {
        "recipients": 4, "sent": 3, "skipped": 1, "failed": 0, "queued": 0}
    assert done["stats"]["skipped_reasons"] == {"suppressed": 1}
    sent = call(API, "GET", f"/v1/campaigns/{campaign_id}/recipients", principal=admin,
                query={"status": "sent"}).body["items"]
    assert sorted(r["address"] for r in sent) == sorted(phones)
    assert all(r["provider_message_id"].startswith("SM") and r["times"]["sent"] for r in sent)
    csv_reply = call(API, "GET", f"/v1/campaigns/{campaign_id}/recipients.csv", principal=admin)
    assert csv_reply.status == 200 and len(csv_reply.body.strip().splitlines()) == 5

    # a late duplicate of a recipient's message: nothing sent again
    with respx.mock(assert_all_called=False) as mock:
        late = mock.post(TW_URL).mock(return_value=httpx.Response(201, json={"sid": "SMdup", "status": "queued"}))
        assert sending.send_one(f'{{"t": "demo", "c": "{campaign_id}", "p": "{people[0]}"}}') == "already_done"
    assert late.call_count == 0

    # delivery statuses from the webhooks: only forward, each counted once; unknown ids are not ours
    from skailan.campaigns import statuses
    from skailan.platform.clock import iso

    by_phone = {r["address"]: r for r in sent}
    first_id = by_phone[phones[0]]["provider_message_id"]
    second_id = by_phone[phones[1]]["provider_message_id"]
    assert statuses.apply("demo", first_id, "delivered", iso()) is True
    assert statuses.apply("demo", first_id, "read", iso()) is True
    assert statuses.apply("demo", first_id, "delivered", iso()) is True  # stale: ignored
    assert statuses.apply("demo", second_id, "read", iso()) is True  # read without delivered
    assert statuses.apply("demo", second_id, "read", iso()) is True  # duplicate webhook
    assert statuses.apply("demo", by_phone[phones[2]]["provider_message_id"], "failed", iso(), "30003") is True
    assert statuses.apply("demo", "SMunknown", "delivered", iso()) is False
    assert statuses.apply("acme", first_id, "delivered", iso()) is False  # another brand's id space
    stats = call(API, "GET", f"/v1/campaigns/{campaign_id}", principal=admin).body["stats"]
    assert (stats["delivered"], stats["read"], stats["failed"]) == (2, 2, 1)
    by_status = {r["person_id"]: r["status"] for r in call(API, "GET", f"/v1/campaigns/{campaign_id}/recipients",
                                                          principal=admin).body["items"]}
    assert sorted(by_status.values()) == ["failed", "read", "read", "skipped"]


WA_URL = "https://graph.facebook.com/v21.0/100000000000001/messages"


def test_whatsapp_over_the_messaging_limit_waits_then_goes_after_24h(demo):
    """The 250 tier with 248 people already reached today: 2 go now, 2 wait (never dropped) and go
    once the application clock moves 24 h."""
    import json
    from datetime import timedelta

    import httpx
    import respx

    from skailan.campaigns import sending, store
    from skailan.platform import clock

    admin = demo["admin@demo.local"]
    limit = call("api/admin", "PUT", "/v1/admin/channel-accounts/demo-whatsapp", principal=admin,
                 body={"messaging_limit": 250})
    assert limit.status == 200, limit.body
    now = clock.utcnow()
    for i in range(248):
        store.record_reach("demo", "demo-whatsapp", f"earlier{i}", clock.iso(now - timedelta(hours=1)),
                           now + timedelta(days=2))
    people = [_person(admin, f"Wapp{i} Limite", phone=f"+57302300{i:04d}") for i in range(4)]
    created = call(API, "POST", "/v1/campaigns", principal=admin,
                   body={"name": "W", "channel": "whatsapp", "account_id": "demo-whatsapp",
                         "audience": {"kind": "people", "person_ids": people},
                         "content": {"template": {"name": "bienvenida", "language": "es",
                                                  "parameters": ["{{contact.first_name}}"]}}}).body
    plan = call(API, "GET", f"/v1/campaigns/{created['id']}/preview", principal=admin).body["whatsapp"]
    assert (plan["limit"], plan["now"], plan["later"]) == (250, 2, 2) and plan["later_at"]
    assert call(API, "POST", f"/v1/campaigns/{created['id']}/send", principal=admin).status == 202
    assert sending.fan_out("demo", created["id"])["queued"] == 4

    wamids = iter(f"wamid.LIMIT{i}" for i in range(20))
    with respx.mock(assert_all_called=True) as mock:
        route = mock.post(WA_URL).mock(side_effect=lambda request: httpx.Response(
            200, json={"messaging_product": "whatsapp", "contacts": [{"input": "x", "wa_id": "x"}],
                       "messages": [{"id": next(wamids)}]}))
        _drain_sends(rounds=3)
        assert route.call_count == 2
        assert json.loads(route.calls[0].request.content)["template"]["name"] == "bienvenida"
        waiting = call(API, "GET", f"/v1/campaigns/{created['id']}/recipients", principal=admin,
                       query={"status": "queued"}).body["items"]
        assert len(waiting) == 2
        assert call(API, "GET", f"/v1/campaigns/{created['id']}", principal=admin).body["status"] == "sending"

        clock.advance(24 * 3600 + 60)
        _drain_sends(rounds=3)
        assert route.call_count == 4
    sent_to = sorted(json.loads(c.request.content)["to"] for c in route.calls)
    assert sent_to == sorted(p.lstrip("+") for p in (f"+57302300{i:04d}" for i in range(4)))
    done = call(API, "GET", f"/v1/campaigns/{created['id']}", principal=admin).body
    assert done["status"] == "completed" and done["stats"]["sent"] == 4


def test_suppressions_bad_input_and_another_brand(demo):
    admin, other = demo["admin@demo.local"], demo["admin@acme.local"]
    for body in ({"channel": "sms", "address": "no es un número"}, {"channel": "email", "address": "sin-arroba"},
                 {"channel": "fax", "address": "+573001112233"}, {"channel": "sms", "address": None},
                 {"channel": "sms", "address": "+573001112233", "reason": "x"}):
        reply = call(API, "POST", "/v1/suppressions", principal=admin, body=body)
        assert 400 <= reply.status < 500 and "error" in reply.body, (body, reply.body)
    assert call(API, "POST", "/v1/suppressions", principal=admin,
                body={"channel": "email", "address": "Baja@Example.com"}).status == 201
    assert call(API, "DELETE", "/v1/suppressions/email/baja@example.com", principal=other).status == 404
    assert call(API, "DELETE", "/v1/suppressions/email/baja@example.com", principal=demo["agent1@demo.local"]).status == 403
    assert call(API, "DELETE", "/v1/suppressions/email/baja@example.com", principal=admin).status == 204
    assert call(API, "DELETE", "/v1/suppressions/email/baja@example.com", principal=admin).status == 404
    campaign = _sms(admin, {"kind": "people", "person_ids": [_person(admin, "Fecha Mala", phone="+573001119999")]})
    for at in ("2026-13-45T99:00", "2026-12-24T09:00+25:00", "x" * 30):
        reply = call(API, "POST", f"/v1/campaigns/{campaign['id']}/schedule", principal=admin, body={"at": at})
        assert reply.status == 422, (at, reply.body)


def test_a_worker_killed_mid_send_fails_the_recipient_once_and_the_campaign_completes(demo):
    import httpx
    import respx

    from skailan.campaigns import sending, store
    from skailan.platform import clock
    from skailan.platform.errors import Retryable

    admin = demo["admin@demo.local"]
    person = _person(admin, "Muerto Enmedio", phone="+573004440001")
    campaign = _sms(admin, {"kind": "people", "person_ids": [person]})
    call(API, "POST", f"/v1/campaigns/{campaign['id']}/send", principal=admin)
    sending.fan_out("demo", campaign["id"])
    # the worker claimed the recipient and died before writing the outcome
    assert store.move_recipient("demo", campaign["id"], person, "sending", expected=["queued"], at=clock.iso())
    body = f'{{"t": "demo", "c": "{campaign["id"]}", "p": "{person}"}}'
    with respx.mock(assert_all_called=False) as mock:
        route = mock.post(TW_URL).mock(return_value=httpx.Response(201, json={"sid": "SMnever", "status": "queued"}))
        with pytest.raises(Retryable):
            sending.send_one(body, receive_count=2)  # within the lease: wait
        clock.advance(sending.SENDING_LEASE_SECONDS + 1)
        assert sending.send_one(body, receive_count=3) == "failed"
        assert sending.send_one(body, receive_count=4) == "already_done"
    assert route.call_count == 0  # never resent
    done = call(API, "GET", f"/v1/campaigns/{campaign['id']}", principal=admin).body
    assert done["status"] == "completed" and done["stats"]["failed"] == 1 and done["stats"]["queued"] == 0
    (recipient,) = call(API, "GET", f"/v1/campaigns/{campaign['id']}/recipients", principal=admin).body["items"]
    assert recipient["status"] == "failed" and recipient["reason"] == "delivery_unknown"


def test_click_redirect_counts_once_and_only_to_stored_urls(demo):
    from skailan.campaigns import service, store

    admin = demo["admin@demo.local"]
    person = _person(admin, "Clic Clic", phone="+573005550001")
    created = call(API, "POST", "/v1/campaigns", principal=admin,
                   body={"name": "E", "channel": "email", "account_id": "demo-email",
                         "audience": {"kind": "people", "person_ids": [person]},
                         "content": {"subject": "Hola", "html": '<a href="https://demo.example/oferta">Ver</a>'}}).body
    call(API, "POST", f"/v1/campaigns/{created['id']}/send", principal=admin)
    # e-mail sending is not done yet: the recipient is written here as the fan-out would
    assert store.put_recipient("demo", created["id"], person, status="queued", name="Clic", address="c@x.example",
                               reason=None, at="2026-01-01T00:00:00Z")
    token = service.click_token("demo", created["id"], person, 0)
    for _ in range(2):
        reply = call(API, "GET", f"/public/campaigns/c/{token}")
        assert reply.status == 302 and reply.headers["Location"] == "https://demo.example/oferta"
    assert call(API, "GET", f"/v1/campaigns/{created['id']}", principal=admin).body["stats"]["clicked"] == 1
    for bad in (service.click_token("demo", created["id"], person, 1),  # no such link
                service.click_token("acme", created["id"], person, 0),  # another brand
                service.click_token("demo", created["id"], "01ZZZZZZZZZZZZZZZZZZZZZZZZ", 0),
                "%%%", "aGVsbG8"):
        assert call(API, "GET", f"/public/campaigns/c/{bad}").status == 404, bad


def test_segment_audience_is_its_membership_at_send_time(demo):
    from skailan.campaigns import sending
    from skailan.crm.audiences import segments as segment_store

    admin = demo["admin@demo.local"]
    tag = f"vip{uuid.uuid4().hex[:6]}"
    reply = call(CRM, "POST", "/v1/contacts", principal=admin,
                 body={"name": "Segmento Uno", "phone": "+573006660001", "tags": [tag]})
    assert reply.status == 201, reply.body
    member = reply.body["id"]
    _person(admin, "Fuera Segmento", phone="+573006660002")
    segment = call(CRM, "POST", "/v1/crm/segments", principal=admin,
                   body={"name": "VIP", "rule": {"all": [{"field": "tags", "op": "has_tag", "value": tag}]}})
    assert segment.status == 201, segment.body
    segment_store.backfill("demo", segment.body["id"])  # what the segments worker does on creation
    campaign = _sms(admin, {"kind": "segment", "id": segment.body["id"]})
    preview = call(API, "GET", f"/v1/campaigns/{campaign['id']}/preview", principal=admin).body
    assert preview["audience"] == 1 and preview["recipients"] == 1
    call(API, "POST", f"/v1/campaigns/{campaign['id']}/send", principal=admin)
    assert sending.fan_out("demo", campaign["id"])["queued"] == 1
    (recipient,) = call(API, "GET", f"/v1/campaigns/{campaign['id']}/recipients", principal=admin).body["items"]
    assert recipient["person_id"] == member and recipient["status"] == "queued"
    from tests.integration.channels.conftest import purge

    purge("CAMPAIGN_SEND_QUEUE_URL")  # this test does not send: leave the queue empty for the others


def test_whatsapp_131049_is_not_resent_and_131048_pauses_the_campaign(demo):
    import httpx
    import respx

    from skailan.campaigns import sending

    admin = demo["admin@demo.local"]
    # the limit test above filled today's room on this account: no limit here
    assert call("api/admin", "PUT", "/v1/admin/channel-accounts/demo-whatsapp", principal=admin,
                body={"messaging_limit": "unlimited"}).status == 200
    people = [_person(admin, f"Meta{i} Codigo", phone=f"+57302400{i:04d}") for i in range(3)]
    created = call(API, "POST", "/v1/campaigns", principal=admin,
                   body={"name": "W", "channel": "whatsapp", "account_id": "demo-whatsapp",
                         "audience": {"kind": "people", "person_ids": people},
                         "content": {"template": {"name": "bienvenida", "language": "es", "parameters": ["x"]}}}).body
    call(API, "POST", f"/v1/campaigns/{created['id']}/send", principal=admin)
    sending.fan_out("demo", created["id"])

    def error(code: int) -> httpx.Response:
        return httpx.Response(400, json={"error": {"message": "x", "type": "OAuthException", "code": code,
                                                   "fbtrace_id": "t"}})

    def body(person: str) -> str:
        return f'{{"t": "demo", "c": "{created["id"]}", "p": "{person}"}}'

    with respx.mock(assert_all_called=False) as mock:
        route = mock.post(WA_URL).mock(side_effect=[error(131049), error(131048)])
        assert sending.send_one(body(people[0])) == "failed"
        assert sending.send_one(body(people[1])) == "failed"
        assert sending.send_one(body(people[2])) == "paused"  # the campaign paused for the number
        assert sending.send_one(body(people[0])) == "already_done"  # 131049: no resend
    assert route.call_count == 2
    campaign = call(API, "GET", f"/v1/campaigns/{created['id']}", principal=admin).body
    assert campaign["status"] == "paused"
    reasons = {r["person_id"]: (r["status"], r["reason"]) for r in
               call(API, "GET", f"/v1/campaigns/{created['id']}/recipients", principal=admin).body["items"]}
    assert reasons[people[0]] == ("failed", "ecosystem_limit")
    assert reasons[people[2]] == ("queued", None)
    # The dashboard raises the "campaign failing" alert for this brand only, until someone resumes it.
    alerts = call("api/analytics", "GET", "/v1/dashboard/summary", principal=admin).body["alerts"]
    assert [(a["campaign_id"], a["status"], a["reason"]) for a in alerts if a["type"] == "campaign_failing"] == [
        (created["id"], "paused", "spam_restriction")]
    elsewhere = call("api/analytics", "GET", "/v1/dashboard/summary", principal=demo["admin@acme.local"]).body
    assert not [a for a in elsewhere["alerts"] if a["type"] == "campaign_failing"]
    assert call(API, "POST", f"/v1/campaigns/{created['id']}/resume", principal=admin).status in (200, 202)
    alerts = call("api/analytics", "GET", "/v1/dashboard/summary", principal=admin).body["alerts"]
    assert not [a for a in alerts if a["type"] == "campaign_failing"]
    from tests.integration.channels.conftest import purge

    purge("CAMPAIGN_SEND_QUEUE_URL")


def test_a_queued_job_carries_what_the_send_needs_three_requests_and_a_cancel_still_stops_it(demo, monkeypatch):
    import json

    import httpx
    import respx
    from botocore.client import BaseClient

    from skailan.campaigns import sending
    from tests.integration.channels.conftest import purge, queue_url, receive_all

    admin = demo["admin@demo.local"]
    people = [_person(admin, f"Rapida{i} Envio", phone=f"+57302500{i:04d}") for i in range(2)]
    campaign_id = _sms(admin, {"kind": "people", "person_ids": people})["id"]
    assert call(API, "POST", f"/v1/campaigns/{campaign_id}/send", principal=admin).status == 202
    sending.fan_out("demo", campaign_id)
    jobs = {json.loads(m["Body"])["p"]: m["Body"] for m in receive_all(queue_url("CAMPAIGN_SEND_QUEUE_URL"))}
    purge("CAMPAIGN_SEND_QUEUE_URL")
    first = json.loads(jobs[people[0]])
    assert first["a"] == "+573025000000" and first["v"]["name"] == "Rapida0 Envio"

    made: list[tuple[str, str]] = []
    original = BaseClient._make_api_call

    def counting(self: Any, operation: str, params: dict[str, Any]) -> Any:
        made.append((self.meta.service_model.service_name, operation))
        return original(self, operation, params)

    # A warm container already holds the campaign, the brand's name and the account.
    from skailan.conversations import accounts

    sending._sending_campaign("demo", campaign_id)
    sending._brand_name("demo")
    accounts.account("demo", "demo-twilio")
    monkeypatch.setattr(BaseClient, "_make_api_call", counting)
    with respx.mock(assert_all_called=True) as mock:
        route = mock.post(TW_URL).mock(return_value=httpx.Response(201, json={"sid": "SM" + "1" * 32, "status": "queued"}))
        assert sending.send_one(jobs[people[0]]) == "sent"
    from urllib.parse import parse_qsl

    assert dict(parse_qsl(route.calls[0].request.content.decode()))["Body"] == "Hola Rapida0, oferta de Demo"
    # claim (campaign still sending + recipient queued), sent (+ its event), counters
    assert [op for service, op in made if service == "dynamodb"] == ["TransactWriteItems", "TransactWriteItems",
                                                                     "UpdateItem"]
    monkeypatch.setattr(BaseClient, "_make_api_call", original)

    # Cancelled after the fan-out while this container still holds it as sending: the claim refuses,
    # the recipient is skipped, nothing goes out.
    assert call(API, "POST", f"/v1/campaigns/{campaign_id}/cancel", principal=admin).status == 200
    with respx.mock(assert_all_called=False) as mock:
        late = mock.post(TW_URL).mock(return_value=httpx.Response(201, json={"sid": "SMlate", "status": "queued"}))
        assert sending.send_one(jobs[people[1]]) == "cancelled"
    assert late.call_count == 0
    statuses = {r["person_id"]: (r["status"], r.get("reason")) for r in call(
        API, "GET", f"/v1/campaigns/{campaign_id}/recipients", principal=admin).body["items"]}
    assert statuses == {people[0]: ("sent", None), people[1]: ("skipped", "cancelled")}


def test_a_campaign_with_nine_tenths_done_is_about_to_finish_on_the_dashboard(demo):
    import json

    import httpx
    import respx

    from skailan.campaigns import sending
    from tests.integration.channels.conftest import purge, queue_url, receive_all

    admin = demo["admin@demo.local"]
    people = [_person(admin, f"Final{i} Cerca", phone=f"+57302600{i:04d}") for i in range(10)]
    campaign_id = _sms(admin, {"kind": "people", "person_ids": people})["id"]
    assert call(API, "POST", f"/v1/campaigns/{campaign_id}/send", principal=admin).status == 202
    sending.fan_out("demo", campaign_id)
    jobs = [m["Body"] for m in receive_all(queue_url("CAMPAIGN_SEND_QUEUE_URL"))
            if json.loads(m["Body"])["c"] == campaign_id]
    purge("CAMPAIGN_SEND_QUEUE_URL")
    assert len(jobs) == 10

    def ending(principal: Any) -> tuple[int, list[dict[str, Any]]]:
        summary = call("api/analytics", "GET", "/v1/dashboard/summary", principal=principal).body
        return summary["campaigns_ending_soon"], [a for a in summary["alerts"] if a["type"] == "campaign_ending"]

    sids = iter(f"SM{i:032d}" for i in range(100, 200))
    with respx.mock(assert_all_called=False) as mock:
        mock.post(TW_URL).mock(side_effect=lambda _: httpx.Response(201, json={"sid": next(sids), "status": "queued"}))
        for body in jobs[:8]:
            assert sending.send_one(body) == "sent"
        assert ending(admin) == (0, [])  # 80 %: not yet
        assert sending.send_one(jobs[8]) == "sent"
        count, alerts = ending(admin)
        assert count == 1 and [(a["campaign_id"], a["percent"], a["link"]) for a in alerts] == [
            (campaign_id, 90, f"/campaigns/{campaign_id}/stats")]
        assert "a punto de finalizar" in alerts[0]["message"]
        assert ending(demo["admin@acme.local"]) == (0, [])  # another brand never sees it
        assert sending.send_one(jobs[9]) == "sent"
    assert call(API, "GET", f"/v1/campaigns/{campaign_id}", principal=admin).body["status"] == "completed"
    assert ending(admin) == (0, [])  # completed: off the running index


def _walk(principal: Any, query: dict[str, Any]) -> tuple[list[str], list[int]]:
    """Every page of a list: the ids in order and each page's size (the cursor followed to its end)."""
    ids: list[str] = []
    sizes: list[int] = []
    cursor = None
    for _ in range(200):
        reply = call(API, "GET", "/v1/campaigns", principal=principal, query={**query, **({"cursor": cursor} if cursor else {})})
        assert reply.status == 200, reply.body
        ids += [c["id"] for c in reply.body["items"]]
        sizes.append(len(reply.body["items"]))
        cursor = reply.body["next_cursor"]
        if not cursor:
            return ids, sizes
    raise AssertionError("the cursor never ended")


def test_list_filters_by_status_and_channel_across_pages(demo, monkeypatch):
    from skailan.campaigns import store
    from skailan.platform import clock

    admin, other = demo["admin@demo.local"], demo["admin@acme.local"]
    person = _person(admin, "Filtro Lista", phone="+573001119900")
    people = {"kind": "people", "person_ids": [person]}
    at = (clock.utcnow().replace(microsecond=0) + __import__("datetime").timedelta(hours=5)).isoformat()
    mine: dict[str, tuple[str, str]] = {}  # id → (status, channel)
    for i in range(9):
        if i % 3 == 2:
            reply = call(API, "POST", "/v1/campaigns", principal=admin,
                         body={"name": f"Correo {i}", "channel": "email", "account_id": "demo-email", "audience": people,
                               "content": {"subject": "Hola", "html": "<p>Hola</p>"}})
            assert reply.status == 201, reply.body
            mine[reply.body["id"]] = ("draft", "email")
            continue
        campaign_id = _sms(admin, people)["id"]
        mine[campaign_id] = ("draft", "sms")
        if i % 3 == 1:
            scheduled = call(API, "POST", f"/v1/campaigns/{campaign_id}/schedule", principal=admin, body={"at": at})
            assert scheduled.status == 200, scheduled.body
            mine[campaign_id] = ("scheduled", "sms")
    acme = call(API, "POST", "/v1/campaigns", principal=other,
                body={"name": "Acme", "channel": "sms", "content": {"text": "Hola"},
                      "audience": {"kind": "people", "person_ids": [_person(other, "Acme Lista", phone="+573001119901")]}})
    assert acme.status == 201, acme.body
    acme_id = acme.body["id"]

    # what every filter must return: the unfiltered list (newest first), filtered here
    everything = call(API, "GET", "/v1/campaigns", principal=admin, query={"limit": 100}).body
    assert everything["next_cursor"] is None
    listed = {c["id"]: (c["status"], c["channel"]) for c in everything["items"]}
    order = [c["id"] for c in everything["items"]]
    assert mine.items() <= listed.items() and acme_id not in listed

    cases: list[tuple[dict[str, Any], Any]] = [
        ({"status": "scheduled"}, lambda s, ch: s == "scheduled"),
        ({"status": "draft,scheduled"}, lambda s, ch: s in ("draft", "scheduled")),
        ({"channel": "email"}, lambda s, ch: ch == "email"),
        ({"status": "draft", "channel": "sms"}, lambda s, ch: s == "draft" and ch == "sms"),
        ({"status": "failed"}, lambda s, ch: s == "failed"),
    ]
    # Tiny read budgets so one request reads a few items: pages come short or empty with a cursor,
    # and a read page holding more matches than asked continues right after the last one returned.
    for page_size, max_pages in ((2, 1), (3, 2), (100, 4)):
        monkeypatch.setattr(store, "FILTERED_PAGE_SIZE", page_size)
        monkeypatch.setattr(store, "FILTERED_MAX_PAGES", max_pages)
        for query, keep in cases:
            expected = [i for i in order if keep(*listed[i])]
            ids, sizes = _walk(admin, {**query, "limit": 2})
            assert ids == expected, (page_size, max_pages, query)
            assert all(size <= 2 for size in sizes)
            if page_size == 2 and query == {"status": "scheduled"}:
                assert 0 in sizes[:-1] or 1 in sizes[:-1]  # a short page, and the cursor went on
    assert {i for i, (s, _) in mine.items() if s == "scheduled"} <= set(_walk(admin, {"status": "scheduled"})[0])

    # another brand never sees these, whatever the filter
    for query in ({"status": "draft"}, {"status": "scheduled", "channel": "sms"}, {"channel": "email"}):
        assert not set(_walk(other, query)[0]) & set(mine)
    assert acme_id in _walk(other, {"status": "draft", "channel": "sms"})[0]

    # bad parameters: the one error shape, nothing listed
    for query, code in (({"status": "sent"}, 422), ({"status": "draft,nope"}, 422), ({"status": ""}, 422),
                        ({"channel": "fax"}, 422), ({"channel": "sms,email"}, 422), ({"statuses": "draft"}, 400),
                        ({"status": "draft", "archived": "maybe"}, 422)):
        reply = call(API, "GET", "/v1/campaigns", principal=admin, query=query)
        assert reply.status == code, (query, reply.body)
        assert set(reply.body) == {"error"} and reply.body["error"]["code"] and " / " in reply.body["error"]["message"]


def test_every_placeholder_must_be_a_known_merge_field_on_create_and_edit(demo):
    """`{{name}}` has no prefix: it would reach people literally ("Hola {{name}}"), so it is refused
    like `{{contact.foo}}` — in every content field, on create and on edit; custom fields only by
    the brand's own keys."""
    admin, other = demo["admin@demo.local"], demo["admin@acme.local"]
    person = _person(admin, "Elsa Mora", phone="+573001112299")
    people = {"kind": "people", "person_ids": [person]}
    ours, theirs = f"plan_{uuid.uuid4().hex[:8]}", f"nivel_{uuid.uuid4().hex[:8]}"
    assert call(CRM, "POST", "/v1/crm/fields", principal=admin,
                body={"key": ours, "label": f"Plan {ours}", "type": "short_text"}).status == 201
    assert call(CRM, "POST", "/v1/crm/fields", principal=other,
                body={"key": theirs, "label": f"Nivel {theirs}", "type": "short_text"}).status == 201
    before = _count(admin)
    email = {"name": "E", "channel": "email", "account_id": "demo-email", "audience": people}
    cases = [
        ({"name": "S", "channel": "sms", "audience": people, "content": {"text": "Hola {{name}}"}},
         "content.text", "{{name}}"),
        ({"name": "S", "channel": "sms", "audience": people, "content": {"text": "Hola {{ nombre | amigo }}"}},
         "content.text", "{{ nombre | amigo }}"),
        ({**email, "content": {"subject": "Hola {{first_name}}", "html": "<p>Hola</p>"}},
         "content.subject", "{{first_name}}"),
        ({**email, "content": {"subject": "Hola", "html": "<p>Hola {{contact.name}} {{name}}</p>"}},
         "content.html", "{{name}}"),
        ({**email, "content": {"subject": "Hola", "html": "<p>Hola</p>", "from_name": "{{brand}}"}},
         "content.from_name", "{{brand}}"),
        ({**email, "content": {"subject": "Hola", "html": "<p>Hola</p>", "text": "Hola {{contact.foo|x}}"}},
         "content.text", "{{contact.foo|x}}"),
        ({"name": "W", "channel": "whatsapp", "account_id": "demo-whatsapp", "audience": people,
          "content": {"template": {"name": "bienvenida", "language": "es", "parameters": ["{{name}}"]}}},
         "content.template.parameters.0", "{{name}}"),
        # another brand's custom field is not one of ours
        ({"name": "S", "channel": "sms", "audience": people, "content": {"text": f"{{{{contact.custom.{theirs}}}}}"}},
         "content.text", f"{{{{contact.custom.{theirs}}}}}"),
    ]
    for body, field, placeholder in cases:
        reply = call(API, "POST", "/v1/campaigns", principal=admin, body=body)
        assert reply.status == 422, (field, reply.body)
        details = [d for d in reply.body["error"]["details"] if d["field"] == field]
        assert details and details[0]["error"] == "unknown_merge_field", reply.body
        assert placeholder in details[0]["message"] and field in details[0]["message"]
        assert " / " in details[0]["message"]
    assert _count(admin) == before
    # known fields, our custom field with a fallback: accepted…
    created = _sms(admin, people, text=f"Hola {{{{contact.first_name|amigo}}}} ({{{{contact.custom.{ours}|básico}}}})")
    # …and the same check on edit, nothing changed by the refused edit
    edited = call(API, "PATCH", f"/v1/campaigns/{created['id']}", principal=admin,
                  body={"content": {"text": "Hola {{name}}"}})
    assert edited.status == 422, edited.body
    assert {(d["field"], d["error"]) for d in edited.body["error"]["details"]} == {("content.text", "unknown_merge_field")}
    fetched = call(API, "GET", f"/v1/campaigns/{created['id']}", principal=admin).body
    assert fetched["content"]["text"].startswith("Hola {{contact.first_name|amigo}}")
