"""What the local Cognito (moto's cognito-idp) lacks to be safe and complete enough to develop on.

1. **Signing key.** moto signs every token with the RSA key bundled in its package
   (`moto/cognitoidp/resources/jwks-private.json`) and publishes that key's JWKS: anyone holding
   moto can forge a token the local JWT authorizer accepts. `install()` generates a fresh RSA key
   in this process, signs with it and serves its public half at `/<pool>/.well-known/jwks.json`,
   so only tokens this runtime issued verify. The `kid` stays moto's (`create_jwt` hard-codes it):
   a forged token names the right kid but its signature fails.
2. **RevokeToken.** Missing in moto. Cognito's RevokeToken (refresh token + app client id)
   revokes that refresh token and the access tokens issued from it; the next REFRESH_TOKEN_AUTH
   with it answers NotAuthorizedException. Done here the same way moto's GlobalSignOut marks a
   refresh token revoked (its entry becomes None), for that one token.

(Password resets do not use Cognito's ForgotPassword — moto accepts any code there — but the
application's own single-use code, e-mailed with a link to the app: `skailan.tenancy.signin`.)

`install()` patches the backend of the process it runs in (the local runtime's moto process,
`moto_process.py`, or tests with `mock_aws`); it is idempotent.
"""

from __future__ import annotations

import json
import threading
from typing import Any

_installed = False
_lock = threading.Lock()
_private_key: Any = None
_public_jwks: bytes = b""


def install() -> None:
    global _installed, _private_key, _public_jwks
    with _lock:
        if _installed:
            return
        from joserfc import jwk
        from moto.cognitoidp import models, responses

        _private_key = jwk.RSAKey.generate_key(2048, parameters={"kid": "dummy", "alg": "RS256", "use": "sig"},
                                               private=True)
        public = _private_key.as_dict(private=False)
        _public_jwks = json.dumps({"keys": [public]}).encode()

        original_init = models.CognitoIdpUserPool.__init__

        def init(self: Any, *args: Any, **kwargs: Any) -> None:
            original_init(self, *args, **kwargs)
            self.json_web_key = _private_key

        models.CognitoIdpUserPool.__init__ = init  # type: ignore[method-assign]
        responses.CognitoIdpJsonWebKeyResponse.json_web_key = _public_jwks
        for backend in _all_backends(models):
            for pool in backend.user_pools.values():
                pool.json_web_key = _private_key

        # New actions: moto dispatches `RevokeToken` to the response class's `revoke_token`.
        setattr(models.CognitoIdpBackend, "revoke_token", _backend_revoke_token)  # noqa: B010
        setattr(responses.CognitoIdpResponse, "revoke_token", _response_revoke_token)  # noqa: B010
        _installed = True


def public_jwks() -> dict[str, Any]:
    """The JWKS the local pools sign with (after `install()`)."""
    return json.loads(_public_jwks) if _public_jwks else {"keys": []}


def _all_backends(models: Any) -> list[Any]:
    found = []
    for account in models.cognitoidp_backends.values():
        for backend in account.values():
            found.append(backend)
    return found


# ---------------------------------------------------------------- RevokeToken


def _backend_revoke_token(self: Any, token: str, client_id: str) -> None:
    from moto.cognitoidp.exceptions import NotAuthorizedError

    for pool in self.user_pools.values():
        if client_id not in pool.clients:
            continue
        entry = pool.refresh_tokens.get(token)
        if entry is None:
            return  # unknown or already revoked: RevokeToken succeeds (RFC 7009 §2.2)
        token_client, username, origin_jti = entry
        if token_client != client_id:
            raise NotAuthorizedError("The token was not issued to this client")
        pool.refresh_tokens[token] = None
        # Access tokens minted from this refresh token are revoked with it (same origin_jti).
        for access_token, (_client, user) in list(pool.access_tokens.items()):
            if user == username and _origin_jti(access_token) == origin_jti:
                pool.access_tokens.pop(access_token, None)
        return
    raise NotAuthorizedError("Unknown client")


def _origin_jti(token: str) -> str | None:
    import base64

    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError):
        return None
    value = claims.get("origin_jti")
    return value if isinstance(value, str) else None


def _response_revoke_token(self: Any) -> Any:
    from moto.core.responses import EmptyResult

    client_id = self._get_param("ClientId")
    backend = self._get_region_agnostic_backend()._find_backend_for_clientid(client_id)
    backend.revoke_token(self._get_param("Token"), client_id)
    return EmptyResult()
