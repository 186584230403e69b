"""The import worker (fed by SQS): runs or resumes one import job (docs/imports.md).

- a conditional *lease* on the job item (`crm.store.import_jobs`) so two workers never run one
  import; renewed at every checkpoint; a worker that loses it stops;
- the file is downloaded to /tmp and streamed (`reader.rows`): memory is bounded by the
  accumulator (~16–24 bytes per person key) and one batch of rows;
- the first run counts the rows (a full pass with every check: encoding, formulas) before
  writing anything, so a broken file fails with no people created;
- rows go through `build_candidate` → `ImportAccumulator`; unique candidates are matched in
  batches of 50 (one BatchGetItem on the identity items) and written with
  `person_writes.commit` (~10 people per transaction);
- every `import_checkpoint_rows` rows: the errors CSV part of the segment and the
  accumulator state go to S3, then position, counts and the state's key to the job item
  (conditional on the lease). A crashed run resumes from the last checkpoint;
- a person created by this import gets a deterministic id (the import id and row number), so
  a row replayed after a crash finds "its" person through the identity it claimed and is
  counted as created, not updated — and never created twice (identities are conditional puts);
- near the Lambda time limit it checkpoints, releases the lease and queues its continuation
  (`enqueue`: the queue's message, which the API sends too).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from skailan.crm.capture.imports.files import bucket, download, prefix, put
from skailan.crm.capture.imports.mapping import CUSTOM_TARGETS
from skailan.crm.capture.imports.reader import ImportFileError
from skailan.crm.events import build
from skailan.crm.store.import_jobs import (
    LeaseLost,
    acquire_lease,
    error_json,
    find_job,
    finish_leased,
    release_lease,
    update_leased,
)
from skailan.crm.store.sales_items import ImportJobItem
from skailan.crm.store.transact import outbox_table
from skailan.platform import outbox
from skailan.platform.aws import client
from skailan.platform.clock import iso
from skailan.platform.events import DomainEvent
from skailan.platform.ids import new_id
from skailan.platform.observability import logger
from skailan.platform.settings import get_settings

TIME_MARGIN_MS = 60_000
MAX_ATTEMPTS = 3
RETRY_DELAY_SECONDS = 60
FLUSH_SIZE = 50


def as_int(value: Any) -> int:
    return int(value or 0)


def enqueue(tenant_id: str, import_id: str) -> None:
    """Queue a run of the job (the start route, and a run that continues in a new invocation)."""
    client("sqs").send_message(QueueUrl=get_settings().imports_queue_url,
                               MessageBody=json.dumps({"tenant_id": tenant_id, "import_id": import_id}))


def build_job_event(tenant_id: str, type_: str, caller: Any, import_id: str, data: dict[str, Any]) -> DomainEvent:
    """A `contact_import.*` event, for the job write it goes with."""
    return build(tenant_id, type_, caller=caller, entity_type="contact_import", entity_id=import_id, data=data)


class SimulatedCrash(Exception):
    """Raised by `run_import(crash_after_rows=…)`: stops like a killed process (no cleanup)."""


def row_person_id(job: ImportJobItem, row_number: int) -> str:
    """The id a person created from `row_number` gets: the same on every run of this import."""
    from datetime import datetime

    from skailan.platform.ids import ulid

    created = datetime.fromisoformat((job.created_at or "1970-01-01T00:00:00Z").replace("Z", "+00:00"))
    millis = int(created.timestamp() * 1000) + row_number
    digest = hashlib.blake2b(f"{job.tenant_id}:{job.import_id}:{row_number}".encode(), digest_size=10).digest()
    return ulid(millis, digest)


@dataclass
class _Run:
    job: ImportJobItem
    lease: str
    headers: list[str]
    mapping: dict[str, str | None]
    definitions: dict[str, Any]
    country: str | None
    default_state: str | None
    acc: Any
    segments: list[str] = field(default_factory=list)
    error_rows: int = 0
    segment_start: int = 1
    pending: list[Any] = field(default_factory=list)  # invalid rows and warned candidates of the segment

    @property
    def tenant_id(self) -> str:
        return self.job.tenant_id


def run_import(tenant_id: str, import_id: str, *, remaining_ms: Callable[[], int] | None = None,
               checkpoint_rows: int | None = None, crash_after_rows: int | None = None) -> str:
    """Run (or resume) one import; returns completed | failed | continued | busy | skipped | lost."""
    job = find_job(tenant_id, import_id, consistent=True)
    if job is None:
        logger.warning("import job not found", tenant_id=tenant_id, import_id=import_id)
        return "skipped"
    if job.status in ("completed", "failed") or job.mapping is None:
        return "skipped"
    lease = new_id()
    if not acquire_lease(job, lease):
        logger.info("import busy elsewhere", tenant_id=tenant_id, import_id=import_id)
        return "busy"
    logger.append_keys(tenant_id=tenant_id, import_id=import_id)
    try:
        return _run(job, lease, remaining_ms or (lambda: 10**12), checkpoint_rows or get_settings().import_checkpoint_rows,
                    crash_after_rows)
    except SimulatedCrash:
        raise
    except LeaseLost:
        logger.warning("import lease lost; another worker continues")
        return "lost"
    except ImportFileError as err:
        _finish_failed(job, lease, error_json(err.reason, err.message_es, err.message_en, err.row))
        return "failed"
    except Exception:
        logger.exception("import run failed")
        attempts = as_int(job.attempts) + 1
        if attempts >= MAX_ATTEMPTS:
            _finish_failed(job, lease, error_json(
                "internal_error", "La importación falló por un error interno; inténtelo de nuevo",
                "The import failed because of an internal error; try again"))
            return "failed"
        release_lease(job, lease, attempts=attempts)
        raise


def _finish_failed(job: ImportJobItem, lease: str, error: dict[str, Any]) -> None:
    try:
        finish_leased(job, lease, {"status": "failed", "error": error},
                      events=[build_job_event(job.tenant_id, "contact_import.failed", None, job.import_id,
                                        {"reason": error["code"]})])
    except LeaseLost:
        return
    logger.info("import failed", reason=error["code"])


def _run(job: ImportJobItem, lease: str, remaining_ms: Callable[[], int], checkpoint_rows: int,
         crash_after_rows: int | None) -> str:
    from skailan.crm.capture.imports.reader import open_import
    from skailan.crm.capture.imports.rows import ImportAccumulator
    from skailan.crm.people.service import default_country
    from skailan.crm.vocabulary.definitions import load

    started = time.monotonic()
    with tempfile.TemporaryFile() as file:
        download(job, file)
        reader = open_import(file, job.filename)  # type: ignore[arg-type]
        try:
            if list(reader.headers) != list(job.headers or reader.headers):
                raise ImportFileError("file_changed", "Los encabezados del archivo cambiaron; cree la importación de nuevo",
                                      "The file's headers changed; create the import again")
            state = _load_state(job)
            if state is None:
                total = reader.count_rows()  # every check before the first write
                update_leased(job, lease, {"rows_total": total}, renew=True)
                acc, segments, error_rows = ImportAccumulator(), [], 0
            else:
                acc = ImportAccumulator.from_state(state["accumulator"])
                segments, error_rows = list(state["segments"]), int(state["error_rows"])
            definitions = load(job.tenant_id)
            run = _Run(job=job, lease=lease, headers=list(reader.headers), mapping=dict(job.mapping or {}),
                       definitions={d.key: d for d in definitions.fields}, country=default_country(job.tenant_id),
                       default_state=definitions.default_state, acc=acc, segments=segments, error_rows=error_rows,
                       segment_start=acc.next_row)
            outcome = _process(run, reader.rows(start_row=acc.next_row), remaining_ms, checkpoint_rows,
                               crash_after_rows)
        finally:
            reader.close()
    if outcome == "continued":
        logger.info("import continues in a new invocation", rows=run.acc.rows)
        return outcome
    _complete(run)
    logger.info("import completed", seconds=round(time.monotonic() - started, 2), summary=run.acc.summary())
    return "completed"


def _process(run: _Run, rows: Iterator[tuple[int, dict[str, str]]], remaining_ms: Callable[[], int],
             checkpoint_rows: int, crash_after_rows: int | None) -> str:
    from skailan.crm.capture.imports.rows import build_candidate

    batch: list[Any] = []
    since_checkpoint = 0
    for seen, (row_number, row) in enumerate(rows, start=1):
        candidate = build_candidate(row_number, row, run.mapping, run.country, run.definitions)
        problem = run.acc.add(candidate)
        if problem is not None:
            run.pending.append(problem)
        else:
            batch.append(candidate)
        since_checkpoint += 1
        if len(batch) >= FLUSH_SIZE:
            _flush(run, batch)
            batch = []
        if crash_after_rows is not None and seen >= crash_after_rows:
            _flush(run, batch)  # written, but no checkpoint: exactly what a killed worker leaves
            raise SimulatedCrash(f"stopped after {seen} rows")
        if since_checkpoint >= checkpoint_rows:
            _flush(run, batch)
            batch = []
            _checkpoint(run)
            since_checkpoint = 0
            if remaining_ms() < TIME_MARGIN_MS:
                release_lease(run.job, run.lease)
                enqueue(run.tenant_id, run.job.import_id)
                return "continued"
    _flush(run, batch)
    _checkpoint(run)
    return "done"


def _state_key(run: _Run) -> str:
    return f"{prefix(run.tenant_id, run.job.import_id)}/state-{run.lease}.json"


def _load_state(job: ImportJobItem) -> dict[str, Any] | None:
    if not job.checkpoint_key:
        return None
    body = client("s3").get_object(Bucket=bucket(), Key=job.checkpoint_key)["Body"].read()
    return json.loads(body)


def _checkpoint(run: _Run) -> None:
    """Errors part of the segment, then the state, then the job item (conditional on the lease)."""
    from skailan.crm.capture.imports.errors_csv import errors_csv_rows

    if run.pending:
        run.pending.sort(key=lambda item: item.row_number)
        key = f"{prefix(run.tenant_id, run.job.import_id)}/errors/{run.segment_start:010d}-{run.lease}.csv"
        put(key, errors_csv_rows(run.pending, run.headers), "text/csv")
        run.segments.append(key)
        run.error_rows += len(run.pending)
        run.pending = []
    run.segment_start = run.acc.next_row
    state = {"accumulator": run.acc.state(), "segments": run.segments, "error_rows": run.error_rows}
    key = _state_key(run)
    put(key, json.dumps(state, separators=(",", ":")).encode(), "application/json")
    summary = run.acc.summary()
    update_leased(run.job, run.lease, {"rows_processed": run.acc.rows, "summary": summary,
                                       "error_rows": run.error_rows, "checkpoint_key": key}, renew=True)


def _join_errors(run: _Run) -> str | None:
    from skailan.crm.capture.imports.errors_csv import errors_csv_header

    if not run.error_rows:
        return None
    s3 = client("s3")
    key = f"{prefix(run.tenant_id, run.job.import_id)}/errors.csv"
    with tempfile.TemporaryFile() as out:
        out.write(errors_csv_header(run.headers))
        for part in run.segments:
            body = s3.get_object(Bucket=bucket(), Key=part)["Body"]
            for chunk in iter(functools.partial(body.read, 1 << 20), b""):
                out.write(chunk)
        out.seek(0)
        s3.upload_fileobj(out, bucket(), key, ExtraArgs={"ContentType": "text/csv; charset=utf-8"})
    return key


def _complete(run: _Run) -> None:
    errors_key = _join_errors(run)
    from skailan.crm.store.person_reads import people_total

    summary = {**run.acc.summary(), "people_total": people_total(run.tenant_id)}
    finish_leased(run.job, run.lease, {"status": "completed", "summary": summary, "rows_processed": run.acc.rows,
                                       "error_rows": run.error_rows, **({"errors_key": errors_key} if errors_key else {})},
                  events=[build_job_event(run.tenant_id, "contact_import.completed", None, run.job.import_id,
                                    {"summary": summary, "list_id": run.job.list_id, "filename": run.job.filename})])


def _warn(candidate: Any, field_name: str, code: str, es: str, en: str) -> None:
    from skailan.crm.capture.imports.rows import RowWarning

    candidate.warnings.append(RowWarning(field=field_name, error=code, reason_es=es, reason_en=en))


def _flush(run: _Run, batch: list[Any]) -> None:
    """Match a batch of unique candidates, create or update their people, report the outcomes."""
    from skailan.crm.store.person_writes import lookup_owners

    if not batch:
        return
    owners = lookup_owners(run.tenant_id, (k for c in batch for k in c.match_keys()))
    creates: list[Any] = []
    replayed = 0
    by_person: dict[str, list[Any]] = {}
    for candidate in batch:
        matched = [owners[k] for k in candidate.match_keys() if k in owners]
        if not matched:
            creates.append(candidate)
        elif matched[0] == row_person_id(run.job, candidate.row_number):
            replayed += 1  # created by an earlier run of this import that crashed before its checkpoint
        else:
            by_person.setdefault(matched[0], []).append(candidate)
    created_ids, retry = _create(run, creates)
    if retry:  # an identity was claimed meanwhile (another request, a form): those rows update
        more = lookup_owners(run.tenant_id, (k for c in retry for k in c.match_keys()))
        owners.update(more)
        for candidate in retry:
            matched = [more[k] for k in candidate.match_keys() if k in more]
            by_person.setdefault(matched[0], []).append(candidate)
    matched_rows = sum(len(v) for v in by_person.values())
    if _policy(run) == "skip":  # matched people stay exactly as they are (no list, no timeline)
        updated_ids: list[str] = []
        run.acc.record_created(len(created_ids) + replayed)
        run.acc.record_skipped(matched_rows)
    else:
        updated_ids = _update(run, by_person, owners)
        run.acc.record_created(len(created_ids) + replayed)
        run.acc.record_updated(matched_rows)
    if updated_ids and run.job.list_id:
        from skailan.crm.audiences.lists import add_members

        for start in range(0, len(updated_ids), 100):
            add_members(None, run.tenant_id, run.job.list_id, updated_ids[start:start + 100], timeline=True)
    run.pending.extend(c for c in batch if c.warnings)
    if created_ids or updated_ids:
        # One event for the batch's many transactions (~10 people each): written after them.
        outbox.write([build(run.tenant_id, "contact.imported", entity_type="contact_import",
                            entity_id=run.job.import_id,
                            data={"import_id": run.job.import_id, "created": created_ids, "updated": updated_ids})],
                     outbox_table())


def _new_person(run: _Run, candidate: Any, now: str) -> Any:
    from skailan.crm.store.person_writes import email_identity, new_person_item, phone_identity, set_identity

    item = new_person_item(run.tenant_id, row_person_id(run.job, candidate.row_number), candidate.name, now)
    item.phone, item.email = candidate.phone, candidate.email
    set_identity(item, phone_identity(candidate.phone) if candidate.phone else None, kind="phone")
    set_identity(item, email_identity(candidate.email) if candidate.email else None, kind="email")
    item.custom = _custom_of(candidate)
    item.tags = list(candidate.tags)
    item.owner_id = run.job.owner_id
    item.journey_state = run.default_state
    return item


def _custom_of(candidate: Any) -> dict[str, Any]:
    custom = dict(candidate.custom)
    for target, (key, _label) in CUSTOM_TARGETS.items():
        value = getattr(candidate, target, None)
        if value:
            custom[key] = value
    return custom


def _timeline(run: _Run, person_id: str, candidate: Any, now: str, created: bool) -> list[Any]:
    from skailan.crm.store.timeline_items import timeline_item

    ref = {"type": "import", "id": run.job.import_id, "row": candidate.row_number}
    summary = (f"Importado desde {run.job.filename}" if created else f"Actualizado desde {run.job.filename}")
    entries = [timeline_item(run.tenant_id, person_id, "imported", summary, ref=ref, occurred_at=now,
                             entry_id=f"{run.job.import_id}-{candidate.row_number}")]
    if candidate.notes:
        entries.append(timeline_item(run.tenant_id, person_id, "note", " ".join(candidate.notes.split())[:140],
                                     ref={"type": "note", "import_id": run.job.import_id}, body=candidate.notes,
                                     occurred_at=now, entry_id=f"{run.job.import_id}-{candidate.row_number}-note"))
    return entries


def _create(run: _Run, candidates: list[Any]) -> tuple[list[str], list[Any]]:
    from skailan.crm.store.person_writes import PersonWrite, commit

    if not candidates:
        return [], []
    now = iso()
    writes = []
    for candidate in candidates:
        item = _new_person(run, candidate, now)
        writes.append(PersonWrite(after=item, extra=_timeline(run, item.person_id, candidate, now, True),
                                  list_id=run.job.list_id, token=candidate))
    failed = commit(run.tenant_id, writes)
    if any(w.failure == "list_missing" for w in failed):
        raise ImportFileError("list_missing", "La lista de destino ya no existe", "The target list no longer exists")
    retry = [w.token for w in failed if w.failure == "identity_taken"]
    if len(retry) != len(failed):
        raise RuntimeError(f"{len(failed) - len(retry)} people could not be created")
    failed_ids = {id(w) for w in failed}
    return [w.after.person_id for w in writes if id(w) not in failed_ids], retry


def _policy(run: _Run) -> str:
    return run.job.update_policy or "fill_empty"  # jobs started before the policy existed: the safe one


def _free_for(candidate: Any, person: Any, owners: dict[tuple[str, str], str], identity: Any, es: str,
              en: str) -> bool:
    """The identity is no one else's (else the row gets a warning and the person keeps theirs)."""
    holder = owners.get((identity.kind, identity.key))
    if holder and holder != person.person_id:
        _warn(candidate, identity.kind, f"{identity.kind}_taken", f"{es} pertenece a otra persona; no se cambió",
              f"{en} belongs to another person; not changed")
        return False
    return True


