import csv
import io
import json

import pytest

from skailan.crm.capture.imports.errors_csv import errors_csv_header, errors_csv_rows, write_errors_csv
from skailan.crm.capture.imports.mapping import suggest_mapping, validate_mapping
from skailan.crm.capture.imports.reader import open_import
from skailan.crm.capture.imports.rows import (
    CandidatePerson,
    ImportAccumulator,
    InvalidRow,
    _KeyTable,
    build_candidate,
)
from skailan.crm.vocabulary.fields import FieldDefinition

MAPPING = {
    "Nombre": "name",
    "Correo": "email",
    "Celular": "phone",
    "Etiquetas": "tags",
    "Ciudad": "city",
    "Talla": "custom:talla",
    "Peso": "custom:peso",
}
DEFS = {
    "talla": FieldDefinition(key="talla", label="Talla", type="dropdown", options=["S", "M"]),
    "peso": FieldDefinition(key="peso", label="Peso", type="number"),
}


def row(**cells):
    return {header: cells.get(header, "") for header in MAPPING} | cells


def build(number=2, mapping=MAPPING, country="CO", definitions=DEFS, **cells):
    return build_candidate(number, row(**cells), mapping, country, definitions)


# --- candidates -------------------------------------------------------------------------


def test_full_row_is_normalised():
    c = build(
        Nombre="  María   Pérez ",
        Correo=" Maria@X.co",
        Celular="300 123 4567",
        Etiquetas="vip; Cliente, VIP ,",
        Ciudad="Bogotá",
        Talla="m",
        Peso="72,5",
    )
    assert isinstance(c, CandidatePerson)
    assert (c.name, c.email, c.phone) == ("María Pérez", "maria@x.co", "+573001234567")
    assert c.tags == ["vip", "Cliente"]
    assert c.city == "Bogotá"
    assert c.custom == {"talla": "M", "peso": 72.5}
    assert c.warnings == []
    assert c.values["Correo"] == " Maria@X.co"  # the original, for the report
    assert c.match_keys() == [("email", "maria@x.co"), ("phone", "+573001234567")]


def test_first_and_last_name_are_joined():
    mapping = {"N": "first_name", "A": "last_name", "C": "email"}
    c = build_candidate(2, {"N": "Ana", "A": "Gómez Ruiz", "C": "a@x.co"}, mapping, "CO")
    assert c.name == "Ana Gómez Ruiz"
    c = build_candidate(3, {"N": "Ana", "A": "", "C": "a@x.co"}, mapping, "CO")
    assert c.name == "Ana"


def test_name_and_one_contact_is_enough():
    assert build(Nombre="Ana", Correo="a@x.co").phone is None
    assert build(Nombre="Ana", Celular="300 123 4567").email is None


def test_brand_country_reads_national_numbers():
    assert build(Nombre="Ana", Celular="55 1234 5678", country="MX").phone == "+525512345678"
    assert build(Nombre="Ana", Celular="011 15 1234-5678", country="AR").phone == "+5491112345678"


def test_bad_phone_with_good_email_keeps_the_row_with_a_warning():
    c = build(Nombre="Ana", Correo="a@x.co", Celular="123")
    assert isinstance(c, CandidatePerson)
    assert c.phone is None and c.email == "a@x.co"
    [w] = c.warnings
    assert (w.field, w.error) == ("phone", "invalid_phone")
    assert "corto" in w.reason_es and "short" in w.reason_en


def test_bad_email_with_good_phone_keeps_the_row_with_a_warning():
    c = build(Nombre="Ana", Correo="ana@gmail", Celular="300 123 4567")
    assert c.email is None and c.phone == "+573001234567"
    assert [w.field for w in c.warnings] == ["email"]


def test_several_numbers_in_one_cell_keep_the_first_valid():
    c = build(Nombre="Ana", Celular="123 / 310 765 4321 y 300 123 4567")
    assert c.phone == "+573107654321"
    assert [w.error for w in c.warnings] == ["several_phones"]


