"""Integration tests run handlers in process against moto, with every resource built from
template.yaml by the local runtime's provisioner — so tests cannot drift from the stack."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.support import Principal

os.environ.update(
    AWS_ACCESS_KEY_ID="testing",
    AWS_SECRET_ACCESS_KEY="testing",
    AWS_DEFAULT_REGION="us-east-1",
    POWERTOOLS_TRACE_DISABLED="true",
    POWERTOOLS_DEV="false",
    STAGE="local",
)
os.environ.pop("AWS_ENDPOINT_URL", None)


@pytest.fixture(scope="module")
def aws() -> Iterator[dict[str, str]]:
    from moto import mock_aws

    from infra.local import moto_cognito, moto_dynamodb, moto_s3
    from skailan.platform.aws import reset_clients
    from skailan.platform.settings import get_settings
    from tests.provisioning import provision_for_tests

    moto_dynamodb.install()  # the same DynamoDB transaction semantics as the local runtime
    moto_cognito.install()  # the local runtime's Cognito: its own signing key, RevokeToken
    moto_s3.install()  # and the same S3 PUT bodies
    with mock_aws():
        environment = provision_for_tests()
        os.environ.update(environment)
        get_settings.cache_clear()
        reset_clients()
        yield environment
        reset_clients()


@pytest.fixture(scope="module")
def demo(aws: dict[str, str]) -> dict[str, Principal]:
    """Brands demo and acme with one member per built-in role."""
    from infra.local import seed
    from skailan.tenancy import cognito

    seed.seed_data()
    return {
        email: Principal(sub=cognito.find_user_sub(email) or "", email=email, tenant=tenant_id)
        for tenant_id, email, _name, _role in seed.USERS
    }


@pytest.fixture(autouse=True)
def no_profile_calls(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Messenger/Instagram ingest asks Meta for a new customer's name: tests stay on 127.0.0.1,
    so that call answers "no name" unless a test mocks Graph itself (`@pytest.mark.graph_profiles`)."""
    from skailan.campaigns import sending
    from skailan.conversations.ingest import profiles

    profiles.clear_cache()
    sending.forget_cached()  # a test's campaign or brand name never reaches the next test's sends
    if request.node.get_closest_marker("graph_profiles") is None:
        monkeypatch.setattr(profiles, "_fetch", lambda *_args: None)
    yield
    profiles.clear_cache()
