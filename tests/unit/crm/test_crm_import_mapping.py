import pytest

from skailan.crm.capture.imports.mapping import suggest_mapping, validate_mapping
from skailan.platform.errors import Unprocessable


@pytest.mark.parametrize(
    ("header", "target"),
    [
        ("Nombre", "name"),
        ("NOMBRES", "name"),
        ("Nombre completo", "name"),
        ("Nombres y apellidos", "name"),
        ("Full Name", "name"),
        ("name", "name"),
        ("Correo", "email"),
        ("Correo electrónico", "email"),
        ("CORREO ELECTRONICO", "email"),
        ("E-mail", "email"),
        ("email", "email"),
        ("Mail", "email"),
        ("Email Address", "email"),
        ("Celular", "phone"),
        ("Móvil", "phone"),
        ("Teléfono", "phone"),
        ("telefono", "phone"),
        ("Phone", "phone"),
        ("WhatsApp", "phone"),
        ("Número de celular", "phone"),
        ("Ciudad", "city"),
        ("City", "city"),
        ("Empresa", "company"),
        ("Compañía", "company"),
        ("Company", "company"),
        ("Etiquetas", "tags"),
        ("Tags", "tags"),
        ("Observaciones", "notes"),
        ("Notas", "notes"),
        ("Correo del cliente", "email"),  # keyword inside a longer header
        ("Teléfono móvil 1", "phone"),
        ("Color favorito", None),
    ],
)
def test_single_header_suggestions(header, target):
    assert suggest_mapping([header], []) == {header: target}


def test_first_and_last_name_columns():
    assert suggest_mapping(["Nombre", "Apellido", "Correo"], []) == {
        "Nombre": "first_name",
        "Apellido": "last_name",
        "Correo": "email",
    }
    assert suggest_mapping(["First name", "Last name", "Phone"], []) == {
        "First name": "first_name",
        "Last name": "last_name",
        "Phone": "phone",
    }
    # a full-name column wins; the surname column is left for the user to decide
    assert suggest_mapping(["Nombre completo", "Apellidos", "Celular"], []) == {
        "Nombre completo": "name",
        "Apellidos": None,
        "Celular": "phone",
    }


def test_mobile_beats_landline_for_phone_and_each_target_is_used_once():
    assert suggest_mapping(["Teléfono", "Celular", "Correo", "Email"], []) == {
        "Teléfono": None,
        "Celular": "phone",
        "Correo": "email",
        "Email": None,
    }


def test_custom_fields_by_key_and_by_alias():
    mapping = suggest_mapping(
        ["Nombre", "Cédula", "Cargo", "Sexo", "Fecha de nacimiento", "Ciudad de origen", "Teléfono"],
        ["documento", "puesto", "genero", "fecha_nacimiento", "ciudad_de_origen", "telefono"],
    )
    assert mapping == {
        "Nombre": "name",
        "Cédula": "custom:documento",
        "Cargo": "custom:puesto",
        "Sexo": "custom:genero",
        "Fecha de nacimiento": "custom:fecha_nacimiento",
        "Ciudad de origen": "custom:ciudad_de_origen",
        "Teléfono": "phone",  # identity fields beat a custom field of the same name
    }


def test_custom_field_named_like_a_standard_one_wins_for_non_identity_targets():
    assert suggest_mapping(["Ciudad"], ["ciudad"]) == {"Ciudad": "custom:ciudad"}


HEADERS = ["Nombre", "Apellido", "Correo", "Celular", "Ciudad", "Extra"]


def test_validate_mapping_completes_unmentioned_headers():
    assert validate_mapping(
        {"Nombre": "name", "Celular": "phone", "Extra": "custom:extra"}, HEADERS, ["extra"]
    ) == {
        "Nombre": "name",
        "Apellido": None,
        "Correo": None,
        "Celular": "phone",
        "Ciudad": None,
        "Extra": "custom:extra",
    }


def test_a_suggestion_for_a_complete_file_is_valid():
    suggestion = suggest_mapping(HEADERS, [])
    assert validate_mapping(suggestion, HEADERS, []) == suggestion


@pytest.mark.parametrize(
    ("mapping", "codes"),
    [
        ({"Nombre": "name", "Otra": "email"}, ["unknown_header", "missing_contact"]),
        ({"Nombre": "name", "Celular": "fax"}, ["unknown_target", "missing_contact"]),
        ({"Nombre": "name", "Celular": "custom:nope"}, ["unknown_target", "missing_contact"]),
        ({"Nombre": "name", "Correo": "email", "Celular": "email"}, ["duplicate_target"]),
        ({"Nombre": "name", "Apellido": "last_name", "Correo": "email"}, ["conflicting_name"]),
        ({"Apellido": "last_name", "Correo": "email"}, ["missing_name"]),
        ({"Correo": "email"}, ["missing_name"]),
        ({"Nombre": "name", "Ciudad": "city"}, ["missing_contact"]),
        ({}, ["missing_name", "missing_contact"]),
    ],
)
def test_validate_mapping_errors(mapping, codes):
    with pytest.raises(Unprocessable) as caught:
        validate_mapping(mapping, HEADERS, ["extra"])
    assert [d["error"] for d in caught.value.details] == codes
    assert all(d["field"] == "mapping" for d in caught.value.details)


def test_first_name_alone_is_enough():
    assert (
        validate_mapping({"Nombre": "first_name", "Correo": "email"}, HEADERS, [])["Nombre"] == "first_name"
    )
