"""From a mapped file row to a candidate person, and the running import summary.

`build_candidate` applies the product rule (SPEC §4, Keybe *Conecta*): a person needs a
name plus a valid phone or a valid e-mail. A bad phone next to a good e-mail (or the
reverse) keeps the row and drops the bad value with a warning; a bad custom value is
dropped with a warning too. Blank cells never erase stored data: they are simply absent.

`ImportAccumulator` sees candidates in file order and sorts each row into invalid,
duplicate (same e-mail or phone as an earlier accepted row of the same file) or unique; the
caller upserts the unique ones and reports created/updated back.

Memory: the keys already seen are 8-byte BLAKE2b digests of `email:<e>` / `phone:<key>`
in an open-addressing table of two flat arrays (uint64 digest + uint32 first row), kept at
most 3/4 full: 16–24 bytes per key, about 4 MB for 100 000 rows that each have an e-mail
and a phone (a Python set would take ~78 bytes per int key, ~116 per string key). A
false "duplicate" needs two different keys with equal 64-bit digests: ~1e-9 for 200 000.

Checkpoint and resume without double counting:
1. After feeding rows up to N *and* recording the created/updated outcome of every unique
   one (`pending == 0`), the caller saves `state()` (JSON; a few MB for 100 000 rows, so
   S3 beside the upload rather than a DynamoDB item). `state()` refuses while outcomes
   are pending, so a checkpoint never holds a half-counted row.
2. After a crash: `ImportAccumulator.from_state(saved)` and
   `reader.rows(start_row=acc.next_row)`. Rows up to N are neither re-read nor re-counted;
   rows after N were counted only in the lost in-memory state, so they are counted once.
   `add` refuses rows at or before the last one fed, which catches a wrong `start_row`.
3. A row after N may already have been written before the crash; its replay then finds
   the person and would count "updated". To keep "created" right the caller stamps people
   it creates with the import id and row, and reports "created" when the match carries
   this import's stamp for this row.
"""

from __future__ import annotations

import base64
import hashlib
import re
import sys
from array import array
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from skailan.crm.capture.imports.mapping import CUSTOM_PREFIX
from skailan.crm.values.emails import InvalidEmail, normalize_email
from skailan.crm.values.phones import InvalidPhone, normalize_phone, phone_match_key
from skailan.crm.values.text import fold
from skailan.crm.vocabulary.fields import FieldDefinition, FieldValueError, coerce_value

MAX_NAME = 200
MAX_TAGS = 50
MAX_TAG = 50
TEXT_LIMITS = {"city": 255, "company": 255, "notes": 10_000}
_PHONE_SEPARATORS = re.compile(r"\s*[/;,|]\s*|\s+(?:y|o|or|and)\s+")


class RowWarning(BaseModel):
    model_config = ConfigDict(frozen=True)

    field: str
    error: str
    reason_es: str
    reason_en: str


class CandidatePerson(BaseModel):
    """A valid row, normalised; `values` is the original row for the errors report."""

    row_number: int
    name: str
    email: str | None = None
    phone: str | None = None
    tags: list[str] = Field(default_factory=list)
    city: str | None = None
    company: str | None = None
    notes: str | None = None
    custom: dict[str, Any] = Field(default_factory=dict)
    warnings: list[RowWarning] = Field(default_factory=list)
    values: dict[str, str] = Field(default_factory=dict)

    def match_keys(self) -> list[tuple[str, str]]:
        """(kind, key) pairs a stored person is found by: e-mail, then phone match key."""
        keys = []
        if self.email:
            keys.append(("email", self.email))
        if self.phone:
            keys.append(("phone", phone_match_key(self.phone)))
        return keys


class InvalidRow(BaseModel):
    """A row that is not imported: `invalid` (with why) or a `duplicate` of an earlier row."""

    row_number: int
    reason_es: str
    reason_en: str
    kind: Literal["invalid", "duplicate"] = "invalid"
    values: dict[str, str] = Field(default_factory=dict)


