from datetime import date, datetime

import pytest
from pydantic import ValidationError

from skailan.crm.vocabulary.fields import (
    FieldDefinition,
    FieldDefinitionIn,
    FieldType,
    field_key_from_label,
    parse_number,
    unique_field_key,
    validate_values,
)
from skailan.platform.errors import Unprocessable


def define(key, type_, **kw):
    return FieldDefinition(key=key, label=kw.pop("label", key.title()), type=type_, **kw)


# --- definitions ------------------------------------------------------------------------


def test_definition_in_derives_key_from_label():
    field = FieldDefinitionIn(label="  Ciudad de  Origen ", type="short_text").to_definition()
    assert field.key == "ciudad_de_origen"
    assert field.label == "Ciudad de Origen"
    assert field.scope == "application"


def test_definition_in_avoids_existing_keys():
    field = FieldDefinitionIn(label="Ciudad", type="short_text").to_definition(existing_keys={"ciudad"})
    assert field.key == "ciudad_2"


def test_definition_in_forbids_unknown_attributes():
    with pytest.raises(ValidationError):
        FieldDefinitionIn(label="Ciudad", type="short_text", colour="red")


@pytest.mark.parametrize("key", ["Ciudad", "1ciudad", "ciudad-origen", "_x", "a" * 41, "ciudad de"])
def test_definition_key_must_be_a_slug(key):
    with pytest.raises(ValidationError):
        FieldDefinitionIn(key=key, label="x", type="short_text")


@pytest.mark.parametrize("key", ["c", "ciudad", "ciudad_2", "a" * 40])
def test_definition_key_accepts_slugs(key):
    assert FieldDefinitionIn(key=key, label="x", type="short_text").key == key


def test_option_types_need_options_and_others_refuse_them():
    with pytest.raises(ValidationError):
        FieldDefinitionIn(label="Talla", type="dropdown")
    with pytest.raises(ValidationError):
        FieldDefinitionIn(label="Peso", type="number", options=["1"])
    with pytest.raises(ValidationError):  # repeated, accent-insensitively
        FieldDefinitionIn(label="Color", type="multi_select", options=["Azul", "azúl"])
    with pytest.raises(ValidationError):
        FieldDefinitionIn(label="Color", type="dropdown", options=["  "])
    field = FieldDefinitionIn(label="Color", type="dropdown", options=[" Azul ", "Verde"])
    assert field.options == ["Azul", "Verde"]


def test_stored_definition_ignores_storage_attributes():
    field = FieldDefinition.model_validate(
        {"key": "peso", "label": "Peso", "type": "number", "created_at": "2026-01-01T00:00:00Z"}
    )
    assert field.type is FieldType.NUMBER


@pytest.mark.parametrize(
    ("label", "key"),
    [
        ("Ciudad", "ciudad"),
        ("Fecha de nacimiento", "fecha_de_nacimiento"),
        ("¿Tiene hijos?", "tiene_hijos"),
        ("2do apellido", "f_2do_apellido"),
        ("!!!", "field"),
        ("x" * 60, "x" * 40),
    ],
)
def test_field_key_from_label(label, key):
    assert field_key_from_label(label) == key


def test_unique_field_key_counts_up():
    assert unique_field_key("Ciudad", ["ciudad", "ciudad_2"]) == "ciudad_3"
    assert len(unique_field_key("x" * 60, ["x" * 40])) <= 40


# --- values -----------------------------------------------------------------------------

DEFS = [
    define("apodo", "short_text"),
    define("bio", "long_text"),
    define("peso", "number"),
    define("nacimiento", "date"),
    define("talla", "dropdown", options=["S", "M", "Grande"]),
    define("intereses", "multi_select", options=["Fútbol", "Cine", "Música"]),
    define("hijos", "boolean"),
    define("web", "url"),
    define("correo2", "email"),
    define("fijo", "phone"),
]


def one(key, value, country="CO"):
    return validate_values(DEFS, {key: value}, country, partial=True)[key]


VALID = [
    ("apodo", "  Pepe ", "Pepe"),
    ("apodo", 42, "42"),
    ("apodo", "x" * 255, "x" * 255),
    ("bio", "línea 1\nlínea 2", "línea 1\nlínea 2"),
    ("bio", "y" * 10_000, "y" * 10_000),
    ("peso", 72, 72),
    ("peso", 72.5, 72.5),
    ("peso", 72.0, 72),
    ("peso", "72", 72),
    ("peso", "-3", -3),
    ("peso", "72,5", 72.5),
    ("peso", "72.5", 72.5),
    ("peso", "1.234.567", 1234567),
    ("peso", "1,234,567", 1234567),
    ("peso", "1.234,56", 1234.56),
    ("peso", "1,234.56", 1234.56),
    ("peso", " 1 200 ", 1200),
    ("nacimiento", "1990-03-15", "1990-03-15"),
    ("nacimiento", date(1990, 3, 15), "1990-03-15"),
    ("talla", "grande", "Grande"),
    ("talla", "M", "M"),
    ("intereses", ["cine", "Futbol", "Cine"], ["Cine", "Fútbol"]),
    ("intereses", "música; cine", ["Música", "Cine"]),
    ("hijos", True, True),
    ("hijos", "Sí", True),
    ("hijos", "no", False),
    ("hijos", "FALSE", False),
    ("hijos", 1, True),
    ("web", "https://empresa.co/a?b=1", "https://empresa.co/a?b=1"),
    ("web", "http://empresa.co", "http://empresa.co"),
    ("web", "www.empresa.co", "https://www.empresa.co"),
    ("correo2", " Ana@X.co ", "ana@x.co"),
    ("fijo", "(601) 234 5678", "+576012345678"),
    ("fijo", "+52 1 55 1234 5678", "+525512345678"),
]


