"""The e-mail SES accepted, as `/_local/mail` shows it: one shape whether moto runs in this process
(seed.local_mail) or in its own (moto_process.py serves `/_skailan/ses/sent`).
"""

from __future__ import annotations

from typing import Any


def _mail_entry(m: Any) -> dict[str, Any]:
    if hasattr(m, "raw_data"):  # SendRawEmail (replies on the e-mail channel)
        from email import message_from_string, policy

        parsed = message_from_string(m.raw_data, policy=policy.default)
        body = parsed.get_body(preferencelist=("plain",))
        return {"id": m.id, "source": m.source, "to": list(m.destinations), "subject": str(parsed["Subject"] or ""),
                "body": body.get_content() if body is not None else "", "raw": True,
                "message_id": str(parsed["Message-ID"] or "").strip("<>"),
                "in_reply_to": str(parsed["In-Reply-To"] or "").strip("<>") or None}
    return {"id": m.id, "source": m.source, "to": list(m.destinations.get("ToAddresses", [])),
            "subject": m.subject, "body": m.body}
