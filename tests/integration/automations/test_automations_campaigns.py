"""Campaign triggers: the campaigns context publishes `campaign_recipient.<status>` once per
recipient and step (delivered, read, opened, clicked) and `consent.changed` on an opt-out;
automations run on them once, for the right brand."""

from __future__ import annotations

from typing import Any

from tests.support import call

API = "api/automations"
CRM = "api/crm"


def _person(admin: Any, name: str) -> str:
    import uuid

    reply = call(CRM, "POST", "/v1/contacts", principal=admin,
                 body={"name": name, "email": f"{uuid.uuid4().hex[:10]}@example.com"})
    assert reply.status == 201, reply.body
    return reply.body["id"]


def _recipient(tenant: str, campaign_id: str, person_id: str) -> None:
    from skailan.campaigns.store import RecipientItem, campaign_pk, recipient_sk

    RecipientItem(campaign_pk(tenant, campaign_id), recipient_sk(person_id), tenant_id=tenant,
                  campaign_id=campaign_id, person_id=person_id, status="sent").save()


def test_delivered_and_clicked_are_published_once_and_trigger_automations(demo):
    from skailan.automations.engine import on_event
    from skailan.campaigns import store
    from tests.support import OutboxWatch

    admin, acme = demo["admin@demo.local"], demo["admin@acme.local"]
    clicked = call(API, "POST", "/v1/automations", principal=admin, body={
        "name": "Hizo clic", "trigger": {"type": "campaign_clicked"}, "steps": [{"type": "add_tag", "tag": "clic"}]})
    delivered = call(API, "POST", "/v1/automations", principal=admin, body={
        "name": "Entregado", "trigger": {"type": "campaign_delivered"},
        "steps": [{"type": "add_tag", "tag": "entregado"}]})
    elsewhere = call(API, "POST", "/v1/automations", principal=acme, body={
        "name": "Acme", "trigger": {"type": "campaign_clicked"}, "steps": [{"type": "add_tag", "tag": "acme"}]})
    assert clicked.status == delivered.status == elsewhere.status == 201
    person = _person(admin, "Clara Clic")
    _recipient("demo", "01JCAMPAIGN000000000000000", person)
    outbox = OutboxWatch(store.table_name())  # each event written with the move that made it true
    assert store.move_recipient("demo", "01JCAMPAIGN000000000000000", person, "delivered", expected=["sent"],
                                at="2026-01-01T00:00:00.000Z")
    assert not store.move_recipient("demo", "01JCAMPAIGN000000000000000", person, "delivered", expected=["sent"],
                                    at="2026-01-01T00:00:01.000Z")
    assert store.mark_once("demo", "01JCAMPAIGN000000000000000", person, "clicked", "2026-01-01T00:01:00.000Z")
    assert not store.mark_once("demo", "01JCAMPAIGN000000000000000", person, "clicked", "2026-01-01T00:02:00.000Z")
    published = [e for e in outbox.events() if e.source == "skailan.campaigns"]
    assert [e.type for e in published] == ["campaign_recipient.delivered", "campaign_recipient.clicked"]
    assert published[1].data == {"campaign_id": "01JCAMPAIGN000000000000000", "person_id": person,
                                 "status": "clicked"}
    for event in published:
        on_event(event)
        on_event(event)  # redelivered
    tags = call(CRM, "GET", f"/v1/contacts/{person}", principal=admin).body["tags"]
    assert {"clic", "entregado"} <= set(tags)
    for automation in (clicked, delivered):
        assert len(call(API, "GET", f"/v1/automations/{automation.body['id']}/runs",
                        principal=admin).body["items"]) == 1
    assert call(API, "GET", f"/v1/automations/{elsewhere.body['id']}/runs", principal=acme).body["items"] == []


def test_unsubscribed_trigger_and_unknown_campaign_is_refused(demo):
    from skailan.automations.engine import on_event
    from skailan.platform.events import DomainEvent

    admin = demo["admin@demo.local"]
    reply = call(API, "POST", "/v1/automations", principal=admin, body={
        "name": "Baja", "trigger": {"type": "campaign_unsubscribed", "channel": "sms"},
        "steps": [{"type": "add_tag", "tag": "baja-sms"}]})
    assert reply.status == 201, reply.body
    person = _person(admin, "Beto Baja")

    def consent(channel: str, suppressed: bool) -> DomainEvent:
        return DomainEvent(tenant_id="demo", source="skailan.campaigns", type="consent.changed",
                           entity_type="contact", entity_id=person,
                           data={"channel": channel, "address": "+51999", "person_id": person,
                                 "suppressed": suppressed, "reason": "STOP"})

    on_event(consent("email", True))  # another channel
    on_event(consent("sms", False))  # opted back in
    assert "baja-sms" not in call(CRM, "GET", f"/v1/contacts/{person}", principal=admin).body["tags"]
    on_event(consent("sms", True))
    assert "baja-sms" in call(CRM, "GET", f"/v1/contacts/{person}", principal=admin).body["tags"]
    bad = call(API, "POST", "/v1/automations", principal=admin, body={
        "name": "x", "trigger": {"type": "campaign_read", "campaign_id": "01J0000000000000000000000Z"},
        "steps": [{"type": "stop"}]})
    assert bad.status == 422 and bad.body["error"]["details"][0]["field"] == "trigger.campaign_read.campaign_id"
