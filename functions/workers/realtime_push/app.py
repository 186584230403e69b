"""Push worker: domain events (EventBridge → SQS) → a change in the feed and a frame to each
connected member who may see it (API Gateway management API)."""

from aws_lambda_powertools.utilities.typing import LambdaContext

from skailan.platform.batch import SqsRecord, process_sqs_batch
from skailan.platform.events import event_from_sqs_body
from skailan.platform.observability import logger
from skailan.realtime import push

_poster: push.ManagementApi | None = None


def record_handler(record: SqsRecord) -> None:
    global _poster
    if _poster is None:
        _poster = push.default_poster()
    event = event_from_sqs_body(record.body)
    outcome = push.handle(event, _poster)
    logger.info("frame pushed", tenant_id=event.tenant_id, type=event.type, cursor=outcome.cursor,
                sent=len(outcome.sent), gone=len(outcome.gone), failed=len(outcome.failed))


@logger.inject_lambda_context
def handler(event: dict, context: LambdaContext) -> dict:
    return process_sqs_batch(event, record_handler)
