"""Sending accounts, their approved WhatsApp templates and the brand's e-mail templates, as the
campaign editor needs them.

The admin list of channel accounts (`admin:view`) and both template registries (`conversations:view`)
are closed to the marketing role; these read the same data for anyone with `campaigns:view`,
without credentials or webhook details."""

from __future__ import annotations

from typing import Any

from skailan.campaigns.models import CampaignEmailTemplateOut, Page, SenderOut, SenderTemplateOut

CHANNELS = ("sms", "whatsapp", "email")
# Where each channel's account keeps what recipients see (tenancy channel account `external`).
ADDRESS_KEYS = ("display_phone_number", "phone_number", "address")


def _sender(account: Any) -> SenderOut:
    external = account.external or {}
    address = next((external[k] for k in ADDRESS_KEYS if external.get(k)), None)
    limit = None
    if account.channel == "whatsapp":
        raw = (account.config or {}).get("messaging_limit", 250)
        limit = raw if raw == "unlimited" else int(raw)
    return SenderOut(id=account.id, channel=account.channel, name=account.name, address=address,
                     messaging_limit=limit)


def senders(tenant_id: str, channel: str | None) -> Page[SenderOut]:
    from skailan.tenancy import channel_accounts

    out: list[SenderOut] = []
    cursor: str | None = None
    while True:  # a brand has a handful of accounts: one or two pages of one partition
        page = channel_accounts.list_accounts(tenant_id, cursor=cursor, limit=100)
        out += [_sender(a) for a in page.items
                if a.channel in CHANNELS and (channel is None or a.channel == channel) and a.status == "active"]
        cursor = page.next_cursor
        if not cursor:
            return Page[SenderOut](items=out)


def sender_templates(tenant_id: str, account_id: str) -> Page[SenderTemplateOut]:
    from skailan.conversations.inbox import templates
    from skailan.platform.errors import NotFound
    from skailan.tenancy import channel_accounts

    account = channel_accounts.get_account(tenant_id, account_id)  # another brand's id: 404
    if account.channel != "whatsapp":
        raise NotFound("Cuenta de WhatsApp no encontrada. / WhatsApp account not found.", code="not_found")
    found = templates.list_templates(tenant_id, account_id=account_id, status="approved").items
    return Page[SenderTemplateOut](items=[
        SenderTemplateOut(name=t.name, language=t.language, category=t.category, body=t.body, parameters=t.parameters)
        for t in found])


def email_templates(tenant_id: str, *, cursor: str | None, limit: int | None) -> Page[CampaignEmailTemplateOut]:
    from skailan.conversations.inbox import mail  # the e-mail module owns the templates; this only reads them

    page = mail.list_templates(tenant_id, cursor=cursor, limit=limit)
    return Page[CampaignEmailTemplateOut](
        items=[CampaignEmailTemplateOut(id=t.id, name=t.name, subject=t.subject, html=t.html, text=t.text)
               for t in page.items],
        next_cursor=page.next_cursor)
