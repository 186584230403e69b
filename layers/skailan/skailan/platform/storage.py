"""DynamoDB plumbing shared by every context's data layer."""

from __future__ import annotations

from functools import cache
from typing import Any

from pynamodb.attributes import UnicodeAttribute
from pynamodb.connection import Connection
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
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


def overloaded_index(name: str, *, hash_key: str | None = None, range_key: str | None = None) -> Any:
    """A string-keyed GSI with every attribute projected, as single-table designs overload them.

    `gsi1 = overloaded_index("gsi1")` on a model is the index `gsi1` on `gsi1pk`/`gsi1sk`.
    """
    meta = type("Meta", (), {"index_name": name, "projection": AllProjection()})
    namespace = {
        "Meta": meta,
        hash_key or f"{name}pk": UnicodeAttribute(hash_key=True),
        range_key or f"{name}sk": UnicodeAttribute(range_key=True),
    }
    return type(f"{name.title().replace('_', '')}Index", (GlobalSecondaryIndex,), namespace)()
