"""DynamoDB plumbing shared by every context's data layer: the connection, write transactions
and the base of every single-table item. What a cancelled transaction means is in
`skailan.platform.cancellation` (no pynamodb there: low-level-client stores use it too)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any, ClassVar

from pynamodb.attributes import DiscriminatorAttribute, TTLAttribute, UnicodeAttribute
from pynamodb.connection import Connection
from pynamodb.exceptions import DeleteError, PutError, TransactWriteError, UpdateError
from pynamodb.expressions.condition import Condition as Condition  # re-exported: typing outside stores
from pynamodb.expressions.update import Action as Action  # re-exported: typing outside stores
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite as TransactWrite  # re-exported: typing outside stores

from skailan.platform.cancellation import cancellation_reasons
from skailan.platform.errors import Conflict
from skailan.platform.pagination import clamp_limit, decode_cursor, encode_cursor


def tenant_pk(tenant_id: str) -> str:
    """The partition of a brand's own items (`T#<tenant>`): every context's keys start with it."""
    return f"T#{tenant_id}"


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


# ---------------------------------------------------------------- items


class KeyedItem(Model):
    """pk (partition) and sk (sort): the key of every table of the stack but the limits table."""

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)


class TableItem(KeyedItem):
    """The base of a single-table design: subclass it once per table (the table root, with its
    `Meta.table_name` and `overloaded_indexes = n`), then once per item kind with
    `discriminator="<kind>"`.

    Each table root gets its OWN `kind` discriminator and its own `gsi1`…`gsi<n>` indexes on
    `gsi<i>pk`/`gsi<i>sk`: pynamodb keeps the discriminator registry on the attribute instance,
    so one instance shared by two tables would mix their kinds (two tables' "version" items would
    collide). They are made in `__init_subclass__`, which runs inside `type.__new__` — before
    pynamodb's metaclass `__init__` collects attributes and indexes with `getmembers` — so
    pynamodb sees them as if written in the root's body. The annotations below type them for
    mypy; a table without an index does not have its attributes at run time.
    """

    overloaded_indexes: ClassVar[int] = 0

    kind: DiscriminatorAttribute
    gsi1pk: UnicodeAttribute
    gsi1sk: UnicodeAttribute
    gsi2pk: UnicodeAttribute
    gsi2sk: UnicodeAttribute
    gsi3pk: UnicodeAttribute
    gsi3sk: UnicodeAttribute
    gsi1: ClassVar[GlobalSecondaryIndex[Any]]
    gsi2: ClassVar[GlobalSecondaryIndex[Any]]
    gsi3: ClassVar[GlobalSecondaryIndex[Any]]

    ttl = TTLAttribute(null=True)
    created_at = UnicodeAttribute(null=True)
    updated_at = UnicodeAttribute(null=True)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if TableItem not in cls.__bases__:
            return  # an item kind: it inherits its root's discriminator and indexes
        own: dict[str, Any] = {"kind": DiscriminatorAttribute()}
        for number in range(1, cls.overloaded_indexes + 1):
            name = f"gsi{number}"
            own[f"{name}pk"] = UnicodeAttribute(null=True)
            own[f"{name}sk"] = UnicodeAttribute(null=True)
            own[name] = overloaded_index(name)
        for name, value in own.items():
            setattr(cls, name, value)
            if hasattr(value, "__set_name__"):  # setattr does not call it; pynamodb reads attr_name
                value.__set_name__(cls, name)


def find_item[M: Model](model: type[M], pk: str, sk: str, *, consistent: bool = False) -> M | None:
    """One GetItem; None when the item is not there (every store's `find_*`)."""
    try:
        return model.get(pk, sk, consistent_read=consistent)
    except model.DoesNotExist:
        return None


def query_page[M: KeyedItem](model: type[M], pk: str, prefix: str | None = None, *, cursor: str | None,
                              limit: int | None, newest_first: bool = False,
                              filter_condition: Condition | None = None) -> tuple[list[M], str | None]:
    """One Query page of the items under `pk` (those whose sk starts with `prefix`) and the next
    cursor: the paginated list every store serves. The cursor is bound to `pk` (caller input: one
    from another partition is refused)."""
    results = model.query(pk, model.sk.startswith(prefix) if prefix else None, scan_index_forward=not newest_first,
                          limit=clamp_limit(limit), filter_condition=filter_condition,
                          last_evaluated_key=decode_cursor(cursor, partition_attr="pk", partition_value=pk))
    return list(results), encode_cursor(results.last_evaluated_key)


# ---------------------------------------------------------------- refused writes


class ConditionFailed(Exception):
    """A conditional write, or a transaction, was refused and wrote nothing: the condition did not
    hold, or (transactions) another transaction held one of its items. The domain error a store
    raises, so the code above it never catches pynamodb's exceptions."""

    def __init__(self, reasons: list[str | None] | None = None) -> None:
        super().__init__(",".join(str(reason) for reason in reasons or []) or "condition failed")
        self.reasons = reasons or []  # a transaction's, by position (skailan.platform.cancellation)


@contextmanager
def conditional() -> Iterator[None]:
    """`with conditional(): item.save(condition=...)`: a failed condition (or any cancelled or
    failed transaction, as the stores have always treated them) raises `ConditionFailed`; other
    errors of a single write pass through unchanged."""
    try:
        yield
    except TransactWriteError as err:
        raise ConditionFailed(cancellation_reasons(err)) from err
    except (PutError, UpdateError, DeleteError) as err:
        if err.cause_response_code == "ConditionalCheckFailedException":
            raise ConditionFailed() from err
        raise


@contextmanager
def refused_as(error: Exception) -> Iterator[None]:
    """`with refused_as(_not_found()): store.save_reason(item)`: a conditional write refused
    (`ConditionFailed`: deleted meanwhile, exists already…) answers `error` instead, chained to it."""
    try:
        yield
    except ConditionFailed as err:
        raise error from err


@contextmanager
def changed_meanwhile(es: str, en: str) -> Iterator[None]:
    """`with changed_meanwhile("El equipo cambió; vuelve a intentarlo.", "The team changed; try again."):
    store.save_team(item)`: a write (or a whole transaction) refused because the item changed since
    it was read (its version) answers 409 `concurrent_update` in both languages."""
    try:
        yield
    except (ConditionFailed, TransactWriteError) as err:
        raise Conflict(f"{es} / {en}", code="concurrent_update") from err
