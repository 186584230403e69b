"""The SQS partial-batch loop every worker runs (skailan.platform.batch)."""

from __future__ import annotations

import pytest

from skailan.platform.batch import BatchFailed, process_sqs_batch


def _event(*records: tuple[str, str | None, str]) -> dict:
    return {"Records": [{"messageId": mid, "body": body, "receiptHandle": f"rh-{mid}",
                         "attributes": {"ApproximateReceiveCount": "1", **({"MessageGroupId": group} if group else {})}}
                        for mid, group, body in records]}


def _handler(seen: list[str]):
    def handle(record):
        seen.append(record.message_id)
        if record.body == "boom":
            raise RuntimeError("boom")
    return handle


def test_standard_queue_reports_only_the_failed_records():
    seen: list[str] = []
    out = process_sqs_batch(_event(("a", None, "ok"), ("b", None, "boom"), ("c", None, "ok")), _handler(seen))
    assert out == {"batchItemFailures": [{"itemIdentifier": "b"}]} and seen == ["a", "b", "c"]


def test_a_whole_failed_batch_raises_unless_the_worker_retries_on_its_own():
    with pytest.raises(BatchFailed):
        process_sqs_batch(_event(("a", None, "boom"), ("b", None, "boom")), _handler([]))
    out = process_sqs_batch(_event(("a", None, "boom")), _handler([]), fail_whole_batch=False)
    assert out == {"batchItemFailures": [{"itemIdentifier": "a"}]}
    assert process_sqs_batch({"Records": []}, _handler([])) == {"batchItemFailures": []}


def test_fifo_holds_back_the_failed_group_and_goes_on_with_the_others():
    seen: list[str] = []
    out = process_sqs_batch(_event(("a1", "A", "ok"), ("a2", "A", "boom"), ("b1", "B", "ok"), ("a3", "A", "ok"),
                                   ("b2", "B", "ok")), _handler(seen), fifo=True)
    assert out == {"batchItemFailures": [{"itemIdentifier": "a2"}, {"itemIdentifier": "a3"}]}
    assert seen == ["a1", "a2", "b1", "b2"]  # a3 never ran: it waits behind a2
    everything = process_sqs_batch(_event(("x", "X", "boom")), _handler([]), fifo=True)
    assert everything == {"batchItemFailures": [{"itemIdentifier": "x"}]}  # a partial answer, not an error
