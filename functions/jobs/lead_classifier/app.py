"""Scheduled job (every 15 minutes): lead notes without an outcome are classified (per-run cap);
see skailan.leads.classifier_job. Fired locally with POST /_local/schedules/LeadClassifierFunction."""

from aws_lambda_powertools.utilities.typing import LambdaContext

from skailan.leads.classifier_job import run
from skailan.platform.observability import logger


@logger.inject_lambda_context
def handler(event: dict, context: LambdaContext) -> dict:
    result = run()
    logger.info("lead notes classified", **result)
    return result
