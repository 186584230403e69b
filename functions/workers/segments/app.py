"""Segments worker: CRM events (EventBridge → SQS) keep dynamic-segment memberships, list
clean-ups and duplicate groups current (see skailan.crm.audiences.segments)."""

from aws_lambda_powertools.utilities.typing import LambdaContext

from skailan.crm.audiences.segments import on_event
from skailan.platform.batch import SqsRecord, process_sqs_batch
from skailan.platform.events import event_from_sqs_body
from skailan.platform.observability import logger


def record_handler(record: SqsRecord) -> None:
    event = event_from_sqs_body(record.body)
    result = on_event(event)
    logger.info("crm event applied", tenant_id=event.tenant_id, type=event.type, entity_id=event.entity_id,
                result=result)


@logger.inject_lambda_context
def handler(event: dict, context: LambdaContext) -> dict:
    return process_sqs_batch(event, record_handler)