def build_candidate(
    row_number: int,
    row: Mapping[str, str],
    mapping: Mapping[str, str | None],
    default_country: str | None,
    definitions: Mapping[str, FieldDefinition] | None = None,
) -> CandidatePerson | InvalidRow:
    """Apply a validated `mapping` to one reader row.

    `definitions` (custom key → definition) normalises custom values by type; without it
    they are kept as trimmed text.
    """
    by_target: dict[str, str] = {}
    custom_raw: dict[str, str] = {}
    for header, target in mapping.items():
        cell = (row.get(header) or "").strip()
        if not target or not cell:
            continue
        if target.startswith(CUSTOM_PREFIX):
            custom_raw[target[len(CUSTOM_PREFIX) :]] = cell
        else:
            by_target[target] = cell

    warnings: list[RowWarning] = []
    name = " ".join(
        (
            by_target.get("name") or f"{by_target.get('first_name', '')} {by_target.get('last_name', '')}"
        ).split()
    )
    if len(name) > MAX_NAME:
        name = name[:MAX_NAME].rstrip()
        warnings.append(
            RowWarning(
                field="name", error="truncated", reason_es="Nombre recortado", reason_en="Name truncated"
            )
        )

    phone, phone_problem = _phone(by_target.get("phone"), default_country, warnings)
    email, email_problem = _email(by_target.get("email"))

    problems_es, problems_en = [], []
    if not name:
        problems_es.append("Falta el nombre")
        problems_en.append("Name is missing")
    if phone is None and email is None:
        p_es, p_en = (
            (f"celular no válido: {phone_problem[0]}", f"invalid phone: {phone_problem[1]}")
            if phone_problem
            else ("sin celular", "no phone")
        )
        e_es, e_en = (
            (f"correo no válido: {email_problem[0]}", f"invalid e-mail: {email_problem[1]}")
            if email_problem
            else ("sin correo", "no e-mail")
        )
        problems_es.append(f"Se necesita un celular o un correo válido ({p_es}; {e_es})")
        problems_en.append(f"A valid phone or e-mail is required ({p_en}; {e_en})")
    if problems_es:
        return InvalidRow(
            row_number=row_number,
            reason_es=". ".join(problems_es),
            reason_en=". ".join(problems_en),
            values=dict(row),
        )
    # A bad phone or e-mail beside a usable row is dropped with a warning, not the row.
    dropped = [("phone", "invalid_phone", "Celular", "Phone", phone_problem if phone is None else None),
               ("email", "invalid_email", "Correo", "E-mail", email_problem)]
    warnings += [RowWarning(field=name, error=error, reason_es=f"{es} descartado: {problem[0]}",
                            reason_en=f"{en} dropped: {problem[1]}")
                 for name, error, es, en, problem in dropped if problem]

    texts = {}
    for target, limit in TEXT_LIMITS.items():
        if target in by_target:
            texts[target] = by_target[target][:limit]
    return CandidatePerson(
        row_number=row_number,
        name=name,
        email=email,
        phone=phone,
        tags=_tags(by_target.get("tags"), warnings),
        custom=_custom(custom_raw, definitions, default_country, warnings),
        warnings=warnings,
        values=dict(row),
        **texts,
    )


def _phone(
    raw: str | None, country: str | None, warnings: list[RowWarning]
) -> tuple[str | None, tuple[str, str] | None]:
    if not raw:
        return None, None
    try:
        return normalize_phone(raw, country), None
    except InvalidPhone as err:
        problem = (err.message_es, err.message_en)
    # "300 123 4567 / 310 765 4321": several numbers in one cell — keep the first valid one.
    parts = _PHONE_SEPARATORS.split(raw)
    for part in parts if len(parts) > 1 else ():
        try:
            phone = normalize_phone(part, country)
        except InvalidPhone:
            continue
        warnings.append(
            RowWarning(
                field="phone",
                error="several_phones",
                reason_es="Había varios números; se usó el primero válido",
                reason_en="Several numbers given; the first valid one was used",
            )
        )
        return phone, None
    return None, problem


