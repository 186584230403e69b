"""Issue 11 item 6: a new Messenger / Instagram customer gets their profile name from Meta's
user profile API (cached), not "messenger 8000…"; a refusal keeps the message and the default."""

from __future__ import annotations

import httpx
import pytest
import respx

from infra.local.fake_providers import messenger_message_payload
from tests.integration.channels.conftest import drain, post_meta, purge
from tests.support import call

GRAPH = "https://graph.facebook.com/v21.0"
API = "api/conversations"


@pytest.fixture(autouse=True)
def empty_queue(demo):
    purge("INBOUND_QUEUE_URL")
    yield


def _contact(demo, external_id: str) -> dict:
    items = call(API, "GET", "/v1/conversations", principal=demo["admin@demo.local"]).body["items"]
    return next(c["contact"] for c in items if c["contact"].get("external_id") == external_id)


@pytest.mark.graph_profiles
def test_messenger_and_instagram_customers_get_their_profile_names_once(demo):
    from skailan.conversations.ingest import profiles

    with respx.mock(assert_all_called=True) as mock:
        fb = mock.get(f"{GRAPH}/8200000000000001").mock(return_value=httpx.Response(
            200, json={"first_name": "Laura", "last_name": "Gómez", "id": "8200000000000001"}))
        ig = mock.get(f"{GRAPH}/9200000000000001").mock(return_value=httpx.Response(
            200, json={"name": "Pedro Ruiz", "username": "pedro.ruiz", "id": "9200000000000001"}))
        post_meta(messenger_message_payload("300000000000001", psid="8200000000000001", mid="m_PROF1", text="hola"))
        post_meta(messenger_message_payload("400000000000001", psid="9200000000000001", mid="m_PROF2", text="hola",
                                            instagram=True))
        assert drain() == []
        assert fb.calls.last.request.url.params["fields"] == "first_name,last_name"
        assert fb.calls.last.request.headers["authorization"] == "Bearer demo-page-token"
        assert ig.calls.last.request.url.params["fields"] == "name,username"
        assert _contact(demo, "8200000000000001")["name"] == "Laura Gómez"
        assert _contact(demo, "9200000000000001")["name"] == "Pedro Ruiz"
        # the next message: the cache answers (in the container, then in the table)
        post_meta(messenger_message_payload("300000000000001", psid="8200000000000001", mid="m_PROF3", text="?"))
        assert drain() == []
        profiles.clear_cache()
        assert profiles.profile_name(_account("demo-messenger"), "messenger", "8200000000000001") == "Laura Gómez"
        assert fb.call_count == 1


@pytest.mark.graph_profiles
def test_a_refused_profile_keeps_the_message_and_the_default_name(demo):
    with respx.mock(assert_all_called=True) as mock:
        mock.get(f"{GRAPH}/8200000000000002").mock(return_value=httpx.Response(400, json={
            "error": {"message": "(#230) Requires pages_messaging permission", "type": "OAuthException", "code": 230}}))
        post_meta(messenger_message_payload("300000000000001", psid="8200000000000002", mid="m_PROF4", text="hola"))
        assert drain() == []
    contact = _contact(demo, "8200000000000002")
    assert contact["name"] == "messenger 8200000000000002"


def _account(account_id: str):
    from skailan.conversations import accounts

    account = accounts.account("demo", account_id)
    assert account is not None
    return account
