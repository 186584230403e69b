"""Every event the analytics context publishes (source `skailan.analytics`) and its payload.
Written through the transactional outbox of AnalyticsTable (docs/analytics.md "Usage and credits")."""

from __future__ import annotations

from skailan.platform.catalogue import Catalogue, Payload

SOURCE = "skailan.analytics"

CREDITS_BALANCE_LOW = "credits.balance_low"  # a debit took the WhatsApp credit balance under the minimum
CREDITS_TOPPED_UP = "credits.topped_up"  # credit added: automatically (a recorded purchase) or by an admin
# A 0–10 reply to a campaign's NPS question (the after-close survey's answer is the inbox's
# `conversation.nps_answered`); recorded and counted in /v1/reports/nps.
NPS_ANSWERED = "nps.answered"


class BalanceLow(Payload):
    balance: float  # after the debit, before any automatic top-up (the brand's currency)
    minimum: float
    currency: str
    auto_topup: bool  # an automatic top-up follows in the same transaction


class NpsAnswered(Payload):
    source: str  # campaign
    campaign_id: str
    person_id: str
    conversation_id: str | None = None  # where the reply arrived
    message_id: str | None = None
    channel: str
    score: int
    answered_at: str


class ToppedUp(Payload):
    entry_id: str  # the ledger entry
    amount: float
    balance: float  # after the top-up
    currency: str
    mode: str  # auto | manual


CATALOGUE = Catalogue(SOURCE, {
    CREDITS_BALANCE_LOW: BalanceLow,
    CREDITS_TOPPED_UP: ToppedUp,
    NPS_ANSWERED: NpsAnswered,
})
