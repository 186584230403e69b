"""Administration and sign-in through the real handlers, against moto built from template.yaml."""

from __future__ import annotations

import json
import re

import pytest

from tests.support import call, sample_event

ADMIN = "api/admin"
AUTH = "api/auth"


def test_me_answers_the_brand_role_and_permissions(demo):
    # Given the demo admin
    admin = demo["admin@demo.local"]
    # When they ask who they are
    reply = call(AUTH, "GET", "/v1/me", principal=admin)
    # Then the brand, role and permissions are theirs
    assert reply.status == 200
    assert reply.body["brand"] == {"id": "demo", "name": "Demo", "role": "admin"}
    assert reply.body["brands"] == [{"id": "demo", "name": "Demo", "role": "admin"}]
    assert "admin:manage" in reply.body["permissions"]


def test_an_agent_sees_agent_permissions_only(demo):
    reply = call(AUTH, "GET", "/v1/me", principal=demo["agent1@demo.local"])
    assert reply.body["role"] == "agent"
    assert "conversations:edit" in reply.body["permissions"]
    assert not any(p.startswith("admin:") for p in reply.body["permissions"])
    # the brand's clock and language, which the app uses for dates and its default language
    assert (reply.body["time_zone"], reply.body["language"]) == ("America/Bogota", "es")


def test_a_user_cannot_select_a_brand_they_do_not_belong_to(demo):
    reply = call(AUTH, "GET", "/v1/me", principal=demo["admin@acme.local"], tenant="demo")
    assert reply.status == 404
    assert reply.body["error"]["code"] == "brand_not_found"


def test_brand_settings_update_and_validation(demo):
    admin = demo["admin@demo.local"]
    reply = call(ADMIN, "PATCH", "/v1/admin/brand", principal=admin,
                 body={"website": "https://demo.example", "business_hours": {"sat": []}})
    assert reply.status == 200
    assert reply.body["website"] == "https://demo.example/"
    assert reply.body["business_hours"]["sat"] == []
    assert reply.body["time_zone"] == "America/Bogota"

    bad = call(ADMIN, "PATCH", "/v1/admin/brand", principal=admin, body={"time_zone": "Mars/Olympus"})
    assert bad.status == 422
    assert bad.body["error"]["details"][0]["field"] == "time_zone"

    sneaky = call(ADMIN, "PATCH", "/v1/admin/brand", principal=admin, body={"tenant_id": "acme"})
    assert sneaky.status == 422
    assert sneaky.body["error"]["details"][0]["field"] == "tenant_id"
    assert call(ADMIN, "GET", "/v1/admin/brand", principal=admin).body["website"] == "https://demo.example/"


def test_missing_permission_is_403_and_malformed_json_is_422(demo):
    agent = demo["agent1@demo.local"]
    reply = call(ADMIN, "PATCH", "/v1/admin/brand", principal=agent, body={"name": "Hacked"})
    assert reply.status == 403
    assert reply.body["error"]["details"] == {"required": "admin:manage"}
    broken = call(ADMIN, "PATCH", "/v1/admin/brand", principal=demo["admin@demo.local"], body="{not json")
    assert broken.status == 422
    assert call(ADMIN, "GET", "/v1/admin/brand", principal=agent).status == 403


def _invitation_token(to: str) -> str:
    from infra.local.seed import local_mail

    mails = [m for m in local_mail() if to in m["to"]]
    assert mails, f"no e-mail to {to}"
    return re.search(r"token: (\S+)", mails[-1]["body"]).group(1)


