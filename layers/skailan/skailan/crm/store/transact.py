"""The CRM's transactions and conditional writes: one helper for every TransactWriteItems of the
context, `save_if` / `update_if` / `delete_if` for single items, and the names the services use
for pynamodb's transaction and its failure (so they never import pynamodb).

`transact(build, events=...)` opens a transaction on the shared connection, lets `build(tx)` add
its items, adds the change's domain events' outbox items last (`skailan.platform.outbox`) and
sends it; a transaction cancelled only because another one was writing the same items (two
deals moving into one stage, two people taking one tag) is sent again after a jittered backoff;
a failed condition is raised at once (`TransactionFailed`) for the caller to explain. The
single-item helpers take `events=` too: the write and its events in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from pynamodb.exceptions import TransactWriteError
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from skailan.platform import outbox
from skailan.platform.cancellation import (
    CONDITION_FAILED,
    TRANSACTION_CONFLICT,
    cancellation_reasons,
    conflict_pause,
)
from skailan.platform.events import DomainEvent
from skailan.platform.settings import get_settings
from skailan.platform.storage import ConditionFailed, conditional, shared_connection

Transaction = TransactWrite  # what `build` receives: save / update / delete / condition_check
TransactionFailed = TransactWriteError
CONFLICT_RETRIES = 3


def outbox_table() -> str:
    """The table whose outbox holds the CRM's events (its Pipe publishes them as `skailan.crm`)."""
    return get_settings().contacts_table


def only_conflicts(err: TransactWriteError) -> bool:
    """True when a transaction was cancelled only because others were writing the same items."""
    reasons = set(cancellation_reasons(err))
    return TRANSACTION_CONFLICT in reasons and CONDITION_FAILED not in reasons


def _refused(write: Callable[[], Any]) -> bool:
    """Run one conditional write; True when its condition (or a VersionAttribute) refused it."""
    try:
        with conditional():
            write()
    except ConditionFailed:
        return True
    return False


def save_if(item: Model, condition: Any = None, *, events: Sequence[DomainEvent] = ()) -> bool:
    """Save one item (and its events); False, nothing written, when the condition (or the item's
    VersionAttribute) failed."""
    return not _refused(lambda: outbox.put_with(item, events, outbox_table(), condition=condition))


def update_if(item: Model, actions: list[Any], condition: Any, *, events: Sequence[DomainEvent] = ()) -> bool:
    """One conditional UpdateItem (and its events); False when the condition failed. With events
    the item is not refreshed (a transaction returns no values)."""
    return not _refused(lambda: outbox.update_with(item, actions, events, outbox_table(), condition=condition))


def delete_if(item: Model, condition: Any, *, events: Sequence[DomainEvent] = ()) -> bool:
    """One conditional DeleteItem (and its events); False when the condition failed."""
    return not _refused(lambda: outbox.delete_with(item, events, outbox_table(), condition=condition))


def transact(build: Callable[[TransactWrite], None], attempts: int = CONFLICT_RETRIES, *,
             events: Sequence[DomainEvent] = ()) -> None:
    """Run `build` in one transaction with `events` added last, repeated on a pure conflict (see
    the module doc; the events keep their ids, so a repeat writes the same outbox items)."""
    for attempt in range(attempts):
        try:
            with TransactWrite(connection=shared_connection()) as tx:
                build(tx)
                outbox.add(tx, events, outbox_table())
            return
        except TransactWriteError as err:
            if not only_conflicts(err) or attempt == attempts - 1:
                raise
        conflict_pause(attempt)


