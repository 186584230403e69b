"""The e-mail SES accepted, as `/_local/mail` shows it: one shape whether moto runs in this process
(seed.local_mail) or in its own (moto_process.py serves `/_skailan/ses/sent`).
"""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any

_BLANK_LINE = re.compile(r"\r?\n\r?\n")


def _mail_entry(m: Any) -> dict[str, Any]:
    if hasattr(m, "raw_data"):  # SendRawEmail (replies on the e-mail channel)
        from email import message_from_string, policy
        from email.utils import getaddresses

        parsed = message_from_string(m.raw_data, policy=policy.default)
        body = parsed.get_body(preferencelist=("plain",))
        return {"id": m.id, "source": m.source, "to": list(m.destinations), "subject": str(parsed["Subject"] or ""),
                "body": body.get_content() if body is not None else "", "raw": True,
                "message_id": str(parsed["Message-ID"] or "").strip("<>"),
                "in_reply_to": str(parsed["In-Reply-To"] or "").strip("<>") or None,
                "cc": [address for _, address in getaddresses([str(parsed["Cc"] or "")]) if address]}
    return {"id": m.id, "source": m.source, "to": list(m.destinations.get("ToAddresses", [])),
            "subject": m.subject, "body": m.body}


def _raw_headers(m: Any) -> dict[str, Any]:
    """A sent message as the campaign-mail watch reads it: id, source, recipients and, for raw
    messages, only their headers (the body may carry 24 MB of attachments)."""
    raw = getattr(m, "raw_data", None)
    return {"id": m.id, "source": m.source,
            "destinations": list(m.destinations) if raw else list(m.destinations.get("ToAddresses", [])),
            "raw_headers": _BLANK_LINE.split(raw, maxsplit=1)[0] if raw else None}


def as_message(entry: dict[str, Any]) -> Any:
    """`_raw_headers`' answer back as the attributes fake_providers.campaign_delivery reads."""
    return SimpleNamespace(id=entry["id"], source=entry["source"], destinations=entry["destinations"],
                           raw_data=entry.get("raw_headers"))