def test_invite_accept_and_sign_in(demo):
    from skailan.tenancy import cognito

    admin = demo["admin@demo.local"]
    # When the admin invites a new agent
    reply = call(ADMIN, "POST", "/v1/admin/users", principal=admin,
                 body={"email": "Nueva.Agente@demo.local", "name": "Nueva", "role": "agent"})
    assert reply.status == 201
    assert reply.body["status"] == "invited" and reply.body["email"] == "nueva.agente@demo.local"
    user_id = reply.body["id"]
    # Then the invitation arrives by e-mail and, accepted, yields tokens
    token = _invitation_token("nueva.agente@demo.local")
    accepted = call(AUTH, "POST", "/v1/auth/accept-invitation", body={"token": token, "password": "Nueva-pass-2026"})
    assert accepted.status == 200, accepted.body
    assert accepted.body["id_token"] and accepted.body["refresh_token"]
    # The invitation's placeholder became the person's membership, under their own id
    sub = cognito.find_user_sub("nueva.agente@demo.local")
    assert sub and sub != user_id
    assert call(ADMIN, "GET", f"/v1/admin/users/{sub}", principal=admin).body["status"] == "active"
    assert call(ADMIN, "GET", f"/v1/admin/users/{user_id}", principal=admin).status == 404
    # And the invitation cannot be used twice
    again = call(AUTH, "POST", "/v1/auth/accept-invitation", body={"token": token, "password": "Nueva-pass-2026"})
    assert again.status == 400
    # And the same person cannot be invited twice
    dup = call(ADMIN, "POST", "/v1/admin/users", principal=admin,
               body={"email": "nueva.agente@demo.local", "role": "agent"})
    assert dup.status == 409


def test_invitation_with_wrong_secret_or_unknown_role_is_refused(demo):
    admin = demo["admin@demo.local"]
    bad_role = call(ADMIN, "POST", "/v1/admin/users", principal=admin, body={"email": "x@demo.local", "role": "boss"})
    assert bad_role.status == 422
    reply = call(ADMIN, "POST", "/v1/admin/users", principal=admin, body={"email": "y@demo.local", "role": "agent"})
    token = _invitation_token("y@demo.local")
    forged = token.rsplit(".", 1)[0] + ".forgedsecretforgedsecret"
    refused = call(AUTH, "POST", "/v1/auth/accept-invitation", body={"token": forged, "password": "Nueva-pass-2026"})
    assert refused.status == 400
    assert call(ADMIN, "GET", f"/v1/admin/users/{reply.body['id']}", principal=admin).body["status"] == "invited"


def test_login_refresh_and_wrong_password_throttle(demo):
    ok = call(AUTH, "POST", "/v1/auth/login", body={"email": "supervisor@demo.local", "password": "Demo-pass-2026"})
    assert ok.status == 200
    assert ok.body["expires_in"] > 0
    refreshed = call(AUTH, "POST", "/v1/auth/refresh", body={"refresh_token": ok.body["refresh_token"]})
    assert refreshed.status == 200 and refreshed.body["access_token"]

    for _ in range(5):
        wrong = call(AUTH, "POST", "/v1/auth/login", body={"email": "operator@demo.local", "password": "Wrong-pass-1"})
        assert wrong.status == 401
        assert wrong.body["error"]["code"] == "invalid_credentials"
    locked = call(AUTH, "POST", "/v1/auth/login", body={"email": "operator@demo.local", "password": "Demo-pass-2026"})
    assert locked.status == 429
    assert locked.body["error"]["details"]["retry_after"] > 0


def test_unknown_email_gets_the_same_answer_as_a_wrong_password(demo):
    reply = call(AUTH, "POST", "/v1/auth/login", body={"email": "nobody@demo.local", "password": "Whatever-123"})
    assert reply.status == 401 and reply.body["error"]["code"] == "invalid_credentials"
    assert call(AUTH, "POST", "/v1/auth/login", body={"email": "not-an-email", "password": "x"}).status == 422


def test_custom_roles(demo):
    admin = demo["admin@demo.local"]
    created = call(ADMIN, "POST", "/v1/admin/roles", principal=admin,
                   body={"key": "kam", "name": "Key account manager", "permissions": ["contacts:manage", "leads:view"]})
    assert created.status == 201 and created.body["builtin"] is False
    assert call(ADMIN, "POST", "/v1/admin/roles", principal=admin,
                body={"key": "kam", "name": "Dup", "permissions": []}).status == 409
    bad = call(ADMIN, "POST", "/v1/admin/roles", principal=admin,
               body={"key": "x1", "name": "X", "permissions": ["contacts:delete"]})
    assert bad.status == 422 and bad.body["error"]["details"][0]["field"] == "permissions"
    assert call(ADMIN, "PATCH", "/v1/admin/roles/admin", principal=admin, body={"name": "Boss"}).status == 409
    keys = [r["key"] for r in call(ADMIN, "GET", "/v1/admin/roles", principal=admin).body["items"]]
    assert keys[:5] == ["admin", "supervisor", "agent", "marketing", "operator"] and "kam" in keys

    # A member with the custom role gets exactly its permissions
    invited = call(ADMIN, "POST", "/v1/admin/users", principal=admin,
                   body={"email": "kam@demo.local", "role": "kam"})
    assert invited.status == 201
    assert call(ADMIN, "DELETE", "/v1/admin/roles/kam", principal=admin).status == 409
    call(ADMIN, "DELETE", f"/v1/admin/users/{invited.body['id']}", principal=admin)
    assert call(ADMIN, "DELETE", "/v1/admin/roles/kam", principal=admin).status == 204
    assert call(ADMIN, "GET", "/v1/admin/roles/kam", principal=admin).status == 404