def test_bad_custom_values_are_dropped_with_a_warning():
    c = build(Nombre="Ana", Correo="a@x.co", Talla="XL", Peso="mucho")
    assert c.custom == {}
    assert [(w.field, w.error) for w in c.warnings] == [
        ("custom.talla", "not_an_option"),
        ("custom.peso", "not_a_number"),
    ]
    assert "Talla" in c.warnings[0].reason_es


def test_without_definitions_custom_values_stay_text():
    c = build(Nombre="Ana", Correo="a@x.co", Talla="XL", definitions=None)
    assert c.custom == {"talla": "XL"}


@pytest.mark.parametrize(
    ("cells", "es", "en"),
    [
        ({"Correo": "a@x.co"}, "Falta el nombre", "Name is missing"),
        ({"Nombre": "Ana"}, "sin celular; sin correo", "no phone; no e-mail"),
        ({"Nombre": "Ana", "Celular": "123", "Correo": "x"}, "celular no válido", "invalid phone"),
        ({"Nombre": "Ana", "Correo": "ana@"}, "correo no válido", "invalid e-mail"),
        ({"Nombre": "  ", "Celular": "abc"}, "Falta el nombre. Se necesita", "Name is missing. A valid"),
    ],
)
def test_invalid_rows_say_why_in_both_languages(cells, es, en):
    result = build(7, **cells)
    assert isinstance(result, InvalidRow)
    assert result.row_number == 7
    assert result.kind == "invalid"
    assert es in result.reason_es
    assert en in result.reason_en


def test_long_values_are_capped():
    c = build(
        Nombre="x" * 300, Correo="a@x.co", Ciudad="y" * 300, Etiquetas=",".join(f"t{i}" for i in range(60))
    )
    assert len(c.name) == 200
    assert len(c.city) == 255
    assert len(c.tags) == 50
    assert {w.error for w in c.warnings} == {"truncated", "too_many"}


# --- accumulator ------------------------------------------------------------------------

SCENARIO = [
    # (row, Nombre, Correo, Celular, outcome the store reports)
    (2, "Ana", "ana@x.co", "300 123 4567", "created"),
    (3, "Luis", "luis@x.co", "", "updated"),
    (4, "Ana bis", "ANA@x.co", "", None),  # duplicate of 2 by e-mail
    (5, "", "sin@nombre.co", "", None),  # invalid: no name
    (6, "Ana tel", "otra@x.co", "+57 300-123-4567", None),  # duplicate of 2 by phone
    (8, "Marta", "", "311 222 3344", "created"),  # row 7 was blank in the file
    (9, "Pedro", "malo@", "123", None),  # invalid: neither contact valid
    (10, "Sofía", "sofia@x.co", "123", "created"),  # valid with a warning
    (11, "Marta 2", "", "(311) 222-3344", None),  # duplicate of 8
    (12, "Luis", "LUIS@X.CO ", "", None),  # duplicate of 3
]


def feed(acc, scenario):
    reported = []
    for number, name, email, phone, outcome in scenario:
        result = acc.add(build(number, Nombre=name, Correo=email, Celular=phone))
        if result is None:
            getattr(acc, f"record_{outcome}")()
        else:
            assert outcome is None
            reported.append(result)
    return reported


def test_scenario_summary_is_exact():
    acc = ImportAccumulator()
    reported = feed(acc, SCENARIO)
    assert acc.summary() == {
        "rows": 10,
        "unique": 4,
        "created": 3,
        "updated": 1,
        "skipped": 0,
        "duplicates": 4,
        "invalid": 2,
    }
    assert [(r.row_number, r.kind) for r in reported] == [
        (4, "duplicate"),
        (5, "invalid"),
        (6, "duplicate"),
        (9, "invalid"),
        (11, "duplicate"),
        (12, "duplicate"),
    ]
    assert reported[0].reason_es == "Duplicado de la fila 2 (mismo correo)"
    assert reported[2].reason_en == "Duplicate of row 2 (same phone)"
    assert reported[4].reason_es == "Duplicado de la fila 8 (mismo celular)"
    assert acc.next_row == 13


