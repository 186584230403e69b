"""Talking to the runtime's moto when it runs in a process of its own (moto_process.py): its
endpoint, and one `/_skailan/*` control request. Below moto_process.py, so the modules that process
serves (bus_faults) and the seed can call it without importing the process manager back.
"""

from __future__ import annotations

import json
import urllib.request
from typing import Any

# The runtime's moto when it runs in a child process (None: in this process, or no runtime).
_endpoint: str | None = None


def remote_endpoint() -> str | None:
    """The moto endpoint of a runtime whose moto runs in its own process; None when in process."""
    return _endpoint


def call(method: str, path: str, body: Any = None, timeout: float = 30) -> Any:
    """One `/_skailan/*` request to the runtime's moto process; the decoded JSON answer."""
    assert _endpoint is not None, "moto runs in this process"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"{_endpoint}{path}", data=data, method=method,  # noqa: S310 - 127.0.0.1
                                     headers={"content-type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as reply:  # noqa: S310 - our own moto
        return json.loads(reply.read() or b"null")


def set_endpoint(url: str) -> None:
    """The runtime's moto now answers at `url`, in a process of its own (moto_process.py)."""
    global _endpoint
    _endpoint = url


def clear_endpoint(url: str) -> None:
    """The moto process at `url` stopped (another runtime's endpoint is left alone)."""
    global _endpoint
    if _endpoint == url:
        _endpoint = None
