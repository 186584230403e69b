"""Reads shared by the records of one SQS batch (issue 17: fewer requests per inbound message).

A worker's batch often holds several events of one brand, and each record read the same brand-wide
item again (the inbox settings, the brand's hours, the automations a trigger starts, the open
sockets): one GetItem or Query per record. `process_sqs_batch` opens a scope for the batch;
`shared(key, load)` inside it loads once and hands the same value to the batch's later records.

Why the values cannot be too old: every record of a batch was written before the batch was
received, and the first read happens after that, so whatever changed before an event was produced
is seen by its record, as without the memo; a change made *while* the batch runs is as racy as it
always was (the record could have been processed a moment earlier). The memo lives only as long
as the batch (no TTL, no container-wide state), and is never used for an item the worker itself
writes in that batch, nor for data a conditional write depends on. Outside a batch (API handlers,
jobs, tests calling services directly) `shared` simply loads.

A ContextVar holds the scope: one per invocation, so concurrent local containers (threads) never
see each other's.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, cast

_scope: ContextVar[dict[Hashable, Any] | None] = ContextVar("skailan_batch_reads", default=None)


@contextmanager
def batch_scope() -> Iterator[None]:
    """Reads through `shared` are loaded once until the block ends (one SQS batch)."""
    token = _scope.set({})
    try:
        yield
    finally:
        _scope.reset(token)


def shared[T](key: Hashable, load: Callable[[], T], *, keep: Callable[[T], bool] | None = None) -> T:
    """`load()` once per batch for `key` (tenant first in every key); a load that raises is not
    kept, nor a value `keep` refuses (e.g. keep only an empty answer, which nothing in the batch
    can make stale)."""
    memo = _scope.get()
    if memo is None:
        return load()
    if key in memo:
        return cast(T, memo[key])
    value = load()
    if keep is None or keep(value):
        memo[key] = value
    return value


def forget(key: Hashable) -> None:
    """The batch changed what `key` read (a socket found gone): the next record loads it again."""
    memo = _scope.get()
    if memo is not None:
        memo.pop(key, None)
