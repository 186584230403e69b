"""/docs loads nothing from outside: Swagger UI comes from the layer (swagger-ui-bundle)."""

from __future__ import annotations

import base64
import re

from tests.support import FakeContext, handler_of


def _get(path: str) -> dict:
    return handler_of("api/docs")({"rawPath": path, "requestContext": {"http": {"method": "GET"}}}, FakeContext())


def test_the_docs_page_and_its_assets_are_served_same_origin():
    page = _get("/docs")
    assert page["statusCode"] == 200
    html = page["body"]
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)  # no absolute / CDN URL
    assert "default-src 'self'" in page["headers"]["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in page["headers"]["Content-Security-Policy"]
    for asset in re.findall(r"""(?:src|href)="(/docs/[^"]+)\"""", html):
        served = _get(asset)
        assert served["statusCode"] == 200, asset
        content = base64.b64decode(served["body"]) if served.get("isBase64Encoded") else served["body"].encode()
        assert len(content) > 20
    bundle = base64.b64decode(_get("/docs/swagger-ui-bundle.js")["body"])
    assert b"SwaggerUIBundle" in bundle
    assert _get("/docs/../../etc/passwd")["statusCode"] == 404
    assert _get("/v1/openapi.json")["headers"]["X-Content-Type-Options"] == "nosniff"
