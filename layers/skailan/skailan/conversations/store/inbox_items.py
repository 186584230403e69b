"""Stored items of the inbox table (single-table design, pynamodb).

The inbox table holds the people and configuration around conversations — agents, teams,
quick replies, the WhatsApp template registry, notifications, the conversation history and
notes, read markers and timers. Conversations and messages themselves live in the
conversations table (`skailan.conversations.store.items`); the inbox adds its attributes and
indexes to the conversation item there (docs/inbox.md).

Keys (every partition starts with the tenant):
  agent            pk T#<t>#AGENTS            sk A#<user id>       (presence, load, capacity, tags)
                                                  (ready: T#<t>#READY / load, only while online)
  team             pk T#<t>#TEAMS             sk M#<team id>       (members, channel accounts)
  inbox settings   pk T#<t>#INBOX             sk SETTINGS          (assignment, bots, alerts)
  quick reply      pk T#<t>#QR                sk Q#<id>
  WA template      pk T#<t>#WAT               sk W#<account>#<name>#<language>
  WA template route pk WATR#<Meta template id> sk ROUTE            (webhook routing, see below)
  history entry    pk T#<t>#C#<conv>#H        sk <occurred_at>#<event id>
  note             pk T#<t>#C#<conv>#N        sk <note id>
  read marker      pk T#<t>#U#<user>#R        sk <conv>
  notification     pk T#<t>#U#<user>#N        sk <notification id>   (TTL 30 days)
  search token     pk T#<t>#K#<first 2 chars> sk <folded key>#<conv>  (gsi1: T#<t>#KC#<conv> / key)
  timer            pk T#<t>#TIMER             sk <kind>#<ref>      (due: DUE#<shard> / <due>#<t>#<kind>#<ref>)
  bot state        pk T#<t>#C#<conv>#B        sk BOT               (greeting / out-of-hours reply markers)
  message notice   pk T#<t>#U#<user>#MN       sk <conv>            (the unread "n new messages" notification)
The `due` index is the only one not starting with a tenant: the scheduled job reads what is
due across brands from it (sparse — only timer items carry it), like tenancy's INVITATIONS.
"""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    VersionAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from skailan.platform.settings import get_settings
from skailan.platform.storage import TableItem

DUE_SHARDS = 4


def agents_pk(tenant_id: str) -> str:
    return f"T#{tenant_id}#AGENTS"


AGENT_PREFIX = "A#"


def agent_sk(user_id: str) -> str:
    return AGENT_PREFIX + user_id


def teams_pk(tenant_id: str) -> str:
    return f"T#{tenant_id}#TEAMS"


TEAM_PREFIX = "M#"


def team_sk(team_id: str) -> str:
    return TEAM_PREFIX + team_id


def feed_pk(tenant_id: str, user_id: str) -> str:
    """A user's notifications feed."""
    return f"T#{tenant_id}#U#{user_id}#N"


def signature_pk(tenant_id: str) -> str:
    """A brand's e-mail signatures: `BRAND` and one `U#<user>` per agent."""
    return f"T#{tenant_id}#ESIG"


def signature_sk(user_id: str | None) -> str:
    return f"U#{user_id}" if user_id else "BRAND"


TEMPLATE_PREFIX = "W#"


def templates_pk(tenant_id: str) -> str:
    """A brand's WhatsApp template registry."""
    return f"T#{tenant_id}#WAT"


def template_sk(account_id: str, name: str, language: str) -> str:
    return f"{TEMPLATE_PREFIX}{account_id}#{name}#{language}"


def account_templates_sk_prefix(account_id: str) -> str:
    """The sort-key prefix of one channel account's templates."""
    return f"{TEMPLATE_PREFIX}{account_id}#"


TEMPLATE_ROUTE_SK = "ROUTE"


def template_route_pk(meta_template_id: str) -> str:
    """Webhook routing of a Meta template id (no tenant: Meta's id says which brand it is)."""
    return f"WATR#{meta_template_id}"


def template_id(account_id: str, name: str, language: str) -> str:
    return f"{account_id}.{name}.{language}"


def ready_pk(tenant_id: str) -> str:
    """The `ready` index partition of a brand's online agents (sorted by load)."""
    return f"T#{tenant_id}#READY"


