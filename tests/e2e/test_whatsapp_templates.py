"""WhatsApp templates through the local runtime: a template submitted through the API reaches the
fake Graph API as PENDING, the fake's signed review webhook approves it, a sync reads it back, an
injected Graph failure is a readable 502 and another brand's template is 404."""

from __future__ import annotations

import uuid

import pytest

from tests.e2e.conftest import login
from tests.e2e.test_channels import DEMO_WABA, eventually, outbox

pytestmark = pytest.mark.e2e


def test_a_template_is_reviewed_by_meta_and_synced(client):
    supervisor, acme = login(client, "supervisor@demo.local"), login(client, "admin@acme.local")
    name = f"aviso_{uuid.uuid4().hex[:8]}"
    created = client.post("/v1/whatsapp-templates", headers=supervisor, json={
        "account_id": "demo-whatsapp", "name": name, "language": "es", "category": "utility",
        "body": "Hola {{1}}, tu pedido está listo."})
    assert created.status_code == 201, created.text
    assert created.json()["status"] == "pending"
    template_id = created.json()["id"]
    submitted = [c for c in outbox(client, "whatsapp") if c["path"].endswith("/message_templates")
                 and (c["body"] or {}).get("name") == name]
    assert submitted and submitted[0]["response"]["status"] == "PENDING"
    # Meta's review, posted now as its signed webhook (the fake also posts one a moment later
    # from its callback queue, which other tests of a long session may keep busy).
    meta_id = submitted[0]["response"]["id"]
    assert client.post("/_local/whatsapp-templates", json={"template_id": meta_id, "event": "APPROVED"}).status_code == 200
    approved = eventually(lambda: client.get(f"/v1/whatsapp-templates/{template_id}", headers=supervisor)
                          .json()["status"] == "approved")
    assert approved
    assert client.get(f"/v1/whatsapp-templates/{template_id}", headers=acme).status_code == 404

    synced = client.post("/v1/whatsapp-templates/sync", headers=supervisor, json={"account_id": "demo-whatsapp"})
    assert synced.status_code == 200, synced.text
    assert synced.json()["seen"] >= 1
    assert synced.json()["unmatched"] == []  # the fake Meta holds the seeded templates too
    seeded = client.get("/v1/whatsapp-templates", headers=supervisor, params={"account_id": "demo-whatsapp"}).json()
    assert {t["name"]: t["status"] for t in seeded["items"] if t["meta_template_id"]}.get("seguimiento") == "approved"
    assert client.get(f"/v1/whatsapp-templates/{template_id}", headers=supervisor).json()["status"] == "approved"

    assert client.post("/_local/faults", json={"provider": "whatsapp", "status": 503, "count": 1,
                                                   "to": DEMO_WABA}).status_code == 200
    down = client.post("/v1/whatsapp-templates/sync", headers=supervisor, json={"account_id": "demo-whatsapp"})
    assert down.status_code == 502 and down.json()["error"]["code"] == "provider_unavailable"
