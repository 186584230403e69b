from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skailan.crm.audiences.rules import MAX_CONDITIONS, Group, Op, matches, parse_rule, referenced_fields
from skailan.crm.vocabulary.fields import FieldDefinition
from skailan.platform.errors import Unprocessable

FIELDS = [
    FieldDefinition(key="ciudad", label="Ciudad", type="short_text"),
    FieldDefinition(key="peso", label="Peso", type="number"),
    FieldDefinition(key="nacimiento", label="Nacimiento", type="date"),
    FieldDefinition(key="talla", label="Talla", type="dropdown", options=["S", "M", "Grande"]),
    FieldDefinition(key="intereses", label="Intereses", type="multi_select", options=["Fútbol", "Cine"]),
    FieldDefinition(key="hijos", label="Hijos", type="boolean"),
    FieldDefinition(key="fijo", label="Fijo", type="phone"),
]

NOW = datetime(2026, 5, 10, 15, 0, tzinfo=UTC)

PERSON = {
    "name": "María José Pérez",
    "email": "maria@gmail.com",
    "phone": "+573001234567",
    "tags": ["VIP", "Cliente frecuente"],
    "journey_state": "js_prospecto",
    "customer_role": "role_mayorista",
    "owner_id": "usr_1",
    "lead_status": "in_progress",
    "last_interaction_at": "2026-05-05T10:00:00.000Z",
    "created_at": "2025-01-15T08:30:00.000Z",
    "channels": ["whatsapp", "email"],
    "custom": {
        "ciudad": "Bogotá",
        "peso": 72.5,
        "nacimiento": "1990-03-15",
        "talla": "M",
        "intereses": ["Fútbol"],
        "hijos": False,
        "fijo": "+576012345678",
    },
}


def cond(field, op, value=None):
    c = {"field": field, "op": op}
    if op not in ("exists", "not_exists"):
        c["value"] = value
    return c


def check(field, op, value=None, person=PERSON, now=NOW, tz=UTC):
    rule = parse_rule({"all": [cond(field, op, value)]}, FIELDS)
    return matches(rule, person, now, tz)


def errors(data):
    with pytest.raises(Unprocessable) as caught:
        parse_rule(data, FIELDS)
    return [(d["path"], d["error"]) for d in caught.value.details]


# --- validation -------------------------------------------------------------------------


def test_a_valid_tree_round_trips_through_json():
    data = {
        "all": [
            cond("tags", "has_tag", "vip"),
            {
                "any": [
                    cond("journey_state", "eq", "js_prospecto"),
                    cond("last_interaction_at", "within_last_days", 30),
                    cond("custom.talla", "in", ["grande", "m"]),
                ]
            },
            cond("email", "exists"),
        ]
    }
    rule = parse_rule(data, FIELDS)
    assert isinstance(rule, Group)
    assert rule.to_json()["all"][1]["any"][2]["value"] == ["Grande", "M"]  # canonical option spelling
    assert parse_rule(rule.to_json(), FIELDS) == rule


def test_errors_name_the_json_path_of_each_bad_node():
    data = {
        "all": [
            cond("nombre", "eq", "x"),
            cond("tags", "eq", "vip"),
            {"any": []},
            "email",
            cond("lead_status", "in", ["lost"]),
            {"any": [cond("name", "like", "a"), cond("channel", "eq", "fax")]},
            {"field": "name", "op": "eq", "value": "a", "extra": 1},
            cond("custom.nope", "eq", "x"),
            cond("email", "exists") | {"value": "x"},
        ]
    }
    assert errors(data) == [
        ("$.all[0].field", "unknown_field"),
        ("$.all[1].op", "op_not_allowed"),
        ("$.all[2].any", "empty_group"),
        ("$.all[3]", "not_a_condition"),
        ("$.all[4].value[0]", "invalid_value"),
        ("$.all[5].any[0].op", "unknown_op"),
        ("$.all[5].any[1].value", "invalid_value"),
        ("$.all[6].extra", "unknown_key"),
        ("$.all[7].field", "unknown_field"),
        ("$.all[8].value", "unexpected_value"),
    ]


