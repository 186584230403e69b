"""Inbox events worker: customer messages, replies and closes (EventBridge → SQS) drive the bots,
waiting times, notifications, search keys and hourly counters."""

from aws_lambda_powertools.utilities.typing import LambdaContext

from skailan.conversations.inbox.workers import on_inbox_event
from skailan.platform.batch import SqsRecord, process_sqs_batch
from skailan.platform.events import event_from_sqs_body
from skailan.platform.observability import logger


def record_handler(record: SqsRecord) -> None:
    event = event_from_sqs_body(record.body)
    outcome = on_inbox_event(event)
    logger.info("inbox event handled", tenant_id=event.tenant_id, type=event.type, event_id=event.id,
                outcome=outcome)


@logger.inject_lambda_context
def handler(event: dict, context: LambdaContext) -> dict:
    return process_sqs_batch(event, record_handler)
