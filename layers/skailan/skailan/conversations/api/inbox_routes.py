"""Inbox API routes (the inbox function): agents, teams, quick replies, WhatsApp templates,
notifications, inbox settings, metrics. The conversation actions are in `conversation_routes`.
Services are imported inside the handlers: a request loads only what it uses (cold start)."""

from __future__ import annotations

from typing import Annotated, Literal

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from skailan.conversations.inbox.models import (
    AgentOut,
    AgentUpdateIn,
    InboxSettings,
    InboxSettingsIn,
    MetricsOut,
    NotificationOut,
    NotificationPreferencesIn,
    NotificationPreferencesOut,
    Page,
    PresenceIn,
    PreviewIn,
    PreviewOut,
    QuickReplyIn,
    QuickReplyOut,
    QuickReplyUpdateIn,
    RemindIn,
    TabCountsOut,
    TeamIn,
    TeammateOut,
    TeamOut,
    TeamUpdateIn,
    WhatsAppTemplateIn,
    WhatsAppTemplateOut,
    WhatsAppTemplateSyncIn,
    WhatsAppTemplateSyncOut,
    WhatsAppTemplateUpdateIn,
)
from skailan.platform.api import Cursor, Limit
from skailan.platform.api import PathId as Id
from skailan.platform.auth import current_caller
from skailan.tenancy.access import authenticated, requires

TemplateId = Annotated[str, Path(min_length=5, max_length=700, pattern=r"^[A-Za-z0-9_.-]+$")]
EDIT = [requires("conversations:edit")]
MANAGE = [requires("conversations:manage")]
TAGS = ["inbox"]

# ---------------------------------------------------------------- agents
agents_router = Router()


@agents_router.put("/v1/agents/me/presence", middlewares=EDIT, tags=TAGS)
def set_presence(body: PresenceIn) -> AgentOut:
    """online, away or offline. Only online agents get conversations automatically; going
    offline returns your open conversations to the queue after the brand's grace period."""
    from skailan.conversations.inbox import agents

    return agents.set_presence(current_caller(), body.status)


@agents_router.get("/v1/agents/me", middlewares=EDIT, tags=TAGS)
def get_me() -> AgentOut:
    from skailan.conversations.inbox import agents

    caller = current_caller()
    return agents.agent_out(caller.tenant_id, caller.principal_id)


@agents_router.get("/v1/agents", middlewares=MANAGE, tags=TAGS)
def list_agents() -> Page[AgentOut]:
    """Everyone who can handle conversations, with presence, load and capacity."""
    from skailan.conversations.inbox import agents

    return agents.list_agents(current_caller().tenant_id)


# Registered before `/v1/agents/<user_id>`, which would otherwise take "directory" for an id.
@agents_router.get("/v1/agents/directory", middlewares=EDIT, tags=TAGS)
def agents_directory() -> Page[TeammateOut]:
    """The brand's agents by name, presence and teams, for every agent: whom to @mention in a note
    or transfer a conversation to (load and capacity stay in the supervisors' `/v1/agents`)."""
    from skailan.conversations.inbox import agents

    items = agents.list_agents(current_caller().tenant_id).items
    return Page[TeammateOut](items=[TeammateOut(user_id=a.user_id, name=a.name or a.email, status=a.status,
                                                teams=a.teams) for a in items])


@agents_router.get("/v1/agents/<user_id>", middlewares=MANAGE, tags=TAGS)
def get_agent(user_id: Id) -> AgentOut:
    from skailan.conversations.inbox import agents

    return agents.agent_out(current_caller().tenant_id, user_id)


@agents_router.patch("/v1/agents/<user_id>", middlewares=MANAGE, tags=TAGS)
def update_agent(user_id: Id, body: AgentUpdateIn) -> AgentOut:
    """Capacity (max concurrent conversations; null: the brand's default) and tags/skills."""
    from skailan.conversations.inbox import agents

    return agents.update_agent(current_caller(), user_id, body)


# ---------------------------------------------------------------- teams
teams_router = Router()


@teams_router.get("/v1/teams", middlewares=[requires("conversations:view")], tags=TAGS)
def list_teams() -> Page[TeamOut]:
    from skailan.conversations.inbox import teams

    return Page[TeamOut](items=teams.list_teams(current_caller().tenant_id))


@teams_router.post("/v1/teams", status_code=201, middlewares=MANAGE, tags=TAGS)
def create_team(body: TeamIn) -> TeamOut:
    from skailan.conversations.inbox import teams

    caller = current_caller()
    return teams.create_team(caller, caller.tenant_id, body)


@teams_router.get("/v1/teams/<team_id>", middlewares=[requires("conversations:view")], tags=TAGS)
def get_team(team_id: Id) -> TeamOut:
    from skailan.conversations.inbox import teams

    return teams.get_team(current_caller().tenant_id, team_id)


@teams_router.patch("/v1/teams/<team_id>", middlewares=MANAGE, tags=TAGS)
def update_team(team_id: Id, body: TeamUpdateIn) -> TeamOut:
    from skailan.conversations.inbox import teams

    return teams.update_team(current_caller(), team_id, body)


