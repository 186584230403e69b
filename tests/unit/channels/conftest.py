"""Shared test helpers for the channel layer: fixture loading, and no sockets at all."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(autouse=True)
def no_sockets(monkeypatch: pytest.MonkeyPatch) -> None:
    """Unit tests never touch the network: HTTP goes through respx, DNS through an injected resolver."""

    def refuse(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("unit tests must not open sockets or resolve names")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def load_json_fixture(provider: str, name: str) -> Any:
    return json.loads((FIXTURES / provider / f"{name}.json").read_text(encoding="utf-8"))


def load_bytes_fixture(provider: str, name: str) -> bytes:
    return (FIXTURES / provider / name).read_bytes()


@pytest.fixture
def fixture_json() -> Callable[[str, str], Any]:
    return load_json_fixture


@pytest.fixture
def fixture_bytes() -> Callable[[str, str], bytes]:
    return load_bytes_fixture


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client() as http:
        yield http
