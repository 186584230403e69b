"""One LocalRuntime per test module, on free ports, with the fixture template of this folder."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from infra.local import LocalRuntime

FIXTURE_TEMPLATE = Path(__file__).parent / "fixtures" / "template.yaml"


@pytest.fixture(scope="module")
def runtime() -> Iterator[LocalRuntime]:
    local = LocalRuntime(
        FIXTURE_TEMPLATE,
        port=0,
        moto_port=0,
        parameter_overrides={"Stage": "local"},
        visibility_timeout=1,
        schedules=False,
        seed=False,
        strict=True,
        banner=False,
        web_dist=None,  # a built web app would answer unknown paths with its index page
    ).start()
    try:
        yield local
    finally:
        local.stop()
        leftover = [
            t.name for t in threading.enumerate() if t.name.startswith("skailan-local") and t.is_alive()
        ]
        assert leftover == [], f"threads still running after stop(): {leftover}"


@pytest.fixture(scope="module")
def api(runtime: LocalRuntime) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=runtime.url, timeout=10) as client:
        yield client


@pytest.fixture(scope="module")
def items(runtime: LocalRuntime) -> Any:
    return runtime.client("dynamodb")


def _wait_for(probe: Callable[[], Any], timeout: float = 15, interval: float = 0.2) -> Any:
    """Poll until `probe()` returns something truthy; fail the test on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"condition not met within {timeout}s")
        time.sleep(interval)


@pytest.fixture
def wait_for() -> Callable[..., Any]:
    return _wait_for
