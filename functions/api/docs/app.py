"""The merged OpenAPI document (built by `make openapi`, shipped in the layer) and Swagger UI."""

from importlib.resources import files

SWAGGER_UI = """<!doctype html>
<html lang="es"><head><meta charset="utf-8"><title>Skailan API</title>
<link rel="stylesheet" href="https://unpkg.com/swagger-ui-dist@5/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="https://unpkg.com/swagger-ui-dist@5/swagger-ui-bundle.js"></script>
<script>window.ui = SwaggerUIBundle({url: "/v1/openapi.json", dom_id: "#swagger-ui"});</script>
</body></html>"""

_document: str | None = None


def _openapi() -> str:
    global _document
    if _document is None:
        _document = files("skailan").joinpath("openapi.json").read_text()
    return _document


def handler(event: dict, context: object) -> dict:
    if event.get("rawPath") == "/docs":
        return {"statusCode": 200, "headers": {"content-type": "text/html; charset=utf-8"}, "body": SWAGGER_UI}
    return {"statusCode": 200, "headers": {"content-type": "application/json"}, "body": _openapi()}