def test_argentine_mobile_written_two_ways_is_a_duplicate():
    acc = ImportAccumulator()
    mapping = {"N": "name", "C": "phone"}
    assert acc.add(build_candidate(2, {"N": "A", "C": "+54 9 11 1234-5678"}, mapping, "AR")) is None
    acc.record_created()
    dup = acc.add(build_candidate(3, {"N": "B", "C": "11 1234-5678"}, mapping, "AR"))
    assert dup is not None and dup.kind == "duplicate"


def test_rows_must_come_in_file_order_once():
    acc = ImportAccumulator()
    acc.add(build(5, Nombre="Ana", Correo="a@x.co"))
    acc.record_created()
    with pytest.raises(ValueError):
        acc.add(build(5, Nombre="Ana", Correo="a@x.co"))
    with pytest.raises(ValueError):
        acc.add(build(3, Nombre="Luis", Correo="l@x.co"))


def test_outcomes_cannot_exceed_unique_rows():
    acc = ImportAccumulator()
    acc.add(build(2, Nombre="Ana", Correo="a@x.co"))
    acc.record_updated()
    with pytest.raises(ValueError):
        acc.record_created()


def test_checkpoint_is_refused_while_outcomes_are_pending():
    acc = ImportAccumulator()
    acc.add(build(2, Nombre="Ana", Correo="a@x.co"))
    assert acc.pending == 1
    with pytest.raises(ValueError):
        acc.state()


def test_resume_from_a_checkpoint_counts_every_row_once():
    # Given an import that checkpoints after row 6 and crashes after row 10
    acc = ImportAccumulator()
    feed(acc, SCENARIO[:5])
    saved = json.loads(json.dumps(acc.state()))  # what the caller stores
    feed(acc, SCENARIO[5:8])  # processed, then the Lambda dies: this state is lost

    # When it resumes from the checkpoint, reading from next_row
    resumed = ImportAccumulator.from_state(saved)
    assert resumed.next_row == 7
    remaining = [s for s in SCENARIO if s[0] >= resumed.next_row]
    reported = feed(resumed, remaining)

    # Then the summary equals a run without a crash, duplicates of pre-crash rows included
    assert resumed.summary() == {
        "rows": 10,
        "unique": 4,
        "created": 3,
        "updated": 1,
        "skipped": 0,
        "duplicates": 4,
        "invalid": 2,
    }
    assert reported[-1].reason_es == "Duplicado de la fila 3 (mismo correo)"
    with pytest.raises(ValueError):  # a wrong start_row would re-feed a counted row
        resumed.add(build(6, Nombre="Ana", Correo="z@x.co"))


def test_state_rejects_other_versions_and_corruption():
    state = ImportAccumulator().state()
    with pytest.raises(ValueError):
        ImportAccumulator.from_state(state | {"version": 99})
    with pytest.raises(ValueError):
        ImportAccumulator.from_state(state | {"seen_rows": "AAAAAA=="})


