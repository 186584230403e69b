"""EventBridge faults for the local runtime: `POST /_local/faults {"provider": "eventbridge", ...}`.

The next `count` PutEvents calls on moto fail — with `status` 5xx/4xx the whole call fails with
that HTTP status (`code` as the error code, InternalException by default); with status 200 every
entry comes back with `ErrorCode` (`code`, InternalFailure by default) and `FailedEntryCount`, as
EventBridge reports throttling. `DELETE /_local/outbox` clears pending faults. moto runs in this
process that patches its backend (`install()`), so this covers every caller (the outbox Pipes, and
anything else). When the runtime's moto runs in a process of its own (moto_process.py), `add`,
`clear` and `pending` here are forwarded to that process, which holds the faults.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass
from typing import Any

from .moto_remote import call, remote_endpoint

_lock = threading.Lock()
_pending: deque[BusFault] = deque()
_installed = False


@dataclass
class BusFault:
    status: int
    code: str | None = None


def _remote() -> str | None:
    return remote_endpoint()


def add(status: int, count: int = 1, code: str | None = None) -> None:
    if _remote():
        call("POST", "/_skailan/faults/eventbridge", {"status": int(status), "count": int(count), "code": code})
        return
    install()
    with _lock:
        _pending.extend(BusFault(int(status), code) for _ in range(max(0, int(count))))


def clear() -> None:
    if _remote():
        call("DELETE", "/_skailan/faults/eventbridge")
        return
    with _lock:
        _pending.clear()


def pending() -> int:
    if _remote():
        return int(call("GET", "/_skailan/faults/eventbridge")["pending"])
    with _lock:
        return len(_pending)


def _next() -> BusFault | None:
    with _lock:
        return _pending.popleft() if _pending else None


def install() -> None:
    global _installed
    if _installed:
        return
    from moto.core.exceptions import JsonRESTError
    from moto.events.models import EventsBackend

    original = EventsBackend.put_events

    def put_events(self: Any, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
        fault = _next()
        if fault is None:
            return original(self, events)
        if fault.status == 200:
            code = fault.code or "InternalFailure"
            return [{"ErrorCode": code, "ErrorMessage": "Injected by POST /_local/faults"} for _ in events]
        error = JsonRESTError(fault.code or "InternalException", "Injected by POST /_local/faults")
        error.code = fault.status
        raise error

    EventsBackend.put_events = put_events  # type: ignore[method-assign]
    _installed = True
