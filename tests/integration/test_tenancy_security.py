"""Issue 10 (3, 4, 5, 10) and 11 (8, 9): consent to membership, no role escalation, API keys bound
to their creator, sign-out, and the local Cognito's own signing key — through the real handlers."""

from __future__ import annotations

import re

import pytest

from tests.support import FakeContext, Principal, call, handler_of, sample_event

ADMIN = "api/admin"
AUTH = "api/auth"
PASSWORD = "Demo-pass-2026"
ALL = ["admin:manage", "contacts:manage", "conversations:manage", "leads:manage", "campaigns:manage",
       "automations:manage", "analytics:manage", "content:manage"]


def _invitation_token(to: str) -> str:
    from infra.local.seed import local_mail

    mails = [m for m in local_mail() if to in m["to"]]
    assert mails, f"no e-mail to {to}"
    return re.search(r"token: (\S+)", mails[-1]["body"]).group(1)


def _member(tenant: str, email: str, role: str) -> Principal:
    """A member added by the platform itself (seeding path), ready to sign in."""
    from skailan.tenancy import cognito, members

    try:
        members.add_member(tenant, email, email.split("@")[0], role, password=PASSWORD)
    except Exception as err:  # already there from an earlier test of this module
        if getattr(err, "code", "") != "already_member":
            raise
    return Principal(sub=cognito.find_user_sub(email) or "", email=email, tenant=tenant)


def _login(email: str, password: str = PASSWORD):
    return call(AUTH, "POST", "/v1/auth/login", body={"email": email, "password": password})


# ---------------------------------------------------------------- membership needs consent


def test_another_brand_cannot_add_a_registered_person_nor_learn_about_them(demo):
    acme_admin, agent = demo["admin@acme.local"], demo["agent1@demo.local"]
    # When acme invites a person registered in demo, and a person nobody knows
    known = call(ADMIN, "POST", "/v1/admin/users", principal=acme_admin, body={"email": agent.email, "role": "agent"})
    unknown = call(ADMIN, "POST", "/v1/admin/users", principal=acme_admin,
                   body={"email": "nadie.registrado@acme.local", "role": "agent"})
    # Then both answers look alike: invited, an invitation id — never the person's global id
    assert known.status == unknown.status == 201
    assert known.body.keys() == unknown.body.keys()
    assert known.body["status"] == unknown.body["status"] == "invited"
    assert known.body["id"] != agent.sub and agent.sub not in str(known.body)
    assert known.body["id"].startswith("inv") and unknown.body["id"].startswith("inv")
    # And the person is not a member of acme until they accept
    assert call(AUTH, "GET", "/v1/me", principal=Principal(agent.sub, agent.email, "acme")).status == 404
    me = call(AUTH, "GET", "/v1/me", principal=agent)
    assert [b["id"] for b in me.body["brands"]] == ["demo"]
    # A pending invitation cannot be disabled (it is not a membership)
    assert call(ADMIN, "POST", f"/v1/admin/users/{known.body['id']}/disable", principal=acme_admin).status == 409

    # When the person accepts with a wrong password, nothing changes
    token = _invitation_token(agent.email)
    wrong = call(AUTH, "POST", "/v1/auth/accept-invitation", body={"token": token, "password": "Not-my-pass-2026"})
    assert wrong.status == 401
    assert call(AUTH, "GET", "/v1/me", principal=Principal(agent.sub, agent.email, "acme")).status == 404
    # With their own password, they join (their password unchanged) and get tokens
    accepted = call(AUTH, "POST", "/v1/auth/accept-invitation", body={"token": token, "password": PASSWORD})
    assert accepted.status == 200, accepted.body
    in_acme = call(AUTH, "GET", "/v1/me", principal=Principal(agent.sub, agent.email, "acme"))
    assert in_acme.status == 200 and in_acme.body["role"] == "agent"

    # When acme disables, then removes them, demo is untouched: they still sign in and work there
    assert call(ADMIN, "POST", f"/v1/admin/users/{agent.sub}/disable", principal=acme_admin).status == 200
    assert _login(agent.email).status == 200
    assert call(AUTH, "GET", "/v1/me", principal=agent).status == 200
    assert call(ADMIN, "DELETE", f"/v1/admin/users/{agent.sub}", principal=acme_admin).status == 204
    assert _login(agent.email).status == 200
    still = call(AUTH, "GET", "/v1/me", principal=agent)
    assert still.status == 200 and [b["id"] for b in still.body["brands"]] == ["demo"]


