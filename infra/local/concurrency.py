"""Per-thread request state for handlers that run concurrently in this one process.

In Lambda every container is a process of its own. Here containers are threads, and the layer's
packages are shared (imported once: `skailan.platform.clock`'s process-wide offset, settings and
client caches must stay single). What would cross wires between two invocations is the request
state Powertools keeps on *classes*: `resolve()` sets `BaseRouter.current_event` and
`BaseRouter.lambda_context` as class attributes, and every router of the layer (`Router`, shared
by every container of a function) reads `current_event` and `context` through the resolver that
included it last. `install()` makes these three per thread — each invocation runs on one thread
from start to end — so a route reads its own request whichever container or function runs
beside it. Nothing changes for code that runs one invocation at a time.

Powertools Logger's keys are instance state too: `inject_lambda_context` appends the invocation's
`function_name`, request id and cold start (and handlers append tenant, principal…) to the one
formatter every function of the process shares, so a line of the outbound worker carried the
assignment worker's name. They are per thread as well (see `_PerThreadLogKeys`).

It also stops containers racing to build the same botocore client: pynamodb builds a
connection's client on first use from a fresh botocore session per thread, so when many new
containers start together each built its own (a botocore client costs ~0.1 s of CPU loading
service models) — 13 % of the process's CPU in `bench channels e2e`. The first use is now
serialized per process, on one botocore session (its loader caches the models), and the
client is built once per connection, as in a Lambda container.
"""

from __future__ import annotations

import threading
from abc import ABCMeta
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_installed = False
_state = threading.local()
_NAMES = ("current_event", "lambda_context")


class _PerThread:
    """A data descriptor: the value set on this thread (instance or class access alike)."""

    def __init__(self, name: str, default: Any = None) -> None:
        self.name = name
        self.default = default

    def __get__(self, instance: Any, owner: Any = None) -> Any:
        try:
            return getattr(_state, self.name)
        except AttributeError:
            if self.default is not None:
                value = self.default()
                setattr(_state, self.name, value)
                return value
            raise AttributeError(self.name) from None

    def __set__(self, instance: Any, value: Any) -> None:
        setattr(_state, self.name, value)


class _RouterMeta(ABCMeta):
    """BaseRouter's metaclass, so `BaseRouter.current_event = ...` (class assignment) lands per thread."""

    current_event = _PerThread("current_event")
    lambda_context = _PerThread("lambda_context")


def install() -> None:
    global _installed
    if _installed:
        return
    from aws_lambda_powertools.event_handler.api_gateway import BaseRouter

    for name in _NAMES:
        type.__setattr__(BaseRouter, name, _PerThread(name))
    # The resolver's `context` dict (route args, what middlewares append) — `self.context = {}` in
    # __init__ and `clear_context()` after each request — one per thread too.
    type.__setattr__(BaseRouter, "context", _PerThread("context", default=dict))
    BaseRouter.__class__ = _RouterMeta  # type: ignore[method-assign,assignment]
    _per_thread_log_keys()
    _one_pynamodb_client_per_connection()
    _installed = True


class _PerThreadLogKeys:
    """`LambdaPowertoolsFormatter.log_format` (the keys stamped on every line) per thread and
    formatter. A thread that has not written its own starts from the formatter's defaults — what
    `clear_state()` restores (service, sampling rate…) — never from another invocation's keys."""

    def __init__(self) -> None:
        self._local = threading.local()

    def _mine(self) -> dict[int, dict[str, Any]]:
        try:
            found: dict[int, dict[str, Any]] = self._local.by_formatter
        except AttributeError:
            found = self._local.by_formatter = {}
        return found

    def __get__(self, instance: Any, owner: Any = None) -> Any:
        if instance is None:
            return self
        mine = self._mine()
        keys = mine.get(id(instance))
        if keys is None:
            keys = dict.fromkeys(instance.log_record_order)
            keys.update(**getattr(instance, "keys_combined", {}))
            mine[id(instance)] = keys
        return keys

    def __set__(self, instance: Any, value: dict[str, Any]) -> None:
        self._mine()[id(instance)] = value


_LOG_KEYS = _PerThreadLogKeys()


@contextmanager
def own_log_keys() -> Iterator[None]:
    """One invocation's log keys: it starts from the defaults (a thread reused by another function
    must not lend it its keys, even to a handler without `inject_lambda_context`), and whatever ran
    on this thread before gets its keys back after."""
    mine = _LOG_KEYS._mine()
    saved = dict(mine)
    mine.clear()
    try:
        yield
    finally:
        mine.clear()
        mine.update(saved)


def _per_thread_log_keys() -> None:
    from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter

    LambdaPowertoolsFormatter.log_format = _LOG_KEYS  # type: ignore[assignment,method-assign]


def _one_pynamodb_client_per_connection() -> None:
    from botocore.session import get_session
    from pynamodb.connection import base

    lock = threading.Lock()
    shared: list[Any] = []
    built: Any = base.Connection.client

    def session() -> Any:
        if not shared:
            shared.append(get_session())
        return shared[0]

    def client(self: Any) -> Any:
        current = getattr(self, "_client", None)
        signer = getattr(current, "_request_signer", None) if current is not None else None
        if current is not None and (not signer or signer._credentials):
            return current
        with lock:  # one builder at a time; whoever waited finds it built
            if not getattr(self, "_aws_access_key_id", None):  # explicit keys keep a session of their own
                self._local.session = session()
            return built.fget(self)

    base.Connection.client = property(client)  # type: ignore[assignment,method-assign]
