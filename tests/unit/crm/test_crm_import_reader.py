import io
from datetime import date, datetime, time

import openpyxl
import pytest

from skailan.crm.capture.imports.reader import (
    SAMPLE_BYTES,
    ImportFileError,
    cell_text,
    clean_headers,
    open_import,
    sniff_delimiter,
)


def read(data: bytes, filename="personas.csv"):
    reader = open_import(io.BytesIO(data), filename)
    return reader, list(reader.rows())


def refused(data: bytes, filename="personas.csv"):
    with pytest.raises(ImportFileError) as caught:
        reader = open_import(io.BytesIO(data), filename)
        list(reader.rows())
    err = caught.value
    assert err.status == 422
    assert " / " in err.message  # Spanish / English
    return err


# --- CSV: encodings ---------------------------------------------------------------------


def test_utf8_semicolon_with_blank_rows_keeping_row_numbers():
    data = "Nombre;Correo;Celular\r\nMaría Pérez;m@x.co;300 123 4567\r\n;;\r\n\r\nJosé; j@x.co ;\r\n".encode()
    reader, rows = read(data)
    assert reader.encoding == "utf-8"
    assert reader.delimiter == ";"
    assert reader.headers == ["Nombre", "Correo", "Celular"]
    assert rows == [
        (2, {"Nombre": "María Pérez", "Correo": "m@x.co", "Celular": "300 123 4567"}),
        (5, {"Nombre": "José", "Correo": "j@x.co", "Celular": ""}),  # rows 3-4 blank: skipped
    ]
    assert reader.count_rows() == 2


def test_utf8_with_bom():
    reader, rows = read("\ufeffNombre,Correo\nÑandú,n@x.co\n".encode())
    assert reader.encoding == "utf-8-sig"
    assert reader.headers == ["Nombre", "Correo"]
    assert rows == [(2, {"Nombre": "Ñandú", "Correo": "n@x.co"})]


def test_windows_1252_as_excel_saves_it_in_spanish():
    reader, rows = read("Nombre;Ciudad;Nota\nPeña;Bogotá;“ok” – ¿sí?\n".encode("cp1252"))
    assert reader.encoding == "cp1252"
    assert rows == [(2, {"Nombre": "Peña", "Ciudad": "Bogotá", "Nota": "“ok” – ¿sí?"})]


def test_latin1_text_reads_as_windows_1252():
    _, rows = read("Nombre,Ciudad\nJosé,Medellín\n".encode("latin-1"))
    assert rows[0][1] == {"Nombre": "José", "Ciudad": "Medellín"}


def test_single_byte_file_whose_first_accent_comes_late():
    head = "Nombre,Correo\n" + "".join(f"Person {i},p{i}@x.co\n" for i in range(6000))
    assert len(head) > SAMPLE_BYTES
    reader, rows = read((head + "Peña,pena@x.co\n").encode("cp1252"))
    assert reader.encoding == "cp1252"
    assert rows[-1][1]["Nombre"] == "Peña"


def test_utf16_unicode_text_from_excel():
    reader, rows = read("Nombre\tCorreo\r\nPérez, Ana\ta@x.co\r\n".encode("utf-16"))
    assert reader.encoding == "utf-16"
    assert reader.delimiter == "\t"
    assert rows == [(2, {"Nombre": "Pérez, Ana", "Correo": "a@x.co"})]


def test_mixed_encodings_in_the_sample_are_refused():
    data = "Nombre;Ciudad\nPeña;Bogotá\n".encode("cp1252") + "José;Medellín\n".encode()
    assert refused(data).reason == "mixed_encoding"


def test_mixed_encoding_after_the_sample_is_refused_with_its_row():
    head = "Nombre,Correo\nJosé,j@x.co\n" + "".join(f"Person {i},p{i}@x.co\n" for i in range(6000))
    data = head.encode() + "Peña,pena@x.co\n".encode("cp1252")
    err = refused(data)
    assert err.reason == "mixed_encoding"
    assert err.row == 6003  # header, José, 6000 people, then Peña
    assert "fila" in err.message and "row" in err.message


