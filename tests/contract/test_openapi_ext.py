"""The API-key door (/ext, X-Api-Key) is documented: every /ext route of the template has its
operations in the OpenAPI document, with the apiKey security scheme and nothing else."""

from __future__ import annotations

import json

from infra.openapi import OUTPUT, ext_routes


def test_every_api_key_route_is_documented_with_the_api_key_scheme():
    document = json.loads(OUTPUT.read_text())
    assert document["components"]["securitySchemes"]["apiKey"] == {"type": "apiKey", "in": "header",
                                                                     "name": "X-Api-Key"}
    ext_paths = {path: item for path, item in document["paths"].items() if path.startswith("/ext/")}
    for method, route in ext_routes():
        prefix = route.removesuffix("{proxy+}")
        documented = [(path, m) for path, item in ext_paths.items() for m in item
                      if (path == route or (route.endswith("{proxy+}") and path.startswith(prefix)))
                      and method in ("ANY", m.upper())]
        assert documented, f"{method} {route} is served with an API key but not documented"
    for path, item in ext_paths.items():
        for operation in item.values():
            assert operation["security"] == [{"apiKey": []}], path
            assert path.removeprefix("/ext") in document["paths"]  # the same operation as the signed-in one
