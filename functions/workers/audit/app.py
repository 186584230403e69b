"""Audit worker: domain events (EventBridge → SQS) become audit log entries."""

from aws_lambda_powertools.utilities.typing import LambdaContext

from skailan.platform.batch import SqsRecord, process_sqs_batch
from skailan.platform.events import event_from_sqs_body
from skailan.platform.observability import logger
from skailan.tenancy import audit


def record_handler(record: SqsRecord) -> None:
    event = event_from_sqs_body(record.body)
    audit.record(event)
    logger.info("audit entry written", tenant_id=event.tenant_id, type=event.type, event_id=event.id)


@logger.inject_lambda_context
def handler(event: dict, context: LambdaContext) -> dict:
    return process_sqs_batch(event, record_handler)
