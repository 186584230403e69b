"""Demo data for the local runtime: idempotent, seeded through the same services the API uses.

Brands `demo` (America/Bogota, CO) and `acme`; one user per built-in role; the demo channel
accounts for every provider; the platform's Meta app. Every demo password is Demo-pass-2026.
"""

from __future__ import annotations

import json
from contextlib import suppress
from typing import Any

from infra.local import seed_inbox

DEMO_PASSWORD = "Demo-pass-2026"

BRANDS = (
    {"tenant_id": "demo", "name": "Demo", "time_zone": "America/Bogota", "default_country": "CO"},
    {"tenant_id": "acme", "name": "Acme", "time_zone": "America/Mexico_City", "default_country": "MX"},
)

USERS = (
    ("demo", "admin@demo.local", "Ana Admin", "admin"),
    ("demo", "supervisor@demo.local", "Sofía Supervisora", "supervisor"),
    ("demo", "agent1@demo.local", "Andrés Agente", "agent"),
    ("demo", "agent2@demo.local", "Alejandra Agente", "agent"),
    ("demo", "operator@demo.local", "Óscar Operador", "operator"),
    # Campaigns only (issue 14's "done when" is a marketer): no inbox, no admin.
    ("demo", "marketer@demo.local", "Marta Mercadeo", "marketing"),
    # The only one who can make (or manage) other super-admins: someone has to exist from the start.
    ("demo", "superadmin@demo.local", "Sara Superadmin", "super_admin"),
    ("acme", "admin@acme.local", "Alex Acme", "admin"),
)

META_APP = {"app_id": "demo-meta-app", "app_secret": "demo-meta-secret", "verify_token": "demo-verify-token"}

CHANNEL_ACCOUNTS: tuple[tuple[str, dict[str, Any]], ...] = (
    (
        "demo",
        {
            "id": "demo-whatsapp",
            "channel": "whatsapp",
            "name": "WhatsApp Demo",
            "external": {
                "phone_number_id": "100000000000001",
                "waba_id": "200000000000001",
                "meta_app_id": "demo-meta-app",
                "display_phone_number": "+57 601 0000001",
            },
            "credentials": {"access_token": "demo-whatsapp-token"},
        },
    ),
    (
        "acme",
        {
            "id": "acme-whatsapp",
            "channel": "whatsapp",
            "name": "WhatsApp Acme",
            "external": {
                "phone_number_id": "100000000000002",
                "waba_id": "200000000000002",
                "meta_app_id": "demo-meta-app",
                "display_phone_number": "+52 55 0000 0002",
            },
            "credentials": {"access_token": "acme-whatsapp-token"},
        },
    ),
    (
        "demo",
        {
            "id": "demo-messenger",
            "channel": "messenger",
            "name": "Facebook Demo",
            "external": {"page_id": "300000000000001", "meta_app_id": "demo-meta-app"},
            "credentials": {"page_access_token": "demo-page-token"},
        },
    ),
    (
        "demo",
        {
            "id": "demo-instagram",
            "channel": "instagram",
            "name": "Instagram Demo",
            "external": {"instagram_account_id": "400000000000001", "meta_app_id": "demo-meta-app"},
            "credentials": {"page_access_token": "demo-instagram-token"},
        },
    ),
    (
        "demo",
        {
            "id": "demo-telegram",
            "channel": "telegram",
            "name": "Telegram Demo",
            "external": {"bot_username": "skailan_demo_bot"},
            "credentials": {
                "bot_token": "123456:demo-telegram-bot-token",
                "secret_token": "demo-telegram-secret",
            },
        },
    ),
    (
        "demo",
        {
            "id": "demo-twilio",
            "channel": "sms",
            "name": "SMS Demo",
            "external": {"phone_number": "+15005550006"},
            "credentials": {
                "account_sid": "ACdemo00000000000000000000000000",
                "auth_token": "demo-twilio-token",
            },
        },
    ),
    (
        "demo",
        {
            "id": "demo-email",
            "channel": "email",
            "name": "Soporte Demo",
            "external": {"address": "soporte@demo.local"},
        },
    ),
    (
        "demo",
        {
            "id": "demo-widget",
            "channel": "webchat",
            "name": "Chat web Demo",
            "config": {
                "allowed_origins": ["http://127.0.0.1:3000", "http://localhost:3000"],
                "prechat_fields": ["name", "email"],
            },
        },
    ),
)


def seed_meta_app() -> None:
    from botocore.exceptions import ClientError

    from skailan.platform.aws import client
    from skailan.platform.settings import get_settings

    name = f"{get_settings().secrets_prefix}/meta-apps/{META_APP['app_id']}"
    secret = json.dumps({"app_secret": META_APP["app_secret"], "verify_token": META_APP["verify_token"]})
    try:
        client("secretsmanager").create_secret(Name=name, SecretString=secret)
    except ClientError as err:
        if err.response["Error"]["Code"] != "ResourceExistsException":
            raise


def verify_mail_sender() -> None:
    from skailan.platform.aws import client

    ses = client("ses")
    for domain in ("skailan.local", "demo.local", "acme.local"):
        ses.verify_domain_identity(Domain=domain)


