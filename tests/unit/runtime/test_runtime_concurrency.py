"""Concurrent invocations in the local runtime: containers per function, per-thread Powertools
request state, pollers with several batches in flight (no sockets, no moto)."""

from __future__ import annotations

import json
import sys
import threading
from pathlib import Path
from typing import Any

from infra.local import concurrency
from infra.local.functions import FunctionSpec, LocalFunction
from infra.local.pollers import SqsEventSourcePoller

HANDLER = '''
import threading, time
import {shared}  # like the layer's packages: imported once, shared by every container
busy = False
calls = []

def handler(event, context):
    global busy
    if busy:
        raise RuntimeError("two invocations in one container at once")
    busy = True
    try:
        calls.append(event["n"])
        if {shared}.barrier is not None:
            {shared}.barrier.wait(timeout=10)
        time.sleep(event.get("sleep", 0))
        return {"container": id(calls)}
    finally:
        busy = False
'''


def _function(tmp_path: Path, reserved: int | None, **options: Any) -> LocalFunction:
    shared = f"skailan_test_shared_{tmp_path.name.replace('-', '_')}"
    (tmp_path / f"{shared}.py").write_text("barrier = None\n")
    (tmp_path / "app.py").write_text(HANDLER.replace("{shared}", shared))
    spec = FunctionSpec(logical_id=f"Fn{reserved}", name="fn", arn="arn:aws:lambda:us-east-1:1:function:fn",
                        code_dir=tmp_path, handler="app.handler", timeout=30, reserved_concurrency=reserved)
    return LocalFunction(spec, **options)


def _in_parallel(function: LocalFunction, events: list[dict[str, Any]]) -> list[Any]:
    results: list[Any] = [None] * len(events)

    def run(index: int) -> None:
        results[index] = function.invoke(events[index])

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(events))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


def test_reserved_concurrency_runs_that_many_containers_at_once_never_more(tmp_path):
    function = _function(tmp_path, 3)
    try:
        function.invoke({"n": -1})  # first container, warm
        shared = sys.modules[f"skailan_test_shared_{tmp_path.name.replace('-', '_')}"]
        shared.barrier = threading.Barrier(3)  # passes only with three invocations in flight together
        results = _in_parallel(function, [{"n": n} for n in range(3)])
    finally:
        function.unload()
    assert function.concurrency == 3
    assert function.peak == 3
    assert len({r["container"] for r in results}) == 3  # three containers, each its own module state


def test_containers_are_reused_and_never_shared(tmp_path):
    function = _function(tmp_path, 2)
    try:
        results = _in_parallel(function, [{"n": n, "sleep": 0.02} for n in range(12)])
        again = function.invoke({"n": 99})
    finally:
        function.unload()
    containers = {r["container"] for r in results}
    assert len(containers) <= 2 and function.peak <= 2  # the handler raises if two runs share one
    assert again["container"] in containers  # a warm container, not a new cold start
    assert function.invocations == 13


def test_default_and_capped_concurrency(tmp_path):
    assert _function(tmp_path, None, default_concurrency=4).concurrency == 4
    assert _function(tmp_path, 50, cap=8).concurrency == 8
    assert _function(tmp_path, 0).concurrency == 1