def test_disable_and_enable_a_member(demo):
    admin, agent = demo["admin@demo.local"], demo["agent2@demo.local"]
    assert call(ADMIN, "POST", f"/v1/admin/users/{agent.sub}/disable", principal=admin).body["status"] == "disabled"
    assert call(AUTH, "GET", "/v1/me", principal=agent).status == 403
    login = call(AUTH, "POST", "/v1/auth/login", body={"email": agent.email, "password": "Demo-pass-2026"})
    assert login.status == 403
    assert call(ADMIN, "POST", f"/v1/admin/users/{agent.sub}/enable", principal=admin).body["status"] == "active"
    assert call(AUTH, "GET", "/v1/me", principal=agent).status == 200
    # Nobody disables or demotes themselves
    assert call(ADMIN, "POST", f"/v1/admin/users/{admin.sub}/disable", principal=admin).status == 409
    assert call(ADMIN, "PATCH", f"/v1/admin/users/{admin.sub}", principal=admin, body={"role": "agent"}).status == 409


def test_api_keys_are_shown_once_and_authorize_only_their_routes(demo):
    admin = demo["admin@demo.local"]
    created = call(ADMIN, "POST", "/v1/admin/api-keys", principal=admin,
                   body={"name": "ERP", "permissions": ["admin:view"]})
    assert created.status == 201
    secret = created.body["secret"]
    assert secret.startswith("skl.demo.")
    listed = call(ADMIN, "GET", "/v1/admin/api-keys", principal=admin).body["items"]
    assert all("secret" not in k for k in listed) and any(k["id"] == created.body["id"] for k in listed)

    authorizer = sample_event("ApiKeyAuthorizerFunction", "request")
    authorizer["headers"] = {"x-api-key": secret}
    from tests.support import FakeContext, handler_of

    decision = handler_of("auth/api_key_authorizer")(authorizer, FakeContext())
    assert decision["isAuthorized"] is True and decision["context"]["tenant_id"] == "demo"

    brand = call(ADMIN, "GET", "/ext/v1/admin/brand", api_key_context=decision["context"])
    assert brand.status == 200 and brand.body["id"] == "demo"
    users = call(ADMIN, "GET", "/v1/admin/users", api_key_context=decision["context"])
    assert users.status == 403

    authorizer["headers"] = {"x-api-key": secret[:-2] + "xx"}
    assert handler_of("auth/api_key_authorizer")(authorizer, FakeContext())["isAuthorized"] is False
    call(ADMIN, "POST", f"/v1/admin/api-keys/{created.body['id']}/revoke", principal=admin)
    authorizer["headers"] = {"x-api-key": secret}
    assert handler_of("auth/api_key_authorizer")(authorizer, FakeContext())["isAuthorized"] is False

    escalate = call(ADMIN, "POST", "/v1/admin/api-keys", principal=demo["supervisor@demo.local"],
                    body={"name": "x", "permissions": ["admin:manage"]})
    assert escalate.status == 403