def _email(raw: str | None) -> tuple[str | None, tuple[str, str] | None]:
    if not raw:
        return None, None
    try:
        return normalize_email(raw), None
    except InvalidEmail as err:
        return None, (err.message_es, err.message_en)


def _tags(raw: str | None, warnings: list[RowWarning]) -> list[str]:
    tags: list[str] = []
    seen: set[str] = set()
    for part in re.split(r"[,;]", raw or ""):
        tag = " ".join(part.split())[:MAX_TAG]
        if tag and fold(tag) not in seen:
            seen.add(fold(tag))
            tags.append(tag)
    if len(tags) > MAX_TAGS:
        warnings.append(
            RowWarning(
                field="tags",
                error="too_many",
                reason_es=f"Solo se importan {MAX_TAGS} etiquetas",
                reason_en=f"Only {MAX_TAGS} tags are imported",
            )
        )
    return tags[:MAX_TAGS]


def _custom(
    raw: dict[str, str],
    definitions: Mapping[str, FieldDefinition] | None,
    country: str | None,
    warnings: list[RowWarning],
) -> dict[str, Any]:
    if definitions is None:
        return dict(raw)
    out: dict[str, Any] = {}
    for key, cell in raw.items():
        definition = definitions.get(key)
        if definition is None:
            continue  # validate_mapping refuses unknown custom targets; nothing to do here
        try:
            value = coerce_value(definition, cell, country)
        except FieldValueError as bad:
            warnings.append(
                RowWarning(
                    field=f"custom.{key}",
                    error=bad.code,
                    reason_es=f"«{definition.label}» descartado: {bad.es}",
                    reason_en=f"'{definition.label}' dropped: {bad.en}",
                )
            )
            continue
        if value is not None:
            out[key] = value
    return out


# --- the accumulator ------------------------------------------------------------------


