"""WhatsApp templates kept in step with Meta: submitted for approval through the Graph API, their
status and quality from Meta's signed webhooks (idempotent, in order), a manual sync that reads
every page, and sends refused until Meta approves. Graph is mocked with respx in Meta's shapes."""

from __future__ import annotations

import json

import httpx
import respx

from infra.local.fake_providers import whatsapp_template_payload
from tests.integration.channels.conftest import ACME_WABA, DEMO_WABA
from tests.integration.inbox.conftest import CONVERSATIONS, INBOX, customer_writes, post_meta
from tests.support import call

GRAPH = "https://graph.facebook.com/v21.0"


def _template(principal, template_id):
    return call(INBOX, "GET", f"/v1/whatsapp-templates/{template_id}", principal=principal)


def _submit(supervisor, name, *, meta_id, body=None, language="es"):
    with respx.mock(assert_all_called=True) as mock:
        route = mock.post(f"{GRAPH}/{DEMO_WABA}/message_templates").mock(return_value=httpx.Response(
            200, json={"id": meta_id, "status": "PENDING", "category": "UTILITY"}))
        created = call(INBOX, "POST", "/v1/whatsapp-templates", principal=supervisor, body=body or {
            "account_id": "demo-whatsapp", "name": name, "language": language, "category": "utility",
            "body": "Hola {{1}}, tu pedido {{2}} va en camino.", "examples": ["Camila", "A-100"]})
    return created, route


def test_create_submits_to_meta_and_the_status_webhooks_decide_idempotently(demo):
    supervisor, agent1 = demo["supervisor@demo.local"], demo["agent1@demo.local"]
    created, route = _submit(supervisor, "pedido_en_camino", meta_id="594425479261596")
    assert created.status == 201, created.body
    assert created.body["status"] == "pending" and created.body["meta_template_id"] == "594425479261596"
    assert created.body["parameters"] == 2
    sent = json.loads(route.calls.last.request.content)
    assert sent == {"name": "pedido_en_camino", "language": "es", "category": "UTILITY", "components": [
        {"type": "BODY", "text": "Hola {{1}}, tu pedido {{2}} va en camino.",
         "example": {"body_text": [["Camila", "A-100"]]}}]}
    assert route.calls.last.request.headers["authorization"].startswith("Bearer ")
    template_id = created.body["id"]

    # Not approved yet: a send is refused before anything is queued
    conversation_id = customer_writes("Hola", wa_id="573104000001", message_id="wamid.TPLSYNC1")
    refused = call(CONVERSATIONS, "POST", f"/v1/conversations/{conversation_id}/messages", principal=agent1,
                   body={"template": {"name": "pedido_en_camino", "language": "es", "parameters": ["Ana", "B-1"]}})
    assert refused.status == 422 and refused.body["error"]["code"] == "template_not_approved"
    assert "no está aprobada" in refused.body["error"]["message"] and "not approved" in refused.body["error"]["message"]

    approved = whatsapp_template_payload(DEMO_WABA, template_id="594425479261596", name="pedido_en_camino",
                                         language="es", event="APPROVED")
    assert post_meta(approved).status == 200
    assert _template(agent1, template_id).body["status"] == "approved"
    ok = call(CONVERSATIONS, "POST", f"/v1/conversations/{conversation_id}/messages", principal=agent1,
              body={"template": {"name": "pedido_en_camino", "language": "es", "parameters": ["Ana", "B-1"]}})
    assert ok.status == 202, ok.body

    # An older change arriving late changes nothing (and publishes nothing); a redelivery of the newest neither
    from skailan.platform.settings import get_settings
    from tests.support import OutboxWatch

    outbox = OutboxWatch(get_settings().inbox_table)
    older = whatsapp_template_payload(DEMO_WABA, template_id="594425479261596", name="pedido_en_camino",
                                      language="es", event="REJECTED", reason="INVALID_FORMAT")
    older["entry"][0]["time"] = approved["entry"][0]["time"] - 60
    assert post_meta(older).status == 200
    assert _template(agent1, template_id).body["status"] == "approved"
    assert outbox.types() == []

    paused = whatsapp_template_payload(DEMO_WABA, template_id="594425479261596", name="pedido_en_camino",
                                       language="es", event="PAUSED")
    paused["entry"][0]["time"] = approved["entry"][0]["time"] + 10
    paused["entry"][0]["changes"][0]["value"]["other_info"] = {"title": "FIRST_PAUSE",
                                                               "description": "Paused for 3 hours: low quality"}
    assert post_meta(paused).status == 200
    assert post_meta(paused).status == 200
    # The change and its event were one write: the redelivery wrote neither
    assert outbox.types() == ["whatsapp_template.status_changed"]
    body = _template(agent1, template_id).body
    assert body["status"] == "paused" and body["status_detail"] == "Paused for 3 hours: low quality"
    refused = call(CONVERSATIONS, "POST", f"/v1/conversations/{conversation_id}/messages", principal=agent1,
                   body={"template": {"name": "pedido_en_camino", "language": "es", "parameters": ["Ana", "B-1"]}})
    assert refused.status == 422 and "paused" in refused.body["error"]["message"]

    quality = whatsapp_template_payload(DEMO_WABA, template_id="594425479261596", name="pedido_en_camino",
                                        language="es", quality="YELLOW", previous_quality="GREEN")
    assert post_meta(quality).status == 200
    assert _template(agent1, template_id).body["quality"] == "yellow"

    # The same template id under another WABA (another brand's app) changes nothing
    foreign = whatsapp_template_payload(ACME_WABA, template_id="594425479261596", name="pedido_en_camino",
                                        language="es", event="APPROVED")
    foreign["entry"][0]["time"] = paused["entry"][0]["time"] + 10
    post_meta(foreign)
    assert _template(agent1, template_id).body["status"] == "paused"

    # Rejected with its reason, shown on the template and in the refusal
    rejected = whatsapp_template_payload(DEMO_WABA, template_id="594425479261596", name="pedido_en_camino",
                                         language="es", event="REJECTED", reason="INCORRECT_CATEGORY")
    rejected["entry"][0]["time"] = paused["entry"][0]["time"] + 20
    assert post_meta(rejected).status == 200
    body = _template(agent1, template_id).body
    assert body["status"] == "rejected" and body["rejected_reason"] == "INCORRECT_CATEGORY"
    refused = call(CONVERSATIONS, "POST", f"/v1/conversations/{conversation_id}/messages", principal=agent1,
                   body={"template": {"name": "pedido_en_camino", "language": "es", "parameters": ["Ana", "B-1"]}})
    assert "INCORRECT_CATEGORY" in refused.body["error"]["message"]


