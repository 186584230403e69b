"""Opt-out keywords on inbound SMS and WhatsApp: BAJA, ALTO, CANCELAR, STOP, UNSUBSCRIBE (accent-
and case-insensitive, the whole message). Ingest flags such a message (`opt_out_keyword` on
`message.received`) and campaigns acts on it (campaigns/optout.py): both read the words here."""

from __future__ import annotations

import re
import unicodedata

KEYWORDS = frozenset({"baja", "alto", "cancelar", "stop", "unsubscribe"})


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    return re.sub(r"[^a-z]+", " ", plain).strip()


def is_opt_out(text: str | None) -> bool:
    return bool(text) and fold(text or "") in KEYWORDS
