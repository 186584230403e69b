"""The per-row report of an import, as CSV bytes the user opens in Excel.

Columns: `row`, `kind` (invalid | duplicate | warning), `reason_es`, `reason_en`, then the
row's original cells under the file's own headers, so the user can fix and re-upload it.

Written in parts so a long or resumed import never holds the report in memory:
`errors_csv_header(headers)` once, then `errors_csv_rows(items, headers)` per batch; the
concatenation of the parts is the file (e.g. S3 multipart parts, or one object per
checkpoint joined at the end). `write_errors_csv` does it all in one call for small cases.

UTF-8 with a BOM, so Excel shows accents right. Cells that Excel would run as formulas
(`=`, `@`, `+`/`-` followed by something other than a number) are prefixed with `'`
(CSV injection): the file may hold what a third party typed into a form.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterable, Sequence

from skailan.crm.capture.imports.rows import CandidatePerson, InvalidRow

COLUMNS = ("row", "kind", "reason_es", "reason_en")
_NUMBERISH = re.compile(r"[+-][\d\s().,-]*")


def errors_csv_header(source_headers: Sequence[str]) -> bytes:
    return codecs.BOM_UTF8 + _line([*COLUMNS, *source_headers])


def errors_csv_rows(items: Iterable[InvalidRow | CandidatePerson], source_headers: Sequence[str]) -> bytes:
    """Lines for invalid and duplicate rows, and for candidates that carry warnings."""
    out = io.BytesIO()
    for item in items:
        if isinstance(item, InvalidRow):
            cells = [str(item.row_number), item.kind, item.reason_es, item.reason_en]
        elif item.warnings:
            cells = [
                str(item.row_number),
                "warning",
                "; ".join(w.reason_es for w in item.warnings),
                "; ".join(w.reason_en for w in item.warnings),
            ]
        else:
            continue
        out.write(_line(cells + [item.values.get(h, "") for h in source_headers]))
    return out.getvalue()


def write_errors_csv(items: Iterable[InvalidRow | CandidatePerson], source_headers: Sequence[str]) -> bytes:
    return errors_csv_header(source_headers) + errors_csv_rows(items, source_headers)


def _line(cells: Iterable[str]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow([_safe(c) for c in cells])
    return buffer.getvalue().encode("utf-8")


def _safe(cell: str) -> str:
    if cell[:1] in ("=", "@", "\t", "\r") or (cell[:1] in ("+", "-") and not _NUMBERISH.fullmatch(cell)):
        return "'" + cell
    return cell
