"""Members of a brand: invite, accept, list, change role, disable, delete.

A person is one Cognito user (e-mail is the username) and one member item per brand they
belong to. New people get an invitation link (token shown only in the e-mail, stored hashed);
people who already use Skailan in another brand are added directly.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from pynamodb.exceptions import TransactWriteError

from skailan.platform.auth import Caller
from skailan.platform.clock import iso, parse_iso, utcnow
from skailan.platform.errors import BadRequest, Conflict, NotFound
from skailan.platform.mail import send_system_email
from skailan.platform.pagination import clamp_limit, decode_cursor, encode_cursor
from skailan.platform.settings import get_settings
from skailan.platform.storage import transaction
from skailan.tenancy import cognito, roles
from skailan.tenancy.events import emit
from skailan.tenancy.items import InvitationItem, MemberItem, tenant_pk
from skailan.tenancy.models import InviteUserIn, Page, UpdateUserIn, UserOut

MEMBER = "MEMBER#"
INVITATION = "INVITATION#"
INVITATIONS_INDEX_PK = "INVITATIONS"


def _out(item: MemberItem) -> UserOut:
    return UserOut(id=item.user_id, email=item.email, name=item.name, role=item.role, status=item.status,
                   created_at=item.created_at)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def get_member(tenant_id: str, user_id: str) -> MemberItem:
    try:
        return MemberItem.get(tenant_pk(tenant_id), MEMBER + user_id)
    except MemberItem.DoesNotExist as err:
        raise NotFound("Usuario no encontrado. / User not found.", code="user_not_found") from err


def find_member(tenant_id: str, user_id: str) -> MemberItem | None:
    try:
        return MemberItem.get(tenant_pk(tenant_id), MEMBER + user_id)
    except MemberItem.DoesNotExist:
        return None


def memberships_of(user_id: str) -> list[MemberItem]:
    """Every brand a person belongs to (gsi1 USER#<sub>); small, one Query."""
    return list(MemberItem.gsi1.query(f"USER#{user_id}"))


def list_members(tenant_id: str, *, cursor: str | None, limit: int | None) -> Page[UserOut]:
    pk = tenant_pk(tenant_id)
    results = MemberItem.query(
        pk, MemberItem.sk.startswith(MEMBER), limit=clamp_limit(limit),
        last_evaluated_key=decode_cursor(cursor, partition_attr="pk", partition_value=pk),
    )
    items = [_out(i) for i in results]
    return Page[UserOut](items=items, next_cursor=encode_cursor(results.last_evaluated_key))


def get_user(tenant_id: str, user_id: str) -> UserOut:
    return _out(get_member(tenant_id, user_id))


def _member_item(tenant_id: str, user_id: str, email: str, name: str | None, role: str, status: str,
                 invited_by: str | None) -> MemberItem:
    now = iso()
    return MemberItem(
        tenant_pk(tenant_id), MEMBER + user_id, tenant_id=tenant_id, user_id=user_id, email=email, name=name,
        role=role, status=status, invited_by=invited_by, gsi1pk=f"USER#{user_id}",
        gsi1sk=tenant_pk(tenant_id), created_at=now, updated_at=now,
    )


def add_member(tenant_id: str, email: str, name: str | None, role: str, *, password: str | None = None,
               caller: Caller | None = None) -> tuple[UserOut, str | None]:
    """Add a person to a brand. Returns (user, invitation token or None).

    With `password` (seeding), the account is ready at once; otherwise a new person gets an
    invitation token and someone already known to Cognito is added as active.
    """
    roles.ensure_role_exists(tenant_id, role)
    email = email.lower()
    sub = cognito.find_user_sub(email)
    created = sub is None
    if sub is None:
        sub = cognito.create_user(email, name)
    if password:
        cognito.set_password(email, password)
    invite = created and not password
    member = _member_item(tenant_id, sub, email, name, role, "invited" if invite else "active",
                          caller.principal_id if caller else None)
    token: str | None = None
    try:
        with transaction() as tx:
            tx.save(member, condition=MemberItem.pk.does_not_exist())
            if invite:
                secret = secrets.token_urlsafe(32)
                token = f"{tenant_id}.{sub}.{secret}"
                expires = iso(utcnow() + timedelta(hours=get_settings().invitation_ttl_hours))
                tx.save(InvitationItem(
                    tenant_pk(tenant_id), INVITATION + sub, tenant_id=tenant_id, user_id=sub, email=email,
                    token_hash=_hash(secret), expires_at=expires, created_cognito_user=True,
                    gsi1pk=INVITATIONS_INDEX_PK, gsi1sk=f"{expires}#{tenant_id}#{sub}", created_at=iso(),
                ))
    except TransactWriteError as err:
        if created:
            cognito.delete_user(email)  # nothing half-written: the new login goes too
        if "ConditionalCheckFailed" in str(err.cause_response_code) or "TransactionCanceled" in str(
            err.cause_response_code
        ):
            raise Conflict("Esa persona ya pertenece a la marca. / That person already belongs to the brand.",
                           code="already_member") from err
        raise
    emit(tenant_id, "user.invited" if invite else "user.added", caller=caller, entity_type="user", entity_id=sub,
         data={"email": email, "role": role})
    return _out(member), token


def invite(caller: Caller, data: InviteUserIn) -> tuple[UserOut, str | None]:
    user, token = add_member(caller.tenant_id, str(data.email), data.name, data.role, caller=caller)
    from skailan.tenancy import brands  # only invitations need the brand (keeps access.py light)

    brand = brands.get_brand(caller.tenant_id)
    if token:
        link = f"{get_settings().app_url}/accept-invitation?token={token}"
        send_system_email(
            user.email,
            f"Invitación a {brand.name} en Skailan / Invitation to {brand.name} on Skailan",
            f"Te invitaron a {brand.name} en Skailan. Crea tu contraseña aquí: {link}\n\n"
            f"You were invited to {brand.name} on Skailan. Set your password here: {link}\n\n"
            f"token: {token}\n",
        )
    else:
        send_system_email(
            user.email,
            f"Ahora tienes acceso a {brand.name} / You now have access to {brand.name}",
            f"Ya puedes elegir {brand.name} al iniciar sesión. / You can now pick {brand.name} after signing in.",
        )
    return user, token


def accept_invitation(token: str, password: str) -> UserOut:
    try:
        tenant_id, user_id, secret = token.split(".", 2)
        invitation = InvitationItem.get(tenant_pk(tenant_id), INVITATION + user_id)
    except (ValueError, InvitationItem.DoesNotExist) as err:
        raise BadRequest("La invitación no es válida. / The invitation is not valid.", code="invalid_invitation") from err
    if not hmac.compare_digest(invitation.token_hash, _hash(secret)):
        raise BadRequest("La invitación no es válida. / The invitation is not valid.", code="invalid_invitation")
    if parse_iso(invitation.expires_at) < utcnow():
        raise BadRequest("La invitación expiró. / The invitation has expired.", code="invitation_expired")
    cognito.set_password(invitation.email, password)
    member = get_member(tenant_id, user_id)
    try:
        with transaction() as tx:
            tx.delete(invitation, condition=InvitationItem.pk.exists())
            tx.update(member, actions=[MemberItem.status.set("active"), MemberItem.updated_at.set(iso())],
                      condition=MemberItem.status == "invited")
    except TransactWriteError as err:
        raise Conflict("La invitación ya fue usada. / The invitation was already used.",
                       code="invitation_used") from err
    emit(tenant_id, "user.joined", entity_type="user", entity_id=user_id, data={"email": invitation.email})
    member.status = "active"
    return _out(member)


def _refuse_self(caller: Caller, user_id: str, what: str) -> None:
    if caller.kind == "user" and caller.principal_id == user_id:
        raise Conflict(f"No puedes {what} tu propio usuario. / You cannot {what} yourself.", code="self_change")


def update_member(caller: Caller, user_id: str, data: UpdateUserIn) -> UserOut:
    member = get_member(caller.tenant_id, user_id)
    changes = data.model_dump(exclude_unset=True)
    if "role" in changes:
        _refuse_self(caller, user_id, "cambiar el rol de")
        roles.ensure_role_exists(caller.tenant_id, changes["role"])
    actions = [getattr(MemberItem, k).set(v) for k, v in changes.items()] + [MemberItem.updated_at.set(iso())]
    member.update(actions=actions, condition=MemberItem.pk.exists())
    emit(caller.tenant_id, "user.updated", caller=caller, entity_type="user", entity_id=user_id, data=changes)
    return _out(member)


def _other_active_memberships(user_id: str, tenant_id: str) -> list[MemberItem]:
    return [m for m in memberships_of(user_id) if m.tenant_id != tenant_id and m.status == "active"]


def set_status(caller: Caller, user_id: str, *, enabled: bool) -> UserOut:
    _refuse_self(caller, user_id, "deshabilitar" if not enabled else "habilitar")
    member = get_member(caller.tenant_id, user_id)
    if member.status == "invited":
        raise Conflict("La invitación aún no fue aceptada. / The invitation has not been accepted yet.",
                       code="invitation_pending")
    member.update(actions=[MemberItem.status.set("active" if enabled else "disabled"),
                           MemberItem.updated_at.set(iso())])
    # The login itself is disabled only when no other brand still counts on it.
    if not _other_active_memberships(user_id, caller.tenant_id):
        cognito.set_enabled(member.email, enabled)
    emit(caller.tenant_id, "user.enabled" if enabled else "user.disabled", caller=caller,
         entity_type="user", entity_id=user_id, data={"email": member.email})
    return _out(member)


def delete_member(caller: Caller, user_id: str) -> None:
    _refuse_self(caller, user_id, "eliminar")
    member = get_member(caller.tenant_id, user_id)
    remove_member(member)
    emit(caller.tenant_id, "user.deleted", caller=caller, entity_type="user", entity_id=user_id,
         data={"email": member.email})


def remove_member(member: MemberItem) -> None:
    with transaction() as tx:
        tx.delete(member)
        tx.delete(InvitationItem(member.pk, INVITATION + member.user_id))
    if not [m for m in memberships_of(member.user_id) if m.tenant_id != member.tenant_id]:
        cognito.delete_user(member.email)


def purge_expired_invitations(now_iso: str | None = None, *, batch: int = 100) -> int:
    """Remove invitations past their expiry with their never-activated members; returns how many."""
    now_iso = now_iso or iso()
    purged = 0
    for invitation in InvitationItem.gsi1.query(
        INVITATIONS_INDEX_PK, InvitationItem.gsi1sk < now_iso, limit=batch
    ):
        member = find_member(invitation.tenant_id, invitation.user_id)
        try:
            with transaction() as tx:
                tx.delete(invitation, condition=InvitationItem.pk.exists())
                if member is not None and member.status == "invited":
                    tx.delete(member, condition=MemberItem.status == "invited")
        except TransactWriteError:
            continue  # accepted or purged concurrently: nothing to do
        never_activated = member is not None and member.status == "invited"
        if never_activated and not [m for m in memberships_of(invitation.user_id) if m.tenant_id != invitation.tenant_id]:
            cognito.delete_user(invitation.email)
        emit(invitation.tenant_id, "invitation.expired", entity_type="user", entity_id=invitation.user_id,
             data={"email": invitation.email})
        purged += 1
    return purged


