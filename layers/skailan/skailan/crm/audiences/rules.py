"""Dynamic segments: a rule tree over a person, validated once, evaluated anywhere.

Shape (JSON, as stored and as the API receives it)::

    {"all": [                                   # every child must match
        {"field": "tags", "op": "has_tag", "value": "vip"},
        {"any": [                               # at least one child must match
            {"field": "journey_state", "op": "eq", "value": "prospecto"},
            {"field": "last_interaction_at", "op": "within_last_days", "value": 30}]}]}

`parse_rule(data, fields)` validates raw JSON against the brand's custom field definitions
and returns the `Group` model; every problem is reported at once, each with the JSON path
of the bad node (`$.all[1].any[0].op`). Limits: depth 5 (the root group is depth 1), 50
conditions, no empty groups. Request models keep the rule as a plain dict and call
`parse_rule` in the service, because validation needs the brand's fields.

`matches(rule, person, now)` evaluates a rule over a **person dict**::

    {"name": str, "email": str | None, "phone": "+57…" | None, "tags": [str],
     "journey_state": id | None, "customer_role": id | None, "owner_id": id | None,
     "lead_status": "none" | "in_progress" | "completed" | None (None = "none"),
     "last_interaction_at": ISO-8601 | None, "created_at": ISO-8601,
     "channels": ["whatsapp", …],   # channels the person has an identity on
     "custom": {key: normalised value}}   # see skailan.crm.vocabulary.fields

Semantics: text compares accent- and case-insensitively; phones compare by digits
("300 123" is found in "+573001234567"); list fields (tags, channels, multi-select) match
element-wise; a missing value fails every positive op, and `neq` / `not_contains` /
`not_in` are exact negations of `eq` / `contains` (or `has_tag`) / `in`, so a person without
an e-mail *does* match `email not_contains "gmail"`. A date-only value (`"2024-05-01"`)
against a timestamp means that whole day in the brand's time zone (`tz`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from skailan.crm.values.phones import phone_digits
from skailan.crm.values.text import fold
from skailan.crm.vocabulary.fields import MAX_ABS_NUMBER, FieldDefinition, FieldType
from skailan.platform.errors import Unprocessable
from skailan.platform.i18n import both

MAX_DEPTH = 5
MAX_CONDITIONS = 50
MAX_LIST_VALUES = 100
MAX_TEXT_VALUE = 255
MAX_DAYS = 36_500
MAX_ERRORS = 50  # enough to fix a rule; stops a hostile tree from producing a huge response

CHANNELS = ("whatsapp", "telegram", "messenger", "instagram", "sms", "email", "webchat")
LEAD_STATUSES = ("none", "in_progress", "completed")


class Op(StrEnum):
    EQ = "eq"
    NEQ = "neq"
    CONTAINS = "contains"
    NOT_CONTAINS = "not_contains"
    STARTS_WITH = "starts_with"
    IN = "in"
    NOT_IN = "not_in"
    GT = "gt"
    GTE = "gte"
    LT = "lt"
    LTE = "lte"
    EXISTS = "exists"
    NOT_EXISTS = "not_exists"
    HAS_TAG = "has_tag"
    HAS_ANY = "has_any"
    HAS_ALL = "has_all"
    WITHIN_LAST_DAYS = "within_last_days"
    BEFORE_DAYS_AGO = "before_days_ago"


class Kind(StrEnum):
    """What a field holds, which decides its ops and value types."""

    TEXT = "text"
    PHONE = "phone"
    ID = "id"
    LEAD_STATUS = "lead_status"
    CHANNEL = "channel"
    TAGS = "tags"
    DATETIME = "datetime"
    NUMBER = "number"
    DATE = "date"
    OPTION = "option"
    OPTIONS = "options"
    BOOLEAN = "boolean"


_PRESENCE = {Op.EXISTS, Op.NOT_EXISTS}
_TEXT_OPS = {Op.EQ, Op.NEQ, Op.CONTAINS, Op.NOT_CONTAINS, Op.STARTS_WITH, Op.IN, Op.NOT_IN} | _PRESENCE
_SET_OPS = {Op.HAS_TAG, Op.HAS_ANY, Op.HAS_ALL, Op.NOT_CONTAINS, Op.NOT_IN} | _PRESENCE
_ORDER_OPS = {Op.GT, Op.GTE, Op.LT, Op.LTE}
_DAY_OPS = {Op.WITHIN_LAST_DAYS, Op.BEFORE_DAYS_AGO}
_LIST_OPS = {Op.IN, Op.NOT_IN, Op.HAS_ANY, Op.HAS_ALL}

OPS_BY_KIND: dict[Kind, frozenset[Op]] = {
    Kind.TEXT: frozenset(_TEXT_OPS),
    Kind.PHONE: frozenset(_TEXT_OPS),
    Kind.ID: frozenset({Op.EQ, Op.NEQ, Op.IN, Op.NOT_IN} | _PRESENCE),
    Kind.LEAD_STATUS: frozenset({Op.EQ, Op.NEQ, Op.IN, Op.NOT_IN}),
    Kind.CHANNEL: frozenset({Op.EQ, Op.NEQ, Op.IN, Op.NOT_IN, Op.HAS_ANY, Op.HAS_ALL} | _PRESENCE),
    Kind.TAGS: frozenset(_SET_OPS),
    Kind.OPTIONS: frozenset(_SET_OPS),
    Kind.OPTION: frozenset({Op.EQ, Op.NEQ, Op.IN, Op.NOT_IN} | _PRESENCE),
    Kind.DATETIME: frozenset(_ORDER_OPS | _DAY_OPS | _PRESENCE),
    Kind.DATE: frozenset({Op.EQ, Op.NEQ} | _ORDER_OPS | _DAY_OPS | _PRESENCE),
    Kind.NUMBER: frozenset({Op.EQ, Op.NEQ, Op.IN, Op.NOT_IN} | _ORDER_OPS | _PRESENCE),
    Kind.BOOLEAN: frozenset({Op.EQ, Op.NEQ} | _PRESENCE),
}

STANDARD_FIELDS: dict[str, Kind] = {
    "name": Kind.TEXT,
    "email": Kind.TEXT,
    "phone": Kind.PHONE,
    "tags": Kind.TAGS,
    "journey_state": Kind.ID,
    "customer_role": Kind.ID,
    "owner_id": Kind.ID,
    "lead_status": Kind.LEAD_STATUS,
    "last_interaction_at": Kind.DATETIME,
    "created_at": Kind.DATETIME,
    "channel": Kind.CHANNEL,
}

_CUSTOM_KINDS: dict[FieldType, Kind] = {
    FieldType.SHORT_TEXT: Kind.TEXT,
    FieldType.LONG_TEXT: Kind.TEXT,
    FieldType.URL: Kind.TEXT,
    FieldType.EMAIL: Kind.TEXT,
    FieldType.PHONE: Kind.PHONE,
    FieldType.NUMBER: Kind.NUMBER,
    FieldType.DATE: Kind.DATE,
    FieldType.DROPDOWN: Kind.OPTION,
    FieldType.MULTI_SELECT: Kind.OPTIONS,
    FieldType.BOOLEAN: Kind.BOOLEAN,
}


# --- models ---------------------------------------------------------------------------


class Condition(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    field: str
    op: Op
    value: Any = None


class Group(BaseModel):
    """`{"all": [...]}` or `{"any": [...]}`; build it with `parse_rule`."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    all_: tuple[Group | Condition, ...] | None = Field(default=None, alias="all")
    any_: tuple[Group | Condition, ...] | None = Field(default=None, alias="any")

    @property
    def mode(self) -> str:
        return "all" if self.all_ is not None else "any"

    @property
    def children(self) -> tuple[Group | Condition, ...]:
        return self.all_ if self.all_ is not None else (self.any_ or ())

    def to_json(self) -> dict[str, Any]:
        """The stored / API form (exactly what `parse_rule` accepts)."""
        return {
            self.mode: [c.to_json() if isinstance(c, Group) else _condition_json(c) for c in self.children]
        }