@pytest.mark.parametrize(
    "data",
    [None, [], "all", {}, {"all": []}, {"none": [cond("name", "eq", "a")]}, {"all": [], "any": []}],
)
def test_the_root_must_be_a_non_empty_group(data):
    with pytest.raises(Unprocessable) as caught:
        parse_rule(data, FIELDS)
    assert caught.value.details[0]["path"].startswith("$")


def test_a_bare_condition_is_not_a_rule():
    assert errors(cond("name", "eq", "a")) == [("$", "not_a_group")]


def nest(depth):
    node = {"all": [cond("name", "eq", "a")]}
    for _ in range(depth - 1):
        node = {"any": [node]}
    return node


def test_depth_limit_is_five_groups():
    parse_rule(nest(5), FIELDS)
    assert errors(nest(6)) == [("$.any[0].any[0].any[0].any[0].any[0]", "too_deep")]


def test_condition_limit():
    parse_rule({"all": [cond("name", "eq", "a")] * MAX_CONDITIONS}, FIELDS)
    assert errors({"all": [cond("name", "eq", "a")] * (MAX_CONDITIONS + 1)}) == [("$", "too_many_conditions")]


@pytest.mark.parametrize(
    ("field", "op", "value"),
    [
        ("name", "gt", "a"),  # order op on text
        ("tags", "contains", "vip"),  # tags use has_tag
        ("last_interaction_at", "eq", "2026-05-01"),  # timestamps compare by range
        ("lead_status", "exists", None),  # always has a value
        ("custom.hijos", "contains", "x"),
        ("custom.peso", "starts_with", "7"),
        ("custom.intereses", "eq", "Cine"),
        ("owner_id", "contains", "usr"),
        ("channel", "starts_with", "w"),
    ],
)
def test_op_type_mismatch(field, op, value):
    assert errors({"all": [cond(field, op, value)]}) == [("$.all[0].op", "op_not_allowed")]


@pytest.mark.parametrize(
    ("field", "op", "value", "code"),
    [
        ("name", "eq", "", "invalid_value"),
        ("name", "eq", 5, "invalid_value"),
        ("name", "eq", "x" * 256, "invalid_value"),
        ("name", "in", "a", "expected_list"),
        ("name", "in", [], "expected_list"),
        ("name", "in", ["a"] * 101, "expected_list"),
        ("phone", "contains", "abc", "invalid_value"),
        ("last_interaction_at", "within_last_days", 0, "invalid_days"),
        ("last_interaction_at", "within_last_days", "7", "invalid_days"),
        ("last_interaction_at", "within_last_days", True, "invalid_days"),
        ("last_interaction_at", "before_days_ago", 36_501, "invalid_days"),
        ("created_at", "gt", "ayer", "invalid_value"),
        ("created_at", "gt", 20260101, "invalid_value"),
        ("custom.peso", "gt", "70", "invalid_value"),
        ("custom.peso", "gt", True, "invalid_value"),
        ("custom.peso", "gt", float("nan"), "invalid_value"),
        ("custom.peso", "gt", 10**400, "invalid_value"),
        ("custom.nacimiento", "eq", "15/03/1990", "invalid_value"),
        ("custom.hijos", "eq", "sí", "invalid_value"),
        ("custom.talla", "eq", "XL", "invalid_value"),
        ("custom.intereses", "has_any", ["Cine", "Teatro"], "invalid_value"),
        ("channel", "eq", "fax", "invalid_value"),
        ("lead_status", "eq", "lost", "invalid_value"),
    ],
)
def test_value_type_mismatch(field, op, value, code):
    [(path, error)] = errors({"all": [cond(field, op, value)]})
    assert error == code
    assert path.startswith("$.all[0].value")


def test_error_messages_are_bilingual():
    with pytest.raises(Unprocessable) as caught:
        parse_rule({"all": [cond("nombre", "eq", "x")]}, FIELDS)
    assert caught.value.details[0]["message"] == "Campo desconocido / Unknown field"
    assert caught.value.status == 422


