"""DynamoDB plumbing shared by every context's data layer."""

from __future__ import annotations

from functools import cache

from pynamodb.connection import Connection
from pynamodb.transactions import TransactWrite


@cache
def shared_connection() -> Connection:
    """One pynamodb connection (one botocore client) per container.

    `Connection()` per transaction builds a new botocore client — tens of ms of CPU — each time.
    """
    return Connection()


def transaction() -> TransactWrite:
    """A write transaction on the shared connection: `with transaction() as tx: ...`."""
    return TransactWrite(connection=shared_connection())