def _condition_json(c: Condition) -> dict[str, Any]:
    out: dict[str, Any] = {"field": c.field, "op": c.op.value}
    if c.op not in _PRESENCE:
        out["value"] = list(c.value) if isinstance(c.value, tuple) else c.value
    return out


# --- validation -----------------------------------------------------------------------


class _Invalid(Exception):
    def __init__(self, path: str, code: str, es: str, en: str) -> None:
        super().__init__(code)
        self.path, self.code, self.es, self.en = path, code, es, en


class _Parser:
    def __init__(self, fields: Iterable[FieldDefinition]) -> None:
        self.fields = {d.key: d for d in fields}
        self.errors: list[dict[str, str]] = []
        self.conditions = 0

    def error(self, err: _Invalid) -> None:
        if len(self.errors) < MAX_ERRORS:
            self.errors.append({"path": err.path, "error": err.code, "message": both(err.es, err.en)})

    def group(self, data: Any, path: str, depth: int) -> Group | None:
        if depth > MAX_DEPTH:
            self.error(
                _Invalid(
                    path,
                    "too_deep",
                    f"Máximo {MAX_DEPTH} niveles de grupos",
                    f"At most {MAX_DEPTH} levels of groups",
                )
            )
            return None
        if not isinstance(data, dict) or len(data) != 1 or next(iter(data)) not in ("all", "any"):
            self.error(
                _Invalid(
                    path,
                    "not_a_group",
                    'Se esperaba {"all": [...]} o {"any": [...]}',
                    'Expected {"all": [...]} or {"any": [...]}',
                )
            )
            return None
        mode, items = next(iter(data.items()))
        here = f"{path}.{mode}"
        if not isinstance(items, list) or not items:
            self.error(
                _Invalid(
                    here,
                    "empty_group",
                    "El grupo necesita al menos una condición",
                    "The group needs at least one condition",
                )
            )
            return None
        children: list[Group | Condition] = []
        for i, item in enumerate(items):
            child_path = f"{here}[{i}]"
            if isinstance(item, dict) and ("all" in item or "any" in item) and "field" not in item:
                child: Group | Condition | None = self.group(item, child_path, depth + 1)
            else:
                child = self.condition(item, child_path)
            if child is not None:
                children.append(child)
        return Group(**{mode: tuple(children)}) if len(children) == len(items) else None

    def condition(self, data: Any, path: str) -> Condition | None:
        self.conditions += 1
        try:
            if not isinstance(data, dict):
                raise _Invalid(
                    path,
                    "not_a_condition",
                    'Se esperaba {"field", "op", "value"}',
                    'Expected {"field", "op", "value"}',
                )
            extra = sorted(set(map(str, data)) - {"field", "op", "value"})
            if extra:
                raise _Invalid(f"{path}.{extra[0]}", "unknown_key", "Clave desconocida", "Unknown key")
            field, kind, definition = self.field(data.get("field"), f"{path}.field")
            op = _op(data.get("op"), f"{path}.op")
            if op not in OPS_BY_KIND[kind]:
                raise _Invalid(
                    f"{path}.op",
                    "op_not_allowed",
                    f"La operación «{op}» no aplica a «{field}»",
                    f"Operation '{op}' does not apply to '{field}'",
                )
            value = _value(kind, op, data.get("value"), f"{path}.value", "value" in data, definition)
            return Condition(field=field, op=op, value=value)
        except _Invalid as err:
            self.error(err)
            return None

    def field(self, raw: Any, path: str) -> tuple[str, Kind, FieldDefinition | None]:
        if isinstance(raw, str):
            if raw in STANDARD_FIELDS:
                return raw, STANDARD_FIELDS[raw], None
            if raw.startswith("custom.") and raw[7:] in self.fields:
                definition = self.fields[raw[7:]]
                return raw, _CUSTOM_KINDS[definition.type], definition
        raise _Invalid(path, "unknown_field", "Campo desconocido", "Unknown field")