def test_channel_account_credentials_never_come_back(demo, aws):
    from skailan.platform.aws import client

    admin = demo["admin@demo.local"]
    body = {"id": "demo-wa-2", "channel": "whatsapp", "name": "Ventas",
            "external": {"phone_number_id": "100000000000009", "waba_id": "200000000000009", "meta_app_id": "demo-meta-app"},
            "credentials": {"access_token": "EAAG-very-secret"}}
    import httpx
    import respx

    with respx.mock() as mock:  # the provider checks the token and subscribes the app (test_channel_accounts_admin)
        mock.get("https://graph.facebook.com/v21.0/100000000000009").mock(
            return_value=httpx.Response(200, json={"id": "100000000000009", "display_phone_number": "+1 555 0009"}))
        mock.post("https://graph.facebook.com/v21.0/200000000000009/subscribed_apps").mock(
            return_value=httpx.Response(200, json={"success": True}))
        created = call(ADMIN, "POST", "/v1/admin/channel-accounts", principal=admin, body=body)
    assert created.status == 201
    assert "EAAG-very-secret" not in json.dumps(created.body) and created.body["has_credentials"] is True
    secret = client("secretsmanager").get_secret_value(SecretId="skailan/local/channels/demo/demo-wa-2")
    assert json.loads(secret["SecretString"]) == {"access_token": "EAAG-very-secret"}
    listed = call(ADMIN, "GET", "/v1/admin/channel-accounts", principal=admin)
    assert "EAAG-very-secret" not in json.dumps(listed.body)

    # The same phone_number_id cannot be connected by another brand
    taken = dict(body, id="acme-wa-2")
    assert call(ADMIN, "POST", "/v1/admin/channel-accounts", principal=demo["admin@acme.local"], body=taken).status == 409
    missing = call(ADMIN, "POST", "/v1/admin/channel-accounts", principal=admin,
                   body={"channel": "telegram", "name": "Bot"})
    assert missing.status == 422
    assert {d["field"] for d in missing.body["error"]["details"]} == {"credentials.bot_token", "credentials.secret_token"}
    disabled = call(ADMIN, "POST", "/v1/admin/channel-accounts/demo-wa-2/disable", principal=admin)
    assert disabled.body["status"] == "disabled"

    from skailan.tenancy.channel_accounts import route

    guard = route("whatsapp", "100000000000009")
    assert (guard.tenant_id, guard.account_id) == ("demo", "demo-wa-2")


def test_close_reasons_have_spanish_defaults_and_are_listed_for_agents(demo):
    agent = demo["agent1@demo.local"]
    reasons = call(ADMIN, "GET", "/v1/admin/close-reasons", principal=agent)
    assert reasons.status == 200
    names = [r["name"] for r in reasons.body["items"]]
    assert names[:4] == ["Consulta resuelta", "Venta realizada", "Sin respuesta del cliente", "Spam"]
    assert reasons.body["items"][0]["name_en"] == "Question resolved"
    assert call(ADMIN, "POST", "/v1/admin/close-reasons", principal=agent, body={"name": "X"}).status == 403
    admin = demo["admin@demo.local"]
    created = call(ADMIN, "POST", "/v1/admin/close-reasons", principal=admin,
                   body={"name": "Garantía", "name_en": "Warranty", "position": 10})
    assert created.status == 201
    rid = created.body["id"]
    assert call(ADMIN, "PATCH", f"/v1/admin/close-reasons/{rid}", principal=admin, body={"active": False}).status == 200
    active = [r["id"] for r in call(ADMIN, "GET", "/v1/admin/close-reasons", principal=agent).body["items"]]
    assert rid not in active
    assert call(ADMIN, "POST", "/v1/admin/close-reasons", principal=admin, body={"name": ""}).status == 422


