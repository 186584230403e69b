"""Replies: the WhatsApp 24-hour window (counted from the provider's own timestamp), the template
registry and template parameters, quick replies with merge fields and their preview."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.integration.inbox.conftest import CONVERSATIONS, INBOX, action, conversation, customer_writes
from tests.support import call


def _send(principal, conversation_id, body):
    return call(CONVERSATIONS, "POST", f"/v1/conversations/{conversation_id}/messages", principal=principal, body=body)


def test_the_window_counts_from_the_customers_message_timestamp_and_refuses_free_text_after(demo):
    agent1 = demo["agent1@demo.local"]
    written = datetime.now(UTC) - timedelta(hours=25)
    conversation_id = customer_writes("Hola, ¿siguen abiertos?", wa_id="573102000001", message_id="wamid.WIN1",
                                      at=written)
    detail = conversation(agent1, conversation_id).body
    expires = datetime.fromisoformat(detail["window_expires_at"].replace("Z", "+00:00"))
    assert abs((expires - (written + timedelta(hours=24))).total_seconds()) < 2
    # Free text outside the window: 422 before anything is queued, pointing to templates
    refused = _send(agent1, conversation_id, {"text": "¡Hola! Sí, aquí estamos"})
    assert refused.status == 422
    assert refused.body["error"]["code"] == "window_closed"
    assert "plantilla" in refused.body["error"]["message"] and "template" in refused.body["error"]["message"]
    assert "/v1/whatsapp-templates" in refused.body["error"]["details"]["templates"]
    messages = call(CONVERSATIONS, "GET", f"/v1/conversations/{conversation_id}/messages", principal=agent1).body
    assert [m["direction"] for m in messages["items"]] == ["in"]
    # A template with its parameters goes out
    missing = _send(agent1, conversation_id, {"template": {"name": "seguimiento", "language": "es", "parameters": []}})
    assert missing.status == 422 and missing.body["error"]["code"] == "template_parameters"
    assert "{{1}}" in missing.body["error"]["message"]
    assert missing.body["error"]["details"][0]["missing"] == ["{{1}}"]
    pending = _send(agent1, conversation_id, {"template": {"name": "promo_navidad", "language": "es",
                                                           "parameters": ["Camila"]}})
    assert pending.status == 422 and pending.body["error"]["code"] == "template_not_approved"
    unknown = _send(agent1, conversation_id, {"template": {"name": "no_existe", "language": "es"}})
    assert unknown.status == 422 and unknown.body["error"]["code"] == "unknown_template"
    sent = _send(agent1, conversation_id, {"template": {"name": "seguimiento", "language": "es",
                                                        "parameters": ["Camila"]}})
    assert sent.status == 202, sent.body
    assert sent.body["type"] == "template" and sent.body["status"] == "queued"
    assert "Camila" in sent.body["text"] and "{{1}}" not in sent.body["text"]  # the rendered text is shown


def test_a_template_to_a_person_who_opted_out_is_refused_and_nothing_is_queued(demo):
    admin, agent1 = demo["admin@demo.local"], demo["agent1@demo.local"]
    conversation_id = customer_writes("Hola", wa_id="573102000009", message_id="wamid.OPTED1",
                                      at=datetime.now(UTC) - timedelta(hours=25))
    template = {"template": {"name": "seguimiento", "language": "es", "parameters": ["Camila"]}}
    added = call("api/campaigns", "POST", "/v1/suppressions", principal=admin,
                 body={"channel": "whatsapp", "address": "+573102000009"})
    assert added.status == 201, added.body
    refused = _send(agent1, conversation_id, template)
    assert refused.status == 422 and refused.body["error"]["code"] == "recipient_opted_out"
    assert "se dio de baja" in refused.body["error"]["message"] and "opted out" in refused.body["error"]["message"]
    messages = call(CONVERSATIONS, "GET", f"/v1/conversations/{conversation_id}/messages", principal=agent1).body
    assert [m["direction"] for m in messages["items"]] == ["in"]  # nothing stored or queued
    # another channel's suppression does not block WhatsApp; lifting it lets the template go out
    assert call("api/campaigns", "DELETE", "/v1/suppressions/whatsapp/%2B573102000009", principal=admin).status == 204
    assert call("api/campaigns", "POST", "/v1/suppressions", principal=admin,
                body={"channel": "sms", "address": "+573102000009"}).status == 201
    assert _send(agent1, conversation_id, template).status == 202


def test_inside_the_window_free_text_is_queued(demo):
    agent1 = demo["agent1@demo.local"]
    conversation_id = customer_writes("Hola", wa_id="573102000002", message_id="wamid.WIN2")
    assert _send(agent1, conversation_id, {"text": "¡Hola! ¿En qué te ayudo?"}).status == 202


def test_the_template_registry_is_per_whatsapp_account_of_the_brand(demo):
    import httpx
    import respx

    from infra.local.fake_providers import whatsapp_template_payload
    from tests.integration.channels.conftest import DEMO_WABA
    from tests.integration.inbox.conftest import post_meta

    supervisor, agent1, acme = demo["supervisor@demo.local"], demo["agent1@demo.local"], demo["admin@acme.local"]
    body = {"account_id": "demo-whatsapp", "name": "recordatorio_cita", "language": "es_CO", "category": "utility",
            "body": "Hola {{1}}, tu cita es el {{2}} a las {{3}}."}
    with respx.mock(assert_all_called=False) as mock:
        mock.post(f"https://graph.facebook.com/v21.0/{DEMO_WABA}/message_templates").mock(
            return_value=httpx.Response(200, json={"id": "7001", "status": "PENDING", "category": "UTILITY"}))
        created = call(INBOX, "POST", "/v1/whatsapp-templates", principal=supervisor, body=body)
        assert created.status == 201, created.body
        assert created.body["parameters"] == 3 and created.body["id"] == "demo-whatsapp.recordatorio_cita.es_CO"
        assert created.body["status"] == "pending"
        assert call(INBOX, "POST", "/v1/whatsapp-templates", principal=supervisor, body=body).status == 409
        assert call(INBOX, "POST", "/v1/whatsapp-templates", principal=agent1, body=body).status == 403
        not_wa = call(INBOX, "POST", "/v1/whatsapp-templates", principal=supervisor,
                      body={**body, "account_id": "demo-telegram"})
        assert not_wa.status == 422 and not_wa.body["error"]["code"] == "not_whatsapp"
        foreign = call(INBOX, "POST", "/v1/whatsapp-templates", principal=supervisor,
                       body={**body, "account_id": "acme-whatsapp"})
        assert foreign.status == 422
    post_meta(whatsapp_template_payload(DEMO_WABA, template_id="7001", name="recordatorio_cita", language="es_CO",
                                        event="APPROVED"))
    listed = call(INBOX, "GET", "/v1/whatsapp-templates", principal=agent1,
                  query={"account_id": "demo-whatsapp", "status": "approved"}).body["items"]
    assert {"seguimiento", "recordatorio_cita"} <= {t["name"] for t in listed}
    assert all(t["status"] == "approved" for t in listed)
    assert call(INBOX, "GET", f"/v1/whatsapp-templates/{created.body['id']}", principal=acme).status == 404
    with respx.mock() as mock:
        mock.delete(f"https://graph.facebook.com/v21.0/{DEMO_WABA}/message_templates").mock(
            return_value=httpx.Response(200, json={"success": True}))
        assert call(INBOX, "DELETE", f"/v1/whatsapp-templates/{created.body['id']}", principal=supervisor).status == 204


def test_quick_replies_with_merge_fields_and_preview(demo):
    supervisor, agent1 = demo["supervisor@demo.local"], demo["agent1@demo.local"]
    conversation_id = customer_writes("Hola", wa_id="573102000003", name="María José Pérez", message_id="wamid.QR1")
    created = call(INBOX, "POST", "/v1/quick-replies", principal=supervisor, body={
        "shortcut": "gracias", "title": "Agradecimiento",
        "text": "Gracias {{contact.first_name}} ({{ contact.name }}), te atendió {{agent.name}} de {{brand.name}}. "
                "Código: {{contact.custom.codigo_cliente}}.",
        "attachments": [{"type": "image", "url": "https://cdn.example.com/gracias.png"},
                        {"type": "document", "url": "https://cdn.example.com/guia.pdf", "mime_type": "application/pdf"},
                        {"type": "video", "s3_key": "demo/videos/bienvenida.mp4"}]})
    assert created.status == 201, created.body
    assert "contact.first_name" in created.body["merge_fields"]
    reply_id = created.body["id"]
    preview = call(INBOX, "POST", f"/v1/quick-replies/{reply_id}/preview", principal=agent1,
                   body={"conversation_id": conversation_id})
    assert preview.status == 200, preview.body
    assert preview.body["text"] == ("Gracias María (María José Pérez), te atendió Andrés Agente de Demo. Código: .")
    assert [a["type"] for a in preview.body["attachments"]] == ["image", "document", "video"]
    assert preview.body["attachments"][2]["url"].startswith("http")
    # Unknown merge fields: 422 naming them, on save and on edit
    bad = call(INBOX, "POST", "/v1/quick-replies", principal=supervisor,
               body={"shortcut": "malo", "text": "Hola {{contact.frist_name}} y {{cliente.nombre}}"})
    assert bad.status == 422 and bad.body["error"]["code"] == "unknown_merge_fields"
    assert {d["merge_field"] for d in bad.body["error"]["details"]} == {"contact.frist_name", "cliente.nombre"}
    assert call(INBOX, "PATCH", f"/v1/quick-replies/{reply_id}", principal=supervisor,
                body={"text": "{{agente.nombre}}"}).status == 422
    # Content rules, search by shortcut, agents read but do not edit, another brand sees nothing
    assert call(INBOX, "POST", "/v1/quick-replies", principal=supervisor, body={"shortcut": "vacio"}).status == 422
    assert call(INBOX, "POST", "/v1/quick-replies", principal=supervisor, body={
        "shortcut": "pdf", "attachments": [{"type": "document", "url": "https://x.example/a.doc",
                                            "mime_type": "application/msword"}]}).status == 422
    found = call(INBOX, "GET", "/v1/quick-replies", principal=agent1, query={"q": "gracias"}).body["items"]
    assert [r["id"] for r in found] == [reply_id]
    assert call(INBOX, "DELETE", f"/v1/quick-replies/{reply_id}", principal=agent1).status == 403
    assert call(INBOX, "GET", f"/v1/quick-replies/{reply_id}", principal=demo["admin@acme.local"]).status == 404
    assert call(INBOX, "POST", f"/v1/quick-replies/{reply_id}/preview", principal=demo["admin@acme.local"],
                body={"conversation_id": conversation_id}).status == 404
    # The agent sends the rendered reply
    assert action(agent1, conversation_id, "take").status == 200
    sent = call(CONVERSATIONS, "POST", f"/v1/conversations/{conversation_id}/messages", principal=agent1,
                body={"text": preview.body["text"]})
    assert sent.status == 202
    assert call(INBOX, "DELETE", f"/v1/quick-replies/{reply_id}", principal=supervisor).status == 204