def _apply(run: _Run, person: Any, candidate: Any, owners: dict[tuple[str, str], str]) -> None:
    """Update a matched person by the import's policy: `overwrite` — the file's values win;
    `fill_empty` — only fields the person lacks are filled (never a rename, never a replaced
    e-mail, phone or custom value). Either way blank cells never erase, tags are added and the
    owner is set only when there is none."""
    from skailan.crm.store.person_writes import email_identity, phone_identity, set_identity
    from skailan.crm.values.text import tag_key

    overwrite = _policy(run) == "overwrite"
    if overwrite or not (person.name or "").strip():
        person.name = candidate.name
    if (candidate.email and candidate.email != person.email and (overwrite or not person.email)
            and _free_for(candidate, person, owners, email_identity(candidate.email), "El correo", "The e-mail")):
        person.email = candidate.email
        set_identity(person, email_identity(candidate.email), kind="email")
    if candidate.phone and (overwrite or not person.phone):
        ident = phone_identity(candidate.phone)
        if ((not person.phone or phone_identity(person.phone).key != ident.key)
                and _free_for(candidate, person, owners, ident, "El celular", "The phone")):
            person.phone = candidate.phone
            set_identity(person, ident, kind="phone")
    custom = _custom_of(candidate)
    if custom:
        current = dict(person.custom or {})
        if not overwrite:
            custom = {k: v for k, v in custom.items() if current.get(k) in (None, "", [])}
        person.custom = {**current, **custom}
    have = {tag_key(t) for t in person.tags or []}
    person.tags = list(person.tags or []) + [t for t in candidate.tags if tag_key(t) not in have]
    if run.job.owner_id and not person.owner_id:
        person.owner_id = run.job.owner_id