def test_powertools_request_state_is_per_thread():
    from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
    from aws_lambda_powertools.event_handler.api_gateway import Router

    concurrency.install()
    router = Router()
    gate = threading.Barrier(6, timeout=10)

    @router.get("/items/<n>")
    def item(n: str) -> dict[str, Any]:
        gate.wait()  # all six requests resolved before any route reads its event
        return {"n": n, "path": router.current_event.path, "route_path": router.context.get("_path")}

    apps = []
    for _ in range(2):  # two containers of one function share the layer's router
        app = APIGatewayHttpResolver()
        app.include_router(router)
        apps.append(app)
    answers: dict[int, Any] = {}

    def call(n: int) -> None:
        event = {"version": "2.0", "routeKey": "$default", "rawPath": f"/items/{n}", "rawQueryString": "",
                 "headers": {}, "isBase64Encoded": False,
                 "requestContext": {"http": {"method": "GET", "path": f"/items/{n}", "sourceIp": "127.0.0.1",
                                             "protocol": "HTTP/1.1", "userAgent": "t"},
                                    "stage": "$default", "requestId": str(n), "routeKey": "$default"}}
        answers[n] = json.loads(apps[n % 2].resolve(event, None)["body"])

    threads = [threading.Thread(target=call, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert answers == {n: {"n": str(n), "path": f"/items/{n}", "route_path": f"/items/{n}"} for n in range(6)}


class _Queue:
    """receive_message hands out the prepared batches, then nothing."""

    def __init__(self, batches: list[list[dict[str, Any]]]) -> None:
        self.batches = list(batches)
        self.lock = threading.Lock()
        self.deleted: list[str] = []
        self.visibility: list[tuple[str, int]] = []
        self.hidden_for: list[int] = []

    def receive_message(self, **kwargs: Any) -> dict[str, Any]:
        self.hidden_for.append(kwargs["VisibilityTimeout"])
        with self.lock:
            batch = self.batches.pop(0) if self.batches else []
        if not batch:
            threading.Event().wait(0.05)
        return {"Messages": batch}

    def delete_message_batch(self, QueueUrl: str, Entries: list[dict[str, Any]]) -> dict[str, Any]:
        with self.lock:
            self.deleted += [entry["ReceiptHandle"] for entry in Entries]
        return {"Successful": [{"Id": entry["Id"]} for entry in Entries]}

    def change_message_visibility_batch(self, QueueUrl: str, Entries: list[dict[str, Any]]) -> dict[str, Any]:
        with self.lock:
            self.visibility += [(entry["ReceiptHandle"], entry["VisibilityTimeout"]) for entry in Entries]
        return {"Successful": [{"Id": entry["Id"]} for entry in Entries]}


class _Function:
    logical_id = "Worker"
    concurrency = 3

    def __init__(self, barrier: threading.Barrier) -> None:
        self.barrier = barrier
        self.seen: list[str] = []

    def invoke(self, event: dict[str, Any]) -> Any:
        self.barrier.wait()  # three batches in flight together, or BrokenBarrierError
        ids = [record["messageId"] for record in event["Records"]]
        self.seen += ids
        return {"batchItemFailures": [{"itemIdentifier": i} for i in ids if i.startswith("bad")]}


def _message(message_id: str) -> dict[str, Any]:
    return {"MessageId": message_id, "ReceiptHandle": f"rh-{message_id}", "Body": "{}", "MD5OfBody": "x",
            "Attributes": {"ApproximateReceiveCount": "1"}}


def test_poller_keeps_batches_in_flight_in_parallel_and_releases_failures_quickly():
    concurrency_ = 3  # the barrier below breaks unless three batches are in flight together
    queue = _Queue([[_message("a1"), _message("a2")], [_message("b1")], [_message("c1"), _message("bad-c2")]])
    function = _Function(threading.Barrier(concurrency_, timeout=10))
    poller = SqsEventSourcePoller(function, "Work", queue, "url", "arn:aws:sqs:us-east-1:1:work",  # type: ignore[arg-type]
                                  region="us-east-1", report_batch_item_failures=True, visibility_timeout=2,
                                  concurrency=concurrency_)
    poller.start()
    try:
        deadline = threading.Event()
        for _ in range(200):
            if len(queue.deleted) + len(queue.visibility) >= 5:
                break
            deadline.wait(0.05)
    finally:
        poller.signal_stop()
        poller.join()
    assert sorted(function.seen) == ["a1", "a2", "b1", "bad-c2", "c1"]
    assert sorted(queue.deleted) == ["rh-a1", "rh-a2", "rh-b1", "rh-c1"]
    # Received hidden long enough for any invocation; what failed is visible again after 2 s.
    assert min(queue.hidden_for) >= 60
    assert queue.visibility == [("rh-bad-c2", 2)]


def test_containers_starting_together_build_one_pynamodb_client(monkeypatch):
    from pynamodb.connection import Connection

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "t")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "t")
    concurrency.install()
    connection = Connection(region="us-east-1", host="http://127.0.0.1:9")
    gate = threading.Barrier(6, timeout=10)
    clients: list[Any] = []

    def first_use() -> None:
        gate.wait()
        clients.append(connection.client)

    threads = [threading.Thread(target=first_use) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(clients) == 6 and len({id(c) for c in clients}) == 1
