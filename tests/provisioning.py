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