def test_pagination_walks_every_member_once(demo):
    admin = demo["admin@demo.local"]
    seen, cursor = [], None
    while True:
        query = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = call(ADMIN, "GET", "/v1/admin/users", principal=admin, query=query).body
        seen += [u["id"] for u in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(seen) == len(set(seen)) >= 5
    acme_cursor = call(ADMIN, "GET", "/v1/admin/users", principal=demo["admin@acme.local"], query={"limit": 1}).body
    if acme_cursor["next_cursor"]:
        stolen = call(ADMIN, "GET", "/v1/admin/users", principal=admin, query={"cursor": acme_cursor["next_cursor"]})
        assert stolen.status == 400


def test_purge_removes_expired_invitations_and_their_logins(demo):
    from skailan.tenancy import cognito, members

    admin = demo["admin@demo.local"]
    invited = call(ADMIN, "POST", "/v1/admin/users", principal=admin, body={"email": "late@demo.local", "role": "agent"})
    assert invited.status == 201
    # No login exists until the person accepts
    assert cognito.find_user_sub("late@demo.local") is None
    # Not yet expired: nothing happens
    assert members.purge_expired_invitations() == 0
    # Far in the future, through the scheduled job's handler
    purged = members.purge_expired_invitations("2999-01-01T00:00:00.000Z")
    assert purged >= 1
    assert call(ADMIN, "GET", f"/v1/admin/users/{invited.body['id']}", principal=admin).status == 404
    assert cognito.find_user_sub("late@demo.local") is None


def test_purge_job_handler_purges_on_its_schedule_event(demo, monkeypatch):
    from skailan.platform import settings as settings_module
    from skailan.tenancy import cognito
    from tests.support import FakeContext, handler_of

    admin = demo["admin@demo.local"]
    # Given an invitation that is already past its validity
    expired = settings_module.get_settings().model_copy(update={"invitation_ttl_hours": -1})
    monkeypatch.setattr("skailan.tenancy.members.get_settings", lambda: expired)
    invited = call(ADMIN, "POST", "/v1/admin/users", principal=admin, body={"email": "gone@demo.local", "role": "agent"})
    assert invited.status == 201
    # When the scheduled job fires with its schedule event
    result = handler_of("jobs/purge_invitations")(sample_event("PurgeInvitationsFunction", "scheduled"), FakeContext())
    # Then the invitation, the member and the unused login are gone
    assert result["purged"] >= 1
    assert call(ADMIN, "GET", f"/v1/admin/users/{invited.body['id']}", principal=admin).status == 404
    assert cognito.find_user_sub("gone@demo.local") is None


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/v1/admin/users/{user}", None),
        ("PATCH", "/v1/admin/users/{user}", {"name": "x"}),
        ("POST", "/v1/admin/users/{user}/disable", None),
        ("POST", "/v1/admin/users/{user}/enable", None),
        ("DELETE", "/v1/admin/users/{user}", None),
        ("GET", "/v1/admin/channel-accounts/demo-whatsapp", None),
        ("POST", "/v1/admin/channel-accounts/demo-whatsapp/disable", None),
        ("POST", "/v1/admin/channel-accounts/demo-whatsapp/enable", None),
        ("PATCH", "/v1/admin/close-reasons/{reason}", {"name": "x"}),
        ("DELETE", "/v1/admin/close-reasons/{reason}", None),
        ("POST", "/v1/admin/api-keys/{key}/revoke", None),
        ("GET", "/v1/admin/roles/{role}", None),
        ("PATCH", "/v1/admin/roles/{role}", {"name": "x"}),
        ("DELETE", "/v1/admin/roles/{role}", None),
    ],
)
def test_another_brands_ids_are_not_found(demo, method, path, body):
    demo_admin, acme_admin = demo["admin@demo.local"], demo["admin@acme.local"]
    role = call(ADMIN, "POST", "/v1/admin/roles", principal=demo_admin,
                body={"key": f"r{abs(hash(path + method)) % 10**6}", "name": "R", "permissions": []}).body["key"]
    key = call(ADMIN, "POST", "/v1/admin/api-keys", principal=demo_admin, body={"name": "k", "permissions": []}).body["id"]
    reason = call(ADMIN, "POST", "/v1/admin/close-reasons", principal=demo_admin, body={"name": "tmp"}).body["id"]
    concrete = path.format(user=demo["agent1@demo.local"].sub, role=role, key=key, reason=reason)
    # When the acme admin uses demo's ids
    reply = call(ADMIN, method, concrete, principal=acme_admin, body=body)
    # Then nothing of demo is revealed or changed
    assert reply.status == 404, (concrete, reply.body)
    assert call(ADMIN, "GET", f"/v1/admin/users/{demo['agent1@demo.local'].sub}", principal=demo_admin).body["status"] == "active"
    assert call(ADMIN, "GET", f"/v1/admin/roles/{role}", principal=demo_admin).status == 200


