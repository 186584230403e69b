"""Queue pollers: what Lambda's event source mappings and async invocations do.

Each poller is one receiving thread and up to `concurrency` invocations in flight, as Lambda's
pollers scale with the backlog: the receiver long-polls, hands each batch to a worker thread as
soon as a slot is free, and polls again. `concurrency` is the event source's
`ScalingConfig.MaximumConcurrency`, else the function's own concurrency (functions.py); the
function's limit still holds across all its sources. Receives of one queue are never concurrent
(one receiver), and FIFO queues keep one batch in flight per message group: SQS (moto) does not
hand out a group's messages while an earlier one of the group is in flight. A batch is received
hidden for `HOLD_SECONDS` (like a queue visibility timeout of several function timeouts, as AWS
advises), so a slow batch is never received a second time by a parallel worker; once its
invocation ends, what was not deleted is made visible again after the short local visibility
timeout (`ChangeMessageVisibilityBatch`), so retries still come within seconds.

`SqsEventSourcePoller` is an SQS event source mapping: long-poll, gather a batch (BatchSize,
MaximumBatchingWindowInSeconds), drop messages that fail FilterCriteria (Lambda deletes them),
invoke with the Lambda SQS event, then delete what succeeded:
- without ReportBatchItemFailures: everything on success, nothing when the handler raised;
- with it: everything except `batchItemFailures[].itemIdentifier`; a raised exception or a
  malformed response (unknown/empty identifier, not an object) fails the whole batch.
Messages left behind come back after the visibility timeout, and moto moves them to the DLQ
once `maxReceiveCount` is reached, exactly as SQS does. Locally the visibility timeout of each
receive is short (`SKAILAN_LOCAL_VISIBILITY_SECONDS`, default 2 s) so retries happen quickly.

`AsyncInvokePoller` stands in for an asynchronous Lambda invocation by EventBridge (or SNS):
the rule targets a hidden queue and each message is one invocation, retried up to
`max_retries` more times (Lambda's default is 2), then dropped (or sent to a dead-letter queue).
"""

from __future__ import annotations

import base64
import contextlib
import json
import math
import threading
import time
from collections.abc import Callable
from typing import Any, cast

from moto.events.models import EventPattern

from .functions import FunctionError, LocalFunction
from .logs import get_logger

log = get_logger("sqs")

POLL_WAIT_SECONDS = 1  # slot waits and the batching window's polls
GATHER_SECONDS = 0.5  # within a batching window, after a receive that got messages (README: SQS event sources)
# The first long poll of a batch. Each poll of an idle queue is a moto request: at 1 s the 14 event
# sources cost moto ~5 % of a core doing nothing (measured). It also bounds how long stop() takes.
RECEIVE_WAIT_SECONDS = 5
HOLD_SECONDS = 120  # how long a received batch stays hidden while its invocation runs
_ATTRIBUTE_ORDER = (
    "ApproximateReceiveCount",
    "SentTimestamp",
    "SenderId",
    "ApproximateFirstReceiveTimestamp",
    "SequenceNumber",
    "MessageGroupId",
    "MessageDeduplicationId",
    "AWSTraceHeader",
    "DeadLetterQueueSourceArn",
)


def sqs_record(message: dict[str, Any], queue_arn: str, region: str) -> dict[str, Any]:
    """One record of the Lambda SQS event, from a ReceiveMessage message."""
    attributes = message.get("Attributes") or {}
    record: dict[str, Any] = {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message.get("Body", ""),
        "attributes": {name: attributes[name] for name in _ATTRIBUTE_ORDER if name in attributes},
        "messageAttributes": {
            name: _record_message_attribute(value)
            for name, value in (message.get("MessageAttributes") or {}).items()
        },
        "md5OfBody": message.get("MD5OfBody", ""),
    }
    if message.get("MD5OfMessageAttributes"):
        record["md5OfMessageAttributes"] = message["MD5OfMessageAttributes"]
    record.update({"eventSource": "aws:sqs", "eventSourceARN": queue_arn, "awsRegion": region})
    return record


def _record_message_attribute(value: dict[str, Any]) -> dict[str, Any]:
    attribute: dict[str, Any] = {}
    if "StringValue" in value:
        attribute["stringValue"] = value["StringValue"]
    if "BinaryValue" in value:
        attribute["binaryValue"] = base64.b64encode(value["BinaryValue"]).decode()
    attribute["stringListValues"] = value.get("StringListValues", [])
    attribute["binaryListValues"] = [base64.b64encode(v).decode() for v in value.get("BinaryListValues", [])]
    attribute["dataType"] = value.get("DataType", "String")
    return attribute


