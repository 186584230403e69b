"""The CRM's transactions and conditional writes: one helper for every TransactWriteItems of the
context, `save_if` / `update_if` / `delete_if` for single items, and the names the services use
for pynamodb's transaction and its failure (so they never import pynamodb).

`transact(build)` opens a transaction on the shared connection, lets `build(tx)` add its items
and sends it; a transaction cancelled only because another one was writing the same items (two
deals moving into one stage, two people taking one tag) is sent again after a jittered backoff;
a failed condition is raised at once (`TransactionFailed`) for the caller to explain.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pynamodb.exceptions import TransactWriteError
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from skailan.platform.cancellation import (
    CONDITION_FAILED,
    TRANSACTION_CONFLICT,
    cancellation_reasons,
    conflict_pause,
)
from skailan.platform.storage import ConditionFailed, conditional, shared_connection

Transaction = TransactWrite  # what `build` receives: save / update / delete / condition_check
TransactionFailed = TransactWriteError
CONFLICT_RETRIES = 3


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


def save_if(item: Model, condition: Any = None) -> bool:
    """Save one item; False when the condition (or the item's VersionAttribute) failed."""
    return not _refused(lambda: item.save(condition=condition))


def update_if(item: Model, actions: list[Any], condition: Any) -> bool:
    """One conditional UpdateItem; False when the condition failed."""
    return not _refused(lambda: item.update(actions=actions, condition=condition))


def delete_if(item: Model, condition: Any) -> bool:
    """One conditional DeleteItem; False when the condition failed."""
    return not _refused(lambda: item.delete(condition=condition))


def transact(build: Callable[[TransactWrite], None], attempts: int = CONFLICT_RETRIES) -> None:
    """Run `build` in one transaction, repeated on a pure conflict (see the module doc)."""
    for attempt in range(attempts):
        try:
            with TransactWrite(connection=shared_connection()) as tx:
                build(tx)
            return
        except TransactWriteError as err:
            if not only_conflicts(err) or attempt == attempts - 1:
                raise
        conflict_pause(attempt)