def test_seen_keys_stay_compact_for_100k_rows():
    table = _KeyTable()
    for i in range(1, 200_001):  # 100 000 rows with an e-mail and a phone each
        table.put(i * 0x9E3779B97F4A7C15 % (1 << 64) or 1, i // 2 + 2)
    assert table.count == 200_000
    size = table._keys.itemsize * len(table._keys) + table._rows.itemsize * len(table._rows)
    assert size <= 200_000 * 24  # ≤ 24 bytes per key, arrays included
    assert table.get(0x9E3779B97F4A7C15) == 2
    assert table.get(12345) is None


def test_state_of_a_large_import_round_trips():
    acc = ImportAccumulator()
    mapping = {"N": "name", "E": "email"}
    for i in range(2, 5002):
        assert acc.add(build_candidate(i, {"N": f"P{i}", "E": f"p{i}@x.co"}, mapping, "CO")) is None
        acc.record_created()
    restored = ImportAccumulator.from_state(json.loads(json.dumps(acc.state())))
    dup = restored.add(build_candidate(6000, {"N": "X", "E": "P4000@X.CO"}, mapping, "CO"))
    assert dup is not None and dup.reason_en == "Duplicate of row 4000 (same e-mail)"


# --- errors CSV -------------------------------------------------------------------------


def parse_csv(data: bytes):
    assert data.startswith(b"\xef\xbb\xbf")  # BOM: Excel shows accents
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_errors_csv_lists_invalid_duplicate_and_warning_rows_with_original_values():
    acc = ImportAccumulator()
    items = []
    for number, name, email, phone, outcome in SCENARIO:
        candidate = build(number, Nombre=name, Correo=email, Celular=phone)
        result = acc.add(candidate)
        if result is None:
            getattr(acc, f"record_{outcome}")()
            items.append(candidate)
        else:
            items.append(result)
    headers = list(MAPPING)
    table = parse_csv(write_errors_csv(items, headers))
    assert table[0] == ["row", "kind", "reason_es", "reason_en", *headers]
    assert [(r[0], r[1]) for r in table[1:]] == [
        ("4", "duplicate"),
        ("5", "invalid"),
        ("6", "duplicate"),
        ("9", "invalid"),
        ("10", "warning"),
        ("11", "duplicate"),
        ("12", "duplicate"),
    ]
    assert table[2][2] == "Falta el nombre" and table[2][3] == "Name is missing"
    assert table[2][4:7] == ["", "sin@nombre.co", ""]


def test_errors_csv_parts_concatenate_into_one_file():
    headers = ["Nombre", "Correo"]
    first = InvalidRow(row_number=2, reason_es="a", reason_en="a", values={"Nombre": "x"})
    second = InvalidRow(row_number=9, reason_es="b", reason_en="b", values={"Correo": "y"})
    data = errors_csv_header(headers) + errors_csv_rows([first], headers) + errors_csv_rows([second], headers)
    assert parse_csv(data) == [
        ["row", "kind", "reason_es", "reason_en", "Nombre", "Correo"],
        ["2", "invalid", "a", "a", "x", ""],
        ["9", "invalid", "b", "b", "", "y"],
    ]


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3+cmd", "'-2+3+cmd"),
        ("+57 300 123 4567", "+57 300 123 4567"),
        ("-12,5", "-12,5"),
        ("Ana", "Ana"),
    ],
)
def test_errors_csv_defuses_formulas(cell, written):
    data = write_errors_csv(
        [InvalidRow(row_number=2, reason_es="r", reason_en="r", values={"C": cell})], ["C"]
    )
    assert parse_csv(data)[1][4] == written


# --- the whole pipeline on a file -------------------------------------------------------


def test_pipeline_from_a_csv_file():
    text = (
        "Nombre;Apellido;Correo electrónico;Celular;Etiquetas\n"
        "Ana;Gómez;ana@x.co;300 123 4567;vip\n"
        ";;;;\n"
        "Luis;;;310 765 4321;\n"
        "Ana;G.;ANA@X.CO;;\n"
        ";;s@x.co;;\n"
    )
    reader = open_import(io.BytesIO(text.encode("cp1252")), "base.csv")
    mapping = validate_mapping(suggest_mapping(reader.headers, []), reader.headers, [])
    acc = ImportAccumulator()
    for number, cells in reader.rows():
        if acc.add(build_candidate(number, cells, mapping, "CO")) is None:
            acc.record_created()
    assert acc.summary() == {
        "rows": 4,
        "unique": 2,
        "created": 2,
        "updated": 0,
        "skipped": 0,
        "duplicates": 1,
        "invalid": 1,
    }