def failed_message_ids(result: Any, batch_ids: list[str]) -> set[str] | None:
    """Message ids a ReportBatchItemFailures response marks as failed; None = the whole batch."""
    if result is None:
        return set()
    if not isinstance(result, dict):
        log.warning("batch response is not an object (%s): the whole batch failed", type(result).__name__)
        return None
    failures = result.get("batchItemFailures")
    if not failures:
        return set()
    failed = set()
    for failure in failures:
        identifier = failure.get("itemIdentifier") if isinstance(failure, dict) else None
        if not identifier or identifier not in batch_ids:
            log.warning(
                "batchItemFailures has an invalid itemIdentifier %r: the whole batch failed", identifier
            )
            return None
        failed.add(identifier)
    return failed


def sns_lambda_event(body: str, subscription_arn: str) -> dict[str, Any]:
    """The Lambda SNS event for one SNS notification as SNS delivers it to an SQS queue."""
    notification = json.loads(body)
    return {
        "Records": [
            {
                "EventVersion": "1.0",
                "EventSubscriptionArn": subscription_arn,
                "EventSource": "aws:sns",
                "Sns": {
                    "SignatureVersion": notification.get("SignatureVersion", "1"),
                    "Timestamp": notification.get("Timestamp"),
                    "Signature": notification.get("Signature", ""),
                    "SigningCertUrl": notification.get("SigningCertURL", ""),
                    "MessageId": notification.get("MessageId"),
                    "Message": notification.get("Message"),
                    "MessageAttributes": notification.get("MessageAttributes", {}),
                    "Type": notification.get("Type", "Notification"),
                    "UnsubscribeUrl": notification.get("UnsubscribeURL", ""),
                    "TopicArn": notification.get("TopicArn"),
                    "Subject": notification.get("Subject"),
                },
            }
        ]
    }


def matches_filters(record: dict[str, Any], patterns: list[EventPattern]) -> bool:
    """Lambda event filtering: the record matches one pattern; a JSON body is matched as an object."""
    if not patterns:
        return True
    candidate = dict(record)
    with contextlib.suppress(TypeError, ValueError):  # a non-JSON body is matched as a string
        candidate["body"] = json.loads(record["body"])
    return any(pattern.matches_event(cast(Any, candidate)) for pattern in patterns)


