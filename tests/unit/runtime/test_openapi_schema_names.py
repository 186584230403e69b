"""Two functions' different models with one name must both survive in the merged OpenAPI document."""

from __future__ import annotations

from infra.openapi import _rename_colliding_schemas


def _doc(schema: dict) -> dict:
    return {
        "paths": {"/x": {"post": {"requestBody": {"content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/NoteIn"}}}}}}},
        "components": {"schemas": {"NoteIn": schema, "Shared": {"type": "string"}}},
    }


def test_a_different_model_with_a_known_name_is_renamed_with_its_refs():
    known = {"NoteIn": {"properties": {"text": {}}}, "Shared": {"type": "string"}}
    out = _rename_colliding_schemas(_doc({"properties": {"body": {}}}), known, "crm")
    assert set(out["components"]["schemas"]) == {"NoteIn_crm", "Shared"}
    ref = out["paths"]["/x"]["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert ref == "#/components/schemas/NoteIn_crm"


def test_identical_models_keep_their_name():
    known = {"NoteIn": {"properties": {"body": {}}}}
    doc = _doc({"properties": {"body": {}}})
    assert _rename_colliding_schemas(doc, known, "crm") == doc