def test_an_edit_racing_a_removal_is_404_and_brings_nothing_back(demo, monkeypatch):
    from skailan.tenancy import close_reasons, members
    from skailan.tenancy.store import close_reasons as reason_store
    from skailan.tenancy.store import members as member_store

    admin = demo["admin@demo.local"]
    invited = call(ADMIN, "POST", "/v1/admin/users", principal=admin,
                   body={"email": "carrera@demo.local", "role": "agent"}).body["id"]
    reason = call(ADMIN, "POST", "/v1/admin/close-reasons", principal=admin, body={"name": "Carrera"}).body["id"]
    read_member, read_reason = members.get_member, close_reasons._load

    def member_removed_after_the_read(tenant_id, user_id):
        member = read_member(tenant_id, user_id)
        member_store.remove_member(member)  # another admin removes it between the read and the write
        return member

    def reason_deleted_after_the_read(tenant_id, reason_id):
        item = read_reason(tenant_id, reason_id)
        reason_store.delete_reason(item)
        return item

    monkeypatch.setattr(members, "get_member", member_removed_after_the_read)
    monkeypatch.setattr(close_reasons, "_load", reason_deleted_after_the_read)
    # When each edit's write finds its item gone
    edited = call(ADMIN, "PATCH", f"/v1/admin/users/{invited}", principal=admin, body={"name": "Otra"})
    renamed = call(ADMIN, "PATCH", f"/v1/admin/close-reasons/{reason}", principal=admin, body={"name": "Otro"})
    # Then each answers 404 in the error shape, and neither item comes back half-written
    assert (edited.status, edited.body["error"]["code"]) == (404, "user_not_found")
    assert (renamed.status, renamed.body["error"]["code"]) == (404, "close_reason_not_found")
    assert member_store.find_member("demo", invited) is None
    assert reason_store.find_reason("demo", reason) is None


def test_password_recovery(demo):
    from infra.local.seed import local_mail
    from skailan.platform.settings import get_settings

    # Known and unknown e-mails get the same answer (no account enumeration); only the known one gets mail
    before = len(local_mail())
    for email in ("agent2@demo.local", "ghost@demo.local"):
        reply = call(AUTH, "POST", "/v1/auth/forgot-password", body={"email": email})
        assert (reply.status, reply.body) == (202, {"status": "sent_if_registered"})
    mails = local_mail()[before:]
    assert [m["to"] for m in mails] == [["agent2@demo.local"]]
    # The e-mail links to the app with the e-mail and the code
    link = re.search(r"(\S+/reset-password\?\S+)", mails[0]["body"]).group(1)
    assert link.startswith(get_settings().app_url + "/reset-password?email=agent2%40demo.local&code=")
    code = re.search(r"code: (\S+)", mails[0]["body"]).group(1)
    assert link.endswith("code=" + code)
    # Any other code is refused
    one_off = code[:-1] + ("y" if code.endswith("x") else "x")  # never the code itself (1 in 64 ends in x)
    for wrong_code in ("123456", "moto-confirmation-code:000000", one_off):
        wrong = call(AUTH, "POST", "/v1/auth/confirm-password",
                     body={"email": "agent2@demo.local", "code": wrong_code, "password": "Nueva-clave-2026"})
        assert wrong.status == 400 and wrong.body["error"]["code"] == "invalid_code"
    short = call(AUTH, "POST", "/v1/auth/confirm-password",
                 body={"email": "agent2@demo.local", "code": code, "password": "short"})
    assert short.status == 422
    # The real code changes the password, once
    changed = call(AUTH, "POST", "/v1/auth/confirm-password",
                   body={"email": "agent2@demo.local", "code": code, "password": "Nueva-clave-2026"})
    assert changed.status == 200
    assert call(AUTH, "POST", "/v1/auth/login",
                body={"email": "agent2@demo.local", "password": "Nueva-clave-2026"}).status == 200
    again = call(AUTH, "POST", "/v1/auth/confirm-password",
                 body={"email": "agent2@demo.local", "code": code, "password": "Otra-clave-2026"})
    assert again.status == 400
    # Give the shared demo user its password back
    from skailan.tenancy import cognito

    cognito.set_password("agent2@demo.local", "Demo-pass-2026")


# ---------------------------------------------------------------- writes and their events, atomically



def _tenancy_outbox():
    from skailan.platform.settings import get_settings
    from tests.support import OutboxWatch

    return OutboxWatch(get_settings().tenancy_table)