def test_referenced_fields():
    rule = parse_rule(
        {
            "all": [
                cond("tags", "has_tag", "a"),
                {"any": [cond("custom.ciudad", "eq", "x"), cond("channel", "exists")]},
            ]
        },
        FIELDS,
    )
    assert referenced_fields(rule) == {"tags", "custom.ciudad", "channel"}


# --- evaluation: one row per op and field kind -----------------------------------------

CASES = [
    # text: accent- and case-insensitive
    ("name", "eq", "maria jose perez", True),
    ("name", "eq", "María", False),
    ("name", "neq", "María", True),
    ("name", "contains", "JOSE", True),
    ("name", "not_contains", "jose", False),
    ("name", "starts_with", "mari", True),
    ("name", "starts_with", "jose", False),
    ("name", "in", ["Ana", "MARÍA JOSÉ PÉREZ"], True),
    ("name", "not_in", ["Ana"], True),
    ("email", "contains", "@GMAIL", True),
    ("email", "exists", None, True),
    ("email", "not_exists", None, False),
    # phone: by digits
    ("phone", "eq", "+57 300 123 4567", True),
    ("phone", "contains", "300 123", True),
    ("phone", "starts_with", "+57", True),
    ("phone", "starts_with", "+52", False),
    ("phone", "not_contains", "999", True),
    # tags
    ("tags", "has_tag", "vip", True),
    ("tags", "has_tag", "cliente", False),
    ("tags", "has_any", ["nuevo", "cliente frecuente"], True),
    ("tags", "has_all", ["vip", "cliente frecuente"], True),
    ("tags", "has_all", ["vip", "nuevo"], False),
    ("tags", "not_contains", "vip", False),
    ("tags", "not_contains", "nuevo", True),
    ("tags", "not_in", ["nuevo", "baja"], True),
    ("tags", "not_in", ["nuevo", "VIP"], False),
    ("tags", "exists", None, True),
    # ids
    ("journey_state", "eq", "js_prospecto", True),
    ("journey_state", "eq", "JS_PROSPECTO", False),  # ids are exact
    ("customer_role", "neq", "role_proveedor", True),
    ("owner_id", "in", ["usr_2", "usr_1"], True),
    ("owner_id", "not_in", ["usr_1"], False),
    ("owner_id", "not_exists", None, False),
    # lead status
    ("lead_status", "eq", "in_progress", True),
    ("lead_status", "neq", "completed", True),
    ("lead_status", "in", ["none", "completed"], False),
    ("lead_status", "not_in", ["none"], True),
    # channels: element-wise
    ("channel", "eq", "whatsapp", True),
    ("channel", "eq", "telegram", False),
    ("channel", "neq", "telegram", True),
    ("channel", "in", ["sms", "email"], True),
    ("channel", "not_in", ["sms", "telegram"], True),
    ("channel", "has_any", ["sms"], False),
    ("channel", "has_all", ["whatsapp", "email"], True),
    ("channel", "exists", None, True),
    # timestamps (NOW = 2026-05-10 15:00Z; last interaction 2026-05-05 10:00Z)
    ("last_interaction_at", "within_last_days", 7, True),
    ("last_interaction_at", "within_last_days", 3, False),
    ("last_interaction_at", "before_days_ago", 3, True),
    ("last_interaction_at", "before_days_ago", 7, False),
    ("last_interaction_at", "gt", "2026-05-04", True),
    ("last_interaction_at", "gt", "2026-05-05", False),  # not after that whole day
    ("last_interaction_at", "gte", "2026-05-05", True),
    ("last_interaction_at", "lt", "2026-05-05", False),
    ("last_interaction_at", "lte", "2026-05-05", True),
    ("last_interaction_at", "gt", "2026-05-05T09:59:59Z", True),
    ("last_interaction_at", "lt", "2026-05-05T10:00:01+00:00", True),
    ("last_interaction_at", "lte", "2026-05-05T05:00:00-05:00", True),  # same instant
    ("created_at", "lt", "2025-02-01", True),
    ("created_at", "exists", None, True),
    # custom text / dropdown / multi-select / number / date / boolean / phone
    ("custom.ciudad", "eq", "bogota", True),
    ("custom.ciudad", "contains", "GOT", True),
    ("custom.ciudad", "not_exists", None, False),
    ("custom.talla", "eq", "m", True),
    ("custom.talla", "in", ["S", "Grande"], False),
    ("custom.talla", "not_in", ["S", "Grande"], True),
    ("custom.intereses", "has_tag", "futbol", True),
    ("custom.intereses", "has_any", ["Cine"], False),
    ("custom.intereses", "not_contains", "Cine", True),
    ("custom.peso", "eq", 72.5, True),
    ("custom.peso", "gt", 70, True),
    ("custom.peso", "gte", 72.5, True),
    ("custom.peso", "lt", 72.5, False),
    ("custom.peso", "lte", 80, True),
    ("custom.peso", "in", [1, 72.5], True),
    ("custom.peso", "neq", 72.5, False),
    ("custom.nacimiento", "eq", "1990-03-15", True),
    ("custom.nacimiento", "lt", "2000-01-01", True),
    ("custom.nacimiento", "gt", "1990-03-15", False),
    ("custom.nacimiento", "before_days_ago", 365, True),
    ("custom.nacimiento", "within_last_days", 365, False),
    ("custom.hijos", "eq", False, True),
    ("custom.hijos", "neq", True, True),
    ("custom.hijos", "exists", None, True),  # False is a value
    ("custom.fijo", "contains", "601 234", True),
    ("custom.fijo", "eq", "+57 601 234 5678", True),
]


