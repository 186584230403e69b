"""Query-string checks the resolver's validation does not make: unknown parameters are a 400."""

from __future__ import annotations

from typing import Any

from skailan.platform.errors import BadRequest


def reject_unknown_parameters(event: Any, allowed: set[str]) -> None:
    """`event`: the resolver's current event; a parameter not in `allowed` is the caller's mistake."""
    unknown = sorted(set(event.query_string_parameters or {}) - allowed)
    if unknown:
        raise BadRequest("Parámetros desconocidos. / Unknown query parameters.", code="unknown_parameter",
                         details=[{"field": name, "error": "unknown query parameter"} for name in unknown])
