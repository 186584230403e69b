"""EventBridge Pipes from DynamoDB Streams to the bus, as the template declares them (`AWS::Pipes::Pipe`).

One `StreamPipePoller` thread per Pipe whose source is a table's stream and whose target is an
event bus. Like the Pipe, it reads moto's stream over the DynamoDB Streams API (DescribeStream,
GetShardIterator, GetRecords), keeps the records that match the Pipe's `FilterCriteria`, hands the
batch to the `Enrichment` function when there is one, and puts each result on the bus with the
target's `Source` / `DetailType` (static, or a `$.path` into the result) and the result as `Detail`.

Delivery: a batch is retried — with a short capped backoff — while PutEvents fails (the whole
call or some entries), up to `MaximumRetryAttempts`, then its metadata goes to the source's
dead-letter queue, as Pipes does. Each record is published once: the checkpoint is the last
sequence number done per shard (a replayed record at or below it is skipped), and entries that
went through in a partly failed PutEvents are not sent again on the retry.

The poller sleeps until its table's stream receives a record (`moto_dynamodb.stream_table_waiters`;
with moto in its own process, `moto_process` relays the wake-ups), so the lag
from the write to the bus is the cost of the calls, not a polling interval.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, cast

from moto.events.models import EventPattern

from . import moto_dynamodb
from .functions import FunctionError
from .logs import get_logger

log = get_logger("streams")

# A safety net only: a record on the Pipe's table wakes it at once (moto_dynamodb.stream_table_waiters).
IDLE_WAIT_SECONDS = 5.0
READ_LIMIT = 1000  # records per GetRecords (the DynamoDB Streams maximum)
MAX_BACKOFF_SECONDS = 1.0
MIN_POLL_INTERVAL_SECONDS = 0.1  # between two reads of a busy pipe's stream (README: Pipes)


class Invokable(Protocol):
    def invoke(self, event: Any) -> Any: ...


@dataclass
class PipeSpec:
    name: str
    stream_arn: str
    bus_name: str
    filters: list[EventPattern] = field(default_factory=list)
    enrichment: Invokable | None = None
    source: str | None = None  # static value or `$.path` into the (enriched) record
    detail_type: str | None = None
    batch_size: int = 10
    max_retries: int = -1  # -1: until it works
    dead_letter_queue_url: str | None = None


@dataclass
class PipeStats:
    published: int = 0
    filtered_out: int = 0
    failed_attempts: int = 0
    dead_lettered: int = 0
    lags_ms: list[float] = field(default_factory=list)  # write (stream record time) → PutEvents accepted


def json_path(document: Any, path: str) -> Any:
    value = document
    for part in [p for p in path.removeprefix("$").split(".") if p]:
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _dynamic(value: str | None, document: Any) -> Any:
    if value is None:
        return None
    return json_path(document, value) if value.startswith("$.") or value == "$" else value


class PublishFailed(Exception):
    pass


class StreamPipePoller:
    def __init__(self, spec: PipeSpec, streams: Any, events: Any, sqs: Any) -> None:
        self.spec = spec
        self.name = spec.name
        self.streams = streams
        self.events = events
        self.sqs = sqs
        self.checkpoints: dict[str, int] = {}  # shard id → last sequence number done
        self.stats = PipeStats()
        self._iterators: dict[str, str] = {}
        self._shard_ids: list[str] = []
        self._shards_until = 0.0
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    # -- lifecycle ---------------------------------------------------------------------------------

    def start(self) -> None:
        # Woken by a record on this Pipe's own table only: a write elsewhere costs it no GetRecords.
        moto_dynamodb.stream_table_waiters.setdefault(self._table_name(), set()).add(self._wake)
        self._thread = threading.Thread(target=self._run, name=f"skailan-local-pipe-{self.name}", daemon=True)
        self._thread.start()

    def signal_stop(self) -> None:
        self._stop.set()
        self._wake.set()

    def join(self, timeout: float = 10) -> None:
        moto_dynamodb.stream_table_waiters.get(self._table_name(), set()).discard(self._wake)
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _table_name(self) -> str:
        # arn:aws:dynamodb:<region>:<account>:table/<name>/stream/<label>
        return self.spec.stream_arn.split(":table/", 1)[-1].split("/stream/", 1)[0]

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            polled_at = time.monotonic()
            try:
                # Only a full read means more is waiting. Anything written since the read began
                # set `_wake` (the read itself followed the clear), so polling again at once
                # just cost an empty GetRecords per wake-up (issue 17: ~half of the pipes' reads).
                if self.poll_once() >= READ_LIMIT:
                    continue
            except Exception as error:
                if self._stop.is_set():
                    return
                log.warning("pipe %s: %s: %s", self.name, type(error).__name__, error)
            self._wake.wait(IDLE_WAIT_SECONDS)
            # Records arriving right after a read wait out the rest of the interval, so a busy
            # table's commits are read together (Pipes and Lambda poll a shard ~4 times a second;
            # an idle pipe still reads at once).
            left = polled_at + MIN_POLL_INTERVAL_SECONDS - time.monotonic()
            if left > 0:
                self._stop.wait(left)

    # -- one pass --------------------------------------------------------------------------------------

    def poll_once(self) -> int:
        """Read every shard once and deliver what it holds; returns how many records were read."""
        with self._lock:
            read = 0
            for shard_id in self._shards():
                read += self._poll_shard(shard_id)
            return read

    def _shards(self) -> list[str]:
        """The stream's shards, described again every few seconds (not on every pass)."""
        now = time.monotonic()
        if now >= self._shards_until:
            description = self.streams.describe_stream(StreamArn=self.spec.stream_arn)["StreamDescription"]
            self._shard_ids = [shard["ShardId"] for shard in description.get("Shards", [])]
            self._shards_until = now + 5
        return self._shard_ids

    def _iterator(self, shard_id: str) -> str:
        if shard_id in self._iterators:
            return self._iterators[shard_id]
        params: dict[str, Any] = {"StreamArn": self.spec.stream_arn, "ShardId": shard_id}
        if shard_id in self.checkpoints:
            params.update(ShardIteratorType="AFTER_SEQUENCE_NUMBER",
                          SequenceNumber=str(self.checkpoints[shard_id]))
        else:
            params["ShardIteratorType"] = "TRIM_HORIZON"  # as the template's StartingPosition
        iterator = str(self.streams.get_shard_iterator(**params)["ShardIterator"])
        self._iterators[shard_id] = iterator
        return iterator

    def _poll_shard(self, shard_id: str) -> int:
        iterator = self._iterator(shard_id)
        # Used once: after a failure the next pass starts again from the checkpoint.
        self._iterators.pop(shard_id, None)
        # Pipes filters before batching: a read of up to READ_LIMIT records (most of a busy table's
        # are not outbox items) gives batches of `batch_size` matching ones. Reading only
        # `batch_size` records a call left the outbox minutes behind a 1 000-person import.
        response = self.streams.get_records(ShardIterator=iterator, Limit=READ_LIMIT)
        records = [_wire(r) for r in response.get("Records", [])]
        done = self.checkpoints.get(shard_id, -1)
        fresh = [r for r in records if int(r["dynamodb"]["SequenceNumber"]) > done]  # a replay is skipped
        if fresh:
            matching = [r for r in fresh if self._matches(r)]
            self.stats.filtered_out += len(fresh) - len(matching)
            for start in range(0, len(matching), self.spec.batch_size):
                batch = matching[start:start + self.spec.batch_size]
                self._deliver(batch)  # retries inside; raises only when stopping
                self.checkpoints[shard_id] = max(int(r["dynamodb"]["SequenceNumber"]) for r in batch)
            self.checkpoints[shard_id] = max(int(r["dynamodb"]["SequenceNumber"]) for r in fresh)
        if response.get("NextShardIterator"):
            self._iterators[shard_id] = response["NextShardIterator"]
        return len(records)

    def replay_from(self, shard_id: str, sequence_number: int) -> None:
        """Test hook: read the shard again from a sequence number (as a restarted consumer would)."""
        with self._lock:
            self._iterators[shard_id] = str(self.streams.get_shard_iterator(
                StreamArn=self.spec.stream_arn, ShardId=shard_id, ShardIteratorType="AT_SEQUENCE_NUMBER",
                SequenceNumber=str(sequence_number))["ShardIterator"])

    # -- delivery --------------------------------------------------------------------------------------

    def _matches(self, record: dict[str, Any]) -> bool:
        if not self.spec.filters:
            return True
        return any(pattern.matches_event(cast(Any, record)) for pattern in self.spec.filters)

    def _deliver(self, records: list[dict[str, Any]]) -> None:
        batch = [r for r in records if self._matches(r)]
        self.stats.filtered_out += len(records) - len(batch)
        if not batch:
            return
        written = [_record_time(r) for r in batch]
        sent: set[int] = set()  # positions of entries the bus already accepted
        attempt = 0
        while True:
            try:
                entries = self._entries(batch)
                self._put(entries, sent)
                break
            except (PublishFailed, FunctionError) as error:
                attempt += 1
                self.stats.failed_attempts += 1
                if 0 <= self.spec.max_retries < attempt:
                    self._dead_letter(batch, str(error))
                    return
                if self._stop.is_set():
                    raise
                log.info("pipe %s: attempt %d failed (%s); retrying", self.name, attempt, error)
                self._stop.wait(min(MAX_BACKOFF_SECONDS, 0.05 * (2 ** min(attempt, 5))))
        now = time.time()
        self.stats.published += len(batch)
        self.stats.lags_ms.extend((now - at) * 1000 for at in written if at is not None)
        log.info("pipe %s -> %d events on %s", self.name, len(batch), self.spec.bus_name)

    def _entries(self, batch: list[dict[str, Any]]) -> list[dict[str, Any]]:
        payloads: list[Any] = batch
        if self.spec.enrichment is not None:
            result = self.spec.enrichment.invoke(batch)
            payloads = result if isinstance(result, list) else [result]
        entries = []
        for payload in payloads:
            entries.append({
                "Source": _dynamic(self.spec.source, payload),
                "DetailType": _dynamic(self.spec.detail_type, payload),
                "Detail": json.dumps(payload),
                "EventBusName": self.spec.bus_name,
            })
        return entries

    def _put(self, entries: list[dict[str, Any]], sent: set[int]) -> None:
        pending = [i for i in range(len(entries)) if i not in sent]
        failures = []
        for start in range(0, len(pending), 10):
            chunk = pending[start:start + 10]
            try:
                response = self.events.put_events(Entries=[entries[i] for i in chunk])
            except Exception as error:  # the whole call failed: nothing of this chunk went through
                failures.append(f"{type(error).__name__}: {error}")
                continue
            for position, result in zip(chunk, response.get("Entries", []), strict=False):
                if result.get("ErrorCode"):
                    failures.append(f"{result['ErrorCode']}: {result.get('ErrorMessage')}")
                else:
                    sent.add(position)
        if failures:
            raise PublishFailed(f"{len(failures)} PutEvents failures, first: {failures[0]}")

    def _dead_letter(self, batch: list[dict[str, Any]], reason: str) -> None:
        self.stats.dead_lettered += len(batch)
        numbers = [r["dynamodb"]["SequenceNumber"] for r in batch]
        log.warning("pipe %s: %d records failed %d times; sent to the dead-letter queue",
                    self.name, len(batch), self.spec.max_retries + 1)
        if not self.spec.dead_letter_queue_url:
            return
        body = {"context": {"pipeName": self.name, "reason": reason},
                "dynamoDBStreamBatchInfo": {"streamArn": self.spec.stream_arn, "startSequenceNumber": numbers[0],
                                            "endSequenceNumber": numbers[-1], "batchSize": len(batch)}}
        self.sqs.send_message(QueueUrl=self.spec.dead_letter_queue_url, MessageBody=json.dumps(body))

    def describe(self) -> dict[str, Any]:
        lags = sorted(self.stats.lags_ms)
        return {"name": self.name, "stream_arn": self.spec.stream_arn, "checkpoints": dict(self.checkpoints),
                "published": self.stats.published, "filtered_out": self.stats.filtered_out,
                "failed_attempts": self.stats.failed_attempts, "dead_lettered": self.stats.dead_lettered,
                "lag_ms_p50": lags[len(lags) // 2] if lags else None,
                "lag_ms_p95": lags[min(len(lags) - 1, int(len(lags) * 0.95))] if lags else None}


def _wire(record: dict[str, Any]) -> dict[str, Any]:
    """The record as Pipes hands it on: botocore parsed ApproximateCreationDateTime into a datetime;
    the wire (and the enrichment's event) carries epoch seconds."""
    dynamodb = dict(record.get("dynamodb") or {})
    when = dynamodb.get("ApproximateCreationDateTime")
    if isinstance(when, datetime):
        dynamodb["ApproximateCreationDateTime"] = int(when.timestamp())
    return {**record, "dynamodb": dynamodb}


def _record_time(record: dict[str, Any]) -> float | None:
    """When the item was written: the outbox item's own `created_at` (ms), else the stream's time."""
    from datetime import datetime

    dynamodb = record.get("dynamodb", {})
    created = ((dynamodb.get("NewImage") or {}).get("created_at") or {}).get("S")
    if created:
        try:
            return datetime.fromisoformat(created.replace("Z", "+00:00")).timestamp()
        except ValueError:
            pass
    value = dynamodb.get("ApproximateCreationDateTime")
    if isinstance(value, int | float):
        return float(value)
    return float(value.timestamp()) if hasattr(value, "timestamp") else None


def pipe_specs(template: Any, resolve: Any, ids: Any, functions: dict[str, Any],
               queue_url_for_arn: Callable[[str], str]) -> list[PipeSpec]:
    """The template's Pipes from a DynamoDB stream to an event bus (others are not emulated)."""
    specs = []
    for logical_id in template.of_type("AWS::Pipes::Pipe"):
        properties = resolve(template.properties(logical_id))
        source, target = str(properties.get("Source", "")), str(properties.get("Target", ""))
        if ":dynamodb:" not in source or ":event-bus/" not in target:
            log.warning("pipe %s: only DynamoDB stream → event bus pipes are emulated; skipped", logical_id)
            continue
        source_parameters = properties.get("SourceParameters") or {}
        stream = source_parameters.get("DynamoDBStreamParameters") or {}
        filters = [EventPattern.load(p["Pattern"] if isinstance(p["Pattern"], str) else json.dumps(p["Pattern"]))
                   for p in (source_parameters.get("FilterCriteria") or {}).get("Filters") or []]
        enrichment = None
        if properties.get("Enrichment"):
            function_id = ids.logical_id_for_arn(str(properties["Enrichment"]))
            enrichment = functions.get(function_id or "")
            if enrichment is None:
                log.warning("pipe %s: enrichment %s is not a template function; skipped", logical_id,
                            properties["Enrichment"])
                continue
        bus = ((properties.get("TargetParameters") or {}).get("EventBridgeEventBusParameters") or {})
        dead_letter = (stream.get("DeadLetterConfig") or {}).get("Arn")
        specs.append(PipeSpec(
            name=str(properties.get("Name") or logical_id), stream_arn=source, bus_name=target.rsplit("/", 1)[-1],
            filters=filters, enrichment=enrichment, source=bus.get("Source"), detail_type=bus.get("DetailType"),
            batch_size=int(stream.get("BatchSize", 10)), max_retries=int(stream.get("MaximumRetryAttempts", -1)),
            dead_letter_queue_url=queue_url_for_arn(dead_letter) if dead_letter else None,
        ))
    return specs


# ---------------------------------------------------------------- in process (tests and benches)


class InProcessRelay:
    """The Pipes under moto's in-process mock (`mock_aws`): each outbox record is put on the bus
    the moment its write commits, through moto's own backends — no API calls of its own, so a
    test's or a bench's request counts stay the handlers'. Same filter, enrichment and targets as
    the runtime's pollers."""

    def __init__(self, specs: list[PipeSpec]) -> None:
        self.by_table = {spec.stream_arn.split(":table/", 1)[-1].split("/", 1)[0]: spec for spec in specs}
        self.published = 0

    def __call__(self, shard: Any, record: Any) -> None:
        spec = self.by_table.get(shard.table.name)
        if spec is None:
            return
        wire = _wire(record.to_json())
        wire["eventSourceARN"] = spec.stream_arn
        if spec.filters and not any(p.matches_event(cast(Any, wire)) for p in spec.filters):
            return
        payloads = spec.enrichment.invoke([wire]) if spec.enrichment is not None else [wire]
        from moto.events.models import events_backends

        backend = events_backends[shard.account_id][shard.table.region_name]
        entries = [{"Source": _dynamic(spec.source, p), "DetailType": _dynamic(spec.detail_type, p),
                    "Detail": json.dumps(p), "EventBusName": spec.bus_name} for p in payloads]
        failed = [e for e in backend.put_events(entries) if e.get("ErrorCode")]
        if failed:
            raise PublishFailed(f"in-process relay: {failed[:3]}")
        self.published += len(entries)


def install_relay(specs: list[PipeSpec]) -> InProcessRelay:
    relay = InProcessRelay(specs)
    moto_dynamodb.stream_listeners[:] = [relay]
    return relay
