"""Imports worker: one SQS message per import run (queued by the start route or by a run that
reached its time budget); the import service does the rest (lease, checkpoints, resume)."""

from aws_lambda_powertools.utilities.typing import LambdaContext

from skailan.crm.capture.imports.worker import handle_message
from skailan.platform.batch import SqsRecord, process_sqs_batch
from skailan.platform.observability import logger


def record_handler(record: SqsRecord, lambda_context: LambdaContext) -> None:
    outcome = handle_message(record.body, lambda_context.get_remaining_time_in_millis, record.receipt_handle)
    logger.info("import message handled", outcome=outcome, message_id=record.message_id)


@logger.inject_lambda_context
def handler(event: dict, context: LambdaContext) -> dict:
    return process_sqs_batch(event, lambda record: record_handler(record, context), fail_whole_batch=False)
