"""Should an automatic reply answer this e-mail? RFC 3834 loop protection, as pure functions.

Never answer (RFC 3834 §2 and common practice):
- mail that says it is automatic: `Auto-Submitted` other than `no` (auto-replied,
  auto-generated, auto-notified), `X-Autoreply`/`X-Autorespond`, `X-Auto-Response-Suppress`
  (Exchange's "do not answer me automatically": All, OOF, AutoReply), `X-Loop`;
- bulk and list mail: `Precedence: bulk | list | junk`, `List-Id`, `List-Unsubscribe`,
  `List-Post`, `Feedback-ID`-style mass senders are covered by List-Unsubscribe;
- senders that are not people: mailer-daemon, postmaster, no-reply / noreply / do-not-reply,
  bounce addresses, and an empty Return-Path (`<>`: a bounce);
- ourselves (the mailbox's own address).
Our replies carry `Auto-Submitted: auto-replied` (and `X-Auto-Response-Suppress: All`) so other
responders leave them alone; "at most one per sender every N days" is the caller's marker.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

AUTO_REPLY_HEADERS = {"Auto-Submitted": "auto-replied", "X-Auto-Response-Suppress": "All"}
# The inbound headers that decide it (kept with the stored message, lower-cased names).
LOOP_HEADERS = ("auto-submitted", "precedence", "list-id", "list-unsubscribe", "list-post", "x-autoreply",
                "x-autorespond", "x-auto-response-suppress", "x-loop", "return-path")
_ROBOT_LOCAL = re.compile(
    r"^(mailer-daemon|postmaster|no[-_.]?reply|do[-_.]?not[-_.]?reply|bounces?|bounce[-+].*|.*[-+]bounces?|"
    r"notifications?|daemon|listserv|majordomo|owner-.*|.*-request)$", re.IGNORECASE)


def loop_headers(items: Iterable[tuple[str, str]]) -> dict[str, str]:
    """The headers of an e-mail that the decision needs (first occurrence, lower-cased names)."""
    found: dict[str, str] = {}
    for name, value in items:
        key = name.strip().lower()
        if key in LOOP_HEADERS and key not in found:
            found[key] = str(value).strip()[:300]
    return found


def refusal(headers: Mapping[str, str], sender: str | None, *, own_addresses: Iterable[str] = ()) -> str | None:
    """Why this e-mail must not get an automatic reply, or None when it may."""
    h = {k.lower(): (v or "").strip() for k, v in headers.items()}
    auto = h.get("auto-submitted", "").split(";")[0].strip().lower()
    if auto and auto != "no":
        return f"auto_submitted:{auto}"
    if h.get("precedence", "").lower() in ("bulk", "list", "junk"):
        return f"precedence:{h['precedence'].lower()}"
    for key in ("list-id", "list-unsubscribe", "list-post"):
        if h.get(key):
            return key
    for key in ("x-autoreply", "x-autorespond", "x-loop"):
        if h.get(key):
            return key
    suppress = {part.strip().lower() for part in h.get("x-auto-response-suppress", "").split(",")}
    if suppress & {"all", "oof", "autoreply"}:
        return "x-auto-response-suppress"
    if "return-path" in h and h["return-path"].strip() in ("<>", ""):
        return "null_return_path"
    address = (sender or "").strip().lower()
    if "@" not in address:
        return "no_sender"
    if address in {a.strip().lower() for a in own_addresses}:
        return "own_address"
    if _ROBOT_LOCAL.match(address.rpartition("@")[0]):
        return "robot_sender"
    return None
