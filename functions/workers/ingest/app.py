"""Ingest worker: routed inbound events (webhooks → FIFO queue) into people, conversations and
messages. FIFO batches: a failed record fails only its own message group (the customer's
later events wait for it); malformed records go to the DLQ with their reason."""

from aws_lambda_powertools.utilities.typing import LambdaContext

from skailan.campaigns import claims as campaign_claims
from skailan.conversations.ingest import worker as ingest
from skailan.platform.batch import SqsRecord, process_sqs_batch
from skailan.platform.observability import logger

campaign_claims.install()  # statuses of campaign messages (campaigns send outside conversations)


def record_handler(record: SqsRecord) -> str:
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
    # FIFO: a failed record holds back the rest of its message group; every record failed is still
    # a partial answer (each one retried on its own), not an error.
    return process_sqs_batch(event, record_handler, fifo=True)