def _follow_merges(tenant_id: str, pending: dict[str, list[Any]], people: dict[str, Any]) -> dict[str, list[Any]]:
    """Rows matched to a person merged into another one update the kept person."""
    from skailan.crm.store.person_reads import find_person

    out: dict[str, list[Any]] = {}
    for pid, candidates in pending.items():
        person = people.get(pid)
        if person is not None and person.merged_into and not person.deleted_at:
            kept = find_person(tenant_id, person.merged_into, consistent=True)
            if kept is not None and not kept.deleted_at and not kept.merged_into:
                people[kept.person_id] = kept
                pid = kept.person_id
        out.setdefault(pid, []).extend(candidates)
    for candidates in out.values():
        candidates.sort(key=lambda c: c.row_number)
    return out


def _update(run: _Run, by_person: dict[str, list[Any]], owners: dict[tuple[str, str], str]) -> list[str]:
    from skailan.crm.store.person_reads import batch_people
    from skailan.crm.store.person_writes import PersonWrite, commit, derive, touch

    pending = dict(by_person)
    done: list[str] = []
    for _attempt in range(3):
        if not pending:
            return done
        people = batch_people(run.tenant_id, list(pending))
        pending = _follow_merges(run.tenant_id, pending, people)
        now = iso()
        writes = []
        for pid, candidates in pending.items():
            person = people.get(pid)
            if person is None or person.deleted_at or person.merged_into:
                raise RuntimeError("matched person vanished")  # the retry of the whole batch re-matches
            before = derive(person)
            extra = []
            for candidate in candidates:
                _apply(run, person, candidate, owners)
                extra += _timeline(run, pid, candidate, now, False)
            touch(person, now)
            writes.append(PersonWrite(after=person, before=before, extra=extra, token=pid))
        failed = commit(run.tenant_id, writes)
        failed_ids = {id(w) for w in failed}
        done += [w.after.person_id for w in writes if id(w) not in failed_ids]
        pending = {w.token: pending[w.token] for w in failed}
        for write in failed:  # somebody else took a phone/e-mail meanwhile: re-read the owners
            for ident in write.taken:
                owners[(ident.kind, ident.key)] = "someone-else"
    if pending:
        raise RuntimeError(f"{len(pending)} people kept changing during the import")
    return done


def handle_message(body: str, remaining_ms: Callable[[], int], receipt_handle: str | None = None) -> str:
    """One SQS message. On an error the message comes back after `RETRY_DELAY_SECONDS` instead of
    the queue's whole visibility timeout (which is sized for a run that dies mid-way)."""
    message = json.loads(body)
    try:
        return run_import(str(message["tenant_id"]), str(message["import_id"]), remaining_ms=remaining_ms)
    except Exception:
        if receipt_handle:
            with contextlib.suppress(Exception):
                client("sqs").change_message_visibility(QueueUrl=get_settings().imports_queue_url,
                                                        ReceiptHandle=receipt_handle,
                                                        VisibilityTimeout=RETRY_DELAY_SECONDS)
        raise