def test_inviting_someone_twice_or_a_member_is_a_conflict(demo):
    admin = demo["admin@demo.local"]
    first = call(ADMIN, "POST", "/v1/admin/users", principal=admin, body={"email": "twice@demo.local", "role": "agent"})
    assert first.status == 201
    again = call(ADMIN, "POST", "/v1/admin/users", principal=admin, body={"email": "TWICE@demo.local", "role": "agent"})
    assert again.status == 409 and again.body["error"]["code"] == "invitation_pending"
    member = call(ADMIN, "POST", "/v1/admin/users", principal=admin,
                  body={"email": "supervisor@demo.local", "role": "agent"})
    assert member.status == 409 and member.body["error"]["code"] == "already_member"
    # An expired invitation is replaced by a new one (the purge job may not have run yet)
    from skailan.tenancy.store.items import InvitationItem

    stale = InvitationItem.get("T#demo", "INVITATION#" + first.body["id"])
    stale.update(actions=[InvitationItem.expires_at.set("2000-01-01T00:00:00.000Z")])
    renewed = call(ADMIN, "POST", "/v1/admin/users", principal=admin, body={"email": "twice@demo.local", "role": "agent"})
    assert renewed.status == 201 and renewed.body["id"] == first.body["id"]
    # Cancelling the invitation touches no login
    assert call(ADMIN, "DELETE", f"/v1/admin/users/{first.body['id']}", principal=admin).status == 204
    assert call(ADMIN, "GET", f"/v1/admin/users/{first.body['id']}", principal=admin).status == 404


# ---------------------------------------------------------------- roles: no self-escalation


def test_a_role_holder_cannot_grant_what_they_lack_nor_edit_their_own_role(demo):
    admin = demo["admin@demo.local"]
    created = call(ADMIN, "POST", "/v1/admin/roles", principal=admin,
                   body={"key": "solo-admin", "name": "Solo admin", "permissions": ["admin:manage"]})
    assert created.status == 201
    holder = _member("demo", "solo.admin@demo.local", "solo-admin")
    victim = _member("demo", "plain.agent@demo.local", "agent")

    # Their own role: no edit at all, least of all to hold everything
    own = call(ADMIN, "PATCH", "/v1/admin/roles/solo-admin", principal=holder, body={"permissions": ALL})
    assert own.status == 403 and own.body["error"]["code"] == "own_role"
    assert call(ADMIN, "PATCH", "/v1/admin/roles/solo-admin", principal=holder, body={"name": "x"}).status == 403
    assert call(ADMIN, "GET", "/v1/admin/roles/solo-admin", principal=admin).body["permissions"] == ["admin:manage"]
    # A new role, or another role, with permissions they lack
    beyond = call(ADMIN, "POST", "/v1/admin/roles", principal=holder,
                  body={"key": "mega", "name": "Mega", "permissions": ["contacts:manage"]})
    assert beyond.status == 403 and beyond.body["error"]["details"]["permissions"] == ["contacts:manage"]
    mine = call(ADMIN, "POST", "/v1/admin/roles", principal=holder,
                body={"key": "sub-admin", "name": "Sub", "permissions": ["admin:view"]})
    assert mine.status == 201
    grow = call(ADMIN, "PATCH", "/v1/admin/roles/sub-admin", principal=holder, body={"permissions": ALL})
    assert grow.status == 403 and grow.body["error"]["code"] == "permission_escalation"
    # A stronger role given to someone else (or to a new invitee) is granting what they lack
    assert call(ADMIN, "PATCH", f"/v1/admin/users/{victim.sub}", principal=holder, body={"role": "admin"}).status == 403
    assert call(ADMIN, "POST", "/v1/admin/users", principal=holder,
                body={"email": "helper@demo.local", "role": "admin"}).status == 403
    # Nor can they act on someone stronger than them
    assert call(ADMIN, "POST", f"/v1/admin/users/{admin.sub}/disable", principal=holder).status == 403
    assert call(ADMIN, "DELETE", f"/v1/admin/users/{admin.sub}", principal=holder).status == 403
    # An API key is no way around it either
    key = call(ADMIN, "POST", "/v1/admin/api-keys", principal=holder, body={"name": "k", "permissions": ALL})
    assert key.status == 403
    # Within their own permissions all is fine
    assert call(ADMIN, "PATCH", "/v1/admin/roles/sub-admin", principal=holder,
                body={"permissions": ["admin:manage"]}).status == 200
    # Stored roles are unchanged by the refused attempts
    assert call(ADMIN, "GET", f"/v1/admin/users/{victim.sub}", principal=admin).body["role"] == "agent"


# ---------------------------------------------------------------- super-admin


