"""Read an uploaded CSV or XLSX file as `(row_number, {header: text})`, in bounded memory.

* `open_import(stream, filename)` picks the format by content (an `.xlsx` is a zip), reads
  the header row and returns a reader; `reader.headers` is known before any data row.
* `reader.rows(start_row=n)` streams data rows from row `n` on — row numbers are the ones
  a user sees in Excel (the header is usually row 1), so a crashed import resumes at the
  row after its last checkpoint and error reports point at the right line.
* `reader.count_rows()` is a full pass with the same checks (encoding, formulas) — run it
  first to fail fast before anything is written and to know the total for progress.

Rows whose cells are all blank are skipped (not yielded, not counted) but keep their place
in the numbering. Cells past the last header are ignored; missing cells read as "".

CSV encoding: a BOM decides (UTF-8, UTF-16); otherwise UTF-8 if the bytes are valid UTF-8;
otherwise Windows-1252 (a superset of Latin-1 for printable text — what Excel in Spanish
saves) but only when the bytes are clearly single-byte: a file holding both UTF-8 sequences
and stray high bytes is refused as mixed rather than imported as mojibake.

The stream must be a seekable binary file (a file in /tmp, BytesIO, a spooled temp file):
`rows()` starts over from the top, and openpyxl needs seeking anyway.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Iterator
from datetime import date, datetime, time
from typing import Any, BinaryIO, Protocol

from skailan.crm.values.text import fold
from skailan.platform.errors import Unprocessable
from skailan.platform.i18n import both

SAMPLE_BYTES = 64 * 1024
CHUNK_BYTES = 256 * 1024
MAX_LINE_CHARS = 1_000_000  # a "line" longer than this is not a contacts file
MAX_COLUMNS = 500
MAX_HEADER_CHARS = 200
DELIMITERS = (",", ";", "\t", "|")

# UTF-8 sequences that, read as Windows-1252, are the mojibake of Spanish text: "Ã©", "Â¿",
# "â€œ". Their presence next to invalid UTF-8 means the file mixes encodings.
_UTF8_SIGNATURE = re.compile(rb"[\xc2\xc3][\x80-\xbf]|\xe2\x80[\x80-\xbf]")


class ImportFileError(Unprocessable):
    """The file as a whole cannot be imported; `reason` is a stable code."""

    code = "invalid_import_file"

    def __init__(self, reason: str, es: str, en: str, *, row: int | None = None) -> None:
        super().__init__(both(es, en), details={"reason": reason, "row": row})
        self.reason, self.message_es, self.message_en, self.row = reason, es, en, row


class ImportReader(Protocol):
    headers: list[str]
    header_row: int  # the row number of the headers (rows before it were blank)

    def rows(self, start_row: int = 0) -> Iterator[tuple[int, dict[str, str]]]: ...

    def count_rows(self) -> int: ...

    def close(self) -> None: ...


def open_import(stream: BinaryIO, filename: str | None = None) -> ImportReader:
    """A reader for `stream` (CSV or XLSX), with `headers` already read."""
    head = stream.read(8)
    stream.seek(0)
    name = (filename or "").lower()
    if head.startswith(b"\xd0\xcf\x11\xe0") or name.endswith(".xls"):
        raise ImportFileError(
            "xls_not_supported",
            "El formato .xls (Excel 97-2003) no es compatible: guárdelo como .xlsx o CSV",
            "The .xls format (Excel 97-2003) is not supported: save it as .xlsx or CSV",
        )
    if head.startswith(b"PK\x03\x04") or name.endswith((".xlsx", ".xlsm")):
        return XlsxReader(stream)
    return CsvReader(stream)


def clean_headers(cells: list[str]) -> list[str]:
    """Trimmed, non-empty, unique headers; trailing blank columns (Excel residue) dropped."""
    names = [" ".join(str(c).replace("\ufeff", "").split())[:MAX_HEADER_CHARS] for c in cells]
    while names and not names[-1]:
        names.pop()
    if len(names) > MAX_COLUMNS:
        raise ImportFileError(
            "too_many_columns",
            f"El archivo tiene más de {MAX_COLUMNS} columnas",
            f"The file has more than {MAX_COLUMNS} columns",
        )
    out: list[str] = []
    seen: set[str] = set()
    for i, name in enumerate(names, start=1):
        name = name or f"columna_{i}"
        candidate, n = name, 1
        while fold(candidate) in seen:  # "Email" and "EMAIL" would confuse the mapping step
            n += 1
            candidate = f"{name} ({n})"
        seen.add(fold(candidate))
        out.append(candidate)
    return out


def _row_dict(headers: list[str], cells: list[str]) -> dict[str, str]:
    return {h: (cells[i].strip() if i < len(cells) else "") for i, h in enumerate(headers)}


def _no_headers() -> ImportFileError:
    return ImportFileError(
        "empty_file", "El archivo está vacío o no tiene encabezados", "The file is empty or has no header row"
    )


class _TableReader:
    """What the CSV and XLSX readers share: the first record is the header row; rows are the
    non-blank records after it. Subclasses give `_records_from(min_row)`."""

    header_row: int
    headers: list[str]

    def _records_from(self, min_row: int) -> Iterator[tuple[int, list[str]]]:
        raise NotImplementedError

    def _read_headers(self, first: tuple[int, list[str]] | None) -> None:
        if first is None:
            self.close()
            raise _no_headers()
        self.header_row, cells = first
        self.headers = clean_headers(cells)
        if not self.headers:
            raise _no_headers()

    def rows(self, start_row: int = 0) -> Iterator[tuple[int, dict[str, str]]]:
        for number, cells in self._records_from(max(start_row, self.header_row + 1)):
            row = _row_dict(self.headers, cells)
            if any(row.values()):
                yield number, row

    def count_rows(self) -> int:
        return sum(1 for _ in self.rows())

    def close(self) -> None:
        """Nothing to release by default."""


# --- CSV ------------------------------------------------------------------------------


class CsvReader(_TableReader):
    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self.encoding = detect_encoding(stream)
        sample = stream.read(SAMPLE_BYTES)
        stream.seek(0)
        text = codecs.getincrementaldecoder(self.encoding)().decode(sample, final=False)
        self._cr_only = "\n" not in text and "\r" in text  # classic Mac line endings
        if self._cr_only:
            text = text.replace("\r", "\n")
        if len(sample) == SAMPLE_BYTES and "\n" in text:
            text = text[: text.rindex("\n") + 1]  # whole lines only
        self.delimiter = sniff_delimiter(text)
        self._read_headers(next(self._records(), None))

    def _records_from(self, min_row: int) -> Iterator[tuple[int, list[str]]]:
        return ((number, cells) for number, cells in self._records() if number >= min_row)

    def close(self) -> None:
        """Nothing to release: the caller owns the stream."""

    def _records(self) -> Iterator[tuple[int, list[str]]]:
        """Non-blank records with their 1-based record number (blank ones keep their number)."""
        self._stream.seek(0)
        lines = _decoded_lines(self._stream, self.encoding, self._cr_only)
        reader = csv.reader(lines, delimiter=self.delimiter)
        number = 0
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as err:
                raise ImportFileError(
                    "malformed_csv",
                    f"CSV mal formado cerca de la fila {number + 1}: {err}",
                    f"Malformed CSV near row {number + 1}: {err}",
                    row=number + 1,
                ) from None
            except _DecodeFailure:
                raise ImportFileError(
                    "mixed_encoding",
                    f"Codificación inválida o mezclada cerca de la fila {number + 1}; guarde el archivo como CSV UTF-8",
                    f"Invalid or mixed text encoding near row {number + 1}; save the file as CSV UTF-8",
                    row=number + 1,
                ) from None
            number += 1
            if any(c.strip() for c in cells):
                yield number, cells


class _DecodeFailure(Exception):
    pass


def detect_encoding(stream: BinaryIO) -> str:
    """The codec of a CSV (see module doc), or ImportFileError; leaves `stream` at 0.

    Decided on the first 64 KiB, or — when those are plain ASCII — on the first chunk that
    is not: a file whose first accent comes late must not be guessed from its ASCII head.
    """
    sample = stream.read(SAMPLE_BYTES)
    while sample.isascii() and b"\x00" not in sample:
        chunk = stream.read(CHUNK_BYTES)
        if not chunk:
            break
        if not chunk.isascii():
            sample = chunk
    stream.seek(0)
    return _encoding_of(sample)


def _encoding_of(sample: bytes) -> str:
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in sample:
        raise ImportFileError(
            "not_text",
            "El archivo no es un CSV de texto (¿es otro formato?)",
            "The file is not a text CSV (is it another format?)",
        )
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    if _UTF8_SIGNATURE.search(sample):
        raise ImportFileError(
            "mixed_encoding",
            "El archivo mezcla codificaciones de texto (UTF-8 y otra); guárdelo como CSV UTF-8",
            "The file mixes text encodings (UTF-8 and another); save it as CSV UTF-8",
        )
    try:
        sample.decode("cp1252")
    except UnicodeDecodeError:
        raise ImportFileError(
            "unknown_encoding",
            "No se reconoce la codificación del archivo; guárdelo como CSV UTF-8",
            "The file's text encoding is not recognised; save it as CSV UTF-8",
        ) from None
    return "cp1252"


def _decoded_lines(stream: BinaryIO, encoding: str, cr_only: bool) -> Iterator[str]:
    """Whole lines of text (ending in "\\n"), decoded chunk by chunk."""
    decoder = codecs.getincrementaldecoder(encoding)()
    single_byte = encoding == "cp1252"
    tail = b""
    buffer = ""
    while True:
        chunk = stream.read(CHUNK_BYTES)
        if single_byte and (mixed := _UTF8_SIGNATURE.search(tail + chunk)):
            good = buffer + chunk[: max(mixed.start() - len(tail), 0)].decode(encoding, "replace")
            if "\n" in good:
                yield from _split_lines(good[: good.rindex("\n") + 1])
            raise _DecodeFailure
        tail = chunk[-2:]
        try:
            text = decoder.decode(chunk, final=not chunk)
        except UnicodeDecodeError as err:
            if encoding.startswith("utf-8"):
                # Hand over the whole lines before the bad byte so the error names its row.
                good = buffer + err.object[: err.start].decode(encoding)
                if "\n" in good:
                    yield from _split_lines(good[: good.rindex("\n") + 1])
            raise _DecodeFailure from None
        if cr_only:
            text = text.replace("\r", "\n")
        buffer += text
        if "\n" in buffer:
            cut = buffer.rindex("\n") + 1
            yield from _split_lines(buffer[:cut])
            buffer = buffer[cut:]
        if len(buffer) > MAX_LINE_CHARS:
            raise ImportFileError(
                "line_too_long", "Una línea del archivo es demasiado larga", "A line of the file is too long"
            )
        if not chunk:
            if buffer:
                yield buffer
            return


def _split_lines(text: str) -> Iterator[str]:
    # Only "\n" ends a line: str.splitlines would also split on \x0b, \x1c, U+2028…
    start = 0
    while (end := text.find("\n", start)) != -1:
        yield text[start : end + 1]
        start = end + 1


def sniff_delimiter(text: str) -> str:
    """The delimiter among `DELIMITERS` that splits `text` into the most consistent table."""
    best, best_score = ",", (False, 0.0, 0)
    for delimiter in DELIMITERS:
        try:
            records = [r for r in _take(csv.reader(io.StringIO(text), delimiter=delimiter), 50) if any(r)]
        except csv.Error:
            continue
        if not records:
            continue
        width = len(records[0])
        consistency = sum(len(r) == width for r in records) / len(records)
        score = (width > 1, consistency, width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _take(iterator: Iterator[list[str]], n: int) -> Iterator[list[str]]:
    for i, item in enumerate(iterator):
        if i >= n:
            return
        yield item


# --- XLSX -----------------------------------------------------------------------------


class XlsxReader(_TableReader):
    def __init__(self, stream: BinaryIO) -> None:
        from openpyxl import load_workbook  # heavy import: only for XLSX uploads
        from openpyxl.utils.exceptions import InvalidFileException

        try:
            self._book = load_workbook(stream, read_only=True, data_only=False, keep_links=False)
        except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError, TypeError) as err:
            raise ImportFileError(
                "corrupt_xlsx",
                "El archivo Excel está dañado o no es un .xlsx",
                "The Excel file is damaged or is not an .xlsx",
            ) from err
        names = self._book.sheetnames
        if len(names) != 1:
            self._book.close()
            listed = ", ".join(names[:5])
            raise ImportFileError(
                "not_one_sheet",
                f"El archivo debe tener una sola hoja; tiene {len(names)} ({listed})",
                f"The file must have exactly one sheet; it has {len(names)} ({listed})",
            )
        self._sheet = self._book[names[0]]
        self._read_headers(next(self._records(), None))

    def _records_from(self, min_row: int) -> Iterator[tuple[int, list[str]]]:
        return self._records(min_row=min_row)

    def close(self) -> None:
        self._book.close()

    def _records(self, min_row: int = 1) -> Iterator[tuple[int, list[str]]]:
        if not hasattr(self._sheet, "iter_rows"):  # a chart sheet
            raise _no_headers()
        for number, row in enumerate(self._sheet.iter_rows(min_row=min_row), start=min_row):
            cells = []
            for cell in row:
                if cell.data_type == "f":
                    where = getattr(cell, "coordinate", f"fila {number}")
                    raise ImportFileError(
                        "formula",
                        f"La celda {where} tiene una fórmula; pegue solo los valores y vuelva a subirlo",
                        f"Cell {where} has a formula; paste values only and upload it again",
                        row=number,
                    )
                cells.append(cell_text(cell.value, cell.data_type))
            if any(cells):
                yield number, cells


def cell_text(value: Any, data_type: str = "s") -> str:
    """A cell value as import text: numbers without ".0", dates as ISO-8601."""
    if value is None or data_type == "e":  # "e": an error value such as #N/A
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        if value.time() == time(0):
            return value.date().isoformat()
        return value.isoformat(timespec="seconds")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, float):
        # Phones typed into Excel become floats (3001234567.0): keep their digits.
        if value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        return repr(value)
    return str(value).strip()
