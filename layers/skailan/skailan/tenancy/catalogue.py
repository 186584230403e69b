"""Every event tenancy publishes (source `skailan.tenancy`) and its payload."""

from __future__ import annotations

from skailan.platform.catalogue import Catalogue, EntityPayload, entity_types

SOURCE = "skailan.tenancy"

USER_INVITED = "user.invited"
USER_JOINED = "user.joined"
USER_ADDED = "user.added"
USER_UPDATED = "user.updated"
USER_DISABLED = "user.disabled"  # the inbox releases their conversations (InboxEventsRule)
USER_ENABLED = "user.enabled"
USER_DELETED = "user.deleted"  # the inbox releases their conversations (InboxEventsRule)
INVITATION_EXPIRED = "invitation.expired"
INVITATION_CANCELLED = "invitation.cancelled"
API_KEY_CREATED = "api_key.created"
API_KEY_REVOKED = "api_key.revoked"
CHANNEL_ACCOUNT_ENABLED = "channel_account.enabled"
CHANNEL_ACCOUNT_DISABLED = "channel_account.disabled"
CHANNEL_ACCOUNT_WEBHOOK_REGISTERED = "channel_account.webhook_registered"

CATALOGUE = Catalogue(SOURCE, {
    **{t: EntityPayload for t in (USER_INVITED, USER_JOINED, USER_ADDED, USER_UPDATED, USER_DISABLED, USER_ENABLED,
                                  USER_DELETED, INVITATION_EXPIRED, INVITATION_CANCELLED, API_KEY_CREATED,
                                  API_KEY_REVOKED, CHANNEL_ACCOUNT_ENABLED, CHANNEL_ACCOUNT_DISABLED,
                                  CHANNEL_ACCOUNT_WEBHOOK_REGISTERED)},
    **entity_types("brand", "role", "close_reason", "channel_account"),
})
