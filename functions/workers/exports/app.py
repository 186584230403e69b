"""Exports worker: `contact_export.requested` (EventBridge → SQS) becomes a CSV in the exports bucket."""

from aws_lambda_powertools.utilities.typing import LambdaContext

from skailan.crm.audiences.export import run_export
from skailan.platform.batch import SqsRecord, process_sqs_batch
from skailan.platform.events import event_from_sqs_body
from skailan.platform.observability import logger


def record_handler(record: SqsRecord) -> None:
    event = event_from_sqs_body(record.body)
    rows = run_export(event.tenant_id, event.entity_id or "")
    logger.info("contacts exported", tenant_id=event.tenant_id, export_id=event.entity_id, rows=rows)


@logger.inject_lambda_context
def handler(event: dict, context: LambdaContext) -> dict:
    return process_sqs_batch(event, record_handler)
