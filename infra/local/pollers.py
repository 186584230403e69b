"""Queue pollers: what Lambda's event source mappings and async invocations do, one thread each.

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

POLL_WAIT_SECONDS = 1  # long-poll wait; also bounds how long stop() takes
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
    """A thread that long-polls one queue and hands the messages to `process`."""

    def __init__(
        self,
        name: str,
        sqs: Any,
        queue_url: str,
        *,
        batch_size: int = 10,
        batching_window: float = 0,
        visibility_timeout: int = 2,
    ) -> None:
        self.name = name
        self.sqs = sqs
        self.queue_url = queue_url
        self.batch_size = batch_size
        self.batching_window = batching_window
        self.visibility_timeout = visibility_timeout
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self._run, name=f"skailan-local-poller-{self.name}", daemon=True
        )
        self._thread.start()

    def signal_stop(self) -> None:
        self._stop.set()

    def join(self, timeout: float = 10) -> None:
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                log.warning("poller %s did not stop within %ss", self.name, timeout)
            self._thread = None

    def process(self, messages: list[dict[str, Any]]) -> None:
        raise NotImplementedError

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                messages = self._receive_batch()
                if messages:
                    self.process(messages)
            except Exception as error:
                if self._stop.is_set():
                    return  # moto is going away with us
                log.warning("poller %s: %s: %s", self.name, type(error).__name__, error)
                self._stop.wait(1)

    def _receive(self, wait_seconds: int, count: int) -> list[dict[str, Any]]:
        response = self.sqs.receive_message(
            QueueUrl=self.queue_url,
            MaxNumberOfMessages=max(1, min(10, count)),
            WaitTimeSeconds=wait_seconds,
            VisibilityTimeout=self.visibility_timeout,
            AttributeNames=["All"],
            MessageSystemAttributeNames=["All"],
            MessageAttributeNames=["All"],
        )
        return response.get("Messages", [])

    def _receive_batch(self) -> list[dict[str, Any]]:
        messages = self._receive(POLL_WAIT_SECONDS, self.batch_size)
        if not messages or self.batching_window <= 0:
            return messages
        # Keyed by id: with a short local visibility timeout a message may come back while the
        # batch is still gathering; the newest receipt handle is the one SQS accepts.
        batch = {message["MessageId"]: message for message in messages}
        deadline = time.monotonic() + self.batching_window
        while len(batch) < self.batch_size and not self._stop.is_set():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            # Whole seconds only: the window may run up to a second long, never spin on 0 s polls.
            wait = min(POLL_WAIT_SECONDS, math.ceil(remaining))
            for message in self._receive(wait, self.batch_size - len(batch)):
                batch[message["MessageId"]] = message
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

    def process(self, messages: list[dict[str, Any]]) -> None:
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
            return
        queue_name = self.queue_arn.rsplit(":", 1)[-1]
        started = time.monotonic()
        try:
            result = self.function.invoke({"Records": batch})
        except FunctionError:
            log.info(
                "%s <- %d from %s: handler raised, all left for retry", self.name, len(batch), queue_name
            )
            return
        elapsed_ms = (time.monotonic() - started) * 1000
        if not self.report_batch_item_failures:
            self.delete(records)
            log.info("%s <- %d from %s: ok %.0fms", self.name, len(batch), queue_name, elapsed_ms)
            return
        failed = failed_message_ids(result, [record["messageId"] for record in batch])
        if failed is None:
            log.info("%s <- %d from %s: batch failed, all left for retry", self.name, len(batch), queue_name)
            return
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

    def process(self, messages: list[dict[str, Any]]) -> None:
        for message in messages:
            attempt = int((message.get("Attributes") or {}).get("ApproximateReceiveCount", "1"))
            try:
                self.function.invoke(self.to_event(message["Body"]))
            except FunctionError:
                if attempt <= self.max_retries:
                    log.info("%s: attempt %d failed, retrying", self.name, attempt)
                    continue
                self._give_up(message, attempt)
            except (TypeError, ValueError) as error:
                log.error("%s: message is not an event (%s); dropped", self.name, error)
            else:
                log.info("%s <- event ok", self.name)
            self.delete([message])

    def _give_up(self, message: dict[str, Any], attempts: int) -> None:
        if self.dead_letter_queue_url:
            self.sqs.send_message(QueueUrl=self.dead_letter_queue_url, MessageBody=message["Body"])
            log.warning("%s: failed %d times; event sent to the dead-letter queue", self.name, attempts)
        else:
            log.warning(
                "%s: failed %d times; event dropped (as Lambda does without a DLQ)", self.name, attempts
            )
