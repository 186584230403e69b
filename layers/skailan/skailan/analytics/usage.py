"""Usage: messages consumed per channel and month, per sender, and the WhatsApp charges.

The analytics worker counts each `message.received` / `message.queued` in the brand's local
month (`store.usage_key`) in the same transaction as the event's seen marker (exactly once);
an outbound WhatsApp message is also priced and debited (`credits.plan_debit`). A month's usage
is ONE Query (`…#US#<YYYY-MM>`), whatever the volume.
"""

from __future__ import annotations

import csv
import io
import re
import time
from typing import Any

from skailan.analytics import credits, exports, store
from skailan.analytics import facts as F
from skailan.platform.clock import iso
from skailan.platform.csv_cells import safe_cell
from skailan.platform.errors import Unprocessable
from skailan.platform.events import DomainEvent
from skailan.platform.models import ResponseModel

MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
TEMPLATE_CACHE_SECONDS = 300.0


class ChannelUsage(ResponseModel):
    channel: str
    received: int
    sent: int
    total: int


class SenderUsage(ResponseModel):
    sender: str  # a user id, a campaign id, or bot / system / api_key
    kind: str  # user | campaign | bot | system | api_key
    channel: str
    sent: int


class WhatsAppCharge(ResponseModel):
    category: str  # marketing | utility | authentication | service
    country: str  # ISO alpha-2, or * (other)
    messages: int
    cost: float  # estimated, in the brand's currency


class UsageOut(ResponseModel):
    month: str  # the brand's local month
    time_zone: str
    currency: str
    channels: list[ChannelUsage]
    senders: list[SenderUsage]
    whatsapp: list[WhatsAppCharge]
    totals: dict[str, float]  # received, sent, whatsapp_messages, whatsapp_cost
    definitions: dict[str, str]


DEFINITIONS = {
    "messages": ("Mensajes recibidos de clientes y enviados (personas, bots, sistema e integraciones) en el mes "
                 "local de la marca, por canal; por remitente, los enviados. / Messages received from customers "
                 "and sent (people, bots, system and integrations) in the brand's local month, per channel; "
                 "per sender, those sent."),
    "whatsapp_cost": ("Estimado: cada mensaje de WhatsApp enviado se cobra al precio de su categoría (la de la "
                      "plantilla; un mensaje libre es 'service') y del país del número del cliente, según la tabla "
                      "de precios de la marca, al encolarse. / Estimated: each WhatsApp message sent is charged the "
                      "price of its category (the template's; a free-form message is 'service') and of the "
                      "customer's number's country, from the brand's price table, when queued."),
}


def _sender(event: DomainEvent) -> tuple[str, str]:
    kind = event.actor.kind if event.actor.kind in ("user", "bot", "system", "api_key") else "system"
    return (str(event.actor.id or kind) if kind == "user" else kind), kind


def count(changes: store.Changes, event: DomainEvent, time_zone: str) -> None:
    """Usage counters of one message event (called by the worker inside the event's transaction)."""
    tenant, data = event.tenant_id, event.data
    channel = str(data.get("channel") or "unknown")
    month = F.local_day(event.occurred_at, time_zone)[:7]
    if event.type == "message.received":
        changes.add(store.usage_key(tenant, month, f"ch#{channel}"), "in", 1)
        exports.record_message(changes, event, time_zone)
        return
    changes.add(store.usage_key(tenant, month, f"ch#{channel}"), "out", 1)
    sender, kind = _sender(event)
    changes.add(store.usage_key(tenant, month, f"u#{kind}#{sender}#{channel}"), "out", 1)
    if channel != "whatsapp":
        exports.record_message(changes, event, time_zone)
        return
    category, country = pricing_inputs(tenant, data)
    price = credits.plan_debit(changes, event, month=month, category=category, country=country)
    exports.record_message(changes, event, time_zone, category=category, country=country,
                           cost=credits.amount_of(price))


def count_campaign(changes: store.Changes, event: DomainEvent, time_zone: str) -> None:
    """Usage of one campaign message (`campaign_recipient.sent`): sent on its channel, by the
    campaign (sender kind `campaign`, id the campaign's); a WhatsApp template is priced by its
    category and the country the event names, and debited."""
    tenant, data = event.tenant_id, event.data
    channel = str(data.get("channel") or "unknown")
    month = F.local_day(event.occurred_at, time_zone)[:7]
    changes.add(store.usage_key(tenant, month, f"ch#{channel}"), "out", 1)
    changes.add(store.usage_key(tenant, month, f"u#campaign#{data.get('campaign_id')}#{channel}"), "out", 1)
    if channel != "whatsapp":
        exports.record_message(changes, event, time_zone, sender=("campaign", str(data.get("campaign_id"))))
        return
    template = data.get("template") if isinstance(data.get("template"), dict) else {}
    category = "marketing"  # an unknown template: the dearest
    if template and template.get("name"):
        category = _template_category(tenant, str(data.get("account_id") or ""), str(template["name"]),
                                      str(template.get("language") or ""))
    country = str(data.get("country") or credits.OTHER)
    price = credits.plan_debit(changes, event, month=month, category=category, country=country)
    exports.record_message(changes, event, time_zone, category=category, country=country,
                           cost=credits.amount_of(price), sender=("campaign", str(data.get("campaign_id"))))