@pytest.mark.parametrize(("field", "op", "value", "expected"), CASES)
def test_each_op(field, op, value, expected):
    assert check(field, op, value) is expected


def test_every_op_is_exercised():
    assert {Op(op) for _, op, _, _ in CASES} == set(Op)


EMPTY = {"name": "Ana", "created_at": "2026-05-01T00:00:00Z", "custom": {}}


@pytest.mark.parametrize(
    ("field", "op", "value", "expected"),
    [
        ("email", "eq", "a@x.co", False),
        ("email", "neq", "a@x.co", True),  # negations are exact complements
        ("email", "not_contains", "gmail", True),
        ("email", "not_in", ["a@x.co"], True),
        ("email", "not_exists", None, True),
        ("tags", "not_exists", None, True),
        ("tags", "has_any", ["vip"], False),
        ("channel", "not_exists", None, True),
        ("lead_status", "eq", "none", True),  # missing status is "none"
        ("last_interaction_at", "before_days_ago", 1, False),
        ("last_interaction_at", "not_exists", None, True),
        ("custom.peso", "lt", 100, False),
        ("custom.peso", "neq", 1, True),
        ("custom.hijos", "eq", False, False),
    ],
)
def test_missing_values(field, op, value, expected):
    assert check(field, op, value, person=EMPTY) is expected


def test_all_and_any_groups():
    rule = parse_rule(
        {
            "all": [
                cond("tags", "has_tag", "vip"),
                {"any": [cond("custom.ciudad", "eq", "Cali"), cond("channel", "eq", "whatsapp")]},
            ]
        },
        FIELDS,
    )
    assert matches(rule, PERSON, NOW)
    assert not matches(rule, PERSON | {"channels": ["sms"]}, NOW)
    assert not matches(rule, PERSON | {"tags": []}, NOW)


def test_date_only_values_use_the_brand_time_zone():
    bogota = timezone(timedelta(hours=-5))
    person = PERSON | {"last_interaction_at": "2026-05-05T03:00:00Z"}  # 4 May 22:00 in Bogotá
    assert check("last_interaction_at", "lte", "2026-05-04", person=person, tz=bogota)
    assert not check("last_interaction_at", "lte", "2026-05-04", person=person, tz=UTC)


def test_future_timestamps_are_not_within_the_last_days():
    person = PERSON | {"last_interaction_at": (NOW + timedelta(hours=1)).isoformat()}
    assert not check("last_interaction_at", "within_last_days", 1, person=person)