def test_undecodable_bytes_are_refused():
    assert refused(b"Nombre,Correo\nA\x81\x8d,a@x.co\n").reason == "unknown_encoding"


def test_binary_files_are_refused():
    assert refused(b"Nombre\x00,Correo\n").reason == "not_text"


def test_old_xls_is_refused_with_advice():
    err = refused(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "base.xls")
    assert err.reason == "xls_not_supported"
    assert ".xlsx" in err.message


@pytest.mark.parametrize("data", [b"", b"\n\n", b" , ,\n,,\n", "\ufeff".encode()])
def test_files_without_a_header_are_refused(data):
    assert refused(data).reason == "empty_file"


# --- CSV: structure ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "delimiter"),
    [
        ("a,b,c\n1,2,3\n", ","),
        ("a;b;c\n1;2;3\n", ";"),
        ("a\tb\tc\n1\t2\t3\n", "\t"),
        ("a|b|c\n1|2|3\n", "|"),
        ('nombre,nota\n"Pérez; Ana","uno; dos"\n', ","),
        ("nombre;ciudad\nPérez, Ana;Cali\nGómez, Luis;Pasto, Nariño\n", ";"),
        ("email\nana@x.co\n", ","),
    ],
)
def test_sniff_delimiter(text, delimiter):
    assert sniff_delimiter(text) == delimiter


def test_headers_are_trimmed_deduplicated_and_named():
    assert clean_headers([" Nombre ", "NOMBRE", "", "Correo\u00a0 electrónico", "nombre", "", "  "]) == [
        "Nombre",
        "NOMBRE (2)",
        "columna_3",
        "Correo electrónico",
        "nombre (3)",
    ]


def test_short_rows_are_padded_and_cells_past_the_headers_ignored():
    _, rows = read(b"a,b,c\n1\n1,2,3,4,5\n")
    assert rows == [(2, {"a": "1", "b": "", "c": ""}), (3, {"a": "1", "b": "2", "c": "3"})]


def test_quoted_multiline_cells_count_as_one_row():
    _, rows = read(b'nombre,nota\nAna,"linea 1\nlinea 2"\nLuis,x\n')
    assert rows == [(2, {"nombre": "Ana", "nota": "linea 1\nlinea 2"}), (3, {"nombre": "Luis", "nota": "x"})]


def test_header_after_blank_lines():
    reader, rows = read(b"\n,,\nnombre,correo\nAna,a@x.co\n")
    assert reader.headers == ["nombre", "correo"]
    assert rows == [(4, {"nombre": "Ana", "correo": "a@x.co"})]


def test_classic_mac_line_endings():
    _, rows = read(b"a,b\r1,2\r3,4\r")
    assert rows == [(2, {"a": "1", "b": "2"}), (3, {"a": "3", "b": "4"})]


def test_resume_from_a_row():
    data = b"n\n" + b"".join(f"p{i}\n".encode() for i in range(2, 12))
    reader = open_import(io.BytesIO(data), "x.csv")
    assert [n for n, _ in reader.rows(start_row=8)] == [8, 9, 10, 11]
    assert [n for n, _ in reader.rows()] == list(range(2, 12))  # readable again from the top


def test_huge_field_is_malformed():
    err = refused(b"a,b\n1," + b"x" * 200_000 + b"\n")
    assert err.reason == "malformed_csv"


def test_endless_line_is_refused():
    assert refused(b"a,b\n" + b"x" * 1_100_000).reason == "line_too_long"


def test_many_rows_stream():
    data = "Nombre,Celular\n" + "".join(f"Persona {i},300{i:07d}\n" for i in range(30_000))
    reader = open_import(io.BytesIO(data.encode()), "big.csv")
    assert reader.count_rows() == 30_000
    last = None
    for last in reader.rows(start_row=30_000):
        pass
    assert last == (30_001, {"Nombre": "Persona 29999", "Celular": "3000029999"})