def depends_on_today(rule: Group) -> bool:
    """True if membership can change by days passing alone (`within_last_days`, `before_days_ago`)."""
    return any(depends_on_today(child) if isinstance(child, Group) else child.op in _DAY_OPS
               for child in rule.children)


def parse_rule(data: Any, fields: Iterable[FieldDefinition] = ()) -> Group:
    """Validate a raw rule tree; `Unprocessable` with `details=[{"path","error","message"}]`."""
    parser = _Parser(fields)
    rule = parser.group(data, "$", depth=1)
    if parser.conditions > MAX_CONDITIONS:
        parser.errors.insert(
            0,
            {
                "path": "$",
                "error": "too_many_conditions",
                "message": both(
                    f"Máximo {MAX_CONDITIONS} condiciones", f"At most {MAX_CONDITIONS} conditions"
                ),
            },
        )
    if parser.errors or rule is None:
        raise Unprocessable(
            both("La regla del segmento no es válida", "The segment rule is not valid"), details=parser.errors
        )
    return rule


def _op(raw: Any, path: str) -> Op:
    if isinstance(raw, str) and raw in Op.__members__.values():
        return Op(raw)
    raise _Invalid(path, "unknown_op", "Operación desconocida", "Unknown operation")


def _value(kind: Kind, op: Op, raw: Any, path: str, given: bool, definition: FieldDefinition | None) -> Any:
    if op in _PRESENCE:
        if given and raw is not None:
            raise _Invalid(
                path, "unexpected_value", "Esta operación no lleva valor", "This operation takes no value"
            )
        return None
    if op in _DAY_OPS:
        if isinstance(raw, bool) or not isinstance(raw, int) or not 1 <= raw <= MAX_DAYS:
            raise _Invalid(
                path,
                "invalid_days",
                f"Se esperaba un número de días entre 1 y {MAX_DAYS}",
                f"Expected a number of days from 1 to {MAX_DAYS}",
            )
        return raw
    if op in _LIST_OPS:
        if not isinstance(raw, list) or not 1 <= len(raw) <= MAX_LIST_VALUES:
            raise _Invalid(
                path,
                "expected_list",
                f"Se esperaba una lista de 1 a {MAX_LIST_VALUES} valores",
                f"Expected a list of 1 to {MAX_LIST_VALUES} values",
            )
        return tuple(_scalar(kind, op, item, f"{path}[{i}]", definition) for i, item in enumerate(raw))
    return _scalar(kind, op, raw, path, definition)


