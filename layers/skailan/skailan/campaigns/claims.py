"""The campaigns' claims on the conversations' ingest (skailan.conversations.ingest.claims): the
delivery statuses of campaign messages (statuses.py) and the SES events of campaign e-mail
(ses_events.py). Installed at cold start by the functions that ingest them (ingest worker, SES
webhook); each claim imports its module on first use, as the ingest did (cold start unchanged)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from skailan.conversations.ingest import claims


def _status(tenant_id: str, provider_message_id: str, status: str, at: str, error_code: str | None) -> bool:
    from skailan.campaigns import statuses

    return statuses.apply(tenant_id, provider_message_id, status, at, error_code)


def _ses_event(notification: Mapping[str, Any]) -> str | None:
    from skailan.campaigns import ses_events

    return ses_events.apply(notification) if ses_events.is_campaign(notification) else None


def install() -> None:
    claims.claim_statuses("campaigns", _status)
    claims.claim_ses_events("campaigns", _ses_event)
