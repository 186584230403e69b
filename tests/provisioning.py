"""Build every resource of template.yaml inside moto's in-process mock (`mock_aws`).

It reuses the local runtime's template reader and provisioner, so integration tests and
`make run` create exactly the same tables, queues, rules and user pool — from the template.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import boto3

from infra.local.functions import function_specs
from infra.local.physical import PhysicalIds
from infra.local.provision import Provisioner
from infra.local.template import Template

ROOT = Path(__file__).resolve().parent.parent
REGION = "us-east-1"


def _clients(service: str):  # moto intercepts clients that use AWS's own endpoints
    return boto3.client(service, region_name=REGION)


def provision_for_tests() -> dict[str, str]:
    """Provision under an active `mock_aws()`; return the handlers' environment variables."""
    template = Template.load(ROOT / "template.yaml", {"Stage": "local"})
    ids = PhysicalIds(template, f"https://sqs.{REGION}.amazonaws.com")
    provisioner = Provisioner(template, ids, _clients)  # type: ignore[arg-type]
    provisioner.provision()
    specs = function_specs(template, ids)
    provisioner.provision_function_events(specs)
    if provisioner.failures:
        raise RuntimeError(f"template resources not created: {provisioner.failures}")
    _relay_outbox(template, provisioner, ids)
    environment: dict[str, str] = {}
    for spec in specs.values():
        environment.update(spec.environment)
    return environment


class _Enrichment:
    """The Pipes' enrichment function, run in process."""

    def invoke(self, event: Any) -> Any:
        from tests.support import handler_of

        return handler_of("workers/outbox")(event, None)


def _relay_outbox(template: Template, provisioner: Provisioner, ids: PhysicalIds) -> None:
    """Outbox items reach the bus as they are written, as the template's Pipes put them there."""
    from infra.local import moto_dynamodb, moto_perf
    from infra.local.streams import install_relay, pipe_specs

    moto_dynamodb.install()
    moto_perf.install()  # the same speed-ups as the local runtime (infra/local/moto_perf.py)
    sqs = _clients("sqs")
    specs = pipe_specs(template, provisioner.resolver.resolve, ids, {"OutboxEnrichFunction": _Enrichment()},
                       lambda arn: sqs.get_queue_url(QueueName=arn.rsplit(":", 1)[-1])["QueueUrl"])
    install_relay(specs)


# -- one world per worker, restored per module ------------------------------------------------------


class Snapshot:
    """moto's whole state at one instant — every backend of every service, account and region that
    exists — kept as a deep copy, so a module can start from it instead of provisioning again.

    moto keeps all its state in the `BackendDict`s listed in `BackendDict._instances` (mock_aws's
    reset empties exactly those), so copying their region backends is copying the world. They are
    copied in one `deepcopy` call: references between backends stay references between the copies.
    """

    def __init__(self, environment: dict[str, str]) -> None:
        from moto.core.base_backend import BackendDict

        self.environment = dict(environment)
        self._slots: list[tuple[Any, str, str]] = []  # (BackendDict, account, region), in _instances order
        backends: list[Any] = []
        for backend_dict in _registries(BackendDict):
            for account_id, per_account in backend_dict.items():
                for region, backend in per_account.items():
                    self._slots.append((backend_dict, account_id, region))
                    backends.append(backend)
        self._backends = _copy_world(backends, self._slots)

    def restore(self) -> dict[str, str]:
        """Under a freshly reset `mock_aws()`: put a copy of the world in place; returns its environment."""
        from moto.core.base_backend import BackendDict

        assert not any(len(d) for d in _registries(BackendDict)), "restore() expects moto freshly reset"
        copies = _copy_world(self._backends, self._slots)
        for (backend_dict, account_id, region), backend in zip(self._slots, copies, strict=True):
            per_account = backend_dict[account_id]  # creates the account's entry and lists the dict in _instances
            dict.__setitem__(per_account, region, backend)
        return dict(self.environment)


def _registries(backend_dict_class: Any) -> list[Any]:
    """moto's list of the BackendDicts that hold something (what its reset empties)."""
    return list(backend_dict_class._instances)


def _copy_world(backends: list[Any], slots: list[tuple[Any, str, str]]) -> list[Any]:
    import copy
    import copyreg
    import threading

    from infra.local import moto_cognito

    # Shared on purpose, never copied: moto's registries (no backend refers to one today; a copy
    # would be a private, stale registry), and the signing key every local pool uses.
    memo: dict[int, Any] = {id(backend_dict): backend_dict for backend_dict, _account, _region in slots}
    if moto_cognito._private_key is not None:
        memo[id(moto_cognito._private_key)] = moto_cognito._private_key
    # A queue's Condition (and any lock) becomes a new, free one: copying one field by field would
    # leave the copy's acquire/release bound to the original's lock.
    lock_types = {type(threading.Lock()): _new_lock, type(threading.RLock()): _new_rlock,
                  threading.Condition: _new_condition, threading.Event: _new_event}
    saved = {kind: copyreg.dispatch_table.get(kind) for kind in lock_types}
    copyreg.dispatch_table.update(lock_types)  # type: ignore[arg-type]
    try:
        return copy.deepcopy(backends, memo)
    finally:
        for kind, reducer in saved.items():
            if reducer is None:
                copyreg.dispatch_table.pop(kind, None)  # type: ignore[call-overload]
            else:
                copyreg.dispatch_table[kind] = reducer


def _new_lock(_lock: Any) -> tuple[Any, tuple[Any, ...]]:
    import threading

    return threading.Lock, ()


def _new_rlock(_lock: Any) -> tuple[Any, tuple[Any, ...]]:
    import threading

    return threading.RLock, ()


def _new_condition(condition: Any) -> tuple[Any, tuple[Any, ...]]:
    import threading

    # Condition() holds an RLock; Condition(Lock()) a plain lock: the copy gets the same kind.
    return _condition, (type(condition._lock) is type(threading.Lock()),)


def _condition(plain_lock: bool) -> Any:
    import threading

    return threading.Condition(threading.Lock() if plain_lock else threading.RLock())


def _new_event(event: Any) -> tuple[Any, tuple[Any, ...]]:
    return _event, (event.is_set(),)


def _event(is_set: bool) -> Any:
    import threading

    event = threading.Event()
    if is_set:
        event.set()
    return event