# --- XLSX -------------------------------------------------------------------------------


def xlsx(*sheets_rows, formulas=()):
    book = openpyxl.Workbook()
    book.remove(book.active)
    for i, rows in enumerate(sheets_rows):
        sheet = book.create_sheet(f"Hoja{i + 1}")
        for row in rows:
            sheet.append(row)
        for coordinate, formula in formulas:
            sheet[coordinate] = formula
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_xlsx_one_sheet_with_typed_cells():
    data = xlsx(
        [
            ["Nombre", " Celular ", "Nacimiento", "Visita", "Activo", "Peso", None],
            ["Ana", 3001234567, datetime(1990, 3, 15), datetime(2026, 5, 1, 14, 30), True, 72.5],
            [None, None, None],
            ["Luis", 3.0012345e9, date(1985, 1, 2), None, False, 80],
        ]
    )
    reader, rows = read(data, "base.xlsx")
    assert reader.headers == ["Nombre", "Celular", "Nacimiento", "Visita", "Activo", "Peso"]
    assert rows == [
        (2, {"Nombre": "Ana", "Celular": "3001234567", "Nacimiento": "1990-03-15",
             "Visita": "2026-05-01T14:30:00", "Activo": "true", "Peso": "72.5"}),
        (4, {"Nombre": "Luis", "Celular": "3001234500", "Nacimiento": "1985-01-02",
             "Visita": "", "Activo": "false", "Peso": "80"}),
    ]  # fmt: skip
    assert reader.count_rows() == 2
    assert [n for n, _ in reader.rows(start_row=3)] == [4]
    reader.close()


def test_xlsx_detected_by_content_whatever_the_name():
    _, rows = read(xlsx([["Nombre"], ["Ana"]]), "upload.bin")
    assert rows == [(2, {"Nombre": "Ana"})]


def test_xlsx_with_two_sheets_is_refused():
    err = refused(xlsx([["Nombre"], ["Ana"]], [["Otra"]]), "base.xlsx")
    assert err.reason == "not_one_sheet"
    assert "Hoja1, Hoja2" in err.message


def test_xlsx_with_a_formula_is_refused_naming_the_cell():
    data = xlsx([["Nombre", "Total"], ["Ana", 1], ["Luis", 2]], formulas=[("B3", "=B2+1")])
    reader = open_import(io.BytesIO(data), "base.xlsx")
    with pytest.raises(ImportFileError) as caught:
        reader.count_rows()  # the pre-flight pass finds it before anything is written
    assert caught.value.reason == "formula"
    assert caught.value.row == 3
    assert "B3" in caught.value.message


def test_corrupt_xlsx_is_refused():
    assert refused(b"PK\x03\x04 not really a zip", "base.xlsx").reason == "corrupt_xlsx"


def test_empty_xlsx_is_refused():
    assert refused(xlsx([]), "base.xlsx").reason == "empty_file"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        ("  x ", "x"),
        (3001234567.0, "3001234567"),
        (0.1, "0.1"),
        (12, "12"),
        (True, "true"),
        (datetime(2026, 1, 2), "2026-01-02"),
        (datetime(2026, 1, 2, 3, 4, 5), "2026-01-02T03:04:05"),
        (date(2026, 1, 2), "2026-01-02"),
        (time(9, 30), "09:30:00"),
    ],
)
def test_cell_text(value, text):
    assert cell_text(value) == text


def test_error_cells_read_as_blank():
    assert cell_text("#N/A", "e") == ""


def test_utf8_after_a_single_byte_sample_is_refused_with_its_row():
    head = "Nombre,Correo\nPeña,p@x.co\n" + "".join(f"Person {i},p{i}@x.co\n" for i in range(6000))
    data = head.encode("cp1252") + "José,j@x.co\n".encode()
    err = refused(data)
    assert err.reason == "mixed_encoding"
    assert err.row == 6003