def test_meta_refusals_and_bad_input_leave_nothing_written(demo):
    supervisor = demo["supervisor@demo.local"]
    with respx.mock(assert_all_called=True) as mock:
        mock.post(f"{GRAPH}/{DEMO_WABA}/message_templates").mock(return_value=httpx.Response(400, json={
            "error": {"message": "Invalid parameter", "type": "OAuthException", "code": 100, "error_subcode": 2388024,
                      "error_user_msg": "Content in this language already exists", "fbtrace_id": "A1"}}))
        refused = call(INBOX, "POST", "/v1/whatsapp-templates", principal=supervisor, body={
            "account_id": "demo-whatsapp", "name": "duplicada", "language": "es", "category": "marketing",
            "body": "Hola"})
    assert refused.status == 422 and refused.body["error"]["code"] == "meta_rejected"
    assert _template(supervisor, "demo-whatsapp.duplicada.es").status == 404
    with respx.mock(assert_all_called=True) as mock:
        mock.post(f"{GRAPH}/{DEMO_WABA}/message_templates").mock(return_value=httpx.Response(503, json={
            "error": {"message": "Service unavailable", "type": "OAuthException", "code": 2, "is_transient": True}}))
        down = call(INBOX, "POST", "/v1/whatsapp-templates", principal=supervisor, body={
            "account_id": "demo-whatsapp", "name": "caida", "language": "es", "category": "marketing", "body": "Hola"})
    assert down.status == 502 and down.body["error"]["code"] == "provider_unavailable"
    with respx.mock(assert_all_mocked=True, assert_all_called=False):
        no_body = call(INBOX, "POST", "/v1/whatsapp-templates", principal=supervisor, body={
            "account_id": "demo-whatsapp", "name": "vacia", "language": "es", "category": "marketing"})
        assert no_body.status == 422
        by_hand = call(INBOX, "POST", "/v1/whatsapp-templates", principal=supervisor, body={
            "account_id": "demo-whatsapp", "name": "a_mano", "language": "es", "category": "marketing", "body": "Hola",
            "status": "approved"})
        assert by_hand.status == 422  # the status is Meta's, never the caller's
        assert call(INBOX, "PATCH", "/v1/whatsapp-templates/demo-whatsapp.seguimiento.es", principal=supervisor,
                    body={"status": "approved"}).status == 422


