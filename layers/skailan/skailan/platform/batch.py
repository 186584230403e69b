"""SQS batches with partial failures — the one loop every queue worker runs.

Lambda's SQS event source retries only the records named in `batchItemFailures` (the event
source mapping has `ReportBatchItemFailures`). Standard queues: each record on its own. FIFO
queues: once a record of a message group fails, the group's later records in the batch are not
processed and are reported failed too, so a customer's events never overtake one another.

This replaces Powertools' BatchProcessor / SqsFifoPartialProcessor, whose module imports asyncio
and every event data class (~35 ms of each worker's cold start) for what is this loop.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from skailan.platform.batch_reads import batch_scope
from skailan.platform.observability import logger


class BatchFailed(Exception):
    """Every record of the batch failed (standard queues, unless allowed): Lambda retries it all."""


class SqsAttributes:
    __slots__ = ("_raw",)

    def __init__(self, raw: dict[str, Any]) -> None:
        self._raw = raw

    @property
    def message_group_id(self) -> str | None:
        return self._raw.get("MessageGroupId")

    @property
    def approximate_receive_count(self) -> str | None:
        return self._raw.get("ApproximateReceiveCount")


class SqsRecord:
    """The fields of an SQS record our workers read."""

    __slots__ = ("raw",)

    def __init__(self, raw: dict[str, Any]) -> None:
        self.raw = raw

    @property
    def body(self) -> str:
        return str(self.raw.get("body") or "")

    @property
    def message_id(self) -> str:
        return str(self.raw["messageId"])

    @property
    def receipt_handle(self) -> str | None:
        return self.raw.get("receiptHandle")

    @property
    def attributes(self) -> SqsAttributes:
        return SqsAttributes(self.raw.get("attributes") or {})


def process_sqs_batch(event: dict[str, Any], handle: Callable[[SqsRecord], Any], *, fifo: bool = False,
                      fail_whole_batch: bool = True) -> dict[str, list[dict[str, str]]]:
    """Run `handle` on every record; answer the failed ones as `{"batchItemFailures": [...]}`.

    `fail_whole_batch`: when every record of a standard-queue batch failed, raise instead (the
    usual Lambda behaviour); workers that retry record by record on their own terms turn it off.
    """
    with batch_scope():  # brand-wide reads shared by the batch's records (batch_reads.py)
        return _process(event, handle, fifo=fifo, fail_whole_batch=fail_whole_batch)


def _process(event: dict[str, Any], handle: Callable[[SqsRecord], Any], *, fifo: bool,
             fail_whole_batch: bool) -> dict[str, list[dict[str, str]]]:
    records = [SqsRecord(raw) for raw in event.get("Records") or []]
    failures: list[dict[str, str]] = []
    failed_groups: set[str] = set()
    for record in records:
        group = record.attributes.message_group_id if fifo else None
        if group is not None and group in failed_groups:
            failures.append({"itemIdentifier": record.message_id})  # wait behind the failed one
            continue
        try:
            handle(record)
        except Exception:
            logger.exception("record failed; SQS will deliver it again", message_id=record.message_id)
            failures.append({"itemIdentifier": record.message_id})
            if group is not None:
                failed_groups.add(group)
    if records and len(failures) == len(records) and fail_whole_batch and not fifo:
        raise BatchFailed(f"all {len(records)} records failed")
    return {"batchItemFailures": failures}
