"""Every function has sample events; every route declares what it needs; the OpenAPI document is valid."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from infra.local.template import load_yaml
from infra.openapi import OUTPUT, ROOT, api_function_dirs, load_app_module

TEMPLATE = load_yaml((ROOT / "template.yaml").read_text())
FUNCTIONS = {
    logical_id: resource["Properties"]
    for logical_id, resource in TEMPLATE["Resources"].items()
    if resource["Type"] == "AWS::Serverless::Function"
}


@pytest.mark.parametrize("logical_id", sorted(FUNCTIONS))
def test_every_function_has_a_handler_and_sample_events(logical_id):
    props = FUNCTIONS[logical_id]
    assert (ROOT / props["CodeUri"] / "app.py").is_file()
    samples = sorted((ROOT / "events" / logical_id).glob("*.json"))
    assert samples, f"events/{logical_id}/ has no sample event"
    for sample in samples:
        json.loads(sample.read_text())


@pytest.mark.parametrize("function_dir", api_function_dirs(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_route_declares_its_access(function_dir: Path):
    app = getattr(load_app_module(function_dir), "app", None)
    if app is None or not hasattr(app, "_static_routes"):
        pytest.skip("not a resolver")
    undeclared = []
    for route in app._static_routes + app._dynamic_routes:
        permissions = [getattr(m, "permission", None) for m in route.middlewares or []]
        if not any(permissions):
            undeclared.append(f"{route.method} {route.openapi_path}")
    assert not undeclared, f"routes without requires()/authenticated()/public(): {undeclared}"


def test_public_routes_in_the_template_are_exactly_the_public_ones_in_code():
    public_in_template = {
        (e["Properties"]["Method"].upper(), e["Properties"]["Path"])
        for props in FUNCTIONS.values()
        for e in props.get("Events", {}).values()
        if e["Type"] == "HttpApi" and (e["Properties"].get("Auth") or {}).get("Authorizer") == "NONE"
    }
    public_in_code = set()
    for function_dir in api_function_dirs():
        app = getattr(load_app_module(function_dir), "app", None)
        for route in getattr(app, "_static_routes", []) + getattr(app, "_dynamic_routes", []):
            if any(getattr(m, "permission", None) == "public" for m in route.middlewares or []):
                public_in_code.add((route.method.upper(), route.openapi_path))
    # Every route the code treats as public is open at the gateway, and vice versa (docs aside).
    assert public_in_code <= public_in_template
    assert {r for r in public_in_template if not r[1].startswith(("/docs", "/v1/openapi", "/webhooks", "/public"))} <= public_in_code


def test_openapi_document_is_current_and_valid():
    from openapi_spec_validator import validate

    from infra.openapi import render

    document = json.loads(OUTPUT.read_text())
    assert OUTPUT.read_text() == render(), "run `make openapi`"
    validate(document)
    assert "/v1/auth/login" in document["paths"] and "/v1/me" in document["paths"]
