"""Exports worker: `contact_export.requested` (EventBridge → SQS) becomes a CSV in the exports bucket."""

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from skailan.crm.export import run_export
from skailan.platform.events import event_from_sqs_body
from skailan.platform.observability import logger

processor = BatchProcessor(event_type=EventType.SQS)


def record_handler(record: SQSRecord) -> None:
    event = event_from_sqs_body(record.body)
    rows = run_export(event.tenant_id, event.entity_id or "")
    logger.info("contacts exported", tenant_id=event.tenant_id, export_id=event.entity_id, rows=rows)


@logger.inject_lambda_context
def handler(event: dict, context: LambdaContext) -> dict:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
