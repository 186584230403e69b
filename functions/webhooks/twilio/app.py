"""Twilio SMS/MMS webhook (messages and status callbacks): one URL per account,
X-Twilio-Signature over the exact public URL and the sorted form parameters."""

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from skailan.channels.http import create_webhook_resolver, header, raw_body, signed_by_provider
from skailan.conversations.ingest import webhooks as ingress
from skailan.platform.observability import logger
from skailan.platform.settings import get_settings

app = create_webhook_resolver()
# Twilio reads the answer as TwiML: an empty <Response/> means "no automatic reply".
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


@app.post("/webhooks/twilio/<account_id>", middlewares=[signed_by_provider()], include_in_schema=False)
def receive(account_id: str):  # a raw provider answer, no API model
    event = app.current_event.raw_event
    url = ingress.public_url(event.get("headers") or {}, event.get("rawPath", ""),
                             event.get("rawQueryString", ""), base_url=get_settings().public_api_url)
    ingress.receive_twilio(account_id, url, raw_body(event), header(event, "x-twilio-signature"))
    return Response(status_code=200, content_type="text/xml", body=EMPTY_TWIML)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
def handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