INBOX_SETTINGS_SK = "SETTINGS"
BOT_STATE_SK = "BOT"
PREFS_SK = "PREFS"
DIGEST_SK = "DIGEST"


def inbox_settings_pk(tenant_id: str) -> str:
    return f"T#{tenant_id}#INBOX"


def notes_pk(tenant_id: str, conversation_id: str) -> str:
    return f"T#{tenant_id}#C#{conversation_id}#N"


def bot_state_pk(tenant_id: str, conversation_id: str) -> str:
    return f"T#{tenant_id}#C#{conversation_id}#B"


def read_markers_pk(tenant_id: str, user_id: str) -> str:
    return f"T#{tenant_id}#U#{user_id}#R"


def prefs_pk(tenant_id: str, user_id: str) -> str:
    """A user's notification e-mail preferences."""
    return f"T#{tenant_id}#U#{user_id}#NP"


def digest_pk(tenant_id: str, user_id: str) -> str:
    """A user's pending notification e-mail digest."""
    return f"T#{tenant_id}#U#{user_id}#NM"


def message_notice_pk(tenant_id: str, user_id: str) -> str:
    """A user's unread "n new messages" notices, one per conversation (sk = conversation id)."""
    return f"T#{tenant_id}#U#{user_id}#MN"


QUICK_REPLY_PREFIX = "Q#"


def quick_replies_pk(tenant_id: str) -> str:
    return f"T#{tenant_id}#QR"


def quick_reply_sk(reply_id: str) -> str:
    return QUICK_REPLY_PREFIX + reply_id



class DueIndex(GlobalSecondaryIndex["InboxItem"]):
    class Meta:
        index_name = "due"
        projection = AllProjection()

    due_pk = UnicodeAttribute(hash_key=True)
    due_sk = UnicodeAttribute(range_key=True)


class ReadyIndex(GlobalSecondaryIndex["InboxItem"]):
    class Meta:
        index_name = "ready"
        projection = AllProjection()

    ready_pk = UnicodeAttribute(hash_key=True)
    load = NumberAttribute(range_key=True)


class InboxItem(TableItem):
    class Meta:
        table_name = get_settings().inbox_table

    overloaded_indexes = 1
    tenant_id = UnicodeAttribute()
    due_pk = UnicodeAttribute(null=True)
    due_sk = UnicodeAttribute(null=True)
    due = DueIndex()


class AgentItem(InboxItem, discriminator="agent"):
    user_id = UnicodeAttribute()
    name = UnicodeAttribute(null=True)
    email = UnicodeAttribute(null=True)
    status = UnicodeAttribute(default="offline")  # online | away | offline
    status_at = UnicodeAttribute(null=True)
    capacity = NumberAttribute(null=True)  # None: the brand's default
    tags = UnicodeSetAttribute(default=set)
    # Open conversations held: changed only by ADD, in the same transaction as the holder.
    load = NumberAttribute(default=0)
    last_assigned_at = UnicodeAttribute(null=True)  # round-robin among equally loaded agents
    # Set (ready_pk(tenant)) exactly while online: the `ready` index lists online agents by load.
    ready_pk = UnicodeAttribute(null=True)
    ready = ReadyIndex()


class TeamItem(InboxItem, discriminator="team"):
    team_id = UnicodeAttribute()
    name = UnicodeAttribute()
    description = UnicodeAttribute(null=True)
    members = UnicodeSetAttribute(default=set)
    channel_accounts = UnicodeSetAttribute(default=set)
    version = VersionAttribute()


class InboxSettingsItem(InboxItem, discriminator="inbox_settings"):
    data = JSONAttribute(default=dict)
    version = VersionAttribute()


class QuickReplyItem(InboxItem, discriminator="quick_reply"):
    reply_id = UnicodeAttribute()
    shortcut = UnicodeAttribute()
    title = UnicodeAttribute(null=True)
    text = UnicodeAttribute(null=True)
    attachments = JSONAttribute(default=list)
    created_by = UnicodeAttribute(null=True)


