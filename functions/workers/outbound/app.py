"""Send worker: queued replies (outbound FIFO queue) out to their provider, exactly once.
Retries back off by the record's visibility (Retry-After or exponential with jitter)."""

from aws_lambda_powertools.utilities.batch import SqsFifoPartialProcessor, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from skailan.conversations import outbound
from skailan.platform.observability import logger
from skailan.platform.settings import get_settings

processor = SqsFifoPartialProcessor(skip_group_on_error=True)
# Every record failed is still a partial-batch answer (each one retried on its own), not an error.
processor.raise_on_entire_batch_failure = False


def record_handler(record: SQSRecord) -> str:
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
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
