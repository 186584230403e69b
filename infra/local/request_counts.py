"""AWS requests the runtime's process makes, by who made them and by operation (issue 17).

moto's process counts what it serves by operation only (`/_skailan/requests`); this counts the
same requests on the caller's side, so each one is charged to a function or to the runtime's own
machinery: a handler's call runs inside `LocalFunction._run`, which names the function for its
thread (`invoking`); anything else is named by its thread (`poller-<source>` receiving,
`invoke-<source>` deleting a batch, `pipe-<name>` reading a stream, `gateway`, `scheduler`, …).
`GET /_local/requests` shows the counts, `DELETE /_local/requests` starts them again;
`python -m bench channels e2e` prints them per stored message (README: Where the time goes).

Counting is one patched `BaseClient._make_api_call` (every boto3 and pynamodb request passes
through it) and a dict increment under a lock: cheap next to the request itself.
"""

from __future__ import annotations

import collections
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_lock = threading.Lock()
_counts: collections.Counter[tuple[str, str]] = collections.Counter()
_current = threading.local()
_installed = False
THREAD_PREFIX = "skailan-local-"


@contextmanager
def invoking(function: str) -> Iterator[None]:
    """Charge this thread's AWS requests to `function` while the block runs."""
    previous = getattr(_current, "function", None)
    _current.function = function
    try:
        yield
    finally:
        _current.function = previous


def caller() -> str:
    """Who is making a request on this thread: the invoked function, else the thread's role."""
    function = getattr(_current, "function", None)
    if function:
        return str(function)
    name = threading.current_thread().name
    return name.removeprefix(THREAD_PREFIX) if name.startswith(THREAD_PREFIX) else "other"


def count(service: str, operation: str) -> None:
    key = (caller(), f"{service}:{operation}")
    with _lock:
        _counts[key] += 1


def install() -> None:
    """Count every botocore request of this process from now on (idempotent)."""
    global _installed
    with _lock:
        if _installed:
            return
        _installed = True
    from botocore.client import BaseClient

    original = getattr(BaseClient, "_make_api_call")  # noqa: B009 - private, untyped in the stubs

    def counted(self: Any, operation_name: str, api_params: dict[str, Any]) -> Any:
        count(self.meta.service_model.service_name, operation_name)
        return original(self, operation_name, api_params)

    setattr(BaseClient, "_make_api_call", counted)  # noqa: B010


def snapshot() -> dict[str, dict[str, int]]:
    """`{caller: {"service:Operation": n}}`, callers and operations sorted."""
    with _lock:
        items = sorted(_counts.items())
    result: dict[str, dict[str, int]] = {}
    for (who, operation), n in items:
        result.setdefault(who, {})[operation] = n
    return result


def reset() -> None:
    with _lock:
        _counts.clear()


def difference(after: dict[str, dict[str, int]], before: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    """What was counted between two snapshots (callers and operations with nothing new left out)."""
    result: dict[str, dict[str, int]] = {}
    for who, operations in after.items():
        for operation, n in operations.items():
            grown = n - before.get(who, {}).get(operation, 0)
            if grown:
                result.setdefault(who, {})[operation] = grown
    return result
