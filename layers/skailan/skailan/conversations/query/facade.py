"""What the conversations API asks of the inbox: the filtered list, the detail with the inbox's
fields and visibility, and the checks a reply must pass before it is queued."""

from __future__ import annotations

from pydantic import Field

from skailan.conversations import opt_outs
from skailan.conversations.models import ConversationOut, MessageIn, MessageOut, Page
from skailan.conversations.store import state
from skailan.conversations.store.items import ConversationItem
from skailan.platform.auth import Caller
from skailan.platform.errors import Unprocessable


class InboxConversationOut(ConversationOut):
    """A conversation with the inbox's part: holder, triage, snooze, close reason, window."""

    inbox_status: str = Field(description="open | pending | snoozed | closed (status, or snoozed while snoozed)")
    assignee: str | None = None
    assignee_name: str | None = None
    assigned_at: str | None = None
    team_id: str | None = None
    priority: str = "normal"
    pinned: bool = False
    tags: list[str] = Field(default_factory=list)
    snoozed_until: str | None = None
    close_reason_id: str | None = None
    closed_at: str | None = None
    bot_handled: bool = False
    waiting_since: str | None = None
    first_response_at: str | None = None
    window_expires_at: str | None = Field(
        default=None, description="WhatsApp: free text allowed until then (customer's last message + 24 h).")
    unread: bool | None = Field(default=None, description="For the caller: not read since the customer last wrote.")
    rating: int | None = Field(default=None, description="CSAT: the customer's 1–5 answer to the survey of the last close.")
    rated_at: str | None = None
    awaiting_rating_until: str | None = Field(
        default=None, description="CSAT: the survey was sent; a 1–5 answer until then is the rating (stays closed).")
    mailbox: str | None = Field(
        default=None, description="E-mail, on GET of one conversation: the brand's own address (a reply-all leaves it "
                                  "out of CC).")


class StartedConversationOut(InboxConversationOut):
    """A conversation the business started (or continued), with the first message it queued."""

    message: MessageOut


def to_out(item: ConversationItem, *, read_at: str | None = None, with_read: bool = False) -> InboxConversationOut:
    from skailan.conversations.views import conversation_out

    base = conversation_out(item).model_dump()
    fields = state.inbox_fields(item)
    unread = None
    if with_read:
        unread = bool(item.last_customer_message_at) and (read_at is None or read_at < (item.last_customer_message_at
                                                                                          or ""))
    return InboxConversationOut(**base, **fields, unread=unread)


def get_conversation(caller: Caller, conversation_id: str) -> InboxConversationOut:
    from skailan.conversations.inbox.actions import read_markers

    item = state.load_visible(caller, conversation_id)
    read_at = read_markers(caller.tenant_id, caller.principal_id, [conversation_id]).get(conversation_id) \
        if caller.kind == "user" else None
    out = to_out(item, read_at=read_at, with_read=caller.kind == "user")
    if item.channel == "email":
        out.mailbox = _mailbox(caller.tenant_id, item.account_id)
    return out


def list_conversations(caller: Caller, *, cursor: str | None, limit: int | None,
                       **filters: str | bool | None) -> Page[InboxConversationOut]:
    from skailan.conversations.domain.filters import Filters
    from skailan.conversations.inbox.actions import read_markers
    from skailan.conversations.query.listing import list_conversations as read_page

    result = read_page(caller, Filters.parse(**filters), cursor=cursor, limit=limit)  # type: ignore[arg-type]
    markers = read_markers(caller.tenant_id, caller.principal_id, [i.conversation_id for i in result.items]) \
        if caller.kind == "user" and result.items else {}
    items = [to_out(i, read_at=markers.get(i.conversation_id), with_read=caller.kind == "user") for i in result.items]
    return Page[InboxConversationOut](items=items, next_cursor=result.next_cursor)


def ensure_readable(caller: Caller, conversation_id: str) -> None:
    state.load_visible(caller, conversation_id)


def check_reply(caller: Caller, conversation_id: str, body: MessageIn) -> str | None:
    """Before a reply is queued: the caller may answer this conversation, and on WhatsApp free
    text goes only inside the 24-hour window while a template must be registered, approved and
    complete. A 4xx here means nothing was stored or queued. Returns a template's rendered text.
    An e-mail's copies (`email.cc`) are checked here and `body.email` keeps those that go out."""
    from skailan.conversations.inbox import templates

    item = state.load_visible(caller, conversation_id)
    if body.email is not None and body.email.cc is not None:
        from skailan.conversations import mail_cc

        mailbox = _mailbox(caller.tenant_id, item.account_id) if item.channel == "email" else None
        body.email = mail_cc.resolve(caller.tenant_id, channel=item.channel, to=item.reply_ref, mailbox=mailbox,
                                     email=body.email)
    if item.channel != "whatsapp":
        if body.template is not None:
            raise Unprocessable("Las plantillas solo existen en WhatsApp. / Templates exist on WhatsApp only.",
                                code="template_not_supported", details=[{"field": "template", "error": "WhatsApp only"}])
        return None
    if body.template is not None:
        template = templates.check_send(caller.tenant_id, item.account_id, body.template.name,
                                        body.template.language, list(body.template.parameters))
        opt_outs.refuse_opted_out(caller.tenant_id, item.channel, item.person_id)
        return templates.render(template.body, list(body.template.parameters))
    expires = state.window_expires_at(item)
    from skailan.platform.clock import iso

    if expires is None or expires <= iso():
        raise Unprocessable(
            "Pasaron más de 24 horas desde el último mensaje del cliente: en WhatsApp solo puedes enviar una "
            "plantilla aprobada (envía `template` con su nombre, idioma y parámetros). / More than 24 hours passed "
            "since the customer's last message: on WhatsApp only an approved template can go out (send `template` "
            "with its name, language and parameters).",
            code="window_closed",
            details={"window_expires_at": expires, "templates": f"/v1/whatsapp-templates?account_id={item.account_id}"
                                                                 "&status=approved"},
        )
    return None


def _mailbox(tenant_id: str, account_id: str) -> str | None:
    """The e-mail account's own address (a reply-all copy to it is dropped); None for an account
    that is gone (a reply then answers 409 in ensure_channel)."""
    from skailan.conversations import accounts

    account = accounts.account(tenant_id, account_id)  # cached like the webhooks' lookups
    return (str(account.external.get("address") or "") or None) if account is not None else None
