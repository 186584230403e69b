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


def test_a_reply_within_the_window_is_published_once_and_runs_once(demo):
    """A campaign sent on WhatsApp leaves the person's marker; their next WhatsApp message within
    the reply window is the campaign's reply: counted once, `campaign_recipient.replied` once, one
    run of `campaign_replied`. A second reply, another channel, another brand, or a reply after the
    window, an opt-out word change nothing."""
    from skailan.automations.engine import on_event
    from skailan.campaigns import replies, store
    from skailan.platform import clock
    from skailan.platform.events import DomainEvent
    from tests.support import FakeContext, OutboxWatch, handler_of

    admin, acme = demo["admin@demo.local"], demo["admin@acme.local"]
    people = {name: _person(admin, name) for name in ("Rita Responde", "Otto Otrocanal", "Tito Tarde", "Bea Baja")}
    campaign = call("api/campaigns", "POST", "/v1/campaigns", principal=admin, body={
        "name": "Respuestas", "channel": "whatsapp", "account_id": "demo-whatsapp",
        "audience": {"kind": "people", "person_ids": list(people.values())},
        "content": {"template": {"name": "bienvenida", "language": "es", "parameters": ["x"]}}})
    assert campaign.status == 201, campaign.body
    campaign_id = campaign.body["id"]
    replied = call(API, "POST", "/v1/automations", principal=admin, body={
        "name": "Respondió", "trigger": {"type": "campaign_replied", "campaign_id": campaign_id},
        "steps": [{"type": "add_tag", "tag": "respondio"}]})
    elsewhere = call(API, "POST", "/v1/automations", principal=acme, body={
        "name": "Acme", "trigger": {"type": "campaign_replied"}, "steps": [{"type": "add_tag", "tag": "acme"}]})
    assert replied.status == elsewhere.status == 201, (replied.body, elsewhere.body)

    def sent(person: str) -> None:
        store.put_recipient("demo", campaign_id, person, status="sending", name=None, address="+51999",
                            reason=None, at=clock.iso())
        assert store.move_recipient("demo", campaign_id, person, "sent", expected=["sending"], at=clock.iso(),
                                    event_data={"channel": "whatsapp"})

    def message(person: str, channel: str = "whatsapp", tenant: str = "demo", text: str = "Me interesa") -> DomainEvent:
        return DomainEvent(tenant_id=tenant, source="skailan.conversations", type="message.received",
                           entity_type="conversation", entity_id="c1",
                           data={"conversation_id": "c1", "channel": channel, "person_id": person, "type": "text",
                                 "text": text, "message_id": "m1", "provider_message_id": "p1"})

    def fan_out_worker(*events: DomainEvent) -> dict[str, Any]:  # the campaigns worker gets message.received
        import json

        return handler_of("workers/campaign_fanout")({"Records": [
            {"messageId": f"r{n}", "attributes": {"ApproximateReceiveCount": "1"},
             "body": json.dumps({"detail-type": e.type, "source": e.source, "detail": json.loads(e.model_dump_json())})}
            for n, e in enumerate(events)]}, FakeContext())

    for person in people.values():
        sent(person)
    outbox = OutboxWatch(store.table_name())
    rita = people["Rita Responde"]
    assert replies.on_message_received(message(rita, tenant="acme")) == {"replied": False}  # another brand
    assert fan_out_worker(message(rita), message(people["Bea Baja"], text="BAJA")) == {"batchItemFailures": []}
    assert replies.on_message_received(message(people["Bea Baja"], text="BAJA")) == {"replied": False}
    assert replies.on_message_received(message(rita)) == {"replied": False}  # a second reply
    assert replies.on_message_received(message(people["Otto Otrocanal"], channel="sms")) == {"replied": False}
    try:
        clock.advance(store.REPLY_WINDOW.total_seconds() + 60)
        assert replies.on_message_received(message(people["Tito Tarde"])) == {"replied": False}
    finally:
        clock.reset()
    published = [e for e in outbox.events() if e.source == "skailan.campaigns"]
    assert [(e.type, e.data["person_id"]) for e in published] == [("campaign_recipient.replied", rita)]
    assert store.get_recipient("demo", campaign_id, rita).times["replied"]
    stats = call("api/campaigns", "GET", f"/v1/campaigns/{campaign_id}", principal=admin).body["stats"]
    assert stats["replied"] == 1
    on_event(published[0])
    on_event(published[0])  # redelivered
    assert "respondio" in call(CRM, "GET", f"/v1/contacts/{rita}", principal=admin).body["tags"]
    runs = call(API, "GET", f"/v1/automations/{replied.body['id']}/runs", principal=admin).body["items"]
    assert [(r["person_id"], r["status"]) for r in runs] == [(rita, "completed")]
    assert call(API, "GET", f"/v1/automations/{elsewhere.body['id']}/runs", principal=acme).body["items"] == []


def test_a_campaign_message_status_through_the_ingest_is_claimed_by_campaigns(demo):
    """A WhatsApp status whose id is no conversation message: the ingest worker hands it to the
    claim campaigns installed at its cold start (conversations never import campaigns)."""
    from skailan.campaigns import store
    from skailan.platform.clock import iso
    from tests.integration.channels.conftest import drain, post_meta, whatsapp_status

    admin = demo["admin@demo.local"]
    person = _person(admin, "Ema Estado")
    campaign_id = "01JCAMPAIGN00000000000STAT"
    store.put_recipient("demo", campaign_id, person, status="sending", name=None, address="+573001112233",
                        reason=None, at=iso())
    assert store.move_recipient("demo", campaign_id, person, "sent", expected=["sending"], at=iso(),
                                provider_message_id="wamid.CAMPSTATUS1")
    assert post_meta(whatsapp_status("wamid.CAMPSTATUS1", "delivered", recipient="573001112233")).status == 200
    assert drain() == []
    assert store.get_recipient("demo", campaign_id, person).status == "delivered"


def test_a_business_initiated_send_skips_an_opted_out_address_and_the_run_goes_on(demo):
    admin = demo["admin@demo.local"]
    automation = call(API, "POST", "/v1/automations", principal=admin, body={
        "name": "SMS de seguimiento", "trigger": {"type": "manual"},
        "steps": [{"type": "send_sms", "account_id": "demo-twilio", "text": "Hola {{nombre}}"},
                  {"type": "add_tag", "tag": "sms-intentado"}]})
    assert automation.status == 201, automation.body

    def person(name: str, phone: str) -> str:
        reply = call(CRM, "POST", "/v1/contacts", principal=admin, body={"name": name, "phone": phone})
        assert reply.status == 201, reply.body
        return reply.body["id"]

    quiet, open_ = person("Sara Silencio", "+573009990011"), person("Abel Abierto", "+573009990012")
    assert call("api/campaigns", "POST", "/v1/suppressions", principal=admin,
                body={"channel": "sms", "address": "+573009990011"}).status == 201
    runs = {p: call(API, "POST", f"/v1/automations/{automation.body['id']}/run", principal=admin,
                    body={"person_id": p}).body for p in (quiet, open_)}
    skipped, sent = runs[quiet]["steps"], runs[open_]["steps"]
    assert runs[quiet]["status"] == runs[open_]["status"] == "completed", runs
    assert [(s["type"], s["status"]) for s in skipped] == [("send_sms", "skipped"), ("add_tag", "completed")]
    assert "se dio de baja de sms" in skipped[0]["output"]["reason"]
    assert sent[0]["status"] == "completed" and sent[0]["output"]["conversation_id"]
    assert "sms-intentado" in call(CRM, "GET", f"/v1/contacts/{quiet}", principal=admin).body["tags"]
