"""Campaign send worker: each queued recipient out to its provider exactly once
(conditional moves on the recipient; skailan.campaigns.sending)."""

from aws_lambda_powertools.utilities.typing import LambdaContext

from skailan.campaigns.sending import send_one
from skailan.platform.batch import SqsRecord, process_sqs_batch
from skailan.platform.observability import logger


def record_handler(record: SqsRecord) -> str:
    return send_one(record.body, receive_count=int(record.attributes.approximate_receive_count or 1))


@logger.inject_lambda_context
def handler(event: dict, context: LambdaContext) -> dict:
    return process_sqs_batch(event, record_handler, fail_whole_batch=False)
