"""The local fake Graph API's WhatsApp templates: create → PENDING → a review webhook signed as
Meta signs, paginated listing per WABA, delete, duplicate names and injected faults."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from infra.local.fake_providers import Directory, FakeProviders, meta_signature

WABA = "200000000000001"


class _Webhooks:
    """A stand-in for the API's /webhooks/meta/<app>: records what the fake posts."""

    def __init__(self) -> None:
        self.received: list[tuple[str, dict[str, Any], str]] = []
        self.arrived = threading.Event()
        hooks = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args: Any) -> None:
                pass

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                hooks.received.append((self.path, json.loads(raw), self.headers["X-Hub-Signature-256"]))
                hooks.raw = raw
                hooks.arrived.set()
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.raw = b""
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"


@pytest.fixture
def fake() -> Iterator[tuple[FakeProviders, _Webhooks]]:
    hooks = _Webhooks()
    directory = Directory(meta_apps={"app-1": "secret-1"}, whatsapp={"100": ("app-1", WABA)})
    providers = FakeProviders(directory, webhook_base=lambda: hooks.url, status_delay=0).start()
    yield providers, hooks
    providers.stop()
    hooks.server.shutdown()


def test_the_fake_graph_reviews_lists_and_deletes_templates(fake: tuple[FakeProviders, _Webhooks]) -> None:
    providers, hooks = fake
    base = f"{providers.url}/graph/v21.0/{WABA}/message_templates"
    body = {"name": "pedido", "language": "es", "category": "UTILITY", "components": [{"type": "BODY", "text": "Hola"}]}
    created = httpx.post(base, json=body)
    assert created.status_code == 200 and created.json()["status"] == "PENDING"
    template_id = created.json()["id"]
    assert httpx.post(base, json=body).json()["error"]["error_subcode"] == 2388024  # same name and language
    # Meta's review arrives on the app's webhook, signed with the app secret
    assert hooks.arrived.wait(5)
    path, payload, signature = hooks.received[0]
    assert path == "/webhooks/meta/app-1" and signature == meta_signature(hooks.raw, "secret-1")
    change = payload["entry"][0]["changes"][0]
    assert change["field"] == "message_template_status_update" and payload["entry"][0]["id"] == WABA
    assert change["value"]["event"] == "APPROVED" and str(change["value"]["message_template_id"]) == template_id
    for name in ("otra", "tercera"):
        httpx.post(base, json={**body, "name": name})
    first = httpx.get(base, params={"limit": 2}).json()
    assert [t["name"] for t in first["data"]] == ["pedido", "otra"] and first["data"][0]["status"] == "APPROVED"
    second = httpx.get(base, params={"limit": 2, "after": first["paging"]["cursors"]["after"]}).json()
    assert [t["name"] for t in second["data"]] == ["tercera"] and "next" not in second["paging"]
    assert httpx.get(f"{providers.url}/graph/v21.0/999/message_templates").json()["data"] == []  # another WABA
    providers.add_fault("whatsapp", 503)
    assert httpx.get(base).status_code == 503
    assert httpx.request("DELETE", base, params={"name": "pedido", "hsm_id": template_id}).json() == {"success": True}
    assert httpx.request("DELETE", base, params={"name": "pedido"}).status_code == 404
    quality = providers.template_webhook(second["data"][0]["id"], quality="YELLOW")
    assert quality["entry"][0]["changes"][0]["field"] == "message_template_quality_update"


def test_a_fault_for_one_recipient_is_taken_only_by_a_call_to_that_recipient(
        fake: tuple[FakeProviders, _Webhooks]) -> None:
    providers, _hooks = fake
    providers.add_fault("whatsapp", 503, to="573000000002")

    def send(to: str) -> int:
        return httpx.post(f"{providers.url}/graph/v21.0/100/messages", json={
            "messaging_product": "whatsapp", "to": to, "type": "text", "text": {"body": "hola"}}).status_code

    assert send("573000000001") == 200  # another customer's message does not take it
    assert send("573000000002") == 503
    assert send("573000000002") == 200


def test_a_sync_in_the_demo_finds_the_seeded_templates_and_changes_nothing_wrongly(demo, monkeypatch) -> None:
    """The runtime's fake Meta holds the templates the demo seed registers (Settings → WhatsApp
    templates → "Sincronizar"): the sync links each to its Meta id and keeps what the seed stored."""
    from infra.local import seed, seed_inbox
    from skailan.platform.settings import get_settings
    from tests.support import call

    providers = FakeProviders(seed.fake_provider_directory(), webhook_base=lambda: "http://127.0.0.1:9",
                              status_delay=0).start()
    try:
        seed.hold_demo_templates(providers)
        for name, value in providers.environment().items():
            monkeypatch.setenv(name, value)
        get_settings.cache_clear()
        supervisor, acme = demo["supervisor@demo.local"], demo["admin@acme.local"]

        def templates(principal: Any, account_id: str) -> dict[str, dict[str, Any]]:
            listed = call("api/inbox", "GET", "/v1/whatsapp-templates", principal=principal,
                          query={"account_id": account_id})
            assert listed.status == 200, listed.body
            return {t["name"]: t for t in listed.body["items"]}

        before = templates(supervisor, "demo-whatsapp")
        assert {t["name"] for t in seed_inbox.TEMPLATES} <= set(before)
        synced = call("api/inbox", "POST", "/v1/whatsapp-templates/sync", principal=supervisor,
                      body={"account_id": "demo-whatsapp"})
        assert synced.status == 200, synced.body
        assert synced.body["seen"] == len(seed_inbox.TEMPLATES) and synced.body["created"] == 0
        assert synced.body["removed"] == 0 and synced.body["unmatched"] == []
        after = templates(supervisor, "demo-whatsapp")
        for seeded in seed_inbox.TEMPLATES:
            was, now = before[seeded["name"]], after[seeded["name"]]
            assert now["meta_template_id"] and not was["meta_template_id"]
            assert {k: now[k] for k in ("status", "category", "body", "parameters", "language")} == \
                   {k: was[k] for k in ("status", "category", "body", "parameters", "language")}
            assert now["status"] == seeded["status"] and now["body"] == seeded["body"]
        again = call("api/inbox", "POST", "/v1/whatsapp-templates/sync", principal=supervisor,
                     body={"account_id": "demo-whatsapp"})
        assert again.status == 200 and again.body["updated"] == 0 and again.body["created"] == 0
        # the fake holds nothing for the other brand's WABA: its sync sees none of demo's
        other = call("api/inbox", "POST", "/v1/whatsapp-templates/sync", principal=acme,
                     body={"account_id": "acme-whatsapp"})
        assert other.status == 200 and other.body["seen"] == 0
    finally:
        providers.stop()
        get_settings.cache_clear()