class WhatsAppTemplateItem(InboxItem, discriminator="wa_template"):
    template_id = UnicodeAttribute()
    account_id = UnicodeAttribute()
    name = UnicodeAttribute()
    language = UnicodeAttribute()
    category = UnicodeAttribute()
    body = UnicodeAttribute(null=True)
    parameters = NumberAttribute(default=0)
    header_parameters = NumberAttribute(default=0)
    status = UnicodeAttribute()  # pending | approved | rejected | paused | disabled | … (Meta's, lowercased)
    # Synced with Meta (template_sync.py): its id, components, review outcome and quality.
    meta_template_id = UnicodeAttribute(null=True)
    components = JSONAttribute(null=True)
    rejected_reason = UnicodeAttribute(null=True)
    status_detail = UnicodeAttribute(null=True)
    quality = UnicodeAttribute(null=True)  # green | yellow | red | unknown
    status_at = NumberAttribute(null=True)  # the webhook entry.time last applied (older ones are ignored)
    quality_at = NumberAttribute(null=True)


class WhatsAppTemplateRouteItem(InboxItem, discriminator="wa_template_route"):
    """Meta's template id → the brand's template: a Meta webhook names only the WABA and the
    template id, so, like tenancy's route guards, this key does not start with a tenant."""

    account_id = UnicodeAttribute()
    waba_id = UnicodeAttribute()
    name = UnicodeAttribute()
    language = UnicodeAttribute()


class HistoryItem(InboxItem, discriminator="history"):
    conversation_id = UnicodeAttribute()
    event_id = UnicodeAttribute()
    type = UnicodeAttribute()
    occurred_at = UnicodeAttribute()
    actor = JSONAttribute(default=dict)
    data = JSONAttribute(default=dict)


class NoteItem(InboxItem, discriminator="note"):
    conversation_id = UnicodeAttribute()
    note_id = UnicodeAttribute()
    text = UnicodeAttribute()
    author_id = UnicodeAttribute(null=True)
    author_name = UnicodeAttribute(null=True)
    mentions = ListAttribute(of=UnicodeAttribute, default=list)


class ReadMarkerItem(InboxItem, discriminator="read_marker"):
    conversation_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    read_at = UnicodeAttribute(null=True)  # None: marked unread on purpose


class NotificationItem(InboxItem, discriminator="notification"):
    notification_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    type = UnicodeAttribute()  # message | assigned | mentioned | unassigned_alert | reminder
    conversation_id = UnicodeAttribute(null=True)
    text = UnicodeAttribute()
    read_at = UnicodeAttribute(null=True)
    remind_at = UnicodeAttribute(null=True)
    data = JSONAttribute(default=dict)


class EmailSignatureItem(InboxItem, discriminator="email_signature"):
    html = UnicodeAttribute(null=True)
    text = UnicodeAttribute(null=True)
    enabled = BooleanAttribute(default=True)


class NotificationPrefsItem(InboxItem, discriminator="notification_prefs"):
    """Per user and brand: the notification kinds also sent by e-mail (none by default)."""

    user_id = UnicodeAttribute()
    email_kinds = UnicodeSetAttribute(default=set)


class NotificationMailItem(InboxItem, discriminator="notification_mail"):
    """Per user and brand: the notifications waiting for the next e-mail digest (one per window)."""

    user_id = UnicodeAttribute()
    notification_ids = ListAttribute(of=UnicodeAttribute, default=list)
    added = NumberAttribute(default=0)  # every add counts: the version a digest is taken at
    due_at = UnicodeAttribute(null=True)


class SearchKeyItem(InboxItem, discriminator="search_key"):
    conversation_id = UnicodeAttribute()
    source = UnicodeAttribute()  # name | phone | email | text


class BotStateItem(InboxItem, discriminator="bot_state"):
    """Per conversation: when the bots last spoke (exactly-once greeting, one out-of-hours reply)."""

    conversation_id = UnicodeAttribute()
    greeted_at = UnicodeAttribute(null=True)
    out_of_hours_at = UnicodeAttribute(null=True)


class MessageNoticeItem(InboxItem, discriminator="message_notice"):
    """Per user and conversation: the unread "new messages" notification, so they add up in one."""

    conversation_id = UnicodeAttribute()
    notification_id = UnicodeAttribute()
    messages = NumberAttribute(default=0, attr_name="count")


class TimerItem(InboxItem, discriminator="timer"):
    timer_kind = UnicodeAttribute()
    ref = UnicodeAttribute()
    due_at = UnicodeAttribute()
    data = JSONAttribute(default=dict)
