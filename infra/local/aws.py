"""boto3 clients of the runtime itself, pointed at the local moto server.

The runtime's own calls never depend on os.environ: they use an explicit endpoint and fake
credentials, so they work before (and after) the process environment is set for the handlers.
"""

from __future__ import annotations

import threading
from typing import Any

import boto3
from botocore.config import Config

FAKE_CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


class AwsClients:
    def __init__(self, endpoint_url: str, region: str) -> None:
        self.endpoint_url = endpoint_url
        self.region = region
        self._session = boto3.session.Session(
            aws_access_key_id=FAKE_CREDENTIALS["aws_access_key_id"],
            aws_secret_access_key=FAKE_CREDENTIALS["aws_secret_access_key"],
            region_name=region,
        )
        self._clients: dict[str, Any] = {}
        # The outbox Pipes retry on their own (streams.py): their PutEvents must fail fast.
        self._no_retries = Config(max_pool_connections=8, retries={"max_attempts": 1, "mode": "standard"})
        self._lock = threading.Lock()
        # Every poller keeps a long poll open; leave room for all of them.
        self._config = Config(max_pool_connections=64, retries={"max_attempts": 3, "mode": "standard"})

    def __call__(self, service: str, *, retries: bool = True) -> Any:
        key = service if retries else f"{service}#no-retries"
        with self._lock:
            if key not in self._clients:
                self._clients[key] = self._session.client(  # type: ignore[call-overload]
                    service, endpoint_url=self.endpoint_url, config=self._config if retries else self._no_retries
                )
            return self._clients[key]

    def close(self) -> None:
        with self._lock:
            for client in self._clients.values():
                client.close()
            self._clients.clear()
