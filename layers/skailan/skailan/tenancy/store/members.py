"""Members and invitations: reads, and the writes that keep a member, its placeholder and its
invitation in step (one transaction each), each with its events (`events=`: the outbox items go in the same
transaction). A refused condition raises `ConditionFailed`."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from skailan.platform import outbox
from skailan.platform.clock import iso
from skailan.platform.events import DomainEvent
from skailan.platform.storage import conditional, find_item, query_page, transaction
from skailan.tenancy.store.items import (
    INVITATIONS_INDEX_PK,
    InvitationItem,
    MemberItem,
    events_table,
    invitation_index_sk,
    invitation_sk,
    member_sk,
    member_sk_prefix,
    tenant_pk,
    user_index_pk,
)

# ---------------------------------------------------------------- reads


def find_member(tenant_id: str, user_id: str) -> MemberItem | None:
    return find_item(MemberItem, tenant_pk(tenant_id), member_sk(user_id))


def memberships_of(user_id: str) -> list[MemberItem]:
    """Every brand a person belongs to (gsi1 USER#<sub>); small, one Query."""
    return list(MemberItem.gsi1.query(user_index_pk(user_id)))


def list_members(tenant_id: str, *, cursor: str | None, limit: int | None) -> tuple[list[MemberItem], str | None]:
    """One page of the brand's members (placeholders of pending invitations included), and the next cursor."""
    return query_page(MemberItem, tenant_pk(tenant_id), member_sk_prefix(), cursor=cursor, limit=limit)


def _first_member(tenant_id: str, condition: Any) -> MemberItem | None:
    # Members live in the brand's partition: a bounded Query with a filter, never a Scan.
    found = MemberItem.query(tenant_pk(tenant_id), MemberItem.sk.startswith(member_sk_prefix()),
                             filter_condition=condition, limit=1, page_size=200)
    return next(iter(found), None)


def member_with_email(tenant_id: str, email: str) -> MemberItem | None:
    return _first_member(tenant_id, MemberItem.email == email)


def role_in_use(tenant_id: str, role_key: str) -> bool:
    """Does any member of the brand (pending ones included) hold this role?"""
    return _first_member(tenant_id, MemberItem.role == role_key) is not None


def has_login(member: MemberItem) -> bool:
    """A sign-in membership (indexed under the person's id), not a pending invitation's placeholder."""
    return member.gsi1pk is not None


def find_invitation(tenant_id: str, invitation_id: str) -> InvitationItem | None:
    return find_item(InvitationItem, tenant_pk(tenant_id), invitation_sk(invitation_id))


def invitation_of(placeholder: MemberItem) -> InvitationItem | None:
    """The invitation behind a pending member (its user id is the invitation id)."""
    return find_invitation(placeholder.tenant_id, placeholder.user_id)


def expired_invitations(now_iso: str, *, limit: int) -> Iterator[InvitationItem]:
    """Invitations past their expiry, every brand's (gsi1 INVITATIONS, ordered by expiry)."""
    return iter(InvitationItem.gsi1.query(INVITATIONS_INDEX_PK, InvitationItem.gsi1sk < now_iso, limit=limit))


# ---------------------------------------------------------------- writes


def active_member(tenant_id: str, user_id: str, email: str, name: str | None, role: str, *, status: str,
                  invited_by: str | None) -> MemberItem:
    """A member of the brand with a login (indexed under the person's id for sign-in); not saved yet."""
    now = iso()
    return MemberItem(
        tenant_pk(tenant_id), member_sk(user_id), tenant_id=tenant_id, user_id=user_id, email=email, name=name,
        role=role, status=status, invited_by=invited_by, gsi1pk=user_index_pk(user_id),
        gsi1sk=tenant_pk(tenant_id), created_at=now, updated_at=now,
    )


def add_member(member: MemberItem, events: Sequence[DomainEvent] = ()) -> None:
    """Save a new member; `ConditionFailed` when the person already belongs to the brand."""
    with conditional():
        outbox.put_with(member, events, events_table(), condition=MemberItem.pk.does_not_exist())


def invite(tenant_id: str, invitation_id: str, *, email: str, name: str | None, role: str, invited_by: str,
           token_hash: str, expires_at: str, events: Sequence[DomainEvent] = ()) -> MemberItem:
    """The pending member (a placeholder keyed by the invitation id) and its invitation, together;
    `ConditionFailed` when that invitation is already pending."""
    now = iso()
    member = MemberItem(  # a placeholder: no gsi1 (not a sign-in membership) until accepted
        tenant_pk(tenant_id), member_sk(invitation_id), tenant_id=tenant_id, user_id=invitation_id, email=email,
        name=name, role=role, status="invited", invited_by=invited_by, created_at=now, updated_at=now,
    )
    with conditional(), transaction() as tx:
        tx.save(member, condition=MemberItem.pk.does_not_exist())
        tx.save(InvitationItem(
            tenant_pk(tenant_id), invitation_sk(invitation_id), tenant_id=tenant_id, user_id=invitation_id,
            email=email, token_hash=token_hash, expires_at=expires_at, created_cognito_user=False,
            gsi1pk=INVITATIONS_INDEX_PK, gsi1sk=invitation_index_sk(expires_at, tenant_id, invitation_id),
            created_at=now,
        ))
        outbox.add(tx, events, events_table())
    return member


def accept(invitation: InvitationItem, placeholder: MemberItem, member: MemberItem,
           events: Sequence[DomainEvent] = ()) -> None:
    """The invitation and its placeholder give way to the member, at once; `ConditionFailed` when
    the invitation was used (or purged) meanwhile."""
    with conditional(), transaction() as tx:
        tx.delete(invitation, condition=InvitationItem.pk.exists())
        tx.delete(placeholder, condition=MemberItem.status == "invited")
        tx.save(member, condition=MemberItem.pk.does_not_exist())
        outbox.add(tx, events, events_table())


def _update(member: MemberItem, fields: dict[str, Any], events: Sequence[DomainEvent], **kwargs: Any) -> None:
    """SET `fields` (and `updated_at`); `member` reflects them after (a transaction returns no values)."""
    fields = {**fields, "updated_at": iso()}
    actions = [getattr(MemberItem, k).set(v) for k, v in fields.items()]
    outbox.update_with(member, actions, events, events_table(), **kwargs)
    for key, value in fields.items():
        setattr(member, key, value)


def update_member(member: MemberItem, changes: dict[str, Any], events: Sequence[DomainEvent] = ()) -> None:
    """Set the given attributes (and `updated_at`); `member` reflects the stored item after.
    `ConditionFailed` when the member is gone."""
    with conditional():
        _update(member, changes, events, condition=MemberItem.pk.exists())


def set_status(member: MemberItem, status: str, events: Sequence[DomainEvent] = ()) -> None:
    """`ConditionFailed` when the member is gone."""
    with conditional():
        _update(member, {"status": status}, events, condition=MemberItem.pk.exists())


def remove_member(member: MemberItem, events: Sequence[DomainEvent] = ()) -> None:
    """The member and its invitation (a pending one's), in one transaction; `ConditionFailed` when
    the member is gone already (removed once, one event)."""
    with conditional(), transaction() as tx:
        tx.delete(member, condition=MemberItem.pk.exists())
        tx.delete(InvitationItem(member.pk, invitation_sk(member.user_id)))
        outbox.add(tx, events, events_table())


def drop_invitation(invitation: InvitationItem, member: MemberItem | None,
                    events: Sequence[DomainEvent] = ()) -> None:
    """An expired invitation, with its member while still pending; `ConditionFailed` when it was
    accepted or purged concurrently."""
    with conditional(), transaction() as tx:
        tx.delete(invitation, condition=InvitationItem.pk.exists())
        if member is not None and member.status == "invited":
            tx.delete(member, condition=MemberItem.status == "invited")
        outbox.add(tx, events, events_table())
