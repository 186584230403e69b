"""Imports worker: one SQS message per import run (queued by the start route or by a run that
reached its time budget); the import service does the rest (lease, checkpoints, resume)."""

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from skailan.crm.import_jobs import handle_message
from skailan.platform.observability import logger

processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


def record_handler(record: SQSRecord, lambda_context: LambdaContext) -> None:
    outcome = handle_message(record.body, lambda_context.get_remaining_time_in_millis, record.receipt_handle)
    logger.info("import message handled", outcome=outcome, message_id=record.message_id)


@logger.inject_lambda_context
def handler(event: dict, context: LambdaContext) -> dict:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