@teams_router.delete("/v1/teams/<team_id>", status_code=204, middlewares=MANAGE, tags=TAGS)
def delete_team(team_id: Id) -> None:
    from skailan.conversations.inbox import teams

    teams.delete_team(current_caller(), team_id)


# ---------------------------------------------------------------- quick replies
replies_router = Router()


@replies_router.get("/v1/quick-replies", middlewares=[requires("conversations:view")], tags=TAGS)
def list_quick_replies(cursor: Cursor = None, limit: Limit = None,
                       q: Annotated[str | None, Query(max_length=60)] = None) -> Page[QuickReplyOut]:
    from skailan.conversations.inbox import quick_replies

    return quick_replies.list_replies(current_caller().tenant_id, cursor=cursor, limit=limit, q=q)


@replies_router.post("/v1/quick-replies", status_code=201, middlewares=MANAGE, tags=TAGS)
def create_quick_reply(body: QuickReplyIn) -> QuickReplyOut:
    """Text and/or attachments (image, PDF, video by URL or S3 key) with merge fields such as
    `{{contact.first_name}}`, `{{agent.name}}`, `{{brand.name}}`, `{{contact.custom.<key>}}`."""
    from skailan.conversations.inbox import quick_replies

    return quick_replies.create_reply(current_caller(), body)


@replies_router.get("/v1/quick-replies/<reply_id>", middlewares=[requires("conversations:view")], tags=TAGS)
def get_quick_reply(reply_id: Id) -> QuickReplyOut:
    from skailan.conversations.inbox import quick_replies

    return quick_replies.get_reply(current_caller().tenant_id, reply_id)


@replies_router.patch("/v1/quick-replies/<reply_id>", middlewares=MANAGE, tags=TAGS)
def update_quick_reply(reply_id: Id, body: QuickReplyUpdateIn) -> QuickReplyOut:
    from skailan.conversations.inbox import quick_replies

    return quick_replies.update_reply(current_caller(), reply_id, body)


@replies_router.delete("/v1/quick-replies/<reply_id>", status_code=204, middlewares=MANAGE, tags=TAGS)
def delete_quick_reply(reply_id: Id) -> None:
    from skailan.conversations.inbox import quick_replies

    quick_replies.delete_reply(current_caller(), reply_id)


@replies_router.post("/v1/quick-replies/<reply_id>/preview", middlewares=EDIT, tags=TAGS)
def preview_quick_reply(reply_id: Id, body: PreviewIn) -> PreviewOut:
    """The reply as it would go out in that conversation, merge fields filled in."""
    from skailan.conversations.inbox import quick_replies

    return quick_replies.preview(current_caller(), reply_id, body.conversation_id)


# ---------------------------------------------------------------- WhatsApp templates
templates_router = Router()


@templates_router.get("/v1/whatsapp-templates", middlewares=[requires("conversations:view")], tags=TAGS)
def list_templates(account_id: Annotated[str | None, Query(max_length=64)] = None,
                   status: Annotated[Literal["approved", "pending", "rejected", "paused", "disabled", "in_appeal",
                                             "flagged", "pending_deletion", "deleted", "archived", "locked",
                                             "limit_exceeded"] | None, Query()] = None,
                   ) -> Page[WhatsAppTemplateOut]:
    from skailan.conversations.inbox import templates

    return templates.list_templates(current_caller().tenant_id, account_id=account_id, status=status)


@templates_router.post("/v1/whatsapp-templates", status_code=201, middlewares=MANAGE, tags=TAGS)
def create_template(body: WhatsAppTemplateIn) -> WhatsAppTemplateOut:
    """Submit a template of a WhatsApp account to Meta for approval (name, language, category, body with
    {{1}}… or Meta's components); it starts `pending` and follows Meta's status webhooks."""
    from skailan.conversations.inbox import templates

    caller = current_caller()
    return templates.create_template(caller, caller.tenant_id, body)


@templates_router.post("/v1/whatsapp-templates/sync", middlewares=MANAGE, tags=TAGS)
def sync_templates(body: WhatsAppTemplateSyncIn) -> WhatsAppTemplateSyncOut:
    """Read every template of the account's WhatsApp Business Account at Meta and reconcile the registry."""
    from skailan.conversations.inbox import template_sync

    return WhatsAppTemplateSyncOut.model_validate(template_sync.sync_account(current_caller(), body.account_id))


@templates_router.get("/v1/whatsapp-templates/<template_id>", middlewares=[requires("conversations:view")],
                      tags=TAGS)
def get_template(template_id: TemplateId) -> WhatsAppTemplateOut:
    from skailan.conversations.inbox import templates

    return templates.get_template(current_caller().tenant_id, template_id)


@templates_router.patch("/v1/whatsapp-templates/<template_id>", middlewares=MANAGE, tags=TAGS)
def update_template(template_id: TemplateId, body: WhatsAppTemplateUpdateIn) -> WhatsAppTemplateOut:
    from skailan.conversations.inbox import templates

    return templates.update_template(current_caller(), template_id, body)