def _scalar(kind: Kind, op: Op, raw: Any, path: str, definition: FieldDefinition | None) -> Any:
    def bad(es: str, en: str) -> _Invalid:
        return _Invalid(path, "invalid_value", es, en)

    match kind:
        case Kind.NUMBER:
            if (
                isinstance(raw, bool)
                or not isinstance(raw, int | float)
                or (isinstance(raw, float) and not math.isfinite(raw))
                or abs(raw) > MAX_ABS_NUMBER
            ):
                raise bad("Se esperaba un número", "Expected a number")
            return raw
        case Kind.BOOLEAN:
            if not isinstance(raw, bool):
                raise bad("Se esperaba true o false", "Expected true or false")
            return raw
        case Kind.DATE:
            if _as_date(raw) is None:
                raise bad("Se esperaba una fecha AAAA-MM-DD", "Expected a YYYY-MM-DD date")
            return raw
        case Kind.DATETIME:
            if not isinstance(raw, str) or (_as_date(raw) is None and _as_datetime(raw) is None):
                raise bad("Se esperaba una fecha ISO-8601", "Expected an ISO-8601 date")
            return raw
        case Kind.LEAD_STATUS | Kind.CHANNEL:
            allowed = LEAD_STATUSES if kind is Kind.LEAD_STATUS else CHANNELS
            if raw not in allowed:
                raise bad(f"Valores posibles: {', '.join(allowed)}", f"Allowed values: {', '.join(allowed)}")
            return raw
    if not isinstance(raw, str) or not raw.strip() or len(raw) > MAX_TEXT_VALUE:
        raise bad(
            f"Se esperaba un texto de 1 a {MAX_TEXT_VALUE} caracteres",
            f"Expected a text of 1 to {MAX_TEXT_VALUE} characters",
        )
    text = raw.strip()
    if kind is Kind.PHONE and not phone_digits(text):
        raise bad("Se esperaba un número de teléfono", "Expected a phone number")
    if kind in (Kind.OPTION, Kind.OPTIONS) and definition is not None:
        by_fold = {fold(o): o for o in definition.options}
        if fold(text) not in by_fold:
            raise bad(f"«{text[:50]}» no es una de las opciones", f"'{text[:50]}' is not one of the options")
        return by_fold[fold(text)]
    return text


# --- evaluation -----------------------------------------------------------------------


