"""Event catalogues: each context lists every event type it publishes and the model of its payload.

A context's `catalogue.py` declares its types as constants (emitters use them instead of string
literals), one pydantic model per type for `DomainEvent.data`, and a `Catalogue` joining them with
the context's `source`. `tests/contract/test_event_catalogues.py` checks every EventBridge rule of
template.yaml against the catalogues. Payload models allow extra keys: a new key is additive and
must not break a consumer or the emitter; a removed or retyped key is what they catch.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict


class Payload(BaseModel):
    """Base of every payload model: what `DomainEvent.data` carries for one event type."""

    model_config = ConfigDict(extra="allow", defer_build=True)


class EntityPayload(Payload):
    """Configuration changes (created / updated / deleted): the entity's fields as changed."""


@dataclass(frozen=True)
class Catalogue:
    source: str
    payloads: Mapping[str, type[Payload]]

    def __contains__(self, type_: object) -> bool:
        return type_ in self.payloads

    @property
    def types(self) -> frozenset[str]:
        return frozenset(self.payloads)

    def check(self, type_: str) -> str:
        """The type, if this catalogue lists it; a clear error for an emitter that drifted."""
        if type_ not in self.payloads:
            raise ValueError(f"{type_!r} is not in the {self.source} event catalogue")
        return type_

    def payload(self, type_: str, data: Mapping[str, Any]) -> Payload:
        return self.payloads[self.check(type_)].model_validate(dict(data))


def entity_types(*entities: str, verbs: tuple[str, ...] = ("created", "updated", "deleted")) -> dict[str, type[Payload]]:
    """`team` → team.created / team.updated / team.deleted, each with an EntityPayload."""
    return {f"{entity}.{verb}": EntityPayload for entity in entities for verb in verbs}
