"""Opt-outs the conversations respect on a business-initiated send (a WhatsApp template from the
inbox, replying or starting a conversation), as campaigns and automations do. The suppression list
belongs to a context above the conversations: it registers its check at cold start (the API
function's app.py), so the conversations never import it — like `ingest/claims.py`."""

from __future__ import annotations

from collections.abc import Callable

from skailan.platform.errors import Unprocessable

# (tenant, channel, person id) → True when the person's address on the channel opted out.
OptOutCheck = Callable[[str, str, str], bool]

_checks: dict[str, OptOutCheck] = {}

# (tenant, channel, addresses) → those of the addresses that are suppressed (an e-mail's CC copies).
SuppressedCheck = Callable[[str, str, list[str]], set[str]]

_address_checks: dict[str, SuppressedCheck] = {}


def check_opt_outs(name: str, check: OptOutCheck) -> None:
    _checks[name] = check  # by name: a second install replaces, never doubles


def check_suppressed_addresses(name: str, check: SuppressedCheck) -> None:
    _address_checks[name] = check


def suppressed_addresses(tenant_id: str, channel: str, addresses: list[str]) -> set[str]:
    found: set[str] = set()
    for check in _address_checks.values():
        found |= check(tenant_id, channel, addresses)
    return found


def opted_out(tenant_id: str, channel: str, person_id: str | None) -> bool:
    return bool(person_id) and any(check(tenant_id, channel, str(person_id)) for check in _checks.values())


def refuse_opted_out(tenant_id: str, channel: str, person_id: str | None) -> None:
    """A 422 (nothing stored or queued) when the person opted out of the channel."""
    if opted_out(tenant_id, channel, person_id):
        raise Unprocessable(
            f"Esta persona se dio de baja de {channel}: no se le pueden enviar plantillas. / "
            f"This person opted out of {channel}: templates cannot be sent to them.",
            code="recipient_opted_out",
            details=[{"field": "template", "error": f"the person opted out of {channel}", "person_id": person_id}])