class _KeyTable:
    """A set of 64-bit digests → first row number, in two flat arrays (see module doc).

    Open addressing with linear probing, kept at most 3/4 full and grown by half, so a key
    costs 16 to 24 bytes whatever the import size.
    """

    def __init__(self, capacity: int = 1024) -> None:
        self._keys = array("Q", bytes(8 * capacity))
        self._rows = array("I", bytes(4 * capacity))
        self.count = 0

    def get(self, digest: int) -> int | None:
        size = len(self._keys)
        i = digest % size
        while (k := self._keys[i]) != 0:
            if k == digest:
                return self._rows[i]
            i = i + 1 if i + 1 < size else 0
        return None

    def put(self, digest: int, row: int) -> None:
        if (self.count + 1) * 4 > len(self._keys) * 3:
            self._grow()
        size = len(self._keys)
        i = digest % size
        while (k := self._keys[i]) != 0:
            if k == digest:
                return
            i = i + 1 if i + 1 < size else 0
        self._keys[i], self._rows[i] = digest, row
        self.count += 1

    def items(self) -> list[tuple[int, int]]:
        return [(k, r) for k, r in zip(self._keys, self._rows, strict=True) if k]

    def _grow(self) -> None:
        bigger = _KeyTable(len(self._keys) * 3 // 2)
        for k, r in self.items():
            bigger.put(k, r)
        self._keys, self._rows = bigger._keys, bigger._rows


def _digest(kind: str, key: str) -> int:
    value = int.from_bytes(hashlib.blake2b(f"{kind}:{key}".encode(), digest_size=8).digest(), "little")
    return value or 1  # 0 marks an empty slot


_SAME = {"email": ("mismo correo", "same e-mail"), "phone": ("mismo celular", "same phone")}


class ImportAccumulator:
    """Counts an import and spots in-file duplicates; see the module doc for resuming."""

    STATE_VERSION = 1

    def __init__(self) -> None:
        self.rows = 0
        self.invalid = 0
        self.duplicates = 0
        self.created = 0
        self.updated = 0
        self.skipped = 0  # matched an existing person, left untouched (update policy `skip`)
        self.last_row = 0
        self._seen = _KeyTable()

    @property
    def unique(self) -> int:
        return self.rows - self.invalid - self.duplicates

    @property
    def pending(self) -> int:
        """Unique rows whose created/updated outcome the caller has not reported yet."""
        return self.unique - self.created - self.updated - self.skipped

    @property
    def next_row(self) -> int:
        """Where `reader.rows(start_row=...)` continues."""
        return self.last_row + 1

    def add(self, item: CandidatePerson | InvalidRow) -> InvalidRow | None:
        """Count one row. None: a unique candidate, upsert it and report the outcome.
        Otherwise the `InvalidRow` (invalid or duplicate) for the errors report."""
        if item.row_number <= self.last_row:
            raise ValueError(
                f"row {item.row_number} is not after row {self.last_row}: rows go in file order, once"
            )
        self.last_row = item.row_number
        self.rows += 1
        if isinstance(item, InvalidRow):
            self.invalid += 1
            return item
        digests = [(kind, _digest(kind, key)) for kind, key in item.match_keys()]
        for kind, digest in digests:
            first = self._seen.get(digest)
            if first is not None:
                self.duplicates += 1
                es, en = _SAME[kind]
                return InvalidRow(
                    row_number=item.row_number,
                    kind="duplicate",
                    reason_es=f"Duplicado de la fila {first} ({es})",
                    reason_en=f"Duplicate of row {first} ({en})",
                    values=item.values,
                )
        for _, digest in digests:
            self._seen.put(digest, item.row_number)
        return None

    def record_created(self, count: int = 1) -> None:
        self._record(count)
        self.created += count

    def record_updated(self, count: int = 1) -> None:
        self._record(count)
        self.updated += count

    def record_skipped(self, count: int = 1) -> None:
        self._record(count)
        self.skipped += count

    def _record(self, count: int) -> None:
        if count < 0 or count > self.pending:
            raise ValueError(f"{count} outcomes reported but only {self.pending} rows are pending")

    def summary(self) -> dict[str, int]:
        """Keybe's import summary (the caller adds `people_total`)."""
        return {
            "rows": self.rows,
            "unique": self.unique,
            "created": self.created,
            "updated": self.updated,
            "skipped": self.skipped,
            "duplicates": self.duplicates,
            "invalid": self.invalid,
        }

    def state(self) -> dict[str, Any]:
        """JSON-serialisable checkpoint; refused while outcomes are pending."""
        if self.pending:
            raise ValueError(f"{self.pending} unique rows have no created/updated outcome yet")
        items = self._seen.items()
        keys = array("Q", (k for k, _ in items))
        rows = array("I", (r for _, r in items))
        if sys.byteorder == "big":  # the stored form is little-endian everywhere
            keys.byteswap()
            rows.byteswap()
        return {
            "version": self.STATE_VERSION,
            "rows": self.rows,
            "invalid": self.invalid,
            "duplicates": self.duplicates,
            "created": self.created,
            "updated": self.updated,
            "skipped": self.skipped,
            "last_row": self.last_row,
            "seen_keys": base64.b64encode(keys.tobytes()).decode(),
            "seen_rows": base64.b64encode(rows.tobytes()).decode(),
        }

    @classmethod
    def from_state(cls, state: Mapping[str, Any]) -> ImportAccumulator:
        if state.get("version") != cls.STATE_VERSION:
            raise ValueError(f"unsupported import state version {state.get('version')!r}")
        acc = cls()
        for name in ("rows", "invalid", "duplicates", "created", "updated", "last_row"):
            setattr(acc, name, int(state[name]))
        acc.skipped = int(state.get("skipped", 0))  # absent from checkpoints written before the policy
        keys, rows = array("Q"), array("I")
        keys.frombytes(base64.b64decode(state["seen_keys"]))
        rows.frombytes(base64.b64decode(state["seen_rows"]))
        if sys.byteorder == "big":
            keys.byteswap()
            rows.byteswap()
        if len(keys) != len(rows):
            raise ValueError("corrupt import state")
        for k, r in zip(keys, rows, strict=True):
            acc._seen.put(k, r)
        return acc