def _fresh(demo, what: str, tag: str) -> str:
    """An id of a new thing of the demo brand to act on (so no case depends on another)."""
    from skailan.tenancy import members

    admin = demo["admin@demo.local"]
    if what == "role":
        return call(ADMIN, "POST", "/v1/admin/roles", principal=admin,
                    body={"key": f"ob{tag}", "name": "R", "permissions": []}).body["key"]
    if what == "reason":
        return call(ADMIN, "POST", "/v1/admin/close-reasons", principal=admin, body={"name": f"Motivo {tag}"}).body["id"]
    if what == "key":
        return call(ADMIN, "POST", "/v1/admin/api-keys", principal=admin, body={"name": tag, "permissions": []}).body["id"]
    if what == "invited":
        return call(ADMIN, "POST", "/v1/admin/users", principal=admin,
                    body={"email": f"ob-{tag}@demo.local", "role": "agent"}).body["id"]
    user, _ = members.add_member("demo", f"ob-{tag}@demo.local", None, "agent")  # an active member
    return user.id


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "event"),
    [
        ("POST", "/v1/admin/roles", {"key": "obnew", "name": "Nuevo", "permissions": ["leads:view"]}, 201,
         "role.created"),
        ("PATCH", "/v1/admin/roles/{role}", {"name": "Otro"}, 200, "role.updated"),
        ("DELETE", "/v1/admin/roles/{role}", None, 204, "role.deleted"),
        ("POST", "/v1/admin/close-reasons", {"name": "Nuevo motivo"}, 201, "close_reason.created"),
        ("PATCH", "/v1/admin/close-reasons/{reason}", {"name": "Otro"}, 200, "close_reason.updated"),
        ("DELETE", "/v1/admin/close-reasons/{reason}", None, 204, "close_reason.deleted"),
        ("POST", "/v1/admin/api-keys", {"name": "nueva", "permissions": []}, 201, "api_key.created"),
        ("POST", "/v1/admin/api-keys/{key}/revoke", None, 200, "api_key.revoked"),
        ("PATCH", "/v1/admin/brand", {"website": "https://ob.example"}, 200, "brand.updated"),
        ("POST", "/v1/admin/users", {"email": "ob-nuevo@demo.local", "role": "agent"}, 201, "user.invited"),
        ("PATCH", "/v1/admin/users/{invited}", {"name": "Otra"}, 200, "user.updated"),
        ("DELETE", "/v1/admin/users/{invited}", None, 204, "invitation.cancelled"),
        ("POST", "/v1/admin/users/{member}/disable", None, 200, "user.disabled"),
        ("DELETE", "/v1/admin/users/{member}", None, 204, "user.deleted"),
    ],
)
def test_a_write_and_its_event_are_one_transaction(demo, method, path, body, status, event):
    from tests.support import dynamodb_writes

    admin = demo["admin@demo.local"]
    tag = str(abs(hash(method + path)) % 10**6)
    needs = re.findall(r"\{(\w+)\}", path)
    concrete = path.format(**{what: _fresh(demo, what, tag) for what in needs})
    outbox = _tenancy_outbox()
    # When the admin creates, edits or deletes
    with dynamodb_writes() as sent:
        reply = call(ADMIN, method, concrete, principal=admin, body=body)
    # Then the state and its event went in ONE TransactWriteItems, and the event is in the outbox
    assert reply.status == status, reply.body
    assert sent == ["TransactWriteItems"]
    events = outbox.events()
    assert [e.type for e in events] == [event]
    assert events[0].tenant_id == "demo" and events[0].actor.id == admin.sub
    if needs:
        assert events[0].entity_id == concrete.split("/")[4]


