"""Stored items of the tenancy table (single-table design, pynamodb).

Keys (every tenant item's partition starts with the tenant):
  brand            pk T#<t>                 sk BRAND
  member           pk T#<t>                 sk MEMBER#<sub>        gsi1: USER#<sub> / T#<t>
  invitation       pk T#<t>                 sk INVITATION#<sub>    gsi1: INVITATIONS / <expires>#<t>#<sub>
  role (custom)    pk T#<t>                 sk ROLE#<key>
  api key          pk T#<t>                 sk APIKEY#<id>
  channel account  pk T#<t>                 sk CHANNEL#<id>
  close reason     pk T#<t>                 sk CLOSEREASON#<id>
Global registries (not tenant data; each maps one outside id to exactly one tenant):
  route guard      pk ROUTE#<kind>#<external id>   sk ROUTE   (channel routing, unique ids)
  login throttle   pk LOGIN#<sha256(email)>        sk LOGIN   (TTL)
  password reset   pk RESET#<sha256(email)>        sk RESET   (TTL; the latest code only)
gsi1 USER#<sub> lists a person's brands at sign-in; INVITATIONS feeds the purge job only.
"""

from __future__ import annotations

import hashlib

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    VersionAttribute,
)

from skailan.platform.settings import get_settings
from skailan.platform.storage import KeyedItem, TableItem, overloaded_index
from skailan.platform.storage import tenant_pk as tenant_pk  # re-exported: tenancy's keys start with it

# Every key string of the tenancy and audit tables is built here, so a key's layout has one owner.
MEMBER_PREFIX = "MEMBER#"
INVITATION_PREFIX = "INVITATION#"
INVITATIONS_INDEX_PK = "INVITATIONS"  # gsi1 partition of every pending invitation (the purge job's)


def member_sk_prefix() -> str:
    return MEMBER_PREFIX


def member_sk(user_id: str) -> str:
    return MEMBER_PREFIX + user_id


def user_index_pk(user_id: str) -> str:
    """gsi1 partition listing a person's brands (sign-in)."""
    return f"USER#{user_id}"


def invitation_sk(invitation_id: str) -> str:
    return INVITATION_PREFIX + invitation_id


def invitation_index_sk(expires_at: str, tenant_id: str, invitation_id: str) -> str:
    """gsi1 sort key: expiry first, so the purge job reads the expired ones with one range."""
    return f"{expires_at}#{tenant_id}#{invitation_id}"


def audit_sk(occurred_at: str, event_id: str) -> str:
    """Time first (newest-first reads), the event id last (a redelivery rewrites the same item)."""
    return f"{occurred_at}#{event_id}"


def audit_actor_pk(tenant_id: str, actor_id: str) -> str:
    return f"{tenant_pk(tenant_id)}#U#{actor_id}"


def audit_entity_pk(tenant_id: str, entity_type: str) -> str:
    return f"{tenant_pk(tenant_id)}#E#{entity_type}"


BRAND_SK = "BRAND"
ROUTE_SK = "ROUTE"
ROLE_PREFIX = "ROLE#"
API_KEY_PREFIX = "APIKEY#"
CHANNEL_PREFIX = "CHANNEL#"
CLOSE_REASON_PREFIX = "CLOSEREASON#"


def role_sk(role_key: str) -> str:
    return ROLE_PREFIX + role_key


def api_key_sk(key_id: str) -> str:
    return API_KEY_PREFIX + key_id


def channel_account_sk(account_id: str) -> str:
    return CHANNEL_PREFIX + account_id


def close_reason_sk(reason_id: str) -> str:
    return CLOSE_REASON_PREFIX + reason_id


def route_guard_pk(kind: str, external_id: str) -> str:
    """One outside id → one brand. E-mail addresses are case-insensitive, so stored lowercased."""
    return f"ROUTE#{kind}#{external_id.lower() if kind == 'email' else external_id}"


class TenancyItem(TableItem):
    class Meta:
        table_name = get_settings().tenancy_table

    overloaded_indexes = 1


def events_table() -> str:
    """The table whose outbox takes tenancy's events (its own): the stores add them to their writes."""
    return str(TenancyItem.Meta.table_name)


