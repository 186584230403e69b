"""The CRM's transactions and conditional writes: one helper for every TransactWriteItems of the
context, `save_if` / `update_if` / `delete_if` for single items, and the names the services use
for pynamodb's transaction and its failure (so they never import pynamodb).

`transact(build)` opens a transaction on the shared connection, lets `build(tx)` add its items
and sends it; a transaction cancelled only because another one was writing the same items (two
deals moving into one stage, two people taking one tag) is sent again after a jittered backoff;
a failed condition is raised at once (`TransactionFailed`) for the caller to explain.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any

from pynamodb.exceptions import DeleteError, PutError, TransactWriteError, UpdateError
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from skailan.platform.storage import shared_connection

Transaction = TransactWrite  # what `build` receives: save / update / delete / condition_check
TransactionFailed = TransactWriteError
CONFLICT_RETRIES = 3
CONDITION_FAILED = "ConditionalCheckFailedException"


def only_conflicts(err: TransactWriteError) -> bool:
    """True when a transaction was cancelled only because others were writing the same items."""
    reasons = {r.code for r in (getattr(err, "cancellation_reasons", None) or []) if r is not None and r.code}
    return (err.cause_response_code == "TransactionCanceledException" and "TransactionConflict" in reasons
            and "ConditionalCheckFailed" not in reasons)


def save_if(item: Model, condition: Any = None) -> bool:
    """Save one item; False when the condition (or the item's VersionAttribute) failed."""
    try:
        item.save(condition=condition)
    except PutError as err:
        if err.cause_response_code == CONDITION_FAILED:
            return False
        raise
    return True


def update_if(item: Model, actions: list[Any], condition: Any) -> bool:
    """One conditional UpdateItem; False when the condition failed."""
    try:
        item.update(actions=actions, condition=condition)
    except UpdateError as err:
        if err.cause_response_code == CONDITION_FAILED:
            return False
        raise
    return True


def delete_if(item: Model, condition: Any) -> bool:
    """One conditional DeleteItem; False when the condition failed."""
    try:
        item.delete(condition=condition)
    except DeleteError as err:
        if err.cause_response_code == CONDITION_FAILED:
            return False
        raise
    return True


def backoff(attempt: int) -> None:
    time.sleep(0.02 * 2**attempt + random.random() * 0.02)  # jitter, not security


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
        backoff(attempt)
