"""WhatsApp credits: estimated charges from a price table, a credit balance with auto top-up, its ledger.

- Each outbound WhatsApp message (`message.queued` on a `whatsapp` channel) is charged the brand's
  price for its category (a template's category: marketing, utility, authentication; a free-form
  reply: service) and the recipient's country (the calling code of the conversation's WhatsApp
  number). The debit is written by the analytics worker in the SAME transaction as the event's
  seen marker (`store.Changes`): a redelivered event is never charged twice.
- When a debit takes the balance under the minimum: `credits.balance_low` (outbox, same
  transaction) and, with auto top-up on, a recorded purchase of `amount` (ledger entry
  `topup_auto`, `credits.topped_up`) — no real payment. The dashboard shows an alert while the
  balance is under the minimum, and for a day after an automatic top-up.
- Money is stored as integer micro-units of the brand's currency (exact sums), shown as decimals.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import timedelta
from typing import Annotated, Any

from pydantic import BaseModel, Field, ValidationError, field_validator

from skailan.analytics import store
from skailan.analytics.catalogue import CREDITS_BALANCE_LOW, CREDITS_TOPPED_UP, SOURCE
from skailan.platform import outbox
from skailan.platform.auth import Caller
from skailan.platform.calling_codes import OTHER as OTHER  # a phone fact: campaigns use it too
from skailan.platform.calling_codes import country_of as country_of
from skailan.platform.clock import iso, parse_iso, utcnow
from skailan.platform.errors import Conflict, NotFound, Unprocessable
from skailan.platform.events import Actor, DomainEvent
from skailan.platform.ids import new_id
from skailan.platform.models import RequestModel, ResponseModel
from skailan.platform.pagination import clamp_limit, decode_cursor, encode_cursor
from skailan.platform.patching import NoNulls, deep_merge, lenient_validate

MICROS = 1_000_000
CATEGORIES = ("marketing", "utility", "authentication", "service")
TOPPED_UP_ALERT = timedelta(hours=24)

# USD per delivered message, from Meta's per-message rate card (2025–2026 figures, rounded):
# illustrative defaults — each brand sets its own (`PATCH /v1/credits/settings`). Free-form
# replies inside the customer-service window: `service`, 0 unless your rate card bills them.
DEFAULT_PRICES: dict[str, dict[str, float]] = {
    "CO": {"marketing": 0.0125, "utility": 0.0008, "authentication": 0.0008, "service": 0.0},
    "MX": {"marketing": 0.0305, "utility": 0.0085, "authentication": 0.0085, "service": 0.0},
    "ES": {"marketing": 0.0615, "utility": 0.0200, "authentication": 0.0200, "service": 0.0},
    "AR": {"marketing": 0.0618, "utility": 0.0260, "authentication": 0.0260, "service": 0.0},
    "CL": {"marketing": 0.0889, "utility": 0.0200, "authentication": 0.0200, "service": 0.0},
    "PE": {"marketing": 0.0703, "utility": 0.0200, "authentication": 0.0200, "service": 0.0},
    "BR": {"marketing": 0.0625, "utility": 0.0068, "authentication": 0.0068, "service": 0.0},
    "US": {"marketing": 0.0250, "utility": 0.0034, "authentication": 0.0135, "service": 0.0},
    OTHER: {"marketing": 0.0604, "utility": 0.0077, "authentication": 0.0077, "service": 0.0},
}

def micros(amount: float) -> int:
    return round(amount * MICROS)


def amount_of(value: int | float) -> float:
    return round(int(value) / MICROS, 6)


# ---------------------------------------------------------------- settings

Money = Annotated[float, Field(ge=0, le=1_000_000)]
Price = Annotated[float, Field(ge=0, le=10)]


class CategoryPrices(BaseModel):
    marketing: Price
    utility: Price
    authentication: Price
    service: Price = 0.0


class AutoTopUp(BaseModel):
    enabled: bool = False
    minimum: Money = 0.0  # an alert (and the top-up, when enabled) under this balance
    amount: Money = 0.0  # what one automatic top-up adds


def _country_keys(prices: dict[str, Any]) -> dict[str, Any]:
    for key in prices:
        if key != OTHER and not (len(key) == 2 and key.isascii() and key.isalpha() and key.isupper()):
            raise ValueError(f"país no válido / invalid country: {key!r} (ISO 3166 alfa-2 o '*' / alpha-2 or '*')")
    if OTHER not in prices:
        raise ValueError("falta el precio '*' (otros países) / the '*' price (other countries) is required")
    return prices


class CreditSettings(BaseModel):
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")] = "USD"
    auto_topup: AutoTopUp = AutoTopUp()
    prices: dict[str, CategoryPrices] = Field(
        default_factory=lambda: {k: CategoryPrices(**v) for k, v in DEFAULT_PRICES.items()}, max_length=250)

    @field_validator("prices")
    @classmethod
    def _countries(cls, value: dict[str, Any]) -> dict[str, Any]:
        return _country_keys(value)

    def price(self, category: str, country: str) -> int:
        table = self.prices.get(country) or self.prices[OTHER]
        return micros(float(getattr(table, category if category in CATEGORIES else "service")))


class CategoryPricesPatch(NoNulls):
    marketing: Price | None = None
    utility: Price | None = None
    authentication: Price | None = None
    service: Price | None = None


class AutoTopUpPatch(NoNulls):
    enabled: bool | None = None
    minimum: Money | None = None
    amount: Money | None = None


class CreditSettingsPatchIn(NoNulls):
    """Deep-merged into the stored settings (a country's prices key by key), validated whole."""

    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")] | None = None
    auto_topup: AutoTopUpPatch | None = None
    prices: Annotated[dict[str, CategoryPricesPatch], Field(max_length=250)] | None = None


class TopUpIn(RequestModel):
    amount: Annotated[float, Field(gt=0, le=1_000_000)]
    note: Annotated[str, Field(max_length=200)] | None = None
    # The same reference again returns the first top-up instead of adding twice (a retried request).
    reference: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$")] | None = None


class CreditsOut(ResponseModel):
    currency: str
    balance: float
    minimum: float
    low: bool  # under the minimum now
    auto_topup: AutoTopUp
    last_auto_topup_at: str | None = None
    last_auto_topup: float | None = None


class LedgerEntryOut(ResponseModel):
    id: str
    at: str
    kind: str  # debit | refund (a failed send) | topup_auto | topup_manual
    amount: float  # signed: a debit is negative
    balance: float  # after this entry
    currency: str
    category: str | None = None
    country: str | None = None
    conversation_id: str | None = None
    message_id: str | None = None
    event_id: str | None = None
    user_id: str | None = None
    note: str | None = None


class LedgerPage(ResponseModel):
    items: list[LedgerEntryOut]
    next_cursor: str | None = None


class TopUpOut(ResponseModel):
    entry: LedgerEntryOut
    credits: CreditsOut


def load_settings(tenant_id: str) -> CreditSettings:
    return settings_from(tenant_id, store.get_state(store.credits_key(tenant_id, "settings")))


def settings_from(tenant_id: str, stored: dict[str, Any] | None) -> CreditSettings:
    """The settings of a stored item (defaults when none; a bad stored value falls back to its default)."""
    if not stored or not stored.get("doc"):
        return CreditSettings()
    import json

    return lenient_validate(CreditSettings, json.loads(str(stored["doc"])), what="credit settings",
                            tenant_id=tenant_id)


def patch_settings(tenant_id: str, body: CreditSettingsPatchIn) -> CreditSettings:
    import json

    key = store.credits_key(tenant_id, "settings")
    stored = store.get_state(key) or {}
    current = load_settings(tenant_id).model_dump(mode="json")
    merged = deep_merge(current, body.model_dump(mode="json", exclude_unset=True, exclude_none=True))
    try:
        settings = CreditSettings.model_validate(merged)
    except ValidationError as err:
        raise Unprocessable("La configuración de créditos no es válida. / The credit settings are not valid.",
                            details=[{"field": ".".join(str(p) for p in e["loc"]), "error": e["msg"],
                                      "type": e["type"]} for e in err.errors()]) from err
    doc = {"doc": json.dumps(settings.model_dump(mode="json"), sort_keys=True), "updated_at": iso()}
    try:
        store.write([store.state_put(key, doc, stored.get("v"))])
    except store.Conflict as err:
        raise Conflict("La configuración cambió mientras la editabas; vuelve a intentarlo. / "
                       "The settings changed while you edited them; try again.", code="concurrent_update") from err
    return settings


# ---------------------------------------------------------------- reads


def credits(tenant_id: str, settings: CreditSettings | None = None,
            balance: dict[str, Any] | None = None) -> CreditsOut:
    settings = settings or load_settings(tenant_id)
    if balance is None:
        balance = store.get_state(store.credits_key(tenant_id, "balance")) or {}
    value = int(balance.get("balance") or 0)
    last = balance.get("last_auto_topup")
    return CreditsOut(currency=settings.currency, balance=amount_of(value), minimum=settings.auto_topup.minimum,
                      low=value < micros(settings.auto_topup.minimum), auto_topup=settings.auto_topup,
                      last_auto_topup_at=balance.get("last_auto_topup_at"),
                      last_auto_topup=amount_of(last) if last is not None else None)


def _entry(item: dict[str, Any]) -> LedgerEntryOut:
    return LedgerEntryOut(
        id=str(item["id"]), at=str(item["at"]), kind=str(item["kind"]), amount=amount_of(item.get("amount") or 0),
        balance=amount_of(item.get("balance") or 0), currency=str(item.get("currency") or "USD"),
        **{k: item.get(k) for k in ("category", "country", "conversation_id", "message_id", "event_id",
                                    "user_id", "note")})


def ledger(tenant_id: str, *, cursor: str | None, limit: int | None) -> LedgerPage:
    """Newest first, paginated."""
    pk = store.ledger_pk(tenant_id)
    start = decode_cursor(cursor, partition_attr="pk", partition_value=pk)
    items, last = store.query_partition(pk, newest_first=True, limit=clamp_limit(limit), start=start)
    return LedgerPage(items=[_entry(i) for i in items], next_cursor=encode_cursor(last))


def alerts(tenant_id: str, settings: CreditSettings, balance: dict[str, Any]) -> list[dict[str, Any]]:
    """The dashboard's credit alerts (models.Alert fields), from items the summary already read."""
    now = credits(tenant_id, settings, balance)
    out: list[dict[str, Any]] = []
    text = f"{now.balance:.2f} {now.currency}"
    if now.low:
        out.append({"type": "whatsapp_credits_low", "link": "/usage", "balance": now.balance, "minimum": now.minimum,
                    "message": f"Saldo de créditos de WhatsApp bajo el mínimo: {text} (mínimo {now.minimum:.2f}). / "
                               f"WhatsApp credit balance under the minimum: {text} (minimum {now.minimum:.2f})."})
    if now.last_auto_topup_at and utcnow() - parse_iso(now.last_auto_topup_at) < TOPPED_UP_ALERT:
        added = f"{now.last_auto_topup or 0:.2f} {now.currency}"
        out.append({"type": "whatsapp_credits_topped_up", "link": "/usage", "balance": now.balance,
                    "minimum": now.minimum, "amount": now.last_auto_topup,
                    "message": f"El saldo de WhatsApp bajó del mínimo: recarga automática de {added}. / "
                               f"The WhatsApp balance fell under the minimum: automatic top-up of {added}."})
    return out


# ---------------------------------------------------------------- writes


def _stable(*parts: str) -> str:
    digest = hashlib.sha256("\x1f".join(parts).encode()).digest()
    return base64.b32encode(digest).decode().rstrip("=")[:26]


def _event(tenant_id: str, type_: str, key: str, data: dict[str, Any], *, actor: Actor | None = None,
           at: str | None = None) -> DomainEvent:
    """Stable ids: a retried transaction writes the same outbox item (a MODIFY, not published twice)."""
    fields: dict[str, Any] = {"occurred_at": at} if at else {}
    return DomainEvent(id=_stable(tenant_id, type_, key), tenant_id=tenant_id, source=SOURCE, type=type_,
                       actor=actor or Actor(), entity_type="credits", entity_id=tenant_id, data=data, **fields)


def plan_debit(changes: store.Changes, event: DomainEvent, *, month: str, category: str, country: str) -> int:
    """Add the charge of one outbound WhatsApp message to the worker's transaction for `event`:
    usage counters, the debit, and — under the minimum — the alert event and the automatic
    top-up. Returns the price in micro-units."""
    tenant = event.tenant_id
    at, data = event.occurred_at, event.data
    debit_id = _stable(tenant, "debit", event.id)
    # The settings, the balance and this event's debit (if a replay already charged it): one read.
    key, settings_key = store.credits_key(tenant, "balance"), store.credits_key(tenant, "settings")
    debit_key = store.ledger_key(tenant, at, debit_id)
    found = store.get_many([settings_key, key, debit_key], consistent=True)

    def item(k: dict[str, Any]) -> dict[str, Any] | None:
        return found.get((k["pk"]["S"], k["sk"]["S"]))

    settings = settings_from(tenant, item(settings_key))
    price = settings.price(category, country)
    usage = store.usage_key(tenant, month, f"wa#{category}#{country}")
    changes.add(usage, "n", 1)
    changes.add(usage, "cost", price)
    if not price:
        return 0
    if item(debit_key) is not None:
        return price  # already charged: a replay after a counter reset (store.delete_tenant keeps the ledger)
    current = item(key) or {}
    version = current.get("v")
    state = {k: current.get(k) for k in ("last_auto_topup_at", "last_auto_topup")}
    balance = int(current.get("balance") or 0) - price
    changes.put(debit_key, {
        "id": debit_id, "at": at, "kind": "debit", "amount": -price, "balance": balance, "currency": settings.currency,
        "category": category, "country": country, "conversation_id": data.get("conversation_id"),
        "message_id": data.get("message_id"), "event_id": event.id,
        "user_id": event.actor.id if event.actor.kind == "user" else None})
    if data.get("message_id"):  # what a refund of a failed send needs to find (message.failed)
        changes.state(store.credits_key(tenant, f"msg#{data['message_id']}"), {
            "price": price, "at": at, "month": month, "category": category, "country": country,
            "conversation_id": data.get("conversation_id"), "debit": debit_id}, None)
    minimum, top = micros(settings.auto_topup.minimum), settings.auto_topup
    events: list[DomainEvent] = []
    if balance < minimum:
        auto = top.enabled and top.amount > 0
        if auto or not current.get("low"):  # once per fall, unless a top-up follows each time
            events.append(_event(tenant, CREDITS_BALANCE_LOW, event.id, {
                "balance": amount_of(balance), "minimum": top.minimum, "currency": settings.currency,
                "auto_topup": auto}, at=at))
        if auto:
            topup_id = _stable(tenant, "topup", event.id)
            balance += micros(top.amount)
            changes.put(store.ledger_key(tenant, at, topup_id), {
                "id": topup_id, "at": at, "kind": "topup_auto", "amount": micros(top.amount), "balance": balance,
                "currency": settings.currency, "event_id": event.id,
                "note": "Recarga automática (compra registrada, sin pago real) / "
                        "Automatic top-up (purchase recorded, no real payment)"})
            state.update(last_auto_topup_at=at, last_auto_topup=micros(top.amount))
            events.append(_event(tenant, CREDITS_TOPPED_UP, event.id, {
                "entry_id": topup_id, "amount": top.amount, "balance": amount_of(balance),
                "currency": settings.currency, "mode": "auto"}, at=at))
    state.update(balance=balance, low=balance < minimum)
    changes.state(key, state, version)
    changes.raw += [outbox.operation(e, store.table_name()) for e in events]
    return price


def plan_refund(changes: store.Changes, event: DomainEvent) -> int:
    """A WhatsApp message that failed was never delivered, and Meta bills delivered messages:
    its debit is given back (ledger `refund`, balance, the month's estimated cost), once."""
    tenant, data = event.tenant_id, event.data
    message_id = str(data.get("message_id") or "")
    pointer_key = store.credits_key(tenant, f"msg#{message_id}")
    pointer = store.get_state(pointer_key) if message_id else None
    if not pointer or pointer.get("refunded") or not int(pointer.get("price") or 0):
        return 0
    price = int(pointer["price"])
    settings = load_settings(tenant)
    key = store.credits_key(tenant, "balance")
    current = store.get_state(key) or {}
    balance = int(current.get("balance") or 0) + price
    refund_id = _stable(tenant, "refund", message_id)
    at = event.occurred_at
    changes.put(store.ledger_key(tenant, at, refund_id), {
        "id": refund_id, "at": at, "kind": "refund", "amount": price, "balance": balance, "currency": settings.currency,
        "category": pointer.get("category"), "country": pointer.get("country"),
        "conversation_id": pointer.get("conversation_id"), "message_id": message_id, "event_id": event.id,
        "note": "Envío fallido: no se cobra / Failed send: not charged"})
    changes.add(store.usage_key(tenant, str(pointer["month"]), f"wa#{pointer['category']}#{pointer['country']}"),
                "cost", -price)
    state = {**{k: current.get(k) for k in ("last_auto_topup_at", "last_auto_topup")}, "balance": balance,
             "low": balance < micros(settings.auto_topup.minimum)}
    changes.state(key, state, current.get("v"))
    changes.state(pointer_key, {**{k: v for k, v in pointer.items() if k not in ("pk", "sk", "v")}, "refunded": at},
                  pointer.get("v"))
    return price


def top_up(caller: Caller, body: TopUpIn) -> TopUpOut:
    """An admin adds credit by hand: one transaction (ledger entry, balance, `credits.topped_up`);
    with a `reference`, a repeat returns the first entry instead of adding again."""
    tenant = caller.tenant_id
    entry_id = _stable(tenant, "manual", body.reference) if body.reference else new_id()
    ref_key = store.credits_key(tenant, f"ref#{entry_id}")
    settings = load_settings(tenant)
    for _attempt in range(6):
        if body.reference and (seen := store.get_state(ref_key)):
            entry = store.get_state({"pk": {"S": store.ledger_pk(tenant)}, "sk": {"S": str(seen["entry_sk"])}})
            if entry is None:  # pragma: no cover — written in the same transaction
                raise NotFound("Recarga no encontrada. / Top-up not found.")
            return TopUpOut(entry=_entry(entry), credits=credits(tenant, settings))
        key = store.credits_key(tenant, "balance")
        current = store.get_state(key) or {}
        version = current.get("v")
        at = iso()
        balance = int(current.get("balance") or 0) + micros(body.amount)
        low = balance < micros(settings.auto_topup.minimum)
        state = {**{k: current.get(k) for k in ("last_auto_topup_at", "last_auto_topup")}, "balance": balance,
                 "low": low, "v": int(version or 0) + 1}
        entry = {"id": entry_id, "at": at, "kind": "topup_manual", "amount": micros(body.amount), "balance": balance,
                 "currency": settings.currency, "user_id": caller.principal_id, "note": body.note}
        ledger_key = store.ledger_key(tenant, at, entry_id)
        balance_put: dict[str, Any] = {"TableName": store.table_name(), "Item": {**key, **store.typed(state)}}
        if version is None:
            balance_put["ConditionExpression"] = "attribute_not_exists(pk)"
        else:
            balance_put["ConditionExpression"] = "v = :v"
            balance_put["ExpressionAttributeValues"] = {":v": {"N": str(version)}}
        ops: list[dict[str, Any]] = [
            {"Put": {"TableName": store.table_name(), "Item": {**ref_key, **store.typed(
                {"entry_sk": ledger_key["sk"]["S"]})}, "ConditionExpression": "attribute_not_exists(pk)"}},
            {"Put": balance_put},
            {"Put": {"TableName": store.table_name(), "Item": {**ledger_key, **store.typed(entry)}}},
            outbox.operation(_event(tenant, CREDITS_TOPPED_UP, entry_id, {
                "entry_id": entry_id, "amount": body.amount, "balance": amount_of(balance),
                "currency": settings.currency, "mode": "manual"},
                actor=Actor(kind=caller.kind, id=caller.principal_id, email=caller.email), at=at),
                store.table_name()),
        ]
        try:
            store.write(ops)
        except store.Conflict:
            continue  # the balance moved (a debit) or the reference was taken meanwhile: read again
        return TopUpOut(entry=_entry(entry), credits=credits(tenant, settings, state))
    raise Conflict("El saldo cambió varias veces mientras se recargaba; vuelve a intentarlo. / "
                   "The balance changed repeatedly during the top-up; try again.", code="concurrent_update")
