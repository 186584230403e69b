"""Members of a brand: invite, accept, list, change role, disable, delete.

A person is one Cognito user (e-mail is the username) and one member item per brand they
belong to. Everyone joins a brand by accepting an invitation (token shown only in the e-mail,
stored hashed): until then the brand holds a placeholder member keyed by the invitation id, and
nothing about the person's login — whether it exists, its global id — is read or revealed.
Accepting creates the login (new people) or checks its password (people of other brands).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from skailan.platform.auth import Caller
from skailan.platform.clock import iso, parse_iso, utcnow
from skailan.platform.errors import BadRequest, Conflict, NotFound, Unprocessable
from skailan.platform.mail import send_system_email
from skailan.platform.pagination import clamp_limit, decode_cursor, encode_cursor
from skailan.platform.settings import get_settings
from skailan.platform.storage import ConditionFailed, conditional, transaction
from skailan.tenancy import cognito, roles
from skailan.tenancy.events import emit
from skailan.tenancy.links import app_link
from skailan.tenancy.member_reads import find_member, memberships_of
from skailan.tenancy.models import InviteUserIn, Page, UpdateUserIn, UserOut
from skailan.tenancy.store.items import (
    INVITATIONS_INDEX_PK,
    InvitationItem,
    MemberItem,
    invitation_index_sk,
    invitation_sk,
    member_sk,
    member_sk_prefix,
    tenant_pk,
    user_index_pk,
)


def _out(item: MemberItem) -> UserOut:
    return UserOut(id=item.user_id, email=item.email, name=item.name, role=item.role, status=item.status,
                   created_at=item.created_at)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def get_member(tenant_id: str, user_id: str) -> MemberItem:
    try:
        return MemberItem.get(tenant_pk(tenant_id), member_sk(user_id))
    except MemberItem.DoesNotExist as err:
        raise NotFound("Usuario no encontrado. / User not found.", code="user_not_found") from err


def list_members(tenant_id: str, *, cursor: str | None, limit: int | None) -> Page[UserOut]:
    pk = tenant_pk(tenant_id)
    results = MemberItem.query(
        pk, MemberItem.sk.startswith(member_sk_prefix()), limit=clamp_limit(limit),
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
        tenant_pk(tenant_id), member_sk(user_id), tenant_id=tenant_id, user_id=user_id, email=email, name=name,
        role=role, status=status, invited_by=invited_by, gsi1pk=user_index_pk(user_id),
        gsi1sk=tenant_pk(tenant_id), created_at=now, updated_at=now,
    )


def add_member(tenant_id: str, email: str, name: str | None, role: str, *, password: str | None = None,
               caller: Caller | None = None) -> tuple[UserOut, str | None]:
    """Make a person an active member at once (seeding and the platform's own operators only).

    Brand admins go through `invite`: joining a brand always takes the person's acceptance.
    Returns (user, None).
    """
    roles.ensure_role_exists(tenant_id, role)
    email = email.lower()
    sub = cognito.find_user_sub(email)
    created = sub is None
    if sub is None:
        sub = cognito.create_user(email, name)
    if password:
        cognito.set_password(email, password)
    member = _member_item(tenant_id, sub, email, name, role, "active", caller.principal_id if caller else None)
    try:
        with conditional():
            member.save(condition=MemberItem.pk.does_not_exist())
    except ConditionFailed as err:
        if created:
            cognito.delete_user(email)  # nothing half-written: the new login goes too
        raise Conflict("Esa persona ya pertenece a la marca. / That person already belongs to the brand.",
                       code="already_member") from err
    except Exception:
        if created:
            cognito.delete_user(email)
        raise
    emit(tenant_id, "user.added", caller=caller, entity_type="user", entity_id=sub, data={"email": email, "role": role})
    return _out(member), None


def invitation_id(tenant_id: str, email: str) -> str:
    """One pending invitation per person and brand; the id says nothing outside the brand."""
    return "inv" + hashlib.sha256(f"{tenant_id}:{email.lower()}".encode()).hexdigest()[:29]


def _member_with_email(tenant_id: str, email: str) -> MemberItem | None:
    # Members live in the brand's partition: a bounded Query with a filter, never a Scan.
    found = MemberItem.query(tenant_pk(tenant_id), MemberItem.sk.startswith(member_sk_prefix()),
                             filter_condition=MemberItem.email == email, limit=1, page_size=200)
    return next(iter(found), None)


def _expired(placeholder: MemberItem) -> bool:
    try:
        invitation = InvitationItem.get(placeholder.pk, invitation_sk(placeholder.user_id))
    except InvitationItem.DoesNotExist:
        return True
    return parse_iso(invitation.expires_at) < utcnow()


def invite(caller: Caller, data: InviteUserIn) -> tuple[UserOut, str]:
    """Invite a person to the brand: a pending member and an e-mailed, single-use link.

    The same for people new to Skailan and people of other brands: nobody is added without
    accepting, and the answer (an invitation id, status `invited`) never says whether the
    e-mail is registered nor the person's global id. Cognito is not even asked here.
    """
    email = str(data.email).lower()
    roles.ensure_role_exists(caller.tenant_id, data.role)
    roles.check_assignable(caller, data.role)
    existing = _member_with_email(caller.tenant_id, email)
    if existing is not None and existing.status == "invited" and _expired(existing):
        remove_member(existing)  # an expired invitation the purge job has not reached yet: replace it
        existing = None
    if existing is not None:
        if existing.status == "invited":
            raise Conflict("Esa persona ya tiene una invitación pendiente. / That person already has a pending "
                           "invitation.", code="invitation_pending")
        raise Conflict("Esa persona ya pertenece a la marca. / That person already belongs to the brand.",
                       code="already_member")
    inv_id = invitation_id(caller.tenant_id, email)
    secret = secrets.token_urlsafe(32)
    token = f"{caller.tenant_id}.{inv_id}.{secret}"
    expires = iso(utcnow() + timedelta(hours=get_settings().invitation_ttl_hours))
    now = iso()
    member = MemberItem(  # a placeholder: no gsi1 (not a sign-in membership) until accepted
        tenant_pk(caller.tenant_id), member_sk(inv_id), tenant_id=caller.tenant_id, user_id=inv_id, email=email,
        name=data.name, role=data.role, status="invited", invited_by=caller.principal_id, created_at=now,
        updated_at=now,
    )
    try:
        with conditional(), transaction() as tx:
            tx.save(member, condition=MemberItem.pk.does_not_exist())
            tx.save(InvitationItem(
                tenant_pk(caller.tenant_id), invitation_sk(inv_id), tenant_id=caller.tenant_id, user_id=inv_id,
                email=email, token_hash=_hash(secret), expires_at=expires, created_cognito_user=False,
                gsi1pk=INVITATIONS_INDEX_PK, gsi1sk=invitation_index_sk(expires, caller.tenant_id, inv_id), created_at=now,
            ))
    except ConditionFailed as err:
        raise Conflict("Esa persona ya tiene una invitación pendiente. / That person already has a pending "
                       "invitation.", code="invitation_pending") from err
    emit(caller.tenant_id, "user.invited", caller=caller, entity_type="user", entity_id=inv_id,
         data={"email": email, "role": data.role})
    _send_invitation(caller.tenant_id, email, token)
    return _out(member), token


def _send_invitation(tenant_id: str, email: str, token: str) -> None:
    from skailan.tenancy import brands  # only invitations need the brand (keeps access.py light)

    brand = brands.get_brand(tenant_id)
    link = app_link("/accept-invitation", token=token, email=email)
    send_system_email(
        email,
        f"Invitación a {brand.name} en Skailan / Invitation to {brand.name} on Skailan",
        f"Te invitaron a {brand.name} en Skailan. Acepta la invitación aquí (si ya usas Skailan, con tu "
        f"contraseña de siempre; si no, crea una): {link}\n\n"
        f"You were invited to {brand.name} on Skailan. Accept it here (with your usual password if you "
        f"already use Skailan, or set a new one): {link}\n\n"
        f"token: {token}\n",
    )


def accept_invitation(token: str, password: str) -> UserOut:
    """The person accepts: a new person sets a password, a known one proves theirs."""
    from skailan.tenancy import signin

    invalid = BadRequest("La invitación no es válida. / The invitation is not valid.", code="invalid_invitation")
    try:
        tenant_id, inv_id, secret = token.split(".", 2)
        invitation = InvitationItem.get(tenant_pk(tenant_id), invitation_sk(inv_id))
    except (ValueError, InvitationItem.DoesNotExist) as err:
        raise invalid from err
    if not hmac.compare_digest(invitation.token_hash, _hash(secret)):
        raise invalid
    if parse_iso(invitation.expires_at) < utcnow():
        raise BadRequest("La invitación expiró. / The invitation has expired.", code="invitation_expired")
    placeholder = find_member(tenant_id, inv_id)
    if placeholder is None or placeholder.status != "invited":
        raise invalid
    email = invitation.email
    sub = cognito.find_user_sub(email)
    created = False
    if sub is None:
        try:
            sub = cognito.create_user(email, placeholder.name)
            created = True
        except Conflict:  # created meanwhile (another invitation accepted at the same moment)
            sub = cognito.find_user_sub(email)
            if sub is None:
                raise
    if created:
        try:
            cognito.set_password(email, password)
        except Exception:
            cognito.delete_user(email)
            raise
    else:
        signin.verify_password(email, password)  # throttled like a sign-in; 401 when wrong
    member = _member_item(tenant_id, sub, email, placeholder.name, placeholder.role, "active",
                          placeholder.invited_by)
    try:
        with conditional(), transaction() as tx:
            tx.delete(invitation, condition=InvitationItem.pk.exists())
            tx.delete(placeholder, condition=MemberItem.status == "invited")
            tx.save(member, condition=MemberItem.pk.does_not_exist())
    except ConditionFailed as err:
        if created:
            cognito.delete_user(email)
        raise Conflict("La invitación ya fue usada. / The invitation was already used.",
                       code="invitation_used") from err
    emit(tenant_id, "user.joined", entity_type="user", entity_id=sub, data={"email": email, "invitation": inv_id})
    return _out(member)


def _refuse_self(caller: Caller, user_id: str, what: str) -> None:
    if caller.kind == "user" and caller.principal_id == user_id:
        raise Conflict(f"No puedes {what} tu propio usuario. / You cannot {what} yourself.", code="self_change")


def _refuse_stronger(caller: Caller, member: MemberItem) -> None:
    """Nobody changes, disables or removes a member who holds what they do not."""
    roles.check_assignable(caller, member.role, acting_on="member")


def update_member(caller: Caller, user_id: str, data: UpdateUserIn) -> UserOut:
    member = get_member(caller.tenant_id, user_id)
    changes = data.model_dump(exclude_unset=True)
    _refuse_stronger(caller, member)
    if "role" in changes and changes["role"] is None:
        raise Unprocessable("Indica un rol. / Give a role.", code="validation_error",
                            details=[{"field": "role", "error": "must not be null"}])
    if "role" in changes:
        _refuse_self(caller, user_id, "cambiar el rol de")
        roles.ensure_role_exists(caller.tenant_id, changes["role"])
        roles.check_assignable(caller, changes["role"])
    actions = [getattr(MemberItem, k).set(v) for k, v in changes.items()] + [MemberItem.updated_at.set(iso())]
    member.update(actions=actions, condition=MemberItem.pk.exists())
    emit(caller.tenant_id, "user.updated", caller=caller, entity_type="user", entity_id=user_id, data=changes)
    return _out(member)


def set_status(caller: Caller, user_id: str, *, enabled: bool) -> UserOut:
    _refuse_self(caller, user_id, "deshabilitar" if not enabled else "habilitar")
    member = get_member(caller.tenant_id, user_id)
    if member.status == "invited":
        raise Conflict("La invitación aún no fue aceptada. / The invitation has not been accepted yet.",
                       code="invitation_pending")
    _refuse_stronger(caller, member)
    member.update(actions=[MemberItem.status.set("active" if enabled else "disabled"),
                           MemberItem.updated_at.set(iso())])
    # A brand disables its membership only, never the person's login: their other brands stay
    # reachable (sign-in refuses people with no active brand at all). Enabling undoes a login
    # disabled by earlier versions, which did.
    if enabled:
        cognito.set_enabled(member.email, True)
    emit(caller.tenant_id, "user.enabled" if enabled else "user.disabled", caller=caller,
         entity_type="user", entity_id=user_id, data={"email": member.email})
    return _out(member)


def delete_member(caller: Caller, user_id: str) -> None:
    _refuse_self(caller, user_id, "eliminar")
    member = get_member(caller.tenant_id, user_id)
    _refuse_stronger(caller, member)
    remove_member(member)
    if member.status == "invited":
        emit(caller.tenant_id, "invitation.cancelled", caller=caller, entity_type="user", entity_id=user_id,
             data={"email": member.email})
        return
    from skailan.tenancy import api_keys

    revoked = api_keys.revoke_keys_of(caller, user_id)  # their keys die with their membership
    emit(caller.tenant_id, "user.deleted", caller=caller, entity_type="user", entity_id=user_id,
         data={"email": member.email, "api_keys_revoked": revoked})


def remove_member(member: MemberItem) -> None:
    with transaction() as tx:
        tx.delete(member)
        tx.delete(InvitationItem(member.pk, invitation_sk(member.user_id)))
    if member.gsi1pk is None:
        return  # a pending invitation: no login of the person is ours to touch
    if not [m for m in memberships_of(member.user_id) if m.tenant_id != member.tenant_id]:
        cognito.delete_user(member.email)  # their only brand: the login goes with it


def purge_expired_invitations(now_iso: str | None = None, *, batch: int = 100) -> int:
    """Remove invitations past their expiry with their never-activated members; returns how many."""
    now_iso = now_iso or iso()
    purged = 0
    for invitation in InvitationItem.gsi1.query(
        INVITATIONS_INDEX_PK, InvitationItem.gsi1sk < now_iso, limit=batch
    ):
        member = find_member(invitation.tenant_id, invitation.user_id)
        try:
            with conditional(), transaction() as tx:
                tx.delete(invitation, condition=InvitationItem.pk.exists())
                if member is not None and member.status == "invited":
                    tx.delete(member, condition=MemberItem.status == "invited")
        except ConditionFailed:
            continue  # accepted or purged concurrently: nothing to do
        # Invitations of earlier versions created the login up front; today's create it on acceptance.
        never_activated = member is not None and member.status == "invited"
        if invitation.created_cognito_user and never_activated and not [
            m for m in memberships_of(invitation.user_id) if m.tenant_id != invitation.tenant_id
        ]:
            cognito.delete_user(invitation.email)
        emit(invitation.tenant_id, "invitation.expired", entity_type="user", entity_id=invitation.user_id,
             data={"email": invitation.email})
        purged += 1
    return purged