def test_super_admin_is_a_builtin_role_only_super_admins_grant_or_touch(demo):
    admin = demo["admin@demo.local"]
    roles = {r["key"]: r for r in call(ADMIN, "GET", "/v1/admin/roles", principal=admin).body["items"]}
    assert roles["super_admin"]["builtin"] is True and sorted(roles["super_admin"]["permissions"]) == sorted(ALL)
    boss = _member("demo", "jefa@demo.local", "super_admin")
    target = _member("demo", "ascender@demo.local", "agent")
    # An admin neither grants super-admin nor acts on a super-admin
    refused = call(ADMIN, "PATCH", f"/v1/admin/users/{target.sub}", principal=admin, body={"role": "super_admin"})
    assert refused.status == 403 and refused.body["error"]["code"] == "super_admin_required"
    assert call(ADMIN, "POST", f"/v1/admin/users/{boss.sub}/disable", principal=admin).status == 403
    assert call(ADMIN, "POST", "/v1/admin/users", principal=admin,
                body={"email": "otro.jefe@demo.local", "role": "super_admin"}).status == 403
    # The super-admin does, and manages everything
    me = call(AUTH, "GET", "/v1/me", principal=boss).body
    assert me["role"] == "super_admin" and "conversations:manage" in me["permissions"]
    assert call(ADMIN, "PATCH", f"/v1/admin/users/{target.sub}", principal=boss,
                body={"role": "super_admin"}).body["role"] == "super_admin"
    assert call(ADMIN, "PATCH", f"/v1/admin/users/{target.sub}", principal=boss, body={"role": "agent"}).status == 200
    assert call(ADMIN, "POST", f"/v1/admin/users/{admin.sub}/disable", principal=boss).status == 200
    assert call(ADMIN, "POST", f"/v1/admin/users/{admin.sub}/enable", principal=boss).status == 200


def test_super_admin_sees_every_conversation():
    from skailan.conversations.store import state
    from skailan.conversations.store.items import ConversationItem
    from skailan.platform.auth import Caller
    from skailan.tenancy.defaults import BUILTIN_ROLES

    perms = BUILTIN_ROLES["super_admin"]["permissions"]
    boss = Caller("demo", "boss", "user", permissions=perms, role="super_admin", super_admin=True)  # type: ignore[arg-type]
    held_by_other = ConversationItem("T#demo#C#x", "C", status="open", assignee="someone-else")
    assert state.sees_all(boss) and state.visible_to(boss, held_by_other)


# ---------------------------------------------------------------- API keys and their creator


def _authorize(secret: str) -> dict:
    event = sample_event("ApiKeyAuthorizerFunction", "request")
    event["headers"] = {"x-api-key": secret}
    return handler_of("auth/api_key_authorizer")(event, FakeContext())


def test_a_removed_or_demoted_creator_takes_their_keys_with_them(demo):
    admin = demo["admin@demo.local"]
    creator = _member("demo", "key.maker@demo.local", "admin")
    key = call(ADMIN, "POST", "/v1/admin/api-keys", principal=creator, body={"name": "ERP", "permissions": ["admin:view"]})
    assert key.status == 201
    decision = _authorize(key.body["secret"])
    assert decision["isAuthorized"] is True
    context = decision["context"]
    assert call(ADMIN, "GET", "/ext/v1/admin/brand", api_key_context=context).status == 200

    # When the creator is demoted to agent, the key loses what they no longer hold — on the next use
    assert call(ADMIN, "PATCH", f"/v1/admin/users/{creator.sub}", principal=admin, body={"role": "agent"}).status == 200
    assert call(ADMIN, "GET", "/ext/v1/admin/brand", api_key_context=context).status == 403
    assert _authorize(key.body["secret"])["context"]["permissions"] == ""
    assert call(ADMIN, "PATCH", f"/v1/admin/users/{creator.sub}", principal=admin, body={"role": "admin"}).status == 200
    assert call(ADMIN, "GET", "/ext/v1/admin/brand", api_key_context=context).status == 200
    # When disabled, the key stops (even with a cached authorizer answer)
    call(ADMIN, "POST", f"/v1/admin/users/{creator.sub}/disable", principal=admin)
    assert _authorize(key.body["secret"])["isAuthorized"] is False
    assert call(ADMIN, "GET", "/ext/v1/admin/brand", api_key_context=context).status == 401
    call(ADMIN, "POST", f"/v1/admin/users/{creator.sub}/enable", principal=admin)
    # When the creator is deleted, the key is refused and shown revoked
    assert call(ADMIN, "DELETE", f"/v1/admin/users/{creator.sub}", principal=admin).status == 204
    assert _authorize(key.body["secret"])["isAuthorized"] is False
    assert call(ADMIN, "GET", "/ext/v1/admin/brand", api_key_context=context).status == 401
    listed = {k["id"]: k for k in call(ADMIN, "GET", "/v1/admin/api-keys", principal=admin).body["items"]}
    assert listed[key.body["id"]]["revoked_at"]


