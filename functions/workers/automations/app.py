"""Automations worker: domain events (EventBridge → SQS) start the automations they trigger and
run their steps until the end or a wait (skailan.automations.engine)."""

from aws_lambda_powertools.utilities.typing import LambdaContext

from skailan.automations.engine import on_event
from skailan.platform.batch import SqsRecord, process_sqs_batch
from skailan.platform.events import event_from_sqs_body
from skailan.platform.observability import logger


def record_handler(record: SqsRecord) -> None:
    event = event_from_sqs_body(record.body)
    result = on_event(event)
    logger.info("automations event handled", tenant_id=event.tenant_id, type=event.type, result=result)


@logger.inject_lambda_context
def handler(event: dict, context: LambdaContext) -> dict:
    return process_sqs_batch(event, record_handler)
