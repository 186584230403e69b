"""Segments worker: CRM events (EventBridge → SQS) keep dynamic-segment memberships, list
clean-ups and duplicate groups current (see skailan.crm.segment_store)."""

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from skailan.crm.segment_store import on_event
from skailan.platform.events import event_from_sqs_body
from skailan.platform.observability import logger

processor = BatchProcessor(event_type=EventType.SQS)


def record_handler(record: SQSRecord) -> None:
    event = event_from_sqs_body(record.body)
    result = on_event(event)
    logger.info("crm event applied", tenant_id=event.tenant_id, type=event.type, entity_id=event.entity_id,
                result=result)


@logger.inject_lambda_context
def handler(event: dict, context: LambdaContext) -> dict:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
