"""Functions run as threads of one process locally, sharing the layer's Powertools logger: each
invocation must still log with its own Lambda context (function_name, request id) and its own
appended keys, not those of the function running beside it."""

from __future__ import annotations

import json
import logging
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from infra.local import concurrency
from infra.local.functions import FunctionSpec, LocalFunction
from skailan.platform.observability import logger

HANDLER = '''
import {shared}
from skailan.platform.observability import logger

@logger.inject_lambda_context
def handler(event, context):
    logger.append_keys(tenant_id=event["tenant"])
    {shared}.barrier.wait(timeout=10)  # both have their context before either logs
    logger.info("working")
    {shared}.barrier.wait(timeout=10)  # and neither ends before the other logged
    return {"ok": True}
'''


class _Lines(logging.Handler):
    """Formats on the logging thread with the layer's formatter, as its stdout handler does."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[dict[str, Any]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(json.loads(logger.registered_formatter.format(record)))


@pytest.fixture
def lines() -> Any:
    concurrency.install()
    capture = _Lines()
    target = logging.getLogger(logger.name)
    target.addHandler(capture)
    try:
        yield capture.lines
    finally:
        target.removeHandler(capture)


def _function(root: Path, shared: str, name: str) -> LocalFunction:
    code = root / name
    code.mkdir()
    (code / "app.py").write_text(HANDLER.replace("{shared}", shared))
    spec = FunctionSpec(logical_id=name.title().replace("-", ""), name=name,
                        arn=f"arn:aws:lambda:us-east-1:1:function:{name}", code_dir=code, handler="app.handler",
                        timeout=30, reserved_concurrency=1)
    return LocalFunction(spec)


def test_two_functions_invoked_concurrently_each_log_their_own_context(tmp_path, monkeypatch, lines):
    shared = f"skailan_test_logs_{tmp_path.name.replace('-', '_')}"
    (tmp_path / f"{shared}.py").write_text("import threading\nbarrier = threading.Barrier(2)\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    outbound, assignment = _function(tmp_path, shared, "outbound-worker"), _function(tmp_path, shared, "assignment-worker")
    runs = [(outbound, "t-out", "req-out"), (assignment, "t-assign", "req-assign")]
    results: list[Any] = [None, None]

    def run(index: int) -> None:
        function, tenant, request_id = runs[index]
        results[index] = function.invoke({"tenant": tenant}, request_id=request_id)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(20)
    finally:
        outbound.unload()
        assignment.unload()
        sys.modules.pop(shared, None)
    assert results == [{"ok": True}, {"ok": True}]
    working = {line["function_name"]: line for line in lines if line["message"] == "working"}
    assert set(working) == {"outbound-worker", "assignment-worker"}
    assert working["outbound-worker"]["function_request_id"] == "req-out"
    assert working["outbound-worker"]["tenant_id"] == "t-out"
    assert working["assignment-worker"]["function_request_id"] == "req-assign"
    assert working["assignment-worker"]["tenant_id"] == "t-assign"


def test_an_invocation_starts_from_the_default_keys_on_a_reused_thread(lines):
    concurrency.install()
    logger.append_keys(function_name="left-behind", tenant_id="t-old")
    with concurrency.own_log_keys():
        logger.info("inside")
    logger.info("after")
    inside, after = (line for line in lines if line["message"] in ("inside", "after"))
    assert "function_name" not in inside and "tenant_id" not in inside
    assert after["function_name"] == "left-behind"  # the outer invocation's keys come back
    logger.remove_keys(["function_name", "tenant_id"])
