"""AWS clients, created lazily and once per container (no network or boto3 import at cold start)."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any


@cache
def client(service: str) -> Any:
    import boto3  # imported on first use: most requests of most functions never need it

    # Any service by name: the stubs' overloads only know literal names.
    make: Callable[..., Any] = boto3.client
    return make(service)


def reset_clients() -> None:
    """Forget cached clients (tests switch endpoints between runs)."""
    client.cache_clear()
    from skailan.platform.storage import shared_connection

    shared_connection.cache_clear()
