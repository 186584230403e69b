"""The inbox's per-brand settings document and the bots' per-conversation markers (inbox table)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from skailan.conversations.store import ops
from skailan.conversations.store.inbox_items import (
    BOT_STATE_SK,
    INBOX_SETTINGS_SK,
    BotStateItem,
    InboxSettingsItem,
    bot_state_pk,
    inbox_settings_pk,
)
from skailan.platform.clock import iso
from skailan.platform.events import DomainEvent
from skailan.platform.storage import ConditionFailed, conditional


def settings_item(tenant_id: str) -> InboxSettingsItem:
    """The brand's stored settings (an unsaved empty one when it has none)."""
    item = ops.get(InboxSettingsItem, inbox_settings_pk(tenant_id), INBOX_SETTINGS_SK)
    if item is None:
        item = InboxSettingsItem(inbox_settings_pk(tenant_id), INBOX_SETTINGS_SK, tenant_id=tenant_id, data={},
                                 created_at=iso())
    return item


def stored_settings(tenant_id: str) -> dict[str, Any]:
    """What the brand set (no defaults); {} when nothing."""
    item = ops.get(InboxSettingsItem, inbox_settings_pk(tenant_id), INBOX_SETTINGS_SK)
    return (item.data or {}) if item is not None else {}


def save_settings(item: InboxSettingsItem, *, events: Sequence[DomainEvent] = ()) -> None:
    """Over the version read (`ConditionFailed` when it changed meanwhile), with its events."""
    ops.save(item, events=events)


def bot_marker(tenant_id: str, conversation_id: str) -> BotStateItem | None:
    return ops.get(BotStateItem, bot_state_pk(tenant_id, conversation_id), BOT_STATE_SK, consistent=True)


def claim_bot_marker(tenant_id: str, conversation_id: str, attr: str, value: str,
                     marker: BotStateItem | None) -> bool:
    """Set `attr` of the conversation's bot marker to `value` only if it still holds what `marker`
    (as read; None: no marker yet) held: exactly one claimant wins."""
    item = marker or BotStateItem(bot_state_pk(tenant_id, conversation_id), BOT_STATE_SK, tenant_id=tenant_id,
                                  conversation_id=conversation_id)
    previous = getattr(marker, attr) if marker is not None else None
    setattr(item, attr, value)
    column = getattr(BotStateItem, attr)
    if marker is None:
        condition = BotStateItem.pk.does_not_exist()
    else:
        condition = column.does_not_exist() if previous is None else column == previous
    try:
        with conditional():
            item.save(condition=condition)
    except ConditionFailed:
        return False
    return True