class QueuePoller:
    """A thread that long-polls one queue and hands the batches to `process` on worker threads."""

    def __init__(
        self,
        name: str,
        sqs: Any,
        queue_url: str,
        *,
        batch_size: int = 10,
        batching_window: float = 0,
        visibility_timeout: int = 2,
        concurrency: int = 1,
    ) -> None:
        self.name = name
        self.sqs = sqs
        self.queue_url = queue_url
        self.batch_size = batch_size
        self.batching_window = batching_window
        self.visibility_timeout = visibility_timeout
        self.concurrency = max(1, concurrency)
        self._slots = threading.Semaphore(self.concurrency)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._workers: set[threading.Thread] = set()
        self._workers_lock = threading.Lock()

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self._run, name=f"skailan-local-poller-{self.name}", daemon=True
        )
        self._thread.start()

    def signal_stop(self) -> None:
        self._stop.set()

    def join(self, timeout: float = 10) -> None:
        deadline = time.monotonic() + timeout
        if self._thread is not None:
            self._thread.join(max(0.0, deadline - time.monotonic()))
        with self._workers_lock:
            workers = list(self._workers)
        for worker in workers:  # batches already handed out finish (or time out) first
            worker.join(max(0.0, deadline - time.monotonic()))
        if (self._thread is not None and self._thread.is_alive()) or any(w.is_alive() for w in workers):
            log.warning("poller %s did not stop within %ss", self.name, timeout)
        self._thread = None

    def describe(self) -> dict[str, Any]:
        with self._workers_lock:
            busy = len(self._workers)
        return {"poller": self.name, "concurrency": self.concurrency, "batch_size": self.batch_size,
                "batching_window": self.batching_window, "in_flight": busy}

    def process(self, messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Invoke for the messages; returns those left in the queue for a retry."""
        raise NotImplementedError

    def units(self, messages: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
        """How a received batch is split into invocations (one, for an event source mapping)."""
        return [messages]

    def _run(self) -> None:
        while not self._stop.is_set():
            # A free slot first: no message is received (and hidden) that nobody can work on yet.
            if not self._slots.acquire(timeout=POLL_WAIT_SECONDS):
                continue
            try:
                messages = self._receive_batch()
            except Exception as error:
                self._slots.release()
                if self._stop.is_set():
                    return  # moto is going away with us
                log.warning("poller %s: %s: %s", self.name, type(error).__name__, error)
                self._stop.wait(1)
                continue
            if not messages:
                self._slots.release()
                continue
            units = self.units(messages)
            for index, unit in enumerate(units):
                if index and not self._acquire_slot():
                    # Stopping: the rest of the batch comes back after its visibility timeout.
                    break
                self._dispatch(unit)

    def _acquire_slot(self) -> bool:
        while not self._stop.is_set():
            if self._slots.acquire(timeout=POLL_WAIT_SECONDS):
                return True
        return False

    def _dispatch(self, messages: list[dict[str, Any]]) -> None:
        worker = threading.Thread(target=self._work, args=(messages,),
                                  name=f"skailan-local-invoke-{self.name}", daemon=True)
        with self._workers_lock:
            self._workers.add(worker)
        worker.start()

    def _work(self, messages: list[dict[str, Any]]) -> None:
        left = messages
        try:
            left = self.process(messages) or []
        except Exception as error:
            log.warning("poller %s: %s: %s", self.name, type(error).__name__, error)
        finally:
            try:
                if left:
                    self._visible_again(left)
            finally:
                self._slots.release()
                with self._workers_lock:
                    self._workers.discard(threading.current_thread())

    def _visible_again(self, messages: list[dict[str, Any]]) -> None:
        """Messages left for a retry come back after the local visibility timeout, not the hold."""
        for start in range(0, len(messages), 10):
            chunk = messages[start : start + 10]
            entries = [{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"], "VisibilityTimeout": self.visibility_timeout}
                       for i, m in enumerate(chunk)]
            try:
                self.sqs.change_message_visibility_batch(QueueUrl=self.queue_url, Entries=entries)
            except Exception as error:  # moto stopping: nothing left to retry
                log.debug("poller %s: visibility not reset: %s", self.name, error)

    def _receive(self, wait_seconds: int, count: int) -> list[dict[str, Any]]:
        response = self.sqs.receive_message(
            QueueUrl=self.queue_url,
            MaxNumberOfMessages=max(1, min(10, count)),
            WaitTimeSeconds=wait_seconds,
            VisibilityTimeout=max(self.visibility_timeout, HOLD_SECONDS),
            AttributeNames=["All"],
            MessageSystemAttributeNames=["All"],
            MessageAttributeNames=["All"],
        )
        return response.get("Messages", [])

    def _receive_batch(self) -> list[dict[str, Any]]:
        messages = self._receive(RECEIVE_WAIT_SECONDS, self.batch_size)
        if not messages or self.batching_window <= 0:
            return messages
        # Keyed by id: with a short local visibility timeout a message may come back while the
        # batch is still gathering; the newest receipt handle is the one SQS accepts.
        batch = {message["MessageId"]: message for message in messages}
        deadline = time.monotonic() + self.batching_window
        got = messages
        while len(batch) < self.batch_size and not self._stop.is_set():
            if got:
                # Messages are flowing: let them gather for a slice of the window and take them in
                # one receive (a long poll answers at the first message: one ReceiveMessage per
                # message otherwise — issue 17). The window still ends when it did.
                self._stop.wait(min(GATHER_SECONDS, max(0.0, deadline - time.monotonic())))
            remaining = deadline - time.monotonic()
            if remaining <= 0 and not got:
                break  # the last long poll waited out the window and found nothing
            # Whole seconds only: the window may run up to a second long, never spin on 0 s polls;
            # its end takes what gathered without waiting.
            wait = min(POLL_WAIT_SECONDS, math.ceil(remaining)) if remaining > 0 else 0
            got = self._receive(wait, self.batch_size - len(batch))
            for message in got:
                batch[message["MessageId"]] = message
            if remaining <= 0:
                break
        return list(batch.values())

    def delete(self, messages: list[dict[str, Any]]) -> None:
        for start in range(0, len(messages), 10):
            chunk = messages[start : start + 10]
            entries = [{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(chunk)]
            response = self.sqs.delete_message_batch(QueueUrl=self.queue_url, Entries=entries)
            for failure in response.get("Failed", []):
                log.warning("poller %s: could not delete a message: %s", self.name, failure.get("Message"))


class SqsEventSourcePoller(QueuePoller):
    def __init__(
        self,
        function: LocalFunction,
        event_name: str,
        sqs: Any,
        queue_url: str,
        queue_arn: str,
        *,
        region: str,
        report_batch_item_failures: bool = False,
        filters: list[EventPattern] | None = None,
        **options: Any,
    ) -> None:
        super().__init__(f"{function.logical_id}.{event_name}", sqs, queue_url, **options)
        self.function = function
        self.queue_arn = queue_arn
        self.region = region
        self.report_batch_item_failures = report_batch_item_failures
        self.filters = filters or []

    def process(self, messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
        records, batch, filtered_out = [], [], []
        for message in messages:
            record = sqs_record(message, self.queue_arn, self.region)
            if matches_filters(record, self.filters):
                records.append(message)
                batch.append(record)
            else:
                filtered_out.append(message)
        if filtered_out:
            self.delete(filtered_out)  # Lambda deletes SQS messages that match no filter
        if not records:
            return []
        queue_name = self.queue_arn.rsplit(":", 1)[-1]
        started = time.monotonic()
        try:
            result = self.function.invoke({"Records": batch})
        except FunctionError:
            log.info(
                "%s <- %d from %s: handler raised, all left for retry", self.name, len(batch), queue_name
            )
            return records
        elapsed_ms = (time.monotonic() - started) * 1000
        if not self.report_batch_item_failures:
            self.delete(records)
            log.info("%s <- %d from %s: ok %.0fms", self.name, len(batch), queue_name, elapsed_ms)
            return []
        failed = failed_message_ids(result, [record["messageId"] for record in batch])
        if failed is None:
            log.info("%s <- %d from %s: batch failed, all left for retry", self.name, len(batch), queue_name)
            return records
        self.delete([m for m in records if m["MessageId"] not in failed])
        log.info(
            "%s <- %d from %s: %d ok, %d failed %.0fms",
            self.name,
            len(batch),
            queue_name,
            len(batch) - len(failed),
            len(failed),
            elapsed_ms,
        )
        return [m for m in records if m["MessageId"] in failed]


class AsyncInvokePoller(QueuePoller):
    """Each message of a hidden queue is one asynchronous invocation of the function."""

    def __init__(
        self,
        function: LocalFunction,
        source_name: str,
        sqs: Any,
        queue_url: str,
        *,
        to_event: Callable[[str], Any] = json.loads,
        max_retries: int = 2,
        dead_letter_queue_url: str | None = None,
        **options: Any,
    ) -> None:
        super().__init__(f"{function.logical_id}.{source_name}", sqs, queue_url, batch_size=10, **options)
        self.function = function
        self.to_event = to_event
        self.max_retries = max_retries
        self.dead_letter_queue_url = dead_letter_queue_url

    def units(self, messages: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
        return [[message] for message in messages]  # each event is its own asynchronous invocation

    def process(self, messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
        left = []
        for message in messages:
            attempt = int((message.get("Attributes") or {}).get("ApproximateReceiveCount", "1"))
            try:
                self.function.invoke(self.to_event(message["Body"]))
            except FunctionError:
                if attempt <= self.max_retries:
                    log.info("%s: attempt %d failed, retrying", self.name, attempt)
                    left.append(message)
                    continue
                self._give_up(message, attempt)
            except (TypeError, ValueError) as error:
                log.error("%s: message is not an event (%s); dropped", self.name, error)
            else:
                log.info("%s <- event ok", self.name)
            self.delete([message])
        return left

    def _give_up(self, message: dict[str, Any], attempts: int) -> None:
        if self.dead_letter_queue_url:
            self.sqs.send_message(QueueUrl=self.dead_letter_queue_url, MessageBody=message["Body"])
            log.warning("%s: failed %d times; event sent to the dead-letter queue", self.name, attempts)
        else:
            log.warning(
                "%s: failed %d times; event dropped (as Lambda does without a DLQ)", self.name, attempts
            )
