"""Campaigns API: campaigns, previews, sending controls, recipients, suppressions, attachments,
and the public tracking and unsubscribe routes."""

from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from skailan.campaigns.routes import ROUTERS
from skailan.platform.api import create_resolver
from skailan.platform.observability import logger

app = create_resolver()
for router in ROUTERS:
    app.include_router(router)

ONE_CLICK = "/public/campaigns/u/"


def _one_click(event: dict[str, Any]) -> dict[str, Any]:
    """RFC 8058: mail clients POST `List-Unsubscribe=One-Click` as multipart/form-data (or a
    urlencoded form); the token in the path is all the route needs, so the body is dropped."""
    method = str(((event.get("requestContext") or {}).get("http") or {}).get("method") or "")
    if method == "POST" and str(event.get("rawPath") or "").startswith(ONE_CLICK):
        headers = {k: v for k, v in (event.get("headers") or {}).items() if str(k).lower() != "content-type"}
        return {**event, "body": None, "isBase64Encoded": False, "headers": headers}
    return event


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
def handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(_one_click(event), context)
