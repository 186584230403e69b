"""The local runtime's sign-in safety, over HTTP (issue 10.10, 11.8, 11.14): tokens forged with
moto's bundled key are refused, sign-out revokes, password-reset codes are real, and e-mailed
links point at this runtime's own address."""

from __future__ import annotations

import re
import time

import pytest

from tests.e2e.conftest import login

pytestmark = pytest.mark.e2e


def test_a_token_signed_with_motos_bundled_key_is_refused(client):
    import base64
    import json

    from joserfc import jwk
    from joserfc import jwt as jose_jwt
    from moto.utilities.utils import load_resource

    genuine = login(client, "agent1@demo.local")["authorization"].removeprefix("Bearer ")
    payload = genuine.split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    admin_sub = client.get("/v1/me", headers=login(client, "admin@demo.local")).json()["id"]
    bundled = jwk.RSAKey.import_key(load_resource("cognitoidp/resources/jwks-private.json"))
    forged = jose_jwt.encode({"kid": "dummy", "alg": "RS256"},
                             claims | {"sub": admin_sub, "exp": int(time.time()) + 600}, bundled)
    assert client.get("/v1/me", headers={"authorization": f"Bearer {forged}"}).status_code == 401
    assert client.get("/v1/admin/users", headers={"authorization": f"Bearer {forged}"}).status_code == 401
    assert client.get("/v1/me", headers={"authorization": f"Bearer {genuine}"}).status_code == 200


def test_logout_revokes_the_refresh_token_locally(client):
    session = client.post("/v1/auth/login", json={"email": "agent2@demo.local", "password": "Demo-pass-2026"}).json()
    other = client.post("/v1/auth/login", json={"email": "agent2@demo.local", "password": "Demo-pass-2026"}).json()
    assert client.post("/v1/auth/refresh", json={"refresh_token": session["refresh_token"]}).status_code == 200
    out = client.post("/v1/auth/logout", json={"refresh_token": session["refresh_token"]})
    assert out.status_code == 200, out.text
    assert client.post("/v1/auth/refresh", json={"refresh_token": session["refresh_token"]}).status_code == 401
    # The other device still works until "everywhere"
    assert client.post("/v1/auth/refresh", json={"refresh_token": other["refresh_token"]}).status_code == 200
    third = client.post("/v1/auth/login", json={"email": "agent2@demo.local", "password": "Demo-pass-2026"}).json()
    assert client.post("/v1/auth/logout", json={"refresh_token": third["refresh_token"], "everywhere": True}
                       ).status_code == 200
    assert client.post("/v1/auth/refresh", json={"refresh_token": other["refresh_token"]}).status_code == 401


def _mail_to(client, address: str) -> dict:
    mails = [m for m in client.get("/_local/mail").json()["items"] if address in m["to"]]
    assert mails, f"no mail to {address}"
    return mails[-1]


def test_password_reset_code_is_mailed_with_a_link_here_and_checked(client, runtime):
    assert client.post("/v1/auth/forgot-password", json={"email": "operator@demo.local"}).status_code == 202
    body = _mail_to(client, "operator@demo.local")["body"]
    code = re.search(r"code: (\S+)", body).group(1)
    assert f"{runtime}/reset-password?email=operator%40demo.local&code={code}" in body
    for wrong in ("123456", "moto-confirmation-code:123456"):
        refused = client.post("/v1/auth/confirm-password",
                              json={"email": "operator@demo.local", "code": wrong, "password": "Otra-clave-2026"})
        assert refused.status_code == 400, refused.text
    assert client.post("/v1/auth/login", json={"email": "operator@demo.local", "password": "Demo-pass-2026"}
                       ).status_code == 200
    ok = client.post("/v1/auth/confirm-password",
                     json={"email": "operator@demo.local", "code": code, "password": "Demo-pass-2026"})
    assert ok.status_code == 200, ok.text


def test_invitation_links_point_at_this_runtime(client, runtime):
    admin = login(client, "admin@demo.local")
    assert client.post("/v1/admin/users", headers=admin,
                       json={"email": "link.e2e@demo.local", "role": "agent"}).status_code == 201
    body = _mail_to(client, "link.e2e@demo.local")["body"]
    token = re.search(r"token: (\S+)", body).group(1)
    assert f"{runtime}/accept-invitation?token={token}&email=link.e2e%40demo.local" in body
