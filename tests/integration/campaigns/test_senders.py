"""The campaign editor's look-ups: sending accounts and approved WhatsApp templates for anyone with
`campaigns:view` — the marketing role, which has neither `admin:view` nor `conversations:view` —
never another brand's, never credentials."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support import Principal, call

API = "api/campaigns"


@pytest.fixture
def marketer(demo: dict[str, Principal]) -> Principal:
    from skailan.tenancy import cognito, members

    email = "marketing.senders@demo.local"
    if not cognito.find_user_sub(email):
        members.add_member("demo", email, "Marta Mercadeo", "marketing", password="Demo-pass-2026")
    return Principal(sub=cognito.find_user_sub(email) or "", email=email, tenant="demo")


def _ids(body: dict[str, Any]) -> list[str]:
    return [item["id"] for item in body["items"]]


def test_a_marketer_lists_sending_accounts_by_channel_without_admin_access(demo, marketer):
    # the admin list stays closed to the marketing role …
    assert call("api/admin", "GET", "/v1/admin/channel-accounts", principal=marketer).status == 403
    # … the editor's list is open to it, per channel, with what recipients see and no secrets
    every = call(API, "GET", "/v1/campaigns/senders", principal=marketer)
    assert every.status == 200, every.body
    assert {"demo-twilio", "demo-whatsapp", "demo-email"} <= set(_ids(every.body))
    assert {i["channel"] for i in every.body["items"]} <= {"sms", "whatsapp", "email"}  # no telegram, no widget
    sms = call(API, "GET", "/v1/campaigns/senders", principal=marketer, query={"channel": "sms"}).body
    assert sms["items"] == [{"id": "demo-twilio", "channel": "sms", "name": "SMS Demo", "address": "+15005550006",
                             "messaging_limit": None}]
    (whatsapp,) = [i for i in every.body["items"] if i["id"] == "demo-whatsapp"]
    assert whatsapp["address"] == "+57 601 0000001" and whatsapp["messaging_limit"] in (250, 2000, 10000, 100000, "unlimited")
    assert "credentials" not in str(every.body) and "token" not in str(every.body)
    # another brand's accounts never show
    acme = call(API, "GET", "/v1/campaigns/senders", principal=demo["admin@acme.local"]).body
    assert not {"demo-twilio", "demo-whatsapp"} & set(_ids(acme))


def test_disabled_accounts_are_not_offered(demo, marketer):
    admin = demo["admin@demo.local"]
    assert call("api/admin", "POST", "/v1/admin/channel-accounts/demo-twilio/disable", principal=admin).status == 200
    try:
        sms = call(API, "GET", "/v1/campaigns/senders", principal=marketer, query={"channel": "sms"}).body
        assert "demo-twilio" not in _ids(sms)
    finally:
        assert call("api/admin", "POST", "/v1/admin/channel-accounts/demo-twilio/enable", principal=admin).status == 200


def test_approved_templates_of_an_account_for_a_marketer(demo, marketer):
    reply = call(API, "GET", "/v1/campaigns/senders/demo-whatsapp/templates", principal=marketer)
    assert reply.status == 200, reply.body
    names = {(t["name"], t["language"]) for t in reply.body["items"]}
    assert {("seguimiento", "es"), ("bienvenida", "es")} <= names
    assert ("promo_navidad", "es") not in names  # pending at Meta: not usable yet
    (welcome,) = [t for t in reply.body["items"] if t["name"] == "bienvenida"]
    assert welcome == {"name": "bienvenida", "language": "es", "category": "marketing",
                       "body": "¡Bienvenido a Demo, {{1}}!", "parameters": 1}


def test_templates_of_another_brand_or_a_non_whatsapp_account_are_404(demo, marketer):
    other = call(API, "GET", "/v1/campaigns/senders/demo-whatsapp/templates", principal=demo["admin@acme.local"])
    assert other.status == 404, other.body
    assert other.body["error"]["code"].endswith("not_found") and " / " in other.body["error"]["message"]
    assert call(API, "GET", "/v1/campaigns/senders/demo-twilio/templates", principal=marketer).status == 404
    assert call(API, "GET", "/v1/campaigns/senders/no-such-account/templates", principal=marketer).status == 404


def test_permissions_and_strict_query(demo):
    # agents and operators have no campaigns permission
    assert call(API, "GET", "/v1/campaigns/senders", principal=demo["agent1@demo.local"]).status == 403
    assert call(API, "GET", "/v1/campaigns/senders/demo-whatsapp/templates",
                principal=demo["operator@demo.local"]).status == 403
    admin = demo["admin@demo.local"]
    assert call(API, "GET", "/v1/campaigns/senders", principal=admin, query={"channel": "telegram"}).status == 422
    assert call(API, "GET", "/v1/campaigns/senders", principal=admin, query={"surprise": "1"}).status in (400, 422)