_templates: dict[tuple[str, str, str, str], tuple[float, str]] = {}


def _template_category(tenant_id: str, account_id: str, name: str, language: str) -> str:
    key = (tenant_id, account_id, name, language)
    cached = _templates.get(key)
    if cached and time.monotonic() - cached[0] < TEMPLATE_CACHE_SECONDS:
        return cached[1]
    from skailan.conversations.inbox import templates

    found = templates.find(tenant_id, account_id, name, language)
    category = found.category if found and found.category in credits.CATEGORIES else "marketing"
    if len(_templates) > 5000:
        _templates.clear()
    _templates[key] = (time.monotonic(), category)
    return category


def pricing_inputs(tenant_id: str, data: dict[str, Any]) -> tuple[str, str]:
    """(category, country) of an outbound WhatsApp message: the template's category (an unknown
    template is priced as marketing, the dearest) or `service` for a free-form message; the
    country of the conversation's WhatsApp number."""
    from skailan.conversations.store import messages as conversations

    conversation_id, message_id = str(data.get("conversation_id") or ""), str(data.get("message_id") or "")
    message = conversations.get_message(tenant_id, conversation_id, message_id) if message_id else None
    template = ((message.details or {}).get("template") if message else None) or None
    category = "service"
    if isinstance(template, dict) and template.get("name"):
        category = _template_category(tenant_id, str(data.get("account_id") or (message.account_id if message else "")),
                                      str(template["name"]), str(template.get("language") or ""))
    conversation = conversations.get_conversation(tenant_id, conversation_id)
    contact = (conversation.contact or {}) if conversation else {}
    return category, credits.country_of(contact.get("external_id") or contact.get("phone"))


# ---------------------------------------------------------------- reads


def month_of(tenant_id: str, month: str | None) -> tuple[str, str]:
    from skailan.analytics.brands import brand_of

    zone = brand_of(tenant_id).time_zone
    if month is None:
        return F.local_day(iso(), zone)[:7], zone
    if not MONTH.match(month):
        message = "Mes no válido (AAAA-MM). / Invalid month (YYYY-MM)."
        raise Unprocessable(message, details=[{"field": "month", "error": "Invalid month (YYYY-MM).",
                                               "message": message, "value": month}])
    return month, zone


def usage(tenant_id: str, month: str | None) -> UsageOut:
    month, zone = month_of(tenant_id, month)
    settings = credits.load_settings(tenant_id)
    channels: dict[str, dict[str, int]] = {}
    senders: list[SenderUsage] = []
    whatsapp: list[WhatsAppCharge] = []
    for item in store.query_all(store.usage_pk(tenant_id, month)):
        part = str(item["sk"]).split("#")
        if part[0] == "ch":
            channels[part[1]] = {"in": int(item.get("in") or 0), "out": int(item.get("out") or 0)}
        elif part[0] == "u" and len(part) == 4:
            senders.append(SenderUsage(kind=part[1], sender=part[2], channel=part[3], sent=int(item.get("out") or 0)))
        elif part[0] == "wa" and len(part) == 3:
            whatsapp.append(WhatsAppCharge(category=part[1], country=part[2], messages=int(item.get("n") or 0),
                                           cost=credits.amount_of(item.get("cost") or 0)))
    rows = [ChannelUsage(channel=c, received=v["in"], sent=v["out"], total=v["in"] + v["out"])
            for c, v in sorted(channels.items())]
    senders.sort(key=lambda s: (-s.sent, s.sender, s.channel))
    whatsapp.sort(key=lambda w: (w.category, w.country))
    totals = {"received": float(sum(r.received for r in rows)), "sent": float(sum(r.sent for r in rows)),
              "whatsapp_messages": float(sum(w.messages for w in whatsapp)),
              "whatsapp_cost": round(sum(w.cost for w in whatsapp), 6)}
    return UsageOut(month=month, time_zone=zone, currency=settings.currency, channels=rows, senders=senders,
                    whatsapp=whatsapp, totals=totals, definitions=DEFINITIONS)


def usage_csv(out: UsageOut) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["section", "month", "channel", "sender", "kind", "category", "country", "received", "sent",
                     "messages", f"cost_{out.currency}"])
    for c in out.channels:
        writer.writerow(["channel", out.month, safe_cell(c.channel), "", "", "", "", c.received, c.sent, c.total, ""])
    for s in out.senders:
        writer.writerow(["sender", out.month, safe_cell(s.channel), safe_cell(s.sender), s.kind, "", "", "", s.sent, s.sent, ""])
    for w in out.whatsapp:
        writer.writerow(["whatsapp", out.month, "whatsapp", "", "", w.category, w.country, "", w.messages,
                         w.messages, f"{w.cost:.6f}"])
    return buffer.getvalue()
