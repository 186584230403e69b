"""Campaign fan-out: campaign.started / campaign.resumed (EventBridge → SQS) write the recipients
and queue them for the send worker in SendMessageBatch of 10 (skailan.campaigns.sending);
message.received checks the opt-out keywords (skailan.campaigns.optout) and whether it replies
to a campaign (skailan.campaigns.replies); consent.changed goes on the person's timeline."""

from aws_lambda_powertools.utilities.typing import LambdaContext

from skailan.campaigns import replies
from skailan.campaigns.optout import on_consent_changed, on_message_received
from skailan.campaigns.sending import fan_out
from skailan.platform.batch import SqsRecord, process_sqs_batch
from skailan.platform.events import event_from_sqs_body
from skailan.platform.observability import logger


def record_handler(record: SqsRecord) -> None:
    event = event_from_sqs_body(record.body)
    if event.type == "message.received":
        logger.info("opt-out checked", tenant_id=event.tenant_id, **on_message_received(event))
        logger.info("campaign reply checked", tenant_id=event.tenant_id, **replies.on_message_received(event))
        return
    if event.type == "consent.changed":
        logger.info("consent change recorded", tenant_id=event.tenant_id, **on_consent_changed(event))
        return
    counts = fan_out(event.tenant_id, str(event.data["campaign_id"]))
    logger.info("campaign fanned out", tenant_id=event.tenant_id, type=event.type, **counts)


@logger.inject_lambda_context
def handler(event: dict, context: LambdaContext) -> dict:
    return process_sqs_batch(event, record_handler)
