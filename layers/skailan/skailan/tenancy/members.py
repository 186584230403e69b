"""Members of a brand: invite, accept, list, change role, disable, delete.

A person is one Cognito user (e-mail is the username) and one member item per brand they
belong to. Everyone joins a brand by accepting an invitation (token shown only in the e-mail,
stored hashed): until then the brand holds a placeholder member keyed by the invitation id, and
nothing about the person's login — whether it exists, its global id — is read or revealed.
Accepting creates the login (new people) or checks its password (people of other brands).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import secrets
from datetime import timedelta

from skailan.platform.auth import Caller
from skailan.platform.clock import iso, parse_iso, utcnow
from skailan.platform.errors import BadRequest, Conflict, NotFound, Unprocessable
from skailan.platform.events import DomainEvent
from skailan.platform.mail import send_system_email
from skailan.platform.settings import get_settings
from skailan.platform.storage import ConditionFailed, refused_as
from skailan.tenancy import cognito, roles
from skailan.tenancy.events import build
from skailan.tenancy.links import app_link
from skailan.tenancy.member_reads import find_member, memberships_of
from skailan.tenancy.models import InviteUserIn, Page, UpdateUserIn, UserOut
from skailan.tenancy.store import members as store
from skailan.tenancy.store.items import MemberItem


def _out(item: MemberItem) -> UserOut:
    return UserOut(id=item.user_id, email=item.email, name=item.name, role=item.role, status=item.status,
                   created_at=item.created_at)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _not_found() -> NotFound:
    return NotFound("Usuario no encontrado. / User not found.", code="user_not_found")


def get_member(tenant_id: str, user_id: str) -> MemberItem:
    member = find_member(tenant_id, user_id)
    if member is None:
        raise _not_found()
    return member


def list_members(tenant_id: str, *, cursor: str | None, limit: int | None) -> Page[UserOut]:
    items, next_cursor = store.list_members(tenant_id, cursor=cursor, limit=limit)
    return Page[UserOut](items=[_out(i) for i in items], next_cursor=next_cursor)


def get_user(tenant_id: str, user_id: str) -> UserOut:
    return _out(get_member(tenant_id, user_id))


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
    member = store.active_member(tenant_id, sub, email, name, role, status="active",
                                 invited_by=caller.principal_id if caller else None)
    added = build(tenant_id, "user.added", caller=caller, entity_type="user", entity_id=sub,
                  data={"email": email, "role": role})
    try:
        store.add_member(member, events=[added])
    except ConditionFailed as err:
        if created:
            cognito.delete_user(email)  # nothing half-written: the new login goes too
        raise Conflict("Esa persona ya pertenece a la marca. / That person already belongs to the brand.",
                       code="already_member") from err
    except Exception:
        if created:
            cognito.delete_user(email)
        raise
    return _out(member), None


def invitation_id(tenant_id: str, email: str) -> str:
    """One pending invitation per person and brand; the id says nothing outside the brand."""
    return "inv" + hashlib.sha256(f"{tenant_id}:{email.lower()}".encode()).hexdigest()[:29]


def _expired(placeholder: MemberItem) -> bool:
    invitation = store.invitation_of(placeholder)
    return invitation is None or parse_iso(invitation.expires_at) < utcnow()


def invite(caller: Caller, data: InviteUserIn) -> tuple[UserOut, str]:
    """Invite a person to the brand: a pending member and an e-mailed, single-use link.

    The same for people new to Skailan and people of other brands: nobody is added without
    accepting, and the answer (an invitation id, status `invited`) never says whether the
    e-mail is registered nor the person's global id. Cognito is not even asked here.
    """
    email = str(data.email).lower()
    roles.ensure_role_exists(caller.tenant_id, data.role)
    roles.check_assignable(caller, data.role)
    existing = store.member_with_email(caller.tenant_id, email)
    if existing is not None and existing.status == "invited" and _expired(existing):
        with contextlib.suppress(ConditionFailed):  # gone meanwhile: as good
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
    invited = build(caller.tenant_id, "user.invited", caller=caller, entity_type="user", entity_id=inv_id,
                    data={"email": email, "role": data.role})
    try:
        member = store.invite(caller.tenant_id, inv_id, email=email, name=data.name, role=data.role,
                              invited_by=caller.principal_id, token_hash=_hash(secret), expires_at=expires,
                              events=[invited])
    except ConditionFailed as err:
        raise Conflict("Esa persona ya tiene una invitación pendiente. / That person already has a pending "
                       "invitation.", code="invitation_pending") from err
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
    except ValueError as err:
        raise invalid from err
    invitation = store.find_invitation(tenant_id, inv_id)
    if invitation is None:
        raise invalid
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
    member = store.active_member(tenant_id, sub, email, placeholder.name, placeholder.role, status="active",
                                 invited_by=placeholder.invited_by)
    joined = build(tenant_id, "user.joined", entity_type="user", entity_id=sub,
                   data={"email": email, "invitation": inv_id})
    try:
        store.accept(invitation, placeholder, member, events=[joined])
    except ConditionFailed as err:
        if created:
            cognito.delete_user(email)
        raise Conflict("La invitación ya fue usada. / The invitation was already used.",
                       code="invitation_used") from err
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
    updated = build(caller.tenant_id, "user.updated", caller=caller, entity_type="user", entity_id=user_id,
                    data=changes)
    with refused_as(_not_found()):  # removed meanwhile
        store.update_member(member, changes, events=[updated])
    return _out(member)


def set_status(caller: Caller, user_id: str, *, enabled: bool) -> UserOut:
    _refuse_self(caller, user_id, "deshabilitar" if not enabled else "habilitar")
    member = get_member(caller.tenant_id, user_id)
    if member.status == "invited":
        raise Conflict("La invitación aún no fue aceptada. / The invitation has not been accepted yet.",
                       code="invitation_pending")
    _refuse_stronger(caller, member)
    changed = build(caller.tenant_id, "user.enabled" if enabled else "user.disabled", caller=caller,
                    entity_type="user", entity_id=user_id, data={"email": member.email})
    with refused_as(_not_found()):  # removed meanwhile
        store.set_status(member, "active" if enabled else "disabled", events=[changed])
    # A brand disables its membership only, never the person's login: their other brands stay
    # reachable (sign-in refuses people with no active brand at all). Enabling undoes a login
    # disabled by earlier versions, which did. The event is the membership's, written with it.
    if enabled:
        cognito.set_enabled(member.email, True)
    return _out(member)


def delete_member(caller: Caller, user_id: str) -> None:
    _refuse_self(caller, user_id, "eliminar")
    member = get_member(caller.tenant_id, user_id)
    _refuse_stronger(caller, member)
    if member.status == "invited":
        with refused_as(_not_found()):  # removed by someone else since read: 404, no event
            remove_member(member, events=[build(caller.tenant_id, "invitation.cancelled", caller=caller,
                                                entity_type="user", entity_id=user_id,
                                                data={"email": member.email})])
        return
    from skailan.tenancy import api_keys

    # Their keys die with their membership: read before, so the removal's event counts them, and
    # revoked after (each with its own event). A key left live by a failure is dead anyway: a key
    # whose creator is no member authenticates nothing (`api_keys.effective_permissions`).
    keys = api_keys.live_keys_of(caller.tenant_id, user_id)
    with refused_as(_not_found()):  # removed by someone else since read: 404, no event
        remove_member(member, events=[build(caller.tenant_id, "user.deleted", caller=caller, entity_type="user",
                                            entity_id=user_id, data={"email": member.email,
                                                                     "api_keys_revoked": len(keys)})])
    api_keys.revoke_keys(caller, keys)


def remove_member(member: MemberItem, events: list[DomainEvent] | None = None) -> None:
    """The member (and a pending one's invitation) with `events` in one transaction; then the
    person's login when this was their only brand. `ConditionFailed` when the member is gone."""
    store.remove_member(member, events=events or ())
    if not store.has_login(member):
        return  # a pending invitation: no login of the person is ours to touch
    if not [m for m in memberships_of(member.user_id) if m.tenant_id != member.tenant_id]:
        cognito.delete_user(member.email)  # their only brand: the login goes with it


def purge_expired_invitations(now_iso: str | None = None, *, batch: int = 100) -> int:
    """Remove invitations past their expiry with their never-activated members; returns how many."""
    now_iso = now_iso or iso()
    purged = 0
    for invitation in store.expired_invitations(now_iso, limit=batch):
        member = find_member(invitation.tenant_id, invitation.user_id)
        expired = build(invitation.tenant_id, "invitation.expired", entity_type="user",
                        entity_id=invitation.user_id, data={"email": invitation.email})
        try:
            store.drop_invitation(invitation, member, events=[expired])
        except ConditionFailed:
            continue  # accepted or purged concurrently: nothing to do
        # Invitations of earlier versions created the login up front; today's create it on acceptance.
        never_activated = member is not None and member.status == "invited"
        if invitation.created_cognito_user and never_activated and not [
            m for m in memberships_of(invitation.user_id) if m.tenant_id != invitation.tenant_id
        ]:
            cognito.delete_user(invitation.email)
        purged += 1
    return purged


