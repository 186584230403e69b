"""Every minute: start the scheduled campaigns that are due (due-time index, no scan; follows the
application clock locally)."""

from aws_lambda_powertools.utilities.typing import LambdaContext

from skailan.campaigns.service import start_due
from skailan.platform.observability import logger


@logger.inject_lambda_context
def handler(event: dict, context: LambdaContext) -> dict:
    started = start_due()
    logger.info("due campaigns started", started=started)
    return {"started": started}
