"""Send worker: queued replies (outbound FIFO queue) out to their provider, exactly once.
Retries back off by the record's visibility (Retry-After or exponential with jitter)."""

from aws_lambda_powertools.utilities.typing import LambdaContext

from skailan.conversations import outbound
from skailan.platform.batch import SqsRecord, process_sqs_batch
from skailan.platform.observability import logger
from skailan.platform.settings import get_settings


def record_handler(record: SqsRecord) -> str:
    attempt = outbound.process_record(
        record.body,
        message_id=record.message_id,
        group_id=record.attributes.message_group_id,
        receive_count=int(record.attributes.approximate_receive_count or 1),
        receipt_handle=record.receipt_handle,
        queue_url=get_settings().outbound_queue_url,
    )
    return attempt.result


@logger.inject_lambda_context
def handler(event: dict, context: LambdaContext) -> dict:
    # FIFO: a failed record holds back the rest of its message group; every record failed is still
    # a partial answer (each one retried on its own), not an error.
    return process_sqs_batch(event, record_handler, fifo=True)
