"""E-mail addresses: one normal form (trimmed, lower-case) and a syntax check, no DNS.

The whole address is lower-cased, local part included: providers treat it case-blind in
practice and people are matched by e-mail, so `Ana@X.co` and `ana@x.co` must be the same.
The syntax accepted is the RFC 5321 dot-atom (no quoted local parts, no IP literals) with
an ASCII or IDNA (`xn--`) domain — what real address books contain.
"""

from __future__ import annotations

import re
import unicodedata

from skailan.platform.errors import Unprocessable
from skailan.platform.i18n import both

_REASONS: dict[str, tuple[str, str]] = {
    "empty": ("El correo está vacío", "The e-mail is empty"),
    "missing_at": ("Al correo le falta la @", "The e-mail is missing the @"),
    "multiple_at": ("El correo tiene más de una @", "The e-mail has more than one @"),
    "invalid_local_part": (
        "La parte antes de la @ no es válida",
        "The part before the @ is not valid",
    ),
    "invalid_domain": (
        "El dominio del correo no es válido (ej.: nombre@empresa.com)",
        "The e-mail domain is not valid (e.g. name@company.com)",
    ),
    "too_long": ("El correo es demasiado largo", "The e-mail is too long"),
}

_LOCAL = re.compile(r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_TLD = re.compile(r"(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})")


class InvalidEmail(Unprocessable):
    code = "invalid_email"

    def __init__(self, reason: str, *, field: str = "email") -> None:
        es, en = _REASONS[reason]
        super().__init__(both(es, en), details=[{"field": field, "error": reason, "message": both(es, en)}])
        self.reason = reason
        self.message_es = es
        self.message_en = en


def normalize_email(raw: str, *, field: str = "email") -> str:
    """`raw` trimmed and lower-cased, or `InvalidEmail` naming what is wrong."""
    # NFKC folds full-width "＠" and friends; zero-width characters come from copy-paste.
    text = unicodedata.normalize("NFKC", str(raw or ""))
    text = re.sub(r"[\u200b-\u200f\u2060\ufeff]", "", text).strip()
    if text.lower().startswith("mailto:"):
        text = text[7:].strip()
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1].strip()
    text = text.lower()
    if not text:
        raise InvalidEmail("empty", field=field)
    if len(text) > 254:
        raise InvalidEmail("too_long", field=field)
    if text.count("@") == 0:
        raise InvalidEmail("missing_at", field=field)
    if text.count("@") > 1:
        raise InvalidEmail("multiple_at", field=field)
    local, domain = text.split("@")
    if len(local) > 64 or not _LOCAL.fullmatch(local):
        raise InvalidEmail("invalid_local_part", field=field)
    labels = domain.split(".")
    if (
        len(labels) < 2
        or not all(_LABEL.fullmatch(label) for label in labels)
        or not _TLD.fullmatch(labels[-1])
    ):
        raise InvalidEmail("invalid_domain", field=field)
    return text
