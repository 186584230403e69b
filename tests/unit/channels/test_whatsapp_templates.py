"""WhatsApp templates at Meta: the webhook parser and the Graph client (respx, Meta's shapes)."""

from __future__ import annotations

import httpx
import pytest
import respx

from infra.local.fake_providers import whatsapp_template_payload
from skailan.channels.errors import SendFailure
from skailan.channels.whatsapp import parse
from skailan.channels.whatsapp.templates import TemplateClient, template_updates

WABA = "200000000000001"


def test_status_and_quality_changes_are_parsed_and_left_out_of_the_ingest() -> None:
    status = whatsapp_template_payload(WABA, template_id="594425479261596", name="pedido", language="es",
                                       event="REJECTED", reason="INVALID_FORMAT")
    quality = whatsapp_template_payload(WABA, template_id="594425479261596", name="pedido", language="es",
                                        quality="RED", previous_quality="YELLOW")
    [rejected] = template_updates(status)
    assert (rejected.waba_id, rejected.template_id, rejected.event, rejected.reason) == (
        WABA, "594425479261596", "REJECTED", "INVALID_FORMAT")
    assert rejected.at == status["entry"][0]["time"]
    [red] = template_updates(quality)
    assert red.quality == "RED" and red.event is None
    approved = whatsapp_template_payload(WABA, template_id="1", name="x", language="es", event="APPROVED")
    assert template_updates(approved)[0].reason is None  # Meta sends "NONE"
    assert parse(status) == [] and parse(quality) == []
    # Malformed or foreign parts are skipped, never raised
    assert template_updates({"object": "page", "entry": []}) == []
    broken = {"object": "whatsapp_business_account", "entry": [{"id": WABA, "changes": [
        {"field": "message_template_status_update", "value": {"event": "APPROVED"}},
        {"field": "message_template_status_update", "value": "x"}]}]}
    assert template_updates(broken) == []


def test_the_client_follows_the_after_cursor_and_classifies_failures() -> None:
    with respx.mock(assert_all_called=True) as mock:
        route = mock.get(f"https://graph.test/v21.0/{WABA}/message_templates").mock(side_effect=[
            httpx.Response(200, json={"data": [{"id": "1", "name": "a"}], "paging": {
                "cursors": {"before": "B", "after": "A1"}, "next": "https://graph.test/next"}}),
            httpx.Response(200, json={"data": [{"id": "2", "name": "b"}], "paging": {"cursors": {"before": "A1", "after": "A2"}}}),
        ])
        client = TemplateClient(httpx.Client(), waba_id=WABA, access_token="tok", base_url="https://graph.test/v21.0")
        pages = list(client.pages(limit=1))
    assert [[t["id"] for t in page] for page in pages] == [["1"], ["2"]]
    assert route.calls[1].request.url.params["after"] == "A1"
    assert route.calls[0].request.headers["authorization"] == "Bearer tok"
    with respx.mock() as mock:
        mock.post(f"https://graph.test/v21.0/{WABA}/message_templates").mock(return_value=httpx.Response(
            400, json={"error": {"message": "(#100) Invalid parameter", "type": "OAuthException", "code": 100}}))
        with pytest.raises(SendFailure) as failure:
            client.create(name="a", language="es", category="utility", components=[{"type": "BODY", "text": "x"}])
    assert failure.value.permanent and failure.value.code == "100"