def matches(rule: Group, person: Mapping[str, Any], now: datetime, tz: tzinfo = UTC) -> bool:
    """Whether `person` (see module doc) belongs to the segment at instant `now`."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    results = (
        matches(c, person, now, tz) if isinstance(c, Group) else _condition(c, person, now, tz)
        for c in rule.children
    )
    return all(results) if rule.mode == "all" else any(results)


def referenced_fields(rule: Group) -> frozenset[str]:
    """Every field the rule reads (e.g. {"tags", "custom.city"}): which changes can move people."""
    return frozenset(c.field for c in _conditions(rule))


def _conditions(rule: Group) -> Iterator[Condition]:
    for child in rule.children:
        if isinstance(child, Group):
            yield from _conditions(child)
        else:
            yield child


_NEGATION = {Op.NEQ: Op.EQ, Op.NOT_CONTAINS: Op.CONTAINS, Op.NOT_IN: Op.IN}


def _condition(c: Condition, person: Mapping[str, Any], now: datetime, tz: tzinfo) -> bool:
    actual = _lookup(person, c.field)
    if c.op is Op.EXISTS:
        return _present(actual)
    if c.op is Op.NOT_EXISTS:
        return not _present(actual)
    if c.op in _NEGATION:
        return not _positive(_NEGATION[c.op], c, actual, now, tz)
    return _positive(c.op, c, actual, now, tz)


def _lookup(person: Mapping[str, Any], field: str) -> Any:
    if field.startswith("custom."):
        custom = person.get("custom") or {}
        return custom.get(field[7:]) if isinstance(custom, Mapping) else None
    if field == "channel":
        return person.get("channels")
    if field == "lead_status":
        return person.get("lead_status") or "none"
    return person.get(field)


def _present(value: Any) -> bool:
    return value is not None and value != "" and value != [] and value != ()


def _positive(op: Op, c: Condition, actual: Any, now: datetime, tz: tzinfo) -> bool:
    if not _present(actual):
        return False
    if op in _ORDER_OPS or op in _DAY_OPS:
        return _compare(op, c.value, actual, now, tz)
    norm = _normaliser(c.field, actual)
    wanted = c.value if isinstance(c.value, tuple) else (c.value,)
    wanted_n = [norm(w) for w in wanted]
    if isinstance(actual, list | tuple):  # tags, channels, multi-select: element-wise
        have = {norm(a) for a in actual}
        if op is Op.HAS_ALL:
            return all(w in have for w in wanted_n)
        return any(w in have for w in wanted_n)  # eq, contains, has_tag, in, has_any
    value = norm(actual)
    match op:
        case Op.CONTAINS:
            return isinstance(value, str) and wanted_n[0] in value
        case Op.STARTS_WITH:
            return isinstance(value, str) and value.startswith(wanted_n[0])
        case Op.HAS_ALL:
            return all(w == value for w in wanted_n)
    return value in wanted_n  # eq, in, has_tag, has_any on a scalar


def _normaliser(field: str, actual: Any) -> Any:
    kind = STANDARD_FIELDS.get(field)
    if kind in (Kind.ID, Kind.LEAD_STATUS, Kind.CHANNEL):
        return lambda v: v
    looks_e164 = isinstance(actual, str) and re.fullmatch(r"\+\d{6,15}", actual) is not None
    if kind is Kind.PHONE or (kind is None and looks_e164):
        return lambda v: phone_digits(str(v))
    if isinstance(actual, int | float):  # bool included
        # numbers and booleans compare as themselves (True never equals 1 here).
        return lambda v: (type(v) is bool, v) if isinstance(v, bool | int | float) else ("?", str(v))
    return lambda v: fold(str(v))


def _compare(op: Op, wanted: Any, actual: Any, now: datetime, tz: tzinfo) -> bool:
    if op in _ORDER_OPS and isinstance(wanted, int | float) and not isinstance(wanted, bool):  # a number
        if isinstance(actual, bool) or not isinstance(actual, int | float):
            return False
        return _ordered(op, actual, wanted)
    moment = _as_moment(actual, tz)
    if moment is None:
        return False
    if op in _DAY_OPS:
        cutoff = now - timedelta(days=wanted)
        if isinstance(actual, str) and _as_date(actual) is not None:  # a date field: whole days
            cutoff = _day_start(now.astimezone(tz).date() - timedelta(days=wanted), tz)
        if op is Op.WITHIN_LAST_DAYS:
            return cutoff <= moment <= now
        return moment < cutoff
    wanted_day = _as_date(wanted)
    if wanted_day is None:
        bound = _as_datetime(wanted)
        return bound is not None and _ordered(op, moment, bound)
    start, end = _day_start(wanted_day, tz), _day_start(wanted_day + timedelta(days=1), tz)
    return {
        Op.GT: moment >= end,
        Op.GTE: moment >= start,
        Op.LT: moment < start,
        Op.LTE: moment < end,
    }[op]


def _ordered(op: Op, a: Any, b: Any) -> bool:
    return {Op.GT: a > b, Op.GTE: a >= b, Op.LT: a < b, Op.LTE: a <= b}[op]


def _as_date(value: Any) -> date | None:
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _as_datetime(value: Any) -> datetime | None:
    """An ISO-8601 timestamp (longer than a bare date) in UTC; naive means UTC."""
    if not isinstance(value, str) or len(value) <= 10:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)


def _as_moment(value: Any, tz: tzinfo) -> datetime | None:
    day = _as_date(value)
    return _day_start(day, tz) if day is not None else _as_datetime(value)


def _day_start(day: date, tz: tzinfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=tz).astimezone(UTC)
