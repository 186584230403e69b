"""E-mail via SNS, signature and topic verified first. Inbound: SES stores the MIME in S3 and
notifies InboundMailTopic; each recipient address a brand owns gets one event. Outbound: the
configuration set's event destination publishes Delivery / Bounce / Complaint / Reject on
EmailEventsTopic; each becomes the status of the reply SES sent (routed by the sending address,
found by SES's MessageId)."""

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from skailan.campaigns import claims as campaign_claims
from skailan.channels.http import create_webhook_resolver, ok, raw_body, signed_by_provider
from skailan.conversations.ingest import webhooks as ingress
from skailan.platform.observability import logger

app = create_webhook_resolver()
campaign_claims.install()  # SES events of campaign e-mail


@app.post("/webhooks/ses", middlewares=[signed_by_provider()], include_in_schema=False)
def receive():  # a raw provider answer, no API model
    outcome = ingress.receive_ses(raw_body(app.current_event.raw_event))
    return ok(outcome.body())


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
def handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
