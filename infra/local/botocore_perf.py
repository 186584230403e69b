"""botocore's per-request costs that buy nothing against the local moto (measured: README, Throughput).

In the runtime process every AWS call of every handler is signed with SigV4 — through awscrt in
the dev venv — and moto never checks a signature: ~10 % of the runtime's CPU under load (py-spy,
`python -m bench channels e2e`). For requests to the runtime's own moto endpoint (and only
those) the header signer writes the same `Authorization` shape (`AWS4-HMAC-SHA256
Credential=<key>/<date>/<region>/<service>/aws4_request, SignedHeaders=…, Signature=…`) with
`X-Amz-Date` and the session token, so moto still reads the account, region and service from
it, without computing the signature. S3 requests keep the real signer (moto's S3 reads its
payload headers), and so do presigned URLs (the query signers, subclasses, are left alone) and
any request to another host.
"""

from __future__ import annotations

import datetime
from typing import Any
from urllib.parse import urlsplit

_installed_for: set[str] = set()  # the netlocs (127.0.0.1:<moto port>) requests are not signed for
_ZERO_SIGNATURE = "0" * 64


def install(endpoint_url: str) -> None:
    netloc = urlsplit(endpoint_url).netloc
    if not _installed_for:
        _patch()
    _installed_for.add(netloc)


def uninstall(endpoint_url: str) -> None:
    _installed_for.discard(urlsplit(endpoint_url).netloc)


def _patch() -> None:
    from botocore import auth

    signers: list[Any] = [auth.SigV4Auth]
    try:
        from botocore.crt import auth as crt_auth

        signers.append(crt_auth.CrtSigV4Auth)
    except ImportError:  # no awscrt: botocore's own signer only
        pass
    for signer in signers:
        signer.add_auth = _local_add_auth(signer, signer.add_auth)


def _local_add_auth(signer: type, original: Any) -> Any:
    def add_auth(self: Any, request: Any) -> None:
        own_class: type = type(self)
        if (
            not _installed_for
            # Exactly the header signer: its subclasses (S3's, the presigned-URL query signers) sign.
            or own_class is not signer
            or self.credentials is None
            or urlsplit(request.url).netloc not in _installed_for
        ):
            original(self, request)
            return
        now = datetime.datetime.now(datetime.UTC)
        stamp, day = now.strftime("%Y%m%dT%H%M%SZ"), now.strftime("%Y%m%d")
        for name in ("Authorization", "X-Amz-Date", "X-Amz-Security-Token"):
            if name in request.headers:
                del request.headers[name]
        request.headers["X-Amz-Date"] = stamp
        if self.credentials.token:
            request.headers["X-Amz-Security-Token"] = self.credentials.token
        scope = f"{self.credentials.access_key}/{day}/{self._region_name}/{self._service_name}/aws4_request"
        request.headers["Authorization"] = (
            f"AWS4-HMAC-SHA256 Credential={scope}, SignedHeaders=host;x-amz-date, Signature={_ZERO_SIGNATURE}"
        )

    return add_auth
