"""Administration API: brand, users, roles, API keys, channel accounts, close reasons, audit log."""

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from skailan.platform.api import create_resolver
from skailan.platform.observability import logger
from skailan.tenancy import channel_accounts
from skailan.tenancy.routes import ROUTERS


def _team_serves(tenant_id: str, account_id: str) -> bool:
    from skailan.conversations.inbox import teams  # only when an account is connected

    return teams.serves_account(tenant_id, account_id)


channel_accounts.use_team_check(_team_serves)  # the "no team serves it" warning (tenancy sits below teams)
app = create_resolver()
for router in ROUTERS:
    app.include_router(router, prefix="/v1/admin")


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
def handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
