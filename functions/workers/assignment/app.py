"""Auto-assignment worker: domain events (EventBridge → SQS) become assignments or queue drains."""

from aws_lambda_powertools.utilities.typing import LambdaContext

from skailan.conversations.inbox.workers import on_assignment_event
from skailan.platform.batch import SqsRecord, process_sqs_batch
from skailan.platform.events import event_from_sqs_body
from skailan.platform.observability import logger


def record_handler(record: SqsRecord) -> None:
    event = event_from_sqs_body(record.body)
    outcome = on_assignment_event(event)
    logger.info("assignment event handled", tenant_id=event.tenant_id, type=event.type, event_id=event.id,
                outcome=outcome)


@logger.inject_lambda_context
def handler(event: dict, context: LambdaContext) -> dict:
    return process_sqs_batch(event, record_handler)
