"""Scheduled job (every minute): resume automation runs whose wait is over (and retry failing
steps whose backoff is over), found with one Query per shard of the wait index — never a Scan.
Reads the application clock, so `POST /_local/clock` then firing this job resumes runs."""

from aws_lambda_powertools.utilities.typing import LambdaContext

from skailan.automations.engine import resume_due
from skailan.platform.observability import logger


@logger.inject_lambda_context
def handler(event: dict, context: LambdaContext) -> dict:
    counts = resume_due()
    logger.info("automation waits processed", **counts)
    return counts
