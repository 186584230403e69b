"""Channel accounts and their route guards: the guards (one outside id → one brand) are written
and removed in the same transaction as their account, and so are the events of every write (`events=`:
the outbox). Guards are named by (kind, outside id):
kind "account" for the account id, the channel for its provider id."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from skailan.platform import outbox
from skailan.platform.clock import iso
from skailan.platform.events import DomainEvent
from skailan.platform.storage import Action, conditional, find_item, query_page, transaction
from skailan.tenancy.store.items import (
    CHANNEL_PREFIX,
    ROUTE_SK,
    ChannelAccountItem,
    RouteGuardItem,
    channel_account_sk,
    events_table,
    route_guard_pk,
    tenant_pk,
)

Guard = tuple[str, str]  # (kind, outside id)


def create_account(tenant_id: str, account_id: str, *, channel: str, name: str, external: dict[str, Any],
                   config: dict[str, Any], secret_name: str | None, guards: list[Guard],
                   events: Sequence[DomainEvent] = ()) -> ChannelAccountItem:
    """The account and its route guards, together; `ConditionFailed` when the account or any of
    the guarded ids is taken."""
    now = iso()
    item = ChannelAccountItem(
        tenant_pk(tenant_id), channel_account_sk(account_id), tenant_id=tenant_id, account_id=account_id,
        channel=channel, name=name, status="active", external=external, config=config,
        secret_name=secret_name, created_at=now, updated_at=now,
    )
    with conditional(), transaction() as tx:
        tx.save(item, condition=ChannelAccountItem.pk.does_not_exist())
        for kind, outside_id in guards:
            tx.save(RouteGuardItem(route_guard_pk(kind, outside_id), ROUTE_SK, tenant_id=tenant_id,
                                   account_id=account_id, channel=channel, created_at=now),
                    condition=RouteGuardItem.pk.does_not_exist())
        outbox.add(tx, events, events_table())
    return item


def find_account(tenant_id: str, account_id: str) -> ChannelAccountItem | None:
    return find_item(ChannelAccountItem, tenant_pk(tenant_id), channel_account_sk(account_id))


def list_accounts(tenant_id: str, *, cursor: str | None,
                  limit: int | None) -> tuple[list[ChannelAccountItem], str | None]:
    """One page of the brand's accounts, and the next cursor."""
    return query_page(ChannelAccountItem, tenant_pk(tenant_id), CHANNEL_PREFIX, cursor=cursor, limit=limit)


def find_route(kind: str, outside_id: str) -> RouteGuardItem | None:
    return find_item(RouteGuardItem, route_guard_pk(kind, outside_id), ROUTE_SK)


def set_status(item: ChannelAccountItem, status: str, events: Sequence[DomainEvent] = ()) -> None:
    """Version-checked: `ConditionFailed` when it changed meanwhile; `item` reflects the change after."""
    now = iso()
    with conditional():
        outbox.update_with(item, [ChannelAccountItem.status.set(status), ChannelAccountItem.updated_at.set(now)],
                           events, events_table())
    item.status, item.updated_at = status, now


def set_webhook(item: ChannelAccountItem, state: dict[str, Any], *, touch: bool,
                events: Sequence[DomainEvent] = ()) -> None:
    """Record the provider's webhook registration; `touch` also moves `updated_at`. Version-checked:
    `ConditionFailed` when it changed meanwhile; `item` reflects the change after."""
    actions: list[Action] = [ChannelAccountItem.webhook.set(state)]
    now = iso()
    if touch:
        actions.append(ChannelAccountItem.updated_at.set(now))
    with conditional():
        outbox.update_with(item, actions, events, events_table())
    item.webhook = state
    if touch:
        item.updated_at = now


def save_account(item: ChannelAccountItem, events: Sequence[DomainEvent] = ()) -> None:
    """Write an edited account; version-checked: `ConditionFailed` when it changed meanwhile."""
    with conditional():
        outbox.put_with(item, events, events_table())


def delete_account(item: ChannelAccountItem, guards: list[Guard], events: Sequence[DomainEvent] = ()) -> None:
    """The account and its route guards (each only while still this account's), together;
    `ConditionFailed` when a guard changed hands."""
    with conditional(), transaction() as tx:
        tx.delete(item)
        for kind, outside_id in guards:
            tx.delete(RouteGuardItem(route_guard_pk(kind, outside_id), ROUTE_SK),
                      condition=RouteGuardItem.account_id == item.account_id)
        outbox.add(tx, events, events_table())