class BrandItem(TenancyItem, discriminator="brand"):
    tenant_id = UnicodeAttribute()
    name = UnicodeAttribute()
    settings = JSONAttribute(default=dict)
    version = VersionAttribute()
    defaults_at = UnicodeAttribute(null=True)  # when its defaults (close reasons…) were all in place


class MemberItem(TenancyItem, discriminator="member"):
    tenant_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    email = UnicodeAttribute()
    name = UnicodeAttribute(null=True)
    role = UnicodeAttribute()
    status = UnicodeAttribute()  # invited | active | disabled
    invited_by = UnicodeAttribute(null=True)


class InvitationItem(TenancyItem, discriminator="invitation"):
    tenant_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    email = UnicodeAttribute()
    token_hash = UnicodeAttribute()
    expires_at = UnicodeAttribute()
    created_cognito_user = BooleanAttribute(default=False)


class RoleItem(TenancyItem, discriminator="role"):
    tenant_id = UnicodeAttribute()
    key = UnicodeAttribute()
    name = UnicodeAttribute()
    description = UnicodeAttribute(null=True)
    permissions = UnicodeSetAttribute(default=set)
    version = VersionAttribute()


class ApiKeyItem(TenancyItem, discriminator="api_key"):
    tenant_id = UnicodeAttribute()
    key_id = UnicodeAttribute()
    name = UnicodeAttribute()
    secret_hash = UnicodeAttribute()
    hint = UnicodeAttribute()
    permissions = UnicodeSetAttribute(default=set)
    created_by = UnicodeAttribute(null=True)
    last_used_at = UnicodeAttribute(null=True)
    revoked_at = UnicodeAttribute(null=True)


class ChannelAccountItem(TenancyItem, discriminator="channel_account"):
    tenant_id = UnicodeAttribute()
    account_id = UnicodeAttribute()
    channel = UnicodeAttribute()
    name = UnicodeAttribute()
    status = UnicodeAttribute()  # active | disabled
    external = JSONAttribute(default=dict)  # provider ids: phone_number_id, page_id, …
    config = JSONAttribute(default=dict)  # non-secret settings (allowed origins, …)
    secret_name = UnicodeAttribute(null=True)
    webhook = JSONAttribute(null=True)  # registration with the provider (skailan.tenancy.channel_setup)
    version = VersionAttribute()


class CloseReasonItem(TenancyItem, discriminator="close_reason"):
    tenant_id = UnicodeAttribute()
    reason_id = UnicodeAttribute()
    name = UnicodeAttribute()
    name_en = UnicodeAttribute(null=True)
    active = BooleanAttribute(default=True)
    position = NumberAttribute(default=0)


class RouteGuardItem(TenancyItem, discriminator="route"):
    tenant_id = UnicodeAttribute()
    account_id = UnicodeAttribute()
    channel = UnicodeAttribute()


class PasswordResetItem(TenancyItem, discriminator="password_reset"):
    code_hash = UnicodeAttribute()
    expires_at = UnicodeAttribute()


RESET_SK = "RESET"


def reset_pk(email: str) -> str:
    """A password-reset code's partition: the e-mail hashed (the table never holds it in a key)."""
    return "RESET#" + hashlib.sha256(email.lower().encode()).hexdigest()


class AuditItem(KeyedItem):
    """One audit entry: pk T#<t>, sk <occurred_at>#<event id> — a redelivered event rewrites itself."""

    class Meta:
        table_name = get_settings().audit_table

    actor_pk = UnicodeAttribute(null=True)  # T#<t>#U#<actor id>
    entity_pk = UnicodeAttribute(null=True)  # T#<t>#E#<entity type>
    event_id = UnicodeAttribute()
    type = UnicodeAttribute()
    occurred_at = UnicodeAttribute()
    actor = JSONAttribute(default=dict)
    entity_type = UnicodeAttribute(null=True)
    entity_id = UnicodeAttribute(null=True)
    data = JSONAttribute(default=dict)
    by_actor = overloaded_index("by_actor", hash_key="actor_pk", range_key="sk")
    by_entity = overloaded_index("by_entity", hash_key="entity_pk", range_key="sk")
