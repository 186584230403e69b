"""Conversation tags as stored: trimmed, lower case, inner spaces collapsed."""

from __future__ import annotations


def normalize_tag(tag: str) -> str:
    return " ".join(tag.strip().lower().split())
