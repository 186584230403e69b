"""Analytics worker: domain events (EventBridge → SQS) become counters and distributions, each
event exactly once (skailan.analytics.worker)."""

from aws_lambda_powertools.utilities.typing import LambdaContext

from skailan.analytics import brands, worker
from skailan.platform.batch import SqsRecord, process_sqs_batch
from skailan.platform.events import event_from_sqs_body
from skailan.platform.observability import logger


def record_handler(record: SqsRecord) -> None:
    event = event_from_sqs_body(record.body)
    outcome = worker.apply(event)
    logger.debug("analytics", tenant_id=event.tenant_id, type=event.type, event_id=event.id, outcome=outcome)


@logger.inject_lambda_context
def handler(event: dict, context: LambdaContext) -> dict:
    brands.forget_brands()  # one brand read per batch, never hours older than the batch
    return process_sqs_batch(event, record_handler)
