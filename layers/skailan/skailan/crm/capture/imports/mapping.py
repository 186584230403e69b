"""Which column of the file is which field: a suggestion, and the check of the user's choice.

Targets: `name`, `first_name`, `last_name`, `email`, `phone`, `tags`, `city`, `company`,
`notes`, and `custom:<key>` for a brand's custom field. Headers are compared folded
(accents, case and punctuation ignored), in Spanish and English.

`suggest_mapping` scores every (header, target) pair and assigns greedily, best first, so
each target gets at most one column: a "Celular" column beats "Teléfono" for `phone` (the
mobile reaches WhatsApp), identity fields beat a custom field with the same name, and
"Nombre" next to "Apellido" becomes `first_name` + `last_name`. A header naming a custom
field's key ("Ciudad de origen" → `ciudad_de_origen`) maps to it. Columns left as None are
the candidates for new custom fields (`skailan.crm.vocabulary.fields.unique_field_key`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from skailan.crm.values.text import name_tokens
from skailan.crm.vocabulary.fields import field_key_from_label
from skailan.platform.errors import Unprocessable
from skailan.platform.i18n import both

STANDARD_TARGETS = ("name", "first_name", "last_name", "email", "phone", "tags", "city", "company", "notes")
CUSTOM_PREFIX = "custom:"
# Standard mapping targets a person item has no attribute for: kept as custom fields.
CUSTOM_TARGETS = {"city": ("city", "Ciudad"), "company": ("company", "Empresa")}
IDENTITY_TARGETS = {"name", "first_name", "last_name", "email", "phone"}

_SYNONYMS: dict[str, tuple[str, ...]] = {
    "name": (
        "nombre", "nombres", "nombre completo", "nombres completos", "nombre y apellido",
        "nombre y apellidos", "nombres y apellidos", "nombre del contacto", "nombre contacto",
        "contacto", "nombre del cliente", "nombre cliente", "cliente", "name", "full name",
        "fullname", "contact name", "contact", "customer name", "customer",
    ),
    "first_name": ("primer nombre", "first name", "firstname", "given name", "nombre de pila"),
    "last_name": (
        "apellido", "apellidos", "primer apellido", "last name", "lastname", "surname",
        "surnames", "family name",
    ),
    "email": (
        "correo", "correo electronico", "correos", "email", "emails", "e mail", "mail",
        "email address", "e mail address", "direccion de correo", "direccion de correo electronico",
        "correo e", "correo personal",
    ),
    "phone": (
        "celular", "movil", "telefono movil", "telefono celular", "numero de celular",
        "numero celular", "num celular", "cel", "whatsapp", "numero de whatsapp", "mobile",
        "mobile phone", "mobile number", "cell", "cell phone", "cellphone", "telefono",
        "telefonos", "numero de telefono", "tel", "telf", "tlf", "phone", "phone number",
        "contact number",
    ),
    "tags": ("etiquetas", "etiqueta", "tags", "tag", "labels", "label"),
    "city": ("ciudad", "city", "municipio", "localidad", "town"),
    "company": (
        "empresa", "compania", "company", "company name", "nombre de la empresa", "nombre empresa",
        "organizacion", "organization", "organisation", "negocio", "business", "razon social",
    ),
    "notes": (
        "notas", "nota", "notes", "note", "observaciones", "observacion", "comentarios",
        "comentario", "comments", "comment", "descripcion", "description",
    ),
}  # fmt: skip

# Words that, inside a longer header ("Correo del cliente", "Teléfono móvil 1"), still say it.
_KEYWORDS: dict[str, tuple[str, ...]] = {
    "email": ("correo", "email", "mail"),
    "phone": ("celular", "movil", "whatsapp", "mobile", "cel", "telefono", "phone", "tel"),
    "last_name": ("apellido", "apellidos", "surname"),
    "city": ("ciudad", "city"),
    "company": ("empresa", "company", "compania"),
    "tags": ("etiquetas", "etiqueta", "tags"),
    "notes": ("notas", "observaciones", "comentarios", "notes"),
    "name": ("nombre", "nombres", "name"),
}

# Usual custom fields, matched when the brand has one of these keys.
_CUSTOM_ALIASES: tuple[tuple[str, ...], ...] = (
    ("cargo", "puesto", "job title", "title", "position", "job_title", "puesto de trabajo"),
    ("genero", "sexo", "gender", "sex"),
    ("fecha de nacimiento", "cumpleanos", "nacimiento", "birthday", "birth date", "birthdate", "fecha_nacimiento"),
    ("documento", "cedula", "numero de documento", "identificacion", "dni", "nit", "rut", "curp", "document", "id number"),
    ("direccion", "address", "domicilio"),
    ("pais", "country"),
    ("departamento", "estado", "provincia", "region", "state", "province"),
)  # fmt: skip

_MOBILE_WORDS = {"celular", "movil", "whatsapp", "mobile", "cel", "cell", "cellphone"}
_FIRST_NAME_ALONE = {"nombre", "nombres", "name"}  # can be a first name when a last name exists

_EXACT, _EXACT_CUSTOM, _EXACT_OTHER, _ALIAS_CUSTOM, _KEYWORD = 100, 95, 90, 80, 50


def _norm(header: str) -> str:
    return " ".join(name_tokens(header))


def suggest_mapping(headers: Iterable[str], custom_field_keys: Iterable[str]) -> dict[str, str | None]:
    """header → target or None, for every header (see module doc)."""
    headers = list(headers)
    custom = set(custom_field_keys)
    pairs: list[tuple[int, int, str, str]] = []  # (-score, column, header, target)
    for column, header in enumerate(headers):
        for target, score in _candidates(_norm(header), custom):
            pairs.append((-score, column, header, target))
    pairs.sort()
    result: dict[str, str | None] = dict.fromkeys(headers)
    taken: set[str] = set()
    for _, _, header, target in pairs:
        if result[header] is None and target not in taken:
            result[header] = target
            taken.add(target)
    _split_name(result)
    return result


def _candidates(norm: str, custom: set[str]) -> list[tuple[str, int]]:
    out: list[tuple[str, int]] = []
    words = set(norm.split())
    mobile_bonus = 10 if words & _MOBILE_WORDS else 0
    for target, synonyms in _SYNONYMS.items():
        if norm in synonyms:
            base = _EXACT if target in IDENTITY_TARGETS else _EXACT_OTHER
            out.append((target, base + (mobile_bonus if target == "phone" else 0)))
        elif words & set(_KEYWORDS.get(target, ())):
            out.append((target, _KEYWORD + (mobile_bonus if target == "phone" else 0)))
    slug = field_key_from_label(norm) if norm else ""
    if slug in custom:
        out.append((CUSTOM_PREFIX + slug, _EXACT_CUSTOM))
    for aliases in _CUSTOM_ALIASES:
        if norm in aliases or slug in aliases:
            for alias in aliases:
                key = field_key_from_label(alias)
                if key in custom and key != slug:
                    out.append((CUSTOM_PREFIX + key, _ALIAS_CUSTOM))
                    break
    return out


def _split_name(result: dict[str, str | None]) -> None:
    """ "Nombre" + "Apellido" means first and last name; "Nombre completo" + "Apellido" keeps the full name."""
    by_target = {t: h for h, t in result.items() if t}
    if "name" in by_target and ("last_name" in by_target or "first_name" in by_target):
        name_header = by_target["name"]
        if _norm(name_header) in _FIRST_NAME_ALONE and "first_name" not in by_target:
            result[name_header] = "first_name"
        else:
            for target in ("first_name", "last_name"):
                if target in by_target:
                    result[by_target[target]] = None


def validate_mapping(
    mapping: Mapping[str, str | None], headers: Iterable[str], custom_keys: Iterable[str]
) -> dict[str, str | None]:
    """The user's mapping completed for every header, or `Unprocessable` listing each problem.

    Custom targets must already exist: create the new custom fields first and pass their keys.
    """
    headers = list(headers)
    custom = set(custom_keys)
    errors: list[dict[str, str | None]] = []

    def fail(header: str | None, code: str, es: str, en: str) -> None:
        errors.append({"field": "mapping", "header": header, "error": code, "message": both(es, en)})

    used: dict[str, str] = {}
    for header, target in mapping.items():
        if header not in headers:
            fail(
                header,
                "unknown_header",
                "Esa columna no está en el archivo",
                "That column is not in the file",
            )
            continue
        if target is None:
            continue
        if target not in STANDARD_TARGETS and not (
            target.startswith(CUSTOM_PREFIX) and target[len(CUSTOM_PREFIX) :] in custom
        ):
            fail(
                header,
                "unknown_target",
                f"Campo de destino desconocido: {target}",
                f"Unknown target field: {target}",
            )
        elif target in used:
            fail(
                header,
                "duplicate_target",
                f"«{used[target]}» ya está asignada a {target}",
                f"'{used[target]}' is already mapped to {target}",
            )
        else:
            used[target] = header

    if "name" in used and ("first_name" in used or "last_name" in used):
        fail(
            None,
            "conflicting_name",
            "Use el nombre completo o nombre + apellido, no ambos",
            "Use the full name or first + last name, not both",
        )
    elif "name" not in used and "first_name" not in used:
        fail(None, "missing_name", "Asigne la columna del nombre", "Map the name column")
    if "email" not in used and "phone" not in used:
        fail(
            None,
            "missing_contact",
            "Asigne la columna del celular o del correo",
            "Map the mobile phone or the e-mail column",
        )
    if errors:
        raise Unprocessable(
            both("La asignación de columnas no es válida", "The column mapping is not valid"), details=errors
        )
    return {h: mapping.get(h) for h in headers}
