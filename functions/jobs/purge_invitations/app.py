"""Scheduled job: invitations that expired unaccepted are removed with their unused logins."""

from aws_lambda_powertools.utilities.typing import LambdaContext

from skailan.platform.observability import logger
from skailan.tenancy.members import purge_expired_invitations


@logger.inject_lambda_context
def handler(event: dict, context: LambdaContext) -> dict:
    purged = purge_expired_invitations()
    logger.info("expired invitations purged", purged=purged)
    return {"purged": purged}
