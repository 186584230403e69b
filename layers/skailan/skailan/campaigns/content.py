"""Campaign content: merge fields with fallbacks, SMS encoding and segments, e-mail HTML checks and
its plain-text part. Pure functions (no I/O), so the editor's preview and the sender agree."""

from __future__ import annotations

import html as html_lib
import math
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from skailan.channels.email.html_text import html_to_text

# {{contact.first_name}}, {{contact.custom.plan|básico}}, {{brand.name}}
MERGE = re.compile(r"\{\{\s*([a-z_]+(?:\.[A-Za-z0-9_]+){1,2})\s*(?:\|([^}]*))?\}\}")
CONTACT_FIELDS = frozenset({"first_name", "last_name", "name", "email", "phone"})
BRAND_FIELDS = frozenset({"name"})
# Every `{{...}}` of a text, merge field or not: one that is not a known merge field would go out
# literally ("Hola {{name}}"), so the checks look at all of them.
PLACEHOLDER = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)

# GSM 03.38 basic set and its extension table (each extension character takes two septets).
GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENDED = frozenset("\f^{}\\[~]|€")


def merge_fields(text: str) -> list[tuple[str, str | None]]:
    return [(m.group(1), m.group(2)) for m in MERGE.finditer(text or "")]


def known_field(path: str, custom_keys: Collection[str] | None = None) -> bool:
    """`contact.<field>`, `contact.custom.<key>` (of the brand's custom fields when `custom_keys`
    is given) or `brand.<field>`."""
    parts = path.split(".")
    if parts[0] == "contact":
        if len(parts) == 2:
            return parts[1] in CONTACT_FIELDS
        return len(parts) == 3 and parts[1] == "custom" and (custom_keys is None or parts[2] in custom_keys)
    return parts[0] == "brand" and len(parts) == 2 and parts[1] in BRAND_FIELDS


def unknown_fields(text: str, custom_keys: Collection[str] | None = None) -> list[tuple[str, str]]:
    """(name, placeholder) of every `{{...}}` that is not a known merge field (custom fields go
    under contact.custom.; `{{name}}` has no prefix, `{{contact.foo}}` names nothing)."""
    bad = []
    for found in PLACEHOLDER.finditer(text or ""):
        merge = MERGE.fullmatch(found.group(0))
        path = merge.group(1) if merge else found.group(1).split("|", 1)[0].strip()
        if merge is None or not known_field(path, custom_keys):
            bad.append((path, found.group(0)))
    return bad


def person_values(person: Mapping[str, Any]) -> dict[str, Any]:
    name = str(person.get("name") or "").strip()
    first, _, last = name.partition(" ")
    return {"first_name": first, "last_name": last.strip(), "name": name, "email": person.get("email"),
            "phone": person.get("phone"), "custom": dict(person.get("custom") or {})}


def render(text: str, person: Mapping[str, Any], brand: Mapping[str, Any]) -> str:
    """Replace every merge field with the person's or brand's value, else its fallback, else ""."""
    contact = person_values(person)

    def value(match: re.Match[str]) -> str:
        parts = match.group(1).split(".")
        found: Any = None
        if parts[0] == "contact":
            found = contact["custom"].get(parts[2]) if len(parts) == 3 else contact.get(parts[1])
        elif parts[0] == "brand":
            found = brand.get(parts[1])
        if found in (None, ""):
            # `|amigo` or, as the e-mail module's templates write it, `| "amigo"`
            return (match.group(2) or "").strip().strip('"')
        return str(found)

    return MERGE.sub(value, text or "")


@dataclass(frozen=True)
class SmsInfo:
    encoding: str  # GSM-7 | UCS-2
    characters: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    segments: int
    per_segment: int


def sms_info(text: str) -> SmsInfo:
    """One character outside GSM-7 turns the whole message into UCS-2: 70 per single message, 67 per
    part of a concatenated one (153 and 160 for GSM-7; extension characters count twice)."""
    if all(ch in GSM_BASIC or ch in GSM_EXTENDED for ch in text):
        septets = sum(2 if ch in GSM_EXTENDED else 1 for ch in text)
        if septets <= 160:
            return SmsInfo("GSM-7", septets, 1 if septets else 0, 160)
        return SmsInfo("GSM-7", septets, math.ceil(septets / 153), 153)
    units = len(text.encode("utf-16-le")) // 2
    if units <= 70:
        return SmsInfo("UCS-2", units, 1, 70)
    return SmsInfo("UCS-2", units, math.ceil(units / 67), 67)


# Anything that runs code: refused (a clear 4xx) rather than silently dropped by the sanitiser.
_ACTIVE = re.compile(r"<\s*(script|iframe|object|embed)\b|javascript\s*:|\son[a-z]+\s*=", re.IGNORECASE)


def active_html(html: str) -> bool:
    return bool(_ACTIVE.search(html or ""))


def plain_text(html: str) -> str:
    """The plain-text part of an HTML e-mail: the text, links spelled out, blank lines collapsed."""
    return html_to_text(html or "", spell_links=True)


LINK = re.compile(r"""href\s*=\s*["'](https?://[^"']+)["']""", re.IGNORECASE)


def links(html: str) -> list[str]:
    return list(dict.fromkeys(LINK.findall(html or "")))


def person_fields(person: Any) -> dict[str, Any]:
    """A CRM person item as the values `render` reads (`{{contact.*}}`, custom fields under `custom`)."""
    return {"name": person.name, "email": person.email, "phone": person.phone, "custom": person.custom or {}}


def html_escaped(values: Mapping[str, Any]) -> dict[str, Any]:
    """A person's values as HTML text: a name like `<b>` is shown, never markup in the e-mail."""
    return {k: html_lib.escape(v) if isinstance(v, str) else html_escaped(v) if isinstance(v, Mapping) else v
            for k, v in values.items()}
