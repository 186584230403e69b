"""Copies (CC) on an agent's e-mail: the reply and the business-started e-mail.

The request model already refused malformed, duplicated or too many addresses (422
`validation_error` on `email.cc`). Here, with the conversation known: a CC on another channel
is a 422 `cc_not_supported`; the customer's own address and the mailbox's are dropped (the
customer is the To, the mailbox is the sender: a reply-all copy of either would be a second
e-mail to the same inbox); a suppressed address (opt-out, bounce, complaint, manual — the
campaigns' registry) is REFUSED with 422 `cc_suppressed` naming it, never silently dropped:
the agent sees who would not get the copy and decides. Nothing is stored or queued on a 4xx.
"""

from __future__ import annotations

from skailan.conversations import opt_outs
from skailan.conversations.models import EmailOptionsIn
from skailan.platform.errors import Unprocessable

MAX_CC = 20


def resolve(tenant_id: str, *, channel: str, to: str | None, mailbox: str | None,
            email: EmailOptionsIn | None) -> EmailOptionsIn | None:
    """`email` with the copies that go out (or a 422); None and CC-less options pass as they are."""
    if email is None or email.cc is None:
        return email
    if channel != "email":
        raise Unprocessable(
            "Las copias (CC) solo existen en el correo electrónico. / Copies (CC) exist on e-mail only.",
            code="cc_not_supported", details=[{"field": "email.cc", "error": "e-mail only"}])
    own = {a.strip().lower() for a in (to, mailbox) if a}
    cc = [a for a in email.cc if a not in own]
    refused = sorted(opt_outs.suppressed_addresses(tenant_id, "email", cc)) if cc else []
    if refused:
        raise Unprocessable(
            f"Estas direcciones están suprimidas (baja, rebote o queja) y no pueden recibir copia: "
            f"{', '.join(refused)}. Quítalas de CC. / These addresses are suppressed (opt-out, bounce or "
            f"complaint) and cannot be copied: {', '.join(refused)}. Remove them from CC.",
            code="cc_suppressed",
            details=[{"field": "email.cc", "error": "suppressed", "address": a} for a in refused])
    return email.model_copy(update={"cc": cc})
