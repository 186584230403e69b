"""Build the one OpenAPI document from every API function's resolver.

`python -m infra.openapi` writes `layers/skailan/skailan/openapi.json`, which the docs function
serves at /v1/openapi.json; the contract tests fail if the checked-in copy is stale.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import re
import sys
from pathlib import Path
from typing import Any

from infra.local.template import load_yaml as load_template_yaml

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "layers/skailan/skailan/openapi.json"
TITLE = "Skailan API"
VERSION = "1.0.0"


def api_function_dirs(template_path: Path = ROOT / "template.yaml") -> list[Path]:
    template = load_template_yaml(template_path.read_text())
    dirs = []
    for resource in template["Resources"].values():
        if resource.get("Type") != "AWS::Serverless::Function":
            continue
        props = resource.get("Properties", {})
        if any(e.get("Type") == "HttpApi" for e in props.get("Events", {}).values()):
            dirs.append(ROOT / props["CodeUri"])
    return sorted(dirs)


def load_app_module(function_dir: Path) -> Any:
    name = "skailan_fn_" + "_".join(function_dir.relative_to(ROOT).parts)
    spec = importlib.util.spec_from_file_location(name, function_dir / "app.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def ext_routes(template_path: Path = ROOT / "template.yaml") -> list[tuple[str, str]]:
    """(METHOD or ANY, path) of every route the template serves with the API-key authorizer."""
    template = load_template_yaml(template_path.read_text())
    found = []
    for resource in template["Resources"].values():
        for event in (resource.get("Properties", {}).get("Events") or {}).values():
            props = event.get("Properties") or {}
            if event.get("Type") == "HttpApi" and (props.get("Auth") or {}).get("Authorizer") == "ApiKey":
                found.append((str(props.get("Method", "ANY")).upper(), str(props["Path"])))
    return found


def _served_under_ext(method: str, path: str, routes: list[tuple[str, str]]) -> bool:
    for route_method, route_path in routes:
        if route_method not in ("ANY", method.upper()):
            continue
        if route_path.endswith("/{proxy+}"):
            if f"/ext{path}".startswith(route_path.removesuffix("{proxy+}")):
                return True
        elif f"/ext{path}" == route_path:
            return True
    return False


def api_key_operations(app: Any) -> set[tuple[str, str]]:
    """(method, OpenAPI path) of the resolver's routes whose access lets API keys in."""
    found = set()
    for route in [*getattr(app, "_static_routes", []), *getattr(app, "_dynamic_routes", [])]:
        if any(getattr(m, "api_key", False) for m in route.middlewares or []):
            found.add((route.method.lower(), re.sub(r"<(\w+)>", r"{\1}", route.path)))
    return found


def build() -> dict[str, Any]:
    paths: dict[str, Any] = {}
    schemas: dict[str, Any] = {}
    ext = ext_routes()
    for function_dir in api_function_dirs():
        app = getattr(load_app_module(function_dir), "app", None)
        if app is None or not hasattr(app, "get_openapi_schema"):
            continue
        doc = app.get_openapi_schema(title=TITLE, version=VERSION).model_dump(
            mode="json", by_alias=True, exclude_none=True
        )
        doc = _rename_colliding_schemas(doc, schemas, function_dir.name)
        for path, item in doc.get("paths", {}).items():
            paths.setdefault(path, {}).update(item)
        # The same operations behind /ext, for server-to-server calls with an X-Api-Key.
        for method, path in sorted(api_key_operations(app)):
            operation = doc.get("paths", {}).get(path, {}).get(method)
            if operation is None or not _served_under_ext(method, path, ext):
                continue
            twin = copy.deepcopy(operation)
            twin["security"] = [{"apiKey": []}]
            if "operationId" in twin:
                twin["operationId"] += "_ext"
            twin["summary"] = f"{method.upper()} /ext{path} (API key)"
            paths.setdefault(f"/ext{path}", {})[method] = twin
        schemas.update(doc.get("components", {}).get("schemas", {}))
    return {
        "openapi": "3.1.0",
        "info": {
            "title": TITLE,
            "version": VERSION,
            "description": (
                "Skailan's HTTP API. Sign in with POST /v1/auth/login and send the id_token as "
                "`Authorization: Bearer …`; users in several brands add `X-Tenant-Id`. Routes marked "
                "for API keys are also served under /ext with an `X-Api-Key` header. Errors share one "
                "shape: {\"error\": {\"code\", \"message\", \"details\"}}."
            ),
        },
        "servers": [{"url": "/"}],
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": dict(sorted(schemas.items())),
            "securitySchemes": {
                "cognito": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
                "apiKey": {"type": "apiKey", "in": "header", "name": "X-Api-Key"},
            },
        },
        "security": [{"cognito": []}],
    }


def _rename_colliding_schemas(doc: dict[str, Any], known: dict[str, Any], owner: str) -> dict[str, Any]:
    """Two functions' different models with one name (e.g. crm's and the inbox's `NoteIn`) must not
    overwrite each other: the later one becomes `<Name>_<function folder>`, its refs rewritten."""
    own = doc.get("components", {}).get("schemas", {})
    renames = {name: f"{name}_{owner}" for name, schema in own.items() if name in known and known[name] != schema}
    if not renames:
        return doc
    text = json.dumps(doc)
    for old, new in renames.items():
        text = text.replace(f'"#/components/schemas/{old}"', f'"#/components/schemas/{new}"')
    renamed: dict[str, Any] = json.loads(text)
    schemas = renamed["components"]["schemas"]
    for old, new in renames.items():
        schemas[new] = schemas.pop(old)
    return renamed


def render() -> str:
    return json.dumps(build(), indent=1, sort_keys=False, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    OUTPUT.write_text(render())
    print(f"wrote {OUTPUT.relative_to(ROOT)}")
