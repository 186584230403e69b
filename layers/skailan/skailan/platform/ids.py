"""Sortable ids (ULID) and the id types shared by every context."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field
from ulid import ULID

TenantId = Annotated[str, Field(min_length=2, max_length=64, pattern=r"^[a-z0-9][a-z0-9-]*$")]
EntityId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


def new_id() -> str:
    """A ULID: unique, and sorts by creation time."""
    return str(ULID())
