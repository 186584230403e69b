"""E2E: start `python -m infra.local` (what `make run` runs) on free ports and talk HTTP to it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that publish thousands of events (a 10 000-row import: every contact.created feeds the
    leads, automations, analytics and segments workers) run last, so the shared runtime's other
    tests never wait behind their backlog."""
    items.sort(key=lambda item: item.get_closest_marker("floods_events") is not None)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def local_runtime(log_name: str = ".pytest-e2e-runtime.log") -> Iterator[str]:
    """`python -m infra.local` on free ports; yields its base URL; Ctrl-C at the end."""
    port, moto_port, ws_port = _free_port(), _free_port(), _free_port()
    worker = os.environ.get("PYTEST_XDIST_WORKER")  # `-n N`: each worker runs its own runtime
    if worker:
        log_name = log_name.removesuffix(".log") + f".{worker}.log"
    env = dict(os.environ, SKAILAN_PORT=str(port), SKAILAN_MOTO_PORT=str(moto_port), SKAILAN_WS_PORT=str(ws_port),
               PYTHONPATH=f"{ROOT / 'layers/skailan'}:{ROOT}")
    log = open(ROOT / log_name, "w")  # noqa: SIM115 - closed at teardown
    process = subprocess.Popen([sys.executable, "-m", "infra.local"], cwd=ROOT, env=env, stdout=log,
                               stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"local runtime exited early; see {log.name}")
        try:
            if httpx.get(f"{base}/v1/openapi.json", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"local runtime did not start in time; see {log.name}")
        time.sleep(0.5)
    yield base
    # Ctrl-C, as a person would: the runtime must stop cleanly and promptly.
    process.send_signal(signal.SIGINT)
    try:
        code = process.wait(timeout=60)  # workers finish their batch first; slow on a loaded machine
    finally:
        if process.poll() is None:
            process.kill()
        log.close()
    assert code == 0, f"runtime exited with {code} after SIGINT"


@pytest.fixture(scope="session")
def runtime() -> Iterator[str]:
    with local_runtime() as base:
        yield base


@pytest.fixture(scope="session")
def client(runtime: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=runtime, timeout=30) as http:
        yield http


def login(client: httpx.Client, email: str, password: str = "Demo-pass-2026") -> dict[str, str]:
    reply = client.post("/v1/auth/login", json={"email": email, "password": password})
    assert reply.status_code == 200, reply.text
    return {"authorization": f"Bearer {reply.json()['id_token']}"}
