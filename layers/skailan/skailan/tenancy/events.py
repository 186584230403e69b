"""Tenancy's domain events (source `skailan.tenancy`): built from the caller, published after the write."""

from __future__ import annotations

from typing import Any

from skailan.platform.events import DomainEvent, build_event, publish

SOURCE = "skailan.tenancy"


def emit(tenant_id: str, type_: str, **fields: Any) -> DomainEvent:
    event = build_event(SOURCE, tenant_id, type_, **fields)
    publish([event])
    return event
