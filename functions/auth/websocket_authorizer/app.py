"""WebSocket `$connect` authorizer: `?token=<Cognito ID token>&brand=<tenant>` → IAM policy."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from skailan.platform.observability import logger
from skailan.realtime.connections import authorize


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return authorize(event)
