"""The local fake providers answer channel setup (credential checks, webhook registration) in
the providers' documented shapes, so `make run` can connect and edit accounts end to end."""

from __future__ import annotations

import pytest

from infra.local.fake_providers import Directory, FakeProviders


@pytest.fixture
def fake(monkeypatch):
    from skailan.platform.settings import get_settings

    providers = FakeProviders(Directory(), webhook_base=lambda: "http://127.0.0.1:3000").start()
    for name, value in providers.environment().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("STAGE", "local")
    get_settings.cache_clear()
    yield providers
    providers.stop()
    get_settings.cache_clear()


def test_good_credentials_pass_and_webhooks_register(fake):
    from skailan.tenancy import channel_setup

    cases = [
        ("whatsapp", {"phone_number_id": "1001", "waba_id": "2001", "meta_app_id": "app"}, {"access_token": "EAAG"}),
        ("messenger", {"page_id": "3001", "meta_app_id": "app"}, {"page_access_token": "EAAP"}),
        ("instagram", {"instagram_account_id": "4001", "meta_app_id": "app"}, {"page_access_token": "EAAI"}),
        ("telegram", {}, {"bot_token": "1:abc", "secret_token": "s"}),
        ("sms", {"phone_number": "+15005550006"}, {"account_sid": "AC1", "auth_token": "tok"}),
    ]
    for channel, external, credentials in cases:
        channel_setup.verify_credentials(channel, external, credentials)
        state = channel_setup.register_webhook(channel, f"acc-{channel}", external, credentials,
                                               "http://127.0.0.1:3000")
        assert state["status"] == "registered", (channel, state)
    calls = {(r["provider"], r["method"], r["path"].split("/")[-1]) for r in fake.outbox()}
    assert ("whatsapp", "POST", "subscribed_apps") in calls and ("telegram", "POST", "setWebhook") in calls
    twilio = [r for r in fake.outbox("twilio") if r["method"] == "POST"]
    assert twilio[-1]["body"] == {"SmsUrl": "http://127.0.0.1:3000/webhooks/twilio/acc-sms", "SmsMethod": "POST"}


@pytest.mark.parametrize(("channel", "external", "credentials", "field"), [
    ("whatsapp", {"phone_number_id": "1001"}, {"access_token": "invalid-token"}, "credentials.access_token"),
    ("telegram", {}, {"bot_token": "1:invalid"}, "credentials.bot_token"),
    ("sms", {}, {"account_sid": "AC1", "auth_token": "invalid"}, "credentials.auth_token"),
])
def test_bad_credentials_are_refused_in_the_providers_words(fake, channel, external, credentials, field):
    from skailan.platform.errors import Unprocessable
    from skailan.tenancy import channel_setup

    with pytest.raises(Unprocessable) as err:
        channel_setup.verify_credentials(channel, external, credentials)
    assert err.value.code == "credentials_invalid" and err.value.details[0]["field"] == field
