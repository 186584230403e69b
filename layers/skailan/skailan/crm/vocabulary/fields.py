"""Custom fields ("extra data", Keybe *Configura → Información adicional*): definitions and values.

A brand defines fields (key, label, order, type, options…); people carry a `custom` dict
keyed by field key. `validate_values` is the one gate every write path (API, import, form)
goes through: it refuses unknown keys and returns values in their normal form per type:

| type          | stored as                                   |
|---------------|---------------------------------------------|
| short_text    | str, trimmed, ≤ 255 characters              |
| long_text     | str, trimmed, ≤ 10 000 characters           |
| number        | int, or float when it has decimals          |
| date          | "YYYY-MM-DD"                                |
| dropdown      | the option's own spelling                   |
| multi_select  | list of option spellings, no repeats        |
| boolean       | bool                                        |
| url           | "http(s)://…"                               |
| email         | normalised e-mail                           |
| phone         | E.164                                       |

Values arriving as text (imports, forms) are read leniently — "1.234,5" is a number,
"sí" is true, "rojo; verde" is a multi-select — while JSON values keep their JSON types.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from datetime import date
from enum import StrEnum
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from skailan.crm.values.emails import InvalidEmail, normalize_email
from skailan.crm.values.phones import InvalidPhone, normalize_phone
from skailan.crm.values.text import fold
from skailan.platform.errors import Unprocessable
from skailan.platform.i18n import both

KEY_PATTERN = r"^[a-z][a-z0-9_]{0,39}$"
MAX_OPTIONS = 200
MAX_OPTION_LENGTH = 100
TEXT_LIMITS = {"short_text": 255, "long_text": 10_000}
MAX_URL_LENGTH = 2048
MAX_ABS_NUMBER = 1e15  # beyond this floats lose integer precision; no CRM field needs more


class FieldType(StrEnum):
    SHORT_TEXT = "short_text"
    LONG_TEXT = "long_text"
    NUMBER = "number"
    DATE = "date"
    DROPDOWN = "dropdown"
    MULTI_SELECT = "multi_select"
    BOOLEAN = "boolean"
    URL = "url"
    EMAIL = "email"
    PHONE = "phone"


OPTION_TYPES = frozenset({FieldType.DROPDOWN, FieldType.MULTI_SELECT})


class _FieldBase(BaseModel):
    label: str = Field(min_length=1, max_length=80)
    order: int = Field(default=0, ge=0, le=10_000)
    type: FieldType
    required: bool = False
    options: list[str] = Field(default_factory=list, max_length=MAX_OPTIONS)
    # Keybe's "acceso del campo": shown for the whole brand (application) or added to one
    # person at a time (person). Stored and returned; validation is the same for both.
    scope: Literal["application", "person"] = "application"

    @field_validator("label")
    @classmethod
    def _label(cls, value: str) -> str:
        value = " ".join(value.split())
        if not value:
            raise ValueError("label must not be blank")
        return value

    @field_validator("options")
    @classmethod
    def _options(cls, options: list[str]) -> list[str]:
        cleaned, seen = [], set()
        for option in options:
            option = " ".join(option.split())
            if not option or len(option) > MAX_OPTION_LENGTH:
                raise ValueError(f"each option must have 1 to {MAX_OPTION_LENGTH} characters")
            if fold(option) in seen:
                raise ValueError(f"option {option!r} is repeated")
            seen.add(fold(option))
            cleaned.append(option)
        return cleaned

    @model_validator(mode="after")
    def _options_match_type(self) -> _FieldBase:
        if self.type in OPTION_TYPES and not self.options:
            raise ValueError(f"a {self.type} field needs at least one option")
        if self.type not in OPTION_TYPES and self.options:
            raise ValueError(f"a {self.type} field takes no options")
        return self


class FieldDefinitionIn(_FieldBase):
    """Request body to create or replace a field; `key` defaults to a slug of the label."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    key: str | None = Field(default=None, pattern=KEY_PATTERN)

    def to_definition(self, existing_keys: Iterable[str] = ()) -> FieldDefinition:
        key = self.key or unique_field_key(self.label, existing_keys)
        return FieldDefinition(key=key, **self.model_dump(exclude={"key"}))


