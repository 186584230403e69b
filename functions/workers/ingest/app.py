"""Ingest worker: routed inbound events (webhooks → FIFO queue) into people, conversations and
messages. FIFO batches: a failed record fails only its own message group (the customer's
later events wait for it); malformed records go to the DLQ with their reason."""

from aws_lambda_powertools.utilities.batch import SqsFifoPartialProcessor, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from skailan.conversations import ingest
from skailan.platform.observability import logger

processor = SqsFifoPartialProcessor(skip_group_on_error=True)
# Every record failed is still a partial-batch answer (each one retried on its own), not an error.
processor.raise_on_entire_batch_failure = False


def record_handler(record: SQSRecord) -> str:
    attributes = record.attributes
    outcome = ingest.process_record(
        record.body,
        message_id=record.message_id,
        group_id=attributes.message_group_id,
        receive_count=int(attributes.approximate_receive_count or 1),
    )
    return outcome.result


@logger.inject_lambda_context
def handler(event: dict, context: LambdaContext) -> dict:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
