"""Conversations API (`/v1/conversations…`): the store's minimal surface — list, read, the
messages, and sending a reply. The inbox adds its routers to `ROUTERS`."""

from __future__ import annotations

from typing import Annotated, Literal

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from skailan.conversations.api.actions_routes import CONVERSATION_ROUTERS
from skailan.conversations.models import (
    ConversationId,
    MessageIn,
    MessageOut,
    NewConversationIn,
    Page,
    UploadIn,
    UploadOut,
)
from skailan.conversations.query import facade as inbox
from skailan.conversations.query.facade import InboxConversationOut, StartedConversationOut
from skailan.platform.api import Cursor, Limit
from skailan.platform.auth import current_caller
from skailan.platform.lazy import lazy_module
from skailan.tenancy.access import requires

# Loaded on first use (sending pulls in the outbound machinery; most requests only read).
outbound = lazy_module("skailan.conversations.outbound")
queries = lazy_module("skailan.conversations.query.messages")
start = lazy_module("skailan.conversations.start")

ConversationPath = Annotated[ConversationId, Path()]

router = Router()


@router.get("/v1/conversations", middlewares=[requires("conversations:view", api_key=True)], tags=["conversations"])
def list_conversations(  # filters and visibility: skailan.conversations.query.listing (docs/inbox.md)
    status: Annotated[str | None, Query(max_length=40, description="open, pending, snoozed, closed (comma-separated)")] = None,
    channel: Annotated[str | None, Query(max_length=20)] = None,
    account_id: Annotated[str | None, Query(max_length=64)] = None,
    assignee: Annotated[str | None, Query(max_length=64, description="a user id, `me` or `none` (unassigned)")] = None,
    team: Annotated[str | None, Query(max_length=64, description="a team id or `none`")] = None,
    priority: Annotated[Literal["low", "normal", "high", "urgent"] | None, Query()] = None,
    tags: Annotated[str | None, Query(max_length=200, description="comma-separated; all must match")] = None,
    pinned: Annotated[bool | None, Query()] = None,
    unanswered_for: Annotated[str | None, Query(max_length=10, description="e.g. 30m, 2h, 1d: customer waiting at least that long")] = None,
    answered_within: Annotated[str | None, Query(max_length=10, description="e.g. 1h, 7d: an agent replied within")] = None,
    activity_from: Annotated[str | None, Query(max_length=40, description="last activity from (ISO-8601)")] = None,
    activity_to: Annotated[str | None, Query(max_length=40, description="last activity until (ISO-8601)")] = None,
    sort: Annotated[Literal["last_message", "waiting"] | None, Query(description="newest activity first, or longest wait first")] = None,
    q: Annotated[str | None, Query(max_length=100, description="search by name, phone, e-mail or message text")] = None,
    owner_id: Annotated[str | None, Query(max_length=64, description="the person's owner (CRM): a user id or `me`")] = None,
    cursor: Cursor = None,
    limit: Limit = None,
) -> Page[InboxConversationOut]:
    """Agents see their own and unassigned conversations; supervisors and admins the whole brand."""
    return inbox.list_conversations(
        current_caller(), cursor=cursor, limit=limit, status=status, channel=channel, account_id=account_id,
        assignee=assignee, team=team, priority=priority, tags=tags, pinned=pinned, unanswered_for=unanswered_for,
        answered_within=answered_within, activity_from=activity_from, activity_to=activity_to, sort=sort, q=q,
        owner_id=owner_id)


@router.post("/v1/conversations", status_code=201,
             middlewares=[requires("conversations:edit", api_key=True)], tags=["conversations"])
def start_conversation(body: NewConversationIn) -> StartedConversationOut:
    """Start a conversation with a CRM person on a channel account: an approved WhatsApp
    template with its parameters, or free text on SMS, e-mail and Telegram chats the person
    already opened with the bot. 201 with the conversation and its first message (`queued`);
    the message goes out through the outbound queue like any reply."""
    from skailan.conversations.views import message_out

    caller = current_caller()
    caller.require("contacts:view")  # it reads the person's phone / e-mail
    conversation_id, item = start.start_conversation(caller, body)
    conversation = inbox.get_conversation(caller, conversation_id)
    return StartedConversationOut(**conversation.model_dump(), message=message_out(item))


@router.get("/v1/conversations/<conversation_id>", middlewares=[requires("conversations:view", api_key=True)],
            tags=["conversations"])
def get_conversation(conversation_id: ConversationPath) -> InboxConversationOut:
    return inbox.get_conversation(current_caller(), conversation_id)


@router.get("/v1/conversations/<conversation_id>/messages",
            middlewares=[requires("conversations:view", api_key=True)], tags=["conversations"])
def list_messages(
    conversation_id: ConversationPath,
    cursor: Cursor = None,
    limit: Limit = None,
    order: Annotated[Literal["desc", "asc"], Query(description="desc: newest first (default).")] = "desc",
) -> Page[MessageOut]:
    inbox.ensure_readable(current_caller(), conversation_id)
    return queries.list_messages(current_caller().tenant_id, conversation_id, cursor=cursor, limit=limit,
                                 newest_first=order == "desc")


@router.post("/v1/conversations/<conversation_id>/messages", status_code=202,
             middlewares=[requires("conversations:edit", api_key=True)], tags=["conversations"])
def send_message(conversation_id: ConversationPath, body: MessageIn) -> MessageOut:
    """Queue a reply (text, up to 5 attachments by URL, or an approved template). It answers 202
    with the message `queued`; its delivery states follow (sent, delivered, read or failed)."""
    # window, templates, visibility: 4xx before queueing
    rendered = inbox.check_reply(current_caller(), conversation_id, body)
    outbound.ensure_channel(current_caller().tenant_id, conversation_id)  # 409 when disabled / deleted
    return outbound.queue_message(current_caller(), conversation_id, body, rendered_text=rendered)


@router.post("/v1/conversations/<conversation_id>/uploads", status_code=201,
             middlewares=[requires("conversations:edit", api_key=True)], tags=["conversations"])
def create_upload(conversation_id: ConversationPath, body: UploadIn) -> UploadOut:
    """Ask to upload a file for this conversation: its type must be one the channel accepts
    (a virus-safe allow-list) and its size within the provider's limit. 201 with a presigned
    `upload_url`: PUT the bytes there, then send `{"attachments": [{"upload_id": id}]}`."""
    from skailan.conversations import uploads
    from skailan.conversations.store import state

    caller = current_caller()
    conversation = state.load_visible(caller, conversation_id)
    upload, url = uploads.create_upload(caller.tenant_id, conversation_id, conversation.channel,
                                        filename=body.filename, content_type=body.content_type, size=body.size,
                                        created_by=caller.principal_id)
    return UploadOut(id=upload.upload_id, conversation_id=conversation_id, filename=upload.filename,
                     content_type=upload.content_type, max_bytes=upload.max_bytes, upload_url=url,
                     expires_in=uploads.UPLOAD_EXPIRES)


ROUTERS = [router, *CONVERSATION_ROUTERS]
