"""Meta webhook (WhatsApp Cloud API, Messenger, Instagram): one URL per Meta app.

GET answers the subscription handshake; POST verifies X-Hub-Signature-256 over the raw body,
routes every event by phone_number_id / page id / Instagram id and enqueues them.
"""

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from skailan.channels.http import create_webhook_resolver, header, ok, raw_body, signed_by_provider
from skailan.conversations.ingest import webhooks as ingress
from skailan.platform.observability import logger

app = create_webhook_resolver()


@app.get("/webhooks/meta/<app_id>", middlewares=[signed_by_provider()], include_in_schema=False)
def handshake(app_id: str):  # a raw provider answer, no API model
    challenge = ingress.meta_handshake(app_id, app.current_event.query_string_parameters or {})
    return Response(status_code=200, content_type=content_types.TEXT_PLAIN, body=challenge)


@app.post("/webhooks/meta/<app_id>", middlewares=[signed_by_provider()], include_in_schema=False)
def receive(app_id: str):  # a raw provider answer, no API model
    event = app.current_event.raw_event
    accepted = ingress.receive_meta(app_id, raw_body(event), header(event, "x-hub-signature-256"))
    return ok(accepted.body())


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
def handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
