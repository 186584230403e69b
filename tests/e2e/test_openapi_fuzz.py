"""Schemathesis against the live local runtime: requests generated from the OpenAPI document
never produce a server error.

Read-only operations only (plus sign-in): generated writes would reshape the shared demo data
the other e2e tests rely on; writes are covered by the integration tests' bad-input cases.
Schemathesis' pytest plugin does not support pytest 9 yet, so its strategies are driven by
hypothesis directly.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from tests.e2e.conftest import login

pytestmark = pytest.mark.e2e


def _operations(runtime: str, **include: str) -> list:
    schema = schemathesis.openapi.from_url(f"{runtime}/v1/openapi.json")
    schema.config.update(base_url=runtime)
    return [result.ok() for result in schema.include(**include).get_all_operations()]


def _fuzz(operation, headers: dict[str, str] | None, examples: int) -> None:
    @given(case=operation.as_strategy())
    @settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def run(case) -> None:
        case.call_and_validate(headers=headers, checks=[not_a_server_error])

    run()


def test_read_operations_never_fail_on_the_server(runtime, client):
    headers = login(client, "admin@demo.local")
    operations = _operations(runtime, method="GET")
    assert len(operations) >= 10
    for operation in operations:
        _fuzz(operation, headers, examples=10)


def test_sign_in_never_fails_on_the_server(runtime):
    (operation,) = _operations(runtime, path="/v1/auth/login", method="POST")
    _fuzz(operation, None, examples=30)
