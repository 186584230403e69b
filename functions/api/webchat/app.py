"""Web-chat widget API (public, keyed by widget id): visitor sessions, send, poll, attachments.
CORS is the widget's own origin allowlist, answered here (preflights included)."""

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from skailan.conversations.api.webchat_routes import ROUTERS, cors_for_refusal, preflight_response
from skailan.platform.api import create_resolver
from skailan.platform.observability import logger

# A visitor's bodies are a few fields; attachments arrive base64-encoded in JSON (5 MB files).
# The widget is embedded in other sites (no frame-ancestors).
app = create_resolver(max_body_bytes=16 * 1024, body_limits={"/attachments": 7 * 1024 * 1024 + 512 * 1024},
                      embeddable=True)
for router in ROUTERS:
    app.include_router(router)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
def handler(event: dict, context: LambdaContext) -> dict:
    if event.get("requestContext", {}).get("http", {}).get("method") == "OPTIONS":
        return preflight_response(event)
    return cors_for_refusal(event, app.resolve(event, context))
