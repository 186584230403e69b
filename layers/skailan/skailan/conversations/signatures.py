"""E-mail signatures as replies go out: the outbound worker's `decorate` (sanitised HTML, the
author's or the brand's signature, RFC 3834 marks on automatic replies). Configured through the
e-mail module (`conversations/inbox/mail.py`); here, below sending, so the send path does not import the inbox."""

from __future__ import annotations

from html import escape
from typing import Any

from skailan.channels.email.sanitize import sanitize_html
from skailan.conversations.store import mail as store
from skailan.conversations.store.inbox_items import EmailSignatureItem

AUTORESPONDER_ID = "email-autoresponder"


def signature_for(tenant_id: str, author: dict[str, Any] | None) -> EmailSignatureItem | None:
    """The author's own enabled signature, else the brand's enabled one."""
    scopes: list[str | None] = [None]  # the brand's
    if author and author.get("kind") == "user" and author.get("id"):
        scopes.insert(0, str(author["id"]))
    for user_id in scopes:
        item = store.find_signature(tenant_id, user_id)
        if item is not None and item.enabled:
            return item
    return None


def decorate(tenant_id: str, author: dict[str, Any] | None, text: str | None,
             email: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    """An e-mail reply as it goes out (outbound worker): agents' HTML sanitised, the signature
    appended (text after "-- ", RFC 3676's delimiter), automatic replies marked per RFC 3834."""
    email = dict(email)
    if email.get("html"):
        email["html"] = sanitize_html(str(email["html"]))
    # The mailbox's auto-response and the inbox bots (greeting, out-of-hours, FAQ) answer by
    # themselves: RFC 3834 asks them to say so.
    if (author or {}).get("id") == AUTORESPONDER_ID or (author or {}).get("kind") == "bot":
        email["auto_submitted"] = "auto-replied"
    signature = signature_for(tenant_id, author)
    if signature is None:
        return text, email
    sig_text = signature.text
    if not sig_text and signature.html:
        from skailan.channels.email.html_text import html_to_text

        sig_text = html_to_text(signature.html)
    if sig_text and text is not None and "\n-- \n" not in text:
        text = f"{text.rstrip()}\n\n-- \n{sig_text.strip()}"
    if email.get("html"):
        sig_html = signature.html or escape(sig_text or "").replace("\n", "<br>")
        email["html"] = f'{email["html"]}<div class="skailan-signature">-- <br>{sig_html}</div>'
    return text, email
