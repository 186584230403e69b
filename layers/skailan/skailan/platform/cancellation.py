"""What a cancelled DynamoDB transaction says, read the same from pynamodb's `TransactWriteError`
and botocore's `TransactionCanceledException`, and the pause before retrying a contended write.

No pynamodb import: the stores on the low-level client (analytics, realtime) use it too, and the
realtime functions do not load pynamodb at cold start.
"""

from __future__ import annotations

import random
import time
from collections.abc import Sequence

CONDITION_FAILED = "ConditionalCheckFailed"
TRANSACTION_CONFLICT = "TransactionConflict"


def cancellation_reasons(err: Exception) -> list[str | None]:
    """The code of each operation of a cancelled TransactWriteItems, in the order sent (None:
    that operation was not the cause), from pynamodb's `TransactWriteError` or botocore's
    `TransactionCanceledException`; [] for any other error."""
    parsed = getattr(err, "cancellation_reasons", None)  # pynamodb's TransactWriteError
    if isinstance(parsed, list):
        return [reason.code if reason else None for reason in parsed]
    response = getattr(err, "response", None)
    if not isinstance(response, dict):
        return []
    codes = [reason.get("Code") for reason in response.get("CancellationReasons") or []]
    return [None if code in (None, "None") else str(code) for code in codes]


def condition_failed(err: Exception, position: int | None = None) -> bool:
    """True when a condition cancelled the transaction: the operation at `position` (its index in
    the order sent), or any when `position` is None. A plain conditional write's failed condition
    counts as well, so one test serves `save`/`update` and transactions."""
    if getattr(err, "cause_response_code", None) == "ConditionalCheckFailedException":
        return position in (None, 0)
    reasons = cancellation_reasons(err)
    if position is None:
        return CONDITION_FAILED in reasons
    return len(reasons) > position and reasons[position] == CONDITION_FAILED


def contended(reasons: Sequence[str | None]) -> bool:
    """A failed condition or another transaction on the same item: read again and decide again."""
    return any(reason in (CONDITION_FAILED, TRANSACTION_CONFLICT) for reason in reasons)


def conflict_pause(attempt: int) -> None:
    """Sleep before retry `attempt` (0-based) of a contended write: exponential backoff with full
    jitter, capped at 0.2 s, so writers that collided do not collide again in step."""
    time.sleep(min(0.2, 0.005 * (2**attempt)) * random.random())
