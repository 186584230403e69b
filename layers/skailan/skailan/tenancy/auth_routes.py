"""Sign-in routes (`/v1/auth/...`, public) and `/v1/me`."""

from __future__ import annotations

from aws_lambda_powertools.event_handler.api_gateway import Router

from skailan.platform.auth import current_caller, expand
from skailan.tenancy import brands, member_reads, members, signin
from skailan.tenancy.access import authenticated, public
from skailan.tenancy.models import (
    AcceptInvitationIn,
    BrandMembershipOut,
    ConfirmPasswordIn,
    ForgotPasswordIn,
    LoginIn,
    LogoutIn,
    MeOut,
    RefreshIn,
    TokensOut,
)

router = Router()


def _source_ip() -> str | None:
    from skailan.platform.limits import source_ip

    return source_ip(router.current_event)


@router.post("/v1/auth/login", middlewares=[public()], tags=["auth"])
def login(body: LoginIn) -> TokensOut:
    return signin.login(str(body.email), body.password, _source_ip())


@router.post("/v1/auth/refresh", middlewares=[public()], tags=["auth"])
def refresh(body: RefreshIn) -> TokensOut:
    return signin.refresh(body.refresh_token)


@router.post("/v1/auth/logout", middlewares=[public()], tags=["auth"])
def logout(body: LogoutIn) -> dict[str, str]:
    """Revoke the refresh token (its session); `everywhere` signs out of every device."""
    signin.logout(body.refresh_token, everywhere=body.everywhere)
    return {"status": "signed_out"}


@router.post("/v1/auth/forgot-password", middlewares=[public()], status_code=202, tags=["auth"])
def forgot_password(body: ForgotPasswordIn) -> dict[str, str]:
    signin.forgot_password(str(body.email), _source_ip())
    return {"status": "sent_if_registered"}


@router.post("/v1/auth/confirm-password", middlewares=[public()], tags=["auth"])
def confirm_password(body: ConfirmPasswordIn) -> dict[str, str]:
    signin.confirm_password(str(body.email), body.code, body.password, _source_ip())
    return {"status": "password_changed"}


@router.post("/v1/auth/accept-invitation", middlewares=[public()], tags=["auth"])
def accept_invitation(body: AcceptInvitationIn) -> TokensOut:
    from skailan.platform import limits

    limits.hit_public("accept-invitation-ip", limits.ip_subject(_source_ip()))
    user = members.accept_invitation(body.token, body.password)
    return signin.login(user.email, body.password, _source_ip())  # the new membership is active


@router.get("/v1/me", middlewares=[authenticated()], tags=["auth"])
def me() -> MeOut:
    caller = current_caller()
    active = [m for m in member_reads.memberships_of(caller.principal_id) if m.status == "active"]
    names = brands.brand_names([m.tenant_id for m in active])
    memberships = sorted(
        (BrandMembershipOut(id=m.tenant_id, name=names.get(m.tenant_id, m.tenant_id), role=m.role) for m in active),
        key=lambda b: b.id,
    )
    current = next(b for b in memberships if b.id == caller.tenant_id)
    brand = brands.get_brand(caller.tenant_id)
    return MeOut(id=caller.principal_id, email=caller.email, name=caller.name, brand=current, brands=memberships,
                 role=caller.role or "", permissions=expand(caller.permissions), time_zone=brand.time_zone,
                 language=brand.language)
