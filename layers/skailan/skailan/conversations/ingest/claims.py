"""Provider reports the conversations do not own: a delivery status whose provider id is no
conversation message, an SES sending event of a mail another context sent (campaigns send outside
conversations). A context above the conversations registers its claim at cold start (its
function's app.py calls e.g. `skailan.campaigns.claims.install()`), so the ingest never imports it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

# (tenant, provider message id, status, at, error code) → True when the id is the claimant's.
StatusClaim = Callable[[str, str, str, str, str | None], bool]
# An SES sending event → None when not the claimant's, else what it did ("unknown": its tags say
# it is the claimant's, but no such message).
SesEventClaim = Callable[[Mapping[str, Any]], str | None]

_status_claims: dict[str, StatusClaim] = {}
_ses_claims: dict[str, SesEventClaim] = {}


def claim_statuses(name: str, claim: StatusClaim) -> None:
    _status_claims[name] = claim  # by name: a second install replaces, never doubles


def claim_ses_events(name: str, claim: SesEventClaim) -> None:
    _ses_claims[name] = claim


def status_claimed(tenant_id: str, provider_message_id: str, status: str, at: str, error_code: str | None) -> bool:
    return any(claim(tenant_id, provider_message_id, status, at, error_code) for claim in _status_claims.values())


def ses_event_claimed(notification: Mapping[str, Any]) -> str | None:
    for claim in _ses_claims.values():
        outcome = claim(notification)
        if outcome is not None:
            return outcome
    return None