def test_a_refused_write_leaves_no_event(demo, monkeypatch):
    from skailan.tenancy import close_reasons, members, roles
    from skailan.tenancy.store import api_keys as key_store
    from skailan.tenancy.store import close_reasons as reason_store
    from skailan.tenancy.store import members as member_store
    from skailan.tenancy.store import roles as role_store

    admin = demo["admin@demo.local"]
    role, reason, member = _fresh(demo, "role", "gone"), _fresh(demo, "reason", "gone"), _fresh(demo, "invited", "gone")
    key = _fresh(demo, "key", "gone")
    outbox = _tenancy_outbox()
    # A taken key: the create is refused
    taken = call(ADMIN, "POST", "/v1/admin/roles", principal=admin, body={"key": role, "name": "Dup", "permissions": []})
    assert (taken.status, taken.body["error"]["code"]) == (409, "role_exists")
    # Another admin edits the role, deletes the reason and removes the member between the read and the write
    load_role, load_reason, load_member, find_key = roles._load, close_reasons._load, members.get_member, key_store.find_key
    reads = []

    def role_edited_meanwhile(tenant_id, key):
        item = load_role(tenant_id, key)
        fresher = role_store.find_role(tenant_id, key)
        fresher.name = "Otro"
        role_store.save_role(fresher)
        return item

    def reason_deleted_meanwhile(tenant_id, reason_id):
        item = load_reason(tenant_id, reason_id)
        reason_store.delete_reason(reason_store.find_reason(tenant_id, reason_id))
        return item

    def member_removed_meanwhile(tenant_id, user_id):
        item = load_member(tenant_id, user_id)
        member_store.remove_member(member_store.find_member(tenant_id, user_id))
        return item

    def key_revoked_meanwhile(tenant_id, key_id):
        item = find_key(tenant_id, key_id)
        if not reads:  # the revoke's read: another admin revokes right after it
            reads.append(item)
            key_store.mark_revoked(find_key(tenant_id, key_id), "2026-01-01T00:00:00.000Z")
        return item

    monkeypatch.setattr(key_store, "find_key", key_revoked_meanwhile)
    monkeypatch.setattr(roles, "_load", role_edited_meanwhile)
    monkeypatch.setattr(close_reasons, "_load", reason_deleted_meanwhile)
    monkeypatch.setattr(members, "get_member", member_removed_meanwhile)
    gone_role = call(ADMIN, "DELETE", f"/v1/admin/roles/{role}", principal=admin)
    gone_reason = call(ADMIN, "DELETE", f"/v1/admin/close-reasons/{reason}", principal=admin)
    gone_member = call(ADMIN, "DELETE", f"/v1/admin/users/{member}", principal=admin)
    revoked_twice = call(ADMIN, "POST", f"/v1/admin/api-keys/{key}/revoke", principal=admin)
    # Then each answers as before (409 / 404) and no event of theirs was written
    assert (gone_role.status, gone_role.body["error"]["code"]) == (409, "concurrent_update")
    assert (gone_reason.status, gone_reason.body["error"]["code"]) == (404, "close_reason_not_found")
    assert (gone_member.status, gone_member.body["error"]["code"]) == (404, "user_not_found")
    assert role_store.find_role("demo", role) is not None  # the edited role stands
    # a key revoked meanwhile answers as revoked (the other revocation's time), revoked once
    assert (revoked_twice.status, revoked_twice.body["revoked_at"]) == (200, "2026-01-01T00:00:00.000Z")
    assert outbox.types() == []


def test_creating_a_brand_again_completes_its_defaults_and_duplicates_nothing(demo, monkeypatch):
    from skailan.platform.settings import get_settings
    from skailan.tenancy import brands, close_reasons
    from skailan.tenancy.defaults import DEFAULT_CLOSE_REASONS
    from skailan.tenancy.store import close_reasons as reasons_store
    from tests.support import OutboxWatch

    outbox = OutboxWatch(get_settings().tenancy_table)
    ensure = close_reasons.ensure_defaults
    written: list[int] = []

    def fails_midway(tenant_id: str) -> None:
        # The first default is written, then the setup fails (throttled, timed out…)
        first = DEFAULT_CLOSE_REASONS[0]
        reasons_store.add_reason(reasons_store.new_reason(tenant_id, first[0], name=first[1], name_en=first[2],
                                                          position=0))
        written.append(1)
        raise RuntimeError("setting up the defaults failed")

    monkeypatch.setattr(close_reasons, "ensure_defaults", fails_midway)
    with pytest.raises(RuntimeError):
        brands.create_brand("resumable", "Reanudable", time_zone="America/Bogota", default_country="CO")
    assert written and [r.reason_id for r in reasons_store.list_reasons("resumable")] == ["resolved"]
    monkeypatch.setattr(close_reasons, "ensure_defaults", ensure)
    # Called again, it completes the defaults (the brand itself is not created twice)
    brand, created = brands.create_brand("resumable", "Reanudable", time_zone="America/Bogota",
                                         default_country="CO")
    assert (brand.id, brand.name, created) == ("resumable", "Reanudable", False)
    reasons = reasons_store.list_reasons("resumable")
    assert sorted(r.reason_id for r in reasons) == sorted(r[0] for r in DEFAULT_CLOSE_REASONS)
    assert outbox.types() == ["brand.created"]
    # Once set up, a default the brand deleted stays deleted and nothing is written twice
    gone = reasons_store.find_reason("resumable", "spam")
    assert gone is not None
    reasons_store.delete_reason(gone)
    brands.create_brand("resumable", "Reanudable", time_zone="America/Bogota", default_country="CO")
    assert len(reasons_store.list_reasons("resumable")) == len(DEFAULT_CLOSE_REASONS) - 1
    assert reasons_store.find_reason("resumable", "spam") is None
    assert outbox.types() == ["brand.created"]
