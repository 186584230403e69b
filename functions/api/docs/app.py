"""The merged OpenAPI document (built by `make openapi`, shipped in the layer) and Swagger UI,
served from the `swagger-ui-bundle` package in the layer: the page loads nothing from outside."""

from __future__ import annotations

import base64
from importlib.resources import files
from typing import Any

SWAGGER_UI = """<!doctype html>
<html lang="es"><head><meta charset="utf-8"><title>Skailan API</title>
<link rel="stylesheet" href="/docs/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script>
</body></html>"""
INIT_JS = 'window.ui = SwaggerUIBundle({url: "/v1/openapi.json", dom_id: "#swagger-ui"});\n'
ASSETS = {"swagger-ui.css": "text/css; charset=utf-8", "swagger-ui-bundle.js": "application/javascript; charset=utf-8",
          "favicon-32x32.png": "image/png", "favicon-16x16.png": "image/png"}
# Same-origin only; Swagger UI styles itself inline. Nobody frames the docs.
CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; object-src 'none'; "
       "base-uri 'none'; frame-ancestors 'none'")
HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "strict-origin-when-cross-origin",
           "X-Frame-Options": "DENY", "Content-Security-Policy": CSP}

_document: str | None = None


def _openapi() -> str:
    global _document
    if _document is None:
        _document = files("skailan").joinpath("openapi.json").read_text()
    return _document


def _asset(name: str) -> dict[str, Any]:
    from swagger_ui_bundle import swagger_ui_path

    content = (swagger_ui_path / name).read_bytes()
    return {"statusCode": 200, "isBase64Encoded": True, "body": base64.b64encode(content).decode(),
            "headers": {**HEADERS, "content-type": ASSETS[name], "cache-control": "public, max-age=86400"}}


def handler(event: dict, context: object) -> dict:
    path = event.get("rawPath") or ""
    if path == "/docs":
        return {"statusCode": 200, "headers": {**HEADERS, "content-type": "text/html; charset=utf-8"},
                "body": SWAGGER_UI}
    if path == "/docs/init.js":
        return {"statusCode": 200, "headers": {**HEADERS, "content-type": "application/javascript; charset=utf-8"},
                "body": INIT_JS}
    if path.startswith("/docs/"):
        name = path.removeprefix("/docs/")
        if name not in ASSETS:
            return {"statusCode": 404, "headers": {**HEADERS, "content-type": "application/json"},
                    "body": '{"error": {"code": "route_not_found", "message": "Ruta no encontrada. / Route not found.",'
                            ' "details": null}}'}
        return _asset(name)
    return {"statusCode": 200, "headers": {**HEADERS, "content-type": "application/json"}, "body": _openapi()}
