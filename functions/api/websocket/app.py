"""WebSocket API routes `$connect`, `$disconnect` and `$default` (ping): the connections table."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from skailan.platform.observability import logger
from skailan.realtime.connections import on_event


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return on_event(event)
