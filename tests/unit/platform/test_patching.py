"""Settings documents: deep merge, nulls refused per field, and readers that drop what no longer
validates instead of failing."""

from __future__ import annotations

from typing import Annotated, ClassVar

import pytest
from pydantic import BaseModel, Field, ValidationError

from skailan.platform.models import RequestModel
from skailan.platform.patching import NoNulls, deep_merge, lenient_validate, sanitize


class Rule(RequestModel):
    id: str
    answer: Annotated[str, Field(min_length=1)]


class Section(RequestModel):
    enabled: bool = False
    minutes: Annotated[int, Field(ge=1)] = 10
    rules: list[Rule] = Field(default_factory=list)


class Doc(RequestModel):
    name: str = "default"
    section: Section = Field(default_factory=Section)
    hours: dict[str, list[str]] = Field(default_factory=lambda: {"mon": ["09:00"], "tue": ["09:00"]})


class Patch(NoNulls):
    nullable_fields: ClassVar[frozenset[str]] = frozenset({"note"})

    name: str | None = None
    note: str | None = None
    section: Section | None = None


def test_deep_merge_keeps_siblings_and_replaces_lists():
    base = {"section": {"enabled": True, "rules": [{"id": "a", "answer": "x"}]}, "hours": {"mon": ["8"], "tue": ["9"]}}
    merged = deep_merge(base, {"section": {"minutes": 5}, "hours": {"sun": ["10"]}})
    assert merged == {"section": {"enabled": True, "minutes": 5, "rules": [{"id": "a", "answer": "x"}]},
                      "hours": {"mon": ["8"], "tue": ["9"], "sun": ["10"]}}
    assert base["section"] == {"enabled": True, "rules": [{"id": "a", "answer": "x"}]}  # not mutated
    assert deep_merge(base, {"section": {"rules": []}})["section"]["rules"] == []


@pytest.mark.parametrize("field", ["name", "section"])
def test_null_is_refused_naming_the_field(field):
    with pytest.raises(ValidationError) as err:
        Patch.model_validate({field: None})
    assert err.value.errors()[0]["loc"] == (field,)


def test_a_nullable_field_takes_null_and_leaving_fields_out_is_fine():
    assert Patch.model_validate({"note": None}).model_dump(exclude_unset=True) == {"note": None}
    assert Patch.model_validate({}).model_dump(exclude_unset=True) == {}


def test_sanitize_drops_only_what_does_not_validate():
    stored = {"name": None, "section": {"enabled": "quizás", "minutes": 3,
                                        "rules": [{"id": "ok", "answer": "sí"}, {"id": "bad", "answer": ""}]},
              "hours": {"mon": None, "tue": ["10:00"]}, "gone": 1}
    clean = sanitize(Doc, stored, what="test")
    assert clean == {"section": {"minutes": 3, "rules": [{"id": "ok", "answer": "sí"}]}, "hours": {"tue": ["10:00"]}}
    doc = lenient_validate(Doc, stored, what="test")
    assert doc.name == "default" and doc.section.enabled is False and doc.section.minutes == 3
    assert [r.id for r in doc.section.rules] == ["ok"]
    assert stored["name"] is None  # the stored document itself is not touched


@pytest.mark.parametrize("stored", [None, "texto", 7, [1, 2], {"section": None}, {"section": {"rules": "x"}}])
def test_whatever_is_stored_the_reader_gets_a_valid_document(stored):
    doc: BaseModel = lenient_validate(Doc, stored, what="test")
    assert isinstance(doc, Doc) and doc.section.minutes >= 1
