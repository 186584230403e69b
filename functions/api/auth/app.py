"""Sign-in, tokens, password recovery, invitations and /v1/me."""

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from skailan.platform.api import create_resolver
from skailan.platform.observability import logger
from skailan.tenancy.auth_routes import router

# Sign-in bodies are a few fields: a large one is refused before parsing.
app = create_resolver(max_body_bytes=16 * 1024)
app.include_router(router)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
def handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
