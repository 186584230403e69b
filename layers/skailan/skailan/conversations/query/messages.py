"""Reads for the conversations API, keyed by the caller's tenant (another brand's id is 404)."""

from __future__ import annotations

from skailan.conversations.models import ConversationOut, MessageOut, Page
from skailan.conversations.store import messages as store
from skailan.conversations.views import conversation_out, message_out
from skailan.platform.errors import NotFound

CONVERSATION_NOT_FOUND = "Conversación no encontrada. / Conversation not found."


def get_conversation(tenant_id: str, conversation_id: str) -> ConversationOut:
    item = store.get_conversation(tenant_id, conversation_id)
    if item is None:
        raise NotFound(CONVERSATION_NOT_FOUND, code="conversation_not_found")
    return conversation_out(item)


def list_conversations(tenant_id: str, *, status: str | None, cursor: str | None,
                       limit: int | None) -> Page[ConversationOut]:
    items, next_cursor = store.list_conversations(tenant_id, status=status, cursor=cursor, limit=limit)
    return Page[ConversationOut](items=[conversation_out(i) for i in items], next_cursor=next_cursor)


def list_messages(tenant_id: str, conversation_id: str, *, cursor: str | None, limit: int | None,
                  newest_first: bool) -> Page[MessageOut]:
    if store.get_conversation(tenant_id, conversation_id) is None:
        raise NotFound(CONVERSATION_NOT_FOUND, code="conversation_not_found")
    items, next_cursor = store.list_messages(tenant_id, conversation_id, cursor=cursor, limit=limit,
                                             newest_first=newest_first)
    return Page[MessageOut](items=[message_out(i) for i in items], next_cursor=next_cursor)
