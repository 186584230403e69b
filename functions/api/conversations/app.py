"""Conversations API: list and read conversations and their messages, send replies."""

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from skailan.conversations import opt_outs
from skailan.conversations.api.routes import ROUTERS
from skailan.platform.api import create_resolver
from skailan.platform.observability import logger


def _campaigns_opted_out(tenant_id: str, channel: str, person_id: str) -> bool:
    # Imported on first template send: the campaigns' store stays out of this cold start.
    from skailan.campaigns.queries import opted_out

    return opted_out(tenant_id, channel, person_id)


def _campaigns_suppressed(tenant_id: str, channel: str, addresses: list[str]) -> set[str]:
    from skailan.campaigns.queries import suppressed_addresses

    return suppressed_addresses(tenant_id, channel, addresses)


opt_outs.check_opt_outs("campaigns", _campaigns_opted_out)  # templates from the inbox respect suppressions
opt_outs.check_suppressed_addresses("campaigns", _campaigns_suppressed)  # and e-mail copies (CC)

app = create_resolver()
for router in ROUTERS:
    app.include_router(router)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
def handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
