"""Domain events: one versioned envelope; written to an outbox (`platform.outbox`), put on the bus by Pipes."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from skailan.platform.clock import iso
from skailan.platform.ids import new_id

SCHEMA_VERSION = "1"


class Actor(BaseModel):
    """Who caused the event: a user, an API key or the system itself."""

    model_config = ConfigDict(defer_build=True)

    kind: str = "system"  # user | api_key | system | customer
    id: str | None = None
    email: str | None = None


class CausalChain(BaseModel):
    """Set on events an automation caused: the event that started the chain and how many
    automation runs led here. Automations stop a chain past their depth limit (loop protection)."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    root_event_id: str
    depth: int = Field(ge=1)


_chain: ContextVar[CausalChain | None] = ContextVar("skailan_causal_chain", default=None)


def current_chain() -> CausalChain | None:
    return _chain.get()


@contextmanager
def caused_by(chain: CausalChain | None) -> Iterator[None]:
    """Every event built inside carries `chain` (an automation run's steps run inside one)."""
    token = _chain.set(chain)
    try:
        yield
    finally:
        _chain.reset(token)


class DomainEvent(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)

    id: str = Field(default_factory=new_id)
    version: str = SCHEMA_VERSION
    tenant_id: str
    source: str  # "skailan.<context>", e.g. "skailan.tenancy"; EventBridge rules match on it
    type: str  # e.g. "user.invited"
    occurred_at: str = Field(default_factory=iso)
    actor: Actor = Field(default_factory=Actor)
    correlation_id: str | None = None
    # What the event is about, for the audit log and for consumers that filter.
    entity_type: str | None = None
    entity_id: str | None = None
    data: dict[str, Any] = Field(default_factory=dict)
    # Only on events an automation caused (absent otherwise: envelopes stay as they were).
    chain: CausalChain | None = Field(default_factory=current_chain, exclude_if=lambda value: value is None)


class EventPublishError(RuntimeError):
    pass


def to_entry(event: DomainEvent, bus_name: str) -> dict[str, Any]:
    return {
        "Source": event.source,
        "DetailType": event.type,
        "Detail": event.model_dump_json(),
        "EventBusName": bus_name,
    }


def publish(events: Iterable[DomainEvent], *, bus_name: str | None = None) -> None:
    """Put events on the bus; raise if any entry failed so the caller's retry covers it.

    Not for request paths or workers: contexts write their events to their table's outbox
    (`skailan.platform.outbox`) and the table's Pipe publishes them. This is what that path (and
    tools replaying an outbox) sends: the envelope's JSON as Detail, the type as DetailType."""
    from skailan.platform.aws import client
    from skailan.platform.settings import get_settings

    bus = bus_name or get_settings().event_bus_name
    batch = [to_entry(e, bus) for e in events]
    events_client = client("events")
    for start in range(0, len(batch), 10):
        chunk = batch[start : start + 10]
        response = events_client.put_events(Entries=chunk)
        if response.get("FailedEntryCount", 0):
            failed = [e for e in response["Entries"] if e.get("ErrorCode")]
            raise EventPublishError(f"{len(failed)} events were not published: {failed[:3]}")


def from_eventbridge(detail: dict[str, Any] | str) -> DomainEvent:
    if isinstance(detail, str):
        return DomainEvent.model_validate_json(detail)
    return DomainEvent.model_validate(detail)


def event_from_sqs_body(body: str) -> DomainEvent:
    """An SQS message from an EventBridge rule carries the whole EventBridge event as JSON."""
    import json

    envelope = json.loads(body)
    detail = envelope.get("detail", envelope)
    return from_eventbridge(detail)


def actor_of(caller: Any) -> Actor:
    """The actor of an event caused by a verified caller (`skailan.platform.auth.Caller`)."""
    if caller is None:
        return Actor()
    return Actor(kind=caller.kind, id=caller.principal_id, email=caller.email)


def build_event(
    source: str,
    tenant_id: str,
    type_: str,
    *,
    caller: Any = None,
    entity_type: str | None = None,
    entity_id: str | None = None,
    data: dict[str, Any] | None = None,
) -> DomainEvent:
    return DomainEvent(tenant_id=tenant_id, source=source, type=type_, actor=actor_of(caller),
                       entity_type=entity_type, entity_id=entity_id, data=data or {})