@pytest.mark.parametrize(("key", "raw", "expected"), VALID)
def test_values_are_normalised_per_type(key, raw, expected):
    assert one(key, raw) == expected


INVALID = [
    ("apodo", "x" * 256, "too_long"),
    ("apodo", {"a": 1}, "wrong_type"),
    ("apodo", True, "wrong_type"),
    ("bio", "y" * 10_001, "too_long"),
    ("peso", "setenta", "not_a_number"),
    ("peso", "1.2.3,4,5", "not_a_number"),
    ("peso", True, "wrong_type"),
    ("peso", float("nan"), "not_a_number"),
    ("peso", float("inf"), "not_a_number"),
    ("peso", 10**16, "out_of_range"),
    ("peso", [1], "not_a_number"),
    ("nacimiento", "15/03/1990", "invalid_date"),
    ("nacimiento", "1990-02-30", "invalid_date"),
    ("nacimiento", datetime(1990, 3, 15, 10, 0), "wrong_type"),
    ("nacimiento", 19900315, "invalid_date"),
    ("talla", "XL", "not_an_option"),
    ("talla", ["S"], "wrong_type"),
    ("intereses", ["Cine", "Teatro"], "not_an_option"),
    ("intereses", "Teatro", "not_an_option"),
    ("hijos", "tal vez", "not_a_boolean"),
    ("hijos", 2, "not_a_boolean"),
    ("web", "javascript:alert(1)", "invalid_url"),
    ("web", "ftp://empresa.co", "invalid_url"),
    ("web", "https://", "invalid_url"),
    ("web", "https://empresa .co", "invalid_url"),
    ("web", "no es un enlace", "invalid_url"),
    ("web", "https://" + "a" * 2050 + ".co", "invalid_url"),
    ("correo2", "ana@", "invalid_domain"),
    ("fijo", "123", "too_short"),
]


@pytest.mark.parametrize(("key", "raw", "code"), INVALID)
def test_invalid_values_are_refused_with_the_field_named(key, raw, code):
    with pytest.raises(Unprocessable) as caught:
        one(key, raw)
    [detail] = caught.value.details
    assert detail["field"] == f"custom.{key}"
    assert detail["error"] == code
    assert " / " in detail["message"]


def test_every_bad_field_is_listed_and_unknown_keys_refused():
    with pytest.raises(Unprocessable) as caught:
        validate_values(DEFS, {"peso": "x", "talla": "XL", "nope": 1, "apodo": "ok"}, "CO", partial=True)
    assert sorted(d["field"] for d in caught.value.details) == ["custom.nope", "custom.peso", "custom.talla"]
    assert {d["error"] for d in caught.value.details} == {"unknown_field", "not_a_number", "not_an_option"}


def test_empty_values_mean_clear():
    assert validate_values(DEFS, {"apodo": "  ", "intereses": [], "peso": None}, "CO", partial=True) == {
        "apodo": None,
        "intereses": None,
        "peso": None,
    }
    assert one("intereses", " ; , ") is None


def test_required_fields():
    defs = [define("documento", "short_text", required=True), define("apodo", "short_text")]
    with pytest.raises(Unprocessable) as caught:  # create without it
        validate_values(defs, {"apodo": "x"}, "CO")
    assert caught.value.details == [
        {"field": "custom.documento", "error": "required", "message": caught.value.details[0]["message"]}
    ]
    assert validate_values(defs, {"apodo": "x"}, "CO", partial=True) == {"apodo": "x"}  # PATCH without it
    with pytest.raises(Unprocessable):  # PATCH clearing it
        validate_values(defs, {"documento": ""}, "CO", partial=True)
    assert validate_values(defs, {"documento": "123"}, "CO") == {"documento": "123"}


def test_phone_values_use_the_brand_country():
    assert one("fijo", "55 1234 5678", country="MX") == "+525512345678"


@pytest.mark.parametrize(
    ("text", "number"),
    [("0", 0), ("+5", 5), (".5", 0.5), ("1,5", 1.5), ("1,234", 1.234), ("12.345.678,9", 12345678.9)],
)
def test_parse_number(text, number):
    assert parse_number(text) == number


@pytest.mark.parametrize("text", ["", "1.", "1..2", "1,2,3.4.5", "12,34,567", "abc", "1e5"])
def test_parse_number_refuses(text):
    assert parse_number(text) is None