def test_sync_reads_every_page_and_reconciles(demo):
    supervisor, acme = demo["supervisor@demo.local"], demo["admin@acme.local"]
    created, _ = _submit(supervisor, "se_fue", meta_id="111")
    assert created.status == 201
    page1 = {"data": [
        {"id": "222", "name": "nueva_remota", "language": "es", "status": "APPROVED", "category": "MARKETING",
         "components": [{"type": "BODY", "text": "Oferta para {{1}}"}], "quality_score": {"score": "GREEN"}}],
        "paging": {"cursors": {"before": "QVFI0", "after": "QVFI1"}, "next": f"{GRAPH}/{DEMO_WABA}/message_templates?after=QVFI1"}}
    page2 = {"data": [
        {"id": "333", "name": "rechazada_remota", "language": "en_US", "status": "REJECTED", "category": "UTILITY",
         "rejected_reason": "INVALID_FORMAT", "components": [{"type": "BODY", "text": "Hi"}]}],
        "paging": {"cursors": {"before": "QVFI1", "after": "QVFI2"}}}
    with respx.mock(assert_all_called=True) as mock:
        listing = mock.get(f"{GRAPH}/{DEMO_WABA}/message_templates").mock(
            side_effect=[httpx.Response(200, json=page1), httpx.Response(200, json=page2)])
        synced = call(INBOX, "POST", "/v1/whatsapp-templates/sync", principal=supervisor,
                      body={"account_id": "demo-whatsapp"})
    assert synced.status == 200, synced.body
    assert listing.calls[1].request.url.params["after"] == "QVFI1"
    # Earlier tests of this module left other Meta-known templates, also gone from this listing
    assert synced.body["created"] == 2 and synced.body["removed"] >= 1 and synced.body["seen"] == 2
    assert "demo-whatsapp.seguimiento.es" in synced.body["unmatched"]  # seeded here, never seen at Meta
    assert _template(supervisor, "demo-whatsapp.se_fue.es").status == 404
    remote = _template(supervisor, "demo-whatsapp.nueva_remota.es").body
    assert remote["status"] == "approved" and remote["parameters"] == 1 and remote["quality"] == "green"
    rejected = _template(supervisor, "demo-whatsapp.rechazada_remota.en_US").body
    assert rejected["status"] == "rejected" and rejected["rejected_reason"] == "INVALID_FORMAT"
    # A synced template follows the webhooks too
    paused = whatsapp_template_payload(DEMO_WABA, template_id="222", name="nueva_remota", language="es", event="PAUSED")
    assert post_meta(paused).status == 200
    assert _template(supervisor, "demo-whatsapp.nueva_remota.es").body["status"] == "paused"
    # Another brand: its ids are 404 here, ours are 404 there
    assert call(INBOX, "POST", "/v1/whatsapp-templates/sync", principal=supervisor,
                body={"account_id": "acme-whatsapp"}).status == 404
    assert call(INBOX, "POST", "/v1/whatsapp-templates/sync", principal=acme,
                body={"account_id": "demo-whatsapp"}).status == 404
    assert _template(acme, "demo-whatsapp.nueva_remota.es").status == 404
    assert call(INBOX, "PATCH", "/v1/whatsapp-templates/demo-whatsapp.nueva_remota.es", principal=acme,
                body={"body": "x"}).status == 404
    assert call(INBOX, "DELETE", "/v1/whatsapp-templates/demo-whatsapp.nueva_remota.es", principal=acme).status == 404
    assert call(INBOX, "POST", "/v1/whatsapp-templates/sync", principal=supervisor,
                body={"account_id": "demo-whatsapp", "extra": 1}).status == 422
    # Delete: at Meta (name + hsm_id), then here
    with respx.mock(assert_all_called=True) as mock:
        deleted = mock.delete(f"{GRAPH}/{DEMO_WABA}/message_templates").mock(
            return_value=httpx.Response(200, json={"success": True}))
        assert call(INBOX, "DELETE", "/v1/whatsapp-templates/demo-whatsapp.nueva_remota.es",
                    principal=supervisor).status == 204
    assert dict(deleted.calls.last.request.url.params) == {"name": "nueva_remota", "hsm_id": "222"}
    assert _template(supervisor, "demo-whatsapp.nueva_remota.es").status == 404


def test_an_edit_is_resubmitted_and_pending_again(demo):
    supervisor = demo["supervisor@demo.local"]
    created, _ = _submit(supervisor, "editable", meta_id="444")
    post_meta(whatsapp_template_payload(DEMO_WABA, template_id="444", name="editable", language="es", event="APPROVED"))
    assert _template(supervisor, created.body["id"]).body["status"] == "approved"
    with respx.mock(assert_all_called=True) as mock:
        edit = mock.post(f"{GRAPH}/444").mock(return_value=httpx.Response(200, json={"success": True}))
        edited = call(INBOX, "PATCH", f"/v1/whatsapp-templates/{created.body['id']}", principal=supervisor,
                      body={"body": "Hola {{1}}, gracias."})
    assert edited.status == 200, edited.body
    assert edited.body["status"] == "pending" and edited.body["parameters"] == 1
    assert json.loads(edit.calls.last.request.content)["components"][0]["text"] == "Hola {{1}}, gracias."
