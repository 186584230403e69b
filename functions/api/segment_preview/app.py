"""Segment count preview: POST /v1/crm/segments/preview (reads every person of the brand; sized
for it — see skailan.crm.api.segment_preview_routes)."""

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from skailan.crm.api.segment_preview_routes import ROUTERS
from skailan.platform.api import create_resolver
from skailan.platform.observability import logger

app = create_resolver()
for router in ROUTERS:
    app.include_router(router)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
def handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
