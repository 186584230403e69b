"""User-facing messages are Spanish first with English alongside (SPEC: users speak Spanish)."""

from __future__ import annotations


def both(es: str, en: str) -> str:
    """One human message carrying both languages, for error `message` fields."""
    return f"{es} / {en}"