# ---------------------------------------------------------------- sign-out


def test_logout_revokes_the_refresh_token(demo):
    first = _login("supervisor@demo.local")
    assert first.status == 200
    out = call(AUTH, "POST", "/v1/auth/logout", body={"refresh_token": first.body["refresh_token"]})
    assert out.status == 200 and out.body == {"status": "signed_out"}
    after = call(AUTH, "POST", "/v1/auth/refresh", body={"refresh_token": first.body["refresh_token"]})
    assert after.status == 401 and after.body["error"]["code"] == "invalid_refresh_token"
    # Signing out twice, or with a token nobody issued, is harmless
    assert call(AUTH, "POST", "/v1/auth/logout", body={"refresh_token": first.body["refresh_token"]}).status == 200
    assert call(AUTH, "POST", "/v1/auth/logout", body={"refresh_token": "not-a-token"}).status == 200
    # Bad input is a 4xx
    assert call(AUTH, "POST", "/v1/auth/logout", body={}).status == 422
    assert call(AUTH, "POST", "/v1/auth/logout", body={"refresh_token": None}).status == 422


def test_logout_everywhere_ends_every_session(demo):
    laptop, phone = _login("supervisor@demo.local"), _login("supervisor@demo.local")
    assert laptop.status == phone.status == 200
    out = call(AUTH, "POST", "/v1/auth/logout", body={"refresh_token": laptop.body["refresh_token"], "everywhere": True})
    assert out.status == 200
    for session in (laptop, phone):
        assert call(AUTH, "POST", "/v1/auth/refresh",
                    body={"refresh_token": session.body["refresh_token"]}).status == 401
    # Everywhere needs a live session to prove who is asking
    assert call(AUTH, "POST", "/v1/auth/logout",
                body={"refresh_token": laptop.body["refresh_token"], "everywhere": True}).status == 401
    assert _login("supervisor@demo.local").status == 200


# ---------------------------------------------------------------- invitation links


def test_invitation_links_point_at_the_app(demo, monkeypatch):
    from infra.local.seed import local_mail
    from skailan.platform.settings import get_settings

    monkeypatch.setenv("APP_URL", "http://127.0.0.1:4321/")
    get_settings.cache_clear()
    try:
        reply = call(ADMIN, "POST", "/v1/admin/users", principal=demo["admin@demo.local"],
                     body={"email": "enlace@demo.local", "role": "agent"})
        assert reply.status == 201
        body = [m for m in local_mail() if "enlace@demo.local" in m["to"]][-1]["body"]
        token = re.search(r"token: (\S+)", body).group(1)
        assert f"http://127.0.0.1:4321/accept-invitation?token={token}&email=enlace%40demo.local" in body
    finally:
        monkeypatch.delenv("APP_URL")
        get_settings.cache_clear()


# ---------------------------------------------------------------- local Cognito's signing key


def test_tokens_signed_with_motos_bundled_key_are_refused(demo):
    import jwt
    from joserfc import jwk
    from joserfc import jwt as jose_jwt
    from moto.utilities.utils import load_resource

    from infra.local import moto_cognito
    from infra.local.authorizers import InvalidToken, verify_jwt
    from skailan.platform.settings import get_settings

    settings = get_settings()
    issuer = f"https://cognito-idp.us-east-1.amazonaws.com/{settings.user_pool_id}"
    keys = {k["kid"]: jwt.PyJWK(k).key for k in moto_cognito.public_jwks()["keys"]}

    def key_for(_issuer: str, kid: str):
        return keys.get(kid)

    # A token this runtime issued verifies
    issued = _login("agent2@demo.local")
    assert issued.status == 200
    claims = verify_jwt(issued.body["id_token"], issuer=issuer, audience=[settings.user_pool_client_id],
                        key_for=key_for)
    assert claims["sub"] == demo["agent2@demo.local"].sub
    # A token forged with the private key moto ships in its package does not
    bundled = jwk.RSAKey.import_key(load_resource("cognitoidp/resources/jwks-private.json"))
    forged_claims = dict(claims) | {"sub": demo["admin@demo.local"].sub}
    forged = jose_jwt.encode({"kid": "dummy", "alg": "RS256"}, forged_claims, bundled)
    with pytest.raises(InvalidToken, match="signature"):
        verify_jwt(forged, issuer=issuer, audience=[settings.user_pool_client_id], key_for=key_for)
    # And the key served as the pool's JWKS is not moto's bundled one
    bundled_public = load_resource("cognitoidp/resources/jwks-public.json")["keys"][0]["n"]
    assert all(k["n"] != bundled_public for k in moto_cognito.public_jwks()["keys"])