class FieldDefinition(_FieldBase):
    """A brand's custom field as stored."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    key: str = Field(pattern=KEY_PATTERN)


def field_key_from_label(label: str) -> str:
    """A key slug for a label: "Ciudad de origen" → "ciudad_de_origen" (ASCII, ≤ 40)."""
    slug = re.sub(r"[^a-z0-9]+", "_", fold(label)).strip("_")
    if not slug:
        slug = "field"
    if not slug[0].isalpha():
        slug = "f_" + slug
    return slug[:40].rstrip("_")


def unique_field_key(label: str, existing_keys: Iterable[str]) -> str:
    """`field_key_from_label`, suffixed `_2`, `_3`… until it is not in `existing_keys`."""
    taken = set(existing_keys)
    base = field_key_from_label(label)
    key, n = base, 1
    while key in taken:
        n += 1
        suffix = f"_{n}"
        key = base[: 40 - len(suffix)].rstrip("_") + suffix
    return key


# --- values ---------------------------------------------------------------------------


class FieldValueError(Exception):
    """One value is wrong for its field: a stable `code` and the message in both languages."""

    def __init__(self, code: str, es: str, en: str) -> None:
        super().__init__(code)
        self.code, self.es, self.en = code, es, en


def validate_values(
    definitions: Iterable[FieldDefinition],
    values: Mapping[str, Any],
    default_country: str | None,
    *,
    partial: bool = False,
) -> dict[str, Any]:
    """Check and normalise `values` (custom key → value) against the brand's definitions.

    Returns the normalised dict. An empty value (None, "", blank, []) comes back as None,
    meaning "clear this field"; on create the caller simply drops Nones. With
    `partial=False` (create / full replace) required fields must be present; with
    `partial=True` (PATCH) they may be absent but not cleared. Raises `Unprocessable` whose
    `details` lists every bad field as `{"field": "custom.<key>", "error", "message"}`.
    """
    by_key = {d.key: d for d in definitions}
    out: dict[str, Any] = {}
    errors: list[dict[str, str]] = []

    def fail(key: str, bad: FieldValueError) -> None:
        errors.append({"field": f"custom.{key}", "error": bad.code, "message": both(bad.es, bad.en)})

    for key, raw in values.items():
        definition = by_key.get(key)
        if definition is None:
            fail(key, FieldValueError("unknown_field", "Campo desconocido", "Unknown field"))
            continue
        try:
            value = None if _is_empty(raw) else coerce_value(definition, raw, default_country)
            if value is None and definition.required:
                raise FieldValueError("required", "Este campo es obligatorio", "This field is required")
            out[key] = value
        except FieldValueError as bad:
            fail(key, bad)

    if not partial:
        for key, definition in by_key.items():
            if definition.required and key not in values:
                fail(key, FieldValueError("required", "Este campo es obligatorio", "This field is required"))

    if errors:
        raise Unprocessable(
            both("Hay datos adicionales no válidos", "Some custom fields are not valid"),
            details=errors,
        )
    return out


def coerce_value(definition: FieldDefinition, raw: Any, default_country: str | None) -> Any:
    """One non-empty value in its normal form, or `FieldValueError` (used per cell by imports)."""
    match definition.type:
        case FieldType.SHORT_TEXT | FieldType.LONG_TEXT:
            return _text(raw, TEXT_LIMITS[definition.type])
        case FieldType.NUMBER:
            return _number(raw)
        case FieldType.DATE:
            return _date(raw)
        case FieldType.DROPDOWN:
            return _option(_scalar_text(raw), definition.options)
        case FieldType.MULTI_SELECT:
            return _options(raw, definition.options)
        case FieldType.BOOLEAN:
            return _boolean(raw)
        case FieldType.URL:
            return _url(raw)
        case FieldType.EMAIL:
            try:
                return normalize_email(_scalar_text(raw))
            except InvalidEmail as err:
                raise FieldValueError(err.reason, err.message_es, err.message_en) from None
        case FieldType.PHONE:
            try:
                return normalize_phone(_scalar_text(raw), default_country)
            except InvalidPhone as err:
                raise FieldValueError(err.reason, err.message_es, err.message_en) from None
    raise AssertionError(definition.type)  # pragma: no cover - FieldType is closed


def _is_empty(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip()) or (isinstance(raw, list) and not raw)


def _scalar_text(raw: Any) -> str:
    if isinstance(raw, bool) or not isinstance(raw, str | int | float):
        raise FieldValueError("wrong_type", "Se esperaba un texto", "A text value was expected")
    return str(raw).strip()


def _text(raw: Any, limit: int) -> str:
    text = _scalar_text(raw)
    if len(text) > limit:
        raise FieldValueError("too_long", f"Máximo {limit} caracteres", f"At most {limit} characters")
    return text


_NUMBER_SHAPES = (
    # (pattern, thousands separator, decimal separator) — see parse_number.
    (re.compile(r"[+-]?\d+"), None, None),
    (re.compile(r"[+-]?\d*\.\d+"), None, "."),
    (re.compile(r"[+-]?\d*,\d+"), None, ","),
    (re.compile(r"[+-]?\d{1,3}(?:\.\d{3})+"), ".", None),
    (re.compile(r"[+-]?\d{1,3}(?:,\d{3})+"), ",", None),
    (re.compile(r"[+-]?\d{1,3}(?:\.\d{3})+,\d+"), ".", ","),
    (re.compile(r"[+-]?\d{1,3}(?:,\d{3})+\.\d+"), ",", "."),
)


def parse_number(text: str) -> int | float | None:
    """A number written the Spanish or English way, or None.

    One separator is the decimal one ("1.5", "1,5"); the same separator repeated in groups
    of three is thousands ("1.234.567"); both together, the last is decimal ("1.234,56").
    So "1,234" reads 1.234 — a single comma is a Spanish decimal comma.
    """
    text = text.strip().replace(" ", "").replace("\u00a0", "")
    for pattern, thousands, decimal in _NUMBER_SHAPES:
        if pattern.fullmatch(text):
            if thousands:
                text = text.replace(thousands, "")
            if decimal:
                text = text.replace(decimal, ".")
            return int(text) if decimal is None else float(text)
    return None


def _number(raw: Any) -> int | float:
    if isinstance(raw, bool):
        raise FieldValueError("wrong_type", "Se esperaba un número", "A number was expected")
    value = raw if isinstance(raw, int | float) else parse_number(str(raw)) if isinstance(raw, str) else None
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        raise FieldValueError("not_a_number", "Se esperaba un número", "A number was expected")
    if abs(value) > MAX_ABS_NUMBER:
        raise FieldValueError("out_of_range", "El número es demasiado grande", "The number is too large")
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _date(raw: Any) -> str:
    if type(raw) is date:  # not a datetime: a moment is not a calendar date
        return raw.isoformat()
    text = _scalar_text(raw)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            pass
    raise FieldValueError("invalid_date", "Fecha no válida; use AAAA-MM-DD", "Invalid date; use YYYY-MM-DD")


def _option(text: str, options: list[str]) -> str:
    by_fold = {fold(o): o for o in options}
    found = by_fold.get(fold(text))
    if found is None:
        raise FieldValueError(
            "not_an_option",
            f"«{text[:50]}» no es una de las opciones",
            f"'{text[:50]}' is not one of the options",
        )
    return found


def _options(raw: Any, options: list[str]) -> list[str] | None:
    items = raw if isinstance(raw, list) else re.split(r"[,;]", _scalar_text(raw))
    chosen: list[str] = []
    for item in items:
        text = _scalar_text(item)
        if text:
            option = _option(text, options)
            if option not in chosen:
                chosen.append(option)
    return chosen or None


_TRUE = {"true", "1", "si", "yes", "y", "s", "verdadero", "x"}
_FALSE = {"false", "0", "no", "n", "falso"}


def _boolean(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int | float) and raw in (0, 1):
        return bool(raw)
    if isinstance(raw, str):
        word = fold(raw)
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
    raise FieldValueError("not_a_boolean", "Se esperaba sí o no", "Yes or no was expected")


def _url(raw: Any) -> str:
    text = _scalar_text(raw)
    if "://" not in text and re.match(r"[\w-]+(\.[\w-]+)+(/|$)", text):
        text = "https://" + text  # "www.empresa.co" as people write it
    try:
        parts = urlsplit(text)
        host = parts.hostname
    except ValueError:
        host = None
        parts = None
    if (
        parts is None
        or parts.scheme not in ("http", "https")
        or not host
        or len(text) > MAX_URL_LENGTH
        or re.search(r"\s", text)
    ):
        raise FieldValueError("invalid_url", "Enlace no válido (http/https)", "Invalid link (http/https)")
    return text
