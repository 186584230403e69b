"""Integration tests run handlers in process against moto, with every resource built from
template.yaml by the local runtime's provisioner — so tests cannot drift from the stack.

Each test module starts from a freshly provisioned world (`aws`) and, if it asks for `demo`, a
freshly seeded one — without paying for provisioning and seeding every time (they were ~190 s of
the suite's setup): each xdist worker provisions once and seeds once, keeps a deep copy of moto's
whole state after each (`tests.provisioning.Snapshot`), and every later module gets a new copy.

- `aws`: `mock_aws()` resets moto, the "provisioned" copy is put in place (the first module of a
  worker provisions from the template and takes the copy), the template's Pipes relay is put
  back, the environment is set, and per-container state is dropped (`_forget_container_state`:
  settings, boto clients, caches — a restored world has the previous module's pool, users and
  secrets, so a cache keyed by them would carry answers over; add new caches to
  `_CONTAINER_CACHES`).
- `demo`: if the module has not sent moto a single request since `aws` restored the world, the
  "seeded" copy replaces it (the first time, it seeds and takes the copy); otherwise it seeds on
  top of what the module did, as it always did.

What a copy holds: every backend moto lists in `BackendDict._instances` (DynamoDB tables, items
and streams, SQS queues and messages, S3, Cognito, EventBridge, Scheduler, Secrets Manager, SES,
SNS, IAM...). The copied world is the same world a new provisioning builds, with the same
random ids (user pool and client ids, Cognito subs) in every module of a worker.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from typing import Any

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
    from tests.provisioning import Snapshot, provision_for_tests

    moto_dynamodb.install()  # the same DynamoDB transaction semantics as the local runtime
    moto_cognito.install()  # the local runtime's Cognito: its own signing key, RevokeToken
    moto_s3.install()  # and the same S3 PUT bodies
    _count_moto_requests()
    with mock_aws():  # entering resets moto: nothing of the previous module is left
        world = _worlds.get("provisioned")
        if world is None:
            environment = provision_for_tests()
            _worlds["provisioned"] = Snapshot(environment)
            _relay[:] = moto_dynamodb.stream_listeners
        else:
            environment = world.restore()
            moto_dynamodb.stream_listeners[:] = _relay  # the template's Pipes, as provisioning installed them
        os.environ.update(environment)
        _forget_container_state()
        _moto_requests["at_start"] = _moto_requests["served"]
        yield environment
        reset_clients()


@pytest.fixture(scope="module")
def demo(aws: dict[str, str]) -> dict[str, Principal]:
    """Brands demo and acme with one member per built-in role."""
    from moto.core.base_backend import BackendDict

    from infra.local import seed
    from skailan.tenancy import cognito
    from tests.provisioning import Snapshot

    untouched = _moto_requests["served"] == _moto_requests["at_start"]
    world = _worlds.get("seeded")
    if untouched and world is not None:
        BackendDict.reset()  # the world is still the provisioned one: the seeded one replaces it
        world.restore()
        _forget_container_state()
    else:
        seed.seed_data()  # on top of what the module did already, as always
        if untouched:
            _worlds["seeded"] = Snapshot(aws)
    return {
        email: Principal(sub=cognito.find_user_sub(email) or "", email=email, tenant=tenant_id)
        for tenant_id, email, _name, _role in seed.USERS
    }


# The worlds this worker provisioned ("provisioned") and seeded ("seeded"), copied once and restored
# per module (tests/provisioning.Snapshot); the outbox relay provisioning installed; moto's requests.
_worlds: dict[str, Any] = {}
_relay: list[Any] = []
_moto_requests = {"served": 0, "at_start": 0}


def _count_moto_requests() -> None:
    """Count the requests moto serves: `demo` may restore the seeded world only if the module has
    not touched the provisioned one yet (else it seeds on top of it, as it always did)."""
    from moto.core.botocore_stubber import BotocoreStubber

    if getattr(BotocoreStubber.process_request, "_counted", False):
        return
    original = BotocoreStubber.process_request

    def process_request(self: Any, request: Any) -> Any:
        _moto_requests["served"] += 1
        return original(self, request)

    process_request._counted = True  # type: ignore[attr-defined]
    BotocoreStubber.process_request = process_request  # type: ignore[method-assign]


# Per-container state a module must not inherit. A restored world has the same user pool, the
# same users (Cognito subs) and the same secrets as the previous module's, so a cache keyed by
# them would carry the previous module's answers over; each module starts as a cold container.
# (module, attribute): a dict is emptied, a function is called. Registries (claims) are kept.
_CONTAINER_CACHES = (
    ("skailan.realtime.push", "_members"),
    ("skailan.realtime.tokens", "KEYS"),
    ("skailan.conversations.accounts", "clear_cache"),
    ("skailan.conversations.ingest.profiles", "clear_cache"),
    ("skailan.campaigns.sending", "forget_cached"),
    ("skailan.campaigns.tokens", "reset"),
    ("skailan.campaigns.mail", "_quota"),
    ("skailan.campaigns.attachments", "_cache"),
    ("skailan.crm.people.service", "_brand_cache"),
    ("skailan.analytics.brands", "_brands"),
    ("skailan.analytics.usage", "_templates"),
    ("aws_lambda_powertools.utilities.parameters", "clear_caches"),
)


def _forget_container_state() -> None:
    import sys

    from skailan.platform.aws import reset_clients
    from skailan.platform.settings import get_settings

    get_settings.cache_clear()
    reset_clients()
    for module_name, attribute in _CONTAINER_CACHES:
        module = sys.modules.get(module_name)  # not imported yet: nothing cached
        target = getattr(module, attribute, None) if module is not None else None
        if isinstance(target, dict):
            target.clear()
        elif callable(target):
            target()


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


@pytest.fixture
def serialized_dynamodb() -> Iterator[None]:
    """moto runs each DynamoDB call in the caller's thread without a lock (its transactions even
    restore a table copy on failure), so threads could interleave inside one call. DynamoDB
    itself executes each request atomically: one lock around moto's handler restores that, and
    what the concurrency tests then measure is our conditional writes, not moto's races."""
    from moto.dynamodb.responses import DynamoHandler

    lock = threading.RLock()
    original = DynamoHandler.call_action

    def locked(self: Any) -> Any:
        with lock:
            return original(self)

    DynamoHandler.call_action = locked  # type: ignore[method-assign]
    try:
        yield
    finally:
        DynamoHandler.call_action = original  # type: ignore[method-assign]
