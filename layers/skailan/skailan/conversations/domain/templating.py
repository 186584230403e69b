"""Merge fields in quick replies: `{{contact.first_name}}`, `{{agent.name}}`, `{{brand.name}}`,
`{{contact.custom.<key>}}`… Pure functions: values are passed in.

Unknown fields are refused when a quick reply is saved and when it is previewed (422 naming
them) — a typo must not reach a customer as "Hola {{contact.frist_name}}". A known field with
no value for this person renders empty.
"""

from __future__ import annotations

import re
from typing import Any

FIELD = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")
CUSTOM = re.compile(r"^contact\.custom\.[A-Za-z0-9_-]{1,64}$")
KNOWN = (
    "contact.name",
    "contact.first_name",
    "contact.last_name",
    "contact.phone",
    "contact.email",
    "agent.name",
    "agent.first_name",
    "agent.email",
    "brand.name",
)


def fields_in(text: str | None) -> list[str]:
    return list(dict.fromkeys(m.group(1) for m in FIELD.finditer(text or "")))


def unknown_fields(text: str | None) -> list[str]:
    return [f for f in fields_in(text) if f not in KNOWN and not CUSTOM.match(f)]


def _split(name: str | None) -> tuple[str, str]:
    words = (name or "").split()
    if not words:
        return "", ""
    return words[0], " ".join(words[1:])


def context(*, contact: dict[str, Any], custom: dict[str, Any] | None, agent: dict[str, Any],
            brand_name: str) -> dict[str, str]:
    first, last = _split(contact.get("name"))
    agent_first, _ = _split(agent.get("name"))
    values = {
        "contact.name": contact.get("name") or "",
        "contact.first_name": first,
        "contact.last_name": last,
        "contact.phone": contact.get("phone") or "",
        "contact.email": contact.get("email") or "",
        "agent.name": agent.get("name") or "",
        "agent.first_name": agent_first,
        "agent.email": agent.get("email") or "",
        "brand.name": brand_name,
    }
    for key, value in (custom or {}).items():
        values[f"contact.custom.{key}"] = "" if value is None else str(value)
    return values


def render(text: str | None, values: dict[str, str]) -> str | None:
    if text is None:
        return None

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in values:
            return values[name]
        if CUSTOM.match(name):
            return ""
        return match.group(0)

    return FIELD.sub(replace, text)
