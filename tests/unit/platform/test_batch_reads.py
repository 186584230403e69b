"""Reads shared by one SQS batch's records (skailan.platform.batch_reads): loaded once per batch,
never across batches, never outside one."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from skailan.platform.batch import SqsRecord, process_sqs_batch
from skailan.platform.batch_reads import batch_scope, forget, shared


def _records(n: int) -> dict[str, Any]:
    return {"Records": [{"messageId": f"m{i}", "body": str(i), "attributes": {}} for i in range(n)]}


def test_a_batch_loads_a_key_once_and_the_next_batch_loads_it_again() -> None:
    loads: list[str] = []

    def handle(record: SqsRecord) -> None:
        assert shared(("acme", "settings"), lambda: loads.append("acme") or "value") == "value"

    process_sqs_batch(_records(4), handle)
    process_sqs_batch(_records(3), handle)
    assert loads == ["acme", "acme"]


def test_outside_a_batch_every_call_loads() -> None:
    loads: list[int] = []
    for _ in range(3):
        shared(("acme", "settings"), lambda: loads.append(len(loads)))
    assert loads == [0, 1, 2]


def test_keys_are_per_tenant_refused_values_and_errors_are_not_kept_and_forget_reloads() -> None:
    loads: list[str] = []

    def load(what: str, value: Any = None) -> Any:
        loads.append(what)
        return value

    with batch_scope():
        shared(("acme", "x"), lambda: load("acme", 1))
        shared(("demo", "x"), lambda: load("demo", 1))
        shared(("acme", "x"), lambda: load("acme again", 1))
        shared(("acme", "found"), lambda: load("found", [1]), keep=lambda found: not found)
        shared(("acme", "found"), lambda: load("found again", [1]), keep=lambda found: not found)
        with pytest.raises(RuntimeError):
            shared(("acme", "boom"), lambda: (_ for _ in ()).throw(RuntimeError("moto down")))
        shared(("acme", "boom"), lambda: load("boom retried", 2))
        forget(("acme", "x"))
        shared(("acme", "x"), lambda: load("acme after forget", 1))
    assert loads == ["acme", "demo", "found", "found again", "boom retried", "acme after forget"]


def test_concurrent_invocations_never_share_a_scope() -> None:
    seen: dict[str, Any] = {}
    ready = threading.Barrier(2)

    def invocation(name: str) -> None:
        with batch_scope():
            ready.wait(timeout=5)
            seen[name] = shared(("acme", "settings"), lambda: name)

    threads = [threading.Thread(target=invocation, args=(n,)) for n in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(5)
    assert seen == {"a": "a", "b": "b"}