def test_unparseable_stored_dates_never_match():
    assert not check(
        "last_interaction_at", "gt", "2000-01-01", person=PERSON | {"last_interaction_at": "ayer"}
    )


def test_now_must_be_aware():
    rule = parse_rule({"all": [cond("name", "exists")]}, FIELDS)
    with pytest.raises(ValueError):
        matches(rule, PERSON, datetime(2026, 5, 10))


# --- property: any JSON-ish tree validates or raises Unprocessable, never anything else -

FIELD_NAMES = [
    "name", "email", "phone", "tags", "journey_state", "lead_status", "last_interaction_at",
    "channel", "custom.ciudad", "custom.peso", "custom.talla", "custom.intereses", "custom.hijos",
    "custom.nacimiento", "custom.nope", "nope",
]  # fmt: skip
values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["vip", "M", "Grande", "whatsapp", "none", "2026-05-01", "2026-05-01T10:00:00Z", "300"]),
    st.lists(
        st.one_of(st.text(max_size=5), st.integers(), st.sampled_from(["M", "Cine", "sms"])), max_size=4
    ),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)
conditions = st.fixed_dictionaries(
    {"field": st.one_of(st.sampled_from(FIELD_NAMES), st.integers()), "op": st.one_of(st.sampled_from([o.value for o in Op] + ["like"]), st.none())},
    optional={"value": values, "junk": st.integers()},
)  # fmt: skip
trees = st.recursive(
    conditions,
    lambda children: st.one_of(
        st.builds(lambda xs: {"all": xs}, st.lists(children, max_size=4)),
        st.builds(lambda xs: {"any": xs}, st.lists(children, max_size=4)),
        st.lists(children, max_size=2),
        values,
    ),
    max_leaves=30,
)


@settings(max_examples=300)
@given(tree=trees)
def test_random_trees_validate_or_raise_unprocessable(tree):
    try:
        rule = parse_rule(tree, FIELDS)
    except Unprocessable as err:
        assert err.details and all(d["path"].startswith("$") for d in err.details)
        return
    assert parse_rule(rule.to_json(), FIELDS) == rule
    matches(rule, PERSON, NOW)  # a valid rule always evaluates
    matches(rule, EMPTY, NOW)


# --- property: De Morgan — negating every op and swapping all/any negates the result ---

FLIP = {"eq": "neq", "neq": "eq", "contains": "not_contains", "not_contains": "contains",
        "in": "not_in", "not_in": "in", "exists": "not_exists", "not_exists": "exists"}  # fmt: skip


def _flippable(field, op, value):
    if op not in FLIP:
        return False
    try:
        parse_rule({"all": [cond(field, FLIP[op], value)]}, FIELDS)
    except Unprocessable:
        return False
    return True


FLIPPABLE = [cond(f, o, v) for f, o, v, _ in CASES if _flippable(f, o, v)]


def negate(node):
    if "field" in node:
        return {**node, "op": FLIP[node["op"]]}
    mode, items = next(iter(node.items()))
    return {"any" if mode == "all" else "all": [negate(i) for i in items]}


valid_trees = st.recursive(
    st.sampled_from(FLIPPABLE),
    lambda children: st.builds(
        lambda mode, xs: {mode: xs},
        st.sampled_from(["all", "any"]),
        st.lists(children, min_size=1, max_size=3),
    ),
    max_leaves=20,
)


@settings(max_examples=200)
@given(tree=valid_trees, person=st.sampled_from([PERSON, EMPTY]))
def test_negated_tree_matches_exactly_the_other_people(tree, person):
    data = tree if "field" not in tree else {"all": [tree]}
    try:
        rule = parse_rule(data, FIELDS)
    except Unprocessable as err:  # only the size limits can refuse these trees
        assert {d["error"] for d in err.details} <= {"too_deep", "too_many_conditions"}
        return
    assert matches(parse_rule(negate(data), FIELDS), person, NOW) is not matches(rule, person, NOW)