@templates_router.delete("/v1/whatsapp-templates/<template_id>", status_code=204, middlewares=MANAGE, tags=TAGS)
def delete_template(template_id: TemplateId) -> None:
    from skailan.conversations.inbox import templates

    templates.delete_template(current_caller(), template_id)


# ---------------------------------------------------------------- notifications
notifications_router = Router()


@notifications_router.get("/v1/notifications", middlewares=[authenticated()], tags=TAGS)
def list_notifications(cursor: Cursor = None, limit: Limit = None,
                       unread: Annotated[bool, Query(description="Only unread ones.")] = False,
                       ) -> Page[NotificationOut]:
    from skailan.conversations.inbox import notifications

    return notifications.list_feed(current_caller(), cursor=cursor, limit=limit, unread_only=unread)


@notifications_router.post("/v1/notifications/<notification_id>/read", middlewares=[authenticated()], tags=TAGS)
def read_notification(notification_id: Id) -> NotificationOut:
    from skailan.conversations.inbox import notifications

    return notifications.mark_read(current_caller(), notification_id)


@notifications_router.post("/v1/notifications/<notification_id>/remind", middlewares=[authenticated()], tags=TAGS)
def remind(notification_id: Id, body: RemindIn) -> NotificationOut:
    """Remind me in 15 minutes or 1 hour: the notification comes back to the top of the feed."""
    from skailan.conversations.inbox import notifications

    return notifications.remind(current_caller(), notification_id, body.in_)


@notifications_router.get("/v1/me/notification-preferences", middlewares=[authenticated()], tags=TAGS)
def get_notification_preferences() -> NotificationPreferencesOut:
    """The caller's notification preferences in the selected brand: which kinds also go out by
    e-mail (all off until chosen). Every kind always reaches the feed and the live channel."""
    from skailan.conversations.inbox import notification_mail

    return notification_mail.get_preferences(current_caller())


@notifications_router.put("/v1/me/notification-preferences", middlewares=[authenticated()], tags=TAGS)
def put_notification_preferences(body: NotificationPreferencesIn) -> NotificationPreferencesOut:
    """Choose the kinds sent by e-mail (`email`: message, assigned, mentioned, unassigned_alert,
    reminder, task_reminder, task_overdue; a kind left out is off). A burst is batched: at most one
    e-mail per `email_batch_seconds`, listing what is still unread."""
    from skailan.conversations.inbox import notification_mail

    return notification_mail.put_preferences(current_caller(), body)


# ---------------------------------------------------------------- inbox settings and metrics
settings_router = Router()


@settings_router.get("/v1/inbox/settings", middlewares=[requires("conversations:view")], tags=TAGS)
def get_settings() -> InboxSettings:
    from skailan.conversations.inbox.config import get_config

    return get_config(current_caller().tenant_id)


@settings_router.patch("/v1/inbox/settings", middlewares=MANAGE, tags=TAGS)
def update_settings(body: InboxSettingsIn) -> InboxSettings:
    """Auto-assignment (capacity, tag preference, offline grace), alerts, bots (greeting,
    out-of-hours reply, FAQ rules, handoff words, inactivity auto-close) and the CSAT survey
    (enabled, question, window_hours). A partial update: what is sent is merged field by field
    into the settings (lists such as `bots.faq` are replaced whole), the result is validated as a
    whole before anything is written; `null` is refused except `alerts.unassigned_after_minutes`."""
    from skailan.conversations.inbox.config import update_config

    return update_config(current_caller(), body)


@settings_router.get("/v1/inbox/counts", middlewares=[requires("conversations:view")], tags=TAGS)
def counts(
    status: Annotated[str | None, Query(max_length=60, description="comma-separated; default open,pending")] = None,
) -> TabCountsOut:
    """How many conversations each inbox tab holds: yours, unassigned, and all you may see
    (agents: yours + unassigned; supervisors and admins: the whole brand)."""
    from skailan.conversations.query.counts import parse_statuses, tab_counts

    statuses = parse_statuses(status)
    return TabCountsOut(**tab_counts(current_caller(), statuses), statuses=statuses)


@settings_router.get("/v1/inbox/metrics", middlewares=[requires("analytics:view")], tags=TAGS)
def metrics(
    metric: Annotated[Literal["first_response_ms", "resolution_ms", "conversations_closed",
                              "conversations_created", "csat"], Query()],
    by: Annotated[Literal["all", "agent", "team", "channel", "reason"], Query()] = "all",
    from_: Annotated[str | None, Query(alias="from", description="UTC hour or date, e.g. 2026-01-31T08")] = None,
    to: Annotated[str | None, Query(description="UTC hour or date (inclusive)")] = None,
) -> MetricsOut:
    """Hourly counters (count, sum, average) per agent, channel or close reason. `csat`: customer
    ratings (1–5) per agent, team or channel, with their distribution."""
    from skailan.conversations.inbox import metrics as metrics_

    return metrics_.read(current_caller().tenant_id, metric, by=by, start=from_, end=to)


ROUTERS = [agents_router, teams_router, replies_router, templates_router, notifications_router, settings_router]

from skailan.conversations.api.mail_routes import email_router  # noqa: E402 - the e-mail module's routes, same function

ROUTERS.append(email_router)
