"""What the campaign editor and statistics page read for a marketer: the brand's e-mail templates
(read-only, `campaigns:view`, while /v1/email/templates stays `conversations:view`), and the
recipients table filtered by name / e-mail / phone within the campaign's partition."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.support import call

API = "api/campaigns"
CRM = "api/crm"
INBOX = "api/inbox"


@pytest.fixture(autouse=True)
def clock_reset():
    from skailan.platform import clock

    clock.reset()
    yield
    clock.reset()


def test_a_marketer_lists_the_brands_email_templates_read_only(demo):
    admin, marketer, other = demo["admin@demo.local"], demo["marketer@demo.local"], demo["admin@acme.local"]
    name = f"Boletín {uuid.uuid4().hex[:6]}"
    created = call(INBOX, "POST", "/v1/email/templates", principal=admin, body={
        "name": name, "subject": 'Hola {{contact.first_name | "amigo"}}', "html": "<p>Novedades</p>"})
    assert created.status == 201, created.body
    # the e-mail module's own list stays closed to the marketing role …
    assert call(INBOX, "GET", "/v1/email/templates", principal=marketer).status == 403
    # … the campaigns one is open to it
    reply = call(API, "GET", "/v1/campaigns/email-templates", principal=marketer, query={"limit": 100})
    assert reply.status == 200, reply.body
    (mine,) = [t for t in reply.body["items"] if t["id"] == created.body["id"]]
    assert mine == {"id": created.body["id"], "name": name, "subject": 'Hola {{contact.first_name | "amigo"}}',
                    "html": "<p>Novedades</p>", "text": None}
    # pages: a limit of 1 gives a cursor that continues
    first = call(API, "GET", "/v1/campaigns/email-templates", principal=marketer, query={"limit": 1}).body
    assert len(first["items"]) == 1
    if first["next_cursor"]:
        second = call(API, "GET", "/v1/campaigns/email-templates", principal=marketer,
                      query={"limit": 1, "cursor": first["next_cursor"]}).body
        assert second["items"] and second["items"][0]["id"] != first["items"][0]["id"]
    # another brand never sees it, and cannot page into it with demo's cursor
    acme = call(API, "GET", "/v1/campaigns/email-templates", principal=other, query={"limit": 100}).body
    assert created.body["id"] not in {t["id"] for t in acme["items"]}
    if first["next_cursor"]:
        crafted = call(API, "GET", "/v1/campaigns/email-templates", principal=other,
                       query={"cursor": first["next_cursor"]})
        assert crafted.status == 400 and crafted.body["error"]["code"] == "invalid_cursor"


def test_email_templates_permissions_and_bad_input(demo):
    # agents and operators have no campaigns permission
    assert call(API, "GET", "/v1/campaigns/email-templates", principal=demo["agent1@demo.local"]).status == 403
    assert call(API, "GET", "/v1/campaigns/email-templates", principal=demo["operator@demo.local"]).status == 403
    marketer = demo["marketer@demo.local"]
    for query in ({"limit": "0"}, {"limit": "1000"}, {"surprise": "1"}, {"cursor": "not-a-cursor"}):
        reply = call(API, "GET", "/v1/campaigns/email-templates", principal=marketer, query=query)
        assert reply.status in (400, 422), (query, reply.body)
        assert " / " in reply.body["error"]["message"]


def _person(admin: Any, name: str, *, email: str, phone: str) -> str:
    reply = call(CRM, "POST", "/v1/contacts", principal=admin, body={"name": name, "email": email, "phone": phone})
    assert reply.status == 201, reply.body
    return reply.body["id"]


@pytest.fixture
def sent_email_campaign(demo) -> tuple[str, dict[str, str]]:
    """An e-mail campaign fanned out to three people (recipients written, not yet sent)."""
    from skailan.campaigns import sending

    admin = demo["admin@demo.local"]
    tag = uuid.uuid4().hex[:6]
    digits = f"{uuid.uuid4().int % 10**6:06d}"  # the fixture runs per test: phones differ each time
    people = {
        "munoz": _person(admin, "José Muñoz", email=f"jmunoz.{tag}@example.com", phone=f"+57310{digits}1"),
        "garcia": _person(admin, "Ana García", email=f"ana.{tag}@correo.co", phone=f"+57310{digits}2"),
        "lopez": _person(admin, "Luis López", email=f"luis.{tag}@example.com", phone=f"+57310{digits}3"),
    }
    created = call(API, "POST", "/v1/campaigns", principal=admin, body={
        "name": "Filtro", "channel": "email", "account_id": "demo-email",
        "audience": {"kind": "people", "person_ids": list(people.values())},
        "content": {"subject": "Hola", "html": "<p>Hola</p>", "from_name": "Demo"}})
    assert created.status == 201, created.body
    campaign_id = created.body["id"]
    assert call(API, "POST", f"/v1/campaigns/{campaign_id}/send", principal=admin).status == 202
    assert sending.fan_out("demo", campaign_id)["recipients"] == 3
    return campaign_id, people


def _found(principal: Any, campaign_id: str, **query: Any) -> set[str]:
    reply = call(API, "GET", f"/v1/campaigns/{campaign_id}/recipients", principal=principal, query=query)
    assert reply.status == 200, reply.body
    return {r["person_id"] for r in reply.body["items"]}


def test_recipients_filtered_by_name_email_or_phone(demo, sent_email_campaign):
    campaign_id, people = sent_email_campaign
    marketer = demo["marketer@demo.local"]
    # name, accent- and case-insensitive
    assert _found(marketer, campaign_id, q="munoz") == {people["munoz"]}
    assert _found(marketer, campaign_id, q="GARCÍA") == {people["garcia"]}
    # e-mail (the address of an e-mail campaign)
    assert _found(marketer, campaign_id, q="@correo.co") == {people["garcia"]}
    assert _found(marketer, campaign_id, q="example.com") == {people["munoz"], people["lopez"]}
    # with the status filter, and nothing found
    assert _found(marketer, campaign_id, q="luis", status="queued") == {people["lopez"]}
    assert _found(marketer, campaign_id, q="luis", status="sent") == set()
    assert _found(marketer, campaign_id, q="nadie-así") == set()


def test_recipients_filter_by_phone_on_an_sms_campaign_pages_with_a_cursor(demo):
    from skailan.campaigns import sending

    admin = demo["admin@demo.local"]
    people = [_person(admin, f"Cliente {i}", email=f"c{i}.{uuid.uuid4().hex[:6]}@example.com",
                      phone=f"+57300777{i:04d}") for i in range(5)]
    created = call(API, "POST", "/v1/campaigns", principal=admin, body={
        "name": "SMS filtro", "channel": "sms", "account_id": "demo-twilio",
        "audience": {"kind": "people", "person_ids": people}, "content": {"text": "Hola"}})
    assert created.status == 201, created.body
    campaign_id = created.body["id"]
    assert call(API, "POST", f"/v1/campaigns/{campaign_id}/send", principal=admin).status == 202
    sending.fan_out("demo", campaign_id)
    # digits match phones whatever the spacing or "+"
    assert _found(admin, campaign_id, q="300 777 0003") == {people[3]}
    # every phone matches "7770": pages of 2 with cursors give all five, each once
    seen: list[str] = []
    cursor: str | None = None
    for _ in range(10):
        query: dict[str, Any] = {"q": "7770", "limit": 2} | ({"cursor": cursor} if cursor else {})
        body = call(API, "GET", f"/v1/campaigns/{campaign_id}/recipients", principal=demo["marketer@demo.local"],
                    query=query).body
        assert len(body["items"]) <= 2
        seen += [r["person_id"] for r in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert sorted(seen) == sorted(people)


def test_recipients_filter_another_brand_permissions_and_bad_input(demo, sent_email_campaign):
    campaign_id, _people = sent_email_campaign
    other = call(API, "GET", f"/v1/campaigns/{campaign_id}/recipients", principal=demo["admin@acme.local"],
                 query={"q": "munoz"})
    assert other.status == 404, other.body
    assert call(API, "GET", f"/v1/campaigns/{campaign_id}/recipients", principal=demo["agent1@demo.local"],
                query={"q": "munoz"}).status == 403
    marketer = demo["marketer@demo.local"]
    for query in ({"q": ""}, {"q": "x" * 101}, {"q": "a", "surprise": "1"}):
        reply = call(API, "GET", f"/v1/campaigns/{campaign_id}/recipients", principal=marketer, query=query)
        assert reply.status in (400, 422), (query, reply.body)
        assert " / " in reply.body["error"]["message"]
    # a cursor of another campaign's partition is refused
    first = call(API, "GET", f"/v1/campaigns/{campaign_id}/recipients", principal=marketer,
                 query={"q": "example.com", "limit": 1}).body
    assert first["next_cursor"]
    admin = demo["admin@demo.local"]
    elsewhere = call(API, "POST", "/v1/campaigns", principal=admin, body={
        "name": "Otra", "channel": "email", "account_id": "demo-email",
        "audience": {"kind": "people", "person_ids": [_people["lopez"]]},
        "content": {"subject": "Hola", "html": "<p>Hola</p>"}})
    assert elsewhere.status == 201, elsewhere.body
    crafted = call(API, "GET", f"/v1/campaigns/{elsewhere.body['id']}/recipients", principal=marketer,
                   query={"q": "a", "cursor": first["next_cursor"]})
    assert crafted.status == 400 and crafted.body["error"]["code"] == "invalid_cursor"
