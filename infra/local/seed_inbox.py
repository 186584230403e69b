"""Demo inbox data (idempotent), called by the local runtime's seed: the support team (agent1 and
agent2 serving every demo channel account), a few quick replies and approved WhatsApp templates."""

from __future__ import annotations

from contextlib import suppress
from typing import Any

DEMO_TEAM_ID = "soporte"
QUICK_REPLIES = (
    {"shortcut": "saludo", "title": "Saludo",
     "text": "¡Hola {{contact.first_name}}! Soy {{agent.name}} de {{brand.name}}, ¿en qué te puedo ayudar?"},
    {"shortcut": "horario", "title": "Horario de atención",
     "text": "Atendemos de lunes a viernes de 8:00 a 18:00 y los sábados de 9:00 a 13:00."},
    {"shortcut": "catalogo", "title": "Catálogo (PDF)", "text": "Te comparto nuestro catálogo, {{contact.first_name}}.",
     "attachments": [{"type": "document", "url": "https://example.com/catalogo.pdf", "filename": "catalogo.pdf",
                      "mime_type": "application/pdf"}]},
)
TEMPLATES = (
    {"account_id": "demo-whatsapp", "name": "seguimiento", "language": "es", "category": "utility",
     "body": "Hola {{1}}, te escribimos de Demo para continuar con tu solicitud.", "status": "approved"},
    {"account_id": "demo-whatsapp", "name": "bienvenida", "language": "es", "category": "marketing",
     "body": "¡Bienvenido a Demo, {{1}}!", "status": "approved"},
    {"account_id": "demo-whatsapp", "name": "promo_navidad", "language": "es", "category": "marketing",
     "body": "Hola {{1}}, tenemos ofertas para ti.", "status": "pending"},
)


def meta_templates(account_id: str) -> list[dict[str, Any]]:
    """The seeded templates of an account as Meta holds them (Graph's template shape), so a sync in
    the demo finds each one with its seeded category, body and status instead of none."""
    from skailan.conversations.inbox.template_sync import components_for

    return [{"name": t["name"], "language": t["language"], "category": t["category"].upper(),
             "status": t["status"].upper(), "components": components_for(t["body"], None, None)}
            for t in TEMPLATES if t["account_id"] == account_id]


def seed_demo(tenant_id: str = "demo", agent_emails: tuple[str, ...] = ("agent1@demo.local", "agent2@demo.local")) -> None:
    from skailan.conversations.inbox import quick_replies, teams, templates
    from skailan.conversations.inbox.models import QuickReplyIn, TeamIn, WhatsAppTemplateRegistration
    from skailan.platform.auth import Caller
    from skailan.platform.errors import Conflict
    from skailan.tenancy import channel_accounts, cognito

    members = [sub for email in agent_emails if (sub := cognito.find_user_sub(email))]
    accounts, cursor = [], None
    while True:
        page = channel_accounts.list_accounts(tenant_id, cursor=cursor, limit=100)
        accounts += [a.id for a in page.items]
        cursor = page.next_cursor
        if not cursor:
            break
    if teams.find_team(tenant_id, DEMO_TEAM_ID) is None:
        with suppress(Conflict):
            teams.create_team(None, tenant_id, TeamIn(name="Soporte", description="Atención al cliente en todos los canales",
                                                    members=members, channel_accounts=accounts), team_id=DEMO_TEAM_ID)
    system = Caller(tenant_id=tenant_id, principal_id="seed", kind="user", name="Seed")
    if not quick_replies.list_replies(tenant_id, cursor=None, limit=1).items:
        for reply in QUICK_REPLIES:
            quick_replies.create_reply(system, QuickReplyIn.model_validate(reply))
    for template in TEMPLATES:
        with suppress(Conflict):
            templates.register_template(None, tenant_id, WhatsAppTemplateRegistration.model_validate(template))