def seed_data() -> None:
    from skailan.platform.errors import Conflict
    from skailan.tenancy import brands, channel_accounts, members
    from skailan.tenancy.models import ChannelAccountIn

    verify_mail_sender()
    seed_meta_app()
    for brand in BRANDS:
        brands.create_brand(
            brand["tenant_id"],
            brand["name"],
            time_zone=brand["time_zone"],
            default_country=brand["default_country"],
        )
    for tenant_id, email, name, role in USERS:
        with suppress(Conflict):  # already seeded
            members.add_member(tenant_id, email, name, role, password=DEMO_PASSWORD)
    for tenant_id, account in CHANNEL_ACCOUNTS:
        with suppress(Conflict):
            channel_accounts.create_account(None, tenant_id, ChannelAccountIn.model_validate(account))
    seed_inbox.seed_demo()  # support team, quick replies, templates
    __import__("skailan.leads.demo", fromlist=["seed_demo"]).seed_demo()  # note templates, a queue of leads
    __import__("skailan.automations.demo", fromlist=["seed_demo"]).seed_demo()  # "Llamar nuevamente" → task


def banner_lines() -> list[str]:
    lines = ["Demo credentials (password for all: Demo-pass-2026):"]
    lines += [f"  {email:<24} {role:<11} brand {tenant_id}" for tenant_id, email, _, role in USERS]
    lines += [
        "Meta app demo-meta-app: secret demo-meta-secret, verify token demo-verify-token",
        "Telegram demo-telegram (secret demo-telegram-secret); Twilio demo-twilio (token demo-twilio-token)",
        "E-mail soporte@demo.local; web chat widget demo-widget",
        "Sent e-mail (invitations): GET /_local/mail",
        "Many conversations at once (benches): POST /_local/seed/conversations {count}",
        "Fake providers: GET /_local/outbox · POST /_local/faults {provider,status,count} · "
        "POST /_local/email {from,to,subject,text}",
    ]
    return lines


def fake_provider_directory() -> Any:
    """What the fake providers need to sign delivery callbacks for the seeded accounts."""
    from infra.local.fake_providers import Directory

    directory = Directory(meta_apps={META_APP["app_id"]: META_APP["app_secret"]})
    for _tenant_id, account in CHANNEL_ACCOUNTS:
        external, credentials = account.get("external", {}), account.get("credentials", {})
        if account["channel"] == "whatsapp":
            directory.whatsapp[external["phone_number_id"]] = (external["meta_app_id"], external["waba_id"])
        elif account["channel"] in ("messenger", "instagram"):
            page = external.get("page_id") or external.get("instagram_account_id")
            directory.pages[page] = (external["meta_app_id"], account["channel"])
        elif account["channel"] == "sms":
            directory.twilio[credentials["account_sid"]] = (credentials["auth_token"], account["id"],
                                                            external["phone_number"])
    return directory


def hold_demo_templates(fake: Any) -> None:
    """The fake Meta holds the WhatsApp templates the seed registers (Settings → "Sincronizar")."""
    for _tenant_id, account in CHANNEL_ACCOUNTS:
        if account["channel"] == "whatsapp":
            fake.hold_templates(account["external"]["waba_id"], seed_inbox.meta_templates(account["id"]))


def start_fake_providers(runtime: Any) -> Any:
    """The fake WhatsApp/Graph/Telegram/Twilio/SNS server; the handlers' provider URLs point at it."""
    import os

    from infra.local.fake_providers import FakeProviders
    from skailan.platform.settings import get_settings

    fake = FakeProviders(fake_provider_directory(), webhook_base=lambda: runtime.url).start()
    save = getattr(runtime, "_save_environment", None)  # so runtime.stop() restores these too
    for name in fake.environment():
        if save is not None:
            save(name)
    os.environ.update(fake.environment())
    if save is not None:
        save("CAMPAIGN_LINKS_URL")
    os.environ["CAMPAIGN_LINKS_URL"] = runtime.url  # campaign e-mail links point at this runtime
    get_settings.cache_clear()
    hold_demo_templates(fake)  # after the settings it may import the layer with
    for method, path, fn in fake.routes():
        runtime.add_local_route(method, path, fn)
    fake.watch_campaign_mail(_ses_sent_messages)
    return fake


def _ses_sent_messages() -> list[Any]:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    from skailan.platform.settings import get_settings

    from .moto_remote import call, remote_endpoint
    from .ses_mail import as_message

    region = get_settings().model_dump().get("region") or "us-east-1"
    if remote_endpoint():  # moto in its own process: its backend is read there
        return [as_message(entry) for entry in call("GET", f"/_skailan/ses/sent?region={region}&headers=1")["items"]]
    return list(ses_backends[DEFAULT_ACCOUNT_ID][region].sent_messages)


def local_mail() -> list[dict[str, Any]]:
    """E-mail SES accepted in the runtime's moto (invitation links live here locally)."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    from skailan.platform.settings import get_settings

    from .moto_remote import call, remote_endpoint
    from .ses_mail import _mail_entry

    region = get_settings().model_dump().get("region") or "us-east-1"
    if remote_endpoint():  # moto in its own process: it reads its backend for us
        return list(call("GET", f"/_skailan/ses/sent?region={region}")["items"])
    backend = ses_backends[DEFAULT_ACCOUNT_ID][region]
    return [_mail_entry(m) for m in backend.sent_messages]


def seed(runtime: Any) -> list[str]:
    seed_data()
    if hasattr(runtime, "add_local_route"):
        runtime.add_local_route("GET", "/_local/mail", lambda _request: (200, {}, {"items": local_mail()}))
        from infra.local import seed_conversations

        runtime.add_local_route("POST", "/_local/seed/conversations", seed_conversations.route)
        start_fake_providers(runtime)
    return banner_lines()
