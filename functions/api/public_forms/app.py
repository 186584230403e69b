"""Public form submissions: POST /public/forms/{form_id} (no sign-in; honeypot and rate limit)."""

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from skailan.crm.api.public_forms_routes import ROUTERS
from skailan.platform.api import create_resolver
from skailan.platform.observability import logger

# Plain HTML form posts are accepted too; a form is a few fields.
app = create_resolver(max_body_bytes=64 * 1024, accept_forms=True)
for router in ROUTERS:
    app.include_router(router)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
def handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
