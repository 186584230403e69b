"""E-mail module routes (`/v1/email/...`, the inbox function): templates and their rendering for a
conversation, signatures (own and brand), auto-responses per mailbox, scheduled follow-ups."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from skailan.conversations.inbox.mail_folders import FilingOut, FolderIn, LabelsIn
from skailan.conversations.inbox.mail_models import (
    AutoResponseIn,
    AutoResponseOut,
    EmailTemplateIn,
    EmailTemplateOut,
    EmailTemplateUpdateIn,
    FollowUpIn,
    FollowUpOut,
    RenderIn,
    RenderOut,
    SignatureIn,
    SignatureOut,
)
from skailan.conversations.inbox.models import Page
from skailan.conversations.query.facade import InboxConversationOut
from skailan.platform.api import Cursor, Limit
from skailan.platform.api import PathId as Id
from skailan.platform.auth import current_caller
from skailan.tenancy.access import requires

VIEW = [requires("conversations:view")]
EDIT = [requires("conversations:edit")]
MANAGE = [requires("conversations:manage")]
TAGS = ["email"]
FolderQuery = Annotated[str | None, Query(max_length=40, pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$")]

email_router = Router()


@email_router.get("/v1/email/templates", middlewares=VIEW, tags=TAGS)
def list_email_templates(cursor: Cursor = None, limit: Limit = None) -> Page[EmailTemplateOut]:
    from skailan.conversations.inbox import mail

    return mail.list_templates(current_caller().tenant_id, cursor=cursor, limit=limit)


@email_router.post("/v1/email/templates", status_code=201, middlewares=MANAGE, tags=TAGS)
def create_email_template(body: EmailTemplateIn) -> EmailTemplateOut:
    """An e-mail template: HTML written or imported (stored sanitised), subject, text, merge fields
    such as `{{contact.first_name | "cliente"}}`."""
    from skailan.conversations.inbox import mail

    return mail.create_template(current_caller(), body)


@email_router.get("/v1/email/templates/<template_id>", middlewares=VIEW, tags=TAGS)
def get_email_template(template_id: Id) -> EmailTemplateOut:
    from skailan.conversations.inbox import mail

    return mail.get_template(current_caller().tenant_id, template_id)


@email_router.patch("/v1/email/templates/<template_id>", middlewares=MANAGE, tags=TAGS)
def update_email_template(template_id: Id, body: EmailTemplateUpdateIn) -> EmailTemplateOut:
    from skailan.conversations.inbox import mail

    return mail.update_template(current_caller(), template_id, body)


@email_router.delete("/v1/email/templates/<template_id>", status_code=204, middlewares=MANAGE, tags=TAGS)
def delete_email_template(template_id: Id) -> None:
    from skailan.conversations.inbox import mail

    mail.delete_template(current_caller(), template_id)


@email_router.post("/v1/email/templates/<template_id>/render", middlewares=VIEW, tags=TAGS)
def render_email_template(template_id: Id, body: RenderIn) -> RenderOut:
    """The template filled in for an e-mail conversation, to send as a reply (`text`, `email.subject`,
    `email.html`)."""
    from skailan.conversations.inbox import mail

    return mail.render(current_caller(), template_id, body.conversation_id)


@email_router.get("/v1/email/signatures/me", middlewares=EDIT, tags=TAGS)
def get_my_signature() -> SignatureOut:
    from skailan.conversations.inbox import mail

    caller = current_caller()
    return mail.get_signature(caller.tenant_id, caller.principal_id)


@email_router.put("/v1/email/signatures/me", middlewares=EDIT, tags=TAGS)
def put_my_signature(body: SignatureIn) -> SignatureOut:
    """My signature, appended to my e-mail replies (instead of the brand's)."""
    from skailan.conversations.inbox import mail

    caller = current_caller()
    return mail.put_signature(caller, caller.principal_id, body)


@email_router.get("/v1/email/signatures/brand", middlewares=VIEW, tags=TAGS)
def get_brand_signature() -> SignatureOut:
    from skailan.conversations.inbox import mail

    return mail.get_signature(current_caller().tenant_id, None)


@email_router.put("/v1/email/signatures/brand", middlewares=MANAGE, tags=TAGS)
def put_brand_signature(body: SignatureIn) -> SignatureOut:
    """The brand's signature: e-mail replies of agents without their own, and automatic replies."""
    from skailan.conversations.inbox import mail

    return mail.put_signature(current_caller(), None, body)


@email_router.get("/v1/email/autoresponses/<account_id>", middlewares=VIEW, tags=TAGS)
def get_autoresponse(account_id: Id) -> AutoResponseOut:
    from skailan.conversations.inbox import mail

    return mail.get_autoresponse(current_caller().tenant_id, account_id)


@email_router.put("/v1/email/autoresponses/<account_id>", middlewares=MANAGE, tags=TAGS)
def put_autoresponse(account_id: Id, body: AutoResponseIn) -> AutoResponseOut:
    """The mailbox's automatic reply (RFC 3834 loop protection; once per sender every N days)."""
    from skailan.conversations.inbox import mail

    return mail.put_autoresponse(current_caller(), account_id, body)


@email_router.post("/v1/email/follow-ups", status_code=201, middlewares=EDIT, tags=TAGS)
def schedule_follow_up(body: FollowUpIn) -> FollowUpOut:
    """"If no answer in N days, send …": cancelled when the customer writes; one per conversation."""
    from skailan.conversations.inbox import mail

    return mail.schedule_follow_up(current_caller(), body)


@email_router.get("/v1/email/follow-ups/<conversation_id>", middlewares=VIEW, tags=TAGS)
def get_follow_up(conversation_id: Id) -> FollowUpOut:
    from skailan.conversations.inbox import mail

    return mail.get_follow_up(current_caller(), conversation_id)


@email_router.delete("/v1/email/follow-ups/<conversation_id>", status_code=204, middlewares=EDIT, tags=TAGS)
def cancel_follow_up(conversation_id: Id) -> None:
    from skailan.conversations.inbox import mail

    mail.cancel_follow_up(current_caller(), conversation_id)


@email_router.get("/v1/email/conversations", middlewares=VIEW, tags=TAGS)
def list_filed_conversations(folder: FolderQuery = None, label: FolderQuery = None,
                             cursor: Cursor = None, limit: Limit = None) -> Page[InboxConversationOut]:
    """The e-mail conversations of a folder (`inbox`, `sent`, `archived` or a custom one) or a label."""
    from skailan.conversations.inbox import mail_folders
    from skailan.conversations.query.facade import to_out

    items, next_cursor = mail_folders.list_filed(current_caller(), folder=folder, label_name=label, cursor=cursor,
                                                 limit=limit)
    return Page[InboxConversationOut](items=[to_out(i) for i in items], next_cursor=next_cursor)


@email_router.get("/v1/email/conversations/<conversation_id>/filing", middlewares=VIEW, tags=TAGS)
def get_filing(conversation_id: Id) -> FilingOut:
    from skailan.conversations.inbox import mail_folders

    return mail_folders.get_filing(current_caller(), conversation_id)


@email_router.put("/v1/email/conversations/<conversation_id>/folder", middlewares=EDIT, tags=TAGS)
def move_to_folder(conversation_id: Id, body: FolderIn) -> FilingOut:
    """Move an e-mail conversation to `inbox`, `sent`, `archived` or a custom folder."""
    from skailan.conversations.inbox import mail_folders

    return mail_folders.move(current_caller(), conversation_id, body)


@email_router.post("/v1/email/conversations/<conversation_id>/labels", middlewares=EDIT, tags=TAGS)
def change_labels(conversation_id: Id, body: LabelsIn) -> FilingOut:
    from skailan.conversations.inbox import mail_folders

    return mail_folders.label(current_caller(), conversation_id, body)
